#!/usr/bin/env node
/**
 * cctrial's benchmark: fix-loop latency, full-suite time, idle cost, a file storm, and affected-first
 * ordering and smart mode, each measured
 * for cctrial and its peers in the same run, on monorepos made by generate.mjs. Prints a table and
 * writes docs/performance.md. See docs/performance.md ("How it is measured") for what each number is.
 *
 *   npm run bench                     the full run: 5 trials, default preset, large preset for idle
 *   node tools/bench/bench.mjs --quick   1 trial on the tiny preset (a smoke test, about a minute)
 *
 * Options: --trials N, -j/--jobs N (default: CPUs), --only fix,suite,idle,storm,affected,recheck,
 *   --tools cctrial,node,vitest,jest,nx,turbo (peers to include; cctrial always runs), --settle MS,
 *   --out FILE (default docs/performance.md; --quick writes no file unless --out is given),
 *   --no-write, --build (compile cctrial first), --regenerate (regenerate the repos).
 */
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { REPO_ROOT, TARGET, defaultDir, fixmeSource, generate } from './generate.mjs';
import { Proc, cpuBetween, now, runToEnd, sampleTree, sleep, summarize } from './lib.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const NODE = process.execPath;
const PACKAGE = path.join(REPO_ROOT, 'packages/cctrial');
const BUILT_CLI = path.join(PACKAGE, 'dist/src/cli.js');
/** The CLI the bench runs: a copy of the build taken at the start (see snapshotBuild). */
let CLI = BUILT_CLI;
/** A package's command-line script, from its package.json "bin". */
function binOf(pkg, name = pkg) {
  const folder = path.join(REPO_ROOT, 'node_modules', pkg);
  try {
    const { bin } = JSON.parse(readFileSync(path.join(folder, 'package.json'), 'utf8'));
    return path.join(folder, typeof bin === 'string' ? bin : bin[name]);
  } catch {
    return path.join(folder, 'missing-bin');
  }
}
const BIN = { vitest: binOf('vitest'), jest: binOf('jest'), nx: binOf('nx'), turbo: binOf('turbo') };
const PEERS = ['node', 'vitest', 'jest', 'nx', 'turbo'];

// ---------------------------------------------------------------------------------------------
// Options

const { values: flags } = parseArgs({
  options: {
    trials: { type: 'string' },
    quick: { type: 'boolean', default: false },
    jobs: { type: 'string', short: 'j' },
    only: { type: 'string' },
    tools: { type: 'string' },
    settle: { type: 'string' },
    out: { type: 'string' },
    'no-write': { type: 'boolean', default: false },
    build: { type: 'boolean', default: false },
    regenerate: { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h', default: false },
  },
});
if (flags.help) {
  console.log(readFileSync(fileURLToPath(import.meta.url), 'utf8').split('*/')[0].replace(/^#!.*\n\/\*\*\n/, '').replace(/^ \* ?/gm, ''));
  process.exit(0);
}
const quick = flags.quick;
const config = {
  quick,
  trials: Number(flags.trials ?? (quick ? 1 : 5)),
  jobs: Number(flags.jobs ?? os.availableParallelism()),
  phases: (flags.only ?? 'suite,fix,storm,idle,affected,recheck').split(',').map((phase) => phase.trim()),
  peers: (flags.tools ?? PEERS.join(',')).split(',').map((tool) => tool.trim()).filter((tool) => PEERS.includes(tool)),
  settleMs: Number(flags.settle ?? (quick ? 500 : 1000)),
  preset: quick ? 'tiny' : 'default',
  idlePreset: quick ? 'tiny' : 'large',
  warmup: !quick,
  stormFiles: 1000,
  idleSampleMs: quick ? 2000 : 5000,
};
const outFile = flags['no-write'] ? undefined : flags.out ? path.resolve(flags.out) : quick ? undefined : path.join(REPO_ROOT, 'docs/performance.md');
const commandLine = `node tools/bench/bench.mjs${process.argv.slice(2).length ? ` ${process.argv.slice(2).join(' ')}` : ''}`;

const log = (message) => process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${message}\n`);
const ms = (value) => (Number.isFinite(value) ? `${Math.round(value)} ms` : 'n/a');
const env = () => {
  const copy = { ...process.env, NX_DAEMON: 'false', NX_NO_CLOUD: 'true', NX_SKIP_NX_CACHE: 'true', TURBO_TELEMETRY_DISABLED: '1', DO_NOT_TRACK: '1', NO_UPDATE_NOTIFIER: '1' };
  // In CI cctrial never waits for a change, and some peers change their defaults: watch modes are asked for explicitly.
  delete copy.CI;
  delete copy.NODE_OPTIONS;
  return copy;
};

// ---------------------------------------------------------------------------------------------
// Machine and versions

function versionOf(pkg) {
  try {
    return JSON.parse(readFileSync(path.join(REPO_ROOT, 'node_modules', pkg, 'package.json'), 'utf8')).version;
  } catch {
    return 'not installed';
  }
}

function git(...args) {
  try {
    return execFileSync('git', args, { cwd: REPO_ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return '';
  }
}

/**
 * Copies packages/cctrial/dist and package.json to $TMPDIR/cctrial-bench/cctrial-build, with a
 * node_modules of links to the packages cctrial resolves (its own node_modules first, then the root's),
 * so that a rebuild while the bench runs cannot mix two versions of cctrial in one run.
 */
function snapshotBuild() {
  const target = path.join(path.dirname(defaultDir('default')), 'cctrial-build');
  rmSync(target, { recursive: true, force: true });
  mkdirSync(target, { recursive: true });
  cpSync(path.join(PACKAGE, 'dist/src'), path.join(target, 'dist/src'), { recursive: true });
  cpSync(path.join(PACKAGE, 'package.json'), path.join(target, 'package.json'));
  const links = new Map();
  for (const modules of [path.join(REPO_ROOT, 'node_modules'), path.join(PACKAGE, 'node_modules')]) {
    if (!existsSync(modules)) continue;
    for (const entry of readdirSync(modules)) {
      if (entry.startsWith('.')) continue;
      if (entry.startsWith('@')) {
        for (const scoped of readdirSync(path.join(modules, entry))) links.set(`${entry}/${scoped}`, path.join(modules, entry, scoped));
      } else {
        links.set(entry, path.join(modules, entry));
      }
    }
  }
  for (const [name, from] of links) {
    const to = path.join(target, 'node_modules', name);
    mkdirSync(path.dirname(to), { recursive: true });
    symlinkSync(from, to, 'dir');
  }
  return path.join(target, 'dist/src/cli.js');
}

function machineInfo() {
  const cpus = os.cpus();
  const cctrialVersion = JSON.parse(readFileSync(path.join(REPO_ROOT, 'packages/cctrial/package.json'), 'utf8')).version;
  const dirty = git('status', '--porcelain', '--', 'packages/cctrial/src') ? ' + uncommitted changes in packages/cctrial/src' : '';
  let built = '';
  try {
    built = statSync(BUILT_CLI).mtime.toISOString().slice(0, 16).replace('T', ' ');
  } catch {
    built = 'not built';
  }
  return {
    date: new Date().toISOString().slice(0, 16).replace('T', ' ') + ' UTC',
    cpu: cpus[0]?.model ?? 'unknown',
    cores: os.availableParallelism(),
    ramGiB: (os.totalmem() / 2 ** 30).toFixed(1),
    os: `${os.type()} ${os.release()}`,
    loadBefore: os.loadavg().map((value) => value.toFixed(2)).join(' '),
    versions: {
      node: process.version,
      cctrial: `${cctrialVersion} (commit ${git('rev-parse', '--short', 'HEAD')}${dirty}; dist built ${built} UTC)`,
      vitest: versionOf('vitest'),
      jest: versionOf('jest'),
      nx: versionOf('nx'),
      turbo: versionOf('turbo'),
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Tools in watch mode: how to start them, and how to read the target test's verdict from their output

const targetLine = TARGET.name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

function parseJson(line) {
  if (!line.startsWith('{')) return undefined;
  try {
    return JSON.parse(line);
  } catch {
    return undefined;
  }
}

const cctrialVerdict = (line) => {
  const event = parseJson(line);
  if (!event || (event.type !== 'test:pass' && event.type !== 'test:fail')) return undefined;
  if (event.file !== TARGET.nodeFile || event.name?.[0] !== TARGET.name) return undefined;
  return event.type === 'test:pass' ? 'pass' : 'fail';
};

const WATCHERS = {
  cctrial: {
    label: 'cctrial -f',
    command: (jobs) => [NODE, [CLI, '-f', '--json', '--no-notify', '-j', String(jobs)]],
    display: (jobs) => `cctrial -f --json --no-notify -j ${jobs}`,
    verdict: cctrialVerdict,
    done: (line) => parseJson(line)?.type === 'idle',
  },
  node: {
    label: 'node --test --watch',
    command: (jobs) => [NODE, ['--test', '--watch', '--test-reporter=tap', `--test-concurrency=${jobs}`]],
    display: (jobs) => `node --test --watch --test-reporter=tap --test-concurrency=${jobs}`,
    verdict: (line) => {
      const match = new RegExp(`^(not ok|ok) \\d+ - ${targetLine}( #.*)?$`).exec(line);
      return match ? (match[1] === 'ok' ? 'pass' : 'fail') : undefined;
    },
    done: (line) => line.startsWith('# duration_ms'),
  },
  vitest: {
    label: 'vitest watch',
    command: (jobs) => [NODE, [BIN.vitest, 'watch', '--reporter=verbose', `--maxWorkers=${jobs}`]],
    display: (jobs) => `vitest watch --reporter=verbose --maxWorkers=${jobs}`,
    verdict: (line) => {
      const match = new RegExp(`^\\s*([✓√×✗✕])\\s.*> ${targetLine}`).exec(line);
      return match ? (match[1] === '✓' || match[1] === '√' ? 'pass' : 'fail') : undefined;
    },
    done: (line) => /(Waiting|Watching) for file changes/.test(line),
  },
  jest: {
    label: 'jest --watch',
    command: (jobs) => [NODE, ['--experimental-vm-modules', BIN.jest, '--watch', '--verbose', `--maxWorkers=${jobs}`]],
    display: (jobs) => `node --experimental-vm-modules jest --watch --verbose --maxWorkers=${jobs}`,
    verdict: (line) => {
      const match = new RegExp(`^\\s*([✓√✕×])\\s+${targetLine}`).exec(line);
      return match ? (match[1] === '✓' || match[1] === '√' ? 'pass' : 'fail') : undefined;
    },
    done: (line) => line.startsWith('Ran all test suites'),
  },
  floor: {
    label: 'floor',
    command: () => [NODE, ['--expose-gc', `--test-reporter=${path.join(HERE, 'floor-reporter.mjs')}`, `--test-name-pattern=^${targetLine}$`, path.join(HERE, 'floor.mjs'), TARGET.nodeFile]],
    display: () => 'node --expose-gc --test-reporter=floor-reporter.mjs --test-name-pattern=<target> tools/bench/floor.mjs <test file>',
    verdict: (line) => /^VERDICT (pass|fail)/.exec(line)?.[1],
    done: undefined,
  },
};

/** A watcher session on its own copy of the repo, so that a write reaches only the tool measured. */
class Session {
  constructor(tool, root) {
    this.tool = tool;
    this.spec = WATCHERS[tool];
    this.root = root;
    this.generation = 0;
  }

  async start() {
    writeFileSync(path.join(this.root, TARGET.module), fixmeSource(false, 0));
    const [command, args] = this.spec.command(config.jobs);
    const environment = env();
    if (this.tool === 'floor') environment.FLOOR_TARGET = TARGET.name;
    this.proc = new Proc(this.tool, command, args, { cwd: this.root, env: environment });
    if (this.tool === 'floor') {
      await this.proc.waitFor('FLOOR READY', (line) => line === 'FLOOR READY', 60_000);
      await this.write(false, { unmeasured: true });
      return;
    }
    // Ready: the first run is over and the target has failed.
    const started = this.expect('fail', 900_000);
    const result = await started;
    await this.proc.quiet(500, 300_000);
    log(`${this.spec.label} ready in ${ms(result.doneAt - this.proc.startedAt)}`);
  }

  /** cctrial only: starts on the green repo and waits for the idle that follows the first suite. */
  async startGreen() {
    writeFileSync(path.join(this.root, TARGET.module), fixmeSource(true, 0));
    const [command, args] = this.spec.command(config.jobs);
    this.proc = new Proc(this.tool, command, args, { cwd: this.root, env: env() });
    const ready = await this.proc.waitFor('idle after the first suite', (line) => parseJson(line)?.type === 'idle' || undefined, 900_000);
    await this.proc.quiet(500, 300_000);
    log(`${this.spec.label} (green) ready in ${ms(ready.at - this.proc.startedAt)}`);
  }

  /** Registers the waits for the target's verdict and for the end of the run that follows it. */
  expect(wanted, timeoutMs, { afterWrite = false } = {}) {
    const state = { verdictAt: undefined, verdict: undefined };
    const verdict = this.proc.waitFor(`the target's verdict (${wanted})`, (line) => {
      const value = this.spec.verdict(line);
      if (value === undefined) return undefined;
      state.verdict = value;
      state.verdictAt = now();
      return value;
    }, timeoutMs);
    const done = this.spec.done
      ? this.proc.waitFor('the end of the run', (line) => state.verdict !== undefined && this.spec.done(line), timeoutMs)
      : verdict;
    let change;
    if (this.tool === 'cctrial' && afterWrite) {
      change = this.proc.waitFor('a change event', (line) => parseJson(line)?.type === 'change' || undefined, timeoutMs).catch(() => undefined);
      this.proc.waitFor('the fix run end', (line) => {
        const event = parseJson(line);
        return event?.type === 'run:end' && event.phase === 'fix' ? event : undefined;
      }, timeoutMs).then((result) => (state.fixRun = result.value), () => {});
    }
    return Promise.all([verdict, done, change]).then(([v, d, c]) => ({ verdict: v.value, verdictAt: v.at, doneAt: d.at, changeAt: c?.at, fixRunMs: state.fixRun?.durationMs }));
  }

  /** Rewrites fixme.mjs (broken or fixed) and times the write to the printed verdict of the target. */
  async write(fixed, { unmeasured = false } = {}) {
    this.generation += 1;
    const file = path.join(this.root, TARGET.module);
    const wanted = fixed ? 'pass' : 'fail';
    const result = this.expect(wanted, 600_000, { afterWrite: true });
    let start;
    if (this.tool === 'floor') {
      writeFileSync(file, fixmeSource(fixed, this.generation));
      start = now();
      this.proc.write(`go ${this.generation}\n`);
    } else {
      start = now();
      writeFileSync(file, fixmeSource(fixed, this.generation));
    }
    const outcome = await result;
    if (this.spec.done) await this.proc.quiet(500, 600_000);
    if (outcome.verdict !== wanted) throw new Error(`${this.spec.label}: expected the target to ${wanted}, it printed ${outcome.verdict}`);
    if (unmeasured) return undefined;
    return {
      latencyMs: outcome.verdictAt - start,
      detectMs: outcome.changeAt !== undefined ? outcome.changeAt - start : undefined,
      fixRunMs: outcome.fixRunMs,
    };
  }

  async stop() {
    if (!this.proc) return;
    if (this.tool === 'floor') this.proc.write('quit\n');
    await this.proc.stop();
    writeFileSync(path.join(this.root, TARGET.module), fixmeSource(true));
  }
}

// ---------------------------------------------------------------------------------------------
// 1. Fix-loop latency

async function fixLoop(results) {
  const tools = ['cctrial', ...['node', 'vitest', 'jest'].filter((tool) => config.peers.includes(tool)), 'floor'];
  const sessions = [];
  const out = (results.fix = { tools: {}, commands: {} });
  for (const tool of tools) {
    const root = generate({ preset: config.preset, dir: `${defaultDir(config.preset)}-${tool}`, force: flags.regenerate, log }).root;
    const session = new Session(tool, root);
    out.commands[tool] = WATCHERS[tool].display(config.jobs);
    out.tools[tool] = { still: [], fixing: [], rounds: [], detect: [], fixRun: [] };
    try {
      log(`fix loop: starting ${WATCHERS[tool].label} on ${root}`);
      await session.start();
      sessions.push(session);
    } catch (error) {
      out.tools[tool].error = firstLines(error.message);
      log(`fix loop: ${tool} failed to start: ${error.message}`);
      await session.stop().catch(() => {});
    }
  }
  const rounds = config.trials + (config.warmup ? 1 : 0);
  for (let round = 0; round < rounds; round++) {
    const measured = !config.warmup || round > 0;
    // Rotate the order so that no tool always follows the same one.
    const order = sessions.map((_, index) => sessions[(index + round) % sessions.length]);
    for (const session of order) {
      const record = out.tools[session.tool];
      if (record.error) continue;
      try {
        // From the failing state: a save that still fails, a save that fixes, a save that breaks again.
        await sleep(config.settleMs);
        const still = await session.write(false, { unmeasured: !measured });
        await sleep(config.settleMs);
        const fixing = await session.write(true, { unmeasured: !measured });
        await sleep(config.settleMs);
        await session.write(false, { unmeasured: true });
        if (measured) {
          record.still.push(still.latencyMs);
          record.fixing.push(fixing.latencyMs);
          record.rounds.push(round);
          if (fixing.detectMs !== undefined) record.detect.push(fixing.detectMs, still.detectMs);
          if (fixing.fixRunMs !== undefined) record.fixRun.push(fixing.fixRunMs, still.fixRunMs);
          log(`fix loop round ${round}: ${session.tool} still failing ${ms(still.latencyMs)}, fixing ${ms(fixing.latencyMs)}`);
        }
      } catch (error) {
        record.error = firstLines(error.message);
        log(`fix loop: ${session.tool} failed: ${error.message}`);
        await session.stop().catch(() => {});
      }
    }
  }
  await Promise.all(sessions.map((session) => session.stop().catch(() => {})));
}

function firstLines(text, count = 6) {
  return String(text).split('\n').slice(0, count).join('\n');
}

// ---------------------------------------------------------------------------------------------
// 2. Full-suite time

function suiteCommands(jobs) {
  const all = {
    cctrial: { display: `cctrial --once --json --no-notify -j ${jobs}`, command: [NODE, [CLI, '--once', '--json', '--no-notify', '-j', String(jobs)]] },
    'cctrial --isolation none': {
      display: `cctrial --once --json --no-notify -j ${jobs} --isolation none`,
      command: [NODE, [CLI, '--once', '--json', '--no-notify', '-j', String(jobs), '--isolation', 'none']],
    },
    node: { display: `node --test --test-concurrency=${jobs}`, command: [NODE, ['--test', `--test-concurrency=${jobs}`]] },
    vitest: { display: `vitest run --maxWorkers=${jobs}`, command: [NODE, [BIN.vitest, 'run', `--maxWorkers=${jobs}`]] },
    jest: { display: `node --experimental-vm-modules jest --maxWorkers=${jobs}`, command: [NODE, ['--experimental-vm-modules', BIN.jest, `--maxWorkers=${jobs}`]] },
    nx: { display: 'nx run-many -t test (each package: node --test)', command: [NODE, [BIN.nx, 'run-many', '-t', 'test']] },
    turbo: { display: 'turbo run test (each package: node --test)', command: [NODE, [BIN.turbo, 'run', 'test']] },
  };
  return Object.fromEntries(Object.entries(all).filter(([tool]) => tool.startsWith('cctrial') || config.peers.includes(tool)));
}

async function fullSuite(results, repo) {
  const commands = suiteCommands(config.jobs);
  const tools = Object.keys(commands);
  const out = (results.suite = { tools: {}, commands: Object.fromEntries(tools.map((tool) => [tool, commands[tool].display])) });
  for (const tool of tools) out.tools[tool] = { wall: [], rounds: [], phase: [] };
  const expected = repo.packages * repo.files * repo.tests;
  const rounds = config.trials + (config.warmup ? 1 : 0);
  for (let round = 0; round < rounds; round++) {
    const measured = !config.warmup || round > 0;
    for (let index = 0; index < tools.length; index++) {
      const tool = tools[(index + round) % tools.length];
      const record = out.tools[tool];
      if (record.error) continue;
      const [command, args] = commands[tool].command;
      let suiteEnd;
      const run = await runToEnd(tool, command, args, { cwd: repo.root, env: env() }, (line) => {
        const event = tool.startsWith('cctrial') ? parseJson(line) : undefined;
        if (event?.type === 'run:end' && event.phase === 'suite') suiteEnd = event;
      });
      if (run.code !== 0) {
        record.error = `exit code ${run.code}${run.signal ? ` (${run.signal})` : ''}: ${run.tail.slice(-8).join('\n')}`;
        log(`suite: ${tool} failed: ${record.error}`);
        continue;
      }
      if (tool.startsWith('cctrial') && suiteEnd?.passed !== expected) {
        record.error = `expected ${expected} passed tests, cctrial reported ${suiteEnd?.passed}`;
        log(`suite: ${record.error}`);
        continue;
      }
      if (measured) {
        record.wall.push(run.wallMs);
        record.rounds.push(round);
        if (suiteEnd) record.phase.push(suiteEnd.durationMs);
      }
      log(`suite ${measured ? `trial ${round + (config.warmup ? 0 : 1)}` : 'warm-up'}: ${tool} ${ms(run.wallMs)}${suiteEnd ? ` (suite phase ${ms(suiteEnd.durationMs)})` : ''}`);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// 3. Storm: 1,000 files rewritten at once while cctrial waits for a fix

async function storm(results) {
  const root = generate({ preset: config.preset, dir: `${defaultDir(config.preset)}-cctrial`, force: false, log }).root;
  const folder = path.join(root, 'packages/pkg-0/storm');
  mkdirSync(folder, { recursive: true });
  const files = Array.from({ length: config.stormFiles }, (_, index) => path.join(folder, `s-${String(index).padStart(4, '0')}.mjs`));
  const lastName = path.basename(files.at(-1));
  for (const file of files) writeFileSync(file, 'export const generation = 0;\n');
  // A test imports them all: cctrial counts only changes that can change a verdict (watch/relevance.ts),
  // and a storm of files that nothing imports starts no run, by design.
  const imports = files.map((file, index) => `import { generation as g${index} } from './${path.basename(file)}';`).join('\n');
  writeFileSync(path.join(folder, 'storm.test.mjs'), `import { test } from 'node:test';\n${imports}\ntest('storm modules load', () => {});\nexport const generations = [${files.map((_, index) => `g${index}`).join(', ')}];\n`);
  results.storm = { command: WATCHERS.cctrial.display(config.jobs), modes: {} };
  // Two states: waiting for a fix (one test failing), and idle after a green suite (with -f).
  for (const mode of ['fixing', 'green']) {
    const out = (results.storm.modes[mode] = { latency: [], runs: [], batches: [], files: [], missing: [], writeMs: [] });
    const session = new Session('cctrial', root);
    try {
      await (mode === 'fixing' ? session.start() : session.startGreen());
      const rounds = config.trials + (config.warmup ? 1 : 0);
      for (let round = 0; round < rounds; round++) {
        await sleep(config.settleMs);
        const events = [];
        const reported = new Set();
        const stopListening = session.proc.listen((line, at) => {
          const event = parseJson(line);
          if (event?.type === 'run:start' || event?.type === 'change' || event?.type === 'idle') events.push({ type: event.type, at, files: event.files?.length });
          if (event?.type === 'change') for (const file of event.files) reported.add(file);
        });
        // The run that covers the whole storm: the first run:start after the change that reports the last file.
        let lastReported = false;
        let covering;
        const runStart = session.proc.waitFor('a run:start after the change event with the last file', (line) => {
          const event = parseJson(line);
          if (event?.type === 'change' && event.files.some((file) => file.endsWith(lastName))) lastReported = true;
          return (lastReported && event?.type === 'run:start') || undefined;
        }, 600_000);
        runStart.then((result) => (covering = result), () => {});
        const first = now();
        for (const file of files) writeFileSync(file, `export const generation = '${mode}-${round + 1}';\n`);
        const last = now();
        // Settled: idle after the last run:start and 1 s of silence (or 10 s of silence if no run starts).
        const deadline = now() + 600_000;
        for (;;) {
          await sleep(100);
          const lastRun = events.findLastIndex((event) => event.type === 'run:start');
          const idleAfter = lastRun >= 0 && events.slice(lastRun).some((event) => event.type === 'idle');
          const silent = now() - session.proc.lastOutputAt;
          if ((idleAfter && silent >= 1000) || (lastRun < 0 && silent >= 10_000)) break;
          if (now() > deadline) throw new Error('cctrial did not settle within 600 s of the storm');
        }
        const settledAt = now();
        // Anything cctrial reports in the next 2 s is late (it would otherwise be counted in the next storm).
        await sleep(2000);
        stopListening();
        const late = events.filter((event) => event.at > settledAt).length;
        if (late > 0) log(`storm (${mode}) ${round}: ${late} event(s) came after cctrial had settled: ${events.filter((event) => event.at > settledAt).map((event) => event.type).join(', ')}`);
        const runs = events.filter((event) => event.type === 'run:start').length;
        const batches = events.filter((event) => event.type === 'change');
        const changed = batches.reduce((sum, event) => sum + event.files, 0);
        const missingFiles = files.map((file) => path.relative(root, file)).filter((file) => !reported.has(file));
        const missing = missingFiles.length;
        if (missing > 0) {
          out.missingNames = out.missingNames ?? [];
          out.missingNames.push(...missingFiles.map((file) => path.basename(file)));
        }
        if (!covering) void runStart.catch(() => {});
        const latency = covering ? covering.at - last : NaN;
        if (!config.warmup || round > 0) {
          out.latency.push(latency);
          out.runs.push(runs);
          out.batches.push(batches.length);
          out.files.push(changed);
          out.missing.push(missing);
          out.writeMs.push(last - first);
        }
        log(`storm (${mode}) ${round}: ${files.length} files written in ${ms(last - first)}; covering run:start ${covering ? `${ms(latency)} after the last write` : 'never (the last file was not reported)'}; ${runs} run(s), ${batches.length} change batch(es), ${changed} files reported, ${missing} never reported${missing ? ` (${missingFiles.slice(0, 5).map((file) => path.basename(file)).join(', ')})` : ''}`);
      }
    } catch (error) {
      out.error = firstLines(error.message);
      log(`storm (${mode}) failed: ${error.message}`);
    } finally {
      await session.stop().catch(() => {});
    }
  }
  rmSync(folder, { recursive: true, force: true });
}

// ---------------------------------------------------------------------------------------------
// 4. Idle cost and watcher readiness on the large preset

async function idle(results) {
  const repo = generate({ preset: config.idlePreset, force: flags.regenerate, log });
  const out = (results.idle = {
    preset: config.idlePreset,
    files: repo.fileCount,
    expectedTests: repo.packages * repo.files * repo.tests,
    ready: [], firstRun: [], firstIdle: [], rootRss: [], treeRss: [], rootRssMax: [], rootCpu: [], treeCpu: [], processes: [],
    command: WATCHERS.cctrial.display(config.jobs),
  });
  // Probe folders: the first and last packages in both numeric and name order, one in the middle, the shared one.
  const probePackages = [...new Set(['shared', 'pkg-0', `pkg-${Math.floor(repo.packages / 2)}`, `pkg-${repo.packages - 1}`, `pkg-${Math.min(9, repo.packages - 1)}`])];
  const probeDirs = probePackages.map((name) => path.join(repo.root, 'packages', name, 'probe'));
  const clearProbes = () => probeDirs.forEach((dir) => rmSync(dir, { recursive: true, force: true }));
  out.probeFolders = probePackages.map((name) => `packages/${name}/probe`);
  const [command, args] = WATCHERS.cctrial.command(config.jobs);
  for (let trial = 0; trial < config.trials; trial++) {
    // (a) Readiness: from spawn, a new file in each probe folder every 20 ms, until cctrial has reported
    // a probe from every folder; the watcher is ready at the latest of the folders' earliest reported writes.
    clearProbes();
    for (const dir of probeDirs) mkdirSync(dir, { recursive: true });
    const proc = new Proc('cctrial', command, args, { cwd: repo.root, env: env() });
    try {
      const firstRun = proc.waitFor('run:start', (line) => parseJson(line)?.type === 'run:start' || undefined, 300_000).catch(() => undefined);
      /** Folder -> index of the earliest probe reported there. */
      const earliest = new Map();
      const allSeen = proc.waitFor('change events with a probe file from every probe folder', (line) => {
        const event = parseJson(line);
        if (event?.type !== 'change') return undefined;
        for (const file of event.files) {
          const match = /packages\/([^/]+)\/probe\/p-(\d+)\.test\.mjs$/.exec(file);
          if (!match) continue;
          const index = Number(match[2]);
          if (!earliest.has(match[1]) || earliest.get(match[1]) > index) earliest.set(match[1], index);
        }
        return earliest.size === probeDirs.length || undefined;
      }, 300_000);
      let seen = false;
      allSeen.then(() => (seen = true), () => {});
      const written = [];
      for (let window = 0; !seen && window < 40; window++) {
        // Probe in windows of 3 s, then pause: cctrial reports a batch only once writes stop for a moment.
        const windowEnd = now() + 3000;
        while (!seen && now() < windowEnd) {
          const index = written.length;
          written.push(now());
          // New test files: a change counts only if it can change a verdict, and a new test file always can.
          for (const dir of probeDirs) writeFileSync(path.join(dir, `p-${String(index).padStart(5, '0')}.test.mjs`), `export const probe = ${index};\n`);
          await sleep(20);
        }
        const pauseEnd = now() + 600;
        while (!seen && now() < pauseEnd) await sleep(10);
      }
      await allSeen;
      const perFolder = [...earliest.values()].map((index) => written[index] - proc.startedAt);
      out.ready.push(Math.max(...perFolder));
      out.readyFirstFolder = out.readyFirstFolder ?? [];
      out.readyFirstFolder.push(Math.min(...perFolder));
      const run = await Promise.race([firstRun, sleep(1)]);
      if (run) out.firstRun.push(run.at - proc.startedAt);
      log(`idle ${trial + 1}: watcher ready ${ms(Math.max(...perFolder))} after spawn (first probe folder ${ms(Math.min(...perFolder))}); first run:start at ${run ? ms(run.at - proc.startedAt) : 'n/a'}`);
    } catch (error) {
      out.error = firstLines(error.message);
      log(`idle readiness failed: ${error.message}`);
    } finally {
      await proc.stop();
      clearProbes();
    }

    // (b) Idle cost: a fresh start, its first suite, then RSS and CPU while it waits.
    const watcher = new Proc('cctrial', command, args, { cwd: repo.root, env: env() });
    try {
      let suiteEnd;
      const firstIdle = await watcher.waitFor('idle', (line) => {
        const event = parseJson(line);
        if (event?.type === 'run:end' && event.phase === 'suite') suiteEnd = event;
        return event?.type === 'idle' || undefined;
      }, 1_800_000);
      if (suiteEnd?.passed !== out.expectedTests) throw new Error(`expected ${out.expectedTests} passed tests, cctrial reported ${suiteEnd?.passed}`);
      out.firstIdle.push(firstIdle.at - watcher.startedAt);
      await sleep(2000);
      const samples = [sampleTree(watcher.pid)];
      const end = now() + config.idleSampleMs;
      while (now() < end) {
        await sleep(200);
        samples.push(sampleTree(watcher.pid));
      }
      const cpu = cpuBetween(samples[0], samples.at(-1), watcher.pid);
      const rootRss = summarize(samples.map((sample) => sample.rootRssKb / 1024));
      const treeRss = summarize(samples.map((sample) => sample.treeRssKb / 1024));
      out.rootRss.push(rootRss.median);
      out.rootRssMax.push(rootRss.max);
      out.treeRss.push(treeRss.median);
      out.rootCpu.push(cpu.rootPct);
      out.treeCpu.push(cpu.treePct);
      out.processes.push(samples.at(-1).processes);
      log(`idle ${trial + 1}: first idle ${ms(firstIdle.at - watcher.startedAt)}; RSS ${rootRss.median.toFixed(1)} MB (tree ${treeRss.median.toFixed(1)} MB, ${samples.at(-1).processes} processes); CPU ${cpu.rootPct.toFixed(2)}% (tree ${cpu.treePct.toFixed(2)}%)`);
    } catch (error) {
      out.error = firstLines(error.message);
      log(`idle cost failed: ${error.message}`);
    } finally {
      await watcher.stop();
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Report

function stat(values) {
  return summarize(values ?? []);
}

function fmt(summary, unit = 'ms', digits = 0) {
  if (!summary.n) return 'n/a';
  const value = (number) => (unit === 'ms' && number >= 10_000 ? `${(number / 1000).toFixed(1)} s` : `${number.toFixed(digits)}${unit === 'ms' ? ' ms' : unit}`);
  return summary.n > 1 ? `${value(summary.median)} (${value(summary.min)}–${value(summary.max)})` : value(summary.median);
}

/** cctrial's value divided by the tool's, round by round (the tools of a round ran minutes apart at most). */
function paired(base, other, key) {
  const ratios = [];
  if (!base || !other) return summarize(ratios);
  base.rounds.forEach((round, index) => {
    const at = other.rounds.indexOf(round);
    if (at >= 0 && other[key][at] > 0) ratios.push(base[key][index] / other[key][at]);
  });
  return summarize(ratios);
}

const fmtPaired = (summary) => (summary.n ? `${summary.median.toFixed(2)}×${summary.n > 1 ? ` (${summary.min.toFixed(2)}–${summary.max.toFixed(2)})` : ''}` : 'n/a');

const ratio = (a, b) => (Number.isFinite(a) && Number.isFinite(b) && b > 0 ? a / b : NaN);
const fmtRatio = (value) => (Number.isFinite(value) ? `${value.toFixed(2)}×` : 'n/a');
const check = (ok) => (ok === undefined ? '? not measured' : ok ? '✅ met' : '❌ missed');

function buildReport(results, info, totalMs) {
  const lines = [];
  const goals = [];
  const push = (...text) => lines.push(...text);
  const fix = results.fix;
  const suite = results.suite;
  const labels = { cctrial: 'cctrial', node: 'node --test --watch', vitest: 'Vitest watch', jest: 'Jest --watch', floor: 'floor (warm process)' };

  if (fix) {
    const base = stat(fix.tools.cctrial?.fixing).median;
    const baseStill = stat(fix.tools.cctrial?.still).median;
    push('### 1. Fix-loop latency (save → printed verdict of the one failing test)', '');
    push('| tool | fixing save (→ pass) | cctrial ÷ tool | per round | still-failing save (→ fail) | cctrial ÷ tool | per round |', '|---|---|---|---|---|---|---|');
    for (const [tool, record] of Object.entries(fix.tools)) {
      if (record.error) {
        push(`| ${labels[tool]} | failed: ${record.error.split('\n')[0].replace(/\|/g, '\\|')} | | | | | |`);
        continue;
      }
      const fixing = stat(record.fixing);
      const still = stat(record.still);
      const self = tool === 'cctrial';
      const cctrialRecord = fix.tools.cctrial?.error ? undefined : fix.tools.cctrial;
      push(`| ${labels[tool]} | ${fmt(fixing)} | ${self ? '—' : fmtRatio(ratio(base, fixing.median))} | ${self ? '—' : fmtPaired(paired(cctrialRecord, record, 'fixing'))} | ${fmt(still)} | ${self ? '—' : fmtRatio(ratio(baseStill, still.median))} | ${self ? '—' : fmtPaired(paired(cctrialRecord, record, 'still'))} |`);
    }
    const detect = stat(fix.tools.cctrial?.detect);
    const fixRun = stat(fix.tools.cctrial?.fixRun);
    if (detect.n) push('', `cctrial breakdown (both kinds of save): write → \`change\` event ${fmt(detect)}; the fix run's own \`run:end\` durationMs ${fmt(fixRun)}.`);
    push('');
    const r = (tool) => ratio(base, stat(fix.tools[tool]?.fixing).median);
    const has = (tool) => fix.tools[tool] && !fix.tools[tool].error && fix.tools[tool].fixing.length > 0;
    goals.push(['Fix loop ≤ 1/3 of node --test --watch', has('node') ? fmtRatio(r('node')) : 'n/a', has('node') ? r('node') <= 1 / 3 : undefined]);
    goals.push(['Fix loop ≤ 1/2 of Vitest watch', has('vitest') ? fmtRatio(r('vitest')) : 'n/a', has('vitest') ? r('vitest') <= 1 / 2 : undefined]);
    goals.push(['Fix loop ≤ 1.3× the floor', has('floor') ? fmtRatio(r('floor')) : 'n/a', has('floor') ? r('floor') <= 1.3 : undefined]);
  }

  if (suite) {
    const base = stat(suite.tools.cctrial?.wall).median;
    push('### 2. Full-suite time (wall clock, spawn → exit, green repo)', '');
    push('| tool | command | wall median (min–max) | cctrial ÷ tool | per round |', '|---|---|---|---|---|');
    for (const [tool, record] of Object.entries(suite.tools)) {
      if (record.error) {
        push(`| ${tool} | \`${suite.commands[tool]}\` | failed: ${record.error.split('\n')[0].replace(/\|/g, '\\|')} | | |`);
        continue;
      }
      const wall = stat(record.wall);
      const cctrialRecord = suite.tools.cctrial?.error ? undefined : suite.tools.cctrial;
      push(`| ${tool} | \`${suite.commands[tool]}\` | ${fmt(wall)} | ${tool === 'cctrial' ? '—' : fmtRatio(ratio(base, wall.median))} | ${tool === 'cctrial' ? '—' : fmtPaired(paired(cctrialRecord, record, 'wall'))} |`);
    }
    const phase = stat(suite.tools.cctrial?.phase);
    if (phase.n) push('', `cctrial's suite phase alone (\`run:end\` durationMs, without start-up and discovery): ${fmt(phase)}.`);
    push('');
    const r = (tool) => ratio(base, stat(suite.tools[tool]?.wall).median);
    const has = (tool) => suite.tools[tool] && !suite.tools[tool].error && suite.tools[tool].wall.length > 0;
    // Judged for both ways of running: a process per file (the default) and shared processes (--isolation none).
    for (const self of ['cctrial', 'cctrial --isolation none']) {
      if (!has(self)) continue;
      const selfMedian = stat(suite.tools[self].wall).median;
      const rr = (tool) => ratio(selfMedian, stat(suite.tools[tool]?.wall).median);
      const label = self === 'cctrial' ? 'Full suite' : 'Full suite, --isolation none,';
      goals.push([`${label} ≤ 0.6× node --test --test-concurrency=${config.jobs}`, has('node') ? fmtRatio(rr('node')) : 'n/a', has('node') ? rr('node') <= 0.6 : undefined]);
      goals.push([`${label} faster than Jest`, has('jest') ? fmtRatio(rr('jest')) : 'n/a', has('jest') ? rr('jest') < 1 : undefined]);
      goals.push([`${label} faster than turbo run test`, has('turbo') ? fmtRatio(rr('turbo')) : 'n/a', has('turbo') ? rr('turbo') < 1 : undefined]);
      goals.push([`${label} faster than nx run-many -t test`, has('nx') ? fmtRatio(rr('nx')) : 'n/a', has('nx') ? rr('nx') < 1 : undefined]);
    }
    if (has('cctrial --isolation none')) {
      const shared = suite.tools['cctrial --isolation none'];
      push(`\`--isolation none\` ÷ the default (a process per file): ${fmtRatio(ratio(stat(shared.wall).median, base))}; per round ${fmtPaired(paired(shared, suite.tools.cctrial, 'wall'))}.`, '');
    }
  }

  const idleResult = results.idle;
  if (idleResult) {
    push(`### 3. Idle cost on the ${idleResult.preset} preset (${idleResult.files.toLocaleString('en')} files, ${idleResult.expectedTests.toLocaleString('en')} tests)`, '');
    if (idleResult.error) push(`Failed: ${idleResult.error.split('\n')[0]}`, '');
    push('| measure | median (min–max) |', '|---|---|');
    push(`| watcher ready: spawn → probes reported from all ${idleResult.probeFolders?.length ?? ''} probe folders | ${fmt(stat(idleResult.ready))} |`);
    push(`| spawn → probes reported from the first probe folder | ${fmt(stat(idleResult.readyFirstFolder))} |`);
    push(`| spawn → first \`run:start\` | ${fmt(stat(idleResult.firstRun))} |`);
    push(`| spawn → first \`idle\` (includes the first suite run) | ${fmt(stat(idleResult.firstIdle))} |`);
    push(`| RSS of the cctrial process while idle | ${fmt(stat(idleResult.rootRss), ' MB', 1)} |`);
    push(`| RSS of cctrial and all its child processes while idle | ${fmt(stat(idleResult.treeRss), ' MB', 1)} (${fmt(stat(idleResult.processes), '', 0)} processes) |`);
    push(`| CPU of the cctrial process while idle (% of one core) | ${fmt(stat(idleResult.rootCpu), '%', 2)} |`);
    push(`| CPU of cctrial and its children while idle | ${fmt(stat(idleResult.treeCpu), '%', 2)} |`);
    push('');
    const rss = stat(idleResult.rootRss).median;
    const treeRss = stat(idleResult.treeRss).median;
    const cpu = stat(idleResult.treeCpu).median;
    const ready = stat(idleResult.ready).median;
    goals.push([`Idle RSS ≤ 80 MB (cctrial process; whole tree ${Number.isFinite(treeRss) ? `${treeRss.toFixed(0)} MB` : 'n/a'})`, Number.isFinite(rss) ? `${rss.toFixed(1)} MB` : 'n/a', Number.isFinite(rss) ? rss <= 80 : undefined]);
    goals.push(['Idle CPU near 0 (≤ 1% of a core, whole tree)', Number.isFinite(cpu) ? `${cpu.toFixed(2)}%` : 'n/a', Number.isFinite(cpu) ? cpu <= 1 : undefined]);
    goals.push(['Watcher ready ≤ 1 s', Number.isFinite(ready) ? ms(ready) : 'n/a', Number.isFinite(ready) ? ready <= 1000 : undefined]);
  }

  const stormResult = results.storm;
  if (stormResult) {
    push(`### 4. Storm (${config.stormFiles.toLocaleString('en')} files rewritten in one package)`, '');
    const modes = Object.entries(stormResult.modes);
    const title = { fixing: 'while waiting for a fix', green: 'while idle after a green suite' };
    push(`| measure | ${modes.map(([mode]) => title[mode]).join(' | ')} |`, `|---|${modes.map(() => '---|').join('')}`);
    const row = (label, pick) => push(`| ${label} | ${modes.map(([, out]) => (out.error ? `failed: ${out.error.split('\n')[0].replace(/\|/g, '\\|')}` : pick(out))).join(' | ')} |`);
    row('last write → `run:start` of the run that covers it', (out) => fmt(stat(out.latency)));
    row(`time to write the ${config.stormFiles} files`, (out) => fmt(stat(out.writeMs)));
    row('runs started per storm', (out) => fmt(stat(out.runs), '', 0));
    row('`change` batches per storm (files reported)', (out) => `${fmt(stat(out.batches), '', 0)} (${fmt(stat(out.files), '', 0)})`);
    row('storm files never reported in any `change` event', (out) => fmt(stat(out.missing), '', 0));
    row('storms whose last file was never reported (no covering run)', (out) => `${out.latency.filter((value) => !Number.isFinite(value)).length} of ${out.latency.length}`);
    push('');
    for (const [mode, out] of modes) {
      const missed = out.latency.some((value) => !Number.isFinite(value));
      const latency = missed ? NaN : stat(out.latency).median;
      const runs = stat(out.runs).max;
      goals.push([`Storm ${title[mode]}: run starts ≤ 150 ms after the last write`, missed ? 'the last file was not reported in some storms' : ms(latency), missed ? false : Number.isFinite(latency) ? latency <= 150 : undefined]);
      goals.push([`Storm ${title[mode]}: a single run`, Number.isFinite(runs) ? `max ${runs}` : 'n/a', Number.isFinite(runs) ? runs === 1 : undefined]);
    }
  }

  const affected = results.affected;
  if (affected) {
    push(`### 5. Affected first and smart mode (${affected.preset} preset, a change to \`${affected.leaf ?? 'the leaf module'}\`, whose test file runs last)`, '');
    push('| measure | median (min–max) |', '|---|---|');
    push(`| first suite, in its own order: \`run:start\` → the leaf's test file's first verdict | ${fmt(stat(affected.defaultOrder))} |`);
    push(`| -f, after a bug in the leaf: \`run:start\` → first \`test:fail\` | ${fmt(stat(affected.affectedOrder))} |`);
    push(`| -s, after a save to the leaf: test files the suite step ran (its importers: ${affected.importers}) | ${fmt(stat(affected.smartFiles), '', 0)} |`);
    push(`| -s: that suite step's \`run:end\` durationMs, against the whole suite's | ${fmt(stat(affected.smartMs))} against ${fmt(stat(affected.fullMs))} |`);
    push('');
    const first = stat(affected.affectedOrder).median;
    const files = stat(affected.smartFiles).max;
    goals.push([`Affected first: first \`test:fail\` ≤ 1 s after the suite starts (${fmtRatio(ratio(first, stat(affected.defaultOrder).median))} of the time in the suite's own order)`, ms(first), Number.isFinite(first) ? first <= 1000 : undefined]);
    goals.push(["Smart: the suite step after a save runs only the module's importers", Number.isFinite(files) ? `max ${files} file(s)` : 'n/a', Number.isFinite(files) ? files === affected.importers : undefined]);
  }

  const recheckResult = results.recheck;
  if (recheckResult) {
    push(`### 6. Recheck (${recheckResult.files} test files, every test of them failing, then fixed at once)`, '');
    push('| measure | median (min–max) |', '|---|---|');
    push(`| the recheck's \`run:end\` durationMs (${recheckResult.tests - 1} tests: all but the fixed one) | ${fmt(stat(recheckResult.recheckMs))} |`);
    push(`| \`cctrial --once ${RECHECK_PACKAGES.map((pkg) => `packages/${pkg}`).join(' ')}\`: the suite phase over the same files | ${fmt(stat(recheckResult.suiteMs))} |`);
    push('');
    const perRound = recheckResult.recheckMs.map((value, index) => value / recheckResult.suiteMs[index]);
    const worst = Math.max(...perRound);
    goals.push([`Recheck of ${recheckResult.files} failing files ≤ 1.1× a suite run over them (worst round; median ${fmtRatio(stat(perRound).median)})`, fmtRatio(worst), perRound.length ? worst <= 1.1 : undefined]);
  }

  const goalLines = ['| goal (ratios within this run) | measured | |', '|---|---|---|', ...goals.map(([goal, value, ok]) => `| ${goal} | ${value} | ${check(ok)} |`)];
  const header = [
    `Run of ${info.date}: ${commandLine}, ${config.trials} trial(s)${config.warmup ? ' after one warm-up round' : ''}, -j ${config.jobs}; took ${(totalMs / 60000).toFixed(1)} min.`,
    '',
    `Machine: ${info.cpu}, ${info.cores} cores, ${info.ramGiB} GiB RAM, ${info.os}; load average ${info.loadBefore} before and ${info.loadAfter} after (1/5/15 min); 1-minute load average during the run, sampled every 10 s: median ${info.loadDuring}. The bench itself accounts for up to about ${info.cores} of it while a suite runs (-j ${config.jobs}); the rest is other work on the shared machine.`,
    '',
    `Versions: Node ${info.versions.node}; cctrial ${info.versions.cctrial}; Vitest ${info.versions.vitest}; Jest ${info.versions.jest}; Nx ${info.versions.nx}; Turborepo ${info.versions.turbo}.`,
    '',
  ];
  return { header, goals: goalLines, body: lines };
}

function writeDoc(report, results, info) {
  const template = readFileSync(path.join(HERE, 'performance.template.md'), 'utf8');
  const raw = JSON.stringify({ config, info, results }, (key, value) => (typeof value === 'number' ? Math.round(value * 100) / 100 : value), 1);
  const fixCommands = results.fix ? Object.entries(results.fix.commands).map(([tool, command]) => `- ${tool}: \`${command}\``).join('\n') : '(not run)';
  const text = template
    .replace('{{HEADER}}', report.header.join('\n').trimEnd())
    .replace('{{GOALS}}', report.goals.join('\n'))
    .replace('{{RESULTS}}', report.body.join('\n').trimEnd())
    .replace('{{FIX_COMMANDS}}', fixCommands)
    .replace('{{RAW}}', raw);
  mkdirSync(path.dirname(outFile), { recursive: true });
  writeFileSync(outFile, text);
  log(`wrote ${path.relative(process.cwd(), outFile) || outFile}`);
}

// ---------------------------------------------------------------------------------------------
// 5. Affected first and smart mode (large preset): a change to one leaf module of the package that
// runs last

/** Every NDJSON event the process prints from now on, each with when it came (`at`). */
function collectEvents(proc) {
  const events = [];
  const stop = proc.listen((line, at) => {
    const event = parseJson(line);
    if (event) events.push({ ...event, at });
  });
  return { events, stop };
}

async function affectedFirst(results) {
  const repo = generate({ preset: config.idlePreset, force: flags.regenerate, log });
  const out = (results.affected = { preset: config.idlePreset, defaultOrder: [], affectedOrder: [], smartFiles: [], smartMs: [], fullMs: [], importers: 1 });
  const cwd = repo.root;
  for (let trial = 0; trial < config.trials; trial++) {
    // (a) -f: the first suite in its own order, on the green repo; then a bug in the leaf module of
    // the file that ran last. Its first test's verdict came that late in the first suite; after the
    // change, affected first, its first failure should come at once.
    const session = new Proc('cctrial', NODE, [CLI, '-f', '--json', '--no-notify', '-j', String(config.jobs)], { cwd, env: env() });
    const { events, stop } = collectEvents(session);
    let leaf;
    try {
      await session.waitFor('idle after the first suite', (line) => parseJson(line)?.type === 'idle' || undefined, 900_000);
      const firstStart = events.find((event) => event.type === 'run:start');
      const lastFile = events.filter((event) => event.type === 'test:start').at(-1).file;
      leaf = path.join(cwd, lastFile.replace(/\.test\.mjs$/, '.mjs'));
      const firstVerdict = events.find((event) => event.type === 'test:pass' && event.file === lastFile);
      out.defaultOrder.push(firstVerdict.at - firstStart.at);
      out.leaf = path.relative(cwd, leaf);
      await session.quiet(500, 60_000);
      const from = events.length;
      const source = readFileSync(leaf, 'utf8');
      writeFileSync(leaf, source.replace(/return add\(n, (\d+)\);/, 'return add(n, $1) + 1;'));
      try {
        await session.waitFor('the fix after the broken leaf', (line) => parseJson(line)?.type === 'idle' || undefined, 900_000);
      } finally {
        writeFileSync(leaf, source);
      }
      const start = events.slice(from).find((event) => event.type === 'run:start' && event.phase === 'suite');
      const firstFailure = events.slice(from).find((event) => event.type === 'test:fail');
      out.affectedOrder.push(firstFailure.at - start.at);
      log(`affected first trial ${trial + 1}: the leaf's first verdict after ${ms(out.defaultOrder.at(-1))} in the first suite, its first failure after ${ms(out.affectedOrder.at(-1))} once changed`);
    } finally {
      stop();
      await session.stop();
    }

    // (b) -s: a save to the same leaf module (a new comment: still green) runs only its importers.
    const smart = new Proc('cctrial', NODE, [CLI, '-s', '--json', '--no-notify', '-j', String(config.jobs)], { cwd, env: env() });
    const watched = collectEvents(smart);
    try {
      await smart.waitFor('idle after the first suite', (line) => parseJson(line)?.type === 'idle' || undefined, 900_000);
      await smart.quiet(500, 60_000);
      const from = watched.events.length;
      const source = readFileSync(leaf, 'utf8');
      writeFileSync(leaf, `${source}// saved by the bench\n`);
      try {
        await smart.waitFor('idle after the smart suite', (line) => parseJson(line)?.type === 'idle' || undefined, 900_000);
      } finally {
        writeFileSync(leaf, source);
      }
      const ends = watched.events.filter((event) => event.type === 'run:end' && event.phase === 'suite');
      out.fullMs.push(ends[0].durationMs);
      out.smartMs.push(ends.at(-1).durationMs);
      out.smartFiles.push(watched.events.slice(from).find((event) => event.type === 'run:start').files);
      log(`smart trial ${trial + 1}: the suite step ran ${out.smartFiles.at(-1)} file(s) in ${ms(out.smartMs.at(-1))}, against ${ms(out.fullMs.at(-1))} for the whole suite`);
    } finally {
      watched.stop();
      await smart.stop();
    }
  }
}

// ---------------------------------------------------------------------------------------------
// 6. Recheck: after the fix, the files that held failing tests run again; timed against a suite run
// of those same files

/** The packages whose modules the recheck breaks: all their test files fail, every test of them. */
const RECHECK_PACKAGES = ['pkg-1', 'pkg-2'];

async function recheck(results) {
  const repo = generate({ preset: config.preset, dir: `${defaultDir(config.preset)}-recheck`, force: flags.regenerate, log });
  const cwd = repo.root;
  const modules = RECHECK_PACKAGES.flatMap((pkg) => Array.from({ length: repo.files }, (_, f) => path.join(cwd, 'packages', pkg, 'src', `mod-${f}.mjs`)));
  const out = (results.recheck = { files: modules.length, tests: modules.length * repo.tests, recheckMs: [], suiteMs: [], rounds: [] });
  for (let trial = 0; trial < config.trials; trial++) {
    const session = new Proc('cctrial', NODE, [CLI, '-f', '--json', '--no-notify', '-j', String(config.jobs)], { cwd, env: env() });
    const { events, stop } = collectEvents(session);
    const sources = modules.map((file) => readFileSync(file, 'utf8'));
    try {
      await session.waitFor('idle after the first suite', (line) => parseJson(line)?.type === 'idle' || undefined, 900_000);
      await session.quiet(500, 60_000);
      const from = events.length;
      modules.forEach((file, index) => writeFileSync(file, sources[index].replace(/return add\(n, (\d+)\);/, 'return add(n, $1) + 1;')));
      await session.waitFor('the failing fix run', (line) => {
        const event = parseJson(line);
        return (event?.type === 'run:end' && event.phase === 'fix') || undefined;
      }, 900_000);
      modules.forEach((file, index) => writeFileSync(file, sources[index]));
      // cctrial is idle while it waits for the fix too: wait for the recheck itself, then for the suite after it.
      await session.waitFor('the recheck', (line) => {
        const event = parseJson(line);
        return (event?.type === 'run:end' && event.phase === 'recheck') || undefined;
      }, 900_000);
      await session.waitFor('idle after the suite', (line) => parseJson(line)?.type === 'idle' || undefined, 900_000);
      const end = events.slice(from).find((event) => event.type === 'run:end' && event.phase === 'recheck');
      if (!end || end.passed < out.tests - 1) {
        const steps = events.slice(from).filter((event) => event.type === 'run:end').map((event) => `${event.phase}: ${event.passed} passed, ${event.failed} failed`);
        throw new Error(`expected a recheck of ${out.tests - 1} tests, got ${steps.join('; ')}`);
      }
      out.recheckMs.push(end.durationMs);
    } finally {
      modules.forEach((file, index) => writeFileSync(file, sources[index]));
      stop();
      await session.stop();
    }
    let suiteEnd;
    const folders = RECHECK_PACKAGES.map((pkg) => `packages/${pkg}`);
    const run = await runToEnd('cctrial', NODE, [CLI, '--once', '--json', '--no-notify', '-j', String(config.jobs), ...folders], { cwd, env: env() }, (line) => {
      const event = parseJson(line);
      if (event?.type === 'run:end' && event.phase === 'suite') suiteEnd = event;
    });
    if (run.code !== 0 || suiteEnd?.passed !== out.tests) throw new Error(`the suite run of ${folders.join(' ')} failed: ${run.tail.slice(-5).join('\n')}`);
    out.suiteMs.push(suiteEnd.durationMs);
    out.rounds.push(trial);
    log(`recheck trial ${trial + 1}: recheck of ${out.tests - 1} tests in ${ms(out.recheckMs.at(-1))}, a suite run of their ${out.files} files in ${ms(out.suiteMs.at(-1))}`);
  }
}

// ---------------------------------------------------------------------------------------------

async function main() {
  const started = now();
  if (flags.build) {
    log('building cctrial');
    execFileSync(NODE, [path.join(REPO_ROOT, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.json'], { cwd: path.join(REPO_ROOT, 'packages/cctrial'), stdio: 'inherit' });
  }
  if (!existsSync(BUILT_CLI)) {
    console.error(`bench: ${BUILT_CLI} does not exist. Build cctrial first: npx nx run cctrial:build (or pass --build).`);
    process.exit(2);
  }
  const info = machineInfo();
  // Other work on the machine: the 1-minute load average every 10 s while the bench runs.
  const loads = [os.loadavg()[0]];
  const loadTimer = setInterval(() => loads.push(os.loadavg()[0]), 10_000);
  loadTimer.unref();
  CLI = snapshotBuild();
  log(`running a copy of cctrial's build: ${CLI}`);
  log(`${info.cpu}, ${info.cores} cores; Node ${info.versions.node}; trials ${config.trials}; -j ${config.jobs}; phases ${config.phases.join(',')}; load ${info.loadBefore}`);
  const results = {};
  if (config.phases.includes('suite')) await fullSuite(results, generate({ preset: config.preset, force: flags.regenerate, log }));
  if (config.phases.includes('fix')) await fixLoop(results);
  if (config.phases.includes('storm')) await storm(results);
  if (config.phases.includes('idle')) await idle(results);
  if (config.phases.includes('affected')) await affectedFirst(results);
  if (config.phases.includes('recheck')) await recheck(results);
  info.loadAfter = os.loadavg().map((value) => value.toFixed(2)).join(' ');
  clearInterval(loadTimer);
  const load = summarize(loads);
  info.loadDuring = `${load.median.toFixed(1)} (${load.min.toFixed(1)}–${load.max.toFixed(1)})`;
  const totalMs = now() - started;
  const report = buildReport(results, info, totalMs);
  console.log(['', ...report.header, ...report.body, '### Goals', '', ...report.goals, ''].join('\n'));
  if (outFile) writeDoc(report, results, info);
  log(`done in ${(totalMs / 60000).toFixed(1)} min`);
}

main().then(
  () => process.exit(0),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
