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

/** Under --test-force-exit, every file is polled this often for tests still running. */
const POLL_MS = 2;
const FORCE_EXIT = process.execArgv.includes('--test-force-exit');

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
/** The file now running: where its tests begin, and what ends it. */
let pending: { from: number; end: () => void } | undefined;
let filesRemain = false;

/**
 * A file is over as its own process would be: when its tests have finished and the event loop has
 * run out of work ('beforeExit'), so that tests it declares later, from a timer, still count as its.
 * node:test ends its root on that 'beforeExit', after which no later file's tests would run: while
 * files remain it is kept from node:test, unless a test of the file still waits. That test then
 * waits on nothing, and node:test must end it as it would in the file's own process.
 */
export function keepRootOpen(): void {
  filesRemain = true;
  const emit = process.emit;
  process.emit = function emitUnlessBetweenFiles(this: NodeJS.Process, event: string | symbol, ...args: unknown[]) {
    if (event === 'beforeExit' && filesRemain && (!pending || finishedSince(pending.from))) {
      // One more turn of the event loop, in which the next file starts.
      setImmediate(() => {});
      const file = pending;
      pending = undefined;
      file?.end();
      return false;
    }
    return (emit as (...all: unknown[]) => boolean).call(this, event, ...args);
  } as typeof process.emit;
}

/** The last file has ended: node:test may end its root when the event loop runs out of work. */
export function releaseRoot(): void {
  filesRemain = false;
}

/**
 * Resolves once the file whose tests begin at `from` is over. With --test-force-exit node:test
 * ends a file's process as soon as its tests have finished, whatever else is pending: then the
 * file is over at that point, checked on a timer that keeps nothing alive.
 */
export function fileOver(from: number): Promise<void> {
  if (!FORCE_EXIT) return new Promise((end) => (pending = { from, end }));
  return new Promise((resolve) => {
    const check = () => {
      if (!finishedSince(from)) return void setTimeout(check, POLL_MS).unref();
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
