/** What a test is, how it ended, and why: the vocabulary shared by the runner, grouping, the loop and the UI. */

/** A test's identity survives re-runs: it does not depend on which worker ran it or when. */
export interface TestId {
  project: string;
  /** Path of the test file, relative to the workspace root, with forward slashes. */
  file: string;
  /** Names of the enclosing suites and tests, then the test's own name. Empty for the file itself. */
  path: string[];
  /** 0 for the first test with this exact path in the file, 1 for the second, and so on. */
  occurrence: number;
}

export type Outcome = 'pass' | 'failure' | 'error' | 'skip' | 'todo' | 'cancelled';
export const FAILING_OUTCOMES: readonly Outcome[] = ['failure', 'error', 'cancelled'];

export type TestKind = 'test' | 'suite' | 'file';

export interface SerializedError {
  /** Constructor name, e.g. TypeError or AssertionError. */
  type: string;
  message: string;
  stack?: string;
  code?: string;
  /** util.inspect() of the values, for the diff view. */
  expected?: string;
  actual?: string;
  operator?: string;
  /** node:assert wrote the message itself, from the values: the values are no part of the cause. */
  generatedMessage?: true;
  cause?: SerializedError;
  /** An AggregateError's first inner errors, and how many more it had. */
  errors?: SerializedError[];
  errorsOmitted?: number;
}

export interface TestResult {
  id: TestId;
  kind: TestKind;
  /** Kind of each element of id.path: needed to build an exact selection. */
  pathKinds: Array<'suite' | 'test'>;
  /**
   * 0-based place among the tests and suites reported under the same ancestor names, in the order
   * node:test reports them (the order they are declared). It finds a test whose name changed between
   * runs. Absent for the file itself; only comparable between runs with the same selection.
   */
  index?: number;
  outcome: Outcome;
  durationMs: number;
  line?: number;
  column?: number;
  /** node:test's failure category, e.g. testCodeFailure, hookFailed, testTimeoutFailure. */
  failureType?: string;
  error?: SerializedError;
  reason?: string;
  /** Its outcome changed between two runs with no change to its files (flaky.ts). */
  flaky?: true;
}

/** Everything learnt from running one test file in one child process. */
export interface FileRun {
  project: string;
  file: string;
  results: TestResult[];
  stdout: string;
  stderr: string;
  diagnostics: string[];
  exitCode: number | null;
  signal: string | null;
  durationMs: number;
  /** The run was cancelled while this file ran: its results are incomplete and must not count. */
  aborted: boolean;
  /** Where the time went, for --debug-timing. */
  timing?: { warm: boolean; firstFrameMs?: number };
  /** Absolute paths of the files the test file loaded, outside node_modules; missing when the child did not say. */
  modules?: string[];
  /** Some of the file's code did not run (a name pattern, a load error, process.exit()): `modules` may lack files. */
  modulesPartial?: boolean;
}

export const isFailing = (result: TestResult): boolean => FAILING_OUTCOMES.includes(result.outcome);
