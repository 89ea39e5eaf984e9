import { inspect, types } from 'node:util';
import type { SerializedError } from '../results/types.js';

/**
 * What one failure may keep and send to the parent, in UTF-8 bytes. A test that throws a 5 MB message
 * would otherwise cost the parent several copies of it (frame, result, event, JSON line), per test.
 * 64 KiB is far more than anyone reads in a terminal, and still holds a long assertion diff whole.
 * Causes and inner errors explain the first error: a smaller share each is enough.
 */
export const ERROR_LIMITS = {
  messageBytes: 64 * 1024,
  stackBytes: 64 * 1024,
  /** Each of expected and actual. */
  diffSideBytes: 64 * 1024,
  /** Each message, stack and diff side of a cause or inner error. */
  nestedBytes: 8 * 1024,
  causeDepth: 5,
  /** Of an AggregateError's `errors`. */
  innerErrors: 10,
  /** Causes and inner errors in all, however nested: 10 aggregates of 10 must not make 100. */
  nestedErrors: 20,
  /** A diagnostic (t.diagnostic()) line. */
  diagnosticBytes: 64 * 1024,
} as const;

const INSPECT_OPTIONS = { depth: 6, breakLength: 100, maxStringLength: 10_000, maxArrayLength: 200 };

/** The marker capText() appends; the signature ignores it, so that equal heads of different lengths still group. */
export const CUT_MARKER = /… [\d,]+ bytes cut$/;

/** `text` cut to `maxBytes` of UTF-8, with a visible marker saying how much went. */
export function capText(text: string, maxBytes: number): string {
  // Cheap first test: a string never takes fewer bytes than characters... nor more than three per UTF-16 unit.
  if (text.length * 3 <= maxBytes) return text;
  const total = Buffer.byteLength(text);
  if (total <= maxBytes) return text;
  // Cut by bytes; a character split at the end decodes as U+FFFD, which is dropped.
  const kept = Buffer.from(text.slice(0, maxBytes)).subarray(0, maxBytes).toString('utf8').replace(/\uFFFD+$/, '');
  return `${kept}… ${(total - Buffer.byteLength(kept)).toLocaleString('en-US')} bytes cut`;
}

interface Walk {
  seen: Set<unknown>;
  /** Causes and inner errors still allowed. */
  nested: number;
}

/**
 * Turns any thrown value into plain data: errors must cross a process boundary and be compared as text.
 * It never throws: a thrown value may be a Proxy whose every trap throws, or have throwing getters,
 * and the reporter must still write node:test's verdict for the test.
 */
export function serializeError(value: unknown): SerializedError {
  try {
    return serializeValue(value, 0, { seen: new Set(), nested: ERROR_LIMITS.nestedErrors });
  } catch (error) {
    return { type: 'UnreadableValue', message: `cctrial could not read the thrown value (reading it threw ${describeThrown(error)})` };
  }
}

function serializeValue(value: unknown, depth: number, walk: Walk): SerializedError {
  const limit = depth === 0 ? undefined : ERROR_LIMITS.nestedBytes;
  if (!isErrorLike(value)) {
    return { type: value === null ? 'null' : typeof value, message: capText(safeInspect(value), limit ?? ERROR_LIMITS.messageBytes) };
  }
  walk.seen.add(value);
  const error = value as Error & Record<string, unknown>;
  const fullMessage = read(() => error.message, undefined, (thrown) => `<reading the message threw ${describeThrown(thrown)}>`);
  const messageText = typeof fullMessage === 'string' ? fullMessage : fullMessage === undefined ? '' : toText(fullMessage);
  const message = capText(messageText, limit ?? ERROR_LIMITS.messageBytes);
  const result: SerializedError = { type: errorType(error), message };
  const stack = read(() => error.stack, undefined);
  if (typeof stack === 'string') {
    // The stack repeats the message, which `message` already keeps: cut that copy shorter, so that the
    // frames after it survive the stack's own cap.
    const at = message === messageText ? -1 : stack.indexOf(messageText);
    const shortened = at === -1 ? stack : stack.slice(0, at) + capText(messageText, ERROR_LIMITS.nestedBytes) + stack.slice(at + messageText.length);
    result.stack = capText(shortened, limit ?? ERROR_LIMITS.stackBytes);
  }
  const code = read(() => error.code, undefined);
  if (typeof code === 'string') result.code = capText(code, 1024);
  if (read(() => 'expected' in error || 'actual' in error, false)) {
    const side = limit ?? ERROR_LIMITS.diffSideBytes;
    result.expected = capText(safeInspect(read(() => error.expected, undefined)), side);
    result.actual = capText(safeInspect(read(() => error.actual, undefined)), side);
  }
  const operator = read(() => error.operator, undefined);
  if (typeof operator === 'string') result.operator = capText(operator, 1024);
  if (read(() => error.generatedMessage === true, false)) result.generatedMessage = true;

  const cause = read(() => error.cause, undefined);
  if (cause !== undefined && depth < ERROR_LIMITS.causeDepth && walk.nested > 0) {
    walk.nested--;
    result.cause = walk.seen.has(cause) ? { ...CIRCULAR } : serializeValue(cause, depth + 1, walk);
  }
  const inner = read(() => (Array.isArray(error.errors) ? (error.errors as unknown[]) : undefined), undefined);
  if (inner && inner.length > 0 && depth < ERROR_LIMITS.causeDepth) {
    const shown = read(() => inner.slice(0, Math.min(ERROR_LIMITS.innerErrors, walk.nested)), []);
    walk.nested -= shown.length;
    result.errors = shown.map((item) => (walk.seen.has(item) ? { ...CIRCULAR } : serializeValue(item, depth + 1, walk)));
    if (inner.length > shown.length) result.errorsOmitted = inner.length - shown.length;
  }
  return result;
}

const CIRCULAR: SerializedError = { type: 'CircularCause', message: 'this is an error already shown above: the chain loops' };

/** Runs a read of a possibly hostile value; `onThrow` turns what the read threw into a fallback. */
function read<T, F>(get: () => T, fallback: F, onThrow?: (thrown: unknown) => F): T | F {
  try {
    return get();
  } catch (thrown) {
    return onThrow ? onThrow(thrown) : fallback;
  }
}

function isErrorLike(value: unknown): boolean {
  if (typeof value !== 'object' || value === null) return false;
  // instanceof and `in` run a Proxy's traps: a revoked Proxy throws on both, and is then described by inspect().
  return read(() => value instanceof Error || ('message' in value && 'stack' in value), false);
}

function errorType(error: Error): string {
  const constructorName = read(() => error.constructor?.name, undefined);
  // A subclass that forgets to set `name` still has a telling constructor name.
  if (typeof constructorName === 'string' && constructorName && constructorName !== 'Error' && constructorName !== 'Object') {
    return capText(constructorName, 256);
  }
  const name = read(() => error.name, undefined);
  return typeof name === 'string' && name ? capText(name, 256) : 'Error';
}

/** inspect() reads a Proxy's target without its traps, and shows a revoked Proxy as <Revoked Proxy>. */
function safeInspect(value: unknown): string {
  try {
    return inspect(value, INSPECT_OPTIONS);
  } catch (thrown) {
    return `<${types.isProxy(value) ? 'Proxy' : typeof value} that cannot be inspected: ${describeThrown(thrown)}>`;
  }
}

function toText(value: unknown): string {
  return read(() => String(value), undefined, () => safeInspect(value)) ?? '';
}

/** A short, safe description of what a getter or trap threw: it may be hostile too. */
function describeThrown(thrown: unknown): string {
  try {
    if (thrown instanceof Error) return capText(`${thrown.name}: ${thrown.message}`, 1024);
    return capText(inspect(thrown, { depth: 1 }), 1024);
  } catch {
    return 'an unreadable value';
  }
}
