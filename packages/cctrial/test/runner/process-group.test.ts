/**
 * Process hygiene with real processes: whatever a test spawns dies with its test process, whether that
 * process exits on its own, is killed by the watchdog, or ignores SIGTERM.
 */
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { before, describe, it } from 'node:test';
import type { RunReport } from '../../src/runner/test-runner.js';
import { killGroup, liveGroupCount, spawnGroup } from '../../src/runner/process-group.js';
import { fileResultOf, fileRunOf, isAlive, printedPids, resultOf, runTestFiles, testFileNames, waitUntilGone, writePackage } from '../helpers/fixtures.js';

/** A grandchild that would live forever, and shrugs off SIGTERM. */
const GRANDCHILD = `process.on('SIGTERM', () => {}); setInterval(() => {}, 1000);`;

const FILES = {
  'spawns-and-exits.test.js': `import { test } from 'node:test';
import { spawn } from 'node:child_process';
test('starts a server and forgets it', () => {
  const child = spawn(process.execPath, ['-e', ${JSON.stringify(GRANDCHILD)}], { stdio: 'ignore' });
  child.unref();
  console.log('PID ' + child.pid);
});
`,
  'spawns-and-hangs.test.js': `import { test } from 'node:test';
import { spawn } from 'node:child_process';
test('starts a server and waits on it', async () => {
  const child = spawn(process.execPath, ['-e', ${JSON.stringify(GRANDCHILD)}]);
  console.log('PID ' + child.pid);
  await new Promise(() => {});
});
`,
  'ignores-sigterm.test.js': `import { test } from 'node:test';
import { spawn } from 'node:child_process';
process.on('SIGTERM', () => {});
test('cannot be stopped politely', async () => {
  const child = spawn(process.execPath, ['-e', ${JSON.stringify(GRANDCHILD)}]);
  console.log('PID ' + child.pid);
  await new Promise(() => {});
});
`,
};

function grandchildOf(report: RunReport, file: string): number {
  const pids = printedPids(fileRunOf(report, file).stdout);
  assert.equal(pids.length, 1, `${file} should print one grandchild pid; stdout: ${fileRunOf(report, file).stdout}`);
  return pids[0]!;
}

describe('process groups: what tests spawn dies with them', () => {
  const root = writePackage(FILES);
  let report: RunReport;
  let groupsBefore = 0;
  before(async () => {
    groupsBefore = liveGroupCount();
    report = (await runTestFiles(root, testFileNames(FILES), { jobs: 3, silenceLimitMs: 1_500, timeoutMs: 0 })).report;
  });

  it('kills the grandchild of a test file that exited normally', async () => {
    assert.equal(resultOf(report.results, 'spawns-and-exits.test.js', ['starts a server and forgets it']).outcome, 'pass');
    assert.equal(fileRunOf(report, 'spawns-and-exits.test.js').exitCode, 0);
    await waitUntilGone(grandchildOf(report, 'spawns-and-exits.test.js'));
  });

  it('kills the grandchild of a test file that the watchdog killed', async () => {
    assert.equal(fileResultOf(report.results, 'spawns-and-hangs.test.js').failureType, 'fileTimeout');
    await waitUntilGone(grandchildOf(report, 'spawns-and-hangs.test.js'));
  });

  it('escalates to SIGKILL when the test process ignores SIGTERM, and still kills its grandchild', async () => {
    assert.equal(fileResultOf(report.results, 'ignores-sigterm.test.js').failureType, 'fileTimeout');
    assert.equal(fileRunOf(report, 'ignores-sigterm.test.js').signal, 'SIGKILL');
    await waitUntilGone(grandchildOf(report, 'ignores-sigterm.test.js'));
  });

  it('forgets every group once its leader has exited', () => {
    assert.equal(liveGroupCount(), groupsBefore);
  });
});

/** A leader that spawns a grandchild, prints its pid, and waits; `ignoreTerm` makes the leader shrug off SIGTERM too. */
function spawnLeader(ignoreTerm: boolean): ChildProcess {
  const script =
    (ignoreTerm ? `process.on('SIGTERM', () => {});` : '') +
    `const c = require('node:child_process').spawn(process.execPath, ['-e', ${JSON.stringify(GRANDCHILD)}], { stdio: 'ignore' });` +
    `console.log('PID ' + c.pid); setInterval(() => {}, 1000);`;
  return spawnGroup(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
}

async function firstPid(child: ChildProcess): Promise<number> {
  const lines = createInterface({ input: child.stdout! });
  for await (const line of lines) {
    const pid = printedPids(line)[0];
    if (pid !== undefined) return pid;
  }
  assert.fail('the leader ended without printing its grandchild pid');
}

describe('process groups: spawnGroup and killGroup', () => {
  it('tracks a live group and kills leader and grandchild with SIGTERM', async () => {
    const groupsBefore = liveGroupCount();
    const leader = spawnLeader(false);
    assert.equal(liveGroupCount(), groupsBefore + 1);
    const grandchild = await firstPid(leader);
    assert.ok(isAlive(grandchild));
    const exited = once(leader, 'exit');
    killGroup(leader);
    const [code, signal] = await exited;
    assert.equal(code, null);
    assert.equal(signal, 'SIGTERM');
    await waitUntilGone(grandchild);
    assert.equal(liveGroupCount(), groupsBefore);
  });

  it('sends SIGKILL after the grace period to a leader that ignores SIGTERM', async () => {
    const leader = spawnLeader(true);
    const grandchild = await firstPid(leader);
    const exited = once(leader, 'exit');
    killGroup(leader, 100);
    const [, signal] = await exited;
    assert.equal(signal, 'SIGKILL');
    await waitUntilGone(grandchild);
  });

  it('does nothing to a leader that has already exited', async () => {
    const leader = spawnGroup(process.execPath, ['-e', '0'], { stdio: 'ignore' });
    await once(leader, 'exit');
    assert.doesNotThrow(() => killGroup(leader));
    assert.equal(leader.exitCode, 0);
  });
});
