/**
 * From frames to results, with real node:test children: identity (ancestor path, occurrence), outcomes,
 * parents that only fail through their subtests, hooks, skip/todo and per-test timeouts.
 */
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { groupFailures } from '../../src/results/group.js';
import type { TestResult } from '../../src/results/types.js';
import { describeResults, lineOf, resultOf, resultsOfFile, runEngineSuite, runTestFiles, testFileNames, writePackage, eventsOfType, type EngineRun } from '../helpers/fixtures.js';

const META_NAME = 'a.b*(c)? [x] {y} ^$ | \\ / +';
const UNICODE_NAME = 'naïve café — 日本語 🚀';

const FILES = {
  'tree.test.js': `import { describe, it, test } from 'node:test';
import assert from 'node:assert/strict';

describe('outer', () => {
  describe('inner', () => {
    it('passes', () => {});
    it('fails', () => {
      assert.equal(1, 2); // inner-fails
    });
  });
  it('direct', () => {});
});

test('parent', async (t) => {
  await t.test('child passes', () => {});
  await t.test('child fails', () => {
    throw new TypeError('child broke'); // child-fails
  });
  await t.test('middle', async (t) => {
    await t.test('grandchild fails', () => {
      throw new RangeError('deep'); // grandchild-fails
    });
  });
});

test('parent that fails itself', async (t) => {
  await t.test('its child passes', () => {});
  throw new Error('parent own error'); // parent-own
});
`,
  'hooks.test.js': `import { describe, it, before, beforeEach, after } from 'node:test';
import assert from 'node:assert/strict';

describe('database', () => {
  before(() => {
    throw new RangeError('connection refused'); // before-throws
  });
  it('reads', () => {});
  it('writes', () => {});
});

describe('per test setup', () => {
  beforeEach(() => {
    throw new Error('fixture missing'); // beforeEach-throws
  });
  it('first', () => {});
  it('second', () => {});
});

describe('teardown', () => {
  after(() => {
    throw new Error('suite teardown broke'); // after-throws
  });
  it('runs fine', () => {});
});

describe('working hooks', () => {
  const calls = [];
  before(() => calls.push('before'));
  beforeEach(() => calls.push('beforeEach'));
  it('sees them', () => {
    assert.deepEqual(calls, ['before', 'beforeEach']);
  });
});
`,
  'names.test.js': `import { describe, it, test } from 'node:test';

test('same name', () => {
  throw new Error('first copy'); // first-copy
});
test('same name', () => {});
describe('box', () => {
  it('same name', () => {});
  it('same name', () => {
    throw new Error('second in box'); // second-in-box
  });
});
test(${JSON.stringify(META_NAME)}, () => {
  throw new Error('meta'); // meta-throws
});
test(${JSON.stringify(UNICODE_NAME)}, () => {});
`,
  'skip-todo.test.js': `import { describe, it, test } from 'node:test';

test('skipped with reason', { skip: 'not on this OS' }, () => {
  throw new Error('never runs');
});
it.skip('skipped plainly', () => {});
test('skips itself', (t) => {
  t.skip('decided at run time');
});
test('todo that fails', { todo: 'not implemented yet' }, () => {
  throw new Error('expected to fail for now');
});
test.todo('todo without body');
test('plain pass', () => {});
`,
};

/** Known bugs, kept apart so that the passing tests above do not depend on them. */
const BUG_FILES = {
  'duplicate-suites.test.js': `import { describe, it, before } from 'node:test';
describe('s', () => {
  before(() => {
    throw new RangeError('first suite hook');
  });
  it('x', () => {});
});
describe('s', () => {
  it('x', () => {});
});
`,
  'nested-suites.test.js': `import { describe, it, before } from 'node:test';
describe('A', () => {
  before(() => {
    throw new RangeError('outer hook');
  });
  describe('B', () => {
    it('x', () => {});
  });
  it('y', () => {});
});
`,
  'suite-timeout.test.js': `import { describe, it } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
describe('slow suite', { timeout: 100 }, () => {
  it('a', async () => {
    await delay(1000);
  });
  it('b', () => {});
});
`,
};

const failing = (result: TestResult) => result.outcome === 'failure' || result.outcome === 'error' || result.outcome === 'cancelled';

describe('collect: results of real test files', () => {
  const root = writePackage({ ...FILES, ...BUG_FILES });
  let results: TestResult[] = [];
  before(async () => {
    results = (await runTestFiles(root, testFileNames({ ...FILES, ...BUG_FILES }))).report.results;
  });

  describe('nested describe/it', () => {
    it('names each test by its ancestors, with their kinds', () => {
      const passes = resultOf(results, 'tree.test.js', ['outer', 'inner', 'passes']);
      assert.equal(passes.outcome, 'pass');
      assert.equal(passes.kind, 'test');
      assert.deepEqual(passes.pathKinds, ['suite', 'suite', 'test']);
      assert.equal(resultOf(results, 'tree.test.js', ['outer', 'direct']).outcome, 'pass');
    });

    it('reports an assertion as a failure, with its line and the assertion data', () => {
      const fails = resultOf(results, 'tree.test.js', ['outer', 'inner', 'fails']);
      assert.equal(fails.outcome, 'failure');
      assert.equal(fails.error?.type, 'AssertionError');
      assert.equal(fails.error?.actual, '1');
      assert.equal(fails.error?.expected, '2');
      assert.equal(fails.line, lineOf(root, 'tree.test.js', "it('fails'"));
      assert.match(fails.error?.stack ?? '', new RegExp(`tree\\.test\\.js:${lineOf(root, 'tree.test.js', 'inner-fails')}:`));
    });

    it('does not report passing suites as results', () => {
      assert.equal(results.filter((result) => result.kind === 'suite' && result.id.file === 'tree.test.js').length, 0, describeResults(results));
    });
  });

  describe('t.test subtests', () => {
    it('reports subtests under their parent test, as tests', () => {
      const child = resultOf(results, 'tree.test.js', ['parent', 'child fails']);
      assert.equal(child.outcome, 'error');
      assert.equal(child.error?.type, 'TypeError');
      assert.deepEqual(child.pathKinds, ['test', 'test']);
      assert.equal(resultOf(results, 'tree.test.js', ['parent', 'child passes']).outcome, 'pass');
      const grandchild = resultOf(results, 'tree.test.js', ['parent', 'middle', 'grandchild fails']);
      assert.equal(grandchild.error?.message, 'deep');
      assert.deepEqual(grandchild.pathKinds, ['test', 'test', 'test']);
    });

    it('drops a parent that failed only because its subtests failed', () => {
      const parents = resultsOfFile(results, 'tree.test.js').filter(
        (result) => JSON.stringify(result.id.path) === '["parent"]' || JSON.stringify(result.id.path) === '["parent","middle"]',
      );
      assert.deepEqual(parents, [], 'a parent failing with "subtests failed" would count one failure twice');
    });

    it('keeps a parent that fails with an error of its own', () => {
      const parent = resultOf(results, 'tree.test.js', ['parent that fails itself']);
      assert.equal(parent.outcome, 'error');
      assert.equal(parent.error?.message, 'parent own error');
      assert.equal(resultOf(results, 'tree.test.js', ['parent that fails itself', 'its child passes']).outcome, 'pass');
    });
  });

  describe('hooks', () => {
    it('gives the tests of a suite whose before() throws the hook error itself, and drops the suite', () => {
      for (const name of ['reads', 'writes']) {
        const test = resultOf(results, 'hooks.test.js', ['database', name]);
        assert.equal(test.outcome, 'error');
        assert.equal(test.error?.type, 'RangeError');
        assert.equal(test.error?.message, 'connection refused');
        assert.match(test.error?.stack ?? '', new RegExp(`hooks\\.test\\.js:${lineOf(root, 'hooks.test.js', 'before-throws')}:`));
      }
      assert.equal(
        results.find((result) => result.id.file === 'hooks.test.js' && JSON.stringify(result.id.path) === '["database"]'),
        undefined,
        'the suite is represented by its tests',
      );
    });

    it('groups the tests of a failing before() into one group', () => {
      const groups = groupFailures(resultsOfFile(results, 'hooks.test.js'), root);
      const database = groups.find((group) => group.signature.startsWith('RangeError: connection refused'));
      assert.ok(database, groups.map((group) => group.signature).join('\n'));
      assert.deepEqual(database.tests.map((test) => test.id.path.at(-1)), ['reads', 'writes']);
      assert.equal(database.signature, `RangeError: connection refused @ hooks.test.js:${lineOf(root, 'hooks.test.js', 'before-throws')}:11`);
    });

    it('fails each test of a suite whose beforeEach() throws, with the hook error', () => {
      for (const name of ['first', 'second']) {
        const test = resultOf(results, 'hooks.test.js', ['per test setup', name]);
        assert.equal(test.outcome, 'error');
        assert.equal(test.failureType, 'hookFailed');
        assert.equal(test.error?.message, 'fixture missing');
      }
    });

    it('reports a suite whose after() throws as a failure of the suite, its tests passing', () => {
      assert.equal(resultOf(results, 'hooks.test.js', ['teardown', 'runs fine']).outcome, 'pass');
      const suite = resultOf(results, 'hooks.test.js', ['teardown']);
      assert.equal(suite.kind, 'suite');
      assert.equal(suite.outcome, 'error');
      assert.equal(suite.error?.message, 'suite teardown broke');
    });

    it('runs working hooks around the test', () => {
      assert.equal(resultOf(results, 'hooks.test.js', ['working hooks', 'sees them']).outcome, 'pass');
    });
  });

  describe('names', () => {
    it('numbers tests with the same path by occurrence, in file order', () => {
      const first = resultOf(results, 'names.test.js', ['same name'], 0);
      const second = resultOf(results, 'names.test.js', ['same name'], 1);
      assert.equal(first.outcome, 'error');
      assert.equal(first.error?.message, 'first copy');
      assert.equal(second.outcome, 'pass');
      assert.ok(second.line! > first.line!);
    });

    it('counts occurrences per full path, not per own name', () => {
      assert.equal(resultOf(results, 'names.test.js', ['box', 'same name'], 0).outcome, 'pass');
      const inBox = resultOf(results, 'names.test.js', ['box', 'same name'], 1);
      assert.equal(inBox.error?.message, 'second in box');
      assert.equal(resultsOfFile(results, 'names.test.js').filter((result) => result.id.path.at(-1) === 'same name').length, 4);
    });

    it('keeps regex metacharacters and unicode in names verbatim', () => {
      const meta = resultOf(results, 'names.test.js', [META_NAME]);
      assert.equal(meta.error?.message, 'meta');
      assert.equal(resultOf(results, 'names.test.js', [UNICODE_NAME]).outcome, 'pass');
    });
  });

  describe('skip and todo', () => {
    it('reports skipped tests as skip, with the reason, without running them', () => {
      const skipped = resultOf(results, 'skip-todo.test.js', ['skipped with reason']);
      assert.equal(skipped.outcome, 'skip');
      assert.equal(skipped.reason, 'not on this OS');
      assert.equal(skipped.error, undefined);
      assert.equal(resultOf(results, 'skip-todo.test.js', ['skipped plainly']).outcome, 'skip');
      const runtime = resultOf(results, 'skip-todo.test.js', ['skips itself']);
      assert.equal(runtime.outcome, 'skip');
      assert.equal(runtime.reason, 'decided at run time');
    });

    it('reports todo tests as todo even when they fail, and never as failing', () => {
      const todo = resultOf(results, 'skip-todo.test.js', ['todo that fails']);
      assert.equal(todo.outcome, 'todo');
      assert.equal(todo.reason, 'not implemented yet');
      assert.equal(resultOf(results, 'skip-todo.test.js', ['todo without body']).outcome, 'todo');
      assert.deepEqual(resultsOfFile(results, 'skip-todo.test.js').filter(failing), []);
      assert.equal(resultOf(results, 'skip-todo.test.js', ['plain pass']).outcome, 'pass');
    });
  });

  describe('known bugs', () => {
    it('gives the error of a failing before() to the tests of the first of two same-named suites', () => {
      const x = resultOf(results, 'duplicate-suites.test.js', ['s', 'x'], 0);
      assert.equal(x.outcome, 'error');
      assert.equal(x.error?.message, 'first suite hook');
      assert.equal(resultOf(results, 'duplicate-suites.test.js', ['s', 'x'], 1).outcome, 'pass');
      assert.deepEqual(resultsOfFile(results, 'duplicate-suites.test.js').filter((result) => result.kind === 'suite'), []);
    });

    it('does not count a nested suite under a failing before() as a failure of its own', () => {
      const failures = resultsOfFile(results, 'nested-suites.test.js').filter(failing);
      assert.deepEqual(failures.map((result) => result.id.path.join(' › ')), ['A › B › x', 'A › y'], describeResults(failures));
    });

    it('reports every test cancelled by its suite timeout as cancelled', () => {
      assert.equal(resultOf(results, 'suite-timeout.test.js', ['slow suite', 'a']).outcome, 'cancelled');
      assert.equal(resultOf(results, 'suite-timeout.test.js', ['slow suite', 'b']).outcome, 'cancelled');
    });

    it('groups the tests cancelled by one suite timeout together', () => {
      const groups = groupFailures(resultsOfFile(results, 'suite-timeout.test.js'), root);
      assert.equal(groups.length, 1, groups.map((group) => group.signature).join('\n'));
      assert.equal(groups[0]!.tests.length, 2);
    });
  });
});

describe('collect: per-test timeouts', () => {
  const root = writePackage({
    'timeout.test.js': `import { after, test } from 'node:test';
let handle;
after(() => clearInterval(handle));
test('has its own timeout', { timeout: 100 }, () => new Promise(() => {
  handle = setInterval(() => {}, 1000);
}));
test('quick', () => {});
`,
    'slow.test.js': `import { test } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
test('takes 600 ms', async () => {
  await delay(600);
});
test('quick', () => {});
`,
    'own-longer.test.js': `import { describe, it, test } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
test('takes 600 ms within its own 5 s', { timeout: 5000 }, () => delay(600));
describe('a suite with its own 5 s', { timeout: 5000 }, () => {
  it('does not pass it on: --timeout applies', () => delay(600));
});
`,
  });
  let run: EngineRun;
  before(async () => {
    run = await runEngineSuite(['--timeout', '150', '--once', '-j', '2'], root);
  });

  it("cancels a test that exceeds its own { timeout } and runs the others", () => {
    const results = run.outcome.report.results;
    const slow = resultOf(results, 'timeout.test.js', ['has its own timeout']);
    assert.equal(slow.outcome, 'cancelled');
    assert.equal(slow.failureType, 'testTimeoutFailure');
    assert.match(slow.error?.message ?? '', /timed out after 100ms/);
    assert.equal(resultOf(results, 'timeout.test.js', ['quick']).outcome, 'pass');
    assert.equal(resultsOfFile(results, 'timeout.test.js').filter((result) => result.kind === 'file').length, 0, 'the file itself ended normally');
  });

  it("lets a test's own longer { timeout } win over --timeout, on every Node version, as node --test does on Node 24", () => {
    const results = run.outcome.report.results;
    assert.equal(resultOf(results, 'own-longer.test.js', ['takes 600 ms within its own 5 s']).outcome, 'pass');
    // node --test on Node 24 gives --test-timeout to every test without a timeout of its own, a suite's notwithstanding.
    assert.equal(resultOf(results, 'own-longer.test.js', ['a suite with its own 5 s', 'does not pass it on: --timeout applies']).outcome, 'cancelled');
  });

  it('cancels a test that exceeds --timeout, on every Node version', () => {
    const results = run.outcome.report.results;
    const slow = resultOf(results, 'slow.test.js', ['takes 600 ms']);
    assert.equal(slow.outcome, 'cancelled');
    assert.equal(slow.failureType, 'testTimeoutFailure');
    assert.equal(resultOf(results, 'slow.test.js', ['quick']).outcome, 'pass');
    const [end] = eventsOfType(run.events, 'run:end');
    assert.equal(end?.cancelled, 3);
  });
});
