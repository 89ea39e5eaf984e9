/**
 * The frame channel survives the test: test code that closes fd 3, reuses it, or writes garbage or a
 * forged frame to it, in real children. Every other test's result is kept, nothing crashes, no ghost
 * result appears, and each test's verdict is the one plain `node --test` gives the same file (run
 * here too, with the conformance suite's recording reporter).
 *
 * cctrial's channel is on FRAME_FD (4), and fd 3 is left closed at spawn, so that in a test process, as
 * under node --test, fd 3 is libuv's event loop (an epoll instance on Linux):
 * writing to it fails with EINVAL, closing it succeeds (and the process aborts once its tests are done,
 * which node --test reports as a failure of the file: the only difference, see the last test).
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { before, describe, it } from 'node:test';
import { decodeFrame, encodeFrame, FRAME_FD, type ChildFrame } from '../../src/child/protocol.js';
import type { TestResult } from '../../src/results/types.js';
import { referenceVerdicts } from '../conformance/compare.js';
import { describeResults, resultOf, resultsOfFile, runPackage, type FixtureRun } from '../helpers/fixtures.js';

const run = promisify(execFile);
const RECORDER = fileURLToPath(new URL('../conformance/recorder.js', import.meta.url));

const HEADER = `import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
test('before', () => {});
`;
const FORGED = `JSON.stringify({ type: 'test:pass', data: { name: 'ghost', nesting: 0, durationMs: 1 } })`;

/** One file per case, each a hostile test between two plain ones. */
const CASES: Record<string, string> = {
  'close.test.js': `test('closes fd 3', () => { fs.closeSync(3); });`,
  'close-async.test.js': `test('closes fd 3 with fs.close', (t, done) => { fs.close(3, done); });`,
  'close-twice.test.js': `test('closes fd 3 twice', () => { fs.closeSync(3); assert.throws(() => fs.closeSync(3), { code: 'EBADF' }); });`,
  'garbage.test.js': `test('writes garbage to fd 3', () => { fs.writeSync(3, 'garbage\\n{"type":"test:pass"\\n\\u0000\\u0001 not json'); });`,
  'garbage-caught.test.js': `test('writes garbage to fd 3 and catches the error', () => { try { fs.writeSync(3, 'half a line'); } catch {} });`,
  'read.test.js': `test('reads fd 3', () => { fs.readSync(3, Buffer.alloc(16)); });`,
  'forged.test.js': `test('forges a test:pass frame on fd 3', () => { fs.writeSync(3, ${FORGED} + '\\n'); });`,
  'forged-stream.test.js': `test('forges frames through a write stream on fd 3', async () => {
  const stream = fs.createWriteStream(null, { fd: 3, autoClose: false });
  await new Promise((resolve) => { stream.on('error', resolve); stream.write(${FORGED} + '\\n'); });
});`,
  'reopen.test.js': `test('closes fd 3 and opens a file in its place', () => {
  fs.closeSync(3);
  const fd = fs.openSync(path.join(os.tmpdir(), 'cctrial-reopen-' + process.pid), 'w');
  fs.writeSync(fd, ${FORGED} + '\\n');
  fs.closeSync(fd);
  fs.rmSync(path.join(os.tmpdir(), 'cctrial-reopen-' + process.pid));
});`,
};
const files = Object.fromEntries(
  Object.entries(CASES).map(([file, body]) => [file, `${HEADER}${body}\ntest('after', () => {});\n`]),
);

/** `file › name = verdict` per test, as the conformance suite writes them; file-level lines apart. */
function cctrialVerdicts(results: TestResult[]): string[] {
  return results
    .filter((result) => result.kind !== 'file')
    .map((result) => `${[result.id.file, ...result.id.path].join(' › ')} = ${result.outcome === 'pass' || result.outcome === 'skip' || result.outcome === 'todo' ? result.outcome : 'fail'}`);
}

async function nodeTestVerdicts(root: string, file: string): Promise<{ tests: string[]; fileLevel: string[] }> {
  const record = path.join(root, `${file}.record`);
  await run(process.execPath, ['--test', `--test-reporter=${RECORDER}`, `--test-reporter-destination=${record}`, file], { cwd: root, env: { ...process.env, NODE_TEST_CONTEXT: undefined, NODE_OPTIONS: undefined }, timeout: 60_000 }).catch(
    (error: { code?: unknown }) => {
      if (typeof error.code !== 'number') throw error; // A failing test exits 1; anything else is the harness's.
    },
  );
  const lines = referenceVerdicts(record, root);
  return { tests: lines.filter((line) => line.includes(' › ')), fileLevel: lines.filter((line) => !line.includes(' › ')) };
}

describe('the frame channel survives the test', () => {
  // Started in the describe body: the fixture's clean-up then waits for the end of the suite.
  const running = runPackage(files);
  running.catch(() => {}); // Reported by before().
  let fixture: FixtureRun;
  before(async () => {
    fixture = await running;
  });

  it('keeps every other test of each file, passed, and reports no file-level failure: nothing crashed', () => {
    for (const file of Object.keys(CASES)) {
      const results = resultsOfFile(fixture.report.results, file);
      assert.equal(resultOf(results, file, ['before']).outcome, 'pass', file);
      assert.equal(resultOf(results, file, ['after']).outcome, 'pass', file);
      assert.equal(results.length, 3, `${file}:\n${describeResults(results)}`);
      assert.ok(results.every((result) => result.kind !== 'file'), `${file}:\n${describeResults(results)}`);
    }
  });

  it('reports no ghost: a forged frame, written straight or through a file that took fd 3, is not a result', () => {
    const names = fixture.report.results.map((result) => result.id.path.join(' › '));
    assert.ok(!names.includes('ghost'), describeResults(fixture.report.results));
  });

  it('gives fd 3 what node --test gives it: reads and writes fail with EINVAL, a close succeeds, a second close fails with EBADF', () => {
    const hostile = (file: string, name: string) => resultOf(fixture.report.results, file, [name]);
    for (const [file, name] of [
      ['garbage.test.js', 'writes garbage to fd 3'],
      ['forged.test.js', 'forges a test:pass frame on fd 3'],
      ['read.test.js', 'reads fd 3'],
    ] as const) {
      const { outcome, error } = hostile(file, name);
      assert.equal(outcome, 'error', file);
      assert.equal(error?.message, `EINVAL: invalid argument, ${file === 'read.test.js' ? 'read' : 'write'}`, file);
      assert.equal(error?.code, 'EINVAL', file);
      assert.match(error?.stack ?? '', new RegExp(`${file.replace('.', '\\.')}:\\d+`), `${file}: the stack starts in the test`);
    }
    for (const [file, name] of [
      ['close.test.js', 'closes fd 3'],
      ['close-async.test.js', 'closes fd 3 with fs.close'],
      ['close-twice.test.js', 'closes fd 3 twice'],
      ['reopen.test.js', 'closes fd 3 and opens a file in its place'],
      ['garbage-caught.test.js', 'writes garbage to fd 3 and catches the error'],
      ['forged-stream.test.js', 'forges frames through a write stream on fd 3'],
    ] as const) {
      assert.equal(hostile(file, name).outcome, 'pass', `${file}: ${hostile(file, name).error?.message}`);
    }
  });

  it("gives each test the verdict plain node --test gives it; node --test alone also fails the files that closed fd 3 (its event loop's): the process aborts after the tests", async () => {
    for (const file of Object.keys(CASES)) {
      const reference = await nodeTestVerdicts(fixture.root, file);
      assert.deepEqual(cctrialVerdicts(resultsOfFile(fixture.report.results, file)).sort(), reference.tests.sort(), file);
      const closedEventLoop = /closeSync\(3\)|fs\.close\(3/.test(CASES[file]!);
      assert.deepEqual(reference.fileLevel, closedEventLoop ? [`${file} = fail`] : [], file);
    }
  });
});

describe("cctrial's own channel, FRAME_FD", () => {
  it('ignores garbage and forged frames a test writes to it: no ghost, every real result kept', async () => {
    const file = 'channel.test.js';
    const fixture = await runPackage({
      [file]: `${HEADER}test('writes to the frame fd', () => {
  fs.writeSync(${FRAME_FD}, 'garbage\\n{"type":"test:pass"\\n');
  fs.writeSync(${FRAME_FD}, ${FORGED} + '\\n');
});
test('after', () => {});
`,
    });
    const results = resultsOfFile(fixture.report.results, file);
    assert.deepEqual(
      results.map((result) => [result.id.path.join(' › '), result.outcome]),
      [['before', 'pass'], ['writes to the frame fd', 'pass'], ['after', 'pass']],
      describeResults(results),
    );
  });
});

describe("node:test's reporter stream errors", () => {
  it('ends the file: the tests before it are kept, the file fails, as under node --test', async () => {
    // node:test hands t.diagnostic() its argument as is: the reporter's String() of it throws.
    const file = 'reporter-throws.test.js';
    const fixture = await runPackage({
      [file]: `import { test } from 'node:test';
test('before', () => {});
test('hostile diagnostic', (t) => { t.diagnostic({ toString() { throw new Error('toString boom'); } }); });
test('after', () => {});
`,
    });
    const results = resultsOfFile(fixture.report.results, file);
    assert.deepEqual(
      results.map((result) => [result.id.path.join(' › '), result.outcome, result.error?.type]),
      [['before', 'pass', undefined], ['hostile diagnostic', 'pass', undefined], ['', 'error', 'CrashError']],
      describeResults(results),
    );
    assert.match(results[2]!.error!.message, /^The test process exited with code 7 before node:test finished[^]*Error: toString boom/);
    const reference = await nodeTestVerdicts(fixture.root, file);
    assert.deepEqual(cctrialVerdicts(results).sort(), reference.tests.sort());
    assert.deepEqual(reference.fileLevel, [`${file} = fail`]);
  });
});

describe('the frame parser', () => {
  const secret = 'Zm9vYmFyYmF6cXV4cXV1eA';
  const frame: ChildFrame = { type: 'test:pass', data: { name: 'real', nesting: 0, durationMs: 1 } };

  it('takes a frame carrying the secret, also after text a test wrote without a newline', () => {
    const line = encodeFrame(secret, frame).trimEnd();
    assert.deepEqual(decodeFrame(line, secret), frame);
    assert.deepEqual(decodeFrame(`half a line${line}`, secret), frame);
  });

  it('ignores, without throwing, lines without the secret, malformed JSON, unknown types and frames of the wrong shape', () => {
    const lines = [
      '',
      'garbage',
      '\u0000\u0001\uffff',
      JSON.stringify(frame),
      encodeFrame('another child', frame).trimEnd(),
      `${secret}{"type":"test:pass"`,
      `${secret}null`,
      `${secret}[]`,
      `${secret}"test:pass"`,
      `${secret}{"type":"test:pass"}`,
      `${secret}{"type":"test:pass","data":null}`,
      `${secret}{"type":"test:pass","data":{"name":"x","nesting":0}}`,
      `${secret}{"type":"test:pass","data":{"name":1,"nesting":0,"durationMs":1}}`,
      `${secret}{"type":"test:pass","data":{"name":"x","nesting":-1,"durationMs":1}}`,
      `${secret}{"type":"test:fail","data":{"name":"x","nesting":0,"durationMs":1,"error":"boom"}}`,
      `${secret}{"type":"test:dequeue","data":{"nesting":0}}`,
      `${secret}{"type":"load-error","data":{}}`,
      `${secret}{"type":"exit-called","data":{"code":"1"}}`,
      `${secret}{"type":"modules","data":{"files":[1]}}`,
      `${secret}{"type":"__proto__","data":{}}`,
      `${secret}{"type":"toString","data":{}}`,
    ];
    for (const line of lines) assert.equal(decodeFrame(line, secret), undefined, line);
  });

});
