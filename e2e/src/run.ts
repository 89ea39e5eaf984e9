/**
 * Running the real tools. `run` waits for a command to finish; `startLive` keeps one running and
 * reads cctrial's --json events from its output, for watch-mode tests that wait on events, never
 * on time. Every process gets its own process group, so that stopping it stops nx, the executor,
 * cctrial and the test processes together.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { BIN } from './paths.js';

export interface CctrialEvent {
  type: string;
  [key: string]: unknown;
}

export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
  /** cctrial's NDJSON events, wherever they appear in stdout (nx and turbo add lines and prefixes). */
  events: CctrialEvent[];
}

/** PATH gets a folder with only the repository's pnpm, nx and turbo: nx and turbo call pnpm by name. */
let binDir: string | undefined;
function toolsOnPath(): string {
  if (!binDir) {
    const dir = mkdtempSync(path.join(tmpdir(), 'cctrial-e2e-bin-'));
    process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
    binDir = dir;
    for (const [name, target] of Object.entries(BIN)) symlinkSync(target, path.join(binDir, name));
  }
  return binDir;
}

/**
 * No daemon, no cloud, no TUI, no telemetry, no prompts: every run is self-contained and plain.
 * The variables of an enclosing Nx task, turbo task or npm script (this suite runs as one) are
 * dropped, so that the tools see only the fixture; so is CI's `CI`, which would turn cctrial's
 * watching defaults into one-shot runs. A test about CI sets it itself.
 */
export function toolEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const inherited = Object.fromEntries(Object.entries(process.env).filter(([name]) => !/^(NX_|TURBO_|npm_package_|npm_lifecycle_)/.test(name)));
  return {
    ...inherited,
    PATH: `${toolsOnPath()}${path.delimiter}${process.env.PATH ?? ''}`,
    NX_DAEMON: 'false',
    NX_NO_CLOUD: 'true',
    NX_TUI: 'false',
    TURBO_TELEMETRY_DISABLED: '1',
    DO_NOT_TRACK: '1',
    NO_COLOR: '1',
    FORCE_COLOR: undefined,
    NODE_TEST_CONTEXT: undefined,
    CI: undefined,
    ...extra,
  };
}

const TIMEOUT_MS = 120_000;

export function run(command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = {}): Promise<RunResult> {
  const trace = new Error(`${path.basename(command)} ${args.join(' ')} did not finish in ${TIMEOUT_MS} ms`);
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, env: toolEnv(env), stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    const timer = setTimeout(() => {
      killGroup(child);
      trace.message += `\n--- stdout ---\n${stdout}\n--- stderr ---\n${stderr}`;
      reject(trace);
    }, TIMEOUT_MS);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr, events: parseEvents(stdout) });
    });
  });
}

/** The events in a command's output: each line's JSON object from its first "{", when it has a type. */
export function parseEvents(output: string): CctrialEvent[] {
  return output.split('\n').flatMap((line) => {
    const event = eventIn(line);
    return event ? [event] : [];
  });
}

function eventIn(line: string): CctrialEvent | undefined {
  const start = line.indexOf('{');
  if (start === -1) return undefined;
  try {
    const value = JSON.parse(line.slice(start).trimEnd()) as unknown;
    return value && typeof value === 'object' && typeof (value as CctrialEvent).type === 'string' ? (value as CctrialEvent) : undefined;
  } catch {
    return undefined;
  }
}

export interface LiveRun {
  events: CctrialEvent[];
  output(): string;
  /** The first event at or after index `from` that matches; fails with the whole output if the command ends first. */
  waitFor(predicate: (event: CctrialEvent) => boolean, what: string, from?: number): Promise<CctrialEvent>;
  /** Stops the whole process group and waits until every process in it is gone. */
  stop(): Promise<void>;
}

export function startLive(command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = {}): LiveRun {
  const child = spawn(command, args, { cwd, env: toolEnv(env), stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  const events: CctrialEvent[] = [];
  let output = '';
  const waiters = new Set<() => void>();
  const wake = () => waiters.forEach((waiter) => waiter());
  child.stderr.on('data', (chunk) => {
    output += chunk;
  });
  createInterface({ input: child.stdout }).on('line', (line) => {
    output += line + '\n';
    const event = eventIn(line);
    if (event) events.push(event);
    wake();
  });
  const closed = new Promise<void>((resolve) => child.on('close', () => (wake(), resolve())));
  const waitFor: LiveRun['waitFor'] = (predicate, what, from = 0) => {
    const failure = new Error(`timed out waiting for ${what}`);
    return new Promise((resolve, reject) => {
      const check = () => {
        const found = events.slice(from).find(predicate);
        if (found) finish(() => resolve(found));
        else if (child.exitCode !== null || child.signalCode !== null) finish(() => reject(withOutput(new Error(`${path.basename(command)} exited (${child.exitCode ?? child.signalCode}) before ${what}`))));
      };
      const timer = setTimeout(() => finish(() => reject(withOutput(failure))), 60_000);
      const finish = (settle: () => void) => {
        clearTimeout(timer);
        waiters.delete(check);
        settle();
      };
      waiters.add(check);
      check();
    });
  };
  const withOutput = (error: Error) => Object.assign(error, { message: `${error.message}\n--- output ---\n${output}` });
  return {
    events,
    output: () => output,
    waitFor,
    async stop() {
      killGroup(child);
      await closed;
      await groupGone(child.pid!);
    },
  };
}

function killGroup(child: ChildProcess): void {
  try {
    process.kill(-child.pid!, 'SIGTERM');
  } catch {
    // Already gone.
  }
}

/** Waits until no process of the group is left, SIGKILLing the stragglers after 10 s (and failing). */
async function groupGone(pgid: number): Promise<void> {
  const deadline = performance.now() + 10_000;
  while (liveMembers(pgid).length > 0) {
    if (performance.now() > deadline) {
      const left = liveMembers(pgid);
      process.kill(-pgid, 'SIGKILL');
      throw new Error(`processes ${left.join(', ')} of group ${pgid} were still running 10 s after SIGTERM`);
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/**
 * The pids of the group's processes that are not zombies (Linux /proc). A container's pid 1 may
 * never reap orphans, so "kill(-pgid, 0) fails" is not a test for "all gone".
 */
function liveMembers(pgid: number): number[] {
  const members: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${name}/stat`, 'utf8');
    } catch {
      continue; // Exited while we looked.
    }
    // pid (comm) state ppid pgrp ...: comm may hold spaces and parentheses, so split after the last ')'.
    const [state, , group] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (Number(group) === pgid && state !== 'Z') members.push(Number(name));
  }
  return members;
}
