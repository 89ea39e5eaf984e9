/** Groups failing tests by signature: the largest group is the root cause most worth fixing first. */
import { errorSignature } from './signature.js';
import { isFailing, type TestResult } from './types.js';

export interface FailureGroup {
  signature: string;
  /** The test to re-run while fixing this group: the first by project, file, then order in the file. */
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
  return [...bySignature]
    .map(([signature, tests]) => ({ signature, representative: tests[0]!, tests }))
    .sort((a, b) => b.tests.length - a.tests.length);
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
