/**
 * Real workspaces on disk for tests: write `{ path: source }` into a fresh temp folder, with real
 * workspace symlinks, and delete it afterwards unless CCTRIAL_KEEP_FIXTURES is set.
 */
import { mkdtempSync, mkdirSync, rmSync, symlinkSync, writeFileSync, realpathSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after } from 'node:test';

export type FileTree = Record<string, string>;

/** Writes the files and returns the folder's real path (tests compare paths, and /tmp may be a link). */
export function writeWorkspace(files: FileTree, prefix = 'cctrial-fixture-'): string {
  const root = realpathSync(mkdtempSync(path.join(tmpdir(), prefix)));
  for (const [relative, content] of Object.entries(files)) writeFixtureFile(root, relative, content);
  if (!process.env.CCTRIAL_KEEP_FIXTURES) after(() => rmSync(root, { recursive: true, force: true }));
  else after(() => console.error(`fixture kept: ${root}`));
  return root;
}

export function writeFixtureFile(root: string, relative: string, content: string): void {
  const file = path.join(root, relative);
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, content);
}

/** Links `node_modules/<name>` to a package folder, as npm does for workspace packages. */
export function linkPackage(root: string, fromDir: string, name: string, target: string): void {
  const link = path.join(root, fromDir, 'node_modules', name);
  mkdirSync(path.dirname(link), { recursive: true });
  symlinkSync(path.relative(path.dirname(link), path.join(root, target)), link, 'dir');
}

/** An npm-workspaces monorepo: `packages` maps a folder under packages/ to its files; every package is linked at the root. */
export function writeNpmMonorepo(packages: Record<string, { name: string; files: FileTree; dependencies?: string[] }>): string {
  const files: FileTree = {
    'package.json': JSON.stringify({ name: 'fixture-root', private: true, workspaces: ['packages/*'] }),
  };
  for (const [folder, spec] of Object.entries(packages)) {
    const dependencies = Object.fromEntries((spec.dependencies ?? []).map((dependency) => [dependency, '*']));
    files[`packages/${folder}/package.json`] = JSON.stringify({ name: spec.name, type: 'module', exports: './index.js', dependencies });
    for (const [relative, content] of Object.entries(spec.files)) files[`packages/${folder}/${relative}`] = content;
  }
  const root = writeWorkspace(files);
  for (const [folder, spec] of Object.entries(packages)) linkPackage(root, '.', spec.name, `packages/${folder}`);
  return root;
}
