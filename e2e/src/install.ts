/**
 * Installing the packed cctrial and @cctrial/nx into fixtures, the way a user would, offline.
 * nx itself is not installed again: the fixture's node_modules/nx links to one of the repository's
 * copies (the nx binary insists on a local nx, and the plugin's @nx/devkit must load the same nx that
 * runs), and the plugin gets the @nx/devkit that goes with that Nx.
 */
import { existsSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { json } from './fixture.js';
import { fixtureLockfile } from './lockfile.js';
import { BIN, NX, REPO_MODULES, TARBALL_DIR, type NxInstall, type PackedName } from './paths.js';
import { run } from './run.js';

/** The packed tarballs, by package name (e2e/.cache/tarballs/index.json, written by dist/src/pack.js). */
export function tarballs(): Record<PackedName, string> {
  const index = path.join(TARBALL_DIR, 'index.json');
  if (!existsSync(index)) throw new Error(`${index} is missing: run "node dist/src/pack.js" in e2e/ first (npm test there does).`);
  return JSON.parse(readFileSync(index, 'utf8')) as Record<PackedName, string>;
}

/**
 * `npm install` in `root`, with the tarballs added to the root package.json's devDependencies.
 * --offline: everything comes from the npm cache, through a lockfile written from the repository's.
 * --legacy-peer-deps: nx, the peer, is the repository's; --ignore-scripts: the prebuilt binaries suffice.
 */
export async function npmInstallPacked(root: string, nx: NxInstall = NX.latest): Promise<void> {
  const manifestFile = path.join(root, 'package.json');
  const manifest = JSON.parse(readFileSync(manifestFile, 'utf8')) as Record<string, unknown>;
  const specs = Object.fromEntries(Object.entries(tarballs()).map(([name, file]) => [name, `file:${path.relative(root, file)}`])) as Record<PackedName, string>;
  manifest.devDependencies = { ...(manifest.devDependencies as object | undefined), ...specs };
  writeFileSync(manifestFile, json(manifest));
  const relativeTarballs = Object.fromEntries(Object.entries(specs).map(([name, spec]) => [name, spec.slice('file:'.length)])) as Record<PackedName, string>;
  writeFileSync(path.join(root, 'package-lock.json'), json(fixtureLockfile(root, manifest, relativeTarballs, { '@cctrial/nx': nx.dependenciesFrom })));
  const result = await run('npm', ['install', '--offline', '--no-audit', '--no-fund', '--legacy-peer-deps', '--ignore-scripts'], root);
  if (result.code !== 0) throw new Error(`npm install failed in ${root}:\n${result.stdout}\n${result.stderr}`);
  symlinkSync(nx.folder, path.join(root, 'node_modules/nx'), 'dir');
}

/**
 * A pnpm workspace: the tarballs are npm-installed into a tools folder next to it, and the
 * fixture's root package.json links them (`link:`), with nx and turbo, so that
 * `pnpm install --offline` has nothing to fetch.
 */
export async function pnpmInstallPacked(root: string, toolsRoot: string): Promise<void> {
  await npmInstallPacked(toolsRoot);
  const manifestFile = path.join(root, 'package.json');
  const manifest = JSON.parse(readFileSync(manifestFile, 'utf8')) as Record<string, unknown>;
  const link = (folder: string) => `link:${path.relative(root, folder)}`;
  manifest.devDependencies = {
    ...(manifest.devDependencies as object | undefined),
    cctrial: link(path.join(toolsRoot, 'node_modules/cctrial')),
    '@cctrial/nx': link(path.join(toolsRoot, 'node_modules/@cctrial/nx')),
    nx: link(path.join(REPO_MODULES, 'nx')),
    turbo: link(path.join(REPO_MODULES, 'turbo')),
  };
  writeFileSync(manifestFile, json(manifest));
  const result = await run(BIN.pnpm, ['install', '--offline', '--no-frozen-lockfile'], root);
  if (result.code !== 0) throw new Error(`pnpm install failed in ${root}:\n${result.stdout}\n${result.stderr}`);
}

/** The version of pnpm the repository has, for the fixture's packageManager field (turbo requires one). */
export function pnpmVersion(): string {
  return (JSON.parse(readFileSync(path.join(REPO_MODULES, 'pnpm/package.json'), 'utf8')) as { version: string }).version;
}
