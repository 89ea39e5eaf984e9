/**
 * Fixture workspaces on disk: `{ path: content }` written into a fresh temp folder, deleted after
 * the test file unless CCTRIAL_KEEP_FIXTURES is set (then its path is printed on stderr).
 */
import { mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after } from 'node:test';

export type FileTree = Record<string, string>;

/** Call it from a describe() body or a test, not from a before() hook: after() would run when the hook ends. */
export function writeFixture(name: string, files: FileTree): string {
  const root = realpathSync(mkdtempSync(path.join(tmpdir(), `cctrial-e2e-${name}-`)));
  writeFiles(root, files);
  if (process.env.CCTRIAL_KEEP_FIXTURES) after(() => console.error(`fixture kept: ${root}`));
  else after(() => rmSync(root, { recursive: true, force: true }));
  return root;
}

export function writeFiles(root: string, files: FileTree): void {
  for (const [relative, content] of Object.entries(files)) {
    const file = path.join(root, relative);
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, content);
  }
}

export const json = (value: unknown): string => JSON.stringify(value, null, 2) + '\n';

export function readJson<T = Record<string, unknown>>(root: string, relative: string): T {
  return JSON.parse(readFileSync(path.join(root, relative), 'utf8')) as T;
}

/** A node:test file. `body` is the code after the imports of test and assert. */
export function nodeTest(imports: string, body: string): string {
  return `import { test } from 'node:test';\nimport assert from 'node:assert/strict';\n${imports}\n${body}\n`;
}
