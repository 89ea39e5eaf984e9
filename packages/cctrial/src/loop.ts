/**
 * The cctrial loop as a pure state machine: (state, event) -> { state, commands }. It does no I/O;
 * the driver carries out its commands and feeds back what happened. Every transition is therefore
 * testable with plain data.
 *
 *   suite -> (failures) -> fix the largest group's representative, on every save, until it passes
 *         -> recheck every test that failed -> (still failing) regroup and fix the next group
 *         -> (all pass) suite -> green: exit, or with --forever wait for the next change.
 */
import type { FailureGroup } from './results/group.js';
import { formatTestName } from './results/identity.js';
import { isFailing, type TestResult } from './results/types.js';

export type LoopPhase = 'suite' | 'fix' | 'recheck';

export type LoopState =
  | { name: 'starting' }
  | { name: 'running'; phase: LoopPhase; changedDuringRun: boolean }
  | { name: 'waiting-for-fix' }
  | { name: 'idle' }
  | { name: 'exited'; code: number };

export interface Loop {
  state: LoopState;
  mode: { once: boolean; forever: boolean };
  /** Tests that failed in the last suite run and have not passed a recheck since. */
  failing: TestResult[];
  groups: FailureGroup[];
  /** Index into `groups` of the group being fixed. */
  groupIndex: number;
  target?: TestResult;
  /** Whether the last suite run was green. */
  green: boolean;
}

export type LoopEvent =
  | { type: 'start' }
  | { type: 'run-finished'; phase: LoopPhase; results: TestResult[]; groups: FailureGroup[]; aborted: boolean }
  | { type: 'change' }
  | { type: 'rerun' }
  | { type: 'run-all' }
  | { type: 'skip-group' }
  | { type: 'quit' };

export interface Notification {
  title: string;
  body: string;
  passed: boolean;
}

export type LoopCommand =
  | { type: 'run-suite' }
  | { type: 'run-fix'; target: TestResult }
  | { type: 'run-recheck'; targets: TestResult[] }
  | { type: 'cancel-run' }
  | { type: 'wait' }
  | { type: 'notify'; notification: Notification }
  | { type: 'exit'; code: number };

export interface Step {
  loop: Loop;
  commands: LoopCommand[];
}

export function createLoop(mode: { once: boolean; forever: boolean }): Loop {
  return { state: { name: 'starting' }, mode, failing: [], groups: [], groupIndex: 0, green: false };
}

export function step(loop: Loop, event: LoopEvent): Step {
  const { state } = loop;
  if (state.name === 'exited') return { loop, commands: [] };
  switch (event.type) {
    case 'start':
      return runSuite(loop);
    case 'quit':
      return exit(loop, loop.green ? 0 : 1, state.name === 'running' ? [{ type: 'cancel-run' }] : []);
    case 'change':
      return onChange(loop);
    case 'rerun':
      if (state.name === 'running') return { loop, commands: [] };
      return loop.target && state.name === 'waiting-for-fix' ? runFix(loop, loop.target) : runSuite(loop);
    case 'run-all':
      return runSuite(loop, state.name === 'running' ? [{ type: 'cancel-run' }] : []);
    case 'skip-group':
      return skipGroup(loop);
    case 'run-finished':
      if (state.name !== 'running' || state.phase !== event.phase) return { loop, commands: [] };
      if (event.aborted) return { loop, commands: [] }; // The command that cancelled it already chose what runs next.
      return onRunFinished(loop, event, state.changedDuringRun);
  }
}

function onChange(loop: Loop): Step {
  const { state } = loop;
  switch (state.name) {
    case 'running':
      // A fix run is short: restart it on the new code. A longer run finishes, then the next step runs at once.
      if (state.phase === 'fix' && loop.target) return runFix(loop, loop.target, [{ type: 'cancel-run' }]);
      return { loop: { ...loop, state: { ...state, changedDuringRun: true } }, commands: [] };
    case 'waiting-for-fix':
      return loop.target ? runFix(loop, loop.target) : runSuite(loop);
    case 'idle':
      return runSuite(loop);
    default:
      return { loop, commands: [] };
  }
}

function onRunFinished(loop: Loop, event: Extract<LoopEvent, { type: 'run-finished' }>, changedDuringRun: boolean): Step {
  const failing = event.results.filter(isFailing);
  switch (event.phase) {
    case 'suite': {
      const total = event.results.length;
      if (failing.length === 0) {
        const next: Loop = { ...loop, failing: [], groups: [], groupIndex: 0, green: true };
        delete next.target;
        const notify = notification(`${total} tests run`, 'everything good!', true);
        if (loop.mode.once || !loop.mode.forever) return exit(next, 0, [notify]);
        // Code changed while the suite ran: this green verdict may already be stale.
        if (changedDuringRun) return runSuite(next, [notify]);
        return { loop: { ...next, state: { name: 'idle' } }, commands: [notify, { type: 'wait' }] };
      }
      const next: Loop = { ...loop, failing, groups: event.groups, groupIndex: 0, green: false };
      const notify = notification(`${total} tests run`, `${failing.length} tests broken!`, false);
      if (loop.mode.once) return exit(next, 1, [notify]);
      return runFix(next, event.groups[0]!.representative, [notify]);
    }
    case 'fix': {
      const result = event.results[0];
      if (result && !isFailing(result)) {
        // The fixed test was the only failure: the recheck would be the same run, so go straight to the suite.
        if (loop.failing.length <= 1) return runSuite({ ...loop, failing: [] });
        return { loop: { ...loop, state: { name: 'running', phase: 'recheck', changedDuringRun: false } }, commands: [{ type: 'run-recheck', targets: loop.failing }] };
      }
      // The target no longer exists (renamed, deleted): only a new suite run knows the new names.
      if (!result || result.failureType === 'notRun') return runSuite(loop);
      const notify = notification('Still broken!', formatTestName((loop.target ?? result).id), false);
      if (changedDuringRun) return runFix(loop, loop.target ?? result, [notify]);
      return { loop: { ...loop, state: { name: 'waiting-for-fix' } }, commands: [notify, { type: 'wait' }] };
    }
    case 'recheck': {
      if (failing.length === 0) return runSuite({ ...loop, failing: [], groups: [], groupIndex: 0 }, [notification(`${event.results.length} tests run`, 'everything good!', true)]);
      const fixed = loop.failing.length - failing.length;
      const next: Loop = { ...loop, failing, groups: event.groups, groupIndex: 0 };
      return runFix(next, event.groups[0]!.representative, [notification(`${fixed} fixed`, `${failing.length} tests failures to fix`, false)]);
    }
  }
}

function skipGroup(loop: Loop): Step {
  const { state } = loop;
  if (loop.groups.length < 2 || (state.name !== 'waiting-for-fix' && !(state.name === 'running' && state.phase === 'fix'))) {
    return { loop, commands: [] };
  }
  const groupIndex = (loop.groupIndex + 1) % loop.groups.length;
  const cancel: LoopCommand[] = state.name === 'running' ? [{ type: 'cancel-run' }] : [];
  return runFix({ ...loop, groupIndex }, loop.groups[groupIndex]!.representative, cancel);
}

function runSuite(loop: Loop, before: LoopCommand[] = []): Step {
  return { loop: { ...loop, state: { name: 'running', phase: 'suite', changedDuringRun: false } }, commands: [...before, { type: 'run-suite' }] };
}

function runFix(loop: Loop, target: TestResult, before: LoopCommand[] = []): Step {
  return {
    loop: { ...loop, target, state: { name: 'running', phase: 'fix', changedDuringRun: false } },
    commands: [...before, { type: 'run-fix', target }],
  };
}

function exit(loop: Loop, code: number, before: LoopCommand[] = []): Step {
  return { loop: { ...loop, state: { name: 'exited', code } }, commands: [...before, { type: 'exit', code }] };
}

function notification(title: string, body: string, passed: boolean): LoopCommand {
  return { type: 'notify', notification: { title, body, passed } };
}
