/**
 * The frames a test child writes to FRAME_FD, one JSON object per line.
 * Shared by the child (which writes them) and the runner (which reads them).
 */
import type { SerializedError } from '../results/types.js';

/**
 * The file descriptor the parent opens for frames: stdout and stderr stay the test's own output. Not 3:
 * under plain node --test, fd 3 of a test process is the first one libuv opens (its epoll instance on
 * Linux), and a test that reads, writes or closes it must get what it gets there. The child is spawned
 * with fd 3 left closed, so that libuv takes it again.
 */
export const FRAME_FD = 4;
/**
 * Each frame is one line, `<secret><JSON>`. The secret is the child's own, given in its go message on
 * stdin (never in its environment, which grandchildren inherit and /proc shows): what a test writes
 * to the frame fd by mistake or on purpose, garbage or a forged frame, cannot pass for a frame.
 */
export const SECRET_BYTES = 18;
/** How often a child whose event loop turns says so. */
export const HEARTBEAT_MS = 1_000;

export interface TestLocation {
  name: string;
  nesting: number;
  line?: number;
  column?: number;
}

export type ChildFrame =
  | { type: 'test:start'; data: TestLocation }
  | { type: 'test:dequeue'; data: TestLocation }
  | {
      type: 'test:pass' | 'test:fail';
      data: TestLocation & {
        kind?: 'suite' | 'test';
        durationMs: number;
        skip?: string | true;
        todo?: string | true;
        failureType?: string;
        error?: SerializedError;
      };
    }
  | { type: 'test:diagnostic'; data: { message: string; level?: string } }
  /** The test file could not be imported (syntax error, missing module, top-level throw). */
  | { type: 'load-error'; data: { error: SerializedError } }
  /** Test code called process.exit(): node:test drops every result of the file, so say where. */
  | { type: 'exit-called'; data: { code: number; stack: string } }
  /** The child's event loop still turns (every HEARTBEAT_MS). */
  | { type: 'alive'; data: Record<string, never> }
  /** The process exits while the test file's top-level code has not finished: a top-level await never settled. */
  | { type: 'load-unsettled'; data: Record<string, never> }
  /** The child's event loop ran out of work ('beforeExit'): whatever still runs waits on node:test alone. */
  | { type: 'loop-idle'; data: Record<string, never> }
  /**
   * The files the test file loaded (absolute real paths, no node_modules), written once: before 'end',
   * 'load-error' or 'exit-called', or at exit. `partial` when some of the file's code did not run:
   * a name pattern chose its tests, it failed to load or exited early, or the list was capped.
   */
  | { type: 'modules'; data: { files: string[]; partial?: true } }
  /** In a shared child: file `index` of the go message is over, every result of it has been written. */
  | { type: 'file-end'; data: { index: number; exitCode: number } }
  /** node:test finished the file (in a shared child: every file): every result has been written. */
  | { type: 'end'; data: Record<string, never> };

export const FRAME_TYPES: ReadonlySet<string> = new Set([
  'test:start', 'test:dequeue', 'test:pass', 'test:fail', 'test:diagnostic', 'load-error', 'load-unsettled', 'exit-called', 'alive', 'loop-idle', 'modules', 'file-end', 'end',
]);

/** One frame as the line the child writes. */
export function encodeFrame(secret: string, frame: ChildFrame): string {
  return `${secret}${JSON.stringify(frame)}\n`;
}

/**
 * The frame in one line read from a child, or undefined for anything else: a line without the secret
 * (what test code wrote), torn or malformed JSON, an unknown type, or data of the wrong shape. It never
 * throws. Text a test wrote without a newline just before a frame is on the frame's line: the frame
 * is taken from the last secret on.
 */
export function decodeFrame(line: string, secret: string): ChildFrame | undefined {
  const at = secret === '' ? 0 : line.lastIndexOf(secret);
  if (at === -1) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(line.slice(at + secret.length));
  } catch {
    return undefined;
  }
  return isFrame(value) ? value : undefined;
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
const isLocation = (data: Record<string, unknown>) =>
  typeof data.name === 'string' && Number.isInteger(data.nesting) && (data.nesting as number) >= 0 &&
  (data.line === undefined || typeof data.line === 'number') && (data.column === undefined || typeof data.column === 'number');
const isError = (value: unknown) => isObject(value) && typeof value.type === 'string' && typeof value.message === 'string';

function isFrame(value: unknown): value is ChildFrame {
  if (!isObject(value) || typeof value.type !== 'string' || !FRAME_TYPES.has(value.type) || !isObject(value.data)) return false;
  const data = value.data;
  switch (value.type) {
    case 'test:start':
    case 'test:dequeue':
      return isLocation(data);
    case 'test:pass':
    case 'test:fail':
      return isLocation(data) && typeof data.durationMs === 'number' && (data.error === undefined || isError(data.error));
    case 'test:diagnostic':
      return typeof data.message === 'string';
    case 'load-error':
      return isError(data.error);
    case 'exit-called':
      return typeof data.code === 'number' && typeof data.stack === 'string';
    case 'file-end':
      return Number.isInteger(data.index) && (data.index as number) >= 0 && typeof data.exitCode === 'number';
    case 'modules':
      return Array.isArray(data.files) && data.files.every((file) => typeof file === 'string');
    default:
      return true;
  }
}
