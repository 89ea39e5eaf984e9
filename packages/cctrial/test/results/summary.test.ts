/** Counting outcomes and turning results into events. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { groupFailures } from '../../src/results/group.js';
import { countOutcomes, groupsEvent, resultEvent, toTestRef } from '../../src/results/summary.js';
import type { Outcome, TestResult } from '../../src/results/types.js';

const ROOT = '/work/repo';

function result(outcome: Outcome, name: string, error?: TestResult['error']): TestResult {
  return {
    id: { project: 'app', file: 'a.test.js', path: ['suite', name], occurrence: 0 },
    kind: 'test',
    pathKinds: ['suite', 'test'],
    outcome,
    durationMs: 12.34567,
    line: 4,
    column: 3,
    ...(error ? { error } : {}),
  };
}

describe('countOutcomes', () => {
  it('counts each outcome in its own column', () => {
    const outcomes: Outcome[] = ['pass', 'pass', 'failure', 'error', 'error', 'error', 'skip', 'todo', 'todo', 'cancelled'];
    assert.deepEqual(countOutcomes(outcomes.map((outcome, index) => result(outcome, `t${index}`))), {
      passed: 2,
      failed: 1,
      errors: 3,
      skipped: 1,
      todo: 2,
      cancelled: 1,
    });
  });
});

describe('resultEvent', () => {
  it('reports passes, skips and todos as test:pass, with a rounded duration', () => {
    assert.deepEqual(resultEvent(result('skip', 'x'), ROOT), {
      type: 'test:pass',
      project: 'app',
      file: 'a.test.js',
      name: ['suite', 'x'],
      occurrence: 0,
      outcome: 'skip',
      durationMs: 12.35,
    });
  });

  it('reports failures with their signature and error', () => {
    const event = resultEvent(result('failure', 'x', { type: 'AssertionError', message: 'no', stack: 'AssertionError: no\n    at /work/repo/a.test.js:5:7' }), ROOT);
    assert.equal(event.type, 'test:fail');
    assert.ok(event.type === 'test:fail');
    assert.equal(event.signature, 'AssertionError: no @ a.test.js:5:7');
    assert.equal(event.error.message, 'no');
  });

  it('gives a failure without an error a placeholder error, never none', () => {
    const event = resultEvent(result('cancelled', 'x'), ROOT);
    assert.ok(event.type === 'test:fail');
    assert.deepEqual(event.error, { type: 'Error', message: 'unknown failure' });
    assert.equal(event.signature, 'unknown error @ a.test.js:4:3');
  });
});

describe('groupsEvent', () => {
  it('lists each group with its signature, count, representative and test references, largest first', () => {
    const same = { type: 'Error', message: 'same', stack: 'Error: same\n    at /work/repo/src/x.js:1:1' };
    const results = [result('error', 'a', { type: 'Error', message: 'alone' }), result('error', 'b', same), result('failure', 'c', same)];
    const event = groupsEvent(groupFailures(results, ROOT));
    assert.ok(event.type === 'groups');
    assert.deepEqual(event.groups.map((group) => [group.signature, group.count, group.tests.map((test) => test.name.at(-1))]), [
      ['Error: same @ src/x.js:1:1', 2, ['b', 'c']],
      ['Error: alone @ a.test.js:4:3', 1, ['a']],
    ]);
    assert.deepEqual(event.groups[0]!.tests[0], toTestRef(results[1]!.id));
    assert.deepEqual(event.groups.map((group) => group.representative.name.at(-1)), ['b', 'a']);
  });
});
