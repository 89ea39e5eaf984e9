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

/**
 * A test name as pattern text that argv can carry: argv cannot hold NUL, and encodes strings as UTF-8,
 * which turns a lone surrogate into U+FFFD. node:test builds `new RegExp(pattern)` without the `u` flag,
 * so `\xNN` and `\uXXXX` escapes match these UTF-16 code units exactly (checked on Node 20 to 26).
 * Other control characters are escaped too, so that flags stay readable in logs.
 */
export function escapePattern(text: string): string {
  return escapeRegExp(text).replace(UNSAFE_FOR_ARGV, codeUnitEscape);
}

// Control characters, and surrogates that are not part of a pair.
const UNSAFE_FOR_ARGV = /[\x00-\x1f\x7f-\x9f]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

function codeUnitEscape(char: string): string {
  const code = char.charCodeAt(0);
  return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
}

/**
 * Linux caps one argv string at 128 KiB, and argv plus the environment at a few MiB. A selection flag
 * longer than this selects by a prefix of the name instead: broader, and callers keep the target only.
 */
export const MAX_PATTERN_BYTES = 16 * 1024;

/** `^` and the escaped start of `text`, at most `maxBytes` bytes of UTF-8, cut between characters. */
function prefixPattern(text: string, maxBytes: number): string {
  let pattern = '^';
  let bytes = 1;
  for (const char of text) {
    const piece = escapePattern(char);
    bytes += Buffer.byteLength(piece);
    if (bytes > maxBytes) break;
    pattern += piece;
  }
  return pattern;
}

const fitsArgv = (arg: string): boolean => Buffer.byteLength(arg) <= MAX_PATTERN_BYTES;

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
  // Node 20 matches each test's own name; 22+ also the joined names of a test and its ancestors.
  const matched = version.major < 22 ? names[outer]! : joinNames(names.slice(0, outer + 1));
  const args = exactSelection(names, outer, version, hasChildren);
  // A prefix pattern without skip patterns still runs the target, with whatever shares the prefix.
  return args.every(fitsArgv) ? args : [`--test-name-pattern=${prefixPattern(matched, MAX_PATTERN_BYTES - '--test-name-pattern='.length)}`];
}

function exactSelection(names: string[], outer: number, version: NodeVersion, hasChildren: boolean): string[] {
  if (version.major < 22) return [`--test-name-pattern=^${escapePattern(names[outer]!)}$`];
  const full = escapePattern(joinNames(names.slice(0, outer + 1)));
  const args = [`--test-name-pattern=^${full}$`];
  if (version.major === 22 && version.minor < 1) return args; // --test-skip-pattern arrived in 22.1.
  // Skip nested tests whose own name happens to equal the whole joined name.
  args.push(`--test-skip-pattern=^.+ ${full}(?: |$)`);
  if (outer < names.length - 1) {
    // The target is a t.test() subtest: skip every subtest of the outer test that is not on its path.
    const keep: string[] = [];
    for (let end = outer + 2; end <= names.length; end++) {
      const rest = escapePattern(names.slice(outer + 1, end).join(' '));
      keep.push(end === names.length && hasChildren ? `${rest}(?: |$)` : `${rest}$`);
    }
    args.push(`--test-skip-pattern=^${full} (?!(?:${keep.join('|')}))`);
  }
  return args;
}

/** Flags for -g/--grep: run the tests whose name contains the substring (Node 20 matches own and ancestor names only). */
export function grepArgs(grep: string): string[] {
  return [`--test-name-pattern=${escapePattern(grep)}`];
}
