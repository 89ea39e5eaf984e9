/**
 * The loop's every transition, with plain data: results and groups are built by hand, events are fed
 * one by one, and the commands that come out are compared whole.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createLoop, isEager, MAX_FOLLOWED_WRITES, nextRunToPrepare, step, type Loop, type LoopCommand, type LoopEvent, type LoopPhase } from '../src/loop.js';
import type { FailureGroup } from '../src/results/group.js';
import type { Outcome, TestResult } from '../src/results/types.js';

function result(file: string, name: string, outcome: Outcome = 'pass', extra: Partial<TestResult> = {}): TestResult {
  return {
    id: { project: '@fx/app', file, path: [name], occurrence: 0 },
    kind: 'test',
    pathKinds: ['test'],
    outcome,
    durationMs: 1,
    ...(outcome === 'failure' ? { failureType: 'testCodeFailure', error: { type: 'Error', message: `${name} broke` } } : {}),
    ...extra,
  };
}

const failed = (file: string, name: string, extra: Partial<TestResult> = {}) => result(file, name, 'failure', extra);
const passed = (file: string, name: string) => result(file, name, 'pass');
const passedAgain = (test: TestResult): TestResult => ({ ...test, outcome: 'pass', failureType: undefined, error: undefined });

function group(signature: string, tests: TestResult[]): FailureGroup {
  return { signature, representative: tests[0]!, tests };
}

function finished(phase: LoopPhase, results: TestResult[], groups: FailureGroup[] = [], aborted = false): LoopEvent {
  return { type: 'run-finished', phase, results, groups, aborted };
}

/** Feeds events one after the other; returns the last step. */
function feed(loop: Loop, ...events: LoopEvent[]): { loop: Loop; commands: LoopCommand[] } {
  let current = { loop, commands: [] as LoopCommand[] };
  for (const event of events) current = step(current.loop, event);
  return current;
}

const notify = (title: string, body: string, passed: boolean): LoopCommand => ({ type: 'notify', notification: { title, body, passed } });
const runFix = (target: TestResult): LoopCommand => ({ type: 'run-fix', target });
const RUN_SUITE: LoopCommand = { type: 'run-suite', changed: [], onlyAffected: false };
/** A suite step after these changes: their tests run first. */
const suiteAfter = (changed: string[], onlyAffected = false): LoopCommand => ({ type: 'run-suite', changed, onlyAffected });
const CANCEL: LoopCommand = { type: 'cancel-run' };
const WAIT: LoopCommand = { type: 'wait' };
/** A save of a file some test imports. */
const CHANGE: LoopEvent = { type: 'change', files: ['packages/math/index.js'] };

// A suite of 6 tests: three fail with one error (the largest group), one with another, two pass.
const a1 = failed('packages/app/a.test.js', 'adds');
const a2 = failed('packages/app/a.test.js', 'adds again');
const b1 = failed('packages/app/b.test.js', 'sums');
const c1 = failed('packages/util/c.test.js', 'pads');
const ok1 = passed('packages/app/a.test.js', 'works');
const ok2 = passed('packages/util/c.test.js', 'works');
const SUITE = [a1, a2, ok1, b1, c1, ok2];
const BIG = group('Error: add is broken @ packages/math/index.js:2:9', [a1, a2, b1]);
const SMALL = group('TypeError: pad is not a function @ packages/util/c.test.js:4:3', [c1]);
const GROUPS = [BIG, SMALL];
const GREEN = [passed('packages/app/a.test.js', 'adds'), passed('packages/util/c.test.js', 'pads')];

const MODES = {
  plain: { once: false, forever: false },
  once: { once: true, forever: false },
  forever: { once: false, forever: true },
};

/** A loop that has run the failing suite and is now running a fix of the largest group's representative. */
function fixing(mode = MODES.plain): Loop {
  return feed(createLoop(mode), { type: 'start' }, finished('suite', SUITE, GROUPS)).loop;
}

/** A loop whose fix run failed again: waiting for a save. */
function waitingForFix(mode = MODES.plain): Loop {
  return feed(fixing(mode), finished('fix', [a1])).loop;
}

describe('loop: start and the suite', () => {
  test('starts by running the suite', () => {
    const { loop, commands } = step(createLoop(MODES.plain), { type: 'start' });
    assert.deepEqual(commands, [RUN_SUITE]);
    assert.deepEqual(loop.state, { name: 'running', phase: 'suite', changedDuringRun: false });
  });

  test('a suite with failures notifies, then fixes the representative of the largest group', () => {
    const started = step(createLoop(MODES.plain), { type: 'start' }).loop;
    const { loop, commands } = step(started, finished('suite', SUITE, GROUPS));
    assert.deepEqual(commands, [notify('6 tests run', '4 tests broken!', false), runFix(a1)]);
    assert.deepEqual(loop.state, { name: 'running', phase: 'fix', changedDuringRun: false });
    assert.equal(loop.target, a1);
    assert.deepEqual(loop.failing, [a1, a2, b1, c1]);
    assert.deepEqual(loop.groups, GROUPS);
    assert.equal(loop.groupIndex, 0);
    assert.equal(loop.green, false);
  });

  test('the fix target is groups[0].representative, whatever order the results came in', () => {
    const reversed = [...SUITE].reverse();
    const { commands } = feed(createLoop(MODES.plain), { type: 'start' }, finished('suite', reversed, GROUPS));
    assert.deepEqual(commands.at(-1), runFix(a1));
  });

  test('--once exits 1 on failures, after notifying', () => {
    const { loop, commands } = feed(createLoop(MODES.once), { type: 'start' }, finished('suite', SUITE, GROUPS));
    assert.deepEqual(commands, [notify('6 tests run', '4 tests broken!', false), { type: 'exit', code: 1 }]);
    assert.deepEqual(loop.state, { name: 'exited', code: 1 });
  });

  test('--once exits 0 when green', () => {
    const { loop, commands } = feed(createLoop(MODES.once), { type: 'start' }, finished('suite', GREEN));
    assert.deepEqual(commands, [notify('2 tests run', 'everything good!', true), { type: 'exit', code: 0 }]);
    assert.deepEqual(loop.state, { name: 'exited', code: 0 });
  });

  test('without -f, a green suite exits 0', () => {
    const { loop, commands } = feed(createLoop(MODES.plain), { type: 'start' }, finished('suite', GREEN));
    assert.deepEqual(commands, [notify('2 tests run', 'everything good!', true), { type: 'exit', code: 0 }]);
    assert.deepEqual(loop.state, { name: 'exited', code: 0 });
    assert.equal(loop.green, true);
  });

  test('with -f, a green suite notifies and waits (idle)', () => {
    const { loop, commands } = feed(createLoop(MODES.forever), { type: 'start' }, finished('suite', GREEN));
    assert.deepEqual(commands, [notify('2 tests run', 'everything good!', true), WAIT]);
    assert.deepEqual(loop.state, { name: 'idle' });
    assert.equal(loop.green, true);
    assert.deepEqual(loop.failing, []);
    assert.equal(loop.target, undefined);
  });

  test('with -f, a change while idle runs the suite', () => {
    const idle = feed(createLoop(MODES.forever), { type: 'start' }, finished('suite', GREEN)).loop;
    const { loop, commands } = step(idle, CHANGE);
    assert.deepEqual(commands, [suiteAfter(['packages/math/index.js'])]);
    assert.deepEqual(loop.state, { name: 'running', phase: 'suite', changedDuringRun: false });
  });

  test('a change before the first run starts is ignored: the first suite run sees it anyway', () => {
    const { loop, commands } = step(createLoop(MODES.plain), CHANGE);
    assert.deepEqual(commands, []);
    assert.deepEqual(loop.state, { name: 'starting' });
  });

  test('a green suite after a failing one clears the failures and the target', () => {
    const forever = feed(fixing(MODES.forever), finished('fix', [passedAgain(a1)])).loop; // -> recheck
    const suite = feed(forever, finished('recheck', [a1, a2, b1, c1].map(passedAgain))).loop; // -> suite
    const { loop, commands } = step(suite, finished('suite', GREEN));
    assert.deepEqual(commands, [notify('2 tests run', 'everything good!', true), WAIT]);
    assert.deepEqual(loop.failing, []);
    assert.deepEqual(loop.groups, []);
    assert.equal(loop.target, undefined);
    assert.equal(loop.green, true);
  });
});

describe('loop: fix', () => {
  test('a fix that passes rechecks every test that failed in the suite', () => {
    const { loop, commands } = step(fixing(), finished('fix', [passedAgain(a1)]));
    assert.deepEqual(commands, [{ type: 'run-recheck', targets: [a1, a2, b1, c1] }]);
    assert.deepEqual(loop.state, { name: 'running', phase: 'recheck', changedDuringRun: false });
  });

  test('a fix that passes goes straight to the suite when it was the only failure', () => {
    const only = group('Error: x @ packages/app/a.test.js:1:1', [a1]);
    const fixingOnly = feed(createLoop(MODES.plain), { type: 'start' }, finished('suite', [a1, ok1], [only])).loop;
    assert.deepEqual(fixingOnly.failing, [a1]);
    const { loop, commands } = step(fixingOnly, finished('fix', [passedAgain(a1)]));
    assert.deepEqual(commands, [RUN_SUITE]);
    assert.deepEqual(loop.state, { name: 'running', phase: 'suite', changedDuringRun: false });
    assert.deepEqual(loop.failing, []);
  });

  test('a fix still failing notifies "Still broken! <test>" and waits', () => {
    const { loop, commands } = step(fixing(), finished('fix', [a1]));
    assert.deepEqual(commands, [notify('Still broken!', 'packages/app/a.test.js › adds', false), WAIT]);
    assert.deepEqual(loop.state, { name: 'waiting-for-fix' });
    assert.equal(loop.target, a1);
  });

  test('the "Still broken!" body names nested tests by their whole path', () => {
    const nested: TestResult = { ...failed('packages/app/a.test.js', 'adds'), id: { project: '@fx/app', file: 'packages/app/a.test.js', path: ['math', 'adds'], occurrence: 0 }, pathKinds: ['suite', 'test'] };
    const fixingNested = feed(createLoop(MODES.plain), { type: 'start' }, finished('suite', [nested], [group('s', [nested])])).loop;
    const { commands } = step(fixingNested, finished('fix', [nested]));
    assert.deepEqual(commands[0], notify('Still broken!', 'packages/app/a.test.js › math › adds', false));
  });

  test('a change while waiting for a fix re-runs the fix', () => {
    const { loop, commands } = step(waitingForFix(), CHANGE);
    assert.deepEqual(commands, [runFix(a1)]);
    assert.deepEqual(loop.state, { name: 'running', phase: 'fix', changedDuringRun: false });
  });

  test('a change during a fix run cancels it and runs the fix again on the new code', () => {
    const { loop, commands } = step(fixing(), CHANGE);
    assert.deepEqual(commands, [CANCEL, runFix(a1)]);
    assert.deepEqual(loop.state, { name: 'running', phase: 'fix', changedDuringRun: false });
  });

  test('the cancelled fix run reports back aborted: ignored, the new fix run goes on', () => {
    const restarted = step(fixing(), CHANGE).loop;
    const { loop, commands } = step(restarted, finished('fix', [], [], true));
    assert.deepEqual(commands, []);
    assert.equal(loop, restarted);
    // The new run's verdict still counts.
    assert.deepEqual(step(loop, finished('fix', [a1])).commands, [notify('Still broken!', 'packages/app/a.test.js › adds', false), WAIT]);
  });

  test('a fix target reported as notRun (renamed or deleted) runs the suite', () => {
    const notRun: TestResult = { ...a1, outcome: 'error', failureType: 'notRun', error: { type: 'TestNotFoundError', message: 'did not run' } };
    const { loop, commands } = step(fixing(), finished('fix', [notRun]));
    assert.deepEqual(commands, [RUN_SUITE]);
    assert.deepEqual(loop.state, { name: 'running', phase: 'suite', changedDuringRun: false });
  });

  test('a fix run that reports no result at all runs the suite', () => {
    assert.deepEqual(step(fixing(), finished('fix', [])).commands, [RUN_SUITE]);
  });
});

describe('loop: recheck', () => {
  const rechecking = () => step(fixing(), finished('fix', [passedAgain(a1)])).loop;

  test('partly failing: notifies "N fixed" / "M test failures to fix", regroups and fixes the new largest group', () => {
    const c2 = failed('packages/util/c.test.js', 'pads', { error: { type: 'TypeError', message: 'still' } });
    const b2 = failed('packages/app/b.test.js', 'sums', { error: { type: 'RangeError', message: 'new' } });
    const regrouped = [group('RangeError', [b2]), group('TypeError', [c2])];
    const { loop, commands } = step(rechecking(), finished('recheck', [passedAgain(a1), passedAgain(a2), b2, c2], regrouped));
    assert.deepEqual(commands, [notify('2 fixed', '2 test failures to fix', false), runFix(b2)]);
    assert.deepEqual(loop.failing, [b2, c2]);
    assert.deepEqual(loop.groups, regrouped);
    assert.equal(loop.groupIndex, 0);
    assert.equal(loop.target, b2);
    assert.deepEqual(loop.state, { name: 'running', phase: 'fix', changedDuringRun: false });
  });

  test('the next group index restarts at 0 after a regroup, even after skipping', () => {
    const skipped = feed(waitingForFix(), { type: 'skip-group' }, finished('fix', [passedAgain(c1)])).loop;
    assert.equal(skipped.groupIndex, 1);
    assert.deepEqual(skipped.state, { name: 'running', phase: 'recheck', changedDuringRun: false });
    const { loop } = step(skipped, finished('recheck', [a1, a2, b1, passedAgain(c1)], [BIG]));
    assert.equal(loop.groupIndex, 0);
    assert.equal(loop.target, a1);
  });

  test('green: notifies and runs the suite', () => {
    const { loop, commands } = step(rechecking(), finished('recheck', [a1, a2, b1, c1].map(passedAgain)));
    assert.deepEqual(commands, [notify('4 tests run', 'everything good!', true), RUN_SUITE]);
    assert.deepEqual(loop.failing, []);
    assert.deepEqual(loop.groups, []);
    assert.deepEqual(loop.state, { name: 'running', phase: 'suite', changedDuringRun: false });
  });

  test('a green recheck leads to a suite whose verdict decides: failing again means fixing again', () => {
    const suite = step(rechecking(), finished('recheck', [a1, a2, b1, c1].map(passedAgain))).loop;
    const { commands } = step(suite, finished('suite', SUITE, GROUPS));
    assert.deepEqual(commands, [notify('6 tests run', '4 tests broken!', false), runFix(a1)]);
  });
});

describe('loop: a change during a long run is never lost', () => {
  test('a change during a suite run does nothing now, and is remembered', () => {
    const running = step(createLoop(MODES.forever), { type: 'start' }).loop;
    const { loop, commands } = step(running, CHANGE);
    assert.deepEqual(commands, []);
    assert.deepEqual(loop.state, { name: 'running', phase: 'suite', changedDuringRun: true });
  });

  test('with -f, a green suite with a change during it runs the suite again at once', () => {
    const { loop, commands } = feed(createLoop(MODES.forever), { type: 'start' }, CHANGE, finished('suite', GREEN));
    assert.deepEqual(commands, [notify('2 tests run', 'everything good!', true), suiteAfter(['packages/math/index.js'])]);
    assert.deepEqual(loop.state, { name: 'running', phase: 'suite', changedDuringRun: false });
  });

  test('several changes during a suite run still give one next run', () => {
    const { commands } = feed(createLoop(MODES.forever), { type: 'start' }, CHANGE, CHANGE, CHANGE, finished('suite', GREEN));
    assert.deepEqual(commands.filter((command) => command.type === 'run-suite'), [suiteAfter(['packages/math/index.js'])]);
  });

  test('a failing suite with a change during it goes on to the fix at once', () => {
    const { commands } = feed(createLoop(MODES.plain), { type: 'start' }, CHANGE, finished('suite', SUITE, GROUPS));
    assert.deepEqual(commands, [notify('6 tests run', '4 tests broken!', false), runFix(a1)]);
  });

  test('a change during a recheck run does nothing now; the next step follows at once when it finishes', () => {
    const rechecking = step(fixing(), finished('fix', [passedAgain(a1)])).loop;
    const changed = step(rechecking, CHANGE);
    assert.deepEqual(changed.commands, []);
    assert.deepEqual(changed.loop.state, { name: 'running', phase: 'recheck', changedDuringRun: true });
    assert.deepEqual(step(changed.loop, finished('recheck', [a1, a2, b1, c1].map(passedAgain))).commands, [
      notify('4 tests run', 'everything good!', true),
      suiteAfter(['packages/math/index.js']),
    ]);
    assert.deepEqual(step(changed.loop, finished('recheck', [passedAgain(a1), passedAgain(a2), passedAgain(b1), c1], [SMALL])).commands, [
      notify('3 fixed', '1 test failure to fix', false),
      runFix(c1),
    ]);
  });

  test('the changed flag does not outlive its run', () => {
    const { loop } = feed(createLoop(MODES.forever), { type: 'start' }, CHANGE, finished('suite', GREEN), finished('suite', GREEN));
    assert.deepEqual(loop.state, { name: 'idle' });
  });
});

describe('loop: runs that report back late or out of turn', () => {
  test('an aborted run-finished is ignored', () => {
    const running = step(createLoop(MODES.plain), { type: 'start' }).loop;
    const { loop, commands } = step(running, finished('suite', [], [], true));
    assert.deepEqual(commands, []);
    assert.equal(loop, running);
  });

  test('a run-finished for another phase than the running one is ignored', () => {
    const running = fixing();
    const { loop, commands } = step(running, finished('suite', GREEN));
    assert.deepEqual(commands, []);
    assert.equal(loop, running);
  });

  test('a run-finished while not running is ignored', () => {
    const waiting = waitingForFix();
    assert.deepEqual(step(waiting, finished('fix', [passedAgain(a1)])).commands, []);
  });

  test('after exiting, every event is ignored', () => {
    const exited = feed(createLoop(MODES.plain), { type: 'start' }, finished('suite', GREEN)).loop;
    for (const event of [{ type: 'start' }, CHANGE, { type: 'rerun' }, { type: 'run-all' }, { type: 'skip-group' }, { type: 'quit' }, finished('suite', SUITE, GROUPS)] as LoopEvent[]) {
      const { loop, commands } = step(exited, event);
      assert.deepEqual(commands, [], event.type);
      assert.equal(loop, exited);
    }
  });
});

describe('loop: keys', () => {
  test('rerun while waiting for a fix re-runs the fix', () => {
    assert.deepEqual(step(waitingForFix(), { type: 'rerun' }).commands, [runFix(a1)]);
  });

  test('rerun while idle runs the suite', () => {
    const idle = feed(createLoop(MODES.forever), { type: 'start' }, finished('suite', GREEN)).loop;
    assert.deepEqual(step(idle, { type: 'rerun' }).commands, [RUN_SUITE]);
  });

  test('rerun during a run does nothing', () => {
    const running = fixing();
    const { loop, commands } = step(running, { type: 'rerun' });
    assert.deepEqual(commands, []);
    assert.equal(loop, running);
  });

  test('run-all while waiting for a fix runs the suite', () => {
    const { loop, commands } = step(waitingForFix(), { type: 'run-all' });
    assert.deepEqual(commands, [RUN_SUITE]);
    assert.deepEqual(loop.state, { name: 'running', phase: 'suite', changedDuringRun: false });
  });

  test('run-all during a run cancels it and runs the suite', () => {
    assert.deepEqual(step(fixing(), { type: 'run-all' }).commands, [CANCEL, RUN_SUITE]);
    const suite = step(createLoop(MODES.plain), { type: 'start' }).loop;
    assert.deepEqual(step(suite, { type: 'run-all' }).commands, [CANCEL, RUN_SUITE]);
  });

  test('run-all while idle runs the suite', () => {
    const idle = feed(createLoop(MODES.forever), { type: 'start' }, finished('suite', GREEN)).loop;
    assert.deepEqual(step(idle, { type: 'run-all' }).commands, [RUN_SUITE]);
  });

  test('skip-group cycles to the next group, and wraps around', () => {
    const first = step(waitingForFix(), { type: 'skip-group' });
    assert.deepEqual(first.commands, [runFix(c1)]);
    assert.equal(first.loop.groupIndex, 1);
    assert.equal(first.loop.target, c1);
    const waitingAgain = step(first.loop, finished('fix', [c1])).loop;
    const second = step(waitingAgain, { type: 'skip-group' });
    assert.deepEqual(second.commands, [runFix(a1)]);
    assert.equal(second.loop.groupIndex, 0);
  });

  test('skip-group during a fix run cancels it', () => {
    const { loop, commands } = step(fixing(), { type: 'skip-group' });
    assert.deepEqual(commands, [CANCEL, runFix(c1)]);
    assert.deepEqual(loop.state, { name: 'running', phase: 'fix', changedDuringRun: false });
  });

  test('skip-group with a single group, or outside the fix step, does nothing', () => {
    const only = group('Error: x', [a1]);
    const single = feed(createLoop(MODES.plain), { type: 'start' }, finished('suite', [a1], [only]), finished('fix', [a1])).loop;
    assert.deepEqual(step(single, { type: 'skip-group' }).commands, []);
    const suite = step(createLoop(MODES.plain), { type: 'start' }).loop;
    assert.deepEqual(step(suite, { type: 'skip-group' }).commands, []);
    const rechecking = step(fixing(), finished('fix', [passedAgain(a1)])).loop;
    assert.deepEqual(step(rechecking, { type: 'skip-group' }).commands, []);
  });

  test('quit exits 0 after a green suite', () => {
    const idle = feed(createLoop(MODES.forever), { type: 'start' }, finished('suite', GREEN)).loop;
    const { loop, commands } = step(idle, { type: 'quit' });
    assert.deepEqual(commands, [{ type: 'exit', code: 0 }]);
    assert.deepEqual(loop.state, { name: 'exited', code: 0 });
  });

  test('quit exits 1 while tests are broken', () => {
    assert.deepEqual(step(waitingForFix(), { type: 'quit' }).commands, [{ type: 'exit', code: 1 }]);
  });

  test('quit during a run cancels it first', () => {
    assert.deepEqual(step(fixing(), { type: 'quit' }).commands, [CANCEL, { type: 'exit', code: 1 }]);
  });

  test('quit before any suite finished exits 1: nothing is known to be green', () => {
    const running = step(createLoop(MODES.plain), { type: 'start' }).loop;
    assert.deepEqual(step(running, { type: 'quit' }).commands, [CANCEL, { type: 'exit', code: 1 }]);
  });
});

describe('loop: what a change says', () => {
  const idle = () => feed(createLoop(MODES.forever), { type: 'start' }, finished('suite', GREEN)).loop;

  test('a change of no file that counts never starts a run, in any state', () => {
    const nothing: LoopEvent = { type: 'change', files: [] };
    for (const loop of [idle(), waitingForFix(), fixing(), step(createLoop(MODES.forever), { type: 'start' }).loop]) {
      const next = step(loop, nothing);
      assert.deepEqual(next.commands, []);
      assert.deepEqual(next.loop.state, loop.state);
    }
  });

  test('a package added, renamed or removed: the workspace is read again before the next run', () => {
    const change: LoopEvent = { type: 'change', files: ['packages/new/package.json'], created: ['packages/new/package.json'], workspaceChanged: true };
    assert.deepEqual(step(idle(), change).commands, [{ type: 'reload-workspace' }, { type: 'discard-prepared' }, suiteAfter(['packages/new/package.json'])]);
  });

  test('files that came or went update the file list; a configuration file stales the booted children', () => {
    const created: LoopEvent = { type: 'change', files: ['packages/app/new.test.js'], created: ['packages/app/new.test.js'], deleted: [] };
    assert.deepEqual(step(waitingForFix(), created).commands, [
      { type: 'update-files', created: ['packages/app/new.test.js'], deleted: [] },
      { type: 'discard-prepared' },
      runFix(a1),
    ]);
    const tsconfig: LoopEvent = { type: 'change', files: ['tsconfig.json'], configChanged: true };
    assert.deepEqual(step(idle(), tsconfig).commands, [{ type: 'discard-prepared' }, suiteAfter(['tsconfig.json'])]);
  });

  test('a change written before the running run started starts nothing: the run reads it already', () => {
    const { loop, commands } = step(fixing(), { ...CHANGE, predatesRun: true });
    assert.deepEqual(commands, []);
    assert.deepEqual(loop.state, { name: 'running', phase: 'fix', changedDuringRun: false });
  });

  test('the last suite run says which tests are known', () => {
    const start = createLoop(MODES.plain);
    assert.deepEqual(start.known, []);
    const after = feed(start, { type: 'start' }, finished('suite', SUITE, GROUPS)).loop;
    assert.deepEqual(after.known, SUITE);
    // A fix run's results are no suite: they change neither.
    assert.deepEqual(step(after, finished('fix', [a1])).loop.known, SUITE);
  });

  test('fix runs are eager; booting ahead prepares the fix while waiting for it and the suite while idle', () => {
    assert.equal(isEager(fixing()), true);
    assert.equal(isEager(waitingForFix()), true);
    assert.equal(isEager(idle()), false);
    assert.equal(isEager(step(createLoop(MODES.plain), { type: 'start' }).loop), false);
    assert.deepEqual(nextRunToPrepare(waitingForFix()), { tests: [a1] });
    assert.deepEqual(nextRunToPrepare(idle()), { suite: true });
    assert.equal(nextRunToPrepare(fixing()), undefined);
  });
});

describe('loop: the tests writing files never drive it for long', () => {
  const WRITTEN: LoopEvent = { type: 'change', files: ['packages/app/fixtures/out.json'], writtenDuringRun: true };
  /** With -f, a green suite whose every run changes the same file. */
  function writingSuite(runs: number): { loop: Loop; commands: LoopCommand[]; suites: number } {
    let current = step(createLoop(MODES.forever), { type: 'start' });
    let suites = 1;
    // The tests write while they run: once the loop is idle, nothing writes any more.
    for (let run = 0; run < runs && current.loop.state.name === 'running'; run++) {
      current = feed(current.loop, WRITTEN, finished('suite', GREEN));
      suites += current.commands.filter((command) => command.type === 'run-suite').length;
    }
    return { ...current, suites };
  }

  test(`after ${MAX_FOLLOWED_WRITES} runs in a row started by changes during the run before, such changes are not followed, and the files are named`, () => {
    const { loop, suites } = writingSuite(20);
    assert.equal(suites, MAX_FOLLOWED_WRITES + 1);
    assert.equal(loop.state.name, 'idle');
    assert.deepEqual(loop.writtenByTests, ['packages/app/fixtures/out.json']);
    const warned = feed(writingSuite(MAX_FOLLOWED_WRITES).loop, WRITTEN).commands;
    assert.equal(warned.length, 1);
    assert.equal(warned[0]!.type, 'warn');
    assert.match((warned[0] as { message: string }).message, /packages\/app\/fixtures\/out\.json.*--ignore/s);
  });

  test('an edit while cctrial waits is followed again, even of such a file, which is then followed again', () => {
    const { loop } = writingSuite(20);
    const edited = step(loop, { ...WRITTEN, writtenDuringRun: false });
    assert.deepEqual(edited.commands, [suiteAfter(['packages/app/fixtures/out.json'])]);
    assert.deepEqual(edited.loop.writtenByTests, []);
  });

  test("an edit of another file while cctrial waits gives one run: the tests' writes during it stay unfollowed", () => {
    const { loop } = writingSuite(20);
    const edited = step(loop, CHANGE);
    assert.deepEqual(edited.commands, [suiteAfter(['packages/app/fixtures/out.json', 'packages/math/index.js'])]);
    assert.deepEqual(edited.loop.writtenByTests, ['packages/app/fixtures/out.json']);
    assert.deepEqual(step(edited.loop, WRITTEN).commands, []);
  });

  test('a fix run restarted by every write stops being restarted, too', () => {
    let current = { loop: fixing(), commands: [] as LoopCommand[] };
    let restarts = 0;
    for (let write = 0; write < 20; write++) {
      current = step(current.loop, WRITTEN);
      restarts += current.commands.filter((command) => command.type === 'run-fix').length;
    }
    assert.equal(restarts, MAX_FOLLOWED_WRITES);
  });

  test("writes that arrive after their run ended count as the run's: a fix run whose writes come in while waiting stops being re-run", () => {
    let current = feed(fixing(), finished('fix', [a1]));
    let fixes = 0;
    for (let write = 0; write < 20 && current.loop.state.name === 'waiting-for-fix'; write++) {
      current = feed(current.loop, WRITTEN);
      fixes += current.commands.filter((command) => command.type === 'run-fix').length;
      if (current.loop.state.name === 'running') current = feed(current.loop, finished('fix', [a1]));
    }
    assert.equal(fixes, MAX_FOLLOWED_WRITES);
    assert.equal(current.loop.state.name, 'waiting-for-fix');
  });

  test("a user's edit or a key press ends the chain", () => {
    const almost = writingSuite(MAX_FOLLOWED_WRITES - 1).loop;
    assert.equal(almost.followedWrites.runs, MAX_FOLLOWED_WRITES - 1);
    assert.equal(step(almost, CHANGE).loop.followedWrites.runs, 0);
    assert.equal(step(almost, { type: 'run-all' }).loop.followedWrites.runs, 0);
  });

  test('several changes during one suite run count as one run started', () => {
    const running = step(createLoop(MODES.forever), { type: 'start' }).loop;
    const { loop } = feed(running, WRITTEN, WRITTEN, WRITTEN, WRITTEN, WRITTEN, WRITTEN);
    assert.equal(loop.followedWrites.runs, 1);
  });
});

describe('loop: a run that cannot start', () => {
  test('is followed by waiting, never by an exit', () => {
    const failedFix = step(fixing(), { type: 'run-failed', phase: 'fix' });
    assert.deepEqual(failedFix.commands, [WAIT]);
    assert.equal(failedFix.loop.state.name, 'waiting-for-fix');
    const failedSuite = step(step(createLoop(MODES.forever), { type: 'start' }).loop, { type: 'run-failed', phase: 'suite' });
    assert.deepEqual(failedSuite.commands, [WAIT]);
    assert.equal(failedSuite.loop.state.name, 'idle');
    // The next save runs again.
    assert.deepEqual(step(failedFix.loop, CHANGE).commands, [runFix(a1)]);
  });

  test('with --once, exits 1', () => {
    const running = step(createLoop(MODES.once), { type: 'start' }).loop;
    assert.deepEqual(step(running, { type: 'run-failed', phase: 'suite' }).commands, [{ type: 'exit', code: 1 }]);
  });
});

describe('loop: what changed since the suite was green runs first, and in smart mode alone', () => {
  const SMART = { once: false, forever: true, smart: true };
  const greenIdle = (mode = MODES.forever) => feed(createLoop(mode), { type: 'start' }, finished('suite', GREEN)).loop;
  const UTIL: LoopEvent = { type: 'change', files: ['packages/util/pad.js'] };

  test('the first suite runs everything; a change while idle runs its tests first, then the rest', () => {
    assert.deepEqual(step(createLoop(SMART), { type: 'start' }).commands, [RUN_SUITE]);
    assert.deepEqual(step(greenIdle(), CHANGE).commands, [suiteAfter(['packages/math/index.js'])]);
  });

  test('changes pile up through the fix loop, once each, and the suite after the fix runs their tests first', () => {
    const failing = feed(greenIdle(), CHANGE, finished('suite', SUITE, GROUPS)).loop;
    const fixes = feed(failing, UTIL, finished('fix', [a1]), CHANGE, finished('fix', [a1]), UTIL).loop;
    assert.deepEqual(fixes.changed.files, ['packages/math/index.js', 'packages/util/pad.js']);
    const { commands } = feed(fixes, finished('fix', [passedAgain(a1)]), finished('recheck', [a1, a2, b1, c1].map(passedAgain)));
    assert.deepEqual(commands.at(-1), suiteAfter(['packages/math/index.js', 'packages/util/pad.js']));
  });

  test('a green suite clears what it covered, not what changed while it ran', () => {
    const running = step(greenIdle(), CHANGE).loop;
    const { loop, commands } = feed(running, UTIL, finished('suite', GREEN));
    assert.deepEqual(loop.changed.files, ['packages/util/pad.js']);
    assert.deepEqual(commands.at(-1), suiteAfter(['packages/util/pad.js']));
    assert.deepEqual(feed(loop, finished('suite', GREEN)).loop.changed, { files: [], everything: false });
  });

  test('smart: the suite steps after a change run only its tests; the key for the whole suite runs everything', () => {
    const idle = greenIdle(SMART);
    assert.deepEqual(step(idle, CHANGE).commands, [suiteAfter(['packages/math/index.js'], true)]);
    const failing = feed(idle, CHANGE, finished('suite', [a1, ok1], [group('Error: x @ packages/app/a.test.js:1:1', [a1])])).loop;
    assert.deepEqual(step(failing, finished('fix', [passedAgain(a1)])).commands, [suiteAfter(['packages/math/index.js'], true)]);
    assert.deepEqual(step(failing, { type: 'run-all' }).commands, [CANCEL, suiteAfter(['packages/math/index.js'], false)]);
  });

  test('smart: a change of configuration or of the workspace runs everything', () => {
    const tsconfig: LoopEvent = { type: 'change', files: ['tsconfig.json'], configChanged: true };
    const { commands } = feed(greenIdle(SMART), CHANGE, finished('suite', GREEN), tsconfig);
    assert.deepEqual(commands.at(-1), suiteAfter(['tsconfig.json'], false));
    const afterBoth = feed(greenIdle(SMART), { type: 'change', files: ['packages/new/package.json'], workspaceChanged: true }).commands;
    assert.deepEqual(afterBoth.at(-1), suiteAfter(['packages/new/package.json'], false));
  });

  test('smart: a configuration change while a suite runs is not covered by its green verdict: the next suite runs everything', () => {
    const running = step(greenIdle(SMART), CHANGE).loop;
    const { commands } = feed(running, { type: 'change', files: ['tsconfig.json'], configChanged: true }, finished('suite', GREEN));
    assert.deepEqual(commands.at(-1), suiteAfter(['tsconfig.json'], false));
  });

  test('a smart run updates what is known of the files it ran, and keeps the rest', () => {
    const all = [passed('packages/app/a.test.js', 'adds'), passed('packages/util/c.test.js', 'pads'), passed('packages/util/c.test.js', 'trims')];
    const idle = feed(createLoop(SMART), { type: 'start' }, finished('suite', all)).loop;
    const renamed = passed('packages/app/a.test.js', 'adds up');
    const { loop } = feed(idle, CHANGE, finished('suite', [renamed]));
    assert.deepEqual(loop.known, [all[1], all[2], renamed]);
  });
});
