/**
 * Process hygiene: every child runs in its own process group, so that killing the group also kills
 * whatever the test spawned. Live groups are tracked so that cctrial never leaves one behind, and
 * told to a reaper process (reaper-process.ts) that ends them even when cctrial is SIGKILLed. Every
 * child's environment carries the session marker, which its descendants inherit: the reaper also
 * ends those that left their group (detached grandchildren).
 */
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { debuglog } from 'node:util';
import { processesCarrying } from './process-table.js';

const debug = debuglog('cctrial');
const KILL_GRACE_MS = 500;
const liveGroups = new Set<number>();
/** In every test process's environment, and so in its descendants'. */
export const SESSION_MARKER = 'CCTRIAL_SESSION';
/** Which test process a descendant comes from. */
const PROCESS_MARKER = 'CCTRIAL_PROCESS';
const SESSION = `${process.pid}-${Date.now().toString(36)}`;
let reaper: ChildProcess | undefined;
let spawned = 0;
const markers = new WeakMap<ChildProcess, string>();

/** Spawns `command` as the leader of a new process group. */
export function spawnGroup(command: string, args: string[], options: SpawnOptions): ChildProcess {
  const marker = String(++spawned);
  const child = spawn(command, args, { ...options, env: { ...(options.env ?? process.env), [SESSION_MARKER]: SESSION, [PROCESS_MARKER]: marker }, detached: true });
  markers.set(child, marker);
  const pid = child.pid;
  if (pid !== undefined) {
    liveGroups.add(pid);
    tellReaper(`+${pid}`);
    debug('spawn %d: %s %s', pid, command, args.join(' '));
    child.once('exit', () => {
      // The leader is gone, but a grandchild may still hold the group: kill it before forgetting.
      signalGroup(pid, 'SIGKILL');
      liveGroups.delete(pid);
      tellReaper(`-${pid}`);
    });
  }
  return child;
}

/** Started with the first group: a detached process of its own, so that signals to cctrial's group leave it be. */
function tellReaper(line: string): void {
  if (!reaper) {
    const script = fileURLToPath(new URL('./reaper-process.js', import.meta.url));
    reaper = spawn(process.execPath, [script, SESSION_MARKER, SESSION], { detached: true, stdio: ['pipe', 'ignore', 'ignore'] });
    reaper.on('error', (error) => debug('reaper: %s', error.message));
    reaper.stdin!.on('error', () => {}); // The reaper gone first (killed by hand): nothing more to tell it.
    // Neither the reaper nor its pipe keeps cctrial alive; the pipe closes when cctrial exits, whatever way.
    reaper.unref();
    (reaper.stdin as unknown as { unref?(): void }).unref?.();
  }
  reaper.stdin!.write(line + '\n');
}

/** The marker that the child's descendants carry: see endStrays. */
export function markerOf(child: ChildProcess): string | undefined {
  return markers.get(child);
}

export interface Stray {
  /** The marker of the test process it descends from. */
  marker: string;
  pid: number;
  command: string;
}

/**
 * Ends the processes of this session that outlived their test process in a group of their own
 * (`spawn(..., { detached: true })`): each carries the session marker, but no live group holds it.
 */
export function endStrays(): Stray[] {
  const strays: Stray[] = [];
  for (const { pid, group, command, environment } of processesCarrying(`${SESSION_MARKER}=${SESSION}`)) {
    if (liveGroups.has(group)) continue;
    const marker = environment.find((variable) => variable.startsWith(`${PROCESS_MARKER}=`))?.slice(PROCESS_MARKER.length + 1) ?? '';
    strays.push({ marker, pid, command });
    signalGroup(group, 'SIGKILL');
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // Gone while looking.
    }
  }
  return strays;
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
