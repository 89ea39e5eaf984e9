/** Counting outcomes, and the event form of results. */
import type { CctrialEvent, Counts, TestRef } from '../events.js';
import type { FailureGroup } from './group.js';
import { signatureOf } from './group.js';
import { failureLocations } from './stack.js';
import type { TestId, TestResult } from './types.js';

export function countOutcomes(results: TestResult[]): Counts {
  const counts: Counts = { passed: 0, failed: 0, errors: 0, skipped: 0, todo: 0, cancelled: 0 };
  for (const { outcome } of results) {
    if (outcome === 'pass') counts.passed++;
    else if (outcome === 'failure') counts.failed++;
    else if (outcome === 'error') counts.errors++;
    else if (outcome === 'skip') counts.skipped++;
    else if (outcome === 'todo') counts.todo++;
    else counts.cancelled++;
  }
  return counts;
}

export function toTestRef(id: TestId): TestRef {
  return { project: id.project, file: id.file, name: id.path, occurrence: id.occurrence };
}

export function resultEvent(result: TestResult, root: string): CctrialEvent {
  const ref = toTestRef(result.id);
  const durationMs = Math.round(result.durationMs * 100) / 100;
  const { outcome } = result;
  const flaky = result.flaky ? { flaky: true as const } : {};
  if (outcome === 'pass' || outcome === 'skip' || outcome === 'todo') return { type: 'test:pass', ...ref, outcome, durationMs, ...flaky };
  return {
    type: 'test:fail',
    ...ref,
    outcome,
    durationMs,
    signature: signatureOf(result, root),
    error: result.error ?? { type: 'Error', message: 'unknown failure' },
    ...failureLocations(result.error?.stack, result.id.file, result, root),
    ...flaky,
  };
}

export function groupsEvent(groups: FailureGroup[]): CctrialEvent {
  return {
    type: 'groups',
    groups: groups.map((group) => ({
      signature: group.signature,
      count: group.tests.length,
      representative: toTestRef(group.representative.id),
      tests: group.tests.map((test) => toTestRef(test.id)),
    })),
  };
}
