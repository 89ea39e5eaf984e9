/** Naming and comparing tests by identity. */
import type { TestId, TestResult } from './types.js';

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

/**
 * Where a test stands in its file: its ancestors' names and its place among their children. It
 * outlives the test's own name, which may be computed anew on every run (`test(\`at ${Date.now()}\`)`).
 * Undefined for the file itself, and for results that do not know their place.
 */
export function positionKey(result: Pick<TestResult, 'id' | 'kind' | 'index'>): string | undefined {
  if (result.kind === 'file' || result.index === undefined) return undefined;
  const { project, file, path } = result.id;
  return JSON.stringify([project, file, path.slice(0, -1), result.index, result.kind]);
}

/**
 * The result in `results` that stands where `target` stood, when no result has the target's name.
 * `known` are results from the run `target` came from: a test they already knew under its own name
 * is not the target renamed but a neighbour that moved up, so it is not taken.
 */
export function findByPosition(target: TestResult, results: TestResult[], known: TestResult[] = []): TestResult | undefined {
  const position = positionKey(target);
  if (position === undefined) return undefined;
  const found = results.find((result) => positionKey(result) === position);
  if (!found) return undefined;
  const knownKeys = new Set(known.map((result) => testKey(result.id)));
  const key = testKey(found.id);
  return key !== testKey(target.id) && knownKeys.has(key) ? undefined : found;
}
