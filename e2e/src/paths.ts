/** Where things are: the repository, its own nx/turbo/pnpm, and the packed tarballs. */
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** e2e/dist/src/paths.js -> the repository root. */
export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
export const REPO_MODULES = path.join(REPO_ROOT, 'node_modules');
export const TARBALL_DIR = path.join(REPO_ROOT, 'e2e/.cache/tarballs');

/** The packages under test, by npm name: their source folder in this repository. */
export const PACKED = { cctrial: 'packages/cctrial', '@cctrial/nx': 'packages/nx' } as const;
export type PackedName = keyof typeof PACKED;

/** The repository's own copies of the tools the fixtures are driven with (root devDependencies). */
export const BIN = {
  nx: path.join(REPO_MODULES, '.bin/nx'),
  turbo: path.join(REPO_MODULES, '.bin/turbo'),
  pnpm: path.join(REPO_MODULES, '.bin/pnpm'),
} as const;
