/**
 * Which files are node:test tests. The pattern is node --test's defaults with the TypeScript
 * extensions, as cctrial's discovery uses them; a file counts only if it loads `node:test`, so
 * a project whose *.test.ts files are Jest or Vitest tests gets no cctrial target.
 */
import { readFileSync, statSync } from 'node:fs';

/** One glob for Nx's file index: `*.test.js`, `*-test.js`, `*_test.js`, `test-*.js`, `test.js`, `test/**` and friends. */
export const TEST_FILE_PATTERN = '**/{*.test,*-test,*_test,test-*,test,test/**/*}.{js,mjs,cjs,ts,mts,cts}';

const DECLARATION_FILE = /\.d\.[cm]?ts$/;
const IGNORED_SEGMENTS = new Set(['node_modules', 'dist', 'coverage', '.nx', '.turbo', '.git']);
/** `from 'node:test'`, `import('node:test')`, `require("node:test")`: the module name in quotes is enough. */
const LOADS_NODE_TEST = /(['"`])node:test\1/;

/** Results per file, keyed by path, mtime and size: Nx calls the plugin again on every graph rebuild. */
const seen = new Map<string, boolean>();

export function isCandidate(relative: string): boolean {
  return !DECLARATION_FILE.test(relative) && !relative.split('/').some((segment) => IGNORED_SEGMENTS.has(segment));
}

export function loadsNodeTest(absolute: string): boolean {
  let key: string;
  try {
    const stat = statSync(absolute);
    key = `${absolute}:${stat.mtimeMs}:${stat.size}`;
  } catch {
    return false;
  }
  let found = seen.get(key);
  if (found === undefined) {
    found = LOADS_NODE_TEST.test(readFileSync(absolute, 'utf8'));
    seen.set(key, found);
  }
  return found;
}
