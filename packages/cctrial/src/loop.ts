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
import type { FixState } from './saved-state.js';

export type LoopPhase = 'suite' | 'fix' | 'recheck';

export type LoopState =
  | { name: 'starting' }
  | { name: 'running'; phase: LoopPhase; changedDuringRun: boolean }
  | { name: 'waiting-for-fix' }
  | { name: 'idle' }
  | { name: 'exited'; code: number };

export interface LoopMode {
  once: boolean;
  forever: boolean;
  /** After a change, the suite steps run only the tests that the changed files can affect. */
  smart?: boolean;
}

export interface Loop {
  state: LoopState;
  mode: LoopMode;
  /** Results of the last suite run of each file: they say which tests have subtests, and how many tests to expect. */
  known: TestResult[];
  /** Runs that changes written during a run started since the user's last edit or key press, with the files: the tests' own writes, if they go on. */
  followedWrites: { runs: number; files: string[] };
  /** Files the tests themselves keep changing: their changes during a run are not followed. */
  writtenByTests: string[];
  /** Tests that failed in the last suite run and have not passed a recheck since. */
  failing: TestResult[];
  groups: FailureGroup[];
  /** Index into `groups` of the group being fixed. */
  groupIndex: number;
  target?: TestResult;
  /** Whether the last suite run was green. */
  green: boolean;
  /**
   * What changed since the suite was last green, in the order it came: the suite runs the tests these
   * can affect first, and in smart mode only those. `everything` after a change of configuration.
   */
  changed: { files: string[]; everything: boolean };
  /** What of `changed` the running suite run covers (how many files, whether everything): a green verdict clears only that. */
  covered: { files: number; everything: boolean };
}

/** What the watcher saw, after the ignore rules: only changes that can change a verdict come here. */
export interface ChangeFacts {
  /** Workspace-relative files. */
  files: string[];
  created: string[];
  deleted: string[];
  /** Every file was last written before the running run started, so the run already reads it. */
  predatesRun: boolean;
  /** Every file was written while a run was going (this one, or the one that just ended): perhaps by the tests themselves. */
  writtenDuringRun: boolean;
  workspaceChanged: boolean;
  configChanged: boolean;
}

export type LoopEvent =
  /** `resume`: where the last session's fix loop stood; its target runs first, then the recheck, then the suite. */
  | { type: 'start'; resume?: FixState }
  | { type: 'run-finished'; phase: LoopPhase; results: TestResult[]; groups: FailureGroup[]; aborted: boolean }
  /** The run could not start or crashed inside cctrial: reported, and the loop waits for a change. */
  | { type: 'run-failed'; phase: LoopPhase }
  | ({ type: 'change' } & Partial<ChangeFacts>)
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
  /** `changed`: what to run first; `onlyAffected`: run nothing else (smart mode). */
  | { type: 'run-suite'; changed: string[]; onlyAffected: boolean }
  | { type: 'run-fix'; target: TestResult }
  | { type: 'run-recheck'; targets: TestResult[] }
  | { type: 'cancel-run' }
  /** Read the projects, their links and the watch set again; rediscover the test files. */
  | { type: 'reload-workspace' }
  | { type: 'update-files'; created: string[]; deleted: string[] }
  /** Forget the booted children: they were started for files or a configuration that changed. */
  | { type: 'discard-prepared' }
  | { type: 'warn'; message: string }
  | { type: 'wait' }
  | { type: 'notify'; notification: Notification }
  | { type: 'exit'; code: number };

export interface Step {
  loop: Loop;
  commands: LoopCommand[];
}

/** After this many runs in a row started by changes made during the run before, those changes are the tests' own. */
export const MAX_FOLLOWED_WRITES = 4;
const NO_WRITES: Loop['followedWrites'] = { runs: 0, files: [] };

export function createLoop(mode: LoopMode): Loop {
  return {
    state: { name: 'starting' },
    mode,
    known: [],
    followedWrites: NO_WRITES,
    writtenByTests: [],
    failing: [],
    groups: [],
    groupIndex: 0,
    green: false,
    changed: NOTHING_CHANGED,
    covered: NOTHING_COVERED,
  };
}

const NOTHING_CHANGED: Loop['changed'] = { files: [], everything: false };
const NOTHING_COVERED: Loop['covered'] = { files: 0, everything: false };

/** Whether a lone save should start a run at once: fix runs are cheap to restart, anything else waits for a burst to settle. */
export function isEager(loop: Loop): boolean {
  const { state } = loop;
  return state.name === 'waiting-for-fix' || (state.name === 'running' && state.phase === 'fix');
}

/** What to boot while waiting: the processes of the run that the next change will start. */
export function nextRunToPrepare(loop: Loop): { suite: true } | { tests: TestResult[] } | undefined {
  if (loop.state.name === 'waiting-for-fix' && loop.target) return { tests: [loop.target] };
  if (loop.state.name === 'idle') return { suite: true };
  return undefined;
}

export function step(loop: Loop, event: LoopEvent): Step {
  const { state } = loop;
  if (state.name === 'exited') return { loop, commands: [] };
  switch (event.type) {
    case 'start':
      if (event.resume && !loop.mode.once) return resume(loop, event.resume);
      return runSuite(loop, [], 'whole');
    case 'quit':
      return exit(loop, loop.green ? 0 : 1, state.name === 'running' ? [{ type: 'cancel-run' }] : []);
    case 'change':
      return onChange(loop, event);
    case 'rerun':
      if (state.name === 'running') return { loop, commands: [] };
      return attended(loop.target && state.name === 'waiting-for-fix' ? runFix(loop, loop.target) : runSuite(loop));
    case 'run-all':
      return attended(runSuite(loop, state.name === 'running' ? [{ type: 'cancel-run' }] : [], 'whole'));
    case 'skip-group':
      return attended(skipGroup(loop));
    case 'run-finished':
      if (state.name !== 'running' || state.phase !== event.phase) return { loop, commands: [] };
      if (event.aborted) return { loop, commands: [] }; // The command that cancelled it already chose what runs next.
      return onRunFinished(loop, event, state.changedDuringRun);
    case 'run-failed':
      if (state.name !== 'running' || state.phase !== event.phase) return { loop, commands: [] };
      // The session ends --once with the failure itself: the CLI reports it as a usage error or a bug.
      if (loop.mode.once) return exit(loop, 1);
      return { loop: { ...loop, state: { name: loop.target && event.phase === 'fix' ? 'waiting-for-fix' : 'idle' } }, commands: [{ type: 'wait' }] };
  }
}

function onChange(loop: Loop, change: Partial<ChangeFacts>): Step {
  const { state } = loop;
  const files = change.files ?? [];
  const created = change.created ?? [];
  const deleted = change.deleted ?? [];
  // What the workspace learns comes first, whatever runs next.
  const updates: LoopCommand[] = [];
  if (change.workspaceChanged) updates.push({ type: 'reload-workspace' });
  else if (created.length > 0 || deleted.length > 0) updates.push({ type: 'update-files', created, deleted });
  if (change.workspaceChanged || change.configChanged || created.length > 0 || deleted.length > 0) updates.push({ type: 'discard-prepared' });
  const withUpdates = (next: Step): Step => ({ ...next, commands: [...updates, ...next.commands] });

  // No run without a file in it: a change of nothing that counts only updates what the workspace knows.
  if (files.length === 0) return withUpdates({ loop, commands: [] });
  loop = { ...loop, changed: noteChanged(loop, [...files, ...deleted], Boolean(change.workspaceChanged || change.configChanged)) };
  const running = state.name === 'running';
  if (!change.writtenDuringRun) {
    // Written while no run was going: the user's edit. The files the user edits are theirs again; the
    // tests' other files stay unfollowed, so that each save gives one run, not another chain of them.
    const next: Loop = { ...loop, followedWrites: NO_WRITES, writtenByTests: loop.writtenByTests.filter((file) => !files.includes(file)) };
    if (running && change.predatesRun) return withUpdates({ loop: next, commands: [] });
    return withUpdates(runAfterChange(next));
  }
  // Written while a run went on: by the user or by the tests. The run that is going already reads what predates it.
  if (running && change.predatesRun) return withUpdates({ loop, commands: [] });
  const followed = files.filter((file) => !loop.writtenByTests.includes(file));
  if (followed.length === 0) return withUpdates({ loop, commands: [] });
  const suspects = [...new Set([...loop.followedWrites.files, ...followed])].sort();
  // A second change during the same suite or recheck run starts no second run.
  const startsAnotherRun = !running || state.phase === 'fix' || !state.changedDuringRun;
  if (startsAnotherRun && loop.followedWrites.runs >= MAX_FOLLOWED_WRITES) {
    // Changes written during each of the last runs started the next one: the tests are writing these files.
    const warning =
      `cctrial's own runs keep changing ${suspects.join(', ')}: the tests write them, and every write started another run. ` +
      'Changes to them made while a run is going are no longer followed; an edit while cctrial waits still is. ' +
      'To be rid of them, add them to .gitignore, or pass --ignore with a glob for them.';
    const next: Loop = { ...loop, writtenByTests: [...new Set([...loop.writtenByTests, ...suspects])], followedWrites: NO_WRITES };
    return withUpdates({ loop: next, commands: [{ type: 'warn', message: warning }] });
  }
  const counted: Loop = { ...loop, followedWrites: { runs: loop.followedWrites.runs + (startsAnotherRun ? 1 : 0), files: suspects } };
  return withUpdates(runAfterChange(counted));
}

/** What a change that counts starts, in each state. */
function runAfterChange(loop: Loop): Step {
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

/**
 * Back where the last session stood: the same failures and groups, and the same test to fix, run
 * first. Nothing of it counts as a verdict: the target runs now, and when it passes the recheck runs
 * every remembered failure, then the suite runs, as after any fix.
 */
function resume(loop: Loop, saved: FixState): Step {
  const groupIndex = Math.min(Math.max(saved.groupIndex, 0), Math.max(saved.groups.length - 1, 0));
  return runFix({ ...loop, failing: saved.failing, groups: saved.groups, groupIndex, known: saved.known, green: false }, saved.target);
}

/** What the last session's fix loop needs to resume, from where the loop stands now; none while nothing fails. */
export function fixState(loop: Loop): FixState | undefined {
  if (!loop.target || loop.failing.length === 0) return undefined;
  const files = new Set(loop.failing.map((result) => result.id.file));
  return { failing: loop.failing, groups: loop.groups, groupIndex: loop.groupIndex, target: loop.target, known: loop.known.filter((result) => files.has(result.id.file)) };
}

/** A key press is the user's: it ends any suspicion that the tests' writes drive the loop. */
function attended(next: Step): Step {
  return { ...next, loop: { ...next.loop, followedWrites: NO_WRITES } };
}

function onRunFinished(loop: Loop, event: Extract<LoopEvent, { type: 'run-finished' }>, changedDuringRun: boolean): Step {
  const failing = event.results.filter(isFailing);
  switch (event.phase) {
    case 'suite': {
      const total = event.results.length;
      // A smart run ran some files: what the others said last time still holds.
      const ran = new Set(event.results.map((result) => result.id.file));
      const known = [...loop.known.filter((result) => !ran.has(result.id.file)), ...event.results];
      loop = { ...loop, known };
      if (failing.length === 0) {
        // What changed while it ran is not covered by this verdict.
        const since = { files: loop.changed.files.slice(loop.covered.files), everything: loop.changed.everything && !loop.covered.everything };
        const next: Loop = { ...loop, failing: [], groups: [], groupIndex: 0, green: true, changed: since, covered: NOTHING_COVERED };
        delete next.target;
        const notify = notification(`${tests(total)} run`, 'everything good!', true);
        if (loop.mode.once || !loop.mode.forever) return exit(next, 0, [notify]);
        // Code changed while the suite ran: this green verdict may already be stale.
        if (changedDuringRun) return runSuite(next, [notify]);
        return { loop: { ...next, state: { name: 'idle' } }, commands: [notify, { type: 'wait' }] };
      }
      const next: Loop = { ...loop, failing, groups: event.groups, groupIndex: 0, green: false };
      const notify = notification(`${tests(total)} run`, `${tests(failing.length)} broken!`, false);
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
      if (failing.length === 0) return runSuite({ ...loop, failing: [], groups: [], groupIndex: 0 }, [notification(`${tests(event.results.length)} run`, 'everything good!', true)]);
      const fixed = loop.failing.length - failing.length;
      const next: Loop = { ...loop, failing, groups: event.groups, groupIndex: 0 };
      return runFix(next, event.groups[0]!.representative, [notification(`${fixed} fixed`, `${failing.length} test ${failing.length === 1 ? 'failure' : 'failures'} to fix`, false)]);
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

/** Each file at most once among those no running suite covers: the list stays bounded however often one file is saved. */
function noteChanged(loop: Loop, files: string[], everything: boolean): Loop['changed'] {
  const { state } = loop;
  const suiteRunning = state.name === 'running' && state.phase === 'suite';
  const uncovered = loop.changed.files.slice(suiteRunning ? loop.covered.files : 0);
  const added = [...new Set(files)].filter((file) => !uncovered.includes(file));
  return { files: [...loop.changed.files, ...added], everything: loop.changed.everything || everything };
}

/**
 * A suite step. After changes, it runs the tests they can affect first, and in smart mode only those;
 * `whole` (the start, the key for the whole suite) runs everything in smart mode too.
 */
function runSuite(loop: Loop, before: LoopCommand[] = [], scope: 'whole' | 'after-changes' = 'after-changes'): Step {
  const { files, everything } = loop.changed;
  const changed = [...new Set(files)];
  const onlyAffected = Boolean(loop.mode.smart) && scope === 'after-changes' && !everything && changed.length > 0;
  return {
    loop: { ...loop, covered: { files: files.length, everything }, state: { name: 'running', phase: 'suite', changedDuringRun: false } },
    commands: [...before, { type: 'run-suite', changed, onlyAffected }],
  };
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

/** `1 test`, `2 tests`: the notifications' words. */
const tests = (n: number): string => `${n} ${n === 1 ? 'test' : 'tests'}`;
