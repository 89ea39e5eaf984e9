/**
 * `cctrial init`: sets a Turborepo or plain workspace up so that each package can run cctrial
 * (`turbo run cctrial --filter=<pkg>`, or `npm run cctrial -w <pkg>`). Idempotent: running it
 * twice changes nothing the second time.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ConfigError } from './errors.js';
import { testedProjects } from './workspace/model.js';
import { findWorkspaceRoot } from './workspace/root.js';

/** Persistent, never cached. Not `interactive`: turbo refuses that without its terminal UI (research nx-turbo.md §5). */
export const TURBO_TASK = { cache: false, persistent: true };

export async function initWorkspace(cwd: string): Promise<string[]> {
  const workspace = findWorkspaceRoot(cwd);
  const changes: string[] = [];
  const turboFile = path.join(workspace.root, 'turbo.json');
  if (existsSync(turboFile)) {
    const turbo = readJson(turboFile) as { tasks?: Record<string, unknown> };
    if (!turbo.tasks?.cctrial) {
      turbo.tasks = { ...turbo.tasks, cctrial: TURBO_TASK };
      writeJson(turboFile, turbo);
      changes.push('turbo.json: added the task "cctrial" (cache: false, persistent: true)');
    }
  }
  // The packages with tests that cctrial runs: those on another runner get no script.
  for (const { project } of await testedProjects(workspace.root)) {
    const manifestFile = path.join(project.root, 'package.json');
    if (!existsSync(manifestFile) || project.root === workspace.root) continue;
    const manifest = readJson(manifestFile) as { scripts?: Record<string, string> };
    if (manifest.scripts?.cctrial) continue;
    manifest.scripts = { ...manifest.scripts, cctrial: 'cctrial' };
    writeJson(manifestFile, manifest);
    changes.push(`${path.relative(workspace.root, manifestFile)}: added the script "cctrial"`);
  }
  return changes;
}

export function initHint(cwd: string): string {
  const workspace = findWorkspaceRoot(cwd);
  if (workspace.hasTurbo) return 'Run it with: turbo run cctrial --filter=<package>   (add --ui=tui to use the keys)';
  if (workspace.hasNx) return 'In an Nx workspace, prefer the plugin: nx add @cctrial/nx, then nx run <project>:cctrial';
  return 'Run it with: npm run cctrial -w <package>, or cctrial <package> from the root';
}

function readJson(file: string): unknown {
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new ConfigError(`${file} is not plain JSON (${(error as Error).message}), so cctrial init cannot edit it safely. Add the entry by hand, or remove the comments first.`);
  }
}

function writeJson(file: string, value: unknown): void {
  const indent = /^(\s+)"/m.exec(readFileSync(file, 'utf8'))?.[1] ?? '  ';
  writeFileSync(file, JSON.stringify(value, null, indent) + '\n');
}
