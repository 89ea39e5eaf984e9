/**
 * What cctrial runs for each project, and where each value came from. Precedence, highest first:
 * the command line, the configuration (a package's own `cctrial` key, then the root config's
 * `projects` entry, then its defaults), the project's `test` script (or, for a package without one,
 * the root's script when it runs node --test), then node --test's own defaults.
 */
import path from 'node:path';
import type { Project } from '../workspace/projects.js';
import { readPackageJson } from '../workspace/root.js';
import { readProjectConfig, type ProjectConfig, type WorkspaceConfig } from './file.js';
import { readProjectTestCommand, type NodeTestCommand, type ProjectTestCommand, type ScriptGlob, type Scripts } from './test-script.js';

export const DEFAULT_TIMEOUT_MS = 30_000;
const GLOBAL_SETUP_EXISTS = Number(process.versions.node.split('.')[0]) >= 24;
const DEFAULT_TIMEOUT_ORIGIN = `cctrial default (${DEFAULT_TIMEOUT_MS} ms)`;
const CLI_TIMEOUT_ORIGIN = 'command line --timeout';

export interface CliSettings {
  nodeArgs: string[];
  excludeProjects: string[];
  timeoutMs?: number;
  importModule?: string;
  isolation?: Isolation;
}

/** node --test's --test-isolation: a process per test file (its default), or several files per process. */
export type Isolation = 'process' | 'none';

export interface ProjectSettings {
  project: Project;
  /** Why the project is left out of the run; undefined when it runs. */
  excluded?: string;
  /** The folder the tests run in, as npm and pnpm run a package's scripts. */
  cwd: string;
  /** Test file globs relative to `cwd`; empty means node --test's default patterns. */
  include: ScriptGlob[];
  /** Globs relative to the project folder. */
  exclude: string[];
  /** Node and node:test flags, in order: the script's, then the configuration's, then the command line's. */
  nodeArgs: string[];
  env: Record<string, string>;
  /** A loader to --import, besides any the node flags name. */
  importModule?: string;
  timeoutMs: number;
  /** `none`: a suite run shares one process among several of the project's files (see runner/shared-batch.ts). */
  isolation: Isolation;
  /** A --test-global-setup module, absolute: run by cctrial itself around the session (Node 24+). */
  globalSetup?: string;
  /** What the test script runs node's test runner with, when it does. */
  launcher?: 'node' | 'tsx';
  /** The script's flags that cctrial does not pass on, because they only shape output. */
  droppedArgs: string[];
  /** Setting name → where its value came from. */
  origins: Record<'runner' | 'cwd' | 'include' | 'exclude' | 'nodeArgs' | 'env' | 'import' | 'timeout' | 'isolation', string>;
}

export function resolveSettings(projects: Project[], root: string, config: WorkspaceConfig, cli: CliSettings): ProjectSettings[] {
  const rootManifest = readPackageJson(root);
  const rootReading = readProjectTestCommand(root, rootManifest?.scripts as Scripts | undefined);
  return projects.map((project) => resolveProject(project, root, rootReading, config, cli));
}

function resolveProject(project: Project, root: string, rootReading: ProjectTestCommand, config: WorkspaceConfig, cli: CliSettings): ProjectSettings {
  const label = path.relative(root, project.root).split(path.sep).join('/') || '.';
  const manifestFile = `${label === '.' ? '' : `${label}/`}package.json`;
  const own: ProjectTestCommand = project.root === root ? rootReading : readProjectTestCommand(project.root, readPackageJson(project.root)?.scripts as Scripts | undefined);
  const inheritsRoot = own.kind === 'none' && rootReading.kind === 'node-test' && project.root !== root;
  const reading = inheritsRoot ? rootReading : own;
  const where = (from: string | undefined, dir: string) => (from ? `${dir}${from}` : undefined);
  const scriptOrigin = inheritsRoot
    ? `${where(rootReading.from, '') ?? `package.json scripts.${rootReading.kind === 'node-test' ? rootReading.script : 'test'}`} (the root's)`
    : (where(reading.from, label === '.' ? '' : `${label}/`) ?? `${manifestFile} scripts.${'script' in reading ? reading.script : 'test'}`);

  // Later layers win: root defaults, then the root's entry for this project, then the package's own key.
  const layers: Array<[ProjectConfig, string]> = [];
  if (config.source) layers.push([config.defaults, config.source]);
  const entry = config.projects[project.name];
  if (entry) layers.push([entry, entry.source]);
  const ownConfig = project.root === root ? undefined : readProjectConfig(project.root, label);
  if (ownConfig) layers.push([ownConfig, `${manifestFile} "cctrial"`]);
  const fromConfig = <K extends keyof ProjectConfig>(key: K): [NonNullable<ProjectConfig[K]>, string] | undefined => {
    for (let index = layers.length - 1; index >= 0; index--) {
      const value = layers[index]![0][key];
      if (value !== undefined) return [value as NonNullable<ProjectConfig[K]>, layers[index]![1]];
    }
    return undefined;
  };

  const command: NodeTestCommand | undefined = reading.kind === 'node-test' ? reading : undefined;
  const settings = defaultSettings(project);
  settings.droppedArgs = command?.droppedArgs ?? [];
  settings.origins.runner = reading.kind === 'none' ? 'no test script: node --test' : scriptOrigin;
  if (inheritsRoot) [settings.cwd, settings.origins.cwd] = [root, scriptOrigin];

  const excluded = exclusion(project, reading, config, cli, fromConfig('runner')?.[0], fromConfig('skip'));
  if (excluded) settings.excluded = excluded;

  if (command) {
    if (command.globs.length > 0) [settings.include, settings.origins.include] = [command.globs, scriptOrigin];
    const timeout = command.nodeArgs.find((arg) => arg.startsWith('--test-timeout='));
    const otherArgs = command.nodeArgs.filter((arg) => !arg.startsWith('--test-timeout='));
    if (otherArgs.length > 0) [settings.nodeArgs, settings.origins.nodeArgs] = [otherArgs, scriptOrigin];
    if (Object.keys(command.env).length > 0) [settings.env, settings.origins.env] = [{ ...command.env }, scriptOrigin];
    if (timeout) [settings.timeoutMs, settings.origins.timeout] = [Number(timeout.slice('--test-timeout='.length)), scriptOrigin];
    const isolation = command.droppedArgs.findLast((arg) => /^--(?:experimental-)?test-isolation=/.test(arg));
    if (isolation?.endsWith('=none')) [settings.isolation, settings.origins.isolation] = ['none', scriptOrigin];
    settings.launcher = command.launcher;
    if (command.launcher === 'tsx') [settings.importModule, settings.origins.import] = ['tsx', `${scriptOrigin} (tsx --test)`];
  }

  const include = fromConfig('include');
  if (include) [settings.include, settings.origins.include] = [include[0].map((pattern) => ({ pattern, shell: false })), include[1]];
  // Config globs are relative to the project folder, even where the script's ran from the root.
  if (include && settings.cwd !== project.root) settings.cwd = project.root;
  const exclude = fromConfig('exclude');
  if (exclude) [settings.exclude, settings.origins.exclude] = exclude;
  const nodeArgs = fromConfig('nodeArgs');
  const envFiles = fromConfig('envFile');
  const configArgs = [...(nodeArgs?.[0] ?? []), ...(envFiles?.[0] ?? []).map((file) => `--env-file=${path.resolve(project.root, file)}`)];
  if (configArgs.length > 0) {
    settings.nodeArgs = [...settings.nodeArgs, ...configArgs];
    settings.origins.nodeArgs = settings.origins.nodeArgs === 'none' ? (nodeArgs ?? envFiles)![1] : `${settings.origins.nodeArgs}, then ${(nodeArgs ?? envFiles)![1]}`;
  }
  const env = fromConfig('env');
  if (env) {
    settings.env = { ...settings.env, ...env[0] };
    settings.origins.env = settings.origins.env === 'none' ? env[1] : `${settings.origins.env}, then ${env[1]}`;
  }
  const importModule = fromConfig('import');
  if (importModule) [settings.importModule, settings.origins.import] = importModule;
  const timeout = fromConfig('timeout');
  if (timeout) [settings.timeoutMs, settings.origins.timeout] = timeout;
  const isolation = fromConfig('isolation');
  if (isolation) [settings.isolation, settings.origins.isolation] = isolation;

  if (cli.nodeArgs.length > 0) {
    settings.nodeArgs = [...settings.nodeArgs, ...cli.nodeArgs];
    settings.origins.nodeArgs = settings.origins.nodeArgs === 'none' ? 'command line' : `${settings.origins.nodeArgs}, then the command line`;
  }
  // The runner's own process runs global setup, not the test processes: cctrial takes the flag off their command line.
  const setup = settings.nodeArgs.find((arg) => arg.startsWith('--test-global-setup='));
  if (setup && GLOBAL_SETUP_EXISTS) {
    settings.globalSetup = path.resolve(settings.cwd, setup.slice('--test-global-setup='.length));
    settings.nodeArgs = settings.nodeArgs.filter((arg) => arg !== setup);
  }
  if (cli.importModule) [settings.importModule, settings.origins.import] = [cli.importModule, 'command line --import'];
  if (cli.timeoutMs !== undefined) [settings.timeoutMs, settings.origins.timeout] = [cli.timeoutMs, CLI_TIMEOUT_ORIGIN];
  if (cli.isolation) [settings.isolation, settings.origins.isolation] = [cli.isolation, 'command line --isolation'];
  return settings;
}

/**
 * Whether the timeout is the project's own (its script or config) rather than cctrial's (its default,
 * or --timeout). Before Node 24 node --test applies the project's to each file as a whole.
 */
export function timeoutSetByProject(settings: ProjectSettings): boolean {
  return settings.origins.timeout !== DEFAULT_TIMEOUT_ORIGIN && settings.origins.timeout !== CLI_TIMEOUT_ORIGIN;
}

/** node --test's defaults in the project folder, with cctrial's default timeout. */
export function defaultSettings(project: Project): ProjectSettings {
  return {
    project,
    cwd: project.root,
    include: [],
    exclude: [],
    nodeArgs: [],
    env: {},
    timeoutMs: DEFAULT_TIMEOUT_MS,
    isolation: 'process',
    droppedArgs: [],
    origins: {
      runner: 'no test script: node --test',
      cwd: 'the project folder',
      include: 'node --test default',
      exclude: 'none',
      nodeArgs: 'none',
      env: 'none',
      import: 'detected (tsx for TypeScript where Node cannot run it)',
      timeout: DEFAULT_TIMEOUT_ORIGIN,
      isolation: 'node --test default',
    },
  };
}

function exclusion(
  project: Project,
  reading: ProjectTestCommand,
  config: WorkspaceConfig,
  cli: CliSettings,
  runner: 'node' | undefined,
  skip: [boolean, string] | undefined,
): string | undefined {
  if (cli.excludeProjects.includes(project.name)) return 'excluded on the command line (--exclude)';
  if (config.excludeProjects.includes(project.name)) return `excluded by ${config.source} excludeProjects`;
  if (skip?.[0]) return `skipped by ${skip[1]} skip`;
  if (runner === 'node') return undefined;
  if (reading.kind === 'other-runner') {
    const from = reading.from;
    return from && !from.startsWith('project.json') ? `it has ${from}: its tests are ${reading.runner} tests` : `its test ${from ? 'target' : 'script'} runs ${reading.runner}`;
  }
  if (reading.kind === 'unreadable') return reading.noTestCommand ? `its test script ${reading.reason}` : `cctrial cannot read its test script: ${reading.reason}`;
  if (reading.kind === 'delegates') return `its test script runs the packages' tests through ${reading.tool}`;
  return undefined;
}
