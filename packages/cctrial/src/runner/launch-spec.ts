/**
 * How one test child is launched: the node binary, its flags, loader, environment and working
 * folder. Built here only, and keyed here only, so that a child booted ahead of need is used for
 * exactly the run it was booted for.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { getTsconfig } from 'get-tsconfig';
import { timeoutSetByProject, type ProjectSettings } from '../config/settings.js';
import { DEFAULT_TIMEOUT_ENV } from '../child/default-timeout.js';
import { SHARED_ENV } from '../child/shared-files.js';
import { PER_TEST_TIMEOUTS } from './run-file.js';
import { isInside } from '../workspace/paths.js';

export const CHILD_ENTRY = fileURLToPath(new URL('../child/entry.js', import.meta.url));
export const CHILD_REPORTER = new URL('../child/reporter.js', import.meta.url).href;
/**
 * Tells node:test in the child that a runner started it, as under node --test: `only` then
 * follows --test-only, and run() inside a test file does nothing. Any value but node's own
 * `child`/`child-v8` keeps our reporter.
 */
export const CHILD_TEST_CONTEXT = 'cctrial';

const TYPESCRIPT_FILE = /\.[cm]?ts$/;
/** Loaders that compile TypeScript: with one of these the project needs no other. */
const TYPESCRIPT_LOADER = /(?:^|[=/@])(?:tsx|ts-node|swc-node|@swc\/register|esbuild-register|esbuild-kit|babel-register|@babel\/register)(?:[/@]|$)/;
const LOADER_FLAG = /^--(?:import|require|loader|experimental-loader)=/;

export interface LaunchSpec {
  node: string;
  /** Everything before the test file: flags, then the child entry. */
  args: string[];
  env: NodeJS.ProcessEnv;
  cwd: string;
  /** Equal keys mean interchangeable children. */
  key: string;
}

export interface LaunchContext {
  root: string;
  /** tsconfig customConditions, as --conditions. */
  conditions: string[];
  updateSnapshots: boolean;
  nativeTypeStripping: boolean;
  env: NodeJS.ProcessEnv;
}

export function hasNativeTypeStripping(): boolean {
  // process.features.typescript is 'strip' or 'transform' where Node runs .ts files as they are (22.18+, 23.6+).
  return typeof (process.features as { typescript?: unknown }).typescript === 'string';
}

/**
 * The child for one test file of a project, with `selection` flags choosing its tests. A `shared`
 * child runs several files of the project, one after another (runner/shared-batch.ts).
 */
export function launchSpec(file: string, settings: ProjectSettings, selection: string[], context: LaunchContext, shared = false): LaunchSpec {
  // A single-test selection already lies within the script's own name patterns; node ORs patterns, so drop the script's.
  const projectArgs = selection.length > 0 ? settings.nodeArgs.filter((arg) => !arg.startsWith('--test-name-pattern=')) : settings.nodeArgs;
  const args = context.conditions.map((condition) => `--conditions=${condition}`);
  // Always on: tests are identified by line and column, and a linked package's dist frames must point at its sources.
  args.push('--enable-source-maps', ...projectArgs);
  const loader = loaderFor(file, settings, projectArgs, context);
  if (loader) args.push(`--import=${loader}`);
  if (settings.timeoutMs > 0) args.push(`--test-timeout=${settings.timeoutMs}`);
  // Before Node 24 the child ignores --test-timeout; cctrial's own timeout is given to each test by the child itself.
  const childAppliesTimeout = !PER_TEST_TIMEOUTS && settings.timeoutMs > 0 && !timeoutSetByProject(settings);
  // Both follow node:test's internals from inside the child (default-timeout.ts, shared-files.ts).
  if (childAppliesTimeout || shared) args.push('--expose-internals');
  if (context.updateSnapshots) args.push('--test-update-snapshots');
  args.push(`--test-reporter=${CHILD_REPORTER}`, '--test-reporter-destination=stdout', ...selection, CHILD_ENTRY);

  const env: NodeJS.ProcessEnv = { ...context.env, ...settings.env, NODE_TEST_CONTEXT: CHILD_TEST_CONTEXT };
  if (childAppliesTimeout) env[DEFAULT_TIMEOUT_ENV] = String(settings.timeoutMs);
  if (shared) env[SHARED_ENV] = '1';
  // tsx reads its tsconfig (paths, and so Nx's aliases) when it loads, before a warm child is told its file.
  if (loader && /tsx/.test(loader) && !env.TSX_TSCONFIG_PATH) {
    const tsconfig = nearestTsconfig(settings.project.root, context.root);
    if (tsconfig) env.TSX_TSCONFIG_PATH = tsconfig;
  }
  const spec = { node: process.execPath, args, env, cwd: settings.cwd };
  return { ...spec, key: JSON.stringify([spec.node, spec.args, spec.cwd, settings.env, env.TSX_TSCONFIG_PATH ?? '', shared]) };
}

/**
 * The loader to add: the configured one, else tsx for TypeScript that Node cannot run as it is.
 * Node strips types where it can (22.18+), but not `./x.js` imports of x.ts (NodeNext style) nor
 * .tsx: a project whose script runs plain node, or whose tsconfig is written for type stripping,
 * gets Node's stripping; any other TypeScript gets tsx, on every Node version.
 */
function loaderFor(file: string, settings: ProjectSettings, projectArgs: string[], context: LaunchContext): string | undefined {
  if (settings.importModule) return resolveLoader(settings.importModule, settings.cwd);
  if (!TYPESCRIPT_FILE.test(file)) return undefined;
  if (projectArgs.some((arg) => LOADER_FLAG.test(arg) && TYPESCRIPT_LOADER.test(arg))) return undefined;
  if (context.nativeTypeStripping && (settings.launcher === 'node' || writtenForTypeStripping(settings.project.root))) return undefined;
  return resolveLoader('tsx', settings.cwd);
}

/**
 * A loader named by a project is resolved from the project, as node resolves --import from its
 * working folder; only tsx, which cctrial ships, falls back to cctrial's own copy.
 */
function resolveLoader(specifier: string, cwd: string): string {
  if (/^\.\.?[\\/]/.test(specifier)) return path.resolve(cwd, specifier);
  try {
    createRequire(path.join(cwd, 'package.json')).resolve(specifier);
    return specifier;
  } catch {
    return specifier === 'tsx' ? import.meta.resolve('tsx') : specifier;
  }
}

function writtenForTypeStripping(projectRoot: string): boolean {
  try {
    const options = getTsconfig(projectRoot)?.config.compilerOptions as Record<string, unknown> | undefined;
    return Boolean(options?.allowImportingTsExtensions || options?.rewriteRelativeImportExtensions || options?.erasableSyntaxOnly);
  } catch {
    return false;
  }
}

/** The tsconfig that governs a project: its own, or the nearest above it, or the workspace's base config. */
function nearestTsconfig(projectRoot: string, root: string): string | undefined {
  for (let dir = projectRoot; isInside(root, dir); dir = path.dirname(dir)) {
    const candidate = path.join(dir, 'tsconfig.json');
    if (existsSync(candidate)) return candidate;
    if (dir === root) break;
  }
  const base = path.join(root, 'tsconfig.base.json');
  return existsSync(base) ? base : undefined;
}
