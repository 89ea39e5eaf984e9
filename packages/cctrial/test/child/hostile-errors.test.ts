/**
 * Hostile thrown values, in real children: the reporter never crashes, node:test's verdict for every
 * test is kept, and the error is reported as well as it can be. Huge messages reach the parent capped.
 */
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { stripVTControlCharacters } from 'node:util';
import { groupFailures } from '../../src/results/group.js';
import type { TestResult } from '../../src/results/types.js';
import { formatError } from '../../src/ui/format.js';
import { fileResultOf, resultOf, resultsOfFile, runPackage, type FixtureRun } from '../helpers/fixtures.js';

const NODE_MAJOR = Number(process.versions.node.split('.')[0]);

const PRELUDE = `import { test } from 'node:test';
const boom = () => { throw new Error('getter boom'); };
const throwingHandler = new Proxy({}, { get: (_, trap) => () => { throw new Error('trap ' + String(trap)); } });
const everyTrapThrows = new Proxy({}, throwingHandler);
const revoked = () => { const { proxy, revoke } = Proxy.revocable(new Error('revoked'), {}); revoke(); return proxy; };
`;

/** One file per case: a value that breaks node:test itself must not take the other cases with it. */
const CASES: Record<string, string> = {
  'stack-getter': `const e = new Error('stack getter'); Object.defineProperty(e, 'stack', { get: boom }); throw e;`,
  'constructor-getter': `const e = new RangeError('constructor getter'); Object.defineProperty(e, 'constructor', { get: boom }); throw e;`,
  'name-getter': `const e = new Error('name getter'); Object.defineProperty(e, 'name', { get: boom }); throw e;`,
  'cause-getter': `const e = new Error('cause getter'); Object.defineProperty(e, 'cause', { get: boom }); throw e;`,
  'message-to-string': `const e = new Error('x'); e.message = { toString: boom }; throw e;`,
  'transparent-proxy': `throw new Proxy(new TypeError('behind a proxy'), {});`,
  // node:test reads only the thrown value's message: values behind it are cctrial's alone to read.
  'hostile-causes': `const deep = new Error('deep'); Object.defineProperty(deep, 'message', { get: boom });
    throw new Error('outer', { cause: new Error('middle', { cause: new AggregateError([revoked(), new Proxy(new Error('p'), throwingHandler), deep], 'inner') }) });`,
  'circular-cause': `const a = new Error('a'); const b = new Error('b', { cause: a }); a.cause = b; throw a;`,
  'null-prototype': `throw Object.create(null);`,
  symbol: `throw Symbol('sym');`,
};

const files = Object.fromEntries(
  Object.entries(CASES).map(([name, body]) => [`${name}.test.js`, `${PRELUDE}test('hostile', () => { ${body} });\ntest('passes', () => {});\n`]),
);

describe('hostile thrown values', () => {
  let run: FixtureRun;
  const hostile = (name: string): TestResult => resultOf(run.report.results, `${name}.test.js`, ['hostile']);
  before(async () => {
    run = await runPackage({
      ...files,
      'aggregate.test.js': `import { test } from 'node:test';
test('many', () => { throw new AggregateError([new Error('one'), new TypeError('two'), 'three', ...Array.from({ length: 12 }, (_, i) => new Error('more ' + i))], 'several failed'); });
`,
    });
  });

  it('keeps node:test verdict for every test of every file: the hostile one fails, the next one passes', () => {
    for (const name of Object.keys(CASES)) {
      const results = resultsOfFile(run.report.results, `${name}.test.js`);
      assert.deepEqual(
        results.map((result) => [result.id.path.join(' › '), result.outcome]),
        [
          ['hostile', 'error'],
          ['passes', 'pass'],
        ],
        name,
      );
    }
  });

  it('reports each error readably, with what could be read of it', () => {
    assert.equal(hostile('stack-getter').error?.message, 'stack getter');
    assert.equal(hostile('constructor-getter').error?.type, 'RangeError');
    assert.equal(hostile('name-getter').error?.message, 'name getter');
    assert.equal(hostile('cause-getter').error?.message, 'cause getter');
    assert.equal(hostile('message-to-string').error?.type, 'Error');
    assert.deepEqual([hostile('transparent-proxy').error?.type, hostile('transparent-proxy').error?.message], ['TypeError', 'behind a proxy']);
    assert.equal(hostile('null-prototype').error?.message, '[Object: null prototype] {}');
    assert.equal(hostile('symbol').error?.message, 'Symbol(sym)');
    for (const name of Object.keys(CASES)) assert.doesNotThrow(() => formatError(hostile(name).error!, run.root), name);
  });

  it('describes causes and inner errors that throw on every read', () => {
    const aggregate = hostile('hostile-causes').error?.cause?.cause;
    assert.equal(aggregate?.type, 'AggregateError');
    const [revokedProxy, trapProxy, deep] = aggregate?.errors ?? [];
    assert.equal(revokedProxy?.message, '<Revoked Proxy>');
    assert.match(trapProxy?.message ?? '', /Error: p/);
    assert.equal(deep?.message, '<reading the message threw Error: getter boom>');
  });

  it('ends a circular cause chain with a marker', () => {
    const error = hostile('circular-cause').error!;
    assert.deepEqual([error.message, error.cause?.message, error.cause?.cause?.type, error.cause?.cause?.cause], ['a', 'b', 'CircularCause', undefined]);
  });

  it('shows the first inner errors of an AggregateError, and how many more there were', () => {
    const error = resultOf(run.report.results, 'aggregate.test.js', ['many']).error!;
    assert.equal(error.errors?.length, 10);
    assert.equal(error.errorsOmitted, 5);
    // Plain text: under nx the tests run with FORCE_COLOR, and picocolors then colours the report.
    const text = stripVTControlCharacters(formatError(error, run.root));
    assert.match(text, /\[errors 1\] Error: one\n\s+at .*aggregate\.test\.js:2:/);
    assert.match(text, /\[errors 2\] TypeError: two/);
    assert.match(text, /\[errors 3\] string: 'three'/);
    assert.match(text, /\.\.\. and 5 more inner errors not kept/);
  });
});

// node:test itself reads the message of what a test throws: a throwing getter or trap there breaks
// node:test before any reporter sees the failure. Node 20 and 22 then cancel the file's tests. From
// Node 24 node:test keeps the process alive for ever, waiting for a test that never ends (plain node
// --test hangs): the child says when its event loop ran out of work, and the watchdog ends the file.
describe('a thrown value that breaks node:test itself', () => {
  it(NODE_MAJOR < 24 ? 'keeps the verdict node:test gives: every test of the file cancelled' : 'ends the file with an error naming the test, keeping the verdicts of the tests that finished', async () => {
    const files = {
      'message-getter.test.js': `${PRELUDE}test('before', () => {});\ntest('hostile', () => { const e = new Error('m'); Object.defineProperty(e, 'message', { get: boom }); throw e; });\ntest('passes', () => {});\n`,
      'revoked.test.js': `${PRELUDE}test('before', () => {});\ntest('hostile', () => { throw revoked(); });\ntest('passes', () => {});\n`,
      'every-trap.test.js': `${PRELUDE}test('before', () => {});\ntest('hostile', () => { throw everyTrapThrows; });\ntest('passes', () => {});\n`,
    };
    // Short limits, so that Node 24+ ends these files in seconds; Node 20 and 22 never wait for them.
    const run = await runPackage(files, { timeoutMs: 1_000, silenceLimitMs: 3_000 });
    for (const file of Object.keys(files)) {
      const results = resultsOfFile(run.report.results, file).map((result) => [result.id.path.join(' › '), result.outcome, result.error?.type]);
      if (NODE_MAJOR < 24) {
        assert.deepEqual(results, [['before', 'pass', undefined], ['hostile', 'cancelled', 'PendingPromiseError'], ['passes', 'cancelled', 'PendingPromiseError']], file);
        continue;
      }
      assert.deepEqual(results, [['before', 'pass', undefined], ['', 'cancelled', 'StalledTestError']], file);
      assert.match(fileResultOf(run.report.results, file).error?.message ?? '', /^The test process made no progress for 3000 ms and was killed: its event loop had nothing left to run while the test "hostile" was still running/, file);
    }
  });
});

describe('throw undefined', () => {
  it('gives one group per site, at the test, and one group for one site in a loop', async () => {
    const run = await runPackage({
      'undefined.test.js': `import { test } from 'node:test';
test('first site', () => { throw undefined; });
test('second site', async () => { await Promise.reject(undefined); });
for (const n of [1, 2, 3]) test('looped ' + n, () => { throw undefined; });
`,
    });
    const groups = groupFailures(run.report.results, run.root);
    assert.deepEqual(
      groups.map((group) => [group.signature, group.tests.map((test) => test.id.path[0])]),
      [
        ['undefined: undefined @ undefined.test.js:4:28', ['looped 1', 'looped 2', 'looped 3']],
        ['undefined: undefined @ undefined.test.js:2:1', ['first site']],
        ['undefined: undefined @ undefined.test.js:3:1', ['second site']],
      ],
    );
    assert.match(stripVTControlCharacters(formatError(groups[1]!.tests[0]!.error!, run.root)), /at <test; the thrown value has no stack> \(undefined\.test\.js:2:1\)/);
  });
});

describe('huge messages', () => {
  it('reach the parent capped, with a marker, and still group by their head', async () => {
    const MB5 = 5 * 1024 * 1024;
    const run = await runPackage({
      'big.test.js': `import { test } from 'node:test';
import assert from 'node:assert/strict';
const big = (tail) => Buffer.from('x'.repeat(${MB5}) + tail).toString();
const fail = (tail) => { throw new Error(big(tail)); };
test('one', () => fail('one'));
test('two', () => fail('two, a little longer'));
test('diff', () => { throw new assert.AssertionError({ message: 'lists differ', expected: Array.from({ length: 300 }, () => 'y'.repeat(20000)), actual: [big('b')], operator: 'deepStrictEqual' }); });
`,
    });
    const results = run.report.results;
    // Everything the parent kept of three 5 MB failures: message, stack, diff sides and all.
    assert.ok(JSON.stringify(results).length < 600 * 1024, `kept ${JSON.stringify(results).length} bytes`);
    const one = resultOf(results, 'big.test.js', ['one']).error!;
    assert.match(one.message, /^x+… 5,177,347 bytes cut$/);
    assert.equal(Buffer.byteLength(one.message.replace(/… .*$/, '')), 64 * 1024);
    assert.match(one.stack ?? '', /\n\s+at .*big\.test\.js:4:/, 'the frames survive the cut');
    const diff = resultOf(results, 'big.test.js', ['diff']).error!;
    assert.match(diff.expected ?? '', /bytes cut$/);
    for (const side of [diff.expected, diff.actual]) assert.ok(Buffer.byteLength(side ?? '') <= 65 * 1024);
    // Messages equal in their first 64 KiB, thrown at one site, are one cause, deliberately (see normaliseMessage).
    const groups = groupFailures(results, run.root).filter((group) => group.signature.startsWith('Error:'));
    assert.deepEqual(groups.map((group) => group.tests.map((test) => test.id.path[0])), [['one', 'two']]);
  });
});
