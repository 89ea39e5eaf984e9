/**
 * Node flags that make node:test run exactly one test of a file. What flags can express depends on the
 * Node version (research: node-test.md §2): from 22.1 the joined-name pattern plus skip patterns are
 * exact except where two tests have the same joined name; on 20 only a test's own name can be matched.
 * Callers always filter results down to the target too, so a broader selection is never wrong.
 */
import type { TestResult } from '../results/types.js';

export function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

export interface NodeVersion {
  major: number;
  minor: number;
}

export function parseNodeVersion(version: string): NodeVersion {
  const [major = 0, minor = 0] = version.replace(/^v/, '').split('.').map(Number);
  return { major, minor };
}

const joinNames = (names: string[]): string => names.join(' ').trim();

/** Flags selecting `target`; an empty list means "run the whole file" (the target is the file itself). */
export function selectionArgs(target: Pick<TestResult, 'id' | 'pathKinds'>, version: NodeVersion, hasChildren = false): string[] {
  const names = target.id.path;
  if (names.length === 0) return [];
  // The outermost test() on the path: t.test() subtests only exist if their parent test runs.
  const firstTest = target.pathKinds.findIndex((kind) => kind !== 'suite');
  const outer = firstTest === -1 ? names.length - 1 : firstTest;

  if (version.major < 22) return [`--test-name-pattern=^${escapeRegExp(names[outer]!)}$`];
  const full = escapeRegExp(joinNames(names.slice(0, outer + 1)));
  const args = [`--test-name-pattern=^${full}$`];
  if (version.major === 22 && version.minor < 1) return args; // --test-skip-pattern arrived in 22.1.
  // Skip nested tests whose own name happens to equal the whole joined name.
  args.push(`--test-skip-pattern=^.+ ${full}(?: |$)`);
  if (outer < names.length - 1) {
    // The target is a t.test() subtest: skip every subtest of the outer test that is not on its path.
    const keep: string[] = [];
    for (let end = outer + 2; end <= names.length; end++) {
      const rest = escapeRegExp(names.slice(outer + 1, end).join(' '));
      keep.push(end === names.length && hasChildren ? `${rest}(?: |$)` : `${rest}$`);
    }
    args.push(`--test-skip-pattern=^${full} (?!(?:${keep.join('|')}))`);
  }
  return args;
}

/** Flags for -g/--grep: run the tests whose name contains the substring (Node 20 matches own and ancestor names only). */
export function grepArgs(grep: string): string[] {
  return [`--test-name-pattern=${escapeRegExp(grep)}`];
}
