/**
 * Which project roots have tests cctrial runs, cached in Nx's workspace data folder the way Nx's
 * own plugins cache their inference: under a hash of the workspace's files, which Nx's file index
 * computes without reading them again. Finding the tests walks every project, so a graph
 * computation with no file changed (every `nx run` without the daemon) reads one small file instead.
 * The file holds one entry, the latest, so it never grows.
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { hashArray, logger, type CreateNodesContext } from '@nx/devkit';
// Nx 22 to 24 have both modules at these paths; @nx/devkit's own helper for this hash moved from a
// deep path (22) to `@nx/devkit/internal` (23+), so it cannot be imported the same way on every major.
import { hashWithWorkspaceContext } from 'nx/src/devkit-internals';
import { workspaceDataDirectoryForWorkspace } from 'nx/src/utils/cache-directory';
import { PACKAGE_VERSION } from '../version';

export const CACHE_FILE_NAME = 'cctrial-tested-projects.json';

interface CacheEntry {
  hash: string;
  roots: string[];
  /** Whether the lockfile lists cctrial, so that Nx can hash its version as an external dependency. */
  cctrialLocked: boolean;
}

export interface TestedProjects {
  /** Workspace-relative posix roots of the projects with tests. */
  roots: string[];
  cctrialLocked: boolean;
}

/** The projects with tests, and what the lockfile says. A workspace cctrial cannot read gets no targets, and a warning. */
export async function testedProjects(context: CreateNodesContext): Promise<TestedProjects> {
  // cctrial is ESM; this plugin is loaded by Nx as CommonJS.
  const cctrial = await import('cctrial');
  const hash = hashArray([
    await hashWithWorkspaceContext(context.workspaceRoot, ['**/*']),
    cctrial.version,
    PACKAGE_VERSION,
    // Discovery differs between Node versions (Node 20 reads a quoted glob as a file name).
    process.version,
  ]);
  const file = path.join(workspaceDataDirectoryForWorkspace(context.workspaceRoot), CACHE_FILE_NAME);
  const cached = readEntry(file);
  if (cached?.hash === hash) return cached;
  let roots: string[];
  try {
    const tested = await cctrial.testedProjects(context.workspaceRoot);
    roots = tested.map(({ project }) => path.relative(context.workspaceRoot, project.root).split(path.sep).join('/') || '.');
  } catch (error) {
    // Not cached: the next computation tries again, and warns again until the cause is fixed.
    logger.warn(`@cctrial/nx: no cctrial targets were inferred, because ${(error as Error).message}`);
    return { roots: [], cctrialLocked: false };
  }
  const entry = { hash, roots, cctrialLocked: lockfileLists(context.workspaceRoot, 'cctrial') };
  writeEntry(file, entry);
  return entry;
}

/**
 * Whether the workspace's lockfile holds the package: Nx knows an external dependency only from
 * there, and fails the whole run on one it cannot find (cctrial linked from a folder, say).
 */
function lockfileLists(root: string, name: string): boolean {
  const patterns: Array<[file: string, pattern: RegExp]> = [
    ['package-lock.json', new RegExp(`"node_modules/${name}"`)],
    ['pnpm-lock.yaml', new RegExp(`^\\s+/?'?${name}@\\d`, 'm')],
    ['yarn.lock', new RegExp(`^"?${name}@`, 'm')],
    ['bun.lock', new RegExp(`"${name}": \\["${name}@\\d`)],
  ];
  for (const [lockfile, pattern] of patterns) {
    try {
      if (pattern.test(readFileSync(path.join(root, lockfile), 'utf8'))) return true;
    } catch {
      // No such lockfile.
    }
  }
  return false;
}

function readEntry(file: string): CacheEntry | undefined {
  try {
    const entry = JSON.parse(readFileSync(file, 'utf8')) as Partial<CacheEntry>;
    return typeof entry.hash === 'string' && Array.isArray(entry.roots) && typeof entry.cctrialLocked === 'boolean' ? (entry as CacheEntry) : undefined;
  } catch {
    return undefined;
  }
}

/** Written whole and renamed into place, so that a reader in another Nx process never sees half a file. */
function writeEntry(file: string, entry: CacheEntry): void {
  try {
    mkdirSync(path.dirname(file), { recursive: true });
    const partial = `${file}.${process.pid}.tmp`;
    writeFileSync(partial, JSON.stringify(entry));
    renameSync(partial, file);
  } catch {
    // A read-only workspace still gets its targets; only the next computation is slower.
  }
}
