/**
 * Failures of a test file as a whole: it did not load, it called process.exit(), it crashed, or it
 * hung. node:test reports these poorly or not at all (research: node-test.md §1.4), so cctrial
 * reconstructs them from its own frames and the exit status, and says what to do about each.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { ChildOutcome } from '../runner/run-file.js';
import { fileUrlsToPaths, isUserFrame, parseStackFrames } from './stack.js';
import type { Outcome, SerializedError, TestResult } from './types.js';

export interface FileFailure {
  outcome: Outcome;
  error: SerializedError;
  failureType: string;
}

const STDERR_EXCERPT_CHARS = 2000;
/** Node 22+ says where, on stderr: `Warning: Detected unsettled top-level await at file:///…/a.test.js:3`. */
const UNSETTLED_AWAIT_WARNING = /^Warning: Detected unsettled top-level await at (\S+?):(\d+)\n(.*)/m;

export function explainFileFailure(
  child: ChildOutcome,
  results: TestResult[],
  diagnostics: string[],
  absoluteFile: string,
): FileFailure | undefined {
  if (child.aborted) return undefined;
  const frames = child.frames;
  const finished = frames.some((frame) => frame.type === 'end');
  const loadError = frames.find((frame) => frame.type === 'load-error');
  const exitCall = frames.find((frame) => frame.type === 'exit-called');
  const lastStarted = lastUnfinishedTest(frames);

  // The file was deleted or renamed after the run was planned: nothing failed, the watcher reports it.
  if (loadError?.data.error.code === 'ERR_MODULE_NOT_FOUND' && !existsSync(absoluteFile)) return undefined;
  if (loadError) {
    const error = { ...loadError.data.error };
    // V8 keeps a syntax error's location out of the stack; Node prints it first on stderr, and
    // transpilers (tsx, esbuild) put it in the message.
    // Both may name the file by its URL (`my%20dir`): the user reads the real path.
    error.message = fileUrlsToPaths(error.message);
    const location = /^(file:\/\/\/[^\n]+?|\/[^\n]+?):(\d+)\n/.exec(child.stderr) ?? /^(\/[^\n:]+):(\d+)(?::(\d+))?/m.exec(error.message);
    if (location && !parseStackFrames(error.stack).some(isUserFrame)) {
      const file = location[1]!.startsWith('file:') ? fileURLToPath(location[1]!) : location[1]!;
      error.stack = `${error.type}: ${error.message}\n    at ${file}:${location[2]}:${location[3] ?? 1}`;
    }
    error.message = `${error.message}\n(The test file failed to load, so none of its tests ran. Fix the error above; cctrial re-runs the file on the next save.)`;
    return { outcome: 'error', failureType: 'loadError', error };
  }
  if (exitCall) {
    return {
      outcome: 'error',
      failureType: 'processExit',
      error: {
        type: 'ProcessExitError',
        message:
          `process.exit(${exitCall.data.code}) was called while the tests of this file were running. ` +
          'node:test drops the results of a file that exits early, so the tests after that point never ran. ' +
          'Remove the call, or stub process.exit in that test.',
        stack: exitCall.data.stack,
      },
    };
  }
  if (child.fileTimedOutAfterMs !== undefined) {
    return {
      outcome: 'cancelled',
      failureType: 'fileTimeout',
      error: {
        type: 'TimeoutError',
        message:
          `The test file timed out after ${child.fileTimedOutAfterMs} ms. Before Node 24, node --test applies --test-timeout to each file as a whole and drops its results, and cctrial does the same. ` +
          'Raise the timeout, or split the file.',
      },
    };
  }
  if (child.frames.some((frame) => frame.type === 'load-unsettled')) return unsettledAwait(child, absoluteFile);
  const failedTests = results.some((result) => result.outcome === 'failure' || result.outcome === 'error' || result.outcome === 'cancelled');
  // Every test had reported and one failed (a timed-out test leaves its timers behind): the failures say it.
  if (child.killedAfterSilenceMs !== undefined && !lastStarted && failedTests) return undefined;
  if (child.killedAfterSilenceMs !== undefined) {
    // A synchronous endless loop blocks the reporter too, so "no test running" proves nothing.
    const running = lastStarted ? `The last test still running was "${lastStarted}". ` : '';
    return {
      outcome: 'cancelled',
      failureType: 'fileTimeout',
      error: {
        type: 'TimeoutError',
        message:
          `The test process made no progress for ${child.killedAfterSilenceMs} ms and was killed. ${running}` +
          'A test may loop forever, await something that never settles, or leave an open handle (a timer, server or socket) that keeps the process alive. ' +
          'Close it in an after() hook, or raise --timeout if the test is just slow.',
      },
    };
  }
  // node:test never started: the file declares no tests. node --test reports such a file as passing.
  if (!finished && declaredNoTests(child)) return undefined;
  if (!finished) {
    const how = child.signal ? `was killed by ${child.signal}` : `exited with code ${child.exitCode}`;
    return {
      outcome: 'error',
      failureType: 'crashed',
      error: {
        type: 'CrashError',
        message:
          `The test process ${how} before node:test finished, so its remaining results are lost. ` +
          'Look at its stderr below for the cause.' + stderrExcerpt(child.stderr),
      },
    };
  }
  if ((child.exitCode ?? 0) !== 0 && !failedTests) {
    const lateErrors = diagnostics.filter((message) => /asynchronous activity after the test ended/.test(message));
    const detail = lateErrors.length > 0 ? `\n${lateErrors.join('\n')}` : stderrExcerpt(child.stderr);
    return {
      outcome: 'error',
      failureType: 'lateError',
      error: {
        type: 'LateError',
        message:
          `Every test of ${absoluteFile} passed, but the file exited with code ${child.exitCode}: ` +
          `something failed after a test had ended. Await the work in the test that started it.${detail}`,
      },
    };
  }
  return undefined;
}

/**
 * The file's top-level await never settled: Node ended the process with code 13 once nothing was left
 * to run, and node:test reported only the tests declared before the await, or none. Those keep their
 * verdicts; the file fails once, saying where it stopped and that the tests after it were never declared.
 */
function unsettledAwait(child: ChildOutcome, absoluteFile: string): FileFailure {
  const warning = UNSETTLED_AWAIT_WARNING.exec(child.stderr);
  const file = warning ? (warning[1]!.startsWith('file:') ? fileURLToPath(warning[1]!) : warning[1]!) : absoluteFile;
  const where = warning ? `at ${file}:${warning[2]}${warning[3]?.trim() ? ` (${warning[3].trim()})` : ''}` : `in ${absoluteFile}`;
  return {
    outcome: 'error',
    failureType: 'unsettledAwait',
    error: {
      type: 'UnsettledAwaitError',
      message:
        `A top-level await ${where} never settled: the promise it awaits was still pending when nothing was left to run, so Node stopped loading the file there. ` +
        // Not a count: a fix run selects one test, and the signature must not change with the selection.
        'The tests declared before the await ran and keep their results; node:test never saw the tests written after it, so they did not run, and cctrial cannot name them. ' +
        'Make the awaited promise resolve or reject, or move the await into a before() hook or a test, where a timeout applies.',
      // The await is the site when Node names it (Node 22+); otherwise the file's own location stands.
      ...(warning ? { stack: `UnsettledAwaitError: a top-level await never settled\n    at ${file}:${warning[2]}:1` } : {}),
    },
  };
}

/** A clean exit with no test ever reported: a helper module, a type-only file, tests all commented out. */
export function declaredNoTests(child: ChildOutcome): boolean {
  return child.exitCode === 0 && child.signal === null && child.killedAfterSilenceMs === undefined && child.fileTimedOutAfterMs === undefined && !child.frames.some((frame) => frame.type !== 'alive');
}

function lastUnfinishedTest(frames: ChildOutcome['frames']): string | undefined {
  const started: string[] = [];
  for (const frame of frames) {
    if (frame.type === 'test:dequeue') started.push(frame.data.name);
    else if (frame.type === 'test:pass' || frame.type === 'test:fail') {
      const index = started.lastIndexOf(frame.data.name);
      if (index !== -1) started.splice(index, 1);
    }
  }
  return started.at(-1);
}

function stderrExcerpt(stderr: string): string {
  const text = stderr.trim();
  if (!text) return '';
  return `\n${text.length > STDERR_EXCERPT_CHARS ? '...' + text.slice(-STDERR_EXCERPT_CHARS) : text}`;
}
