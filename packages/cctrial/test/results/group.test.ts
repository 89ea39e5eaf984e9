/**
 * Grouping failures by root cause: plain data first, then real runs of a monorepo whose tests fail
 * through a linked workspace package, with 1 and 4 workers.
 */
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import type { CctrialEvent } from '../../src/events.js';
import { groupFailures, type FailureGroup } from '../../src/results/group.js';
import type { Outcome, SerializedError, TestResult } from '../../src/results/types.js';
import { parseEvents, runCli } from '../helpers/cli.js';
import { eventsOfType, lineOf, runEngineSuite, type EngineRun } from '../helpers/fixtures.js';
import { writeNpmMonorepo } from '../helpers/workspace.js';

const ROOT = '/work/repo';

let nextLine = 1;
/** A failing result; `site` is where the error was thrown, as root-relative `file:line:column`. */
function failed(file: string, name: string, error: { type?: string; message: string; site?: string }, extra: { project?: string; outcome?: Outcome } = {}): TestResult {
  const serialized: SerializedError = { type: error.type ?? 'Error', message: error.message };
  if (error.site) serialized.stack = `${serialized.type}: ${error.message}\n    at helper (${ROOT}/${error.site})\n    at node:internal/test_runner/test:1:1`;
  return {
    id: { project: extra.project ?? 'app', file, path: [name], occurrence: 0 },
    kind: 'test',
    pathKinds: ['test'],
    outcome: extra.outcome ?? 'error',
    durationMs: 1,
    line: nextLine++,
    column: 1,
    error: serialized,
  };
}

const names = (group: FailureGroup) => group.tests.map((test) => `${test.id.project}:${test.id.file}:${test.id.path.join(' › ')}`);

describe('groupFailures', () => {
  it('puts a group of flaky tests only after the real failures, whatever its size, and never picks a flaky representative while a steady test is there', () => {
    const flakyError = { message: 'timing out now and then', site: 'src/net.js:1:1' };
    const realError = { message: 'really broken', site: 'src/real.js:1:1' };
    const flaky = (file: string, name: string, error: typeof flakyError) => ({ ...failed(file, name, error), flaky: true as const });
    const groups = groupFailures(
      [flaky('a.test.js', 'one', flakyError), flaky('b.test.js', 'two', flakyError), flaky('a.test.js', 'three', realError), failed('c.test.js', 'four', realError)],
      ROOT,
    );
    assert.deepEqual(groups.map((group) => group.signature), ['Error: really broken @ src/real.js:1:1', 'Error: timing out now and then @ src/net.js:1:1']);
    assert.equal(groups[0]!.representative.id.file, 'c.test.js', 'the steady test, though the flaky one comes first by file');
    assert.equal(groups[1]!.representative.id.file, 'a.test.js', 'all flaky: the usual choice');
  });

  it('merges the same type, message and throw site from different tests and files', () => {
    const error = { type: 'TypeError', message: 'x is not a function', site: 'src/x.js:3:9' };
    const groups = groupFailures([failed('a.test.js', 'one', error), failed('b.test.js', 'two', error)], ROOT);
    assert.equal(groups.length, 1);
    assert.equal(groups[0]!.signature, 'TypeError: x is not a function @ src/x.js:3:9');
    assert.deepEqual(names(groups[0]!), ['app:a.test.js:one', 'app:b.test.js:two']);
  });

  it('never merges the same message with a different type', () => {
    const groups = groupFailures(
      [failed('a.test.js', 'one', { type: 'TypeError', message: 'bad input', site: 'src/x.js:3:9' }), failed('a.test.js', 'two', { type: 'RangeError', message: 'bad input', site: 'src/x.js:3:9' })],
      ROOT,
    );
    assert.equal(groups.length, 2);
  });

  it('never merges the same type and message thrown from different places', () => {
    const groups = groupFailures(
      [failed('a.test.js', 'one', { message: 'not found', site: 'src/x.js:3:9' }), failed('a.test.js', 'two', { message: 'not found', site: 'src/y.js:3:9' })],
      ROOT,
    );
    assert.deepEqual(groups.map((group) => group.signature), ['Error: not found @ src/x.js:3:9', 'Error: not found @ src/y.js:3:9']);
  });

  it('never merges messages that differ in a value that is not volatile', () => {
    const groups = groupFailures(
      [failed('a.test.js', 'one', { message: 'expected 3, got 4', site: 'src/x.js:3:9' }), failed('a.test.js', 'two', { message: 'expected 3, got 5', site: 'src/x.js:3:9' })],
      ROOT,
    );
    assert.equal(groups.length, 2);
  });

  it('merges messages that differ only in dates, uuids and addresses', () => {
    const groups = groupFailures(
      [
        failed('a.test.js', 'one', { message: 'job 123e4567-e89b-12d3-a456-426614174000 failed at 2026-01-02T03:04:05.678Z (0x7ffee4c3a9b0)', site: 'src/job.js:9:11' }),
        failed('b.test.js', 'two', { message: 'job 9F1C2D3E-0000-4ABC-8DEF-0123456789AB failed at 2027-11-30T23:59:59+02:00 (0x55d0c0ffee00)', site: 'src/job.js:9:11' }),
      ],
      ROOT,
    );
    assert.equal(groups.length, 1);
    assert.equal(groups[0]!.signature, 'Error: job <uuid> failed at <date> (<address>) @ src/job.js:9:11');
  });

  it('counts failures, errors and cancellations, but not passes, skips or todos', () => {
    const error = { message: 'boom', site: 'src/x.js:1:1' };
    const results = (['pass', 'skip', 'todo', 'failure', 'error', 'cancelled'] as Outcome[]).map((outcome) => failed('a.test.js', outcome, error, { outcome }));
    const groups = groupFailures(results, ROOT);
    assert.deepEqual(groups.map((group) => group.tests.map((test) => test.outcome)), [['failure', 'error', 'cancelled']]);
    assert.deepEqual(groupFailures(results.slice(0, 3), ROOT), []);
  });

  it('sorts groups largest first, equal sizes in the order of their first test', () => {
    const small = { message: 'small', site: 'src/s.js:1:1' };
    const large = { message: 'large', site: 'src/l.js:1:1' };
    const other = { message: 'other', site: 'src/o.js:1:1' };
    const groups = groupFailures(
      [failed('a.test.js', 'a1', small), failed('a.test.js', 'a2', other), failed('b.test.js', 'b1', large), failed('b.test.js', 'b2', large), failed('c.test.js', 'c1', large)],
      ROOT,
    );
    assert.deepEqual(groups.map((group) => `${group.tests.length} ${group.signature.split(' @')[0]}`), ['3 Error: large', '1 Error: small', '1 Error: other']);
  });

  it('picks the representative by project, then file, then order in the file, whatever order the files came in', () => {
    const error = { message: 'shared cause', site: 'lib/shared.js:2:9' };
    const alphaA = [failed('packages/alpha/a.test.js', 'second in file', error, { project: 'alpha' }), failed('packages/alpha/a.test.js', 'third in file', error, { project: 'alpha' })];
    const alphaZ = [failed('packages/alpha/z.test.js', 'z', error, { project: 'alpha' })];
    const beta = [failed('packages/beta/0.test.js', 'first by file name', error, { project: 'beta' })];
    const inFileOrder = groupFailures([...alphaA, ...alphaZ, ...beta], ROOT);
    const finishedBackwards = groupFailures([...beta, ...alphaZ, ...alphaA], ROOT);
    assert.deepEqual(finishedBackwards, inFileOrder);
    assert.deepEqual(names(inFileOrder[0]!), [
      'alpha:packages/alpha/a.test.js:second in file',
      'alpha:packages/alpha/a.test.js:third in file',
      'alpha:packages/alpha/z.test.js:z',
      'beta:packages/beta/0.test.js:first by file name',
    ]);
    assert.equal(inFileOrder[0]!.representative, inFileOrder[0]!.tests[0]);
  });

  it('picks the test nearest the cause: the fewest user frames between the throw site and its own file', () => {
    const at = (...sites: string[]) => ['TypeError: rate is undefined', ...sites.map((site) => `    at ${ROOT}/${site}`), '    at node:internal/test_runner/test:1:1'].join('\n');
    const withStack = (result: TestResult, stack: string): TestResult => ({ ...result, error: { ...result.error!, stack } });
    const error = { type: 'TypeError', message: 'rate is undefined' };
    const app = withStack(failed('packages/app/test/a.test.js', 'totals', error, { project: 'app' }), at('packages/tax/index.js:2:9', 'packages/price/index.js:3:3', 'packages/app/test/a.test.js:5:3'));
    const price = withStack(failed('packages/price/test/p.test.js', 'prices', error, { project: 'price' }), at('packages/tax/index.js:2:9', 'packages/price/index.js:3:3', 'packages/price/test/p.test.js:4:3'));
    const tax = withStack(failed('packages/tax/test/t.test.js', 'taxes', error, { project: 'tax' }), at('packages/tax/index.js:2:9', 'packages/tax/test/t.test.js:4:3'));
    for (const order of [[app, price, tax], [tax, price, app]]) {
      const [group] = groupFailures(order, ROOT);
      assert.equal(group!.tests.length, 3);
      assert.equal(group!.representative, tax);
      assert.deepEqual(names(group!), ['app:packages/app/test/a.test.js:totals', 'price:packages/price/test/p.test.js:prices', 'tax:packages/tax/test/t.test.js:taxes']);
    }
    // Equally near (or a stack that never reaches the test file): the first by project, file and order.
    assert.equal(groupFailures([price, app], ROOT)[0]!.representative, app);
  });

  it('keeps the order of tests inside a file as given, never sorting them by name', () => {
    const error = { message: 'same', site: 'src/x.js:1:1' };
    const groups = groupFailures([failed('a.test.js', 'zebra', error), failed('a.test.js', 'apple', error)], ROOT);
    assert.equal(groups[0]!.representative.id.path[0], 'zebra');
  });

  it('falls back to the test location when the error has no stack, so such errors never merge across tests', () => {
    const groups = groupFailures([failed('a.test.js', 'one', { type: 'string', message: "'oops'" }), failed('a.test.js', 'two', { type: 'string', message: "'oops'" })], ROOT);
    assert.equal(groups.length, 2);
    assert.match(groups[0]!.signature, /^string: 'oops' @ a\.test\.js:\d+:1$/);
  });
});

/**
 * Tests in two projects fail through one helper of a linked workspace package, with a fresh date and
 * uuid in every message. The first file of the first project is the slowest, so with 4 workers the
 * files finish out of order.
 */
function writeSharedCauseMonorepo(): string {
  const usesHelper = (names: string[], slow = false) => `import { test } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import { checkInvariant } from '@fx/shared';
${names.map((name) => `test(${JSON.stringify(name)}, async () => {\n  ${slow ? 'await delay(1000);\n  ' : ''}checkInvariant();\n});`).join('\n')}
`;
  return writeNpmMonorepo({
    shared: {
      name: '@fx/shared',
      files: {
        'index.js': `import { randomUUID } from 'node:crypto';
export function checkInvariant() {
  throw new Error(\`invariant broken for request \${randomUUID()} at \${new Date().toISOString()}\`); // shared-throw
}
`,
      },
    },
    alpha: {
      name: '@fx/alpha',
      dependencies: ['@fx/shared'],
      files: {
        'test/a.test.js': usesHelper(['alpha first', 'alpha second'], true),
        'test/b.test.js': `import { test } from 'node:test';
import { checkInvariant } from '@fx/shared';
test('alpha b own error', () => {
  throw new TypeError('alpha b is broken');
});
test('alpha b helper', () => {
  checkInvariant();
});
`,
      },
    },
    beta: {
      name: '@fx/beta',
      dependencies: ['@fx/shared'],
      files: {
        'test/c.test.js': usesHelper(['beta one', 'beta two']),
        'test/d.test.js': `import { test } from 'node:test';
test('beta d own error', () => {
  throw new TypeError('beta d is broken');
});
`,
      },
    },
  });
}

const completionOrder = (events: CctrialEvent[]) => [...new Set(eventsOfType(events, 'test:fail').map((event) => event.file))];
const groupSummary = (groups: FailureGroup[]) => groups.map((group) => ({ signature: group.signature, representative: group.representative.id, tests: group.tests.map((test) => test.id) }));

describe('groupFailures on real runs', () => {
  const root = writeSharedCauseMonorepo();
  let serial: EngineRun;
  let parallel: EngineRun;
  before(async () => {
    serial = await runEngineSuite(['-j', '1', '--once'], root);
    parallel = await runEngineSuite(['-j', '4', '--once'], root);
  });

  it('groups the failures of a shared helper in a linked package under its throw site, volatile parts normalised', () => {
    const [largest] = serial.outcome.groups;
    const line = lineOf(root, 'packages/shared/index.js', '// shared-throw');
    assert.equal(largest?.signature, `Error: invariant broken for request <uuid> at <date> @ packages/shared/index.js:${line}:9`);
    assert.deepEqual(largest?.tests.map((test) => test.id.path[0]), ['alpha first', 'alpha second', 'alpha b helper', 'beta one', 'beta two']);
    assert.deepEqual(largest?.representative.id, { project: '@fx/alpha', file: 'packages/alpha/test/a.test.js', path: ['alpha first'], occurrence: 0 });
    assert.deepEqual(serial.outcome.groups.slice(1).map((group) => group.signature.split(' @')[0]), ['TypeError: alpha b is broken', 'TypeError: beta d is broken']);
  });

  it('finishes the files out of order with 4 workers (so the next test proves something)', () => {
    assert.deepEqual(completionOrder(serial.events), ['packages/alpha/test/a.test.js', 'packages/alpha/test/b.test.js', 'packages/beta/test/c.test.js', 'packages/beta/test/d.test.js']);
    assert.notEqual(completionOrder(parallel.events)[0], 'packages/alpha/test/a.test.js');
  });

  it('gives the same groups, in the same order, with the same representatives, with 1 and 4 workers', () => {
    assert.deepEqual(groupSummary(parallel.outcome.groups), groupSummary(serial.outcome.groups));
    const groupsEvents = (run: EngineRun) => eventsOfType(run.events, 'groups');
    assert.deepEqual(groupsEvents(parallel), groupsEvents(serial));
  });
});

describe('the fix target on a real run: the bug lives two packages below the failing tests', () => {
  const test = (imports: string, name: string, call: string) => `import { test } from 'node:test';\nimport assert from 'node:assert/strict';\n${imports}\ntest(${JSON.stringify(name)}, () => {\n  assert.equal(${call}, 110);\n});\n`;
  const root = writeNpmMonorepo({
    tax: { name: '@fx/tax', files: { 'index.js': 'const rates = {};\nexport const withTax = (amount) => amount * (1 + rates.standard.percent / 100);\n', 'test/tax.test.js': test("import { withTax } from '@fx/tax';", 'adds the standard rate', 'withTax(100)') } },
    price: { name: '@fx/price', dependencies: ['@fx/tax'], files: { 'index.js': "import { withTax } from '@fx/tax';\nexport const price = (item) => withTax(item.net);\n", 'test/price.test.js': test("import { price } from '@fx/price';", 'prices an item', 'price({ net: 100 })') } },
    app: { name: '@fx/app', dependencies: ['@fx/price'], files: { 'test/cart.test.js': test("import { price } from '@fx/price';", 'totals a cart', '[{ net: 100 }].map(price).reduce((a, b) => a + b)') } },
  });

  it('the three failures are one group, and its representative is the test in the package that throws', async () => {
    const { outcome } = await runEngineSuite(['-j', '2', '--once'], root);
    assert.equal(outcome.groups.length, 1);
    const [group] = outcome.groups;
    assert.match(group!.signature, /^TypeError: Cannot read properties of undefined \(reading 'percent'\) @ packages\/tax\/index\.js:2:\d+$/);
    assert.deepEqual(group!.tests.map((result) => result.id.project), ['@fx/app', '@fx/price', '@fx/tax']);
    assert.deepEqual(group!.representative.id, { project: '@fx/tax', file: 'packages/tax/test/tax.test.js', path: ['adds the standard rate'], occurrence: 0 });
  });

  it("the report shows the representative's stack, from the throw site straight to its test", async () => {
    const { code, stdout } = await runCli(['--once', '-j', '2'], { cwd: root });
    assert.equal(code, 1);
    const frames = stdout.split('\n').filter((line) => line.startsWith('    at '));
    assert.match(frames[0]!, /packages\/tax\/index\.js:2:\d+/);
    assert.match(frames[1]!, /packages\/tax\/test\/tax\.test\.js:\d+:\d+/);
    assert.ok(!stdout.includes('packages/app/test/cart.test.js:'), 'no stack frame of the test two packages above');
  });
});

/** One cause each, split before by values, wrappers and temporary folders in messages. */
function writeSplitCausesMonorepo(): string {
  return writeNpmMonorepo({
    lib: {
      name: '@fx/lib',
      files: {
        'index.js': [
          'export const double = (n) => n * 3;',
          "export const headerName = (header) => header.name.toLowerCase();",
          'export class ParseError extends Error {}',
          "export function parseForm(header) {",
          '  try {',
          '    return headerName(header);',
          '  } catch (error) {',
          "    throw new ParseError('could not parse the form', { cause: error });",
          '  }',
          '}',
          "import { existsSync } from 'node:fs';",
          'export function mustExist(file) {',
          '  if (!existsSync(file)) throw new Error(`expected ${file} to exist`);',
          '}',
          '',
        ].join('\n'),
      },
    },
    app: {
      name: '@fx/app',
      dependencies: ['@fx/lib'],
      files: {
        'test/cases.test.js': [
          "import { test } from 'node:test';",
          "import assert from 'node:assert/strict';",
          "import { double } from '@fx/lib';",
          'for (const [input, wanted] of [[1, 2], [2, 4], [3, 6]]) {',
          '  test(`doubles ${input}`, () => assert.equal(double(input), wanted));',
          '}',
          "test('doubles with a message of its own', () => assert.equal(double(4), 8, `double(4) gave ${double(4)}`));",
          "test('doubles with another message', () => assert.equal(double(5), 10, `double(5) gave ${double(5)}`));",
          '',
        ].join('\n'),
        'test/form.test.js': [
          "import { test } from 'node:test';",
          "import { headerName, parseForm } from '@fx/lib';",
          "test('names a header', () => headerName(undefined));",
          "test('names another header', () => headerName(undefined));",
          "test('parses a form', () => parseForm(undefined));",
          "test('parses another form', () => parseForm(undefined));",
          '',
        ].join('\n'),
        'test/files.test.js': [
          "import { test } from 'node:test';",
          "import { mkdtempSync } from 'node:fs';",
          "import { tmpdir } from 'node:os';",
          "import path from 'node:path';",
          "import { mustExist } from '@fx/lib';",
          "test('writes the report', () => mustExist(path.join(mkdtempSync(path.join(tmpdir(), 'e2e-')), 'report.json')));",
          "test('writes the report again', () => mustExist(path.join(mkdtempSync(path.join(tmpdir(), 'e2e-')), 'report.json')));",
          '',
        ].join('\n'),
      },
    },
  });
}

describe('one cause is one group: values, wrappers and temporary folders', () => {
  const root = writeSplitCausesMonorepo();

  it('gives one group per cause, and lists each case with its values', async () => {
    const { code, stdout } = await runCli(['--once', '--json', '-j', '2'], { cwd: root });
    assert.equal(code, 1);
    const groups = parseEvents(stdout).find((event) => event.type === 'groups');
    assert.ok(groups?.type === 'groups');
    const line = (text: string) => lineOf(root, 'packages/lib/index.js', text);
    // The site's column is V8's, which moves between Node versions: the line is what matters here.
    const summary = groups.groups.map((group) => [group.count, group.signature.split('\n')[0]!.replace(/:\d+$/, '')]);
    assert.deepEqual(summary, [
      [4, `TypeError: Cannot read properties of undefined (reading 'name') @ packages/lib/index.js:${line('header.name')}`],
      [3, 'AssertionError: Expected values to be strictly equal: @ packages/app/test/cases.test.js:5'],
      [2, `Error: expected <tmp>/report.json to exist @ packages/lib/index.js:${line('to exist')}`],
      // A message of the test's own is the test's account: it is kept, and splits.
      [1, 'AssertionError: double(4) gave 12'],
      [1, 'AssertionError: double(5) gave 15'],
    ]);
    const report = await runCli(['--once', '-j', '2'], { cwd: root });
    assert.match(report.stdout, /^  - packages\/app\/test\/cases\.test\.js › doubles 1: actual 3, expected 2$/m);
    assert.match(report.stdout, /^  - packages\/app\/test\/cases\.test\.js › doubles 3: actual 9, expected 6$/m);
    assert.match(report.stdout, /^  - packages\/app\/test\/form\.test\.js › parses a form$/m);
  });
});
