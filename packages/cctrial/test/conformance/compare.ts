/**
 * The two sides of the conformance suite, brought to one form: `file › name path = outcome` per
 * test. Suites and parents that fail only through their subtests are containers on both sides;
 * a file that node --test reports as a test of its own (no tests, or a file-level failure) is the
 * file's own line, `file = outcome`.
 */
import { readFileSync, realpathSync } from 'node:fs';
import path from 'node:path';
import type { CctrialEvent } from '../../src/events.js';

export type Verdict = 'pass' | 'fail' | 'skip' | 'todo';

interface Recorded {
  file: string;
  name: string[];
  nesting: number;
  isFile: boolean;
  line?: number;
  column?: number;
  passed: boolean;
  suite: boolean;
  failureType?: string;
  skip?: unknown;
  todo?: unknown;
}

/** Node 20 reports tests that a name pattern deselects as skipped; 22+ does not report them. */
const PATTERN_SKIP = 'test name does not match pattern';

export function referenceVerdicts(recordFile: string, root: string): string[] {
  const tests = readFileSync(recordFile, 'utf8').split('\n').filter(Boolean).map((line) => JSON.parse(line) as Recorded);
  const isAncestor = (parent: Recorded) => tests.some((other) => other !== parent && other.file === parent.file && other.name.length > parent.name.length && parent.name.every((name, index) => other.name[index] === name));
  return tests.flatMap((test) => {
    // A suite counts only when it fails with nothing inside it to carry the failure.
    if (test.suite && (test.passed || isAncestor(test))) return [];
    if (test.failureType === 'subtestsFailed' || test.skip === PATTERN_SKIP) return [];
    return [verdictLine(relativeRealPath(test.file, root), test.isFile ? [] : test.name, verdictOf(test))];
  });
}

/** node:test names a linked test file by the file it points at; so do these lines, on both sides. */
function relativeRealPath(file: string, root: string): string {
  let real = file;
  try {
    real = realpathSync(file);
  } catch {
    // Gone since; keep the name.
  }
  return path.relative(root, real).split(path.sep).join('/');
}

export function cctrialVerdicts(events: CctrialEvent[], root: string): string[] {
  return events.flatMap((event) => {
    if (event.type !== 'test:pass' && event.type !== 'test:fail') return [];
    const outcome: Verdict = event.type === 'test:fail' ? 'fail' : event.outcome === 'skip' ? 'skip' : event.outcome === 'todo' ? 'todo' : 'pass';
    return [verdictLine(relativeRealPath(path.join(root, event.file), root), event.name, outcome)];
  });
}

function verdictOf(test: Recorded): Verdict {
  if (test.skip !== undefined && test.skip !== false) return 'skip';
  if (test.todo !== undefined && test.todo !== false) return 'todo';
  return test.passed ? 'pass' : 'fail';
}

function verdictLine(file: string, name: string[], outcome: Verdict): string {
  return `${[file, ...name].join(' › ')} = ${outcome}`;
}
