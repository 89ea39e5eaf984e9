/** Groups failing tests by signature: the largest group is the root cause most worth fixing first. */
import path from 'node:path';
import { errorSignature } from './signature.js';
import { isUserFrame, parseStackFrames } from './stack.js';
import { isFailing, type TestResult } from './types.js';

export interface FailureGroup {
  signature: string;
  /**
   * The test to re-run while fixing this group: the one whose own file is the fewest user frames
   * away from the throw site, so the fix view shows a stack near the cause; among equals, the first
   * by project, file, then order in the file.
   */
  representative: TestResult;
  tests: TestResult[];
}

export function signatureOf(result: TestResult, root: string): string {
  return errorSignature(result.error, root, `${result.id.file}:${result.line ?? 1}:${result.column ?? 1}`);
}

/**
 * `results` must be in file order within each file (the order runs report them in); the order of
 * files does not matter: groups and representatives never depend on which worker finished first.
 */
export function groupFailures(results: TestResult[], root: string): FailureGroup[] {
  const failing = results
    .map((result, index) => ({ result, index }))
    .filter(({ result }) => isFailing(result))
    .sort((a, b) => compareText(a.result.id.project, b.result.id.project) || compareText(a.result.id.file, b.result.id.file) || a.index - b.index)
    .map(({ result }) => result);

  const bySignature = new Map<string, TestResult[]>();
  for (const result of failing) {
    const signature = signatureOf(result, root);
    const tests = bySignature.get(signature);
    if (tests) tests.push(result);
    else bySignature.set(signature, [result]);
  }
  // Map order is first-appearance order, which is deterministic: it breaks ties between equal sizes.
  // A group of flaky tests only comes last, whatever its size: a real failure is fixed first (flaky.ts).
  const onlyFlaky = (tests: TestResult[]) => tests.every((test) => test.flaky);
  return [...bySignature]
    .map(([signature, tests]) => ({ signature, representative: nearestToCause(tests, root), tests }))
    .sort((a, b) => Number(onlyFlaky(a.tests)) - Number(onlyFlaky(b.tests)) || b.tests.length - a.tests.length);
}

/** Among the tests that are not flaky, if any: a flaky one passes or fails whatever the fix. */
function nearestToCause(all: TestResult[], root: string): TestResult {
  const steady = all.filter((test) => !test.flaky);
  const tests = steady.length > 0 ? steady : all;
  let nearest = tests[0]!;
  let nearestDistance = distanceToCause(nearest, root);
  for (const test of tests.slice(1)) {
    const distance = distanceToCause(test, root);
    if (distance < nearestDistance) [nearest, nearestDistance] = [test, distance];
  }
  return nearest;
}

/**
 * How many of the user's frames lie between the throw site and the test's own file: 0 when the test
 * file threw (an assertion), 2 for a test two packages above the bug; Infinity when the stack does
 * not reach the test file.
 */
function distanceToCause(test: TestResult, root: string): number {
  const testFile = path.resolve(root, test.id.file);
  const distance = parseStackFrames(test.error?.stack).filter(isUserFrame).findIndex((frame) => frame.file === testFile);
  return distance === -1 ? Infinity : distance;
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
