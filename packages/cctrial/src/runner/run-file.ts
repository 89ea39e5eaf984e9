/** Runs one test file (or, in a shared child, several) in one possibly pre-warmed child process, and collects its frames and output. */
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import type { GoMessage } from '../child/entry.js';
import { decodeFrame, FRAME_FD, SECRET_BYTES, type ChildFrame, type TestLocation } from '../child/protocol.js';
import { OutputTail } from './output-tail.js';
import { killGroup } from './process-group.js';

const OUTPUT_LIMIT_BYTES = 1024 * 1024;
/**
 * After the child exited and its frame pipe ended, how long its stdout and stderr may still take to
 * drain. A process the test started in a group of its own can hold them open for ever.
 */
const OUTPUT_DRAIN_MS = 100;
/** A watchdog this late was not running: the process was stopped or the machine slept. */
const SUSPENDED_MS = 1_000;
/** A grandchild that inherited the frame pipe itself (rare: it takes an explicit stdio entry) is let go of later. */
const FRAMES_DRAIN_MS = 2_000;
/**
 * From Node 24, node:test enforces --test-timeout per test in-process. Before, node --test applies it
 * to each file as a whole, from the parent, and the child ignores it (research: node-test.md §1.4).
 */
export const PER_TEST_TIMEOUTS = Number(process.versions.node.split('.')[0]) >= 24;

export interface ChildOutcome {
  frames: ChildFrame[];
  stdout: string;
  stderr: string;
  exitCode: number | null;
  signal: string | null;
  /** Set when the watchdog killed the child. */
  killedAfterSilenceMs?: number;
  /**
   * Set when the watchdog killed a child whose event loop had run out of work while this test was
   * still running: node:test (Node 24+) then waits for it for ever, keeping the process alive.
   */
  stalledTest?: string;
  /** Set when the file ran past its whole-file timeout (before Node 24, as node --test applies --test-timeout). */
  fileTimedOutAfterMs?: number;
  /** Set when the caller aborted the run. */
  aborted: boolean;
  /** From the go message to the first frame: loading the test file and its imports. */
  firstFrameMs?: number;
  durationMs: number;
  /** The files the test file loaded, from its 'modules' frame: kept out of `frames`, it says nothing about tests. */
  modules?: Extract<ChildFrame, { type: 'modules' }>['data'];
}

/**
 * Tells a waiting child which file to run, and collects everything until it exits. The watchdog
 * kills it after `silenceLimitMs` without a frame: node:test cannot stop a hung file on Node 24+.
 * Heartbeats count as frames while a test runs: node:test enforces each test's timeout, so a test
 * may run as long as its own timeout says. `fileTimeoutMs` ends a file as a whole, as
 * node --test does with --test-timeout before Node 24.
 */
const testKeyOf = (data: TestLocation) => JSON.stringify([data.nesting, data.name, data.line, data.column]);

export function runChild(
  child: ChildProcess,
  go: GoMessage,
  silenceLimitMs: number,
  onFrame: (frame: ChildFrame) => void,
  signal?: AbortSignal,
  limits: { fileTimeoutMs?: number; testsHaveTimeouts?: boolean } = {},
): Promise<ChildOutcome> {
  const { fileTimeoutMs, testsHaveTimeouts = false } = limits;
  const startedAt = performance.now();
  const secret = randomBytes(SECRET_BYTES).toString('base64url');
  child.stdin!.end(JSON.stringify({ ...go, secret, parentPid: process.pid } satisfies GoMessage) + '\n');
  const frames: ChildFrame[] = [];
  const stdout = new OutputTail(OUTPUT_LIMIT_BYTES);
  const stderr = new OutputTail(OUTPUT_LIMIT_BYTES);
  let killedAfterSilenceMs: number | undefined;
  let aborted = false;
  let firstFrameMs: number | undefined;
  let modules: ChildOutcome['modules'];
  let finished = false;
  /** Tests started and not yet reported, with their names. */
  const running = new Map<string, string>();
  /** The child's event loop ran out of work: from then on, heartbeats prove nothing. */
  let loopIdle = false;
  let stalledTest: string | undefined;

  let watchdog: NodeJS.Timeout | undefined;
  const armWatchdog = () => {
    clearTimeout(watchdog);
    const armedAt = performance.now();
    watchdog = setTimeout(() => {
      // Fired late: cctrial itself was stopped (SIGSTOP, a suspended laptop), so nobody watched the silence.
      // Its frames may be waiting in the pipe: start counting again.
      if (performance.now() - armedAt > silenceLimitMs + SUSPENDED_MS) return armWatchdog();
      // A child stopped by a signal (SIGSTOP, a debugger, Ctrl-Z) is not silent, it is held: wait for it.
      if (isStopped(child.pid)) return armWatchdog();
      killedAfterSilenceMs = silenceLimitMs;
      if (loopIdle && running.size > 0) stalledTest = [...running.values()].at(-1);
      killGroup(child);
    }, silenceLimitMs);
  };
  armWatchdog();
  let fileTimedOutAfterMs: number | undefined;
  const fileTimer =
    fileTimeoutMs === undefined
      ? undefined
      : setTimeout(() => {
          if (finished) return;
          fileTimedOutAfterMs = fileTimeoutMs;
          killGroup(child);
        }, fileTimeoutMs);

  const onAbort = () => {
    aborted = true;
    killGroup(child);
  };
  if (signal?.aborted) onAbort();
  else signal?.addEventListener('abort', onAbort, { once: true });

  child.stdout!.on('data', (chunk: Buffer) => stdout.push(chunk));
  child.stderr!.on('data', (chunk: Buffer) => stderr.push(chunk));
  const framePipe = child.stdio[FRAME_FD] as Readable;
  const frameLines = createInterface({ input: framePipe, crlfDelay: Infinity });
  frameLines.on('line', (line) => {
    // Lines without this child's secret are not frames: test code wrote to the frame fd (garbage, a
    // forged frame), or a killed child tore its last line. They are ignored; nothing is made of them.
    const frame = decodeFrame(line, secret);
    if (!frame) return;
    if (frame.type === 'alive') {
      // node:test enforces every test's timeout in-process (itself from Node 24, given by the child before):
      // while a test runs and the event loop turns, it may run as long as its timeout allows. With no test
      // running, a turning event loop proves nothing: an open handle keeps it turning for ever.
      // Without any timeout (--timeout 0) nothing would ever end a hung test: then only results count.
      // Nor once the event loop ran out of work with a test still running: what turns it then is
      // node:test's own keep-alive (Node 24+), which waits for that test even when nothing can end it.
      if (testsHaveTimeouts && running.size > 0 && !loopIdle) armWatchdog();
      return;
    }
    if (frame.type === 'loop-idle') {
      if (running.size > 0) loopIdle = true;
      return;
    }
    if (frame.type === 'modules') {
      // A shared child sends one per file: the caller splits them (shared-batch.ts).
      modules = frame.data;
      onFrame(frame);
      return;
    }
    if (frame.type === 'test:dequeue') running.set(testKeyOf(frame.data), frame.data.name);
    else if (frame.type === 'test:pass' || frame.type === 'test:fail') running.delete(testKeyOf(frame.data));
    else if (frame.type === 'end') finished = true;
    armWatchdog();
    firstFrameMs ??= performance.now() - startedAt;
    frames.push(frame);
    onFrame(frame);
  });

  return new Promise((resolve, reject) => {
    child.once('error', (error) => {
      clearTimeout(watchdog);
      clearTimeout(fileTimer);
      reject(error);
    });
    // The run ends with its test process: once it has exited and every frame is read, output that a
    // grandchild keeps open gets a moment to drain, then the pipes are let go and 'close' follows.
    let drain: NodeJS.Timeout | undefined;
    let framesDrain: NodeJS.Timeout | undefined;
    let exited = false;
    let framesRead = false;
    const letGoOfOutput = () => {
      if (!exited || !framesRead || drain) return;
      drain = setTimeout(() => {
        child.stdout?.destroy();
        child.stderr?.destroy();
      }, OUTPUT_DRAIN_MS);
    };
    child.once('exit', () => {
      exited = true;
      letGoOfOutput();
      framesDrain = setTimeout(() => {
        framePipe.destroy();
        child.stdout?.destroy();
        child.stderr?.destroy();
      }, FRAMES_DRAIN_MS);
    });
    framePipe.once('close', () => {
      framesRead = true;
      letGoOfOutput();
    });
    // 'close' rather than 'exit': every pipe, the frame pipe included, has been read to the end (or let go of).
    child.once('close', (exitCode, exitSignal) => {
      clearTimeout(watchdog);
      clearTimeout(fileTimer);
      clearTimeout(drain);
      clearTimeout(framesDrain);
      signal?.removeEventListener('abort', onAbort);
      const outcome: ChildOutcome = {
        frames,
        stdout: stdout.toString(),
        stderr: stderr.toString(),
        exitCode,
        signal: exitSignal,
        aborted,
        durationMs: performance.now() - startedAt,
      };
      if (firstFrameMs !== undefined) outcome.firstFrameMs = firstFrameMs;
      if (modules) outcome.modules = modules;
      if (killedAfterSilenceMs !== undefined) outcome.killedAfterSilenceMs = killedAfterSilenceMs;
      if (stalledTest !== undefined) outcome.stalledTest = stalledTest;
      if (fileTimedOutAfterMs !== undefined) outcome.fileTimedOutAfterMs = fileTimedOutAfterMs;
      resolve(outcome);
    });
  });
}

/** Whether the process is stopped (state T or t in /proc, on Linux); elsewhere it cannot be told, and counts as running. */
function isStopped(pid: number | undefined): boolean {
  if (pid === undefined || process.platform !== 'linux') return false;
  try {
    // The state follows the command name, which is in parentheses and may itself hold spaces or parentheses.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return /^[tT]$/.test(stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3));
  } catch {
    return false;
  }
}
