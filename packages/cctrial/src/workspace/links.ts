/**
 * The folders to watch: the Node equivalent of `pip install -e`. A project depends on the real
 * folders of the workspace packages it links to, transitively, found three ways: dependency names
 * that are workspace packages (any package manager, yarn PnP included), symlinks in node_modules
 * (npm link, file: and link: dependencies, pnpm and bun per-package links), and tsconfig `paths`
 * (Nx integrated repos have no symlinks).
 */
import { existsSync, lstatSync, realpathSync } from 'node:fs';
import path from 'node:path';
import { getTsconfig } from 'get-tsconfig';
import type { Project } from './projects.js';
import { isInside } from './paths.js';
import { readPackageJson, type PackageJson } from './root.js';

const DEPENDENCY_FIELDS = ['dependencies', 'devDependencies', 'optionalDependencies', 'peerDependencies'] as const;
const NODE_MODULES = `${path.sep}node_modules${path.sep}`;

/** Every folder the selected projects' tests can load code from, nested folders removed. */
export function watchRoots(selected: Project[], all: Project[], root: string, extra: string[] = []): string[] {
  const byName = new Map(all.map((project) => [project.name, project.root]));
  const folders = new Set<string>();
  const queue = selected.map((project) => project.root);
  while (queue.length > 0) {
    const dir = queue.shift()!;
    if (folders.has(dir)) continue;
    folders.add(dir);
    const manifest = readPackageJson(dir);
    for (const name of dependencyNames(manifest)) {
      const linked = byName.get(name) ?? linkedFolder(dir, name, root);
      if (linked) queue.push(linked);
    }
    for (const output of buildOutputs(dir, manifest)) folders.add(output);
  }
  for (const target of tsconfigPathTargets(root)) folders.add(target);
  for (const folder of extra) folders.add(folder);
  return removeNested([...folders]);
}

function dependencyNames(manifest: PackageJson | undefined): string[] {
  if (!manifest) return [];
  return [...new Set(DEPENDENCY_FIELDS.flatMap((field) => Object.keys(manifest[field] ?? {})))];
}

/** A dependency installed as a symlink to a folder outside any node_modules is linked source. */
function linkedFolder(fromDir: string, name: string, root: string): string | undefined {
  for (let dir = fromDir; ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, 'node_modules', name);
    if (existsSync(candidate)) {
      if (!lstatSync(candidate).isSymbolicLink()) return undefined;
      const real = realpathSync(candidate);
      return real.includes(NODE_MODULES) ? undefined : real;
    }
    if (dir === root || dir === path.dirname(dir)) return undefined;
  }
}

/**
 * The built files a package's `main`/`exports` point to: tests that import a linked package load
 * those, so a rebuild there must trigger a run even though dist folders are usually not source.
 */
function buildOutputs(dir: string, manifest: PackageJson | undefined): string[] {
  if (!manifest) return [];
  const entries = [manifest.main, ...exportTargets(manifest.exports)].filter((entry): entry is string => typeof entry === 'string');
  const folders = new Set<string>();
  for (const entry of entries) {
    const first = path.normalize(entry).split(path.sep).find((part) => part !== '.' && part !== '');
    if (first && first !== path.basename(entry)) folders.add(path.join(dir, first));
  }
  return [...folders].filter((folder) => existsSync(folder));
}

function exportTargets(exports: unknown): unknown[] {
  if (typeof exports === 'string') return [exports];
  if (exports && typeof exports === 'object') return Object.values(exports).flatMap(exportTargets);
  return [];
}

/** Folders that tsconfig `paths` map imports to, from the root's base tsconfig. */
function tsconfigPathTargets(root: string): string[] {
  const options = rootCompilerOptions(root);
  const baseUrl = path.resolve(root, options?.baseUrl ?? '.');
  const folders: string[] = [];
  for (const targets of Object.values(options?.paths ?? {})) {
    for (const target of targets) {
      const resolved = path.resolve(baseUrl, target.replace(/\*.*$/, ''));
      // A path to a file (libs/a/src/index.ts) watches its library folder, not just the file.
      const folder = path.extname(resolved) ? path.dirname(resolved) : resolved;
      if (existsSync(folder)) folders.push(libraryRoot(folder, root));
    }
  }
  return folders;
}

/**
 * tsconfig `customConditions` (Nx "TS solution" repos point a custom export condition at src/):
 * without the same conditions, Node would load the packages' built files instead of the sources.
 */
export function customConditions(root: string): string[] {
  const conditions = rootCompilerOptions(root)?.customConditions;
  return Array.isArray(conditions) ? conditions.filter((condition): condition is string => typeof condition === 'string') : [];
}

interface CompilerOptions {
  baseUrl?: string;
  paths?: Record<string, string[]>;
  customConditions?: unknown;
}

function rootCompilerOptions(root: string): CompilerOptions | undefined {
  for (const name of ['tsconfig.base.json', 'tsconfig.json']) {
    if (!existsSync(path.join(root, name))) continue;
    try {
      // get-tsconfig follows `extends` and reads tsconfig's JSON with comments.
      return getTsconfig(root, name)?.config.compilerOptions as CompilerOptions | undefined;
    } catch {
      return undefined;
    }
  }
  return undefined;
}

/** The nearest folder above `folder` that is a project (has a package.json or project.json). */
function libraryRoot(folder: string, root: string): string {
  for (let dir = folder; isInside(root, dir) && dir !== root; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, 'package.json')) || existsSync(path.join(dir, 'project.json'))) return dir;
  }
  return folder;
}

function removeNested(folders: string[]): string[] {
  const sorted = [...new Set(folders)].sort();
  return sorted.filter((folder) => !sorted.some((other) => other !== folder && isInside(other, folder)));
}
