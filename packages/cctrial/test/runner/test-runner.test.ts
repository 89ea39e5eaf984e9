/**
 * The TestRunner with real children: where and how children run, --grep, progress, aborting,
 * re-running known tests, and TypeScript test files through tsx.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { before, describe, it } from 'node:test';
import { discoverTestFiles } from '../../src/discovery.js';
import { signatureOf } from '../../src/results/group.js';
import type { TestResult } from '../../src/results/types.js';
import { TestRunner, type RunReport } from '../../src/runner/test-runner.js';
import { fileRunOf, lineOf, resultOf, runTestFiles, testFilesOf, writePackage } from '../helpers/fixtures.js';
import { writeFixtureFile, writeNpmMonorepo } from '../helpers/workspace.js';

describe('TestRunner: the child environment', () => {
  const root = writeNpmMonorepo({
    'a-pkg': {
      name: '@fixture/a',
      files: {
        'test/env.test.js': `import { test } from 'node:test';
import assert from 'node:assert/strict';
test('runs in its project folder', () => {
  console.log('CWD ' + process.cwd());
});
test('sees the context of a runner child, never the outer node:test one', () => {
  assert.equal(process.env.NODE_TEST_CONTEXT, 'cctrial');
});
test('sees the configured environment', () => {
  assert.equal(process.env.FIXTURE_FLAG, 'on');
});
test('sees itself as the main module', () => {
  assert.equal(process.argv[1], new URL(import.meta.url).pathname);
});
test('writes to stderr', () => {
  console.error('to stderr');
});
`,
      },
    },
  });
  let report: RunReport;
  before(async () => {
    assert.ok(process.env.NODE_TEST_CONTEXT, 'these tests run under node --test, which sets NODE_TEST_CONTEXT');
    const files = discoverTestFiles([{ name: '@fixture/a', root: path.join(root, 'packages/a-pkg') }], root);
    const runner = new TestRunner({ root, jobs: 1, timeoutMs: 30_000, silenceLimitMs: 30_000, env: { ...process.env, FIXTURE_FLAG: 'on' } });
    report = await runner.runFiles(files);
  });

  it('runs every test of the file, in its project folder, with the configured environment', () => {
    const file = 'packages/a-pkg/test/env.test.js';
    assert.deepEqual(
      report.results.map((result) => `${result.id.project} ${result.id.file} ${result.id.path.join(' › ')} ${result.outcome}`),
      [
        `@fixture/a ${file} runs in its project folder pass`,
        `@fixture/a ${file} sees the context of a runner child, never the outer node:test one pass`,
        `@fixture/a ${file} sees the configured environment pass`,
        `@fixture/a ${file} sees itself as the main module pass`,
        `@fixture/a ${file} writes to stderr pass`,
      ],
    );
    assert.match(fileRunOf(report, file).stdout, new RegExp(`^CWD ${path.join(root, 'packages/a-pkg')}$`, 'm'));
  });

  it("keeps each file's stdout and stderr apart from the frames", () => {
    const run = fileRunOf(report, 'packages/a-pkg/test/env.test.js');
    assert.match(run.stderr, /^to stderr$/m);
    assert.doesNotMatch(run.stdout, /to stderr|"type":/);
    assert.equal(run.exitCode, 0);
  });
});

describe('TestRunner: --grep', () => {
  const FILES = {
    'names.test.js': `import { describe, it, test } from 'node:test';
test('a.b (x)', () => {});
test('aXb (x)', () => {});
test('unrelated', () => {});
describe('suite a.b (x)', () => {
  it('inside', () => {});
});
`,
    'other.test.js': `import { test } from 'node:test';
test('nothing matches here', () => {});
`,
    'grep-by-path.test.js': `import { test } from 'node:test';
test('any name', () => {});
test('another name', () => {});
`,
  };
  const root = writePackage(FILES);

  it('matches names literally: regex metacharacters in --grep are escaped', async () => {
    const { report } = await runTestFiles(root, ['names.test.js', 'other.test.js'], { grep: 'a.b (x)' });
    assert.deepEqual(report.results.map((result) => result.id.path.join(' › ')).sort(), ['a.b (x)', 'suite a.b (x) › inside']);
  });

  it('runs a whole file whose path contains the text', async () => {
    const { report } = await runTestFiles(root, ['grep-by-path.test.js', 'other.test.js'], { grep: 'grep-by-path' });
    assert.deepEqual(report.results.map((result) => `${result.id.file} ${result.id.path.join(' › ')}`), [
      'grep-by-path.test.js any name',
      'grep-by-path.test.js another name',
    ]);
  });
});

describe('TestRunner: progress and aborting', () => {
  const FILES = {
    'quick.test.js': `import { test } from 'node:test';
test('first', () => {});
test('second', () => {});
`,
    'hangs.test.js': `import { test } from 'node:test';
test('waits forever', () => new Promise(() => {
  setInterval(() => {}, 1000);
}));
`,
  };
  const root = writePackage(FILES);

  it('reports each test as it starts and each file as it ends', async () => {
    const runner = new TestRunner({ root, jobs: 1, timeoutMs: 30_000, silenceLimitMs: 30_000 });
    const started: string[] = [];
    const done: string[] = [];
    await runner.runFiles(testFilesOf(root, ['quick.test.js']), {
      onTestStart: (file, name) => started.push(`${file.relative} ${name}`),
      onFileDone: (run) => done.push(`${run.file} ${run.results.length}`),
    });
    assert.deepEqual(started, ['quick.test.js first', 'quick.test.js second']);
    assert.deepEqual(done, ['quick.test.js 2']);
  });

  it('stops a run when aborted, marking it aborted and inventing no file failure', async () => {
    const silenceLimitMs = 30_000;
    const runner = new TestRunner({ root, jobs: 2, timeoutMs: 0, silenceLimitMs });
    const controller = new AbortController();
    const report = await runner.runFiles(
      testFilesOf(root, ['hangs.test.js']),
      { onTestStart: (_file, name) => name === 'waits forever' && controller.abort() },
      controller.signal,
    );
    assert.equal(report.aborted, true);
    const run = fileRunOf(report, 'hangs.test.js');
    assert.equal(run.aborted, true);
    assert.ok(run.signal, 'the child was killed');
    assert.deepEqual(run.results, [], 'an aborted file has no verdict');
    assert.ok(report.durationMs < silenceLimitMs, 'the abort, not the watchdog, ended the run');
  });
});

describe('TestRunner: re-running known tests', () => {
  const FILES = {
    'math.test.js': `import { test } from 'node:test';
import assert from 'node:assert/strict';
test('adds', () => {
  assert.equal(1 + 1, 3);
});
test('subtracts', () => {});
`,
  };
  const root = writePackage(FILES);
  let known: TestResult[] = [];
  before(async () => {
    known = (await runTestFiles(root, ['math.test.js'])).report.results;
  });

  it('re-runs one failing test and returns only its result', async () => {
    const target = resultOf(known, 'math.test.js', ['adds']);
    const runner = new TestRunner({ root, jobs: 1, timeoutMs: 30_000, silenceLimitMs: 30_000 });
    const report = await runner.runTests([target], testFilesOf(root, ['math.test.js']), known);
    assert.equal(report.results.length, 1);
    assert.deepEqual(report.results[0]!.id, target.id);
    assert.equal(report.results[0]!.outcome, 'failure');
  });

  it('says a target that no longer reports was renamed or removed', async () => {
    const subtracts = resultOf(known, 'math.test.js', ['subtracts']);
    const ghost: TestResult = { ...subtracts, id: { ...subtracts.id, path: ['renamed long ago'] } };
    const runner = new TestRunner({ root, jobs: 1, timeoutMs: 30_000, silenceLimitMs: 30_000 });
    const report = await runner.runTests([ghost], testFilesOf(root, ['math.test.js']), known);
    const [result] = report.results;
    assert.deepEqual(result?.id, ghost.id);
    assert.equal(result?.outcome, 'error');
    assert.equal(result?.failureType, 'notRun');
    assert.equal(result?.error?.type, 'TestNotFoundError');
    assert.match(result?.error?.message ?? '', /"renamed long ago" did not run/);
  });

  it('gives a target the failure of its file when the file no longer loads', async () => {
    const copy = writePackage(FILES);
    const target = { ...resultOf(known, 'math.test.js', ['adds']) };
    writeFixtureFile(copy, 'math.test.js', `import { test } from 'node:test';\ntest('adds', () => {\n  return 1 +;\n});\n`);
    const runner = new TestRunner({ root: copy, jobs: 1, timeoutMs: 30_000, silenceLimitMs: 30_000 });
    const report = await runner.runTests([target], testFilesOf(copy, ['math.test.js']), known);
    const [result] = report.results;
    assert.deepEqual(result?.id, target.id, 'the result keeps the identity of the target');
    assert.equal(result?.kind, 'test');
    assert.equal(result?.failureType, 'loadError');
    assert.equal(result?.error?.type, 'SyntaxError');
  });
});

describe('TestRunner: TypeScript test files through tsx', () => {
  const FILES = {
    'math.test.ts': `import { test } from 'node:test';
import assert from 'node:assert/strict';

enum Sign {
  Plus = '+',
  Minus = '-',
}
interface Pair {
  a: number;
  b: number;
}
const apply = (sign: Sign, { a, b }: Pair): number => (sign === Sign.Plus ? a + b : a - b);

test('adds', () => {
  assert.equal(apply(Sign.Plus, { a: 1, b: 2 } as Pair), 4); // adds-assert
});
`,
  };
  const root = writePackage(FILES);

  it('runs a .ts file needing more than type stripping, with lines and throw sites in the .ts source', async () => {
    const { report } = await runTestFiles(root, ['math.test.ts']);
    const adds = resultOf(report.results, 'math.test.ts', ['adds']);
    assert.equal(adds.outcome, 'failure');
    assert.equal(adds.line, lineOf(root, 'math.test.ts', "test('adds'"));
    assert.equal(adds.column, 1);
    const line = lineOf(root, 'math.test.ts', '// adds-assert');
    assert.match(signatureOf(adds, root), new RegExp(`@ math\\.test\\.ts:${line}:10$`));
  });
});
