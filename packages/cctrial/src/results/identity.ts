/** Naming and comparing tests by identity. */
import type { TestId } from './types.js';

/** A stable key for maps and sets. */
export function testKey(id: TestId): string {
  return JSON.stringify([id.project, id.file, id.path, id.occurrence]);
}

/** `file › suite › test`, with `(2)` for the second test of the same name; the file alone for file-level failures. */
export function formatTestName(id: TestId): string {
  const parts = [id.file, ...id.path];
  const occurrence = id.occurrence > 0 ? ` (${id.occurrence + 1})` : '';
  return parts.join(' › ') + occurrence;
}
