/**
 * Turns one child's frames and exit status into test results. This is where node:test's reporting
 * quirks are absorbed: ancestor paths rebuilt from nesting, parents that fail only because of their
 * subtests, Node 20's pattern skips, and files that fail as a whole.
 */
import path from 'node:path';
import type { ChildFrame, TestLocation } from '../child/protocol.js';
import type { ChildOutcome } from '../runner/run-file.js';
import { declaredNoTests, explainFileFailure } from './file-failure.js';
import { isUserFrame, parseStackFrames } from './stack.js';
import type { FileRun, Outcome, SerializedError, TestResult } from './types.js';

/** Node 20 reports tests that a --test-name-pattern deselects as skipped; 22+ does not report them. */
const PATTERN_SKIP_REASON = 'test name does not match pattern';

interface Reported {
  path: string[];
  kind: 'suite' | 'test';
  location: TestLocation;
  outcome: Outcome | 'subtests-failed';
  durationMs: number;
  failureType?: string;
  error?: SerializedError;
  reason?: string;
  /** The error was the enclosing suite's, given to this test or suite when it was cancelled. */
  inherited?: boolean;
}

export interface FileContext {
  project: string;
  /** Absolute path of the test file. */
  absoluteFile: string;
  root: string;
}

export function collectFileRun(context: FileContext, child: ChildOutcome): FileRun {
  const file = path.relative(context.root, context.absoluteFile).split(path.sep).join('/');
  const reported = rebuildTree(child.frames, context.absoluteFile);
  // A file past its whole-file timeout loses every result, as under node --test before Node 24.
  const results = child.fileTimedOutAfterMs === undefined ? toResults(context.project, file, reported) : [];
  const diagnostics = child.frames.flatMap((frame) => (frame.type === 'test:diagnostic' ? [frame.data.message] : []));
  const fileFailure = explainStall(child) ?? explainFileFailure(child, results, diagnostics, context.absoluteFile);
  if (!fileFailure && !child.aborted && declaredNoTests(child)) {
    // As node --test does: one passing test named after the file.
    results.push({ id: { project: context.project, file, path: [], occurrence: 0 }, kind: 'file', pathKinds: [], outcome: 'pass', durationMs: child.durationMs });
  }
  if (fileFailure) {
    results.push({
      id: { project: context.project, file, path: [], occurrence: 0 },
      kind: 'file',
      pathKinds: [],
      durationMs: child.durationMs,
      line: 1,
      column: 1,
      ...fileFailure,
    });
  }
  return {
    project: context.project,
    file,
    results,
    stdout: child.stdout,
    stderr: child.stderr,
    diagnostics,
    exitCode: child.exitCode,
    signal: child.signal,
    durationMs: child.durationMs,
    aborted: child.aborted,
    ...(child.modules ? { modules: child.modules.files, ...(child.modules.partial ? { modulesPartial: true } : {}) } : {}),
  };
}

/**
 * The watchdog killed a child whose event loop had run out of work while a test still ran: nothing
 * could end that test. From Node 24 node:test keeps such a process alive for ever (plain node --test
 * hangs); Node 20 and 22 cancel the file's tests instead, and the watchdog never gets there.
 */
function explainStall(child: ChildOutcome): ReturnType<typeof explainFileFailure> {
  if (child.aborted || child.stalledTest === undefined || child.killedAfterSilenceMs === undefined) return undefined;
  return {
    outcome: 'cancelled',
    failureType: 'fileTimeout',
    error: {
      type: 'StalledTestError',
      message:
        `The test process made no progress for ${child.killedAfterSilenceMs} ms and was killed: its event loop had nothing left to run while the test "${child.stalledTest}" was still running, ` +
        'so nothing could end that test, and node:test (from Node 24) waits for it for ever, as plain node --test does. ' +
        'Either the test threw a value that breaks node:test itself (an Error whose message getter throws, a revoked Proxy, a Proxy whose traps throw: ' +
        'node:test fails while recording the failure and never ends the test), or it awaits a promise that nothing will settle. ' +
        'Throw a plain Error, or make sure the promise settles. The results reported before it are kept; the tests after it did not run.',
    },
  };
}

function rebuildTree(frames: ChildFrame[], absoluteFile: string): Reported[] {
  const ancestors: string[] = [];
  const reported: Reported[] = [];
  for (const frame of frames) {
    if (frame.type === 'test:start') {
      ancestors.length = frame.data.nesting;
      ancestors.push(frame.data.name);
    } else if (frame.type === 'test:pass' || frame.type === 'test:fail') {
      const data = frame.data;
      if (data.skip === PATTERN_SKIP_REASON) continue;
      // A root-level after() hook failure is reported as a test named after the file itself.
      const isFileHook = data.nesting === 0 && path.resolve(data.name) === absoluteFile;
      const entry: Reported = {
        path: isFileHook ? [] : [...ancestors.slice(0, data.nesting), data.name],
        kind: data.kind === 'suite' ? 'suite' : 'test',
        location: data,
        outcome: classify(frame.type === 'test:pass', data),
        durationMs: data.durationMs,
      };
      if (data.failureType) entry.failureType = data.failureType;
      if (data.error) entry.error = explainNodeTestError(data.error);
      const reason = data.skip ?? data.todo;
      if (typeof reason === 'string') entry.reason = reason;
      reported.push(entry);
    }
  }
  inheritParentFailures(reported, absoluteFile);
  return reported;
}

function classify(passed: boolean, data: { skip?: unknown; todo?: unknown; failureType?: string; error?: SerializedError }): Reported['outcome'] {
  if (data.skip !== undefined && data.skip !== false) return 'skip';
  if (data.todo !== undefined && data.todo !== false) return 'todo';
  if (passed) return 'pass';
  switch (data.failureType) {
    case 'subtestsFailed':
      return 'subtests-failed';
    case 'testTimeoutFailure':
    case 'cancelledByParent':
      return 'cancelled';
    case 'hookFailed':
      return 'error';
  }
  const error = data.error;
  return error && (error.code === 'ERR_ASSERTION' || error.type === 'AssertionError') ? 'failure' : 'error';
}

/**
 * When a suite fails on its own (a before() hook throws, its body throws, it times out), node:test
 * cancels its tests with a generic message. Give each cancelled test the suite's real error instead,
 * so that they group under the root cause, and let the tests stand for the suite.
 */
function inheritParentFailures(reported: Reported[], absoluteFile: string): void {
  const ownOutcomes = reported.map((entry) => entry.outcome);
  reported.forEach((entry, index) => {
    if (entry.failureType !== 'cancelledByParent') return;
    for (let depth = entry.path.length - 1; depth > 0; depth--) {
      const parentIndex = findAncestor(reported, index, entry.path.slice(0, depth));
      const parent = reported[parentIndex];
      if (!parent?.error || parent.failureType === 'subtestsFailed' || parent.failureType === 'cancelledByParent') continue;
      entry.outcome = ownOutcomes[parentIndex] === 'cancelled' ? 'cancelled' : 'error';
      entry.error = withThrowSite(parent.error, parent.location, absoluteFile);
      entry.failureType = parent.failureType;
      entry.inherited = true;
      parent.outcome = 'subtests-failed';
      return;
    }
  });
}

/** Ancestors are reported after their descendants: the parent is the next entry with the parent's path. */
function findAncestor(reported: Reported[], from: number, ancestorPath: string[]): number {
  const key = ancestorPath.join('\0');
  for (let index = from + 1; index < reported.length; index++) {
    if (reported[index]!.path.join('\0') === key) return index;
  }
  return -1;
}

/** A suite's timeout has no stack: point it at the suite, so that all of its tests share one throw site. */
function withThrowSite(error: SerializedError, location: TestLocation, absoluteFile: string): SerializedError {
  if (parseStackFrames(error.stack).some(isUserFrame) || location.line === undefined) return error;
  return { ...error, stack: `${error.type}: ${error.message}\n    at ${absoluteFile}:${location.line}:${location.column ?? 1}` };
}

function toResults(project: string, file: string, reported: Reported[]): TestResult[] {
  const kindByPath = new Map(reported.map((entry) => [entry.path.join('\0'), entry.kind]));
  const seen = new Map<string, number>();
  // Children so far under each ancestor path; suites count too, whether or not they become results.
  const siblings = new Map<string, number>();
  const results: TestResult[] = [];
  for (const entry of reported) {
    const key = entry.path.join('\0');
    const occurrence = seen.get(key) ?? 0;
    seen.set(key, occurrence + 1);
    const parentKey = JSON.stringify(entry.path.slice(0, -1));
    const index = siblings.get(parentKey) ?? 0;
    if (entry.path.length > 0) siblings.set(parentKey, index + 1);
    // Suites are containers: they count only when they fail for a reason of their own.
    if (entry.outcome === 'subtests-failed') continue;
    if (entry.kind === 'suite' && (entry.inherited || (entry.outcome !== 'error' && entry.outcome !== 'cancelled'))) continue;
    const result: TestResult = {
      id: { project, file, path: entry.path, occurrence },
      kind: entry.path.length === 0 ? 'file' : entry.kind,
      pathKinds: entry.path.map((_, index) => kindByPath.get(entry.path.slice(0, index + 1).join('\0')) ?? 'suite'),
      outcome: entry.outcome,
      durationMs: entry.durationMs,
    };
    if (entry.path.length > 0) result.index = index;
    if (entry.location.line !== undefined) result.line = entry.location.line;
    if (entry.location.column !== undefined) result.column = entry.location.column;
    if (entry.failureType) result.failureType = entry.failureType;
    if (entry.error) result.error = entry.error;
    if (entry.reason) result.reason = entry.reason;
    results.push(result);
  }
  return results;
}

/** node:test's own wording for a promise that never settles says what happened, not what to do. */
const PENDING_PROMISE = 'Promise resolution is still pending but the event loop has already resolved';

function explainNodeTestError(error: SerializedError): SerializedError {
  if (!error.message.includes(PENDING_PROMISE)) return error;
  return {
    ...error,
    type: 'PendingPromiseError',
    message:
      'The test awaited a promise that never settles: nothing was left to run (no timer, no I/O) when node:test gave up on it. ' +
      `Make sure that the promise resolves or rejects, or that the test awaits the call that settles it. (node:test: "${PENDING_PROMISE}")`,
  };
}
