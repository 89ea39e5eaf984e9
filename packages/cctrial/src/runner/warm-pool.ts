/**
 * Test children booted ahead of need. A warm child has Node, the loader, node:test and the reporter
 * loaded, but no project code: it waits for the file to run. Children are keyed by their launch
 * spec, so a warm child is only ever used for exactly the run it was booted for. Each one still runs
 * one file only, then exits: every run sees the code as it is on disk.
 */
import type { ChildProcess } from 'node:child_process';
import { debuglog } from 'node:util';
import type { LaunchSpec } from './launch-spec.js';
import { killGroup, spawnGroup } from './process-group.js';

const debug = debuglog('cctrial');

export class WarmPool {
  private readonly ready = new Map<string, ChildProcess[]>();

  /** A warm child for this launch spec if one is ready, else a new one, still booting. */
  take(spec: LaunchSpec): { child: ChildProcess; warm: boolean } {
    const list = this.ready.get(spec.key) ?? [];
    while (list.length > 0) {
      const child = list.shift()!;
      if (child.exitCode === null && child.signalCode === null) {
        debug('warm child %d taken', child.pid);
        return { child, warm: true };
      }
    }
    return { child: launch(spec), warm: false };
  }

  /** Boots children until `count` are waiting for this launch spec. */
  prepare(spec: LaunchSpec, count = 1): void {
    const list = (this.ready.get(spec.key) ?? []).filter((child) => child.exitCode === null && child.signalCode === null);
    while (list.length < count) list.push(launch(spec));
    this.ready.set(spec.key, list);
  }

  /** Boots one more child for this launch spec: it will be taken by a job that starts later. */
  add(spec: LaunchSpec): void {
    this.ready.set(spec.key, [...(this.ready.get(spec.key) ?? []), launch(spec)]);
  }

  /** Kills every waiting child: the next run must not use one booted for a world that changed. */
  discard(): void {
    for (const list of this.ready.values()) for (const child of list) killGroup(child, 0);
    this.ready.clear();
  }
}

function launch(spec: LaunchSpec): ChildProcess {
  const child = spawnGroup(spec.node, spec.args, { env: spec.env, cwd: spec.cwd, stdio: ['pipe', 'pipe', 'pipe', 'ignore', 'pipe'] });
  // Nobody reads a waiting child's pipes yet; an early error (EPIPE) must not crash cctrial.
  child.stdin!.on('error', () => {});
  child.on('error', () => {});
  return child;
}
