/** Starting the executor process and reading cctrial's --json events from it, waiting on events, never on time. */
import { fork, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';
import type { ExecutorContext, ProjectGraph } from '@nx/devkit';
import type { CctrialExecutorOptions } from '../../src/executors/cctrial/schema';

export interface CctrialEvent {
  type: string;
  [key: string]: unknown;
}

export interface ExecutorRun {
  child: ChildProcess;
  events: CctrialEvent[];
  /** Resolves with what the executor resolved (or the error it threw), once its process has exited. */
  done: Promise<{ result?: { success: boolean }; error?: string; code: number | null }>;
  waitFor(predicate: (event: CctrialEvent) => boolean, what: string): Promise<CctrialEvent>;
}

/** A hand-made context with the parts the executor reads: the workspace root, the project and the graph. */
export function contextFor(root: string, projectName: string, graph: ProjectGraph): ExecutorContext {
  return { root, cwd: root, projectName, isVerbose: false, projectGraph: graph, projectsConfigurations: { version: 2, projects: {} }, nxJsonConfiguration: {} };
}

export function startExecutor(options: CctrialExecutorOptions, context: ExecutorContext): ExecutorRun {
  const child = fork(path.join(__dirname, 'executor-process.js'), [JSON.stringify({ options, context })], {
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    env: { ...process.env, NO_COLOR: '1', CI: undefined, NODE_TEST_CONTEXT: undefined },
  });
  const events: CctrialEvent[] = [];
  let output = '';
  const waiters = new Set<() => void>();
  const wake = () => waiters.forEach((waiter) => waiter());
  child.stderr!.on('data', (chunk) => (output += chunk));
  createInterface({ input: child.stdout! }).on('line', (line) => {
    output += line + '\n';
    if (line.startsWith('{')) events.push(JSON.parse(line) as CctrialEvent);
    wake();
  });
  let message: { result?: { success: boolean }; error?: string } = {};
  child.on('message', (received) => (message = received as typeof message));
  const done = new Promise<{ result?: { success: boolean }; error?: string; code: number | null }>((resolve) =>
    child.on('close', (code) => {
      wake();
      resolve({ ...message, code });
    }),
  );
  const waitFor = (predicate: (event: CctrialEvent) => boolean, what: string) => {
    const failure = new Error(`timed out waiting for ${what}`);
    return new Promise<CctrialEvent>((resolve, reject) => {
      const check = () => {
        const found = events.find(predicate);
        if (found) finish(() => resolve(found));
        else if (child.exitCode !== null || child.signalCode !== null) finish(() => reject(withOutput(new Error(`the executor exited before ${what}`))));
      };
      const timer = setTimeout(() => finish(() => reject(withOutput(failure))), 30_000);
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
  return { child, events, done, waitFor };
}

/** The pids of a process's direct children (Linux). */
export function childPids(pid: number): number[] {
  return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
}
