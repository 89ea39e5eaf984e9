/**
 * Process hygiene: every child runs in its own process group, so that killing the group also kills
 * whatever the test spawned. Live groups are tracked so that cctrial never leaves one behind.
 */
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { debuglog } from 'node:util';

const debug = debuglog('cctrial');
const KILL_GRACE_MS = 500;
const liveGroups = new Set<number>();

/** Spawns `command` as the leader of a new process group. */
export function spawnGroup(command: string, args: string[], options: SpawnOptions): ChildProcess {
  const child = spawn(command, args, { ...options, detached: true });
  const pid = child.pid;
  if (pid !== undefined) {
    liveGroups.add(pid);
    debug('spawn %d: %s %s', pid, command, args.join(' '));
    child.once('exit', () => {
      // The leader is gone, but a grandchild may still hold the group: kill it before forgetting.
      signalGroup(pid, 'SIGKILL');
      liveGroups.delete(pid);
    });
  }
  return child;
}

/** SIGTERM to the whole group, then SIGKILL if the leader has not exited after a grace period. */
export function killGroup(child: ChildProcess, graceMs = KILL_GRACE_MS): void {
  const pid = child.pid;
  if (pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  signalGroup(pid, 'SIGTERM');
  const timer = setTimeout(() => signalGroup(pid, 'SIGKILL'), graceMs);
  timer.unref();
  child.once('exit', () => clearTimeout(timer));
}

/** Kills every live group at once. Synchronous, so that it is safe in an 'exit' handler. */
export function killAllGroups(): void {
  for (const pid of liveGroups) signalGroup(pid, 'SIGKILL');
  liveGroups.clear();
}

export function liveGroupCount(): number {
  return liveGroups.size;
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // ESRCH: the group is already gone.
  }
}

process.once('exit', killAllGroups);
