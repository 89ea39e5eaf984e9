/**
 * `cctrial init`: sets a Turborepo or plain workspace up so that each package can run cctrial
 * (`turbo run cctrial --filter=<pkg>`, or `npm run cctrial -w <pkg>`). Idempotent: running it
 * twice changes nothing the second time.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { applyEdits, format, modify, parse, type Edit, type FormattingOptions, type ParseError } from 'jsonc-parser';
import { ConfigError } from './errors.js';
import { testedProjects } from './workspace/model.js';
import { findWorkspaceRoot } from './workspace/root.js';

/** Persistent, never cached. Not `interactive`: turbo refuses that without its terminal UI (research nx-turbo.md §5). */
export const TURBO_TASK = { cache: false, persistent: true };

export async function initWorkspace(cwd: string): Promise<string[]> {
  const workspace = findWorkspaceRoot(cwd);
  const changes: string[] = [];
  const turboFile = ['turbo.json', 'turbo.jsonc'].map((name) => path.join(workspace.root, name)).find((file) => existsSync(file));
  if (turboFile) {
    const turbo = readJsonc(turboFile) as { tasks?: Record<string, unknown> };
    if (!turbo.tasks?.cctrial) {
      addProperty(turboFile, ['tasks', 'cctrial'], TURBO_TASK);
      changes.push(`${path.basename(turboFile)}: added the task "cctrial" (cache: false, persistent: true)`);
    }
  }
  // The packages with tests that cctrial runs: those on another runner get no script.
  for (const { project } of await testedProjects(workspace.root)) {
    const manifestFile = path.join(project.root, 'package.json');
    if (!existsSync(manifestFile) || project.root === workspace.root) continue;
    const manifest = readJsonc(manifestFile) as { scripts?: Record<string, string> };
    if (manifest.scripts?.cctrial) continue;
    addProperty(manifestFile, ['scripts', 'cctrial'], 'cctrial');
    changes.push(`${path.relative(workspace.root, manifestFile)}: added the script "cctrial"`);
  }
  return changes;
}

export function initHint(cwd: string): string {
  const workspace = findWorkspaceRoot(cwd);
  if (workspace.hasTurbo) return 'Run it with: turbo run cctrial --filter=<package>   (add --ui=tui to use the keys)';
  if (workspace.hasNx) return 'In an Nx workspace, prefer the plugin: nx add @cctrial/nx, then nx run <project>:cctrial';
  return `Run it with: ${PACKAGE_SCRIPT[packageManager(workspace.root)]}, or cctrial <package> from the root`;
}

type PackageManager = 'npm' | 'pnpm' | 'yarn' | 'bun';

const PACKAGE_SCRIPT: Record<PackageManager, string> = {
  npm: 'npm run cctrial -w <package>',
  pnpm: 'pnpm --filter <package> cctrial',
  yarn: 'yarn workspace <package> cctrial',
  bun: 'bun run --filter <package> cctrial',
};

/** The root's `packageManager` field (corepack's), else its lockfile; npm when neither says. */
function packageManager(root: string): PackageManager {
  const declared = (readJsonc(path.join(root, 'package.json')) as { packageManager?: unknown }).packageManager;
  const name = typeof declared === 'string' ? declared.split('@')[0] : undefined;
  if (name === 'pnpm' || name === 'yarn' || name === 'bun' || name === 'npm') return name;
  const lockfiles: Array<[string, PackageManager]> = [['pnpm-lock.yaml', 'pnpm'], ['yarn.lock', 'yarn'], ['bun.lock', 'bun'], ['bun.lockb', 'bun']];
  return lockfiles.find(([file]) => existsSync(path.join(root, file)))?.[1] ?? 'npm';
}

function readJsonc(file: string): unknown {
  const errors: ParseError[] = [];
  const value: unknown = parse(readFileSync(file, 'utf8'), errors, { allowTrailingComma: true });
  if (errors.length > 0 || typeof value !== 'object' || value === null) {
    throw new ConfigError(`${file} is not valid JSON (error at offset ${errors[0]?.offset ?? 0}), so cctrial init cannot edit it safely. Fix the file, or add the entry by hand.`);
  }
  return value;
}

/**
 * Adds one property in place: the rest of the file (comments, order, indentation, line endings) stays
 * as it was. modify() formats the whole object it edits when given formatting options, so the edit is
 * made raw and only the inserted text is formatted.
 */
function addProperty(file: string, jsonPath: string[], value: unknown): void {
  const text = readFileSync(file, 'utf8');
  const options = formattingOf(text);
  const edits = modify(text, jsonPath, value, {}).flatMap((edit) => keepLineComment(text, edit, options.eol!));
  const edited = applyEdits(text, edits);
  // Where each insertion lies in the edited text: after the ones before it.
  let shift = 0;
  const inserted = [...edits]
    .sort((a, b) => a.offset - b.offset)
    .map((edit) => {
      const range = { offset: edit.offset + shift, length: edit.content.length };
      shift += edit.content.length - edit.length;
      return range;
    });
  const formatted = inserted.flatMap((range) => format(edited, range, options));
  writeFileSync(file, applyEdits(edited, formatted));
}

/**
 * An insertion after `"build": {…}` lands before a comment that ends that line (`// keep me`), which
 * would then follow the new property: the comma stays, the property goes after the comment.
 */
function keepLineComment(text: string, edit: Edit, eol: string): Edit[] {
  const comment = /^[ \t]*\/\/[^\r\n]*/.exec(text.slice(edit.offset));
  if (edit.length > 0 || !comment || !edit.content.startsWith(',')) return [edit];
  return [
    { offset: edit.offset, length: 0, content: ',' },
    // On a line of its own: after the comment on the same line, it would be part of the comment.
    { offset: edit.offset + comment[0].length, length: 0, content: eol + edit.content.slice(1) },
  ];
}

function formattingOf(text: string): FormattingOptions {
  const indent = /^([ \t]+)"/m.exec(text)?.[1] ?? '  ';
  return { insertSpaces: !indent.startsWith('\t'), tabSize: indent.startsWith('\t') ? 1 : indent.length, eol: text.includes('\r\n') ? '\r\n' : '\n' };
}
