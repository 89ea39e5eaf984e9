/**
 * Which tsconfig tsx should read in the test processes. tsx looks for a tsconfig.json from the
 * process's working folder upwards, once, when it loads. cctrial pre-warms its test processes
 * before it knows their project, so they may load tsx in the workspace root and miss the
 * project's tsconfig.json; and an Nx integrated repo has no root tsconfig.json at all, only a
 * tsconfig.base.json holding the `paths` its imports need. TSX_TSCONFIG_PATH names the file instead.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';

/** The environment to add for tsx: empty when the user set TSX_TSCONFIG_PATH or there is nothing to point at. */
export function tsconfigEnv(workspaceRoot: string, projectRoots: string[], env: NodeJS.ProcessEnv = process.env): Record<string, string> {
  if (env.TSX_TSCONFIG_PATH) return {};
  // One project: the file tsx would find from that project's folder.
  if (projectRoots.length === 1) {
    const own = path.join(workspaceRoot, projectRoots[0]!, 'tsconfig.json');
    if (existsSync(own)) return { TSX_TSCONFIG_PATH: own };
  }
  // Several projects, or one without its own: the root's, as tsx would find it, or else the Nx base config.
  if (existsSync(path.join(workspaceRoot, 'tsconfig.json'))) return {};
  const base = path.join(workspaceRoot, 'tsconfig.base.json');
  return existsSync(base) ? { TSX_TSCONFIG_PATH: base } : {};
}
