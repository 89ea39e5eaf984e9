/**
 * The frames a test child writes to fd 3, one JSON object per line.
 * Shared by the child (which writes them) and the runner (which reads them).
 */
import type { SerializedError } from '../results/types.js';

/** The file descriptor the parent opens for frames: stdout and stderr stay the test's own output. */
export const FRAME_FD = 3;
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
  /**
   * The files the test file loaded (absolute real paths, no node_modules), written once: before 'end',
   * 'load-error' or 'exit-called', or at exit. `partial` when some of the file's code did not run:
   * a name pattern chose its tests, it failed to load or exited early, or the list was capped.
   */
  | { type: 'modules'; data: { files: string[]; partial?: true } }
  /** node:test finished the file: every result has been written. */
  | { type: 'end'; data: Record<string, never> };
