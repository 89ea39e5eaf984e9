#!/usr/bin/env node
/**
 * `cctrial --via nx` on the large preset (100 packages, 200 test files): the suite step through
 * `nx run-many -t cctrial-ci` with a cold Nx cache, then after a change to one package with the cache
 * warm, beside cctrial's own suite (a process per test file) in the same round. Wall clock from
 * spawn to exit, medians over the trials. Prints a Markdown section; --out FILE writes it there.
 *
 * Usage: node tools/bench/via-nx.mjs [--trials N] [-j N] [--out FILE]
 */
import { spawnSync } from 'node:child_process';
import { appendFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { defaultDir, generate, REPO_ROOT } from './generate.mjs';

const { values: flags } = parseArgs({ options: { trials: { type: 'string' }, jobs: { type: 'string', short: 'j' }, out: { type: 'string' } } });
const trials = Number(flags.trials ?? 3);
const jobs = Number(flags.jobs ?? os.availableParallelism());
const log = (message) => process.stderr.write(`[via-nx ${new Date().toISOString().slice(11, 19)}] ${message}\n`);

const repo = generate({ preset: 'large', dir: `${defaultDir('large')}-via-nx`, log });
const root = repo.root;
// The plugin and cctrial as a user has them installed: linked from this repository's built packages.
for (const [name, folder] of [['cctrial', 'packages/cctrial'], ['@cctrial/nx', 'packages/nx']]) {
  const link = path.join(root, 'node_modules', name);
  rmSync(link, { recursive: true, force: true });
  mkdirSync(path.dirname(link), { recursive: true });
  symlinkSync(path.join(REPO_ROOT, folder), link, 'dir');
}
const nxJsonFile = path.join(root, 'nx.json');
const nxJson = JSON.parse(readFileSync(nxJsonFile, 'utf8'));
writeFileSync(nxJsonFile, JSON.stringify({ ...nxJson, plugins: ['@cctrial/nx'] }, null, 2));

const CLI = path.join(REPO_ROOT, 'packages/cctrial/dist/src/cli.js');
const env = { ...process.env, NX_DAEMON: 'false', NX_NO_CLOUD: 'true', NX_TUI: 'false', CI: undefined };
delete env.CI;
delete env.NX_SKIP_NX_CACHE;

/** One cctrial --once run: wall time, and per project whether Nx's cache gave its results. */
function timed(args, cacheDirectory) {
  const started = performance.now();
  const result = spawnSync(process.execPath, [CLI, '--once', '--json', '--no-notify', '-j', String(jobs), ...args], {
    cwd: root,
    env: { ...env, ...(cacheDirectory ? { NX_CACHE_DIRECTORY: cacheDirectory } : {}) },
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
  });
  const wallMs = performance.now() - started;
  const events = result.stdout.split('\n').filter((line) => line.startsWith('{')).map((line) => JSON.parse(line));
  const end = events.find((event) => event.type === 'run:end');
  if (result.status !== 0 || !end) throw new Error(`cctrial ${args.join(' ')} exited ${result.status}:\n${result.stderr}\n${result.stdout.slice(-2000)}`);
  const projects = events.filter((event) => event.type === 'project:results');
  return { wallMs, tests: end.passed, ran: projects.filter((event) => !event.cached).length, cached: projects.filter((event) => event.cached).length };
}

const changed = path.join(root, 'packages/pkg-7/src/mod-0.mjs');
const rows = { plain: [], cold: [], warm: [] };
// Warm-up: the first nx run also builds its project graph and file index.
timed(['--via', 'nx'], mkdtempSync(path.join(os.tmpdir(), 'cctrial-via-nx-cache-')));
for (let trial = 1; trial <= trials; trial++) {
  rows.plain.push(timed([]));
  // Cold: an empty Nx cache of its own (Nx 24 keeps one per user, shared by every checkout, by default).
  const cacheDirectory = mkdtempSync(path.join(os.tmpdir(), 'cctrial-via-nx-cache-'));
  rows.cold.push(timed(['--via', 'nx'], cacheDirectory));
  appendFileSync(changed, `// trial ${trial}\n`);
  rows.warm.push(timed(['--via', 'nx'], cacheDirectory));
  rmSync(cacheDirectory, { recursive: true, force: true });
  log(`trial ${trial}: plain ${Math.round(rows.plain.at(-1).wallMs)} ms, cold ${Math.round(rows.cold.at(-1).wallMs)} ms, warm ${Math.round(rows.warm.at(-1).wallMs)} ms`);
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const describe = (list) => `${Math.round(median(list.map((row) => row.wallMs)))} ms (${Math.round(Math.min(...list.map((row) => row.wallMs)))}–${Math.round(Math.max(...list.map((row) => row.wallMs)))} ms)`;
const plainMs = median(rows.plain.map((row) => row.wallMs));
const ratio = (list) => `${(median(list.map((row) => row.wallMs)) / plainMs).toFixed(2)}×`;
const section = [
  `### \`--via nx\` on the large preset (${repo.packages} packages, ${repo.packages * repo.files} test files, ${repo.packages * repo.files * repo.tests} tests)`,
  '',
  `Run of ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC: \`node tools/bench/via-nx.mjs --trials ${trials} -j ${jobs}\`; Node ${process.version}; ${os.availableParallelism()} cores; load average ${os.loadavg().map((load) => load.toFixed(2)).join(' ')} at the end.`,
  '',
  '| suite step | wall median (min–max) | ÷ cctrial | projects run / from the cache |',
  '|---|---|---|---|',
  `| \`cctrial --once\` (a process per test file, no Nx) | ${describe(rows.plain)} | — | — |`,
  `| \`cctrial --via nx --once\`, cold Nx cache | ${describe(rows.cold)} | ${ratio(rows.cold)} | ${median(rows.cold.map((row) => row.ran))} / ${median(rows.cold.map((row) => row.cached))} |`,
  `| \`cctrial --via nx --once\`, warm cache, one package changed | ${describe(rows.warm)} | ${ratio(rows.warm)} | ${median(rows.warm.map((row) => row.ran))} / ${median(rows.warm.map((row) => row.cached))} |`,
  '',
].join('\n');
process.stdout.write(section + '\n');
if (flags.out) {
  writeFileSync(flags.out, `# Performance: the suite step through Nx's cache\n\nWritten by \`node tools/bench/via-nx.mjs\`; what it measures is in [performance.md](performance.md).\n\n${section}\n`);
  log(`wrote ${flags.out}`);
}
if (!existsSync(changed)) process.exitCode = 1;
