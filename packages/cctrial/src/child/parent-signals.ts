/**
 * A test that signals its parent process (`process.kill(process.ppid)`) would end the test runner
 * under node --test. Here the parent is cctrial, which would die without a word about why, ending
 * the loop. The signal is not delivered: process.kill() throws an error saying what happened, so the
 * test fails with it, and the loop goes on. Signal 0 (does the process exist?) still goes through, and
 * so do the signals whose default action is to do nothing (SIGCHLD, SIGCONT, SIGURG, SIGWINCH).
 */
import { syncBuiltinESMExports } from 'node:module';
import { constants } from 'node:os';

export class ParentSignalError extends Error {
  override name = 'ParentSignalError';
}

const HARMLESS = new Set(['SIGCHLD', 'SIGCONT', 'SIGURG', 'SIGWINCH']);
const SIGNAL_NAMES = new Map(Object.entries(constants.signals).map(([name, number]) => [number, name]));

/** The signal's name, or undefined for signal 0 and for what process.kill() itself would refuse. */
function signalName(signal: unknown): string | undefined {
  if (signal === undefined) return 'SIGTERM';
  if (typeof signal === 'number') return SIGNAL_NAMES.get(signal);
  if (typeof signal === 'string' && Object.hasOwn(constants.signals, signal)) return signal;
  return undefined;
}

export function parentSignalMessage(signal: string, pid: number): string {
  return (
    `This test sent ${signal} to its parent process (pid ${pid}), which is cctrial: under node --test it would end the test runner, ` +
    'and here it would end cctrial without a word about why. cctrial did not deliver it, and failed the test instead; the run goes on. ' +
    'To signal a process the test started, use its own pid (child.pid, or child.kill()); to test a signal handler, signal the test process itself (process.kill(process.pid, ...)).'
  );
}

/** Wraps process.kill so that a signal aimed at `parentPid` (or at its process group) throws instead. Call before test code runs. */
export function guardParentSignals(parentPid: number): void {
  if (!Number.isInteger(parentPid) || parentPid <= 1) return;
  const realKill = process.kill.bind(process);
  process.kill = function kill(pid: number, signal?: string | number): true {
    const name = signalName(signal);
    if ((pid === parentPid || pid === -parentPid) && name !== undefined && !HARMLESS.has(name)) {
      const error = new ParentSignalError(parentSignalMessage(name, parentPid));
      Error.captureStackTrace(error, kill);
      throw error;
    }
    return realKill(pid, signal);
  } as typeof process.kill;
  // `import { kill } from 'node:process'` sees the guard too.
  syncBuiltinESMExports();
}
