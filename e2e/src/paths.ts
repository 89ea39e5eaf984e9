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

/** An Nx to drive a fixture with: its binary, its folder, and where its @nx/devkit sits in the repository's lockfile. */
export interface NxInstall {
  bin: string;
  folder: string;
  /** The lock key from which @cctrial/nx's dependencies (its @nx/devkit) are resolved for the fixture. */
  dependenciesFrom: string;
}

/** The two Nx majors the plugin is tested with: the root's devDependency, and e2e's own (package.json). */
export const NX: Record<'latest' | 'oldest', NxInstall> = {
  latest: { bin: BIN.nx, folder: path.join(REPO_MODULES, 'nx'), dependenciesFrom: PACKED['@cctrial/nx'] },
  oldest: { bin: path.join(REPO_ROOT, 'e2e/node_modules/.bin/nx'), folder: path.join(REPO_ROOT, 'e2e/node_modules/nx'), dependenciesFrom: 'e2e' },
};
