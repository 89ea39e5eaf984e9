#!/usr/bin/env node
/**
 * Load and soak runs of the built cctrial CLI (packages/cctrial/dist/src/cli.js), for
 * docs/reliability.md. Both generate a workspace in a temporary folder, drive cctrial through its
 * --json events, and print a table.
 *
 *   node tools/soak.mjs files 5000 [--jobs N] [--keep]
 *       A monorepo of N test files (100 per package, 2 tests each, every file importing its package
 *       and a shared package through workspace links), run once with `cctrial --once`: wall time,
 *       tests reported, exit code, peak RSS of cctrial, processes left afterwards.
 *
 *   node tools/soak.mjs cycles 500 [--every 50] [--jobs N] [--keep]
 *       One `cctrial -f` driven through N cycles of the whole loop: break (a shared source file now
 *       throws in 4 tests) -> suite -> fix -> wait; fix (rewrite it) -> fix -> recheck -> suite -> wait.
 *       Every --every cycles it samples cctrial's RSS (VmRSS) and open file descriptors
 *       (/proc/<pid>/fd), and how many processes it has.
 *
 * Run it after a build (`cd packages/cctrial && npx tsc -p tsconfig.json`). It exits 1 if a run does
 * not end as expected. `--cli FILE` runs another build of the CLI, such as a copy of dist/ made so that
 * rebuilds during a long soak do not change the code under test.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const REPO_ROOT = fileURLToPath(new URL('..', import.meta.url));
let CLI = path.join(REPO_ROOT, 'packages/cctrial/dist/src/cli.js');
const FILES_PER_PACKAGE = 100;
const EVENT_TIMEOUT_MS = 10 * 60_000;

const HEADER = "import { test } from 'node:test';\nimport assert from 'node:assert/strict';\n";

// ---------------------------------------------------------------------------------------------------
// Workspaces

function tempWorkspace(prefix) {
  return realpathSync(mkdtempSync(path.join(tmpdir(), prefix)));
}

function write(root, relative, content) {
  const file = path.join(root, relative);
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, content);
}

/** Links node_modules/<name> at the root to a package folder, as npm workspaces do. */
function link(root, name, folder) {
  const at = path.join(root, 'node_modules', name);
  mkdirSync(path.dirname(at), { recursive: true });
  symlinkSync(path.relative(path.dirname(at), path.join(root, folder)), at, 'dir');
}

/** N test files in packages of 100, each file with 2 tests that use its package and @soak/shared. */
function generateFilesWorkspace(fileCount) {
  const root = tempWorkspace('cctrial-soak-files-');
  const packages = Math.ceil(fileCount / FILES_PER_PACKAGE);
  write(root, 'package.json', JSON.stringify({ name: 'soak-files', private: true, workspaces: ['packages/*'] }));
  write(root, 'packages/shared/package.json', JSON.stringify({ name: '@soak/shared', type: 'module', exports: './index.js' }));
  write(root, 'packages/shared/index.js', 'export const double = (n) => n * 2;\n');
  link(root, '@soak/shared', 'packages/shared');
  let written = 0;
  for (let p = 0; p < packages; p++) {
    const name = `pkg-${String(p).padStart(3, '0')}`;
    write(root, `packages/${name}/package.json`, JSON.stringify({ name: `@soak/${name}`, type: 'module', exports: './src/index.js', dependencies: { '@soak/shared': '*' } }));
    write(root, `packages/${name}/src/index.js`, `import { double } from '@soak/shared';\nexport const quadruple = (n) => double(double(n));\n`);
    link(root, `@soak/${name}`, `packages/${name}`);
    for (let f = 0; f < FILES_PER_PACKAGE && written < fileCount; f++, written++) {
      write(
        root,
        `packages/${name}/test/t-${String(f).padStart(3, '0')}.test.js`,
        HEADER +
          `import { double } from '@soak/shared';\nimport { quadruple } from '@soak/${name}';\n` +
          `test('${name} file ${f} doubles', () => assert.equal(double(${f}), ${2 * f}));\n` +
          `test('${name} file ${f} quadruples', () => assert.equal(quadruple(${f}), ${4 * f}));\n`,
      );
    }
  }
  return root;
}

const SHARED_FIXED = 'export function price(cents) {\n  return Math.round(cents) / 100;\n}\n';
const sharedBroken = (cycle) => `export function price(cents) {\n  throw new RangeError('price is broken (cycle ${cycle})');\n}\n`;

/** A small monorepo for the loop: 4 tests of @soak/app use @soak/shared's price(); 6 more do not. */
function generateCyclesWorkspace() {
  const root = tempWorkspace('cctrial-soak-cycles-');
  write(root, 'package.json', JSON.stringify({ name: 'soak-cycles', private: true, workspaces: ['packages/*'] }));
  write(root, 'packages/shared/package.json', JSON.stringify({ name: '@soak/shared', type: 'module', exports: './index.js' }));
  write(root, 'packages/shared/index.js', SHARED_FIXED);
  write(root, 'packages/app/package.json', JSON.stringify({ name: '@soak/app', type: 'module', dependencies: { '@soak/shared': '*' } }));
  link(root, '@soak/shared', 'packages/shared');
  link(root, '@soak/app', 'packages/app');
  write(
    root,
    'packages/app/test/price.test.js',
    HEADER +
      "import { price } from '@soak/shared';\n" +
      "test('prices one euro', () => assert.equal(price(100), 1));\n" +
      "test('prices cents', () => assert.equal(price(250), 2.5));\n",
  );
  write(
    root,
    'packages/app/test/cart.test.js',
    HEADER + "import { price } from '@soak/shared';\ntest('totals a cart', () => assert.equal(price(100) + price(50), 1.5));\ntest('prices nothing', () => assert.equal(price(0), 0));\n",
  );
  for (let f = 0; f < 3; f++) {
    write(root, `packages/app/test/plain-${f}.test.js`, HEADER + `test('plain ${f}a', () => assert.ok(true));\ntest('plain ${f}b', () => assert.equal(${f} + 1, ${f + 1}));\n`);
  }
  return root;
}

// ---------------------------------------------------------------------------------------------------
// A live cctrial, driven by its NDJSON events

function startCctrial(root, args) {
  const child = spawn(process.execPath, [CLI, '--json', '--no-notify', ...args], {
    cwd: root,
    env: { ...process.env, CI: '', NODE_TEST_CONTEXT: '', NO_COLOR: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const events = [];
  let stderr = '';
  let wake = () => {};
  child.stderr.on('data', (chunk) => (stderr += chunk));
  createInterface({ input: child.stdout, crlfDelay: Infinity }).on('line', (line) => {
    events.push(JSON.parse(line));
    wake();
  });
  const exited = new Promise((resolve) => child.on('close', (code, signal) => resolve(code ?? signal)));
  child.on('close', () => wake());
  /** Resolves with the index of the first event at or after `from` that matches. */
  const waitFor = (from, predicate, what) =>
    new Promise((resolve, reject) => {
      const timer = setTimeout(() => fail(new Error(`timed out waiting for ${what}`)), EVENT_TIMEOUT_MS);
      const fail = (error) => {
        clearTimeout(timer);
        wake = () => {};
        error.message += `\nlast events:\n${events.slice(-12).map((event) => JSON.stringify(event).slice(0, 300)).join('\n')}\nstderr:\n${stderr}`;
        reject(error);
      };
      let scanned = from;
      const check = () => {
        for (; scanned < events.length; scanned++) {
          if (predicate(events[scanned])) {
            clearTimeout(timer);
            wake = () => {};
            return resolve(scanned);
          }
        }
        if (child.exitCode !== null || child.signalCode !== null) fail(new Error(`cctrial exited (${child.exitCode ?? child.signalCode}) before ${what}`));
      };
      wake = check;
      check();
    });
  return { child, events, waitFor, exited, stderr: () => stderr };
}

// ---------------------------------------------------------------------------------------------------
// /proc

function vmRssMb(pid) {
  try {
    return Number(/^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))[1]) / 1024;
  } catch {
    return undefined;
  }
}

function openFds(pid) {
  try {
    return readdirSync(`/proc/${pid}/fd`).length;
  } catch {
    return undefined;
  }
}

function descendantsOf(ancestor) {
  const parentOf = new Map();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      parentOf.set(Number(entry), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
    } catch {
      // Gone while scanning.
    }
  }
  return [...parentOf.keys()].filter((pid) => {
    for (let parent = parentOf.get(pid); parent !== undefined && parent > 1; parent = parentOf.get(parent)) if (parent === ancestor) return true;
    return false;
  });
}

/** Live processes whose command line or working folder is inside `root`. */
function processesIn(root) {
  const found = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8');
      if (cmdline.includes(root) || readlinkSync(`/proc/${entry}/cwd`).startsWith(root)) found.push(Number(entry));
    } catch {
      // Gone, or a zombie.
    }
  }
  return found;
}

function sampleEvery(ms, pid, onSample) {
  const timer = setInterval(() => {
    const rss = vmRssMb(pid);
    if (rss !== undefined) onSample(rss);
  }, ms);
  return () => clearInterval(timer);
}

/** The machine's load while measuring: the figures mean little on a machine busy with other work. */
const load = () => `load average ${loadavg().map((value) => value.toFixed(1)).join(' ')} (1, 5, 15 min)`;

const seconds = (ms) => `${(ms / 1000).toFixed(1)} s`;

function table(rows) {
  const widths = rows[0].map((_, column) => Math.max(...rows.map((row) => String(row[column]).length)));
  const line = (row) => `| ${row.map((cell, column) => String(cell).padEnd(widths[column])).join(' | ')} |`;
  return [line(rows[0]), `| ${widths.map((width) => '-'.repeat(width)).join(' | ')} |`, ...rows.slice(1).map(line)].join('\n');
}

// ---------------------------------------------------------------------------------------------------

async function soakFiles(fileCount, { jobs, keep }) {
  const generatedAt = performance.now();
  const root = generateFilesWorkspace(fileCount);
  console.log(`generated ${fileCount} test files in ${root} (${seconds(performance.now() - generatedAt)})`);
  const startedAt = performance.now();
  const cli = startCctrial(root, ['--once', '-j', String(jobs)]);
  let peakRss = 0;
  const stopSampling = sampleEvery(100, cli.child.pid, (rss) => (peakRss = Math.max(peakRss, rss)));
  const code = await cli.exited;
  stopSampling();
  const wallMs = performance.now() - startedAt;
  const end = cli.events.find((event) => event.type === 'run:end');
  const start = cli.events.find((event) => event.type === 'run:start');
  const reported = cli.events.filter((event) => event.type === 'test:pass' || event.type === 'test:fail').length;
  const left = processesIn(root);
  console.log(
    '\n' +
      table([
        ['test files', 'tests reported', 'passed', 'failed+errors+cancelled', 'exit code', 'wall time', 'run:end durationMs', 'files/s', 'peak RSS', 'processes left'],
        [
          start?.files ?? '-',
          reported,
          end?.passed ?? '-',
          end ? end.failed + end.errors + end.cancelled : '-',
          code,
          seconds(wallMs),
          end?.durationMs ?? '-',
          (fileCount / (wallMs / 1000)).toFixed(1),
          `${peakRss.toFixed(0)} MB`,
          left.length,
        ],
      ]),
  );
  console.log(`\nnode ${process.version}, -j ${jobs}, ${availableParallelism()} CPUs, ${load()}`);
  if (!keep) rmSync(root, { recursive: true, force: true });
  const ok = code === 0 && start?.files === fileCount && end?.passed === fileCount * 2 && left.length === 0;
  if (!ok) console.error(`soak files: FAILED\n${cli.stderr()}`);
  return ok;
}

async function soakCycles(cycles, { every, jobs, keep }) {
  const root = generateCyclesWorkspace();
  const shared = path.join(root, 'packages/shared/index.js');
  console.log(`cycles workspace: ${root}`);
  const cli = startCctrial(root, ['-f', '-j', String(jobs)]);
  const pid = cli.child.pid;
  const phases = (from, to) => cli.events.slice(from, to).filter((event) => event.type === 'run:start').map((event) => event.phase);
  const samples = [];
  const sample = (cycle, startedAt) =>
    samples.push({ cycle, rss: vmRssMb(pid), fds: openFds(pid), children: descendantsOf(pid).length, elapsed: performance.now() - startedAt });

  let index = await cli.waitFor(0, (event) => event.type === 'idle', 'idle after the first suite');
  const startedAt = performance.now();
  sample(0, startedAt);
  let unexpected = 0;
  for (let cycle = 1; cycle <= cycles; cycle++) {
    // Break: the suite fails 4 tests with one error, the fix run fails, and cctrial waits.
    const broke = cli.events.length;
    writeFileSync(shared, sharedBroken(cycle));
    index = await cli.waitFor(broke, (event) => event.type === 'idle', `cycle ${cycle}: waiting for a fix`);
    const red = phases(broke, index);
    // Fix: the fix run passes, the recheck of the 4 passes, and the suite is green.
    const fixed = cli.events.length;
    writeFileSync(shared, SHARED_FIXED);
    index = await cli.waitFor(fixed, (event) => event.type === 'idle', `cycle ${cycle}: idle after the green suite`);
    const green = phases(fixed, index);
    const lastEnd = cli.events.slice(fixed, index).filter((event) => event.type === 'run:end').at(-1);
    if (red.join() !== 'suite,fix' || green.join() !== 'fix,recheck,suite' || lastEnd?.passed !== 10) {
      unexpected++;
      console.log(`cycle ${cycle}: unexpected runs: break ${red.join(' ')}, fix ${green.join(' ')}, last suite passed ${lastEnd?.passed}`);
    }
    if (cycle % every === 0) {
      sample(cycle, startedAt);
      const last = samples.at(-1);
      console.log(`cycle ${cycle}: RSS ${last.rss.toFixed(1)} MB, ${last.fds} fds, ${last.children} children, ${seconds(last.elapsed)}`);
    }
  }
  const runs = cli.events.filter((event) => event.type === 'run:start').length;
  cli.child.kill('SIGTERM');
  const code = await cli.exited;
  const left = processesIn(root);
  console.log(
    '\n' +
      table([
        ['cycle', 'RSS (VmRSS)', 'open fds', 'child processes', 'elapsed'],
        ...samples.map((entry) => [entry.cycle, `${entry.rss.toFixed(1)} MB`, entry.fds, entry.children, seconds(entry.elapsed)]),
      ]),
  );
  const first = samples[1] ?? samples[0];
  const last = samples.at(-1);
  console.log(
    `\n${cycles} cycles, ${runs} runs, ${unexpected} unexpected; RSS ${first.rss.toFixed(1)} -> ${last.rss.toFixed(1)} MB (cycle ${first.cycle} -> ${last.cycle}), ` +
      `fds ${first.fds} -> ${last.fds}; exit code after SIGTERM ${code}; processes left ${left.length}; ` +
      `${seconds(last.elapsed / cycles)} per cycle; node ${process.version}, -j ${jobs}, ${load()}`,
  );
  if (!keep) rmSync(root, { recursive: true, force: true });
  return unexpected === 0 && left.length === 0 && code === 143;
}

const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: { jobs: { type: 'string', short: 'j' }, every: { type: 'string' }, keep: { type: 'boolean' }, cli: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
});
const [mode, count] = positionals;
if (values.help || !['files', 'cycles'].includes(mode) || !Number.isInteger(Number(count)) || Number(count) < 1) {
  console.error('Usage: node tools/soak.mjs files <N> [--jobs N] [--keep] [--cli FILE]\n       node tools/soak.mjs cycles <N> [--every 50] [--jobs N] [--keep] [--cli FILE]');
  process.exit(2);
}
if (values.cli) CLI = path.resolve(values.cli);
console.log(`cctrial: ${CLI}`);
const options = { jobs: Number(values.jobs ?? (mode === 'files' ? availableParallelism() : 2)), every: Number(values.every ?? 50), keep: values.keep ?? false };
const ok = mode === 'files' ? await soakFiles(Number(count), options) : await soakCycles(Number(count), options);
process.exit(ok ? 0 : 1);
