/**
 * cctrial's configuration, for what test scripts cannot say: a `cctrial` key in the root's or a
 * package's package.json, or a `cctrial.config.{json,mjs,js}` at the workspace root. Read and
 * validated once; every message names the file and the key.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { ConfigError } from '../errors.js';

/** Settings of one project, or defaults for all of them. */
export interface ProjectConfig {
  /** Globs of test files, relative to the project folder; they replace the script's and node's. */
  include?: string[];
  /** Globs of files never to run, relative to the project folder. */
  exclude?: string[];
  /** Extra node flags, after the script's. */
  nodeArgs?: string[];
  env?: Record<string, string>;
  /** Files of VAR=value lines, relative to the project folder: node --env-file. */
  envFile?: string[];
  /** A loader module to --import, resolved from the project folder. */
  import?: string;
  /** Per-test timeout in milliseconds; 0 for none. */
  timeout?: number;
  /** `none`: suite runs share a process among several test files, as node --test-isolation=none does. */
  isolation?: 'process' | 'none';
  /** Run the project with node:test even though its test script uses another runner. */
  runner?: 'node';
  /** Leave the project out. */
  skip?: boolean;
}

export interface WorkspaceConfig {
  /** Where each part came from, for messages and --print-config. */
  source?: string;
  defaults: ProjectConfig;
  /** By project name. */
  projects: Record<string, ProjectConfig & { source: string }>;
  excludeProjects: string[];
  /** Globs of files whose changes never start a run, relative to the root, as .gitignore writes them. */
  ignore: string[];
}

export const CONFIG_FILES = ['cctrial.config.json', 'cctrial.config.mjs', 'cctrial.config.js'];
const PROJECT_KEYS = ['include', 'exclude', 'nodeArgs', 'env', 'envFile', 'import', 'timeout', 'isolation', 'runner', 'skip'] as const;
const ROOT_KEYS = [...PROJECT_KEYS, 'projects', 'excludeProjects', 'ignore'] as const;

/** The root's config file, or else its package.json `cctrial` key; empty when there is neither. */
export async function loadWorkspaceConfig(root: string): Promise<WorkspaceConfig> {
  const empty: WorkspaceConfig = { defaults: {}, projects: {}, excludeProjects: [], ignore: [] };
  const file = CONFIG_FILES.map((name) => path.join(root, name)).find((candidate) => existsSync(candidate));
  if (file) return parseRootConfig(await readConfigFile(file), path.basename(file));
  const fromManifest = manifestKey(root);
  return fromManifest === undefined ? empty : parseRootConfig(fromManifest, 'package.json "cctrial"');
}

/** A package's own `cctrial` key in its package.json. */
export function readProjectConfig(projectRoot: string, label: string): ProjectConfig | undefined {
  const value = manifestKey(projectRoot);
  return value === undefined ? undefined : parseProjectConfig(value, `${label}/package.json "cctrial"`, PROJECT_KEYS);
}

async function readConfigFile(file: string): Promise<unknown> {
  try {
    if (file.endsWith('.json')) return JSON.parse(readFileSync(file, 'utf8'));
    const loaded = (await import(pathToFileURL(file).href)) as { default?: unknown };
    return loaded.default;
  } catch (error) {
    throw new ConfigError(`${file} could not be read: ${(error as Error).message}. Fix the file, or remove it to use the test scripts alone.`);
  }
}

function manifestKey(dir: string): unknown {
  const file = path.join(dir, 'package.json');
  if (!existsSync(file)) return undefined;
  try {
    return (JSON.parse(readFileSync(file, 'utf8')) as { cctrial?: unknown }).cctrial;
  } catch {
    return undefined; // The workspace module reports a broken package.json with its own message.
  }
}

function parseRootConfig(value: unknown, source: string): WorkspaceConfig {
  const config = expectObject(value, source);
  const defaults = parseProjectConfig(config, source, ROOT_KEYS);
  delete (defaults as Record<string, unknown>).projects;
  delete (defaults as Record<string, unknown>).excludeProjects;
  delete (defaults as Record<string, unknown>).ignore;
  const projects: WorkspaceConfig['projects'] = {};
  for (const [name, project] of Object.entries(expectObject(config.projects ?? {}, `${source} projects`))) {
    projects[name] = { ...parseProjectConfig(project, `${source} projects["${name}"]`, PROJECT_KEYS), source: `${source} projects["${name}"]` };
  }
  return {
    source,
    defaults,
    projects,
    excludeProjects: stringList(config.excludeProjects, `${source} excludeProjects`) ?? [],
    ignore: stringList(config.ignore, `${source} ignore`) ?? [],
  };
}

function parseProjectConfig(value: unknown, source: string, allowed: readonly string[]): ProjectConfig {
  const config = expectObject(value, source);
  const unknown = Object.keys(config).filter((key) => !allowed.includes(key));
  if (unknown.length > 0) {
    throw new ConfigError(`${source} has the unknown key${unknown.length > 1 ? 's' : ''} ${unknown.map((key) => `"${key}"`).join(', ')}. The keys are: ${allowed.join(', ')}.`);
  }
  const result: ProjectConfig = {};
  const include = stringList(config.include, `${source} include`);
  if (include) result.include = include;
  const exclude = stringList(config.exclude, `${source} exclude`);
  if (exclude) result.exclude = exclude;
  const nodeArgs = stringList(config.nodeArgs, `${source} nodeArgs`);
  if (nodeArgs) result.nodeArgs = nodeArgs;
  const envFile = typeof config.envFile === 'string' ? [config.envFile] : stringList(config.envFile, `${source} envFile`);
  if (envFile) result.envFile = envFile;
  if (config.env !== undefined) {
    const env = expectObject(config.env, `${source} env`);
    for (const [key, entry] of Object.entries(env)) {
      if (typeof entry !== 'string') throw new ConfigError(`${source} env.${key} must be a string, but is ${JSON.stringify(entry)}.`);
    }
    result.env = env as Record<string, string>;
  }
  if (config.import !== undefined) {
    if (typeof config.import !== 'string' || config.import === '') throw new ConfigError(`${source} import must be a module name or path, such as "tsx".`);
    result.import = config.import;
  }
  if (config.timeout !== undefined) {
    if (!Number.isInteger(config.timeout) || (config.timeout as number) < 0) throw new ConfigError(`${source} timeout must be a whole number of milliseconds (0 for none), but is ${JSON.stringify(config.timeout)}.`);
    result.timeout = config.timeout as number;
  }
  if (config.isolation !== undefined) {
    if (config.isolation !== 'process' && config.isolation !== 'none') {
      throw new ConfigError(`${source} isolation must be "process" (a process per test file, node --test's default) or "none" (suite runs share processes), but is ${JSON.stringify(config.isolation)}.`);
    }
    result.isolation = config.isolation;
  }
  if (config.runner !== undefined) {
    if (config.runner !== 'node') throw new ConfigError(`${source} runner can only be "node" (run this project with node:test whatever its test script says), but is ${JSON.stringify(config.runner)}.`);
    result.runner = 'node';
  }
  if (config.skip !== undefined) {
    if (typeof config.skip !== 'boolean') throw new ConfigError(`${source} skip must be true or false.`);
    result.skip = config.skip;
  }
  return result;
}

function expectObject(value: unknown, source: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ConfigError(`${source} must be an object, such as { "include": ["test/**/*.test.js"] }, but is ${JSON.stringify(value)}.`);
  }
  return value as Record<string, unknown>;
}

function stringList(value: unknown, source: string): string[] | undefined {
  if (value === undefined) return undefined;
  if (!Array.isArray(value) || !value.every((entry) => typeof entry === 'string')) {
    throw new ConfigError(`${source} must be a list of strings, but is ${JSON.stringify(value)}.`);
  }
  return value;
}
