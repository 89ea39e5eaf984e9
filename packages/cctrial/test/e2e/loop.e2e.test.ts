/**
 * The continuous loop end to end: the real CLI on real fixture monorepos, a real native watcher and
 * real node children. Tests wait for cctrial's NDJSON events, never for time.
 *
 * CCTRIAL_E2E_TRANSCRIPT=<file> writes the whole-loop scenario's NDJSON transcript to <file>.
 */
import assert from 'node:assert/strict';
import { cpSync, existsSync, mkdirSync, readFileSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { describe, test } from 'node:test';
import type { CctrialEvent, TestRef } from '../../src/events.js';
import { CLI } from '../helpers/cli.js';
import { startCli, phaseSequence, type LiveCli } from '../helpers/live-cli.js';
import { linkPackage, writeNpmMonorepo, writeWorkspace } from '../helpers/workspace.js';
import {
  MATH_FIXED,
  TEST_HEADER,
  UTIL_FIXED,
  descendantsOf,
  describePid,
  is,
  isAlive,
  ofType,
  processesMentioning,
  readLines,
  runEvents,
  scratchFolder,
  waitUntil,
  writeGreenMonorepo,
  writeStubNotifySend,
  writeTwoBugsMonorepo,
  grandchildFixture,
} from './loop-helpers.js';

const JOBS = ['-j', '2'];

const ref = (project: string, file: string, name: string): TestRef => ({ project, file, name: [name], occurrence: 0 });
const ADDS = ref('@fx/app', 'packages/app/test/a.test.js', 'adds two numbers');
const ADDS_NEGATIVES = ref('@fx/app', 'packages/app/test/a.test.js', 'adds negatives');
const TOTALS = ref('@fx/app', 'packages/app/test/b.test.js', 'totals a list');
const PADS = ref('@fx/util', 'packages/util/pad.test.js', 'pads left');

const refOf = (event: Extract<CctrialEvent, { type: 'test:pass' | 'test:fail' }>): TestRef => ({
  project: event.project,
  file: event.file,
  name: event.name,
  occurrence: event.occurrence,
});
const sortRefs = (refs: TestRef[]) => [...refs].sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
/** The tests that reported a verdict in events[from, to). */
const verdicts = (events: CctrialEvent[], from: number, to: number) =>
  events.slice(from, to).filter((event): event is Extract<CctrialEvent, { type: 'test:pass' | 'test:fail' }> => event.type === 'test:pass' || event.type === 'test:fail');
const failures = (end: Extract<CctrialEvent, { type: 'run:end' }>) => end.failed + end.errors + end.cancelled;

/** Drives the two-bugs monorepo from red to green: the same steps with or without notifications. */
async function driveTwoBugsToGreen(cli: LiveCli, root: string): Promise<{ afterMath: number; afterUtil: number }> {
  await cli.waitFor(is('idle'), { what: 'waiting for the first fix' });
  const afterMath = cli.events.length;
  writeFileSync(path.join(root, 'packages/math/index.js'), MATH_FIXED);
  await cli.waitFor(is('fix', (event) => event.test.file === PADS.file), { from: afterMath, what: 'the second fix target' });
  await cli.waitFor(is('idle'), { from: afterMath, what: 'waiting for the second fix' });
  const afterUtil = cli.events.length;
  writeFileSync(path.join(root, 'packages/util/index.js'), UTIL_FIXED);
  return { afterMath, afterUtil };
}

describe('the loop, end to end', () => {
  test('the whole loop: two bugs fixed one root cause at a time, then a green suite and exit 0', async () => {
    const root = writeTwoBugsMonorepo();
    // Only @fx/app and @fx/util are selected: @fx/math is watched solely because @fx/app links to it.
    const cli = startCli([...JOBS, '@fx/app', '@fx/util'], { cwd: root });
    try {
      await cli.waitFor(is('idle'), { what: 'waiting for the first fix' });
      const { events } = cli;
      assert.deepEqual(phaseSequence(events), ['start:suite', 'end:suite', 'start:fix', 'end:fix']);

      const [suiteEnd] = ofType(events, 'run:end');
      assert.equal(suiteEnd!.passed, 2);
      assert.equal(failures(suiteEnd!), 4);
      const [groups] = ofType(events, 'groups');
      assert.deepEqual(
        groups!.groups.map((group) => ({ count: group.count, tests: group.tests })),
        [
          { count: 3, tests: [ADDS, ADDS_NEGATIVES, TOTALS] },
          { count: 1, tests: [PADS] },
        ],
      );
      assert.match(groups!.groups[0]!.signature, /^Error: add is broken @ packages\/math\/index\.js:2:\d+$/);
      assert.match(groups!.groups[1]!.signature, /^AssertionError: /);
      // The representative of the largest group: its tests are equally near the cause, so the first by file, then order in the file.
      const [firstFix] = ofType(events, 'fix');
      assert.deepEqual(firstFix!.test, ADDS);
      // For editors: where the failure shows in the test file, and where it was thrown.
      const addsFailure = ofType(events, 'test:fail').find((event) => event.name[0] === ADDS.name[0])!;
      assert.deepEqual(addsFailure.location, { file: ADDS.file, line: 4, column: addsFailure.location?.column });
      assert.deepEqual(addsFailure.thrownAt, { file: 'packages/math/index.js', line: 2, column: addsFailure.thrownAt?.column });
      const fixEnd = ofType(events, 'run:end')[1]!;
      assert.equal(fixEnd.phase, 'fix');
      assert.equal(failures(fixEnd), 1);

      // Fix the first bug, in the linked package.
      const afterMath = events.length;
      writeFileSync(path.join(root, 'packages/math/index.js'), MATH_FIXED);
      const change = await cli.waitFor(is('change'), { from: afterMath, what: 'the change in @fx/math' });
      assert.deepEqual((change as Extract<CctrialEvent, { type: 'change' }>).files, ['packages/math/index.js']);
      await cli.waitFor(is('idle'), { from: afterMath, what: 'waiting for the second fix' });
      assert.deepEqual(phaseSequence(events, afterMath), ['start:fix', 'end:fix', 'start:recheck', 'end:recheck', 'start:fix', 'end:fix']);
      const runs = runEvents(events, afterMath);
      const [fixStart, fixPassed, recheckStart, recheckEnd, secondFixStart] = runs;
      assert.ok(events.indexOf(change) < fixStart!.index, 'the fix re-runs after the change');
      assert.deepEqual(ofType(events.slice(afterMath, fixStart!.index), 'fix').map((event) => event.test), [ADDS]);
      assert.deepEqual(sortRefs(verdicts(events, fixStart!.index, fixPassed!.index).map(refOf)), [ADDS]);
      assert.equal((fixPassed!.event as Extract<CctrialEvent, { type: 'run:end' }>).passed, 1);
      // The recheck runs every test that failed in the suite: all 4.
      assert.equal((recheckStart!.event as Extract<CctrialEvent, { type: 'run:start' }>).tests, 4);
      const rechecked = verdicts(events, recheckStart!.index, recheckEnd!.index);
      assert.deepEqual(sortRefs(rechecked.map(refOf)), sortRefs([ADDS, ADDS_NEGATIVES, TOTALS, PADS]));
      assert.deepEqual(rechecked.filter((event) => event.type === 'test:fail').map(refOf), [PADS]);
      const recheckCounts = recheckEnd!.event as Extract<CctrialEvent, { type: 'run:end' }>;
      assert.equal(recheckCounts.passed, 3);
      assert.equal(failures(recheckCounts), 1);
      // The second bug's test is the new fix target.
      assert.deepEqual(ofType(events.slice(recheckEnd!.index, secondFixStart!.index), 'fix').map((event) => event.test), [PADS]);

      // Fix the second bug: the fix passes, it was the only failure left, so the suite runs, green, and cctrial exits 0.
      const afterUtil = events.length;
      writeFileSync(path.join(root, 'packages/util/index.js'), UTIL_FIXED);
      assert.equal(await cli.exited, 0, cli.stderr());
      assert.deepEqual(ofType(events, 'change', afterUtil).map((event) => event.files), [['packages/util/index.js']]);
      assert.deepEqual(phaseSequence(events, afterUtil), ['start:fix', 'end:fix', 'start:suite', 'end:suite']);
      const [lastFix, finalSuite] = ofType(events, 'run:end', afterUtil);
      assert.equal(lastFix!.passed, 1);
      assert.equal(finalSuite!.passed, 6);
      assert.equal(failures(finalSuite!), 0);
      assert.deepEqual(ofType(events, 'warning'), []);
      if (process.env.CCTRIAL_E2E_TRANSCRIPT) writeFileSync(process.env.CCTRIAL_E2E_TRANSCRIPT, events.map((event) => JSON.stringify(event)).join('\n') + '\n');
    } finally {
      await cli.stop();
    }
  });

  test('a storm of 1,000 rewritten files gives exactly one change event and one suite run, after the last write', async () => {
    // Modules the library imports: only a change to a file some test imported starts a run.
    const names = Array.from({ length: 1000 }, (_, index) => `data/file-${String(index).padStart(4, '0')}.js`);
    const index = (answer: string) => names.map((name, at) => `import d${at} from './${name}';`).join('\n') + `\nexport const data = [${names.map((_, at) => `d${at}`).join(', ')}];\nexport const answer = () => ${answer};\n`;
    const runLog = path.join(scratchFolder(), 'runs.log');
    const root = writeGreenMonorepo({ ...Object.fromEntries(names.map((name) => [name, 'export default 0;\n'])), 'index.js': index('42') }, {
      // Each run of this test logs when it ran, in a folder cctrial does not watch.
      'test/answer.test.js':
        TEST_HEADER +
        "import { appendFileSync } from 'node:fs';\nimport { answer } from '@fx/lib';\n" +
        "test('answers', () => {\n  appendFileSync(process.env.CCTRIAL_RUN_LOG, Date.now() + '\\n');\n  assert.equal(answer(), 42);\n});\n",
    });
    // NODE_DEBUG: the watcher's batches, shown should a file be missing from the storm's batch.
    const cli = startCli(['-f', ...JOBS], { cwd: root, env: { CCTRIAL_RUN_LOG: runLog, NODE_DEBUG: 'cctrial' } });
    try {
      await cli.waitFor(is('idle'), { what: 'idle after the first suite' });
      assert.equal(readLines(runLog).length, 1);

      const storm = cli.events.length;
      for (const [at, name] of names.entries()) writeFileSync(path.join(root, 'packages/lib', name), `export default ${at + 1};\n`);
      const lastWriteAt = Date.now();
      const change = (await cli.waitFor(is('change'), { from: storm, what: 'the storm change' })) as Extract<CctrialEvent, { type: 'change' }>;
      await cli.waitFor(is('idle'), { from: storm, what: 'idle after the storm run' });

      // One more save, with its own change event: anything still on its way from the storm shows up before it.
      const sentinelMark = cli.events.length;
      writeFileSync(path.join(root, 'packages/lib/index.js'), index('6 * 7'));
      const sentinel = await cli.waitFor(is('change', (event) => event.files.includes('packages/lib/index.js')), { from: sentinelMark, what: 'the sentinel change' });
      const afterStorm = cli.events.slice(storm, cli.events.indexOf(sentinel));
      const batches = () => cli.stderr().split('\n').filter((line) => line.includes('watcher batch')).map((line) => line.slice(0, 300)).join('\n');
      assert.equal(ofType(afterStorm, 'change').length, 1, `one change event for the whole storm; the watcher's batches:\n${batches()}`);
      assert.deepEqual(phaseSequence(afterStorm), ['start:suite', 'end:suite'], 'one suite run for the whole storm');
      assert.equal(ofType(afterStorm, 'idle').length, 1);
      // The batch was delivered after the burst, never halfway: it holds the last file written, and the run it caused
      // started after the last write (below). A loaded machine may see a straggler of the burst late: it was written
      // before that run started, so the run read it, and it rightly starts nothing.
      const written = names.map((name) => `packages/lib/${name}`);
      assert.ok(change.files.includes(written.at(-1)!), `the last file written is in the batch of ${change.files.length}`);
      assert.ok(change.files.every((file) => written.includes(file)), change.files.join(', '));
      const missing = written.filter((file) => !change.files.includes(file));
      if (missing.length > 0) {
        process.stderr.write(`# the storm's batch lacked ${missing.length} of its files: ${missing.join(', ')}\n${batches().replace(/^/gm, '# ')}\n`);
      }
      assert.ok(afterStorm.findIndex((event) => event.type === 'change') < afterStorm.findIndex((event) => event.type === 'run:start'));

      await cli.waitFor(is('idle'), { from: cli.events.indexOf(sentinel), what: 'idle after the sentinel run' });
      const runs = readLines(runLog).map(Number);
      assert.equal(runs.length, 3, `first suite, storm, sentinel: ${runs.join(', ')}`);
      assert.ok(runs[1]! > lastWriteAt, `the storm's run started ${lastWriteAt - runs[1]!} ms before the last write`);
    } finally {
      await cli.stop();
    }
  });

  test('a change during a suite run is not lost: a new run starts as soon as the run ends', async () => {
    // The slow test holds the run open until the change was seen, so that the change surely falls inside it.
    const release = path.join(scratchFolder(), 'release');
    const root = writeGreenMonorepo(
      {},
      {
        'test/slow.test.js':
          TEST_HEADER +
          "import { existsSync } from 'node:fs';\n" +
          "test('takes its time', async () => {\n  while (!existsSync(process.env.CCTRIAL_RELEASE)) await new Promise((resolve) => setTimeout(resolve, 20));\n});\n",
      },
    );
    const cli = startCli(['-f', ...JOBS], { cwd: root, env: { CCTRIAL_RELEASE: release } });
    try {
      await cli.waitFor(is('test:start', (event) => event.name === 'takes its time'), { what: 'the slow test of the first suite run' });
      // A test file counts before any test has run (an imported file counts once a test is known to import it).
      writeFileSync(path.join(root, 'packages/app/test/answer.test.js'), TEST_HEADER + "import { answer } from '@fx/lib';\ntest('answers', () => assert.equal(answer(), 6 * 7));\n");
      const change = await cli.waitFor(is('change'), { what: 'the change during the run' });
      writeFileSync(release, '');
      const firstEnd = await cli.waitFor(is('run:end'), { what: 'the end of the first suite run' });
      const { events } = cli;
      assert.ok(events.indexOf(change) < events.indexOf(firstEnd), 'the change arrived during the run');
      assert.deepEqual(ofType(events, 'idle'), [], 'no wait between the two runs');
      // The run was green, but the code changed under it: the suite runs again at once, without a further save.
      await cli.waitFor(is('idle'), { what: 'idle after the second suite run' });
      assert.deepEqual(phaseSequence(events), ['start:suite', 'end:suite', 'start:suite', 'end:suite']);
      const next = events[events.indexOf(firstEnd) + 1]!;
      assert.equal(next.type, 'run:start');
      assert.equal((next as Extract<CctrialEvent, { type: 'run:start' }>).phase, 'suite');
      assert.equal(ofType(events, 'change').length, 1);
    } finally {
      await cli.stop();
    }
  });

  test('a change during a fix run cancels it and runs the fix again on the new code', async () => {
    const root = writeGreenMonorepo(
      { 'index.js': 'export const answer = () => 41;\n' },
      {
        'test/answer.test.js':
          TEST_HEADER +
          "import { answer } from '@fx/lib';\n" +
          "test('answers slowly', async () => {\n  await new Promise((resolve) => setTimeout(resolve, 1500));\n  assert.equal(answer(), 42);\n});\n",
      },
    );
    const cli = startCli(JOBS, { cwd: root });
    try {
      const fixStart = await cli.waitFor(is('run:start', (event) => event.phase === 'fix'), { what: 'the first fix run' });
      // Once its test has started, the fix run has read the code that the change replaces.
      await cli.waitFor(is('test:start'), { from: cli.events.indexOf(fixStart), what: 'the test of the first fix run' });
      const mark = cli.events.length;
      writeFileSync(path.join(root, 'packages/lib/index.js'), 'export const answer = () => 40;\n');
      await cli.waitFor(is('change'), { from: mark, what: 'the change during the fix run' });
      await cli.waitFor(is('idle'), { from: mark, what: 'waiting after the restarted fix' });
      const { events } = cli;
      // The cancelled fix run reports nothing; the restarted one reports the new code's failure.
      assert.deepEqual(phaseSequence(events), ['start:suite', 'end:suite', 'start:fix', 'start:fix', 'end:fix']);
      assert.equal(ofType(events, 'fix').length, 2);
      const [lastFailure] = ofType(events, 'test:fail').slice(-1);
      assert.equal(lastFailure!.error.actual, '40');
    } finally {
      await cli.stop();
    }
  });

  test('a fix target renamed while fixing is still the same test: found by its place, it stays the fix target until it passes', async () => {
    const testFile = (name: string) => TEST_HEADER + `import { answer } from '@fx/lib';\ntest('${name}', () => assert.equal(answer(), 42));\n`;
    const root = writeGreenMonorepo({ 'index.js': 'export const answer = () => 41;\n' }, { 'test/answer.test.js': testFile('old name') });
    const cli = startCli(JOBS, { cwd: root });
    try {
      await cli.waitFor(is('idle'), { what: 'waiting for the first fix' });
      const mark = cli.events.length;
      writeFileSync(path.join(root, 'packages/app/test/answer.test.js'), testFile('new name'));
      await cli.waitFor(is('idle'), { from: mark, what: 'waiting for the fix of the renamed test' });
      // No TestNotFoundError and no suite run: the renamed test's current failure, under the name the loop knows.
      assert.deepEqual(phaseSequence(cli.events, mark), ['start:fix', 'end:fix']);
      assert.deepEqual(ofType(cli.events, 'fix').map((event) => event.test.name), [['old name'], ['old name']]);
      const [failure] = ofType(cli.events, 'test:fail', mark);
      assert.equal(failure!.error.type, 'AssertionError');
      assert.equal(failure!.error.actual, '41');
      assert.equal(ofType(cli.events, 'warning').length, 1);
      // Once it passes, the suite runs and knows the new name.
      const fixedAt = cli.events.length;
      writeFileSync(path.join(root, 'packages/lib/index.js'), 'export const answer = () => 42;\n');
      await cli.exited;
      assert.deepEqual(phaseSequence(cli.events, fixedAt), ['start:fix', 'end:fix', 'start:suite', 'end:suite']);
      assert.deepEqual(ofType(cli.events, 'test:pass', fixedAt).map((event) => event.name), [['old name'], ['new name']]);
    } finally {
      await cli.stop();
    }
  });

  test('a test file added while watching runs in the next suite, and a deleted one disappears', async () => {
    const root = writeGreenMonorepo();
    const cli = startCli(['-f', ...JOBS], { cwd: root });
    const added = 'packages/app/test/added.test.js';
    try {
      await cli.waitFor(is('idle'), { what: 'idle after the first suite' });
      const [firstStart] = ofType(cli.events, 'run:start');
      assert.equal(firstStart!.files, 1);

      const afterAdd = cli.events.length;
      writeFileSync(path.join(root, added), TEST_HEADER + "test('was added while watching', () => assert.ok(true));\n");
      await cli.waitFor(is('change', (event) => event.files.includes(added)), { from: afterAdd, what: 'the new file' });
      await cli.waitFor(is('idle'), { from: afterAdd, what: 'idle after the suite with the new file' });
      assert.deepEqual(phaseSequence(cli.events, afterAdd), ['start:suite', 'end:suite']);
      assert.equal(ofType(cli.events, 'run:start', afterAdd)[0]!.files, 2);
      assert.deepEqual(
        ofType(cli.events, 'test:pass', afterAdd).map((event) => [event.file, ...event.name]).sort(),
        [
          [added, 'was added while watching'],
          ['packages/app/test/answer.test.js', 'answers'],
        ].sort(),
      );

      const afterDelete = cli.events.length;
      unlinkSync(path.join(root, added));
      await cli.waitFor(is('change', (event) => event.files.includes(added)), { from: afterDelete, what: 'the deleted file' });
      await cli.waitFor(is('idle'), { from: afterDelete, what: 'idle after the suite without the file' });
      assert.deepEqual(phaseSequence(cli.events, afterDelete), ['start:suite', 'end:suite']);
      assert.equal(ofType(cli.events, 'run:start', afterDelete)[0]!.files, 1);
      const after = cli.events.slice(afterDelete).filter((event) => event.type !== 'change');
      assert.ok(!JSON.stringify(after).includes('added.test.js'), JSON.stringify(after));
      assert.equal(ofType(cli.events, 'run:end', afterDelete)[0]!.passed, 1);
    } finally {
      await cli.stop();
    }
  });

  test('pnpm-style per-package link to a folder outside the workspace globs is watched', async () => {
    const root = writeWorkspace({
      'package.json': JSON.stringify({ name: 'fixture-root', private: true }),
      'pnpm-workspace.yaml': "packages:\n  - 'packages/*'\n",
      'packages/app/package.json': JSON.stringify({ name: '@fx/app', type: 'module', dependencies: { '@fx/lib': 'workspace:*' } }),
      'packages/app/test/lib.test.js': TEST_HEADER + "import { answer } from '@fx/lib';\ntest('answers', () => assert.equal(answer(), 42));\n",
      'lib-outside/package.json': JSON.stringify({ name: '@fx/lib', type: 'module', exports: './index.js' }),
      'lib-outside/index.js': 'export const answer = () => 42;\n',
    });
    // As pnpm and bun link: inside the dependent package, to the real folder.
    linkPackage(root, 'packages/app', '@fx/lib', 'lib-outside');
    const cli = startCli(['-f', ...JOBS], { cwd: root });
    try {
      await cli.waitFor(is('idle'), { what: 'idle after the first suite' });
      assert.equal(ofType(cli.events, 'run:end')[0]!.passed, 1);
      const mark = cli.events.length;
      writeFileSync(path.join(root, 'lib-outside/index.js'), 'export const answer = () => 24;\n');
      const change = await cli.waitFor(is('change'), { from: mark, what: 'the change in lib-outside' });
      assert.deepEqual((change as Extract<CctrialEvent, { type: 'change' }>).files, ['lib-outside/index.js']);
      await cli.waitFor(is('idle'), { from: mark, what: 'waiting for the fix' });
      assert.deepEqual(phaseSequence(cli.events, mark), ['start:suite', 'end:suite', 'start:fix', 'end:fix']);
      const [suiteEnd] = ofType(cli.events, 'run:end', mark);
      assert.equal(failures(suiteEnd!), 1, 'the re-run saw the new code');
    } finally {
      await cli.stop();
    }
  });
});

describe('affected first, and smart mode, end to end', () => {
  // Two test files that import nothing of the workspace sort before the one that imports @fx/lib.
  const writeThreeFiles = () =>
    writeGreenMonorepo({}, {
      'test/aa-first.test.js': TEST_HEADER + "test('first', () => assert.ok(true));\n",
      'test/ab-second.test.js': TEST_HEADER + "test('second', () => assert.ok(true));\n",
    });
  const LIB = 'packages/lib/index.js';
  const ANSWER = 'packages/app/test/answer.test.js';
  const startedFiles = (events: CctrialEvent[], from: number) => ofType(events, 'test:start', from).map((event) => event.file);

  test('after a change, the suite runs the test files that imported it first, then the rest', async () => {
    const root = writeThreeFiles();
    const cli = startCli(['-f', '-j', '1'], { cwd: root });
    try {
      await cli.waitFor(is('idle'), { what: 'idle after the first suite' });
      assert.deepEqual(startedFiles(cli.events, 0), ['packages/app/test/aa-first.test.js', 'packages/app/test/ab-second.test.js', ANSWER]);
      const afterEdit = cli.events.length;
      writeFileSync(path.join(root, LIB), 'export const answer = () => 6 * 7;\n');
      await cli.waitFor(is('idle'), { from: afterEdit, what: 'idle after the suite' });
      assert.deepEqual(phaseSequence(cli.events, afterEdit), ['start:suite', 'end:suite']);
      // The importer first; the rest after it, longest first by the first suite's timings, which are near equal here.
      const started = startedFiles(cli.events, afterEdit);
      assert.equal(started[0], ANSWER);
      assert.deepEqual(started.slice(1).sort(), ['packages/app/test/aa-first.test.js', 'packages/app/test/ab-second.test.js']);
    } finally {
      await cli.stop();
    }
  });

  test('-s: a change runs only the test files that imported it, through a fix; a package.json change runs everything', async () => {
    const root = writeThreeFiles();
    const cli = startCli(['-s', '-j', '1'], { cwd: root });
    try {
      await cli.waitFor(is('idle'), { what: 'idle after the first suite' });
      assert.equal(ofType(cli.events, 'run:start')[0]!.files, 3);

      const afterBreak = cli.events.length;
      writeFileSync(path.join(root, LIB), 'export const answer = () => 41;\n');
      await cli.waitFor(is('idle'), { from: afterBreak, what: 'waiting for the fix' });
      assert.deepEqual(phaseSequence(cli.events, afterBreak), ['start:suite', 'end:suite', 'start:fix', 'end:fix']);
      assert.deepEqual(ofType(cli.events, 'run:start', afterBreak)[0]!, { type: 'run:start', phase: 'suite', tests: 1, files: 1 });
      assert.deepEqual(startedFiles(cli.events, afterBreak), [ANSWER, ANSWER]);

      const afterFix = cli.events.length;
      writeFileSync(path.join(root, LIB), 'export const answer = () => 42;\n');
      await cli.waitFor(is('idle'), { from: afterFix, what: 'idle after the fix' });
      assert.deepEqual(phaseSequence(cli.events, afterFix), ['start:fix', 'end:fix', 'start:suite', 'end:suite']);
      const suiteStep = ofType(cli.events, 'run:start', afterFix)[1]!;
      assert.deepEqual([suiteStep.files, suiteStep.tests], [1, 1]);
      assert.deepEqual(ofType(cli.events, 'run:end', afterFix).map((end) => [end.phase, end.passed, failures(end)]), [['fix', 1, 0], ['suite', 1, 0]]);

      const afterManifest = cli.events.length;
      const manifest = path.join(root, 'packages/lib/package.json');
      writeFileSync(manifest, JSON.stringify({ ...JSON.parse(readFileSync(manifest, 'utf8')), description: 'the answer' }));
      await cli.waitFor(is('idle'), { from: afterManifest, what: 'idle after the package.json change' });
      assert.deepEqual(phaseSequence(cli.events, afterManifest), ['start:suite', 'end:suite']);
      assert.equal(ofType(cli.events, 'run:start', afterManifest)[0]!.files, 3);
      assert.equal(ofType(cli.events, 'run:end', afterManifest)[0]!.passed, 3);
    } finally {
      await cli.stop();
    }
  });
});

/**
 * What `npm install --omit=optional cctrial` leaves: cctrial's built files in a node_modules of their
 * own, beside its dependencies (linked from this repository's) but not node-notifier. Returns its CLI.
 */
function installWithoutOptionalDependencies(scratch: string): string {
  const packageRoot = path.resolve(CLI, '../../..');
  const modules = path.join(scratch, 'node_modules');
  const installed = path.join(modules, 'cctrial');
  cpSync(path.join(packageRoot, 'package.json'), path.join(installed, 'package.json'));
  cpSync(path.join(packageRoot, 'dist/src'), path.join(installed, 'dist/src'), { recursive: true });
  const manifest = JSON.parse(readFileSync(path.join(packageRoot, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
  // Where Node looks for a package from cctrial's folder (not every package exports its package.json).
  const searched = createRequire(path.join(packageRoot, 'package.json')).resolve.paths('x') ?? [];
  for (const name of Object.keys(manifest.dependencies)) {
    const source = searched.map((folder) => path.join(folder, name)).find((folder) => existsSync(folder));
    assert.ok(source, `${name} is not installed`);
    const target = path.join(modules, name);
    mkdirSync(path.dirname(target), { recursive: true });
    symlinkSync(source, target, 'dir');
  }
  return path.join(installed, 'dist/src/cli.js');
}

const HEADER_SLEEP = "import { test } from 'node:test';\nimport { setTimeout as sleep } from 'node:timers/promises';\n";

/** A PATH of one empty folder: no notify-send on it (node itself is started by its absolute path). */
function pathWithoutNotifySend(): string {
  const folder = path.join(scratchFolder(), 'bin');
  mkdirSync(folder);
  return folder;
}

describe('notifications, end to end', () => {
  test('notify-send is called after each run: broken, still broken, fixed, everything good', async () => {
    const scratch = scratchFolder();
    const log = path.join(scratch, 'notify-send.log');
    writeStubNotifySend(path.join(scratch, 'bin'), log);
    const root = writeTwoBugsMonorepo();
    const cli = startCli([...JOBS, '@fx/app', '@fx/util'], { cwd: root, notify: true, env: { PATH: `${path.join(scratch, 'bin')}:${process.env.PATH}` } });
    try {
      await driveTwoBugsToGreen(cli, root);
      assert.equal(await cli.exited, 0, cli.stderr());
      assert.deepEqual(ofType(cli.events, 'warning'), []);
      // The last notification is sent as cctrial exits: its notify-send may finish just after.
      const calls = await waitUntil(() => {
        const lines = readLines(log);
        return lines.some((line) => line.includes('everything good!')) && lines;
      }, { timeoutMs: 10_000, what: `the "everything good!" notification in ${log}` });
      const titleAndBody = calls.map((line) => line.split('|').slice(0, 2).join(' / '));
      assert.deepEqual(new Set(titleAndBody), new Set([
        '6 tests run / 4 tests broken!',
        'Still broken! / packages/app/test/a.test.js › adds two numbers',
        '3 fixed / 1 test failure to fix',
        'Still broken! / packages/util/pad.test.js › pads left',
        '6 tests run / everything good!',
      ]));
      assert.equal(calls.length, 5, calls.join('\n'));
    } finally {
      await cli.stop();
    }
  });

  test('--once sends no notification; --once --notify sends the verdict', async () => {
    const scratch = scratchFolder();
    const log = path.join(scratch, 'notify-send.log');
    writeStubNotifySend(path.join(scratch, 'bin'), log);
    const root = writeGreenMonorepo();
    const env = { PATH: `${path.join(scratch, 'bin')}:${process.env.PATH}` };
    const quiet = startCli([...JOBS, '--once'], { cwd: root, notify: true, env });
    assert.equal(await quiet.exited, 0, quiet.stderr());
    const told = startCli([...JOBS, '--once', '--notify'], { cwd: root, notify: true, env });
    assert.equal(await told.exited, 0, told.stderr());
    const calls = await waitUntil(() => readLines(log).length > 0 && readLines(log), { timeoutMs: 10_000, what: `a notification in ${log}` });
    // One call: a late one from the first run would have arrived while the second ran.
    assert.deepEqual(calls.map((line) => line.split('|').slice(0, 2).join(' / ')), ['1 test run / everything good!']);
    assert.equal(ofType(told.events, 'run:end')[0]!.passed, 1);
  });

  test('without notify-send on PATH: exactly one warning, and the loop goes on', async () => {
    const emptyBin = pathWithoutNotifySend();
    const root = writeTwoBugsMonorepo();
    const cli = startCli([...JOBS, '@fx/app', '@fx/util'], { cwd: root, notify: true, env: { PATH: emptyBin } });
    try {
      await driveTwoBugsToGreen(cli, root);
      assert.equal(await cli.exited, 0, cli.stderr());
      const warnings = ofType(cli.events, 'warning');
      assert.equal(warnings.length, 1, JSON.stringify(warnings));
      assert.match(warnings[0]!.message, /^desktop notifications are off: notify-send is not on PATH \(install libnotify, or pass --no-notify to hide this notice\)\.$/);
      // Said at start-up, not in the middle of the fix view.
      assert.ok(cli.events.indexOf(warnings[0]!) < cli.events.findIndex((event) => event.type === 'run:start'), 'the notice comes before the first run');
      assert.deepEqual(phaseSequence(cli.events).slice(-2), ['start:suite', 'end:suite']);
    } finally {
      await cli.stop();
    }
  });

  test('installed without its optional dependencies (no node-notifier): one notice saying what to install, and the run goes on', async () => {
    const scratch = scratchFolder();
    writeStubNotifySend(path.join(scratch, 'bin'), path.join(scratch, 'notify-send.log'));
    const cli = installWithoutOptionalDependencies(scratch);
    const run = startCli([...JOBS, '--once', '--notify'], { cwd: writeGreenMonorepo(), notify: true, cli, env: { PATH: `${path.join(scratch, 'bin')}:${process.env.PATH}` } });
    assert.equal(await run.exited, 0, run.stderr());
    assert.equal(ofType(run.events, 'run:end')[0]!.passed, 1);
    const warnings = ofType(run.events, 'warning');
    assert.equal(warnings.length, 1, JSON.stringify(warnings));
    assert.match(warnings[0]!.message, /^desktop notifications are off: node-notifier, an optional dependency of cctrial, is not installed \(install it next to cctrial, or pass --no-notify to hide this notice\)\.$/);
  });

  for (const [runner, env] of [['Nx', { NX_TASK_TARGET_PROJECT: 'app' }], ['Turborepo', { TURBO_HASH: '0123abcd' }]] as const) {
    test(`without notify-send, as a task of ${runner}: no notice at all`, async () => {
      const emptyBin = pathWithoutNotifySend();
      const cli = startCli([...JOBS, '-f'], { cwd: writeGreenMonorepo(), notify: true, env: { PATH: emptyBin, ...env } });
      try {
        await cli.waitFor(is('idle'), { what: 'idle after the suite' });
        assert.deepEqual(ofType(cli.events, 'warning'), []);
      } finally {
        await cli.stop();
      }
    });
  }
});

describe('resume, end to end', () => {
  const SELECTION = [...JOBS, '@fx/app', '@fx/util'];
  const stateFile = (root: string) => path.join(root, 'node_modules/.cache/cctrial/state.json');

  /** A first session that ran the suite and is fixing @fx/math's group; ended by `stop`. */
  async function fixingThenStopped(root: string, stop: (cli: LiveCli) => Promise<unknown>): Promise<TestRef> {
    const first = startCli(SELECTION, { cwd: root });
    try {
      await first.waitFor(is('idle'), { what: 'waiting for the first fix' });
      await stop(first);
    } finally {
      await first.stop();
    }
    return ofType(first.events, 'fix')[0]!.test;
  }

  for (const [how, stop] of [
    ['a clean stop (SIGTERM, as q)', (cli: LiveCli) => cli.stop()],
    ['a SIGKILL', async (cli: LiveCli) => {
      cli.child.kill('SIGKILL');
      await cli.exited;
    }],
  ] as const) {
    test(`after ${how} while fixing, a restart runs the last target first, then the recheck, then the suite`, async () => {
      const root = writeTwoBugsMonorepo();
      const target = await fixingThenStopped(root, stop);
      assert.deepEqual(target, ADDS);
      const cli = startCli(SELECTION, { cwd: root });
      try {
        await cli.waitFor(is('idle'), { what: 'waiting for the resumed fix' });
        assert.deepEqual(ofType(cli.events, 'resume'), [{ type: 'resume', failing: 4, groups: 2, test: ADDS }]);
        assert.deepEqual(phaseSequence(cli.events), ['start:fix', 'end:fix'], 'no suite before the remembered target');
        assert.deepEqual(ofType(cli.events, 'fix').map((event) => event.test), [ADDS]);
        const { afterMath, afterUtil } = await driveTwoBugsToGreen(cli, root);
        assert.deepEqual(phaseSequence(cli.events, afterMath).slice(0, 6), ['start:fix', 'end:fix', 'start:recheck', 'end:recheck', 'start:fix', 'end:fix']);
        await cli.waitFor(is('run:end', (event) => event.phase === 'suite'), { from: afterUtil, what: 'the suite after the last fix' });
        // Every file here held a failure, so every file's count was remembered: the suite's count is the whole one.
        assert.equal(ofType(cli.events, 'run:start', afterUtil).find((event) => event.phase === 'suite')!.tests, 6);
        assert.equal(await cli.exited, 0, cli.stderr());
      } finally {
        await cli.stop();
      }
      // Green: nothing is left to resume, so the next session starts with the suite.
      const next = startCli([...SELECTION, '--once'], { cwd: root });
      assert.equal(await next.exited, 0, next.stderr());
      assert.deepEqual(ofType(next.events, 'resume'), []);
      assert.equal(phaseSequence(next.events)[0], 'start:suite');
    });
  }

  test('--fresh, --once and another selection of tests start with the suite', async () => {
    const root = writeTwoBugsMonorepo();
    await fixingThenStopped(root, (cli) => cli.stop());
    for (const args of [[...SELECTION, '--fresh'], [...SELECTION, '--once'], [...JOBS, '@fx/util']]) {
      const cli = startCli(args, { cwd: root });
      try {
        await cli.waitFor(is('run:end'), { what: `the first run of ${args.join(' ')}` });
        assert.deepEqual(ofType(cli.events, 'resume'), [], args.join(' '));
        assert.equal(phaseSequence(cli.events)[0], 'start:suite', args.join(' '));
      } finally {
        await cli.stop();
      }
    }
  });

  test('a damaged or foreign state file: one warning saying so, then the whole suite, and the file written anew', async () => {
    for (const contents of ['{"format": 1, "cctr', JSON.stringify({ format: 1, cctrial: '0.0.1', workspace: '/elsewhere', selection: '', files: { durationsMs: {}, imports: {} } })]) {
      const root = writeTwoBugsMonorepo();
      mkdirSync(path.dirname(stateFile(root)), { recursive: true });
      writeFileSync(stateFile(root), contents);
      const cli = startCli([...SELECTION, '--once'], { cwd: root });
      assert.equal(await cli.exited, 1, cli.stderr());
      const warnings = ofType(cli.events, 'warning');
      assert.equal(warnings.length, 1, JSON.stringify(warnings));
      assert.match(warnings[0]!.message, /^cctrial ignored what it remembered in .*state\.json: (the file is not valid JSON|it was written by another version of cctrial \(0\.0\.1\))\. It starts with the whole suite, and writes the file anew\.$/);
      assert.equal(phaseSequence(cli.events)[0], 'start:suite');
      const written = JSON.parse(readFileSync(stateFile(root), 'utf8')) as { workspace: string; files: { durationsMs: Record<string, number> } };
      assert.equal(written.workspace, root, 'written anew');
      assert.deepEqual(Object.keys(written.files.durationsMs).sort(), ['packages/app/test/a.test.js', 'packages/app/test/b.test.js', 'packages/util/pad.test.js']);
    }
  });

  test('the suite starts with the files that took longest last time', async () => {
    const slow = HEADER_SLEEP + "test('takes a while', async () => { await sleep(400); });\n";
    const root = writeGreenMonorepo({ 'slow.test.js': slow });
    const args = ['-j', '1', '--once'];
    const first = startCli(args, { cwd: root });
    assert.equal(await first.exited, 0, first.stderr());
    const firstStarted = ofType(first.events, 'test:start').map((event) => event.file);
    assert.deepEqual(firstStarted, ['packages/app/test/answer.test.js', 'packages/lib/slow.test.js'], 'discovery order before any timing');
    const second = startCli(args, { cwd: root });
    assert.equal(await second.exited, 0, second.stderr());
    assert.deepEqual(ofType(second.events, 'test:start').map((event) => event.file), ['packages/lib/slow.test.js', 'packages/app/test/answer.test.js']);
  });
});

describe('flaky tests, end to end', () => {
  test('a test whose outcome changes with no change to its files is flagged flaky, and a real failure is fixed first', async () => {
    const counter = path.join(scratchFolder(), 'runs');
    const root = writeNpmMonorepo({
      a: {
        name: '@fx/a',
        files: {
          // Fails on odd runs, counting in a file outside the workspace: nothing the watcher sees changes.
          'test/flaky.test.js':
            TEST_HEADER +
            "import { existsSync, readFileSync, writeFileSync } from 'node:fs';\n" +
            `const counter = ${JSON.stringify(counter)};\n` +
            "test('sometimes fails', () => {\n" +
            "  const run = (existsSync(counter) ? Number(readFileSync(counter, 'utf8')) : 0) + 1;\n" +
            '  writeFileSync(counter, String(run));\n' +
            '  assert.ok(run % 2 === 0, `run ${run}`);\n' +
            '});\n',
        },
      },
      b: { name: '@fx/b', files: { 'test/real.test.js': TEST_HEADER + "test('is really broken', () => assert.equal(1 + 1, 3));\n" } },
    });
    const FLAKY = ref('@fx/a', 'packages/a/test/flaky.test.js', 'sometimes fails');
    const REAL = ref('@fx/b', 'packages/b/test/real.test.js', 'is really broken');
    const cli = startCli(['-j', '1'], { cwd: root });
    try {
      // Suite: both fail, one test per group, and the first group by project is the flaky test's (nothing is known yet).
      await cli.waitFor(is('fix', (event) => event.test.file === REAL.file), { what: 'the real failure as the fix target' });
      assert.deepEqual(ofType(cli.events, 'fix').map((event) => event.test), [FLAKY, REAL]);
      // The fix run of REAL may have started by now: the phases up to it.
      assert.deepEqual(phaseSequence(cli.events).slice(0, 6), ['start:suite', 'end:suite', 'start:fix', 'end:fix', 'start:recheck', 'end:recheck']);
      // The fix run passed with no change: flaky from then on, in the events and the groups' order.
      const [suiteFailure, fixPass] = [ofType(cli.events, 'test:fail')[0]!, ofType(cli.events, 'test:pass').find((event) => event.file === FLAKY.file)!];
      assert.equal(suiteFailure.flaky, undefined);
      assert.equal(fixPass.flaky, true);
      const recheckFailures = ofType(cli.events, 'test:fail').slice(2);
      assert.deepEqual(recheckFailures.map((event) => [event.name[0], event.flaky ?? false]), [['sometimes fails', true], ['is really broken', false]]);
      const groups = ofType(cli.events, 'groups').at(-1)!;
      assert.deepEqual(groups.groups.map((group) => group.representative), [REAL, FLAKY], 'the flaky group comes last');
    } finally {
      await cli.stop();
    }
  });
});

describe('shutdown, end to end', () => {
  // On SIGHUP the terminal is gone: cctrial kills its children, then dies of the signal itself (cli.ts).
  for (const [signal, code] of [['SIGTERM', 143], ['SIGINT', 130], ['SIGHUP', null]] as const) {
    test(`${signal} during a suite run ends cctrial, the test child and its grandchild`, async () => {
      const pidsFile = path.join(scratchFolder(), 'pids.json');
      const root = writeGreenMonorepo({}, grandchildFixture(60_000));
      const cli = startCli(['-f', ...JOBS], { cwd: root, env: { CCTRIAL_PIDS_FILE: pidsFile } });
      try {
        await cli.waitFor(is('run:start'), { what: 'the suite run' });
        const pids = await waitUntil(() => {
          const [line] = readLines(pidsFile);
          return line ? (JSON.parse(line) as { test: number; grandchild: number }) : undefined;
        }, { what: `the pids in ${pidsFile}` });
        assert.ok(isAlive(pids.test) && isAlive(pids.grandchild));
        // Everything cctrial started, pre-warmed children included.
        const descendants = descendantsOf(cli.child.pid!);
        assert.ok(descendants.includes(pids.test) && descendants.includes(pids.grandchild), `descendants: ${descendants.join(', ')}`);
        assert.ok(processesMentioning(root).length >= 2, `the fixture scan sees the live children: ${processesMentioning(root).join('\n')}`);

        cli.child.kill(signal);
        assert.equal(await cli.exited, code, cli.stderr());
        if (code === null) assert.equal(cli.child.signalCode, signal);
        // Killed processes linger as zombies until reaped (PID 1 here reaps every few seconds): wait for ESRCH.
        await waitUntil(() => descendants.every((pid) => !isAlive(pid)), {
          timeoutMs: 10_000,
          what: () => `cctrial's children to be gone, still alive: ${descendants.filter(isAlive).map(describePid).join('; ')}`,
        });
        assert.throws(() => process.kill(pids.test, 0), { code: 'ESRCH' });
        assert.throws(() => process.kill(pids.grandchild, 0), { code: 'ESRCH' });
        assert.deepEqual(processesMentioning(root), []);
      } finally {
        await cli.stop();
      }
    });
  }

  test('SIGTERM while idle ends cctrial and every child it holds ready', async () => {
    const root = writeGreenMonorepo();
    const cli = startCli(['-f', ...JOBS], { cwd: root });
    try {
      await cli.waitFor(is('idle'), { what: 'idle after the first suite' });
      const descendants = descendantsOf(cli.child.pid!);
      cli.child.kill('SIGTERM');
      assert.equal(await cli.exited, 143, cli.stderr());
      await waitUntil(() => descendants.every((pid) => !isAlive(pid)), {
        timeoutMs: 10_000,
        what: () => `cctrial's children to be gone, still alive: ${descendants.filter(isAlive).map(describePid).join('; ')}`,
      });
      assert.deepEqual(processesMentioning(root), []);
    } finally {
      await cli.stop();
    }
  });
});
