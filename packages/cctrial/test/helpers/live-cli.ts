/**
 * A long-running cctrial (`--json`) driven by its events: tests wait for events, never for time.
 * A wait that times out fails with every event seen so far, and stderr.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import type { CctrialEvent } from '../../src/events.js';
import { CLI, HARNESS_ENV_UNSET } from './cli.js';

export interface LiveCli {
  child: ChildProcess;
  events: CctrialEvent[];
  stderr(): string;
  /** Resolves with the first event, at or after index `from`, that matches. */
  waitFor(predicate: (event: CctrialEvent) => boolean, options?: { from?: number; timeoutMs?: number; what?: string }): Promise<CctrialEvent>;
  /** Resolves with the exit code. */
  exited: Promise<number | null>;
  stop(): Promise<number | null>;
}

/** `notify: true` leaves notifications on: they go to whatever notify-send is on PATH. */
export function startCli(args: string[], options: { cwd: string; env?: NodeJS.ProcessEnv; node?: string; notify?: boolean; cli?: string }): LiveCli {
  const child = spawn(options.node ?? process.execPath, [options.cli ?? CLI, '--json', ...(options.notify ? [] : ['--no-notify']), ...args], {
    cwd: options.cwd,
    env: { ...process.env, ...HARNESS_ENV_UNSET, NO_COLOR: '1', ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const events: CctrialEvent[] = [];
  const waiters = new Set<() => void>();
  let stderr = '';
  child.stderr!.on('data', (chunk) => (stderr += chunk));
  createInterface({ input: child.stdout! }).on('line', (line) => {
    try {
      events.push(JSON.parse(line) as CctrialEvent);
    } catch {
      stderr += `[non-JSON stdout line] ${line}\n`;
    }
    for (const wake of waiters) wake();
  });
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => {
    for (const wake of waiters) wake();
    resolve(code);
  }));

  const waitFor: LiveCli['waitFor'] = (predicate, { from = 0, timeoutMs = 30_000, what = 'event' } = {}) => {
    const trace = new Error(`timed out waiting for ${what}`);
    return new Promise((resolve, reject) => {
      const check = () => {
        const found = events.slice(from).find(predicate);
        if (found) {
          finish();
          resolve(found);
        } else if (child.exitCode !== null || child.signalCode !== null) {
          finish();
          trace.message = `cctrial exited (${child.exitCode ?? child.signalCode}) before ${what}`;
          reject(withTranscript(trace));
        }
      };
      const timer = setTimeout(() => {
        finish();
        reject(withTranscript(trace));
      }, timeoutMs);
      const finish = () => {
        clearTimeout(timer);
        waiters.delete(check);
      };
      waiters.add(check);
      check();
    });
  };
  const withTranscript = (error: Error) => {
    error.message += `\n--- events ---\n${events.map((event) => JSON.stringify(event).slice(0, 300)).join('\n')}\n--- stderr ---\n${stderr}`;
    return error;
  };
  return {
    child,
    events,
    stderr: () => stderr,
    waitFor,
    exited,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      return exited;
    },
  };
}

/** The events after `from` with type `run:start`/`run:end`, as `start:phase` / `end:phase` strings. */
export function phaseSequence(events: CctrialEvent[], from = 0): string[] {
  return events.slice(from).flatMap((event) => {
    if (event.type === 'run:start') return [`start:${event.phase}`];
    if (event.type === 'run:end') return [`end:${event.phase}`];
    return [];
  });
}
