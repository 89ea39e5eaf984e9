/**
 * The cctrial command line as a user runs it: the built CLI in a real process, on real monorepos written
 * to disk, with real node:test children. `--once` is the mode under test (the helper clears CI).
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import type { CctrialEvent } from '../src/events.js';
import { FLAGS } from '../src/options.js';
import { parseEvents, runCli, type CliResult } from './helpers/cli.js';
import { writeNpmMonorepo, writeWorkspace } from './helpers/workspace.js';

type EventOf<T extends CctrialEvent['type']> = Extract<CctrialEvent, { type: T }>;

// Bug 1 lives in @fx/money and breaks three tests of @fx/shop, which imports it through its workspace link.
const PRICE_JS = `export function add(a, b) {
  return a + b;
}

export function formatPrice(cents, currency) {
  // Bug: the symbol table is looked up with the wrong key.
  const symbol = { EUR: '€', USD: '$' }[currency.code];
  return symbol.concat((cents / 100).toFixed(2));
}
`;
const CART_TEST = `import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { formatPrice } from '@fx/money';

describe('cart', () => {
  it('shows the total', () => assert.equal(formatPrice(1250, 'EUR'), '€12.50'));
  it('shows a line price', () => assert.equal(formatPrice(99, 'USD'), '$0.99'));
});
`;
const CHECKOUT_TEST = `import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatPrice } from '@fx/money';

test('checkout shows the amount due', () => assert.equal(formatPrice(500, 'EUR'), '€5.00'));
test('checkout counts items', () => assert.equal([1, 2, 3].length, 3));
`;
// Bug 2 lives in @fx/a-text and breaks one of its own tests. Its package sorts first, its group is smaller.
const TEXT_JS = `export function slug(title) {
  // Bug: spaces become underscores.
  return title.toLowerCase().replaceAll(' ', '_');
}

export function shout(text) {
  return text.toUpperCase() + '!';
}
`;
const SLUG_TEST = `import { test } from 'node:test';
import assert from 'node:assert/strict';
import { shout, slug } from '@fx/a-text';

test('slug joins words with dashes', () => assert.equal(slug('Hello World'), 'hello-world'));
test('slug keeps one word', () => assert.equal(slug('Hello'), 'hello'));
test('shout adds a bang', () => assert.equal(shout('hi'), 'HI!'));
`;
const MONEY_TEST = `import { test } from 'node:test';
import assert from 'node:assert/strict';
import { add } from '@fx/money';

test('adds cents', () => assert.equal(add(1, 2), 3));
test('adds negative cents', () => assert.equal(add(5, -2), 3));
`;

function writeTwoBugMonorepo(): string {
  return writeNpmMonorepo({
    'a-text': { name: '@fx/a-text', files: { 'index.js': TEXT_JS, 'test/slug.test.js': SLUG_TEST } },
    money: {
      name: '@fx/money',
      files: { 'index.js': "export { add, formatPrice } from './lib/price.js';\n", 'lib/price.js': PRICE_JS, 'test/money.test.js': MONEY_TEST },
    },
    shop: {
      name: '@fx/shop',
      dependencies: ['@fx/money'],
      files: { 'index.js': 'export {};\n', 'test/cart.test.js': CART_TEST, 'test/checkout.test.js': CHECKOUT_TEST },
    },
  });
}

/** 1-based line of the first line of `source` containing `needle`. */
function lineOf(source: string, needle: string): number {
  const index = source.split('\n').findIndex((line) => line.includes(needle));
  assert.notEqual(index, -1, needle);
  return index + 1;
}

const CART = 'packages/shop/test/cart.test.js';
const CHECKOUT = 'packages/shop/test/checkout.test.js';
const SLUG = 'packages/a-text/test/slug.test.js';
const MONEY = 'packages/money/test/money.test.js';
const PRICE_SITE = `packages/money/lib/price.js:${lineOf(PRICE_JS, 'symbol.concat')}:`;
const TYPE_ERROR = "TypeError: Cannot read properties of undefined (reading 'concat')";

const PRICE_GROUP = [`${CART} › cart › shows the total`, `${CART} › cart › shows a line price`, `${CHECKOUT} › checkout shows the amount due`];
const SLUG_GROUP = [`${SLUG} › slug joins words with dashes`];
const ALL_TESTS = [
  ...PRICE_GROUP,
  `${CHECKOUT} › checkout counts items`,
  ...SLUG_GROUP,
  `${SLUG} › slug keeps one word`,
  `${SLUG} › shout adds a bang`,
  `${MONEY} › adds cents`,
  `${MONEY} › adds negative cents`,
];

const refName = (ref: { file: string; name: string[] }) => [ref.file, ...ref.name].join(' › ');

/** Test results of a --json run, as "file › name" strings, sorted. */
function testsRun(events: CctrialEvent[]): string[] {
  return events
    .filter((event): event is EventOf<'test:pass'> | EventOf<'test:fail'> => event.type === 'test:pass' || event.type === 'test:fail')
    .map(refName)
    .sort();
}

function only<T extends CctrialEvent['type']>(events: CctrialEvent[], type: T): EventOf<T> {
  const found = events.filter((event): event is EventOf<T> => event.type === type);
  assert.equal(found.length, 1, `exactly one ${type} event`);
  return found[0]!;
}

/** The human report's group blocks: heading, then the representative's error, then the listed tests. */
function groupBlocks(stdout: string): Array<{ count: number; title: string; body: string[]; tests: string[] }> {
  const blocks: Array<{ count: number; title: string; body: string[]; tests: string[] }> = [];
  for (const line of stdout.split('\n')) {
    const heading = /^={20,} (\d+) tests?: (.*)$/.exec(line);
    if (heading) blocks.push({ count: Number(heading[1]), title: heading[2]!, body: [], tests: [] });
    else if (/^-{20,}$/.test(line)) break; // the rule before "Ran N tests"
    else if (blocks.length > 0 && line.startsWith('  - ')) blocks.at(-1)!.tests.push(line.slice(4));
    else if (blocks.length > 0 && line.trim() !== '') blocks.at(-1)!.body.push(line);
  }
  return blocks;
}

const withoutTimings = (stdout: string) => stdout.replace(/^Ran (\d+) tests in [\d.]+s$/m, 'Ran $1 tests in <time>');

function assertUsageError(result: CliResult, ...patterns: RegExp[]): void {
  assert.equal(result.code, 2, `exit code 2 expected\nstdout:\n${result.stdout}\nstderr:\n${result.stderr}`);
  assert.equal(result.stdout, '', 'nothing ran');
  const message = result.stderr.trim();
  assert.match(message, /^cctrial: \S/);
  assert.doesNotMatch(message, /internal error/);
  assert.doesNotMatch(message, /\n\s*\n/, 'one paragraph');
  assert.doesNotMatch(message, /^\s+at /m, 'no stack trace');
  for (const pattern of patterns) assert.match(message, pattern);
}

describe('cctrial --once on a monorepo with two bugs in two packages', () => {
  const root = writeTwoBugMonorepo();

  it('prints each group as "N tests: <error>", largest first, with one representative stack and its tests, and exits 1', async () => {
    const { code, stdout, stderr } = await runCli(['--once'], { cwd: root });
    assert.equal(code, 1, stderr);
    assert.equal(stderr, '');
    assert.match(stdout, /^Running tests in 4 files\.$/m);
    assert.match(stdout, /^Ran 9 tests in \d+\.\d{3}s$/m);
    assert.match(stdout, /^FAILED \(failures=1, errors=3, successes=5\)$/m);
    assert.doesNotMatch(stdout, /\x1b\[/, 'no escape codes off a TTY');

    const blocks = groupBlocks(stdout);
    // @fx/a-text comes first in the workspace, but its group is smaller: size decides the order.
    assert.deepEqual(
      blocks.map(({ count, title }) => [count, title]),
      [
        [3, TYPE_ERROR],
        [1, 'AssertionError: Expected values to be strictly equal:'],
      ],
    );
    const [price, slug] = blocks;
    assert.deepEqual(price!.tests, PRICE_GROUP);
    assert.deepEqual(slug!.tests, SLUG_GROUP);

    // One representative stack per group: the first test by file and order, frames made relative.
    assert.equal(price!.body[0], TYPE_ERROR);
    assert.match(price!.body[1]!, new RegExp(`^\\s+at formatPrice \\(${escape(PRICE_SITE)}\\d+\\)$`));
    assert.match(price!.body[2]!, new RegExp(`\\(${escape(CART)}:${lineOf(CART_TEST, 'shows the total')}:\\d+\\)$`));
    assert.equal(stdout.split('at formatPrice (').length - 1, 1, 'the stack is printed once, not once per test');
    assert.ok(!stdout.includes(`(${CHECKOUT}:`), 'no stack of the other tests of the group');
    assert.ok(!stdout.includes('file://'), 'paths are relative to the workspace root');
    assert.equal(slug!.body[0], 'AssertionError: Expected values to be strictly equal:');
    assert.ok(slug!.body.some((line) => line.includes(`(${SLUG}:${lineOf(SLUG_TEST, 'slug joins words')}:`)), slug!.body.join('\n'));

    // Groups come before the verdict, which ends the report.
    assert.ok(stdout.indexOf(TYPE_ERROR) < stdout.indexOf('Ran 9 tests'));
    assert.ok(stdout.trimEnd().endsWith('FAILED (failures=1, errors=3, successes=5)'));
  });

  it('--json prints only NDJSON events: run:start, test:pass/test:fail, groups largest first, run:end', async () => {
    const { code, stdout, stderr } = await runCli(['--once', '--json'], { cwd: root });
    assert.equal(code, 1, stderr);
    for (const line of stdout.trimEnd().split('\n')) assert.doesNotThrow(() => JSON.parse(line), `not JSON: ${line}`);
    const events = parseEvents(stdout);
    for (const event of events) assert.equal(typeof event.type, 'string');

    assert.deepEqual(events[0], { type: 'run:start', phase: 'suite', tests: null, files: 4 });
    const end = events.at(-1)!;
    assert.equal(end.type, 'run:end');
    const { durationMs, ...counts } = end as EventOf<'run:end'>;
    assert.equal(typeof durationMs, 'number');
    assert.deepEqual(counts, { type: 'run:end', phase: 'suite', passed: 5, failed: 1, errors: 3, skipped: 0, todo: 0, cancelled: 0 });

    assert.deepEqual(testsRun(events), [...ALL_TESTS].sort());
    const passes = events.filter((event): event is EventOf<'test:pass'> => event.type === 'test:pass');
    assert.equal(passes.length, 5);
    for (const pass of passes) assert.equal(pass.outcome, 'pass');

    const failures = events.filter((event): event is EventOf<'test:fail'> => event.type === 'test:fail');
    assert.equal(failures.length, 4);
    for (const failure of failures) {
      assert.ok(['@fx/shop', '@fx/a-text'].includes(failure.project), failure.project);
      assert.ok(failure.file.startsWith(`packages/${failure.project.slice(4)}/test/`), failure.file);
      assert.ok(Array.isArray(failure.name) && failure.name.length > 0);
      assert.equal(failure.occurrence, 0);
      assert.equal(typeof failure.durationMs, 'number');
      assert.equal(typeof failure.error.message, 'string');
      assert.equal(typeof failure.error.stack, 'string');
    }
    const priceFailures = failures.filter((failure) => failure.project === '@fx/shop');
    for (const failure of priceFailures) {
      assert.equal(failure.outcome, 'error');
      assert.equal(failure.error.type, 'TypeError');
      // The throw site is the linked package's real file, not a node_modules path.
      assert.match(failure.signature, new RegExp(`^${escape(TYPE_ERROR)} @ ${escape(PRICE_SITE)}\\d+$`));
    }
    const slugFailure = failures.find((failure) => failure.project === '@fx/a-text')!;
    assert.equal(slugFailure.outcome, 'failure');
    assert.equal(slugFailure.error.type, 'AssertionError');
    assert.equal(slugFailure.error.expected, "'hello-world'");
    assert.equal(slugFailure.error.actual, "'hello_world'");

    const { groups } = only(events, 'groups');
    assert.ok(events.indexOf(only(events, 'groups')) < events.length - 1, 'groups come before run:end');
    assert.deepEqual(
      groups.map((group) => group.count),
      [3, 1],
    );
    assert.deepEqual(groups[0]!.tests.map(refName), PRICE_GROUP);
    assert.deepEqual(groups[1]!.tests.map(refName), SLUG_GROUP);
    for (const group of groups) {
      assert.equal(group.count, group.tests.length);
      for (const test of group.tests) {
        const failure = failures.find((candidate) => refName(candidate) === refName(test))!;
        assert.equal(failure.signature, group.signature, 'every test of a group has its signature');
        assert.deepEqual(test, { project: failure.project, file: failure.file, name: failure.name, occurrence: failure.occurrence });
      }
    }
  });

  it('-j 1 and -j 4 give identical groups, representatives and report', async () => {
    const [serialJson, parallelJson, serialText, parallelText] = await Promise.all([
      runCli(['--once', '--json', '-j', '1'], { cwd: root }),
      runCli(['--once', '--json', '-j', '4'], { cwd: root }),
      runCli(['--once', '-j', '1'], { cwd: root }),
      runCli(['--once', '--jobs', '4'], { cwd: root }),
    ]);
    for (const result of [serialJson, parallelJson, serialText, parallelText]) assert.equal(result.code, 1, result.stderr);
    const serialGroups = only(parseEvents(serialJson.stdout), 'groups');
    assert.deepEqual(only(parseEvents(parallelJson.stdout), 'groups'), serialGroups);
    assert.deepEqual(
      serialGroups.groups.map((group) => refName(group.tests[0]!)),
      [PRICE_GROUP[0], SLUG_GROUP[0]],
    );
    assert.equal(withoutTimings(parallelText.stdout), withoutTimings(serialText.stdout));
  });

  describe('positional arguments select what runs', () => {
    const cases: Array<{ how: string; args: string[]; files: number; tests: string[] }> = [
      { how: 'a project name', args: ['@fx/shop'], files: 2, tests: ALL_TESTS.filter((test) => test.startsWith('packages/shop/')) },
      { how: 'a folder', args: ['packages/a-text'], files: 1, tests: ALL_TESTS.filter((test) => test.startsWith(SLUG)) },
      { how: 'a test file', args: [CHECKOUT], files: 1, tests: ALL_TESTS.filter((test) => test.startsWith(CHECKOUT)) },
      {
        how: 'a project and a test file of another project',
        args: ['@fx/money', CART],
        files: 2,
        tests: ALL_TESTS.filter((test) => test.startsWith(MONEY) || test.startsWith(CART)),
      },
    ];
    for (const { how, args, files, tests } of cases) {
      it(`by ${how}: ${args.join(' ')}`, async () => {
        const { code, stdout, stderr } = await runCli(['--once', '--json', ...args], { cwd: root });
        const events = parseEvents(stdout);
        assert.equal(only(events, 'run:start').files, files, stderr);
        assert.deepEqual(testsRun(events), [...tests].sort());
        const startedFiles = new Set(events.filter((event) => event.type === 'test:start').map((event) => (event as EventOf<'test:start'>).file));
        assert.deepEqual([...startedFiles].sort(), [...new Set(tests.map((test) => test.split(' › ')[0]!))].sort(), 'no other file was started');
        const failed = tests.some((test) => PRICE_GROUP.includes(test) || SLUG_GROUP.includes(test));
        assert.equal(code, failed ? 1 : 0);
      });
    }

    it('relative to the folder cctrial runs in', async () => {
      const { code, stdout, stderr } = await runCli(['--once', '--json', 'test/checkout.test.js'], { cwd: `${root}/packages/shop` });
      assert.equal(code, 1, stderr);
      assert.deepEqual(testsRun(parseEvents(stdout)), ALL_TESTS.filter((test) => test.startsWith(CHECKOUT)).sort());
    });
  });

  describe('-g/--grep runs only matching tests', () => {
    it('matching part of a test name, across packages', async () => {
      const { code, stdout, stderr } = await runCli(['--once', '--json', '-g', 'shows'], { cwd: root });
      assert.equal(code, 1, stderr);
      const events = parseEvents(stdout);
      assert.deepEqual(testsRun(events), [...PRICE_GROUP].sort());
      assert.deepEqual(
        only(events, 'groups').groups.map((group) => group.count),
        [3],
      );
      const { durationMs, ...counts } = only(events, 'run:end');
      assert.ok(durationMs >= 0);
      assert.deepEqual(counts, { type: 'run:end', phase: 'suite', passed: 0, failed: 0, errors: 3, skipped: 0, todo: 0, cancelled: 0 });
    });

    it('matching a suite name selects its tests', async () => {
      const { stdout, stderr } = await runCli(['--once', '--json', '--grep', 'cart'], { cwd: root });
      assert.deepEqual(testsRun(parseEvents(stdout)), ALL_TESTS.filter((test) => test.startsWith(CART)).sort(), stderr);
    });

    it('matching the file path runs the whole file, and a green selection exits 0', async () => {
      const { code, stdout, stderr } = await runCli(['--once', '-g', 'money.test'], { cwd: root });
      assert.equal(code, 0, stderr);
      assert.match(stdout, /^Ran 2 tests in \d+\.\d{3}s$/m);
      assert.match(stdout, /^PASSED \(successes=2\)$/m);
    });
  });
});

describe('cctrial --once on a green workspace', () => {
  const root = writeNpmMonorepo({
    calc: {
      name: 'calc',
      files: {
        'index.js': 'export const double = (n) => n * 2;\n',
        'test/double.test.js':
          "import { describe, it } from 'node:test';\nimport assert from 'node:assert/strict';\nimport { double } from 'calc';\n\n" +
          "describe('double', () => {\n  it('doubles', () => assert.equal(double(2), 4));\n  it('keeps zero', () => assert.equal(double(0), 0));\n});\n",
        'test/more.test.js': "import { test } from 'node:test';\ntest('runs', () => {});\n",
      },
    },
  });

  it('exits 0 with PASSED (successes=N) and no groups', async () => {
    const { code, stdout, stderr } = await runCli(['--once'], { cwd: root });
    assert.equal(code, 0, stderr);
    assert.equal(stderr, '');
    assert.match(stdout, /^Running tests in 2 files\.$/m);
    assert.match(stdout, /^Ran 3 tests in \d+\.\d{3}s$/m);
    assert.ok(stdout.trimEnd().endsWith('PASSED (successes=3)'), stdout);
    assert.doesNotMatch(stdout, /FAILED/);
    assert.deepEqual(groupBlocks(stdout), []);
  });

  it('--json: run:end counts only passes, and there is no groups event', async () => {
    const { code, stdout } = await runCli(['--once', '--json'], { cwd: root });
    assert.equal(code, 0);
    const events = parseEvents(stdout);
    assert.equal(events.filter((event) => event.type === 'groups').length, 0);
    const { durationMs, ...counts } = only(events, 'run:end');
    assert.equal(typeof durationMs, 'number');
    assert.deepEqual(counts, { type: 'run:end', phase: 'suite', passed: 3, failed: 0, errors: 0, skipped: 0, todo: 0, cancelled: 0 });
  });
});

describe('cctrial usage errors exit 2 with one clear paragraph on stderr', () => {
  const root = writeTwoBugMonorepo();

  it('an unknown flag', async () => {
    assertUsageError(await runCli(['--once', '--bogus'], { cwd: root }), /--bogus/, /cctrial --help/);
  });

  it('--jobs 0', async () => {
    assertUsageError(await runCli(['--once', '--jobs', '0'], { cwd: root }), /--jobs/, /"0"/, /at least 1/);
  });

  it('-j with something that is not a number', async () => {
    assertUsageError(await runCli(['--once', '-j', 'many'], { cwd: root }), /--jobs/, /"many"/);
  });

  it('--timeout abc', async () => {
    assertUsageError(await runCli(['--once', '--timeout', 'abc'], { cwd: root }), /--timeout/, /"abc"/);
  });

  it('an unknown project name, listing the known projects', async () => {
    assertUsageError(await runCli(['--once', 'nope'], { cwd: root }), /"nope"/, /@fx\/a-text/, /@fx\/money/, /@fx\/shop/);
  });

  it('a folder with no test files', async () => {
    assertUsageError(await runCli(['--once', 'packages/money/lib'], { cwd: root }), /No test files/i);
  });

  it('--timeout beyond what timers can wait, naming the maximum', async () => {
    assertUsageError(await runCli(['--once', '--timeout', '2147480000'], { cwd: root }), /--timeout must be at most 2147423647 \(about 24 days\)/, /Use 0 for no timeout/);
  });

  it('--cwd naming a folder that does not exist: the path as given, and what to do (not "No test files found")', async () => {
    const result = await runCli(['--once', '--cwd', '/nonexist/cctrial-missing'], { cwd: root });
    assertUsageError(result, /^cctrial: --cwd "\/nonexist\/cctrial-missing" does not exist\. Give --cwd an existing folder inside the workspace, or leave it out/);
    assert.doesNotMatch(result.stderr, /No test files/);
  });

  it('a relative --cwd that does not exist: the path as given and as resolved', async () => {
    assertUsageError(
      await runCli(['--once', '--cwd', 'packages/nope'], { cwd: root }),
      new RegExp(`^cctrial: --cwd "packages/nope" \\(resolved to ${escape(root)}/packages/nope\\) does not exist\\.`),
    );
  });

  it('--cwd naming a file', async () => {
    assertUsageError(await runCli(['--once', '--cwd', 'package.json'], { cwd: root }), /--cwd "package\.json" \(resolved to .*\/package\.json\) is a file, not a folder\./);
  });

  it('--watch naming a folder that does not exist, resolved against --cwd (not silently ignored)', async () => {
    assertUsageError(
      await runCli(['--once', '--cwd', 'packages', '--watch', '../vendor/lib'], { cwd: root }),
      new RegExp(`^cctrial: --watch "\\.\\./vendor/lib" \\(resolved to ${escape(root)}/vendor/lib\\) does not exist\\. Give --watch an existing folder .*or leave it out`),
    );
  });

  it('--watch naming a file, and in watch mode too', async () => {
    assertUsageError(await runCli(['-f', '--watch', 'packages/money/index.js'], { cwd: root }), /--watch "packages\/money\/index\.js" .* is a file, not a folder\./);
  });

  it('cctrial init --cwd naming a folder that does not exist', async () => {
    assertUsageError(await runCli(['init', '--cwd', 'nowhere'], { cwd: root }), /^cctrial: --cwd "nowhere" \(resolved to .*\) does not exist\./);
  });

  it(
    'a folder with no test files: the message names that folder, not its project (which has tests)',
    async () => {
      const result = await runCli(['--once', 'packages/money/lib'], { cwd: root });
      assertUsageError(result, /packages\/money\/lib/);
    },
  );
});

describe('cctrial --version', () => {
  it('prints the version with --version and -V, as Jest and Vitest users type it', async () => {
    const { version } = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
    for (const flag of ['--version', '-V']) {
      const { code, stdout } = await runCli([flag], { cwd: process.cwd() });
      assert.equal(code, 0);
      assert.equal(stdout.trim(), version);
    }
  });
});

describe('cctrial --help', () => {
  it('lists every flag, with its short form, and the exit codes', async () => {
    const { code, stdout, stderr } = await runCli(['--help'], { cwd: process.cwd() });
    assert.equal(code, 0, stderr);
    assert.equal(stderr, '');
    assert.match(stdout, /^Usage: cctrial /m);
    assert.ok(FLAGS.length >= 10);
    for (const flag of FLAGS) {
      assert.match(stdout, new RegExp(`(^|[\\s,])--${escape(flag.name)}\\b`, 'm'), `--${flag.name} is listed`);
      if (flag.short) assert.match(stdout, new RegExp(`(^|\\s)-${escape(flag.short)},? +--${escape(flag.name)}\\b`, 'm'), `-${flag.short} is listed`);
      assert.ok(stdout.includes(flag.description.split('\n')[0]!), `--${flag.name} is described`);
    }
    for (const flag of ['--once', '--json', '--jobs', '--grep', '--timeout', '--import', '--no-notify', '--forever', '--verbose']) assert.ok(stdout.includes(flag), flag);
    assert.match(stdout, /exit codes?/i);
    // The legend of the status-line columns.
    for (const column of ['failures', 'errors', 'skipped', 'todo', 'cancelled']) assert.match(stdout, new RegExp(`\\b${column}\\b`), column);
  });
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

describe('cctrial: what each project runs', () => {
  const fixture = () =>
    writeWorkspace({
      'package.json': JSON.stringify({ name: 'root', private: true, workspaces: ['packages/*'] }),
      'packages/api/package.json': JSON.stringify({ name: '@w/api', scripts: { test: 'NODE_ENV=test node --no-warnings --test-reporter=dot --test test/*.spec.mjs' } }),
      'packages/api/test/env.spec.mjs': "import test from 'node:test';\nimport assert from 'node:assert';\ntest('sees NODE_ENV', () => assert.equal(process.env.NODE_ENV, 'test'));\n",
      'packages/api/test/helpers/db.mjs': "throw new Error('a helper, not a test');\n",
      'packages/web/package.json': JSON.stringify({ name: '@w/web', scripts: { test: 'vitest run' } }),
      'packages/web/app.test.js': "throw new Error('a vitest file must not run under node:test');\n",
    });

  it('runs the test script’s globs with its environment, and names the project it leaves out', async () => {
    const { stdout, code } = await runCli(['--once', '--json'], { cwd: fixture() });
    const events = parseEvents(stdout);
    assert.equal(code, 0, stdout);
    assert.deepEqual(events.flatMap((event) => (event.type === 'test:pass' ? [`${event.file} ${event.name.join(' › ')}`] : [])), ['packages/api/test/env.spec.mjs sees NODE_ENV']);
    const warnings = events.flatMap((event) => (event.type === 'warning' ? [event.message] : []));
    assert.equal(warnings.length, 1);
    assert.match(warnings[0]!, /^left out 1 project that cctrial does not run with node:test: @w\/web \(its test script runs vitest\)\. To run one anyway, set "runner": "node"/);
  });

  it('--print-config shows each value and where it came from, and the files found', async () => {
    const { stdout, code } = await runCli(['--print-config', '@w/api'], { cwd: fixture() });
    assert.equal(code, 0, stdout);
    assert.match(stdout, /^@w\/api \(packages\/api\)$/m);
    assert.match(stdout, /^ {2}include: {3}test\/\*\.spec\.mjs \(expanded by sh\) {2}\[packages\/api\/package\.json scripts\.test\]$/m);
    assert.match(stdout, /^ {2}env: {7}NODE_ENV=test {2}\[packages\/api\/package\.json scripts\.test\]$/m);
    assert.match(stdout, /^ {2}node args: --no-warnings /m);
    assert.match(stdout, /^ {2}not used: {2}--test-reporter=dot /m);
    assert.match(stdout, /^ {2}files: {5}1: test\/env\.spec\.mjs$/m);
    // No loader given: chosen per file at launch, said as such.
    assert.match(stdout, /^ {2}import: {4}tsx where needed {2}\[detected /m);
    assert.doesNotMatch(stdout, /@w\/web/);
  });

  it('passes --node-arg and the words after -- to every test process', async () => {
    const root = writeWorkspace({
      'package.json': JSON.stringify({ name: 'solo' }),
      'gc.test.js': "import test from 'node:test';\nimport assert from 'node:assert';\ntest('gc is exposed', () => assert.equal(typeof globalThis.gc, 'function'));\ntest('flag seen', () => assert.ok(process.execArgv.includes('--trace-uncaught')));\n",
    });
    const { stdout, code } = await runCli(['--once', '--json', '--node-arg=--expose-gc', '--', '--trace-uncaught'], { cwd: root });
    assert.equal(code, 0, stdout);
  });
});

describe('cctrial -g', () => {
  it('is green when the only failure is a file-level one in a file with no matching test', async () => {
    const root = writeWorkspace({
      'package.json': JSON.stringify({ name: 'solo' }),
      'wanted.test.js': "import test from 'node:test';\ntest('wanted behaviour', () => {});\n",
      'noisy.test.js': "import test from 'node:test';\ntest('other behaviour', async () => { setTimeout(() => { throw new Error('late'); }, 20); });\n",
    });
    const all = await runCli(['--once', '--json'], { cwd: root });
    assert.equal(all.code, 1, 'without -g the late error fails its file');
    const grepped = await runCli(['--once', '--json', '-g', 'wanted'], { cwd: root });
    assert.equal(grepped.code, 0, grepped.stdout);
    const passed = parseEvents(grepped.stdout).flatMap((event) => (event.type === 'test:pass' ? [event.name.join(' › ')] : []));
    assert.deepEqual(passed, ['wanted behaviour']);
  });
});

describe('cctrial init', () => {
  it('adds the turbo task, and a script to each package whose tests cctrial runs; a second run changes nothing', async () => {
    const nodeTest = "import { test } from 'node:test';\ntest('works', () => {});\n";
    const root = writeWorkspace({
      'package.json': JSON.stringify({ name: 'init-root', private: true, workspaces: ['packages/*'] }, null, 2),
      'turbo.json': JSON.stringify({ tasks: { build: {} } }, null, 2),
      'packages/app/package.json': JSON.stringify({ name: 'app', scripts: { test: 'node --test src/*.spec.js' } }, null, 2),
      'packages/app/src/a.spec.js': nodeTest,
      'packages/web/package.json': JSON.stringify({ name: 'web', scripts: { test: 'vitest run' } }, null, 2),
      'packages/web/src/a.test.js': nodeTest,
      'packages/empty/package.json': JSON.stringify({ name: 'empty' }, null, 2),
    });
    const first = await runCli(['init'], { cwd: root });
    assert.equal(first.code, 0, first.stderr);
    const changes = first.stdout.split('\n').filter((line) => line.startsWith('cctrial init: '));
    assert.deepEqual(changes, [
      'cctrial init: turbo.json: added the task "cctrial" (cache: false, persistent: true)',
      'cctrial init: packages/app/package.json: added the script "cctrial"',
    ]);
    const second = await runCli(['init'], { cwd: root });
    assert.match(second.stdout, /^cctrial init: nothing to change, already set up\.$/m);
  });

  it('edits turbo.jsonc and package.json in place: comments, order, indentation and the rest of each line kept', async () => {
    const turbo = ['{', '  // The tasks of this repository.', '  "tasks": {', '    "build": { "outputs": ["dist/**"] } // keep me', '  }', '}', ''].join('\n');
    const manifest = ['{', '    "name": "app",', '    "scripts": {', '        "test": "node --test"', '    },', '    "private": true', '}', ''].join('\n');
    const root = writeWorkspace({
      'package.json': JSON.stringify({ name: 'init-root', private: true, workspaces: ['packages/*'] }, null, 2),
      'turbo.jsonc': turbo,
      'packages/app/package.json': manifest,
      'packages/app/test/a.test.js': "import { test } from 'node:test';\ntest('works', () => {});\n",
    });
    const { code, stdout, stderr } = await runCli(['init'], { cwd: root });
    assert.equal(code, 0, stderr);
    assert.match(stdout, /^cctrial init: turbo\.jsonc: added the task "cctrial"/m);
    // Only the edit itself: a comma after the property before it, and the new property.
    assert.equal(
      readFileSync(path.join(root, 'turbo.jsonc'), 'utf8'),
      ['{', '  // The tasks of this repository.', '  "tasks": {', '    "build": { "outputs": ["dist/**"] }, // keep me', '    "cctrial": {', '      "cache": false,', '      "persistent": true', '    }', '  }', '}', ''].join('\n'),
    );
    assert.equal(
      readFileSync(path.join(root, 'packages/app/package.json'), 'utf8'),
      ['{', '    "name": "app",', '    "scripts": {', '        "test": "node --test",', '        "cctrial": "cctrial"', '    },', '    "private": true', '}', ''].join('\n'),
    );
  });

  it('refuses to edit a file that is not valid JSON, saying which and what to do, and leaves it as it was', async () => {
    const root = writeWorkspace({ 'package.json': JSON.stringify({ name: 'r', private: true, workspaces: ['packages/*'] }), 'turbo.json': '{ "tasks": ' });
    const { code, stderr } = await runCli(['init'], { cwd: root });
    assert.equal(code, 2);
    assert.match(stderr, /turbo\.json is not valid JSON \(error at offset \d+\), so cctrial init cannot edit it safely\. Fix the file, or add the entry by hand\./);
    assert.equal(readFileSync(path.join(root, 'turbo.json'), 'utf8'), '{ "tasks": ');
  });

  it("names the repository's own package manager in its hint", async () => {
    for (const [files, hint] of [
      [{ 'pnpm-lock.yaml': '' }, 'pnpm --filter <package> cctrial'],
      [{ 'yarn.lock': '' }, 'yarn workspace <package> cctrial'],
      [{ 'bun.lock': '' }, 'bun run --filter <package> cctrial'],
      [{}, 'npm run cctrial -w <package>'],
    ] as const) {
      const root = writeWorkspace({ 'package.json': JSON.stringify({ name: 'r', private: true, workspaces: ['packages/*'] }), ...files });
      const { code, stdout } = await runCli(['init'], { cwd: root });
      assert.equal(code, 0);
      assert.ok(stdout.includes(`Run it with: ${hint}`), stdout);
    }
  });
});
