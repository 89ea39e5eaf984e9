import { inspect } from 'node:util';
import type { SerializedError } from '../results/types.js';

const MAX_CAUSE_DEPTH = 5;
const INSPECT_OPTIONS = { depth: 6, breakLength: 100, maxStringLength: 10_000, maxArrayLength: 200 };

/** Turns any thrown value into plain data: errors must cross a process boundary and be compared as text. */
export function serializeError(value: unknown, depth = 0): SerializedError {
  if (!(value instanceof Error) && !looksLikeError(value)) {
    return { type: value === null ? 'null' : typeof value, message: inspect(value, INSPECT_OPTIONS) };
  }
  const error = value as Error & Record<string, unknown>;
  const result: SerializedError = {
    type: errorType(error),
    message: String(error.message ?? ''),
  };
  if (typeof error.stack === 'string') result.stack = error.stack;
  if (typeof error.code === 'string') result.code = error.code;
  if ('expected' in error || 'actual' in error) {
    result.expected = inspect(error.expected, INSPECT_OPTIONS);
    result.actual = inspect(error.actual, INSPECT_OPTIONS);
  }
  if (typeof error.operator === 'string') result.operator = error.operator;
  if (error.cause !== undefined && depth < MAX_CAUSE_DEPTH) result.cause = serializeError(error.cause, depth + 1);
  return result;
}

function looksLikeError(value: unknown): boolean {
  return typeof value === 'object' && value !== null && 'message' in value && 'stack' in value;
}

function errorType(error: Error): string {
  const constructorName = error.constructor?.name;
  // A subclass that forgets to set `name` still has a telling constructor name.
  if (constructorName && constructorName !== 'Error' && constructorName !== 'Object') return constructorName;
  return error.name || 'Error';
}
