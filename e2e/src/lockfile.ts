/**
 * A package-lock.json for a fixture that installs the packed tarballs, written from the
 * repository's own lockfile. With it, `npm install --offline` needs nothing but what `npm ci`
 * put in the npm cache: without one, npm would ask the registry for the metadata of every
 * dependency, and a fresh CI cache does not hold all of it.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { PACKED, REPO_ROOT, type PackedName } from './paths.js';

interface LockEntry {
  version?: string;
  resolved?: string;
  integrity?: string;
  link?: boolean;
  dev?: boolean;
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  [key: string]: unknown;
}

interface Lockfile {
  name: string;
  lockfileVersion: 3;
  requires: true;
  packages: Record<string, LockEntry>;
}

interface Manifest {
  name: string;
  version: string;
  dependencies?: Record<string, string>;
  [key: string]: unknown;
}

/**
 * The lockfile for a fixture whose root package.json lists `tarballs` (name -> path relative to
 * the fixture root) as devDependencies. `rootManifest` is that package.json. A packed package's
 * dependencies are those the repository resolved for its source folder, or for the lock key
 * `dependenciesFrom` names (another Nx major's @nx/devkit, say).
 */
export function fixtureLockfile(
  fixtureRoot: string,
  rootManifest: Record<string, unknown>,
  tarballs: Record<PackedName, string>,
  dependenciesFrom: Partial<Record<PackedName, string>> = {},
): Lockfile {
  const repoLock = JSON.parse(readFileSync(path.join(REPO_ROOT, 'package-lock.json'), 'utf8')) as Lockfile;
  const packages: Record<string, LockEntry> = { '': { ...rootManifest } as LockEntry };
  const registry = registryFor(fixtureRoot);
  const packedNames = new Set(Object.keys(PACKED));
  for (const [name, folder] of Object.entries(PACKED) as Array<[PackedName, string]>) {
    const manifest = JSON.parse(readFileSync(path.join(REPO_ROOT, folder, 'package.json'), 'utf8')) as Manifest;
    const tarball = path.resolve(fixtureRoot, tarballs[name]);
    packages[`node_modules/${name}`] = {
      version: manifest.version,
      resolved: `file:${tarballs[name]}`,
      integrity: `sha512-${createHash('sha512').update(readFileSync(tarball)).digest('base64')}`,
      dev: true,
      ...(manifest.dependencies ? { dependencies: manifest.dependencies } : {}),
      ...(manifest.bin ? { bin: manifest.bin } : {}),
    };
    // The package's third-party dependencies, from where the repository resolved them.
    const deps = Object.keys(manifest.dependencies ?? {}).filter((dep) => !packedNames.has(dep));
    const from = dependenciesFrom[name] ?? folder;
    for (const [key, entry] of dependencyClosure(repoLock, from, deps)) {
      const fixtureKey = key.startsWith(`${from}/`) ? `node_modules/${name}/${key.slice(from.length + 1)}` : key;
      const { devOptional: _devOptional, peer: _peer, ...rest } = entry;
      packages[fixtureKey] = { ...rest, resolved: entry.resolved ?? tarballUrl(registry, packageName(key), entry), dev: true };
    }
  }
  return { name: String(rootManifest.name), lockfileVersion: 3, requires: true, packages };
}

/**
 * The registry's tarball URL. This machine's npm omits `resolved` from lockfiles
 * (omit-lockfile-registry-resolved); without it npm would fetch each package's metadata to find
 * the tarball, and only the tarballs are sure to be cached.
 */
function tarballUrl(registry: string, name: string, entry: LockEntry): string {
  return `${registry}${name}/-/${name.split('/').pop()}-${entry.version}.tgz`;
}

/** The registry npm will use in the fixture (its own folder, so that any .npmrc there counts). */
function registryFor(fixtureRoot: string): string {
  return execFileSync('npm', ['config', 'get', 'registry'], { cwd: fixtureRoot, encoding: 'utf8' }).trim().replace(/\/?$/, '/');
}

/** node_modules/a/node_modules/@s/b -> @s/b */
function packageName(key: string): string {
  return key.slice(key.lastIndexOf('node_modules/') + 'node_modules/'.length);
}

/** Every lock entry reachable from `names`, required from the package at `fromKey`, by Node's resolution. */
function dependencyClosure(lock: Lockfile, fromKey: string, names: string[]): Map<string, LockEntry> {
  const found = new Map<string, LockEntry>();
  const queue: Array<{ from: string; name: string; optional: boolean }> = names.map((name) => ({ from: fromKey, name, optional: false }));
  while (queue.length > 0) {
    const { from, name, optional } = queue.shift()!;
    const key = resolveKey(lock, from, name);
    if (!key) {
      // An optional platform package that npm did not lock (another OS's) is not needed here either.
      if (optional) continue;
      throw new Error(`The repository's package-lock.json has no ${name}, which ${from} needs. Run npm install at the repository root.`);
    }
    if (found.has(key)) continue;
    const entry = lock.packages[key]!;
    if (entry.link) throw new Error(`${name} is a workspace link in the repository's lockfile; pack it instead.`);
    found.set(key, entry);
    for (const dep of Object.keys(entry.dependencies ?? {})) queue.push({ from: key, name: dep, optional: false });
    for (const dep of Object.keys(entry.optionalDependencies ?? {})) queue.push({ from: key, name: dep, optional: true });
  }
  return found;
}

/** The lock key Node would load `name` from, required from the package at `from` ('' is the root). */
function resolveKey(lock: Lockfile, from: string, name: string): string | undefined {
  for (let base = from; ; base = parentKey(base)) {
    const key = `${base ? `${base}/` : ''}node_modules/${name}`;
    if (lock.packages[key]) return key;
    if (base === '') return undefined;
  }
}

/** node_modules/a/node_modules/@s/b -> node_modules/a; node_modules/a -> ''; packages/x -> ''. */
function parentKey(key: string): string {
  const index = key.lastIndexOf('/node_modules/');
  return index === -1 ? '' : key.slice(0, index);
}
