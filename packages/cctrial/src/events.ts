/**
 * The events cctrial reports. The views render them, and `--json` prints them as they are, one per
 * line: this union is the documented, stable JSON format (README, "JSON events").
 */
import type { SourceLocation } from './results/stack.js';
import type { Outcome, SerializedError } from './results/types.js';

export type { SourceLocation };

export type Phase = 'suite' | 'fix' | 'recheck';

export interface TestRef {
  project: string;
  file: string;
  name: string[];
  occurrence: number;
}

export interface Counts {
  passed: number;
  failed: number;
  errors: number;
  skipped: number;
  todo: number;
  cancelled: number;
}

export type CctrialEvent =
  | { type: 'run:start'; phase: Phase; tests: number | null; files: number }
  | { type: 'test:start'; project: string; file: string; name: string }
  /** `flaky`: this test's outcome changed between two runs with no change to its files; absent otherwise. */
  | ({ type: 'test:pass'; outcome: Extract<Outcome, 'pass' | 'skip' | 'todo'>; durationMs: number; flaky?: true } & TestRef)
  | ({
      type: 'test:fail';
      outcome: Extract<Outcome, 'failure' | 'error' | 'cancelled'>;
      durationMs: number;
      signature: string;
      error: SerializedError;
      /** Where the failure shows in the test file: the failing assertion, or the call into the code that threw. */
      location?: SourceLocation;
      /** Where the error was thrown, when that is elsewhere. */
      thrownAt?: SourceLocation;
      flaky?: true;
    } & TestRef)
  | { type: 'output'; project: string; file: string; stdout: string; stderr: string }
  | ({ type: 'run:end'; phase: Phase; durationMs: number } & Counts)
  /** `representative`: the test fixed for the group, nearest the cause; its stack is the group's. */
  | { type: 'groups'; groups: Array<{ signature: string; count: number; representative: TestRef; tests: TestRef[] }> }
  | { type: 'fix'; test: TestRef }
  /** At start: the last session here stopped while fixing; `test`, its target, runs first. */
  | { type: 'resume'; failing: number; groups: number; test: TestRef }
  /** --via nx: one project's results of a suite step, run by Nx (`cached: false`) or from its cache. */
  | { type: 'project:results'; project: string; cached: boolean; tests: number }
  | { type: 'change'; files: string[] }
  | { type: 'idle' }
  | { type: 'warning'; message: string }
  /** Only with --debug-timing: where a run's time went, file by file. */
  | { type: 'timing'; phase: Phase; files: Array<{ file: string; warm: boolean; firstFrameMs?: number; totalMs: number }> };

export type EventSink = (event: CctrialEvent) => void;
