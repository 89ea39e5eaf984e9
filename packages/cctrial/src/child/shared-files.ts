/**
 * Several test files in one child, one after another, as `--test-isolation=none` runs them: one
 * node:test root for the whole process. A file is over when every top-level test it created has
 * finished; the next file is loaded only then, so each result belongs to the file that was running.
 * The end of each file is told through node:test's own event stream, so that the reporter sees it
 * after the file's last result and before the next file's first. Needs node's internals (the child
 * runs with --expose-internals), the same on Node 20 to 26.
 */
import { createRequire } from 'node:module';

interface TestNode {
  parent: TestNode | null;
  finished: boolean;
  reporter: { diagnostic(nesting: number, location: undefined, message: string): void };
}
interface TestClass {
  prototype: { createSubtest(this: TestNode, ...args: unknown[]): TestNode };
}

/** Set in the environment of a child that runs several files: it boots to follow each file's tests. */
export const SHARED_ENV = 'CCTRIAL_SHARED_PROCESS';

/** Every file is polled this often for tests still running: the cost is a timer per interval. */
const POLL_MS = 2;

const topLevel: TestNode[] = [];
let root: TestNode | undefined;

/** Starts following node:test's root. False when node's internals are not what they were on Node 20 to 26. */
export function followTopLevelTests(): boolean {
  try {
    const { Test } = createRequire(import.meta.url)('internal/test_runner/test') as { Test?: TestClass };
    const createSubtest = Test?.prototype.createSubtest;
    if (!Test || typeof createSubtest !== 'function') return false;
    Test.prototype.createSubtest = function createFollowed(this: TestNode, ...args: unknown[]) {
      const test = createSubtest.apply(this, args);
      if (this.parent === null) {
        root = this;
        topLevel.push(test);
      }
      return test;
    };
    return true;
  } catch {
    return false;
  }
}

/** How many top-level tests exist so far: a file's tests are those created after its start. */
export const topLevelCount = (): number => topLevel.length;

const finishedSince = (from: number) => topLevel.slice(from).every((test) => test.finished);
/** The check waiting on the poll timer while a file's tests run, and where that file's tests begin. */
let pending: { from: number; check: () => void } | undefined;
let filesRemain = false;

/**
 * Between two files the event loop may run out of work, and node:test ends its root on the
 * 'beforeExit' that follows: no later file's tests would run. While files remain, that
 * 'beforeExit' is kept from node:test, unless a test of the current file still waits: then it
 * waits on nothing, and node:test must end it as it would in the file's own process.
 */
export function keepRootOpen(): void {
  filesRemain = true;
  const emit = process.emit;
  process.emit = function emitUnlessBetweenFiles(this: NodeJS.Process, event: string | symbol, ...args: unknown[]) {
    if (event === 'beforeExit' && filesRemain) {
      if (!pending) {
        setImmediate(() => {}); // Between files: the next one is on its way.
        return false;
      }
      if (finishedSince(pending.from)) {
        const { check } = pending;
        pending = undefined;
        check();
        return false;
      }
    }
    return (emit as (...all: unknown[]) => boolean).call(this, event, ...args);
  } as typeof process.emit;
}

/** The last file is loaded: node:test may end its root when the event loop runs out of work. */
export function releaseRoot(): void {
  filesRemain = false;
}

/**
 * Resolves once every top-level test created since `from` has finished, and none followed within
 * a turn of the event loop. The poll timer does not keep the process alive by itself.
 */
export function testsSettled(from: number): Promise<void> {
  return new Promise((resolve) => {
    const check = () => {
      if (!finishedSince(from)) {
        const waiting = { from, check };
        pending = waiting;
        setTimeout(() => {
          if (pending !== waiting) return;
          pending = undefined;
          check();
        }, POLL_MS).unref();
        return;
      }
      setImmediate(() => (finishedSince(from) ? resolve() : check()));
    };
    check();
  });
}

/** The diagnostic that ends a file of a shared child, as the reporter sees it: followed by the file's index. */
const FILE_END_MARKER = '\u0000cctrial:file-end:';
const endings = new Map<number, () => void>();

/**
 * Calls `end` once the reporter has seen every result the file gave: `end` is sent down node:test's
 * event stream, behind them. Before the first test there is no stream and nothing in flight.
 */
export function endFileInOrder(index: number, end: () => void): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      end();
      resolve();
    };
    if (!root) return done();
    endings.set(index, done);
    root.reporter.diagnostic(0, undefined, `${FILE_END_MARKER}${index}`);
  });
}

/** For the reporter: whether this diagnostic ends a file, which it then ends. */
export function takeFileEnd(message: string): boolean {
  if (!message.startsWith(FILE_END_MARKER)) return false;
  const index = Number(message.slice(FILE_END_MARKER.length));
  const done = endings.get(index);
  if (!done) return false;
  endings.delete(index);
  done();
  return true;
}
