/** Real folders for tests: write `{ path: content }` into a fresh temp folder, removed after the file's tests. */
import { mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after } from 'node:test';

export function writeFolder(files: Record<string, string>): string {
  const root = realpathSync(mkdtempSync(path.join(tmpdir(), 'cctrial-nx-')));
  for (const [relative, content] of Object.entries(files)) {
    const file = path.join(root, relative);
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, content);
  }
  if (process.env.CCTRIAL_KEEP_FIXTURES) after(() => console.error(`fixture kept: ${root}`));
  else after(() => rmSync(root, { recursive: true, force: true }));
  return root;
}

export const json = (value: unknown): string => JSON.stringify(value, null, 2) + '\n';
