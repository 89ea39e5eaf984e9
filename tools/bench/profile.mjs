#!/usr/bin/env node
/**
 * Where one test file's time goes in a cctrial test process. Runs `cctrial --once -j 1` on one
 * package of the generated default monorepo (10 test files of 10 tests), with `--cpu-prof` in every
 * test process, and sums the profiles' samples by what they were spent on: process boot, compiling
 * Node's built-in modules, the module loader, node:test, cctrial's child (its entry, reporter, module
 * hooks and channel), the test's imports, the tests themselves, garbage collection, and idle.
 * `--debug-timing` gives the wall time of each file as cctrial saw it, from spawn to exit.
 *
 * Usage: node tools/bench/profile.mjs [--node PATH]...   (each --node profiles with that binary)
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { generate, REPO_ROOT } from './generate.mjs';

const CLI = path.join(REPO_ROOT, 'packages/cctrial/dist/src/cli.js');
const PACKAGE = 'packages/pkg-0';

/** What a frame's script is, where it decides what a sample was spent on; undefined: look at its caller. */
function ownerOf({ url, functionName }) {
  if (functionName === '(garbage collector)') return 'garbage collection';
  if (functionName === '(idle)') return 'idle';
  if (functionName === '(program)') return 'V8 and native code, no JS on the stack';
  if (url.startsWith('node:internal/test_runner') || url === 'node:test') return 'node:test';
  if (url.includes('/packages/cctrial/dist/')) return "cctrial's child (entry, reporter, module hooks, channel)";
  if (/\.test\.mjs$/.test(url)) return 'the tests';
  if (url.startsWith('file:') || url.startsWith('/')) return "the test's imports";
  if (url.startsWith('node:internal/bootstrap/realm')) return "compiling Node's built-in modules";
  if (url.startsWith('node:internal/modules')) return 'module loader (resolve, read, compile)';
  if (/^node:internal\/(main|bootstrap|process\/pre_execution)/.test(url)) return 'process boot';
  return undefined;
}

/**
 * Time (ms) per owner in one .cpuprofile: each sample goes to the innermost frame on its stack that
 * says what the time was for (a file read inside the module loader is the loader's), and its span.
 */
function readProfile(file) {
  const profile = JSON.parse(readFileSync(file, 'utf8'));
  const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
  const parents = new Map();
  for (const node of profile.nodes) for (const child of node.children ?? []) parents.set(child, node.id);
  const owners = new Map();
  const ownerOfNode = (id) => {
    if (owners.has(id)) return owners.get(id);
    const parent = parents.get(id);
    const owner = ownerOf(nodes.get(id).callFrame) ?? (parent === undefined ? 'other Node core' : ownerOfNode(parent));
    owners.set(id, owner);
    return owner;
  };
  const totals = {};
  profile.samples.forEach((id, index) => {
    const owner = ownerOfNode(id);
    totals[owner] = (totals[owner] ?? 0) + profile.timeDeltas[index] / 1000;
  });
  return { totals, spanMs: (profile.endTime - profile.startTime) / 1000 };
}

function profileWith(node, repo) {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'cctrial-profile-'));
  try {
    const output = execFileSync(node, [CLI, '--once', '--json', '--no-notify', '-j', '1', '--debug-timing', PACKAGE, '--', '--cpu-prof', `--cpu-prof-dir=${dir}`], {
      cwd: repo,
      encoding: 'utf8',
      env: { ...process.env, CI: undefined, NODE_TEST_CONTEXT: undefined },
    });
    const timing = output
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line))
      .find((event) => event.type === 'timing');
    const profiles = readdirSync(dir).filter((name) => name.endsWith('.cpuprofile')).map((name) => readProfile(path.join(dir, name)));
    return { version: execFileSync(node, ['--version'], { encoding: 'utf8' }).trim(), timing, profiles };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function report({ version, timing, profiles }) {
  const files = timing.files;
  const mean = (values) => values.reduce((sum, value) => sum + value, 0) / values.length;
  const totals = {};
  for (const { totals: each } of profiles) for (const [owner, ms] of Object.entries(each)) totals[owner] = (totals[owner] ?? 0) + ms;
  const busy = Object.entries(totals).filter(([owner]) => owner !== 'idle');
  const busyMs = busy.reduce((sum, [, ms]) => sum + ms, 0) / profiles.length;
  console.log(`\n${version}: ${files.length} files, ${profiles.length} profiles; per file: ${mean(files.map((file) => file.totalMs)).toFixed(0)} ms from spawn to exit, first result after ${mean(files.map((file) => file.firstFrameMs ?? 0)).toFixed(0)} ms; ${mean(profiles.map((profile) => profile.spanMs)).toFixed(0)} ms profiled, ${busyMs.toFixed(0)} ms of it busy`);
  console.log('| per file | ms | share of busy |\n| --- | --- | --- |');
  for (const [owner, ms] of busy.sort((a, b) => b[1] - a[1])) {
    const perFile = ms / profiles.length;
    console.log(`| ${owner} | ${perFile.toFixed(1)} | ${((100 * perFile) / busyMs).toFixed(0)}% |`);
  }
  console.log(`| (idle: waiting for the go message, I/O) | ${((totals.idle ?? 0) / profiles.length).toFixed(1)} | |`);
}

const { values } = parseArgs({ options: { node: { type: 'string', multiple: true } } });
const repo = generate({ preset: 'default' }).root;
for (const node of values.node ?? [process.execPath]) report(profileWith(node, repo));
