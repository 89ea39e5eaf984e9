/** Flaky tests: an outcome that changes with nothing the test reads changed in between. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FlakyTests } from '../../src/results/flaky.js';
import type { Outcome, TestResult } from '../../src/results/types.js';

const ROOT = '/work/repo';
const result = (outcome: Outcome, name = 'sometimes'): TestResult => ({
  id: { project: 'app', file: 'packages/app/a.test.js', path: [name], occurrence: 0 },
  kind: 'test',
  pathKinds: ['test'],
  outcome,
  durationMs: 1,
});
/** The test file, what it imports, and its project's folder. */
const filesOf = () => [`${ROOT}/packages/app/a.test.js`, `${ROOT}/packages/lib/index.js`, `${ROOT}/packages/app`];

describe('FlakyTests', () => {
  it('flags a test that fails, then passes, with no change in between, and keeps it flagged', () => {
    const flaky = new FlakyTests();
    assert.equal(flaky.observe([result('failure')], filesOf, flaky.now)[0]!.flaky, undefined);
    assert.equal(flaky.observe([result('pass')], filesOf, flaky.now)[0]!.flaky, true);
    assert.equal(flaky.mark(result('pass')).flaky, true);
    assert.equal(flaky.mark(result('pass', 'other')).flaky, undefined);
  });

  it('does not flag a change of outcome after a change to an import, a file of its project, or the test file', () => {
    for (const changed of [`${ROOT}/packages/lib/index.js`, `${ROOT}/packages/app/fixtures/data.json`, `${ROOT}/packages/app/a.test.js`]) {
      const flaky = new FlakyTests();
      flaky.observe([result('failure')], filesOf, flaky.now);
      flaky.noteChanges([changed]);
      assert.equal(flaky.observe([result('pass')], filesOf, flaky.now)[0]!.flaky, undefined, changed);
    }
  });

  it('a change elsewhere is no change to this test', () => {
    const flaky = new FlakyTests();
    flaky.observe([result('failure')], filesOf, flaky.now);
    flaky.noteChanges([`${ROOT}/packages/other/index.js`]);
    assert.equal(flaky.observe([result('pass')], filesOf, flaky.now)[0]!.flaky, true);
  });

  it('learns nothing from a run during which its files changed: it may have read either version', () => {
    const flaky = new FlakyTests();
    flaky.observe([result('failure')], filesOf, flaky.now);
    const startedAt = flaky.now;
    flaky.noteChanges([`${ROOT}/packages/lib/index.js`]);
    flaky.observe([result('pass')], filesOf, startedAt);
    // Compared with the first run, the next passing one would look flaky if the uncertain one had counted.
    assert.equal(flaky.observe([result('failure')], filesOf, flaky.now)[0]!.flaky, undefined);
  });

  it('skipped and not-run results say nothing about flakiness', () => {
    const flaky = new FlakyTests();
    flaky.observe([result('failure')], filesOf, flaky.now);
    flaky.observe([result('skip')], filesOf, flaky.now);
    assert.equal(flaky.observe([result('failure')], filesOf, flaky.now)[0]!.flaky, undefined);
  });
});
