/**
 * Command-line flags: one table drives parsing, validation and --help. Options are validated here,
 * once, and nothing downstream checks them again.
 */
import { statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { DEFAULT_TIMEOUT_MS, type Isolation } from './config/settings.js';
import { ConfigError } from './errors.js';
import { keysHelp } from './ui/keys.js';
import { STATUS_LEGEND } from './ui/status-line.js';

export interface Options {
  cwd: string;
  /** Positional arguments: project names, folders or test files. */
  targets: string[];
  /** Extra folders to watch, absolute. */
  watch: string[];
  once: boolean;
  forever: boolean;
  /** After a change, suite steps run only the test files the change can affect (implies forever). */
  smart: boolean;
  json: boolean;
  jobs: number;
  grep?: string;
  /** Per-test timeout from --timeout; undefined leaves it to the config, the test script or the default. */
  timeoutMs?: number;
  importModule?: string;
  /** --isolation: how suite runs place test files in processes, for every project. */
  isolation?: Isolation;
  /** Node flags for every test process: --node-arg, and the words after `--`. */
  nodeArgs: string[];
  /** Projects left out with --exclude. */
  excludeProjects: string[];
  /** Globs of files whose changes never start a run (--ignore), relative to the workspace root. */
  ignore: string[];
  /** Print what each project runs, and where each setting came from, then exit. */
  printConfig: boolean;
  /** Run node:test with --test-update-snapshots. */
  updateSnapshots: boolean;
  /** Desktop notifications: forced on or off, or undefined: on while watching, off with --once. */
  notify?: boolean;
  /** Start with the whole suite, not with the fix target of the last session. */
  fresh: boolean;
  /** Where cctrial keeps what it remembers between sessions (absolute); undefined: node_modules/.cache/cctrial in the workspace root. */
  cacheDir?: string;
  /** --results: write the suite's results to this file (absolute) when the --once run ends. */
  resultsFile?: string;
  /** --via nx: suite steps run through `nx run-many -t cctrial-ci`, taking what Nx's cache has. */
  via?: 'nx';
  verbose: boolean;
  debugTiming: boolean;
  help: boolean;
  version: boolean;
  /** --cwd and --watch as typed, for messages about them; absent when not given. */
  given?: { cwd?: string; watch: string[] };
}

interface Flag {
  name: string;
  short?: string;
  type: 'boolean' | 'string';
  multiple?: boolean;
  value?: string;
  description: string;
}

/** Timers fire at once beyond 2^31-1 ms, so a larger timeout would fail every test. */
const MAX_TIMEOUT_MS = 2 ** 31 - 1 - 60_000;

export const FLAGS: readonly Flag[] = [
  { name: 'once', type: 'boolean', description: 'Run the suite once, print the grouped failures, and exit (1 if anything failed).' },
  { name: 'forever', short: 'f', type: 'boolean', description: 'Keep watching after the suite is green, instead of exiting (the default as a task of Nx or Turborepo).' },
  { name: 'smart', short: 's', type: 'boolean', description: 'After a change, run only the test files that imported a changed file, not the whole suite (key a runs it all). Implies --forever.' },
  { name: 'jobs', short: 'j', type: 'string', value: 'N', description: 'Test files run in parallel (default: the number of CPUs).' },
  { name: 'grep', short: 'g', type: 'string', value: 'TEXT', description: 'Only run tests whose file or full name contains TEXT.' },
  { name: 'timeout', type: 'string', value: 'MS', description: `Per-test timeout in milliseconds; 0 for none (default: the test script's --test-timeout, else ${DEFAULT_TIMEOUT_MS}).` },
  { name: 'import', type: 'string', value: 'MODULE', description: 'Preload MODULE in every test process (a loader such as tsx). Default: the test script\'s, else detected.' },
  { name: 'isolation', type: 'string', value: 'MODE', description: 'process: each test file in a process of its own; none: suite runs share processes among files, re-running alone any file that fails (default: the test script\'s --test-isolation, else process).' },
  { name: 'node-arg', type: 'string', value: 'ARG', multiple: true, description: 'Pass ARG to node in every test process (repeatable); so do the words after `--`.' },
  { name: 'exclude', type: 'string', value: 'PROJECT', multiple: true, description: 'Leave PROJECT out (repeatable).' },
  { name: 'ignore', type: 'string', value: 'GLOB', multiple: true, description: 'Never start a run for changes to files matching GLOB, written as in .gitignore (repeatable).' },
  { name: 'fresh', type: 'boolean', description: 'Start with the whole suite, not with the test the last session was fixing.' },
  { name: 'cache-dir', type: 'string', value: 'DIR', description: 'Keep what cctrial remembers between sessions in DIR (default: node_modules/.cache/cctrial in the workspace root).' },
  { name: 'results', type: 'string', value: 'FILE', description: 'With --once: write the results to FILE, for a cached Nx target (cctrial-ci) and --via nx.' },
  { name: 'via', type: 'string', value: 'nx', description: "Run suite steps as `nx run-many -t cctrial-ci`, so that Nx's cache (local or remote) gives the results of unchanged projects; fix runs stay local." },
  { name: 'update-snapshots', type: 'boolean', description: 'Run the tests with --test-update-snapshots, rewriting snapshot files.' },
  { name: 'print-config', type: 'boolean', description: 'Print what each selected project runs and where each setting came from, then exit.' },
  { name: 'json', type: 'boolean', description: 'Print NDJSON events on stdout instead of the terminal UI.' },
  { name: 'notify', type: 'boolean', description: 'Send desktop notifications even with --once (default: on while watching, off with --once).' },
  { name: 'no-notify', type: 'boolean', description: 'Do not send desktop notifications.' },
  { name: 'watch', type: 'string', value: 'DIR', multiple: true, description: 'Also watch DIR (repeatable); linked packages are found by themselves.' },
  { name: 'cwd', type: 'string', value: 'DIR', description: 'Run as if started in DIR.' },
  { name: 'debug-timing', type: 'boolean', description: 'After each run, show where its time went, file by file (warm child, time to first result).' },
  { name: 'verbose', short: 'v', type: 'boolean', description: 'List every test as it runs, with its outcome.' },
  { name: 'help', short: 'h', type: 'boolean', description: 'Show this help.' },
  { name: 'version', short: 'V', type: 'boolean', description: 'Print the version.' },
];

/** Nx and Turborepo set these in their tasks' environment. */
export function underTaskRunner(env: NodeJS.ProcessEnv): boolean {
  return Boolean(env.NX_TASK_TARGET_PROJECT || env.TURBO_HASH);
}

/**
 * Nx's terminal UI and its `stream` output style set this in a task's environment. Its output then
 * goes to a pane the user may open at any time (at another size), or to lines Nx prefixes with the
 * project's name: a status line redrawn in place would leave fragments of itself in either.
 */
export function outputRelayedByTaskRunner(env: NodeJS.ProcessEnv): boolean {
  return env.NX_STREAM_OUTPUT === 'true';
}

export function parseOptions(argv: string[], env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): Options {
  const dashes = argv.indexOf('--');
  const passThrough = dashes === -1 ? [] : argv.slice(dashes + 1);
  let parsed;
  try {
    parsed = parseArgs({
      args: dashes === -1 ? argv : argv.slice(0, dashes),
      allowPositionals: true,
      strict: true,
      options: Object.fromEntries(
        FLAGS.map((flag) => [flag.name, { type: flag.type, ...(flag.short ? { short: flag.short } : {}), ...(flag.multiple ? { multiple: true } : {}) }]),
      ),
    });
  } catch (error) {
    throw new ConfigError(`${(error as Error).message.replace(/\. To specify.*$/s, '.')} Run "cctrial --help" for the list of flags.`);
  }
  const values = parsed.values as Record<string, string | boolean | string[] | undefined>;
  const string = (name: string) => values[name] as string | undefined;
  const flag = (name: string) => values[name] === true;

  const workDir = path.resolve(cwd, string('cwd') ?? '.');
  const timeout = string('timeout');
  const importModule = string('import');
  const options: Options = {
    cwd: workDir,
    targets: parsed.positionals,
    watch: ((values.watch as string[] | undefined) ?? []).map((dir) => path.resolve(workDir, dir)),
    // In CI nothing will ever save a file: never wait for one unless asked to.
    once: flag('once') || (Boolean(env.CI) && !flag('forever') && !flag('smart')),
    // Smart runs after a change are partial: only watching on can give the whole suite's verdict. A task
    // of Nx or Turborepo is a continuous runner the user keeps open: exiting on green would look broken.
    forever: flag('forever') || flag('smart') || (underTaskRunner(env) && !flag('once') && !env.CI),
    smart: flag('smart'),
    json: flag('json'),
    jobs: integerOption('--jobs', string('jobs'), availableParallelism(), 1),
    nodeArgs: [...((values['node-arg'] as string[] | undefined) ?? []), ...passThrough],
    excludeProjects: (values.exclude as string[] | undefined) ?? [],
    ignore: (values.ignore as string[] | undefined) ?? [],
    printConfig: flag('print-config'),
    fresh: flag('fresh'),
    updateSnapshots: flag('update-snapshots'),
    verbose: flag('verbose'),
    debugTiming: flag('debug-timing'),
    help: flag('help'),
    version: flag('version'),
    given: { ...(string('cwd') === undefined ? {} : { cwd: string('cwd')! }), watch: (values.watch as string[] | undefined) ?? [] },
  };
  if (string('grep')) options.grep = string('grep')!;
  if (string('cache-dir')) options.cacheDir = path.resolve(workDir, string('cache-dir')!);
  if (string('results')) {
    if (!options.once) throw new ConfigError('--results needs --once: it writes the results of one suite run, as a cached Nx target does. Add --once.');
    options.resultsFile = path.resolve(workDir, string('results')!);
  }
  const via = string('via');
  if (via !== undefined && via !== 'nx') throw new ConfigError(`--via must be "nx" (suite steps through nx run-many and its cache), but is ${JSON.stringify(via)}.`);
  if (via) options.via = via;
  if (flag('notify') && flag('no-notify')) throw new ConfigError('--notify and --no-notify contradict each other: pass one of them.');
  if (flag('notify') || flag('no-notify')) options.notify = flag('notify');
  const isolation = string('isolation');
  if (isolation !== undefined && isolation !== 'process' && isolation !== 'none') {
    throw new ConfigError(`--isolation must be "process" (each test file in a process of its own, node --test's default) or "none" (suite runs share processes among files), but is ${JSON.stringify(isolation)}.`);
  }
  if (isolation) options.isolation = isolation;
  if (timeout !== undefined) options.timeoutMs = integerOption('--timeout', timeout, 0, 0, MAX_TIMEOUT_MS);
  // A relative module path means a file next to the user, not a package next to the test file.
  if (importModule) options.importModule = /^\.\.?\//.test(importModule) ? path.resolve(workDir, importModule) : importModule;
  if (options.once && options.smart) throw new ConfigError('--once and --smart cannot be used together: --once runs the whole suite and exits, --smart chooses tests by the changes it watches for.');
  if (options.once && options.forever) throw new ConfigError('--once and --forever cannot be used together: --once exits after one run, --forever never exits.');
  return options;
}

/**
 * --cwd and --watch must name existing folders. Checked apart from parsing, which stays pure: a missing
 * --cwd would otherwise read as "No test files found", and a missing --watch would be ignored.
 */
export function checkFolders(options: Options): void {
  const given = options.given;
  if (!given) return;
  const folders: Array<[flag: string, typed: string, resolved: string]> = [];
  if (given.cwd !== undefined) folders.push(['--cwd', given.cwd, options.cwd]);
  given.watch.forEach((typed, index) => folders.push(['--watch', typed, options.watch[index]!]));
  for (const [flag, typed, resolved] of folders) {
    const problem = folderProblem(resolved);
    if (!problem) continue;
    const where = typed === resolved ? `"${typed}"` : `"${typed}" (resolved to ${resolved})`;
    const advice =
      flag === '--cwd'
        ? 'Give --cwd an existing folder inside the workspace, or leave it out to start in the current folder.'
        : 'Give --watch an existing folder (a relative one is resolved against --cwd), or leave it out: linked packages are watched without it.';
    throw new ConfigError(`${flag} ${where} ${problem}. ${advice}`);
  }
}

function folderProblem(folder: string): string | undefined {
  try {
    return statSync(folder).isDirectory() ? undefined : 'is a file, not a folder';
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return 'does not exist';
    if (code === 'ENOTDIR') return 'does not exist (a part of the path is a file)';
    if (code === 'EACCES') return 'cannot be read (permission denied)';
    return `cannot be read (${code ?? (error as Error).message})`;
  }
}

function integerOption(flag: string, raw: string | undefined, fallback: number, min: number, max = Number.MAX_SAFE_INTEGER): number {
  if (raw === undefined) return fallback;
  const value = raw.trim() === '' ? NaN : Number(raw);
  if (!Number.isInteger(value) || value < min) {
    throw new ConfigError(`${flag} must be an integer of at least ${min}, but got "${raw}".`);
  }
  if (value > max) throw new ConfigError(`${flag} must be at most ${max} (about ${Math.floor(max / 86_400_000)} days): Node's timers cannot wait longer. Use 0 for no timeout.`);
  return value;
}

export function helpText(version: string): string {
  const rows = FLAGS.map((flag) => {
    const names = `${flag.short ? `-${flag.short}, ` : '    '}--${flag.name}${flag.value ? ` ${flag.value}` : ''}`;
    return `  ${names.padEnd(24)} ${flag.description}`;
  });
  return [
    `cctrial ${version}: a continuous test runner for Node.js monorepos, built on node:test.`,
    '',
    'Usage: cctrial [options] [PROJECT | PATH ...] [-- NODE_ARGS...]',
    '       cctrial init     add a "cctrial" script to each tested package, and a task to turbo.json',
    '',
    'Runs every test of the selected projects (all by default), groups the failures by identical error,',
    'then re-runs the one test whose error breaks the most tests on every save, until everything passes.',
    '',
    'Options:',
    ...rows,
    '',
    STATUS_LEGEND,
    '',
    keysHelp().trimEnd(),
    '',
    'Exit codes: 0 all tests passed, 1 tests failed, 2 usage or configuration error, 70 internal error (a bug in cctrial),',
    '            141 the output was closed (as by "| head"), 129/130/143 stopped by SIGHUP/SIGINT/SIGTERM.',
  ].join('\n');
}
