/**
 * Hostile tests against the built CLI (`--once --json`), in real children:
 *
 * - a test that signals cctrial itself (`process.kill(process.ppid)`): the signal is not delivered,
 *   the test fails saying why, and cctrial finishes the run and exits as usual;
 * - a thrown value that breaks node:test itself, on every Node major: Node 20 and 22 cancel the
 *   file's tests (as plain node --test does), while on Node 24 and 26 plain node --test never ends
 *   the file, and cctrial ends it with an error naming the test that was running.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { describe, it } from 'node:test';
import type { CctrialEvent } from '../../src/events.js';
import { parentSignalMessage } from '../../src/child/parent-signals.js';
import { parseEvents, runCli } from '../helpers/cli.js';
import { writePackage } from '../helpers/fixtures.js';
import { nodeOfMajor } from '../helpers/matrix.js';
import { processesMentioning, waitUntil } from './loop-helpers.js';

const THIS_MAJOR = Number(process.versions.node.split('.')[0]);
const MAJORS = (process.env.CCTRIAL_HOSTILE_NODES ?? '20,22,24,26').split(',').map(Number);

type TestEvent = Extract<CctrialEvent, { type: 'test:pass' | 'test:fail' }>;
const testEvents = (events: CctrialEvent[]) => events.filter((event): event is TestEvent => event.type === 'test:pass' || event.type === 'test:fail');
const byName = (events: TestEvent[]) => new Map(events.map((event) => [[event.file, ...event.name].join(' › '), event]));

describe('a test that signals cctrial itself', () => {
  it('is not delivered: the test fails saying why, the other tests pass, and cctrial ends the run as usual', async () => {
    const root = writePackage({
      'signals.test.js': `import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { kill } from 'node:process';
import { test } from 'node:test';
test('before', () => {});
test('sends SIGTERM to its parent', () => { process.kill(process.ppid); });
test('sends SIGINT to its parent', () => { process.kill(process.ppid, 'SIGINT'); });
test('sends SIGHUP to its parent by number, through an import of node:process', () => { kill(process.ppid, 1); });
test('asks whether its parent exists (signal 0)', () => { assert.equal(process.kill(process.ppid, 0), true); });
test('sends its parent a signal that does nothing by default (SIGWINCH)', () => { assert.equal(process.kill(process.ppid, 'SIGWINCH'), true); });
test('signals a process it started', async () => {
  const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)']);
  await once(child, 'spawn');
  process.kill(child.pid, 'SIGTERM');
  const [, signal] = await once(child, 'exit');
  assert.equal(signal, 'SIGTERM');
});
test('after', () => {});
`,
      'other.test.js': `import { test } from 'node:test';\ntest('still runs', () => {});\n`,
    });
    const result = await runCli(['--once', '--json', '--no-notify'], { cwd: root });
    // Exit code 1: tests failed. A delivered signal would have ended cctrial (143, 130, 129) before the run's end.
    assert.equal(result.code, 1, result.stderr);
    const events = parseEvents(result.stdout);
    assert.ok(events.some((event) => event.type === 'run:end'), 'the run ended');
    const tests = byName(testEvents(events));
    for (const name of ['before', 'asks whether its parent exists (signal 0)', 'sends its parent a signal that does nothing by default (SIGWINCH)', 'signals a process it started', 'after']) {
      assert.equal(tests.get(`signals.test.js › ${name}`)?.type, 'test:pass', name);
    }
    assert.equal(tests.get('other.test.js › still runs')?.type, 'test:pass');
    for (const [name, signal] of [
      ['sends SIGTERM to its parent', 'SIGTERM'],
      ['sends SIGINT to its parent', 'SIGINT'],
      ['sends SIGHUP to its parent by number, through an import of node:process', 'SIGHUP'],
    ] as const) {
      const event = tests.get(`signals.test.js › ${name}`);
      assert.ok(event?.type === 'test:fail', name);
      assert.equal(event.error.type, 'ParentSignalError', name);
      const pid = Number(/\(pid (\d+)\)/.exec(event.error.message)?.[1]);
      assert.equal(event.error.message, parentSignalMessage(signal, pid), name);
      assert.match(event.error.message, new RegExp(`^This test sent ${signal} to its parent process \\(pid \\d+\\), which is cctrial: under node --test it would end the test runner`));
      assert.match(event.error.stack ?? '', /signals\.test\.js:\d+/, `${name}: the stack points at the call`);
    }
  });
});

const PRELUDE = `import { test } from 'node:test';
const boom = () => { throw new Error('getter boom'); };
const throwingHandler = new Proxy({}, { get: (_, trap) => () => { throw new Error('trap ' + String(trap)); } });
const everyTrapThrows = new Proxy({}, throwingHandler);
const revoked = () => { const { proxy, revoke } = Proxy.revocable(new Error('revoked'), {}); revoke(); return proxy; };
test('before', () => {});
`;
const BREAKERS: Record<string, string> = {
  'message-getter.test.js': `const e = new Error('m'); Object.defineProperty(e, 'message', { get: boom }); throw e;`,
  'revoked.test.js': 'throw revoked();',
  'every-trap.test.js': 'throw everyTrapThrows;',
};
const breakerFiles = Object.fromEntries(Object.entries(BREAKERS).map(([file, body]) => [file, `${PRELUDE}test('hostile', () => { ${body} });\ntest('passes', () => {});\n`]));

/** Plain `node --test file` on that Node: its exit code, or 'still running' when it did not end within `limitMs`. */
function plainNodeTest(node: string, cwd: string, file: string, limitMs: number): Promise<number | 'still running'> {
  return new Promise((resolve, reject) => {
    // In a group of its own: node --test runs the file in a child process, which must end with it.
    const child = spawn(node, ['--test', file], { cwd, stdio: 'ignore', detached: true, env: { ...process.env, NODE_TEST_CONTEXT: undefined, NODE_OPTIONS: undefined } });
    const timer = setTimeout(() => {
      process.kill(-child.pid!, 'SIGKILL');
      resolve('still running');
    }, limitMs);
    child.on('error', reject);
    child.on('exit', (code) => {
      clearTimeout(timer);
      if (code !== null) resolve(code);
    });
  });
}

describe('a thrown value that breaks node:test itself, on every Node major', { concurrency: 2 }, () => {
  for (const major of MAJORS) {
    it(`Node ${major}: cctrial ends the file, keeps the verdicts of the tests that finished, and names the test that broke node:test`, async () => {
      const node = major === THIS_MAJOR ? process.execPath : await nodeOfMajor(major);
      const root = writePackage(breakerFiles);
      // Plain node --test ends these files on Node 20 and 22 within a second; on 24 and 26 it never does.
      const plain = Promise.all(Object.keys(BREAKERS).map((file) => plainNodeTest(node, root, file, 10_000)));
      const result = await runCli(['--once', '--json', '--no-notify', '--timeout', '1000'], { cwd: root, node, timeoutMs: 120_000 });
      assert.equal(result.code, 1, result.stderr);
      const tests = byName(testEvents(parseEvents(result.stdout)));
      const plainResults = await plain;
      for (const file of Object.keys(BREAKERS)) {
        assert.equal(tests.get(`${file} › before`)?.type, 'test:pass', `${file}: the test before it keeps its verdict`);
        if (major < 24) {
          // As plain node --test: node:test cancels the file's remaining tests.
          assert.deepEqual([tests.get(`${file} › hostile`)?.outcome, tests.get(`${file} › passes`)?.outcome], ['cancelled', 'cancelled'], file);
          assert.equal(tests.has(file), false, `${file}: no file-level failure`);
        } else {
          // node:test never reports the test, nor the next; plain node --test hangs. cctrial ends the file.
          assert.equal(tests.has(`${file} › hostile`), false, file);
          const fileLevel = tests.get(file);
          assert.ok(fileLevel?.type === 'test:fail', `${file}: a file-level failure`);
          assert.equal(fileLevel.outcome, 'cancelled');
          assert.equal(fileLevel.error.type, 'StalledTestError');
          assert.match(fileLevel.error.message, /^The test process made no progress for \d+ ms and was killed: its event loop had nothing left to run while the test "hostile" was still running/);
        }
      }
      assert.deepEqual(plainResults, Object.keys(BREAKERS).map(() => (major < 24 ? 1 : 'still running')), `plain node --test on Node ${major}`);
      await waitUntil(() => processesMentioning(root).length === 0, { timeoutMs: 10_000, what: () => `no process of ${root}: ${processesMentioning(root).join('\n')}` });
    });
  }
});
