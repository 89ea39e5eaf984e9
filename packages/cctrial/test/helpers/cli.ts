/** Running the built cctrial CLI as a user would: a real process, real output, real exit code. */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { CctrialEvent } from '../../src/events.js';

export const CLI = fileURLToPath(new URL('../../src/cli.js', import.meta.url));

/**
 * What these tests must not pass on to the cctrial they start, as a user's shell would not: CI, and
 * the markers of the runners that run these tests (node:test's protocol, an Nx or Turborepo task,
 * which cctrial takes for its own host: `npm test` runs them through nx).
 */
export const HARNESS_ENV_UNSET: NodeJS.ProcessEnv = { CI: undefined, NODE_TEST_CONTEXT: undefined, NX_TASK_TARGET_PROJECT: undefined, NX_STREAM_OUTPUT: undefined, TURBO_HASH: undefined };

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function runCli(args: string[], options: { cwd: string; node?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number }): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(options.node ?? process.execPath, [CLI, ...args], {
      cwd: options.cwd,
      env: { ...process.env, ...HARNESS_ENV_UNSET, NO_COLOR: '1', FORCE_COLOR: undefined, ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`cctrial ${args.join(' ')} did not finish in ${options.timeoutMs ?? 60_000} ms\nstdout:\n${stdout}\nstderr:\n${stderr}`));
    }, options.timeoutMs ?? 60_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** Parses --json output, failing loudly on any line that is not an event. */
export function parseEvents(stdout: string): CctrialEvent[] {
  return stdout
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => {
      try {
        return JSON.parse(line) as CctrialEvent;
      } catch {
        throw new Error(`not an NDJSON event: ${line}`);
      }
    });
}
