/** Finding the monorepo root, and which tool describes its projects. */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { ConfigError } from '../errors.js';

export type WorkspaceKind = 'npm' | 'pnpm' | 'nx' | 'single';

export interface WorkspaceRoot {
  root: string;
  kind: WorkspaceKind;
  /** Globs of project folders, relative to the root, from package.json `workspaces` or pnpm-workspace.yaml. */
  projectGlobs: string[];
  hasNx: boolean;
  hasTurbo: boolean;
}

/** Walks up from `start` to the nearest folder that declares a workspace; a lone package is a workspace of one. */
export function findWorkspaceRoot(start: string): WorkspaceRoot {
  let nearestPackage: string | undefined;
  for (let dir = path.resolve(start); ; dir = path.dirname(dir)) {
    const manifest = readPackageJson(dir);
    if (manifest && !nearestPackage) nearestPackage = dir;
    const hasNx = existsSync(path.join(dir, 'nx.json'));
    const hasTurbo = existsSync(path.join(dir, 'turbo.json')) || existsSync(path.join(dir, 'turbo.jsonc'));
    const pnpmFile = path.join(dir, 'pnpm-workspace.yaml');
    if (existsSync(pnpmFile)) {
      return { root: dir, kind: 'pnpm', projectGlobs: pnpmGlobs(pnpmFile), hasNx, hasTurbo };
    }
    const workspaces = manifest?.workspaces;
    if (workspaces) {
      const globs = Array.isArray(workspaces) ? workspaces : workspaces.packages;
      return { root: dir, kind: 'npm', projectGlobs: Array.isArray(globs) ? globs.map(String) : [], hasNx, hasTurbo };
    }
    if (hasNx) return { root: dir, kind: 'nx', projectGlobs: [], hasNx, hasTurbo };
    if (dir === path.dirname(dir)) break;
  }
  return { root: nearestPackage ?? path.resolve(start), kind: 'single', projectGlobs: [], hasNx: false, hasTurbo: false };
}

export interface PackageJson {
  name?: string;
  workspaces?: string[] | { packages?: string[] };
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  [key: string]: unknown;
}

export function readPackageJson(dir: string): PackageJson | undefined {
  const file = path.join(dir, 'package.json');
  if (!existsSync(file)) return undefined;
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as PackageJson;
  } catch (error) {
    throw new ConfigError(`${file} is not valid JSON (${(error as Error).message}). Fix the file and run cctrial again.`);
  }
}

function pnpmGlobs(file: string): string[] {
  try {
    // Loaded only for pnpm workspaces: the YAML parser is a tenth of cctrial's start-up otherwise.
    const { parse } = createRequire(import.meta.url)('yaml') as typeof import('yaml');
    const config = parse(readFileSync(file, 'utf8')) as { packages?: unknown } | null;
    return Array.isArray(config?.packages) ? config.packages.map(String) : [];
  } catch (error) {
    throw new ConfigError(`${file} is not valid YAML (${(error as Error).message}). Fix the file and run cctrial again.`);
  }
}

/**
 * A workspace whose dependencies were never installed fails every import of a package with
 * ERR_MODULE_NOT_FOUND. Say why once, up front, instead of leaving the user to infer it.
 */
export function missingInstallWarning(workspace: WorkspaceRoot, projectRoots: string[]): string | undefined {
  const declaresDependencies = [workspace.root, ...projectRoots].some((dir) => {
    const manifest = readPackageJson(dir);
    return Object.keys({ ...manifest?.dependencies, ...manifest?.devDependencies }).length > 0;
  });
  if (!declaresDependencies || existsSync(path.join(workspace.root, 'node_modules')) || existsSync(path.join(workspace.root, '.pnp.cjs'))) return undefined;
  const command = workspace.kind === 'pnpm' ? 'pnpm install' : 'npm install (or yarn, bun install)';
  return `${workspace.root} has no node_modules: its dependencies are not installed, so tests that import a package will fail with ERR_MODULE_NOT_FOUND. Run ${command} there, then save any file.`;
}
