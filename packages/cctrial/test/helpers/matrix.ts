/**
 * The portability matrix's set-up: official Node binaries of each major (tools/node-versions.mjs), the
 * package managers installed from the npm registry into `<repo>/.cache/pm/<package>@<version>/` (git
 * ignores `.cache/`) and reused from there, and a tiny two-package workspace laid out by each package
 * manager's own install.
 *
 * The workspace: @mx/app's test imports @mx/lib through the link its package manager made
 * (research: nx-turbo.md §4): npm and yarn (node-modules linker) link every workspace package at the
 * root, pnpm and bun link it inside the dependent package. With only workspace dependencies, every
 * install runs offline.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readlinkSync, realpathSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { writeWorkspace, type FileTree } from './workspace.js';

const run = promisify(execFile);

export const REPO_ROOT = fileURLToPath(new URL('../../../../../', import.meta.url));
export const PM_CACHE_DIR = path.join(REPO_ROOT, '.cache', 'pm');
const TOOLS_NODE_VERSIONS = new URL('tools/node-versions.mjs', `file://${REPO_ROOT}`).href;
const INSTALL_TIMEOUT_MS = 5 * 60_000;
const COMMAND_TIMEOUT_MS = 2 * 60_000;

export const NODE_MAJORS = [20, 22, 24, 26] as const;
export type PackageManagerName = 'npm' | 'pnpm' | 'yarn' | 'bun';
export const PACKAGE_MANAGERS: readonly PackageManagerName[] = ['npm', 'pnpm', 'yarn', 'bun'];

/** Exact versions from the npm registry. yarn 4 (berry) is the npm package @yarnpkg/cli-dist; bun's npm package brings its binary. */
const PINNED: Record<Exclude<PackageManagerName, 'npm'>, { spec: string; version: string; bin: string }> = {
  pnpm: { spec: 'pnpm@12.21.0', version: '12.21.0', bin: 'node_modules/.bin/pnpm' },
  yarn: { spec: '@yarnpkg/cli-dist@4.18.1', version: '4.18.1', bin: 'node_modules/@yarnpkg/cli-dist/bin/yarn.js' },
  bun: { spec: 'bun@1.4.4', version: '1.4.4', bin: 'node_modules/.bin/bun' },
};

export interface PackageManager {
  name: PackageManagerName;
  version: string;
  /** Runs the package manager with `args` in `cwd`, under the Node binary `node` (first on PATH). */
  exec(args: string[], cwd: string, node: string): Promise<{ stdout: string; stderr: string }>;
}

/** The official Node binary of `major`: this process's own when it is that major, else one from tools/node-versions.mjs. */
export async function nodeOfMajor(major: number): Promise<string> {
  if (Number(process.versions.node.split('.')[0]) === major) return process.execPath;
  const { nodeBinary } = (await import(TOOLS_NODE_VERSIONS)) as { nodeBinary(major: number): Promise<string> };
  return nodeBinary(major);
}

export async function nodeVersion(node: string): Promise<string> {
  return (await run(node, ['--version'], { timeout: COMMAND_TIMEOUT_MS })).stdout.trim().replace(/^v/, '');
}

/** A package manager ready to run: npm is the one next to this Node; the others are installed into .cache/pm once. */
export async function packageManager(name: PackageManagerName): Promise<PackageManager> {
  if (name === 'npm') {
    const npm = path.join(path.dirname(process.execPath), 'npm');
    const command = existsSync(npm) ? npm : 'npm';
    const version = (await run(command, ['--version'], { timeout: COMMAND_TIMEOUT_MS })).stdout.trim();
    return { name, version, exec: (args, cwd, node) => runTool(command, args, cwd, node) };
  }
  const pinned = PINNED[name];
  const folder = await installOnce(pinned.spec, pinned.bin, pinned.version);
  const bin = path.join(folder, pinned.bin);
  // yarn.js is a script: run it with the cell's Node. pnpm and bun are native executables.
  const exec: PackageManager['exec'] = name === 'yarn' ? (args, cwd, node) => runTool(node, [bin, ...args], cwd, node) : (args, cwd, node) => runTool(bin, args, cwd, node);
  return { name, version: pinned.version, exec };
}

/**
 * Installs `spec` with npm into .cache/pm/<spec>/, atomically: into a temporary sibling first, renamed
 * into place once its binary reports the right version. Concurrent callers may both install; the
 * first rename wins.
 */
async function installOnce(spec: string, bin: string, version: string): Promise<string> {
  const target = path.join(PM_CACHE_DIR, spec.replace(/\//g, '+'));
  if (await reportsVersion(path.join(target, bin), version)) return target;
  mkdirSync(PM_CACHE_DIR, { recursive: true });
  const staging = mkdtempSync(path.join(PM_CACHE_DIR, '.installing-'));
  try {
    // A package.json of its own keeps npm from walking up into the repository's workspaces.
    writeFileSync(path.join(staging, 'package.json'), '{"private":true}\n');
    const args = ['install', '--no-save', '--no-audit', '--no-fund', '--no-package-lock', '--fetch-retry-mintimeout=2000', '--fetch-retry-maxtimeout=5000', '--prefix', staging, spec];
    try {
      await run('npm', args, { cwd: staging, timeout: INSTALL_TIMEOUT_MS, maxBuffer: 16 * 1024 * 1024 });
    } catch (error) {
      const { stderr = '', stdout = '' } = error as { stderr?: string; stdout?: string };
      throw new Error(`Could not install ${spec} from the npm registry into ${target}: npm ${args.join(' ')}\n${`${stderr}\n${stdout}`.trim().split('\n').slice(-8).join('\n')}`);
    }
    if (!(await reportsVersion(path.join(staging, bin), version))) throw new Error(`npm installed ${spec}, but ${path.join(staging, bin)} does not report ${version}.`);
    if (await reportsVersion(path.join(target, bin), version)) return target; // Another process finished first.
    rmSync(target, { recursive: true, force: true });
    try {
      renameSync(staging, target);
    } catch (error) {
      if (!['ENOTEMPTY', 'EEXIST'].includes((error as NodeJS.ErrnoException).code ?? '') || !(await reportsVersion(path.join(target, bin), version))) throw error;
    }
    return target;
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}

async function reportsVersion(bin: string, version: string): Promise<boolean> {
  if (!existsSync(bin)) return false;
  try {
    const command = bin.endsWith('.js') ? [process.execPath, bin] : [bin];
    const { stdout } = await run(command[0]!, [...command.slice(1), '--version'], { timeout: COMMAND_TIMEOUT_MS });
    return stdout.trim() === version;
  } catch {
    return false;
  }
}

/** Runs a package manager with the cell's Node first on PATH, quietly and without prompts or update checks. */
async function runTool(command: string, args: string[], cwd: string, node: string): Promise<{ stdout: string; stderr: string }> {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PATH: `${path.dirname(node)}${path.delimiter}${process.env.PATH ?? ''}`,
    NODE_TEST_CONTEXT: undefined,
    npm_config_update_notifier: 'false',
    // yarn 4 forbids creating a lockfile when CI is set; keep its global folder out of $HOME.
    YARN_ENABLE_IMMUTABLE_INSTALLS: 'false',
    YARN_ENABLE_TELEMETRY: '0',
    YARN_GLOBAL_FOLDER: path.join(cwd, '.yarn-global'),
    BUN_INSTALL_CACHE_DIR: path.join(cwd, '.bun-cache'),
  };
  try {
    return await run(command, args, { cwd, env, timeout: COMMAND_TIMEOUT_MS, maxBuffer: 16 * 1024 * 1024 });
  } catch (error) {
    const { stderr = '', stdout = '' } = error as { stderr?: string; stdout?: string };
    throw new Error(`${path.basename(command)} ${args.join(' ')} failed in ${cwd}:\n${stdout}\n${stderr}`.trim());
  }
}

export const LIB_BROKEN = "export function add(a, b) {\n  throw new TypeError('add is broken');\n}\n";
export const LIB_FIXED = 'export function add(a, b) {\n  return a + b;\n}\n';

/**
 * A two-package workspace for `pm`: @mx/lib (broken, with a test that does not call it) and @mx/app,
 * whose tests import @mx/lib and check that they run on Node `major`. The real install of `pm` links
 * them; the link is checked. Returns the workspace's real path.
 */
export async function writeMatrixWorkspace(pm: PackageManager, node: string, major: number): Promise<string> {
  // npm rejects the workspace: protocol (EUNSUPPORTEDPROTOCOL); pnpm does not link "*" to a workspace package by default.
  const dependency = pm.name === 'npm' ? '*' : 'workspace:*';
  const header = "import { test } from 'node:test';\nimport assert from 'node:assert/strict';\n";
  const files: FileTree = {
    'package.json': JSON.stringify({ name: 'mx-root', private: true, ...(pm.name === 'pnpm' ? {} : { workspaces: ['packages/*'] }) }, null, 2),
    'packages/lib/package.json': JSON.stringify({ name: '@mx/lib', version: '1.0.0', type: 'module', exports: './index.js' }, null, 2),
    'packages/lib/index.js': LIB_BROKEN,
    'packages/lib/test/lib.test.js': header + "import { add } from '../index.js';\ntest('exports add', () => assert.equal(typeof add, 'function'));\n",
    'packages/app/package.json': JSON.stringify({ name: '@mx/app', version: '1.0.0', type: 'module', dependencies: { '@mx/lib': dependency } }, null, 2),
    'packages/app/test/app.test.js':
      header +
      "import { add } from '@mx/lib';\n" +
      "test('adds through the linked lib', () => assert.equal(add(1, 2), 3));\n" +
      `test('runs on Node ${major}', () => assert.equal(process.versions.node.split('.')[0], '${major}'));\n`,
  };
  if (pm.name === 'pnpm') files['pnpm-workspace.yaml'] = "packages:\n  - 'packages/*'\n";
  if (pm.name === 'yarn') files['.yarnrc.yml'] = 'nodeLinker: node-modules\nenableTelemetry: false\nenableGlobalCache: false\n';
  const root = writeWorkspace(files, `cctrial-matrix-${major}-${pm.name}-`);

  const install: Record<PackageManagerName, string[]> = {
    npm: ['install', '--offline', '--no-audit', '--no-fund'],
    pnpm: ['install', '--offline', '--no-frozen-lockfile'],
    yarn: ['install'],
    bun: ['install'],
  };
  await pm.exec(install[pm.name], root, node);

  // The layout each package manager is known for (research: nx-turbo.md §4), made by its own install.
  const link = pm.name === 'pnpm' || pm.name === 'bun' ? 'packages/app/node_modules/@mx/lib' : 'node_modules/@mx/lib';
  const linkPath = path.join(root, link);
  if (!existsSync(linkPath) || realpathSync(linkPath) !== path.join(root, 'packages/lib')) {
    throw new Error(`${pm.name} ${pm.version} did not link ${link} to packages/lib in ${root} (${existsSync(linkPath) ? readlinkSync(linkPath) : 'missing'})`);
  }
  return root;
}
