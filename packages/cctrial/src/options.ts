/**
 * Command-line flags: one table drives parsing, validation and --help. Options are validated here,
 * once, and nothing downstream checks them again.
 */
import { availableParallelism } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
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
  json: boolean;
  jobs: number;
  grep?: string;
  timeoutMs: number;
  /** How long a child may report nothing before the watchdog kills it. */
  silenceLimitMs: number;
  importModule?: string;
  notify: boolean;
  verbose: boolean;
  debugTiming: boolean;
  help: boolean;
  version: boolean;
}

interface Flag {
  name: string;
  short?: string;
  type: 'boolean' | 'string';
  multiple?: boolean;
  value?: string;
  description: string;
}

export const DEFAULT_TIMEOUT_MS = 30_000;
/** Grace beyond the per-test timeout before a silent child is killed: node:test reports its own timeouts first. */
const WATCHDOG_GRACE_MS = 5_000;
/** With --timeout 0, a child still may not stay silent for longer than this. */
const SILENCE_LIMIT_WITHOUT_TIMEOUT_MS = 10 * 60_000;

export const FLAGS: readonly Flag[] = [
  { name: 'once', type: 'boolean', description: 'Run the suite once, print the grouped failures, and exit (1 if anything failed).' },
  { name: 'forever', short: 'f', type: 'boolean', description: 'Keep watching after the suite is green, instead of exiting.' },
  { name: 'jobs', short: 'j', type: 'string', value: 'N', description: 'Test files run in parallel (default: the number of CPUs).' },
  { name: 'grep', short: 'g', type: 'string', value: 'TEXT', description: 'Only run tests whose file or full name contains TEXT.' },
  { name: 'timeout', type: 'string', value: 'MS', description: `Per-test timeout in milliseconds; 0 for none (default: ${DEFAULT_TIMEOUT_MS}).` },
  { name: 'import', type: 'string', value: 'MODULE', description: 'Preload MODULE in every test process (a loader such as tsx). Default: detected.' },
  { name: 'json', type: 'boolean', description: 'Print NDJSON events on stdout instead of the terminal UI.' },
  { name: 'no-notify', type: 'boolean', description: 'Do not send desktop notifications.' },
  { name: 'watch', type: 'string', value: 'DIR', multiple: true, description: 'Also watch DIR (repeatable); linked packages are found by themselves.' },
  { name: 'cwd', type: 'string', value: 'DIR', description: 'Run as if started in DIR.' },
  { name: 'debug-timing', type: 'boolean', description: 'After each run, show where its time went, file by file (warm child, time to first result).' },
  { name: 'verbose', short: 'v', type: 'boolean', description: 'List every test as it runs, with its outcome.' },
  { name: 'help', short: 'h', type: 'boolean', description: 'Show this help.' },
  { name: 'version', type: 'boolean', description: 'Print the version.' },
];

export function parseOptions(argv: string[], env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): Options {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
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
  const timeoutMs = integerOption('--timeout', string('timeout'), DEFAULT_TIMEOUT_MS, 0);
  const importModule = string('import');
  const options: Options = {
    cwd: workDir,
    targets: parsed.positionals,
    watch: ((values.watch as string[] | undefined) ?? []).map((dir) => path.resolve(workDir, dir)),
    // In CI nothing will ever save a file: never wait for one unless asked to.
    once: flag('once') || (Boolean(env.CI) && !flag('forever')),
    forever: flag('forever'),
    json: flag('json'),
    jobs: integerOption('--jobs', string('jobs'), availableParallelism(), 1),
    timeoutMs,
    silenceLimitMs: (timeoutMs || SILENCE_LIMIT_WITHOUT_TIMEOUT_MS) + WATCHDOG_GRACE_MS,
    notify: !flag('no-notify'),
    verbose: flag('verbose'),
    debugTiming: flag('debug-timing'),
    help: flag('help'),
    version: flag('version'),
  };
  if (string('grep')) options.grep = string('grep')!;
  // A relative module path means a file next to the user, not a package next to the test file.
  if (importModule) options.importModule = /^\.\.?\//.test(importModule) ? path.resolve(workDir, importModule) : importModule;
  if (options.once && options.forever) throw new ConfigError('--once and --forever cannot be used together: --once exits after one run, --forever never exits.');
  return options;
}

function integerOption(flag: string, raw: string | undefined, fallback: number, min: number): number {
  if (raw === undefined) return fallback;
  const value = raw.trim() === '' ? NaN : Number(raw);
  if (!Number.isInteger(value) || value < min) {
    throw new ConfigError(`${flag} must be an integer of at least ${min}, but got "${raw}".`);
  }
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
    'Usage: cctrial [options] [PROJECT | PATH ...]',
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
    'Exit codes: 0 all tests passed, 1 tests failed, 2 usage or configuration error.',
  ].join('\n');
}
