/**
 * The frame channel, as the child sees it: fd 3, a socket to cctrial, which test code must not be
 * able to break.
 *
 * Under plain `node --test`, fd 3 in a test process is not free either: it is libuv's event loop
 * (an epoll instance on Linux). There, a test reading or writing it gets EINVAL, and a test may close it
 * (its tests still pass; the process then aborts once they are done). A test here sees the same fd 3:
 * open, refusing reads and writes with EINVAL, closable once (then EBADF), while the real socket stays cctrial's.
 * The socket itself cannot move to another fd: it is a socket pair, which Linux will not reopen
 * through /dev/fd (ENXIO), and Node has no dup().
 *
 * What gets past this (a native addon, process.binding('fs'), a grandchild that inherited fd 3) can
 * only add lines the parent ignores: each frame carries the child's secret (protocol.ts).
 */
import fs from 'node:fs';
import { syncBuiltinESMExports } from 'node:module';
import { constants } from 'node:os';
import { encodeFrame, FRAME_FD, type ChildFrame } from './protocol.js';

const realWriteSync = fs.writeSync;
/** Taken before the child entry wraps process.exit, whose wrapper writes a frame itself. */
const exitNow = process.exit.bind(process);

let secret = '';
/** Set once a write failed: the parent is gone (or the socket was closed behind our back). */
let broken = false;

/** The secret from the go message: every frame from now on carries it. */
export function setChannelSecret(value: string): void {
  secret = value;
}

/** Writes one frame, synchronously and whole, so that it survives a process.exit() or a SIGKILL right after. */
export function writeFrame(frame: ChildFrame): void {
  if (broken) return;
  const bytes = Buffer.from(encodeFrame(secret, frame));
  try {
    // A signal can interrupt a blocking write part way: write the rest.
    for (let offset = 0; offset < bytes.length; ) offset += realWriteSync(FRAME_FD, bytes, offset);
  } catch {
    // Nobody is left to read, and the watchdog of a new parent does not know us. Once only: the exit
    // handlers write frames too, and must not fail into this again.
    // The heartbeat finds this within a second even while a test waits.
    broken = true;
    exitNow(1);
  }
}

/** fd 3 as test code sees it: node --test's event loop fd, open until the test closes it. */
let placeholderOpen = true;

const ERRNO_TEXT: Record<string, string> = { EBADF: 'bad file descriptor', EINVAL: 'invalid argument' };

function systemError(code: 'EBADF' | 'EINVAL', syscall: string, at: Function): NodeJS.ErrnoException {
  // As Node's own (uvException): "EBADF: bad file descriptor, close", with errno, code and syscall.
  const error: NodeJS.ErrnoException = new Error(`${code}: ${ERRNO_TEXT[code]}, ${syscall}`);
  error.errno = -constants.errno[code];
  error.code = code;
  error.syscall = syscall;
  Error.captureStackTrace(error, at);
  return error;
}

const isFrameFd = (fd: unknown) => fd === FRAME_FD;
const writeError = (syscall: string, at: Function) => systemError(placeholderOpen ? 'EINVAL' : 'EBADF', syscall, at);
const lastCallback = (args: unknown[]) => {
  const callback = args.at(-1);
  return typeof callback === 'function' ? (callback as (error: Error | null, ...rest: unknown[]) => void) : undefined;
};

/**
 * Guards fd 3 from test code: fs's close and write functions, for fd 3 only, act on the placeholder.
 * Call before any test code runs. ES modules importing node:fs see the guarded functions too.
 */
export function guardFrameFd(): void {
  const api = fs as unknown as Record<string, (...args: any[]) => any>;
  const guard = (name: string, onFrameFd: (at: Function, args: unknown[]) => unknown) => {
    const original = api[name];
    if (typeof original !== 'function') return;
    const guarded = {
      [name](this: unknown, ...args: unknown[]) {
        return isFrameFd(args[0]) ? onFrameFd(guarded, args) : original.apply(this, args);
      },
    }[name]!;
    Object.defineProperty(guarded, 'length', { value: original.length });
    api[name] = guarded;
  };
  const failSync = (syscall: string) => (at: Function) => {
    throw writeError(syscall, at);
  };
  const failAsync = (syscall: string) => (at: Function, args: unknown[]) => {
    const error = writeError(syscall, at);
    const callback = lastCallback(args);
    if (!callback) throw error;
    process.nextTick(callback, error);
    return undefined;
  };
  guard('closeSync', (at) => {
    if (!placeholderOpen) throw systemError('EBADF', 'close', at);
    placeholderOpen = false;
  });
  guard('close', (at, args) => {
    const error = placeholderOpen ? null : systemError('EBADF', 'close', at);
    placeholderOpen = false;
    const callback = lastCallback(args);
    if (callback) process.nextTick(callback, error);
    return undefined;
  });
  for (const [name, syscall] of [
    ['writeSync', 'write'],
    ['writevSync', 'writev'],
    // A read would block on the socket for ever: cctrial never writes to it.
    ['readSync', 'read'],
    ['readvSync', 'readv'],
    ['writeFileSync', 'write'],
    ['appendFileSync', 'write'],
    ['fsyncSync', 'fsync'],
    ['fdatasyncSync', 'fdatasync'],
    ['ftruncateSync', 'ftruncate'],
  ] as const) {
    guard(name, failSync(syscall));
  }
  for (const [name, syscall] of [
    ['write', 'write'],
    ['writev', 'writev'],
    ['read', 'read'],
    ['readv', 'readv'],
    ['writeFile', 'write'],
    ['appendFile', 'write'],
    ['fsync', 'fsync'],
    ['fdatasync', 'fdatasync'],
    ['ftruncate', 'ftruncate'],
  ] as const) {
    guard(name, failAsync(syscall));
  }
  syncBuiltinESMExports();
}
