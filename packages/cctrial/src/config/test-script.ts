/**
 * Reading a package's `test` script: what it runs, with which node flags, environment and globs.
 * The script is split into words by shell-quote, as sh would split it, and followed through
 * `npm run x`, `node --run x -- args`, `cross-env` and `&&` chains to the command that runs
 * node's test runner. Nothing here runs the script.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parse, type ParseEntry } from 'shell-quote';

/** A glob or file the script names. `shell` globs are unquoted, so sh expands them, not Node. */
export interface ScriptGlob {
  pattern: string;
  shell: boolean;
}

export interface NodeTestCommand {
  kind: 'node-test';
  /** `tsx --test` runs node's test runner with tsx loaded. */
  launcher: 'node' | 'tsx';
  /** Node and node:test flags that change what runs or how, in the script's order. */
  nodeArgs: string[];
  /** Flags the script gives that only shape output (reporters, coverage, concurrency): not used. */
  droppedArgs: string[];
  env: Record<string, string>;
  globs: ScriptGlob[];
  /** The script that holds the command, e.g. `test` or `test:unit` reached from it. */
  script: string;
}

export type ScriptReading =
  | NodeTestCommand
  | { kind: 'other-runner'; runner: string; script: string }
  /** The script hands the work to each package (`npm test --workspaces`, `turbo run test`, ...). */
  | { kind: 'delegates'; tool: string; script: string }
  /** `noTestCommand`: the script runs other things only (a build, a lint), so a chain may go on past it. */
  | { kind: 'unreadable'; reason: string; script: string; noTestCommand?: boolean }
  | { kind: 'none' };

/** Test runners other than node:test: their projects are left out of the run. */
export const OTHER_RUNNERS = ['vitest', 'jest', 'mocha', 'ava', 'playwright', 'tap', 'jasmine', 'karma', 'uvu', 'tape', 'cypress', 'borp', 'lab', 'qunit'];
const DELEGATING_TOOLS = ['nx', 'turbo', 'lerna', 'wireit', 'ultra', 'lage'];
const PACKAGE_MANAGERS = ['npm', 'pnpm', 'yarn', 'bun'];
/** Wrappers that run the command after their own options: coverage tools and env setters. */
const COVERAGE_WRAPPERS = ['c8', 'nyc'];

/** Flags that take their value as the next word when not written `--flag=value`. */
const FLAGS_WITH_VALUE = new Set([
  '--import', '--require', '-r', '--loader', '--experimental-loader', '--conditions', '-C', '--env-file', '--env-file-if-exists',
  '--test-reporter', '--test-reporter-destination', '--test-concurrency', '--test-timeout', '--test-name-pattern',
  '--test-skip-pattern', '--test-shard', '--test-global-setup', '--disable-warning', '--experimental-config-file',
  '--test-coverage-include', '--test-coverage-exclude', '--test-coverage-lines', '--test-coverage-branches',
  '--test-coverage-functions', '--inspect-port', '--input-type', '--experimental-default-type', '--watch-path',
  '--test-isolation', '--experimental-test-isolation', '--test-random-seed', '--experimental-test-tag-filter', '--stack-trace-limit',
  '--max-old-space-size', '--title', '--redirect-warnings', '--localstorage-file', '--test-rerun-failures',
]);

/**
 * Flags that only shape what node:test prints or how many files run at once, and how; cctrial has its
 * own reporter and pool, and gives every file its own process (so `--test-isolation` has nothing to
 * change). `--test-shard` splits a CI run across machines, and watching is cctrial's job.
 */
const OUTPUT_ONLY_FLAGS = new Set([
  '--test', '--test-isolation', '--experimental-test-isolation', '--test-reporter', '--test-reporter-destination', '--test-concurrency', '--experimental-test-coverage', '--test-coverage',
  '--test-coverage-include', '--test-coverage-exclude', '--test-coverage-lines', '--test-coverage-branches', '--test-coverage-functions',
  '--test-coverage-include-all', '--test-shard', '--watch', '--watch-path', '--watch-preserve-output', '--test-rerun-failures',
]);

const ENV_ASSIGNMENT = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/s;
const MAX_SCRIPT_DEPTH = 10;

export interface Scripts {
  [name: string]: string | undefined;
}

/** Config files that mean another runner owns the project's tests, when no script says otherwise. */
const OTHER_RUNNER_CONFIGS: Array<[RegExp, string]> = [
  [/^jest\.config\.[cm]?[jt]s$|^jest\.config\.json$/, 'jest'],
  [/^vitest\.(config|workspace)\.[cm]?[jt]s$/, 'vitest'],
  [/^playwright\.config\.[cm]?[jt]s$/, 'playwright'],
  [/^\.mocharc\.(c?js|json|ya?ml)$/, 'mocha'],
  [/^ava\.config\.[cm]?js$/, 'ava'],
];

/**
 * A project's own test command: its `test` script; else, in an Nx workspace, its project.json `test`
 * target (a run-commands command is read like a script, a Jest or Vitest executor is another runner);
 * else another runner's config file beside it (Nx infers Jest and Vitest targets from those).
 */
/** A test command and, when it is not the package's `test` script, where it was found. */
export type ProjectTestCommand = ScriptReading & { from?: string };

export function readProjectTestCommand(projectRoot: string, scripts: Scripts | undefined): ProjectTestCommand {
  const fromScript = readTestScript(scripts);
  if (fromScript.kind !== 'none') return fromScript;
  const fromTarget = readNxTestTarget(projectRoot, scripts);
  if (fromTarget.kind !== 'none') return { ...fromTarget, from: 'project.json targets.test' };
  let names: string[] = [];
  try {
    names = readdirSync(projectRoot);
  } catch {
    // No folder, no config files.
  }
  for (const [pattern, runner] of OTHER_RUNNER_CONFIGS) {
    const config = names.find((name) => pattern.test(name));
    if (config) return { kind: 'other-runner', runner, script: 'test', from: config };
  }
  return { kind: 'none' };
}

interface NxTarget {
  executor?: string;
  command?: string;
  options?: { command?: unknown; commands?: unknown; script?: unknown };
}

function readNxTestTarget(projectRoot: string, scripts: Scripts | undefined): ScriptReading {
  const file = path.join(projectRoot, 'project.json');
  if (!existsSync(file)) return { kind: 'none' };
  let target: NxTarget | undefined;
  try {
    target = (JSON.parse(readFileSync(file, 'utf8')) as { targets?: Record<string, NxTarget> }).targets?.test;
  } catch {
    return { kind: 'none' }; // The workspace module reports a broken project.json.
  }
  if (!target) return { kind: 'none' };
  const executor = target.executor ?? (target.command ? 'nx:run-commands' : '');
  if (executor === 'nx:run-commands') {
    const commands = target.command ?? target.options?.command ?? (Array.isArray(target.options?.commands) ? target.options.commands[0] : undefined);
    const command = typeof commands === 'string' ? commands : typeof (commands as { command?: unknown })?.command === 'string' ? (commands as { command: string }).command : undefined;
    return command ? readTestScript({ ...scripts, test: command }) : { kind: 'none' };
  }
  if (executor === 'nx:run-script' && typeof target.options?.script === 'string') return readTestScript(scripts, target.options.script);
  const runner = [...OTHER_RUNNERS, 'vite'].find((name) => executor.includes(name));
  if (runner) return { kind: 'other-runner', runner: `${runner === 'vite' ? 'vitest' : runner} (${executor})`, script: 'test' };
  return { kind: 'none' };
}

/** What `scripts[name]` runs, following the scripts it calls. */
export function readTestScript(scripts: Scripts | undefined, name = 'test'): ScriptReading {
  const text = scripts?.[name];
  if (typeof text !== 'string' || text.trim() === '') return { kind: 'none' };
  return readScript(scripts!, name, [], {}, 0);
}

function readScript(scripts: Scripts, name: string, extraArgs: string[], inheritedEnv: Record<string, string>, depth: number): ScriptReading {
  const text = scripts[name];
  if (typeof text !== 'string') return { kind: 'unreadable', reason: `it calls the script "${name}", which does not exist`, script: name };
  if (depth > MAX_SCRIPT_DEPTH) return { kind: 'unreadable', reason: `its scripts call each other more than ${MAX_SCRIPT_DEPTH} deep`, script: name };
  let entries: ParseEntry[];
  try {
    // Variables are left as written: the test command rarely depends on them, and guessing would be worse.
    entries = parse(text, (key) => `$${key}`);
  } catch (error) {
    return { kind: 'unreadable', reason: `sh cannot split it into words (${(error as Error).message})`, script: name };
  }
  const commands = splitCommands(entries);
  let firstUnknown: string | undefined;
  for (const [index, words] of commands.entries()) {
    // Arguments given to the script (`npm run test -- a.test.js`) go to its last command.
    const args = index === commands.length - 1 ? [...words, ...extraArgs.map((arg) => ({ text: arg, glob: false }))] : words;
    const reading = readCommand(scripts, name, args, inheritedEnv, depth);
    if (reading.kind !== 'unreadable' || !reading.noTestCommand) return reading;
    firstUnknown ??= reading.reason;
  }
  return { kind: 'unreadable', reason: firstUnknown ?? 'runs no command', script: name, noTestCommand: true };
}

interface Word {
  text: string;
  /** An unquoted word with glob characters: sh expands it before the command sees it. */
  glob: boolean;
}

function splitCommands(entries: ParseEntry[]): Word[][] {
  const commands: Word[][] = [[]];
  for (const entry of entries) {
    if (typeof entry === 'string') commands.at(-1)!.push({ text: entry, glob: false });
    else if ('op' in entry && entry.op === 'glob') commands.at(-1)!.push({ text: entry.pattern, glob: true });
    else if ('op' in entry) commands.push([]);
    // Comments end the script.
    else if ('comment' in entry) break;
  }
  return commands.filter((words) => words.length > 0);
}

function readCommand(scripts: Scripts, name: string, words: Word[], inheritedEnv: Record<string, string>, depth: number): ScriptReading {
  const env = { ...inheritedEnv };
  let rest = [...words];
  // Leading assignments, `env A=1`, `cross-env A=1`, `npx`, `pnpm exec`, coverage wrappers: peel them off.
  for (;;) {
    const head = rest[0]?.text;
    if (head === undefined) return notATestCommand('nothing');
    const assignment = ENV_ASSIGNMENT.exec(head);
    if (assignment) {
      env[assignment[1]!] = assignment[2]!;
      rest = rest.slice(1);
    } else if (head === 'env' || head === 'cross-env' || head === 'cross-env-shell' || head === 'npx' || head === 'bunx') {
      rest = dropOptions(rest.slice(1));
    } else if (PACKAGE_MANAGERS.includes(head) && rest[1]?.text === 'exec') {
      rest = dropOptions(rest.slice(2));
    } else if (COVERAGE_WRAPPERS.includes(head)) {
      rest = dropOptions(rest.slice(1), true);
    } else break;
  }
  const command = executableName(rest[0]!.text);
  const args = rest.slice(1);

  if (command === 'node' || command === 'tsx') {
    const runScript = args.findIndex((word) => word.text === '--run' || word.text.startsWith('--run='));
    if (command === 'node' && runScript !== -1) {
      const target = args[runScript]!.text.startsWith('--run=') ? args[runScript]!.text.slice(6) : args[runScript + 1]?.text;
      const dashes = args.findIndex((word) => word.text === '--');
      const extra = dashes === -1 ? [] : args.slice(dashes + 1).map((word) => word.text);
      return target ? readScript(scripts, target, extra, env, depth + 1) : notATestCommand('node --run');
    }
    if (!args.some((word) => word.text === '--test')) return notATestCommand([command, ...args.slice(0, 1).map((word) => word.text)].join(' '));
    return readNodeTest(command, args, env, name);
  }
  if (PACKAGE_MANAGERS.includes(command)) return readPackageManagerRun(scripts, name, command, args, env, depth);
  if (OTHER_RUNNERS.includes(command)) return { kind: 'other-runner', runner: command, script: name };
  if (DELEGATING_TOOLS.includes(command)) return { kind: 'delegates', tool: command, script: name };
  return notATestCommand(command);
}

/** `npm run x`, `npm test`, `pnpm x`, `yarn x`, `bun run x`: another script of the same package. */
function readPackageManagerRun(scripts: Scripts, name: string, manager: string, args: Word[], env: Record<string, string>, depth: number): ScriptReading {
  const words = args.map((word) => word.text);
  if (words.some((word) => /^(-w|--workspace|--workspaces|-ws|-r|--recursive|--filter|-F|workspaces|--if-present)(=|$)/.test(word))) {
    return { kind: 'delegates', tool: manager, script: name };
  }
  let [verb, ...rest] = words;
  if (verb === 'run' || verb === 'run-script') [verb, ...rest] = rest;
  else if (verb === 't' || verb === 'tst') verb = 'test';
  if (!verb || verb.startsWith('-')) return notATestCommand(manager);
  if (scripts[verb] === undefined) {
    // `bun test` and `yarn vitest` run binaries, not scripts.
    if (manager === 'bun' && verb === 'test') return { kind: 'other-runner', runner: 'bun test', script: name };
    if (OTHER_RUNNERS.includes(verb)) return { kind: 'other-runner', runner: verb, script: name };
    if (verb === 'node' || verb === 'tsx') return readCommand(scripts, name, args.slice(args.findIndex((word) => word.text === verb)), env, depth);
    return notATestCommand(`${manager} ${verb}`);
  }
  // npm and bun pass what follows `--` to the script; pnpm and yarn pass every extra word.
  const dashes = rest.indexOf('--');
  const extra = dashes !== -1 ? rest.slice(dashes + 1) : manager === 'pnpm' || manager === 'yarn' ? rest.filter((word) => !word.startsWith('-')) : [];
  return readScript(scripts, verb, extra, env, depth + 1);
}

function readNodeTest(launcher: 'node' | 'tsx', args: Word[], env: Record<string, string>, script: string): NodeTestCommand {
  const nodeArgs: string[] = [];
  const droppedArgs: string[] = [];
  const globs: ScriptGlob[] = [];
  for (let index = 0; index < args.length; index++) {
    const word = args[index]!;
    if (word.text === '--') continue;
    if (!word.text.startsWith('-') || word.text === '-') {
      globs.push({ pattern: word.text, shell: word.glob });
      continue;
    }
    const [flag] = word.text.split('=', 1) as [string];
    const takesNext = !word.text.includes('=') && FLAGS_WITH_VALUE.has(flag) && index + 1 < args.length;
    // `--import x` becomes `--import=x`: one word per flag, so that flags can be compared and filtered.
    const written = takesNext ? `${SHORT_FLAGS[flag] ?? flag}=${args[++index]!.text}` : word.text;
    if (flag !== '--test') (OUTPUT_ONLY_FLAGS.has(flag) ? droppedArgs : nodeArgs).push(written);
  }
  return { kind: 'node-test', launcher, nodeArgs, droppedArgs, env, globs, script };
}

const SHORT_FLAGS: Record<string, string> = { '-r': '--require', '-C': '--conditions' };

function dropOptions(words: Word[], wrapper = false): Word[] {
  let index = 0;
  while (index < words.length && words[index]!.text.startsWith('-')) {
    // c8 and nyc options are written `--reporter=lcov` or `--reporter lcov`; the command starts at the first known executable.
    if (wrapper && !words[index]!.text.includes('=') && words[index + 1] && !isExecutable(words[index + 1]!.text)) index++;
    index++;
  }
  return words.slice(index);
}

function isExecutable(word: string): boolean {
  const name = executableName(word);
  return name === 'node' || name === 'tsx' || PACKAGE_MANAGERS.includes(name) || OTHER_RUNNERS.includes(name);
}

/** `./node_modules/.bin/tsx` and `node.exe` are tsx and node. */
function executableName(word: string): string {
  return word.split(/[\\/]/).at(-1)!.replace(/\.(exe|cmd)$/i, '');
}

/** `runs`: what the command runs instead, for the message. */
function notATestCommand(runs: string): ScriptReading {
  return { kind: 'unreadable', reason: `runs ${runs}, not node --test`, script: '', noTestCommand: true };
}
