/**
 * Reliability, end to end: the bad input cctrial meets every day while code is broken on purpose, and
 * the faults around it. The real built CLI runs on real fixture monorepos, with its real watcher and
 * real node children. Each case checks what the user sees, that the rest of the suite is still
 * reported, that the loop goes on, and that no process is left behind (a scan of /proc).
 *
 * The cases and what the user sees are listed in docs/reliability.md, with the tests of the other
 * files that cover the rest (test/results/file-failure.test.ts, test/e2e/loop.e2e.test.ts, ...).
 * Tests wait for cctrial's events, the screen or the process table, never for a fixed time.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import pty from '@lydell/node-pty';
import type { CctrialEvent } from '../../src/events.js';
import { CLI, runCli } from '../helpers/cli.js';
import { phaseSequence, startCli, type LiveCli } from '../helpers/live-cli.js';
import { writeNpmMonorepo, writeWorkspace } from '../helpers/workspace.js';
import { ATOMIC_WRITE, TEST_HEADER, descendantsOf, grandchildFixture, describePid, is, isAlive, ofType, processesMentioning, scratchFolder, waitUntil } from './loop-helpers.js';

const JOBS = ['-j', '2'];
const WAIT_MS = 30_000;
/** The watchdog kills a silent child after --timeout plus 5 s: a short --timeout keeps hang cases short. */
const HANG_TIMEOUT_MS = 2000;
const HANG_ARGS = ['--timeout', String(HANG_TIMEOUT_MS)];
const WATCHDOG_MS = HANG_TIMEOUT_MS + 5000;

type Fail = Extract<CctrialEvent, { type: 'test:fail' }>;
type RunEnd = Extract<CctrialEvent, { type: 'run:end' }>;
const failures = (end: RunEnd) => end.failed + end.errors + end.cancelled;
const signatureSite = (failure: Fail) => failure.signature.slice(failure.signature.lastIndexOf(' @ ') + 3);

// ---------------------------------------------------------------------------------------------------
// Fixtures

const LIB_FILE = 'packages/lib/index.js';
const LIB_SOURCE = 'export const answer = () => 42;\n';
const ANSWER_FILE = 'packages/app/test/answer.test.js';
const ANSWER_SOURCE = TEST_HEADER + "import { answer } from '@fx/lib';\ntest('answers', () => assert.equal(answer(), 42));\n";
const OTHER_FILE = 'packages/other/test/other.test.js';

/**
 * A green npm monorepo: @fx/app's answer.test.js uses @fx/lib through its workspace link, and
 * @fx/other's other.test.js ("still runs") stands for the rest of the suite, which must keep being reported.
 */
function writeLoopMonorepo(appFiles: Record<string, string> = {}): string {
  return writeNpmMonorepo({
    lib: { name: '@fx/lib', files: { 'index.js': LIB_SOURCE } },
    app: {
      name: '@fx/app',
      dependencies: ['@fx/lib'],
      files: {
        'test/answer.test.js': ANSWER_SOURCE,
        ...appFiles,
      },
    },
    other: { name: '@fx/other', files: { 'test/other.test.js': TEST_HEADER + "test('still runs', () => assert.ok(true));\n" } },
  });
}

/** Every process of the fixture is gone: cctrial's descendants seen earlier, and anything mentioning the fixture in /proc. */
async function assertNoProcessLeft(root: string, known: number[] = []): Promise<void> {
  await waitUntil(() => known.every((pid) => !isAlive(pid)) && processesMentioning(root).length === 0, {
    timeoutMs: 10_000,
    what: () =>
      `every process of ${root} to be gone; still alive: ${[...known.filter(isAlive).map(describePid), ...processesMentioning(root)].join('; ')}`,
  });
}

/** Stops a live cctrial (SIGTERM) and checks that it and everything it started are gone. */
async function stopAndCheck(cli: LiveCli, root: string): Promise<void> {
  const known = cli.child.pid !== undefined && isAlive(cli.child.pid) ? descendantsOf(cli.child.pid) : [];
  const code = await cli.stop();
  assert.ok(code === 143 || code === 0 || code === 1, `cctrial exit code ${code}\n${cli.stderr()}`);
  await assertNoProcessLeft(root, known);
}

// ---------------------------------------------------------------------------------------------------

interface BadInput {
  name: string;
  /** The file to break, relative to the workspace root; it is restored to fix it. */
  file: string;
  broken: string;
  args?: string[];
  /** Checks the one failure that the suite run reports for the broken input. */
  check(failure: Fail, root: string): void;
  /** The warnings cctrial gives on the way, in order; none by default. */
  warnings?: RegExp[];
}

const BAD_INPUTS: BadInput[] = [
  {
    name: 'a syntax error in a test file',
    file: ANSWER_FILE,
    broken: TEST_HEADER + "test('answers', () => {\n",
    check(failure) {
      assert.deepEqual(failure.name, [], 'a file-level failure');
      assert.equal(failure.error.type, 'SyntaxError');
      assert.match(failure.error.message, /failed to load, so none of its tests ran/);
      assert.match(signatureSite(failure), /^packages\/app\/test\/answer\.test\.js:\d+:\d+$/);
    },
  },
  {
    name: 'a syntax error in a source file of a linked package',
    file: LIB_FILE,
    broken: 'export const answer = () => {\n',
    check(failure) {
      assert.equal(failure.file, ANSWER_FILE);
      assert.equal(failure.error.type, 'SyntaxError');
      assert.match(failure.error.message, /failed to load/);
      // The throw site is the broken source file, by its real path, not the test or node_modules.
      assert.match(signatureSite(failure), /^packages\/lib\/index\.js:\d+:\d+$/);
    },
  },
  ...[1, 0].map(
    (code): BadInput => ({
      name: `process.exit(${code}) inside a test`,
      file: ANSWER_FILE,
      broken: TEST_HEADER + `test('answers', () => {\n  process.exit(${code});\n});\ntest('never runs', () => {});\n`,
      check(failure) {
        assert.deepEqual(failure.name, []);
        assert.equal(failure.error.type, 'ProcessExitError');
        assert.match(failure.error.message, new RegExp(`process\\.exit\\(${code}\\) was called`));
        assert.match(failure.error.message, /Remove the call, or stub process\.exit/);
        assert.equal(signatureSite(failure).replace(/:\d+$/, ''), `${ANSWER_FILE}:4`, 'the throw site is the exit call');
      },
    }),
  ),
  {
    name: 'an uncaught exception after a test ended',
    file: ANSWER_FILE,
    broken: TEST_HEADER + "test('answers', () => {\n  setTimeout(() => {\n    throw new Error('late boom');\n  }, 1);\n});\n",
    check(failure) {
      assert.deepEqual(failure.name, []);
      assert.equal(failure.error.type, 'LateError');
      assert.match(failure.error.message, /failed after a test had ended/);
      assert.match(failure.error.message, /late boom/);
      assert.match(failure.error.message, /"answers"/);
    },
  },
  {
    name: 'a test that leaves an open handle: the process never exits',
    file: ANSWER_FILE,
    broken: TEST_HEADER + "test('answers', () => {\n  setInterval(() => {}, 1000);\n});\n",
    args: HANG_ARGS,
    check(failure) {
      assert.deepEqual(failure.name, []);
      assert.equal(failure.outcome, 'cancelled');
      assert.equal(failure.error.type, 'TimeoutError');
      assert.match(failure.error.message, new RegExp(`made no progress for ${WATCHDOG_MS} ms and was killed`));
      assert.match(failure.error.message, /open handle/);
    },
  },
  {
    name: 'a test that awaits forever while a timer keeps the process alive',
    file: ANSWER_FILE,
    broken: TEST_HEADER + "test('answers', async () => {\n  await new Promise((resolve) => setTimeout(resolve, 2 ** 31 - 1));\n});\n",
    args: HANG_ARGS,
    check(failure) {
      // The test's own timeout ends it, on every Node version; the timer it leaves is no failure of its own.
      assert.equal(failure.outcome, 'cancelled');
      assert.deepEqual(failure.name, ['answers']);
      assert.match(failure.error.message, /timed out after 2000ms/);
    },
  },
  {
    name: 'a test that awaits a promise nothing will ever settle',
    file: ANSWER_FILE,
    broken: TEST_HEADER + "test('answers', async () => {\n  await new Promise(() => {});\n});\n",
    check(failure) {
      assert.deepEqual(failure.name, ['answers']);
      assert.equal(failure.outcome, 'cancelled');
    },
  },
  {
    name: 'an invalid package.json in a project',
    file: 'packages/app/package.json',
    broken: '{ "name": "@fx/app", "type": "module",\n',
    // The workspace is read again when a manifest changes: cctrial says why it keeps the projects it had.
    warnings: [/^The workspace could not be read again: .*packages\/app\/package\.json is not valid JSON .*Fix the file\. Until then, cctrial goes on with its projects as they were\.$/],
    check(failure) {
      assert.equal(failure.project, '@fx/app');
      // Node reports it as it would under node --test, where the file is the main module: on Node 20 a
      // SyntaxError from reading the package scope, elsewhere ERR_INVALID_PACKAGE_CONFIG.
      assert.ok(failure.error.code === 'ERR_INVALID_PACKAGE_CONFIG' || failure.error.type === 'SyntaxError', JSON.stringify(failure.error));
      assert.match(failure.error.message, /packages\/app\/package\.json/);
    },
  },
];

describe('bad input while watching: cctrial reports it with the rest of the suite, waits for a fix, and goes green', () => {
  for (const input of BAD_INPUTS) {
    test(input.name, async () => {
      const root = writeLoopMonorepo();
      const target = path.join(root, input.file);
      const fixed = readFileSync(target, 'utf8');
      const cli = startCli(['-f', ...JOBS, ...(input.args ?? [])], { cwd: root });
      try {
        await cli.waitFor(is('idle'), { what: 'idle after the first, green suite' });
        assert.equal(ofType(cli.events, 'run:end')[0]!.passed, 2);

        const broke = cli.events.length;
        writeFileSync(target, input.broken);
        const suiteEnd = (await cli.waitFor(is('run:end', (event) => event.phase === 'suite'), { from: broke, what: 'the suite run on the broken input' })) as RunEnd;
        const suite = cli.events.slice(broke, cli.events.indexOf(suiteEnd));
        const reported = ofType(suite, 'test:fail');
        assert.equal(reported.length, 1, JSON.stringify(reported, null, 1));
        input.check(reported[0]!, root);
        // The rest of the suite is still reported.
        assert.ok(
          ofType(suite, 'test:pass').some((event) => event.file === OTHER_FILE && event.name[0] === 'still runs'),
          `other.test.js is reported: ${JSON.stringify(suite)}`,
        );
        assert.equal(failures(suiteEnd), 1);

        // The loop goes on: it re-runs the failure alone, then waits for a change.
        await cli.waitFor(is('idle'), { from: broke, what: 'waiting for a fix' });
        assert.deepEqual(phaseSequence(cli.events, broke), ['start:suite', 'end:suite', 'start:fix', 'end:fix']);
        const [fix] = ofType(cli.events, 'fix', broke);
        assert.deepEqual(fix!.test, { project: reported[0]!.project, file: reported[0]!.file, name: reported[0]!.name, occurrence: reported[0]!.occurrence });

        const fixedAt = cli.events.length;
        writeFileSync(target, fixed);
        const green = (await cli.waitFor(is('run:end', (event) => event.phase === 'suite' && failures(event) === 0), {
          from: fixedAt,
          what: 'a green suite after the fix',
        })) as RunEnd;
        assert.equal(green.passed, 2);
        await cli.waitFor(is('idle'), { from: cli.events.indexOf(green), what: 'idle after the green suite' });
        const warnings = ofType(cli.events, 'warning').map((event) => event.message);
        assert.equal(warnings.length, input.warnings?.length ?? 0, JSON.stringify(warnings));
        for (const [index, expected] of (input.warnings ?? []).entries()) assert.match(warnings[index]!, expected);
      } finally {
        await stopAndCheck(cli, root);
      }
    });
  }

  test(
    'once a file-level failure is fixed, the fix run passes: no TestNotFoundError for the file',
    async () => {
      const root = writeLoopMonorepo();
      const cli = startCli(['-f', ...JOBS], { cwd: root });
      try {
        await cli.waitFor(is('idle'), { what: 'idle after the first suite' });
        writeFileSync(path.join(root, ANSWER_FILE), TEST_HEADER + "test('answers', () => {\n");
        const broke = cli.events.length;
        await cli.waitFor(is('run:end', (event) => event.phase === 'fix'), { from: broke, what: 'the fix run of the syntax error' });
        await cli.waitFor(is('idle'), { from: broke, what: 'waiting for a fix' });
        const fixedAt = cli.events.length;
        writeFileSync(path.join(root, ANSWER_FILE), ANSWER_SOURCE);
        const green = await cli.waitFor(is('run:end', (event) => event.phase === 'suite' && failures(event) === 0), { from: fixedAt, what: 'the green suite' });
        const between = cli.events.slice(fixedAt, cli.events.indexOf(green));
        assert.deepEqual(ofType(between, 'test:fail'), [], 'no failure is reported once the file is fixed');
        const ends = ofType(between, 'run:end');
        assert.ok(ends.length >= 1 && ends.every((event) => event.phase === 'fix' && failures(event) === 0), JSON.stringify(ends));
      } finally {
        await stopAndCheck(cli, root);
      }
    },
  );

  test(
    'an invalid package.json breaks every test file of its project: one root cause, one group',
    async () => {
      const root = writeLoopMonorepo({ 'test/second.test.js': TEST_HEADER + "test('second', () => assert.ok(true));\n" });
      const cli = startCli(['-f', ...JOBS], { cwd: root });
      try {
        await cli.waitFor(is('idle'), { what: 'idle after the first suite' });
        const broke = cli.events.length;
        writeFileSync(path.join(root, 'packages/app/package.json'), '{ "name": "@fx/app", "type": "module",\n');
        const end = await cli.waitFor(is('run:end', (event) => event.phase === 'suite'), { from: broke, what: 'the suite on the broken package.json' });
        const suite = cli.events.slice(broke, cli.events.indexOf(end));
        assert.equal(ofType(suite, 'test:fail').length, 2);
        const groups = ofType(suite, 'groups')[0]!.groups;
        assert.deepEqual(groups.map((group) => group.count), [2], JSON.stringify(groups.map((group) => group.signature)));
      } finally {
        await stopAndCheck(cli, root);
      }
    },
  );

  test(
    'a test awaiting a promise that never settles is told what to do',
    async () => {
      const root = writeLoopMonorepo({ 'test/answer.test.js': TEST_HEADER + "test('answers', async () => {\n  await new Promise(() => {});\n});\n" });
      const result = await runCli(['--once', '--json', '--no-notify', ...JOBS], { cwd: root });
      const [failure] = ofType(parseLines(result.stdout), 'test:fail');
      assert.ok(failure, result.stdout);
      assert.match(failure.error.message, /never (settle|resolve)|await/i);
    },
  );
});

// ---------------------------------------------------------------------------------------------------

describe('bad input at start-up: one clear message, exit code 2 or a warning, and no process left', () => {
  test('an empty project: a package.json and nothing else', async () => {
    const root = writeWorkspace({ 'package.json': JSON.stringify({ name: 'empty', private: true }) });
    for (const args of [['--once'], ['-f']]) {
      const result = await runCli([...args, '--no-notify'], { cwd: root });
      assert.equal(result.code, 2, result.stderr);
      assert.equal(result.stdout, '');
      assert.match(result.stderr, /^cctrial: No test files found in empty\. cctrial looks where each project's test script looks, or for node --test's default patterns .*"cctrial --print-config" shows what each project runs\.\n$/);
    }
    await assertNoProcessLeft(root);
  });

  test('an empty workspace: workspaces declared, no package in them', async () => {
    const root = writeWorkspace({ 'package.json': JSON.stringify({ name: 'empty-ws', private: true, workspaces: ['packages/*'] }), 'packages/.keep': '' });
    const result = await runCli(['-f', '--no-notify'], { cwd: root });
    assert.equal(result.code, 2, result.stderr);
    assert.match(result.stderr, /^cctrial: No test files found in .*"cctrial --print-config" shows what each project runs\.\n$/);
  });

  test('an invalid package.json at the root', async () => {
    const root = writeWorkspace({ 'package.json': '{ "name": "broken", "workspaces": [' });
    const result = await runCli(['-f', '--no-notify'], { cwd: root });
    assert.equal(result.code, 2, result.stderr);
    assert.match(result.stderr, new RegExp(`^cctrial: ${escape(path.join(root, 'package.json'))} is not valid JSON \\(.+\\)\\. Fix the file and run cctrial again\\.\\n$`));
  });

  test('a missing node_modules: a warning says to install, and each file that imports a package fails to load', async () => {
    const root = writeLoopMonorepo();
    rmSync(path.join(root, 'node_modules'), { recursive: true });
    const result = await runCli(['--once', '--json', '--no-notify', ...JOBS], { cwd: root });
    assert.equal(result.code, 1, result.stderr);
    const events = parseLines(result.stdout);
    const [warning] = ofType(events, 'warning');
    assert.match(warning!.message, /has no node_modules: its dependencies are not installed.* Run npm install \(or yarn, bun install\) there, then save any file\./);
    const [failure] = ofType(events, 'test:fail');
    assert.equal(failure!.file, ANSWER_FILE);
    assert.equal(failure!.error.code, 'ERR_MODULE_NOT_FOUND');
    assert.match(failure!.error.message, /Cannot find package '@fx\/lib'/);
    assert.ok(ofType(events, 'test:pass').some((event) => event.file === OTHER_FILE), 'the file that imports no package passes');
  });

  test('symlink loops inside a project (a -> b -> a, to its own folder, to an ancestor, dangling): discovery and the watcher carry on', async () => {
    const root = writeLoopMonorepo();
    const app = path.join(root, 'packages/app');
    symlinkSync('loop-b', path.join(app, 'loop-a'));
    symlinkSync('loop-a', path.join(app, 'loop-b'));
    symlinkSync('does-not-exist', path.join(app, 'test/dangling'));
    symlinkSync('.', path.join(app, 'test/self'));
    symlinkSync('../..', path.join(root, 'packages/lib/root'));
    const cli = startCli(['-f', ...JOBS], { cwd: root });
    try {
      await cli.waitFor(is('idle'), { what: 'idle after the first suite' });
      assert.equal(ofType(cli.events, 'run:start')[0]!.files, 2);
      const mark = cli.events.length;
      writeFileSync(path.join(root, LIB_FILE), 'export const answer = () => 41;\n');
      await cli.waitFor(is('idle'), { from: mark, what: 'waiting for the fix after a change' });
      assert.deepEqual(ofType(cli.events, 'change', mark)[0]!.files, [LIB_FILE]);
      assert.equal(failures(ofType(cli.events, 'run:end', mark)[0]!), 1);
    } finally {
      await stopAndCheck(cli, root);
    }
  });

  test(
    'links to their own folder and to an ancestor: each test file is found and run once',
    async () => {
      const root = writeLoopMonorepo();
      // Followed, one such link finds every file 41 times (until ELOOP); two make the walk exponential.
      symlinkSync('.', path.join(root, 'packages/app/test/self'));
      symlinkSync('..', path.join(root, 'packages/app/parent'));
      const result = await runCli(['--once', '--json', '--no-notify', ...JOBS], { cwd: root });
      assert.equal(result.code, 0, result.stderr);
      assert.equal(ofType(parseLines(result.stdout), 'run:start')[0]!.files, 2);
    },
  );
});

// ---------------------------------------------------------------------------------------------------

describe('the inotify limit: the message gives the sysctl fix', () => {
  const reason = userNamespaceUnavailable();
  /**
   * The limit is set in a user namespace of its own (`unshare --user`, /proc/sys/user/max_inotify_watches):
   * inotify watches are counted per user namespace, so nothing outside the test sees the lower limit.
   */
  const limitedNode = (watches: number): string => {
    const wrapper = path.join(scratchFolder('cctrial-inotify-'), 'node-with-inotify-limit');
    writeFileSync(
      wrapper,
      `#!/bin/sh\nexec unshare --user --map-root-user sh -c 'echo ${watches} > /proc/sys/user/max_inotify_watches && exec "$0" "$@"' ${JSON.stringify(process.execPath)} "$@"\n`,
    );
    chmodSync(wrapper, 0o755);
    return wrapper;
  };

  test('at start-up: exit code 2 and the sysctl command', { skip: reason }, async () => {
    const root = writeLoopMonorepo(Object.fromEntries(Array.from({ length: 10 }, (_, index) => [`src/folder-${index}/index.js`, 'export {};\n'])));
    const cli = startCli(['-f', ...JOBS], { cwd: root, node: limitedNode(5) });
    const code = await cli.exited;
    assert.equal(code, 2, cli.stderr());
    assert.match(
      cli.stderr(),
      /^cctrial: The system's limit on watched folders was reached while watching .*\(inotify_add_watch on '.*' failed: No space left on device\): changes there are not seen\. Raise it with "sudo sysctl fs\.inotify\.max_user_watches=524288", and add "fs\.inotify\.max_user_watches=524288" to \/etc\/sysctl\.conf to keep it after a reboot\.\n$/,
    );
    assert.deepEqual(cli.events, []);
    await assertNoProcessLeft(root);
  });

  test(
    'while watching: folders created past the limit are reported, with the sysctl command',
    { skip: reason },
    async () => {
      const root = writeLoopMonorepo();
      const cli = startCli(['-f', ...JOBS], { cwd: root, node: limitedNode(12) });
      try {
        await cli.waitFor(is('idle'), { what: 'idle after the first suite' });
        const mark = cli.events.length;
        // Empty folders start no run; a sentinel in a folder watched from the start shows their batch is through.
        for (let index = 0; index < 20; index++) mkdirSync(path.join(root, `packages/app/test/new-${index}`));
        writeFileSync(path.join(root, 'packages/lib/sentinel-1.js'), 'export {};\n');
        await cli.waitFor(is('change', (event) => event.files.includes('packages/lib/sentinel-1.js')), { from: mark, what: 'the first sentinel change' });
        await cli.waitFor(is('idle'), { from: mark, what: 'idle after the sentinel run' });
        const edit = cli.events.length;
        writeFileSync(path.join(root, 'packages/app/test/new-19/more.test.js'), TEST_HEADER + "test('more', () => {});\n");
        writeFileSync(path.join(root, 'packages/lib/sentinel.js'), 'export {};\n');
        await cli.waitFor(is('change', (event) => event.files.includes('packages/lib/sentinel.js')), { from: edit, what: 'the sentinel change' });
        const seen = ofType(cli.events, 'change', edit).flatMap((event) => event.files).includes('packages/app/test/new-19/more.test.js');
        const warned = ofType(cli.events, 'warning', mark).some((event) => /fs\.inotify\.max_user_watches/.test(event.message));
        assert.ok(seen || warned, `the change in new-19 was lost without a warning: ${JSON.stringify(cli.events.slice(mark))}`);
      } finally {
        await stopAndCheck(cli, root);
      }
    },
  );
});

// ---------------------------------------------------------------------------------------------------

describe('the watchdog counts only the time it watched', () => {
  // --timeout 1000 gives a watchdog of 6 s; the test takes 2 s under a timeout of its own, and passes.
  const SLOW_PASS = TEST_HEADER + "test('takes two seconds', { timeout: 60_000 }, async () => {\n  await new Promise((resolve) => setTimeout(resolve, 2_000));\n});\n";
  const STOPPED_MS = 8_000;

  for (const who of ['cctrial', 'the test process'] as const) {
    test(`${who} stopped (SIGSTOP) for longer than the watchdog, then continued: the test still passes`, async () => {
      const pidFile = path.join(scratchFolder(), 'pid');
      const root = writeLoopMonorepo({ 'test/answer.test.js': SLOW_PASS.replace("test('takes", ATOMIC_WRITE + "writeAtomically(process.env.CCTRIAL_PID_FILE, String(process.pid));\ntest('takes") });
      const cli = startCli(['--once', '--timeout', '1000', ...JOBS], { cwd: root, env: { CCTRIAL_PID_FILE: pidFile } });
      try {
        await cli.waitFor(is('test:start', (event) => event.name === 'takes two seconds'), { what: 'the slow test under way' });
        const stopped = who === 'cctrial' ? cli.child.pid! : Number(readFileSync(pidFile, 'utf8'));
        process.kill(stopped, 'SIGSTOP');
        await new Promise((resolve) => setTimeout(resolve, STOPPED_MS));
        process.kill(stopped, 'SIGCONT');
        const end = (await cli.waitFor(is('run:end'), { what: 'the end of the run', timeoutMs: 60_000 })) as RunEnd;
        assert.deepEqual([end.passed, end.failed, end.errors, end.cancelled], [2, 0, 0, 0], JSON.stringify(ofType(cli.events, 'test:fail')));
        assert.equal(await cli.exited, 0);
      } finally {
        await cli.stop();
      }
    });
  }
});

describe('output, names and files that change under a run', () => {
  test('a run ends when its test process ends, even while a process the test started in a group of its own holds its output open; that process is ended and its file named', async () => {
    const pidFile = path.join(scratchFolder(), 'pid');
    const root = writeLoopMonorepo({
      'test/answer.test.js':
        TEST_HEADER +
        ATOMIC_WRITE +
        "import { spawn } from 'node:child_process';\n" +
        "test('answers', () => {\n" +
        "  const sleeper = spawn('sleep', ['600'], { detached: true, stdio: 'inherit' });\n" +
        '  sleeper.unref();\n' +
        '  writeAtomically(process.env.CCTRIAL_PID_FILE, String(sleeper.pid));\n' +
        '});\n',
    });
    try {
      // Were the run to wait for the pipes, it would last the sleep's 600 s; the helper gives up long before.
      const result = await runCli(['--once', '--json', '--no-notify', ...JOBS], { cwd: root, env: { CCTRIAL_PID_FILE: pidFile }, timeoutMs: 60_000 });
      assert.equal(result.code, 0, result.stdout + result.stderr);
      const events = parseLines(result.stdout);
      const end = ofType(events, 'run:end')[0]!;
      assert.deepEqual([end.passed, end.failed, end.errors, end.cancelled], [2, 0, 0, 0]);
      // The process it left is ended with the run, and the file that left it is named.
      const sleeper = Number(readFileSync(pidFile, 'utf8'));
      await waitUntil(() => !isAlive(sleeper), { what: `the detached sleep ${sleeper} to be ended` });
      const warnings = ofType(events, 'warning').map((event) => event.message);
      assert.equal(warnings.length, 1, JSON.stringify(warnings));
      assert.match(warnings[0]!, new RegExp(`^packages/app/test/answer\\.test\\.js left a process running after it ended, in a process group of its own \\(${sleeper}: sleep 600\\); cctrial ended it\\.`));
    } finally {
      if (existsSync(pidFile) && isAlive(Number(readFileSync(pidFile, 'utf8')))) process.kill(Number(readFileSync(pidFile, 'utf8')), 'SIGKILL');
    }
  });

  test('a test printing 100 MB to stdout: RSS stays bounded, and the tail of the output is kept', async () => {
    const root = writeLoopMonorepo({
      'test/loud.test.js':
        TEST_HEADER +
        "test('prints 100 MB', () => {\n" +
        "  const megabyte = ('x'.repeat(1023) + '\\n').repeat(1024);\n" +
        '  for (let index = 0; index < 100; index++) process.stdout.write(megabyte);\n' +
        "  process.stdout.write('THE LAST LINE\\n');\n" +
        '});\n',
    });
    const cli = startCli(['--once', ...JOBS], { cwd: root });
    const pid = cli.child.pid!;
    let maxRssKb = 0;
    const sample = () => {
      const rss = vmRssKb(pid);
      if (rss !== undefined) maxRssKb = Math.max(maxRssKb, rss);
    };
    const sampler = setInterval(sample, 20);
    try {
      const code = await cli.exited;
      assert.equal(code, 0, cli.stderr());
    } finally {
      clearInterval(sampler);
      await stopAndCheck(cli, root);
    }
    const output = ofType(cli.events, 'output').find((event) => event.file === 'packages/app/test/loud.test.js');
    assert.ok(output, 'the output of loud.test.js is reported');
    const dropped = Number(/^… ([\d,]+) earlier bytes cut\n/.exec(output.stdout)?.[1]?.replaceAll(',', ''));
    assert.ok(dropped >= 99 * 1024 * 1024, `the head is dropped and counted: ${output.stdout.slice(0, 80)}`);
    assert.ok(output.stdout.endsWith('x\nTHE LAST LINE\n'), 'the tail is kept');
    assert.ok(output.stdout.length <= 1024 * 1024 + 100, `at most 1 MB is kept, got ${output.stdout.length}`);
    assert.equal(ofType(cli.events, 'run:end')[0]!.passed, 3);
    assert.ok(maxRssKb > 0, 'RSS was sampled');
    assert.ok(maxRssKb < 250 * 1024, `cctrial's RSS peaked at ${Math.round(maxRssKb / 1024)} MB`);
    process.stderr.write(`# 100 MB of stdout: cctrial's peak RSS ${Math.round(maxRssKb / 1024)} MB\n`);
  });

  test('thirty tests failing with 5 MB messages: RSS stays bounded, each message is cut with a marker, and the run ends with its summary', async () => {
    const root = writeLoopMonorepo({
      'test/huge.test.js':
        TEST_HEADER +
        "const message = () => 'x'.repeat(5 * 1024 * 1024);\n" +
        "for (let index = 0; index < 30; index++) test('fails huge ' + index, () => { throw new Error(message()); });\n",
    });
    const cli = startCli(['--once', ...JOBS], { cwd: root });
    const pid = cli.child.pid!;
    let maxRssKb = 0;
    const sampler = setInterval(() => {
      const rss = vmRssKb(pid);
      if (rss !== undefined) maxRssKb = Math.max(maxRssKb, rss);
    }, 20);
    try {
      assert.equal(await cli.exited, 1, cli.stderr());
    } finally {
      clearInterval(sampler);
      await stopAndCheck(cli, root);
    }
    const failures = ofType(cli.events, 'test:fail').filter((event) => event.file === 'packages/app/test/huge.test.js');
    assert.equal(failures.length, 30);
    for (const failure of failures) {
      assert.match(failure.error.message, /^x+… 5,177,344 bytes cut$/);
      assert.ok(Buffer.byteLength(failure.error.message) < 65 * 1024, `${Buffer.byteLength(failure.error.message)} bytes kept`);
    }
    const end = ofType(cli.events, 'run:end')[0]!;
    assert.deepEqual([end.passed, end.failed, end.errors], [2, 0, 30]);
    // One cause: equal heads thrown at one site (results/signature.ts says why).
    const [group] = ofType(cli.events, 'groups')[0]!.groups;
    assert.equal(group?.count, 30);
    assert.ok(maxRssKb > 0, 'RSS was sampled');
    assert.ok(maxRssKb < 300 * 1024, `cctrial's RSS peaked at ${Math.round(maxRssKb / 1024)} MB`);
    process.stderr.write(`# 30 failures with 5 MB messages: cctrial's peak RSS ${Math.round(maxRssKb / 1024)} MB\n`);
  });

  test('names with regex metacharacters and unicode, and duplicates: the fix loop re-runs exactly the failing one', async () => {
    const name = 'price (a|b) [x] .* $1 ünïcödé 🚀';
    const root = writeLoopMonorepo({
      'test/names.test.js':
        TEST_HEADER +
        "import { describe, it } from 'node:test';\nimport { answer } from '../src/answer.js';\n" +
        `test(${JSON.stringify(name)}, () => assert.ok(true));\n` +
        `test(${JSON.stringify(name)}, () => assert.equal(answer(), 42));\n` +
        `test(${JSON.stringify('price (a|b) [x] .*')}, () => assert.ok(true));\n` +
        `describe(${JSON.stringify(name)}, () => {\n  it(${JSON.stringify(name)}, () => assert.ok(true));\n});\n`,
      'src/answer.js': 'export const answer = () => 41;\n',
    });
    const cli = startCli(JOBS, { cwd: root });
    try {
      await cli.waitFor(is('idle'), { what: 'waiting for a fix' });
      const failing = ofType(cli.events, 'test:fail').filter((event) => event.file === 'packages/app/test/names.test.js');
      assert.deepEqual(
        failing.map((event) => [event.name, event.occurrence]),
        [
          [[name], 1],
          [[name], 1],
        ],
        'the second of the two same-named tests fails, in the suite and again in the fix run',
      );
      const fixes = ofType(cli.events, 'fix');
      assert.ok(fixes.some((event) => event.test.file === 'packages/app/test/names.test.js'));
      const mark = cli.events.length;
      writeFileSync(path.join(root, 'packages/app/src/answer.js'), 'export const answer = () => 42;\n');
      assert.equal(await cli.exited, 0, cli.stderr());
      const [last] = ofType(cli.events, 'run:end', mark).slice(-1);
      assert.equal(last!.phase, 'suite');
      assert.equal(failures(last!), 0);
      assert.equal(last!.passed, 6);
      const passed = ofType(cli.events, 'test:pass', mark).filter((event) => event.file === 'packages/app/test/names.test.js');
      assert.deepEqual(
        passed.map((event) => [event.name, event.occurrence]).sort(),
        [
          [[name], 0],
          [[name], 1],
          [[name], 1],
          [[name, name], 0],
          [['price (a|b) [x] .*'], 0],
        ].sort(),
        'the fix run reports the failing test, by name and occurrence; the suite reports every test',
      );
    } finally {
      await stopAndCheck(cli, root);
    }
  });

  /**
   * A suite run held at a gate: a-gate.test.js runs first (-j 1) and waits for a file to appear, so
   * b.test.js is still queued while the test changes the file list; then it opens the gate.
   */
  async function changeFilesDuringRun(change: (root: string) => void): Promise<{ cli: LiveCli; root: string; runEnd: RunEnd; gateRun: number }> {
    const gate = path.join(scratchFolder(), 'gate');
    writeFileSync(gate, '');
    const root = writeLoopMonorepo({
      'test/a-gate.test.js':
        TEST_HEADER +
        "import { existsSync } from 'node:fs';\n" +
        "test('waits at the gate', async () => {\n" +
        '  while (!existsSync(process.env.CCTRIAL_GATE)) await new Promise((resolve) => setTimeout(resolve, 20));\n' +
        '});\n',
      'test/b.test.js': TEST_HEADER + "test('b passes', () => assert.ok(true));\n",
    });
    const cli = startCli(['-f', '-j', '1'], { cwd: root, env: { CCTRIAL_GATE: gate } });
    await cli.waitFor(is('idle'), { what: 'idle after the first suite' });
    assert.equal(ofType(cli.events, 'run:start')[0]!.files, 4);
    unlinkSync(gate);
    const gateRun = cli.events.length;
    writeFileSync(path.join(root, LIB_FILE), '// touched\n' + LIB_SOURCE);
    await cli.waitFor(is('test:start', (event) => event.name === 'waits at the gate'), { from: gateRun, what: 'the gate test running' });
    const changedAt = cli.events.length;
    change(root);
    await cli.waitFor(is('change', (event) => event.files.some((file) => file.endsWith('b.test.js'))), { from: changedAt, what: 'the change of the file list' });
    writeFileSync(gate, '');
    const runEnd = (await cli.waitFor(is('run:end'), { from: gateRun, what: 'the end of the gated run' })) as RunEnd;
    return { cli, root, runEnd, gateRun };
  }

  /** Waits until the loop rests after a green suite, and returns that suite's run:start. */
  async function greenSuiteAfter(cli: LiveCli, from: number): Promise<Extract<CctrialEvent, { type: 'run:start' }>> {
    const green = await cli.waitFor(is('run:end', (event) => event.phase === 'suite' && failures(event) === 0), { from, what: 'a green suite' });
    await cli.waitFor(is('idle'), { from: cli.events.indexOf(green), what: 'idle after the green suite' });
    const starts = ofType(cli.events.slice(0, cli.events.indexOf(green)), 'run:start');
    return starts[starts.length - 1]!;
  }

  test('a test file deleted during a run: the run finishes, and the loop ends green on the new file list', async () => {
    const { cli, root, runEnd } = await changeFilesDuringRun((root) => unlinkSync(path.join(root, 'packages/app/test/b.test.js')));
    try {
      assert.equal(runEnd.phase, 'suite');
      const start = await greenSuiteAfter(cli, cli.events.indexOf(runEnd) + 1);
      assert.equal(start.files, 3);
      const after = cli.events.slice(cli.events.indexOf(start));
      assert.ok(!JSON.stringify(after).includes('b.test.js'), JSON.stringify(after));
      assert.deepEqual(ofType(cli.events, 'warning'), []);
    } finally {
      await stopAndCheck(cli, root);
    }
  });

  test('a test file renamed during a run: the run finishes, and the loop ends green on the new file list', async () => {
    const { cli, root, runEnd } = await changeFilesDuringRun((root) =>
      renameSync(path.join(root, 'packages/app/test/b.test.js'), path.join(root, 'packages/app/test/c.test.js')),
    );
    try {
      assert.equal(runEnd.phase, 'suite');
      const start = await greenSuiteAfter(cli, cli.events.indexOf(runEnd) + 1);
      assert.equal(start.files, 4);
      const after = cli.events.slice(cli.events.indexOf(start));
      assert.ok(ofType(after, 'test:pass').some((event) => event.file === 'packages/app/test/c.test.js' && event.name[0] === 'b passes'));
      assert.ok(!ofType(after, 'test:pass').some((event) => event.file.endsWith('/b.test.js')));
    } finally {
      await stopAndCheck(cli, root);
    }
  });

  for (const [what, change] of [
    ['deleted', (root: string) => unlinkSync(path.join(root, 'packages/app/test/b.test.js'))],
    ['renamed', (root: string) => renameSync(path.join(root, 'packages/app/test/b.test.js'), path.join(root, 'packages/app/test/c.test.js'))],
  ] as const) {
    test(
      `a test file ${what} during a run is not reported as failing, and the next run is a suite on the new file list`,
      async () => {
        const { cli, root, runEnd } = await changeFilesDuringRun(change);
        try {
          const during = cli.events.slice(0, cli.events.indexOf(runEnd));
          assert.deepEqual(ofType(during, 'test:fail').filter((event) => event.file.endsWith('b.test.js')), []);
          const next = await cli.waitFor(is('run:start'), { from: cli.events.indexOf(runEnd), what: 'the next run' });
          assert.deepEqual(next, { type: 'run:start', phase: 'suite', tests: (next as { tests: number | null }).tests, files: what === 'deleted' ? 3 : 4 });
        } finally {
          await stopAndCheck(cli, root);
        }
      },
    );
  }
});

// ---------------------------------------------------------------------------------------------------

describe('faults: a worker killed, the terminal closed', () => {
  test('cctrial SIGKILLed while a test waits: its test processes end within seconds, and none spins', async () => {
    const scratch = scratchFolder();
    const pidFile = path.join(scratch, 'pid');
    const root = writeLoopMonorepo({
      'test/waits.test.js':
        TEST_HEADER +
        ATOMIC_WRITE +
        "test('waits a minute', async () => {\n  writeAtomically(process.env.CCTRIAL_PID_FILE, String(process.pid));\n  await new Promise((resolve) => setTimeout(resolve, 60_000));\n});\n",
    });
    const cli = startCli(['-f', ...JOBS], { cwd: root, env: { CCTRIAL_PID_FILE: pidFile } });
    const waiting = await waitUntil(() => existsSync(pidFile) && Number(readFileSync(pidFile, 'utf8')), { what: `the waiting test's pid in ${pidFile}` });
    const known = descendantsOf(cli.child.pid!);
    assert.ok(known.includes(waiting));
    process.kill(cli.child.pid!, 'SIGKILL');
    // No handler runs in cctrial: the child sees its frame pipe close at its next heartbeat, and exits.
    await assertNoProcessLeft(root, known);
    await cli.stop();
  });

  test('cctrial SIGKILLed while a test hangs in a loop: the test process, its grandchild and a detached grandchild are all gone within seconds', async () => {
    const pidsFile = path.join(scratchFolder(), 'pids.json');
    const root = writeLoopMonorepo({
      'test/hangs.test.js':
        TEST_HEADER +
        ATOMIC_WRITE +
        "import { spawn } from 'node:child_process';\n" +
        "test('hangs', () => {\n" +
        "  const inGroup = spawn('sleep', ['300'], { stdio: 'ignore' });\n" +
        "  const detached = spawn('sleep', ['301'], { stdio: 'ignore', detached: true });\n" +
        '  writeAtomically(process.env.CCTRIAL_PIDS_FILE, JSON.stringify({ test: process.pid, inGroup: inGroup.pid, detached: detached.pid }));\n' +
        '  for (;;) {}\n' +
        '});\n',
    });
    const cli = startCli(['-f', ...JOBS], { cwd: root, env: { CCTRIAL_PIDS_FILE: pidsFile } });
    const pids = await waitUntil(() => existsSync(pidsFile) && (JSON.parse(readFileSync(pidsFile, 'utf8')) as Record<string, number>), { what: `the pids in ${pidsFile}` });
    const known = [...descendantsOf(cli.child.pid!), ...Object.values(pids)];
    process.kill(cli.child.pid!, 'SIGKILL');
    // No handler of cctrial's runs, and the hung test never heartbeats: only the reaper can end them.
    try {
      await assertNoProcessLeft(root, known);
    } finally {
      for (const pid of Object.values(pids)) if (isAlive(pid)) process.kill(pid, 'SIGKILL');
    }
    await cli.stop();
  });

  test('a worker SIGKILLed in the middle of a run: a CrashError for its file, the rest reported, and the loop goes on', async () => {
    const scratch = scratchFolder();
    const pidFile = path.join(scratch, 'pid');
    const release = path.join(scratch, 'release');
    const root = writeLoopMonorepo({
      'test/victim.test.js':
        TEST_HEADER +
        ATOMIC_WRITE +
        "import { existsSync } from 'node:fs';\n" +
        "test('passes before the kill', () => assert.ok(true));\n" +
        "test('is killed', async () => {\n" +
        '  writeAtomically(process.env.CCTRIAL_PID_FILE, String(process.pid));\n' +
        '  while (!existsSync(process.env.CCTRIAL_RELEASE)) await new Promise((resolve) => setTimeout(resolve, 20));\n' +
        '});\n',
    });
    const cli = startCli(['-f', ...JOBS], { cwd: root, env: { CCTRIAL_PID_FILE: pidFile, CCTRIAL_RELEASE: release } });
    try {
      const victim = await waitUntil(() => existsSync(pidFile) && Number(readFileSync(pidFile, 'utf8')), { what: `the test process's pid in ${pidFile}` });
      assert.ok(descendantsOf(cli.child.pid!).includes(victim), 'the pid is one of cctrial’s children');
      // node:test reports a test's pass before it starts the next one, but its reporter runs later: the
      // test:start of "is killed" proves that the pass of the test before it reached cctrial (see the todo below).
      await cli.waitFor(is('test:start', (event) => event.name === 'is killed'), { what: 'the test that is killed, started' });
      unlinkSync(pidFile);
      process.kill(victim, 'SIGKILL');

      const suiteEnd = (await cli.waitFor(is('run:end', (event) => event.phase === 'suite'), { what: 'the end of the suite' })) as RunEnd;
      const suite = cli.events.slice(0, cli.events.indexOf(suiteEnd));
      const [crash, ...others] = ofType(suite, 'test:fail');
      assert.deepEqual(others, []);
      assert.equal(crash!.file, 'packages/app/test/victim.test.js');
      assert.deepEqual(crash!.name, []);
      assert.equal(crash!.error.type, 'CrashError');
      assert.match(crash!.error.message, /^The test process was killed by SIGKILL before node:test finished, so its remaining results are lost\./);
      // Nothing reported before the kill is lost, and the other files are reported.
      const passed = ofType(suite, 'test:pass').map((event) => `${path.basename(event.file)} › ${event.name.join(' › ')}`).sort();
      assert.deepEqual(passed, ['answer.test.js › answers', 'other.test.js › still runs', 'victim.test.js › passes before the kill']);
      // The loop goes on: the fix run starts the file again; let it finish this time.
      await cli.waitFor(is('run:start', (event) => event.phase === 'fix'), { from: cli.events.indexOf(suiteEnd), what: 'the fix run' });
      assert.deepEqual(ofType(cli.events, 'fix')[0]!.test, { project: '@fx/app', file: 'packages/app/test/victim.test.js', name: [], occurrence: 0 });
      const again = await waitUntil(() => existsSync(pidFile) && Number(readFileSync(pidFile, 'utf8')), { what: 'the pid of the fix run' });
      assert.notEqual(again, victim);
      writeFileSync(release, '');
      await greenAndIdle(cli, cli.events.indexOf(suiteEnd) + 1, 4);
      assert.ok(!isAlive(victim));
    } finally {
      await stopAndCheck(cli, root);
    }
  });

  test(
    'a test that passed just before its process was killed is still reported',
    { todo: "bug: node:test hands results to the reporter asynchronously; a SIGKILL at the start of the next test (here the test kills itself) loses the previous test's pass, which node:test had already decided" },
    async () => {
      const root = writeLoopMonorepo({
        'test/victim.test.js': TEST_HEADER + "test('passes before the kill', () => assert.ok(true));\ntest('is killed', () => {\n  process.kill(process.pid, 'SIGKILL');\n});\n",
      });
      const result = await runCli(['--once', '--json', '--no-notify', ...JOBS], { cwd: root });
      const events = parseLines(result.stdout);
      assert.equal(ofType(events, 'test:fail')[0]!.error.type, 'CrashError');
      assert.ok(ofType(events, 'test:pass').some((event) => event.name[0] === 'passes before the kill'), JSON.stringify(events));
    },
  );

  describe('the terminal closes (the pseudo-terminal is destroyed)', () => {

    for (const { how, shell } of [
      { how: 'cctrial started by the terminal', shell: false },
      { how: 'cctrial started from a shell in the terminal', shell: true },
    ]) {
      test(`while waiting for a change, ${how}: cctrial exits and no process remains`, async () => {
        const root = writeLoopMonorepo();
        const terminal = startInPty(root, shell);
        try {
          await terminal.waitForOutput(/waiting for filesystem change\.\.\./, 'the green suite, waiting');
          const known = [terminal.pid, ...descendantsOf(terminal.pid)];
          assert.ok(known.length >= 2, `cctrial and its booted child: ${known.map(describePid).join('; ')}`);
          terminal.destroy();
          const exit = await terminal.exited;
          await assertNoProcessLeft(root, known);
          assertHangupExit(exit);
        } finally {
          terminal.kill();
        }
      });
    }

    test('during a run whose test spawned a grandchild: cctrial, the test and the grandchild are gone', async () => {
      const pidsFile = path.join(scratchFolder(), 'pids.json');
      const root = writeLoopMonorepo(grandchildFixture(120_000));
      const terminal = startInPty(root, true, { CCTRIAL_PIDS_FILE: pidsFile });
      try {
        const pids = await waitUntil(() => existsSync(pidsFile) && (JSON.parse(readFileSync(pidsFile, 'utf8')) as { test: number; grandchild: number }), {
          what: `the pids in ${pidsFile}`,
        });
        const known = [terminal.pid, ...descendantsOf(terminal.pid)];
        assert.ok(known.includes(pids.test) && known.includes(pids.grandchild), known.map(describePid).join('; '));
        terminal.destroy();
        const exit = await terminal.exited;
        await assertNoProcessLeft(root, known);
        assertHangupExit(exit);
      } finally {
        terminal.kill();
      }
    });

    test(
      'cctrial ends cleanly when its terminal closes: exit code 129 or the SIGHUP itself, never an abort',
      async () => {
        const root = writeLoopMonorepo();
        const terminal = startInPty(root, false);
        try {
          await terminal.waitForOutput(/waiting for filesystem change\.\.\./, 'the green suite, waiting');
          terminal.destroy();
          const exit = await terminal.exited;
          assert.ok(cleanHangup(exit), JSON.stringify(exit));
        } finally {
          terminal.kill();
        }
      },
    );
  });
});

// ---------------------------------------------------------------------------------------------------
// Helpers

async function greenAndIdle(cli: LiveCli, from: number, passed: number): Promise<void> {
  const green = (await cli.waitFor(is('run:end', (event) => event.phase === 'suite' && failures(event) === 0), { from, what: 'a green suite' })) as RunEnd;
  assert.equal(green.passed, passed);
  await cli.waitFor(is('idle'), { from: cli.events.indexOf(green), what: 'idle after the green suite' });
}

function parseLines(stdout: string): CctrialEvent[] {
  return stdout
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as CctrialEvent);
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

function vmRssKb(pid: number): number | undefined {
  try {
    const match = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) : undefined;
  } catch {
    return undefined;
  }
}

/** Why the inotify tests cannot run here, or undefined when a user namespace can lower the limit. */
function userNamespaceUnavailable(): string | undefined {
  if (process.platform !== 'linux') return 'inotify is Linux only';
  const probe = spawnSync('unshare', ['--user', '--map-root-user', 'sh', '-c', 'echo 100 > /proc/sys/user/max_inotify_watches'], { encoding: 'utf8' });
  if (probe.error || probe.status !== 0) {
    return `cannot lower the inotify limit in a user namespace of its own (unshare --user): ${probe.error?.message ?? probe.stderr.trim()}`;
  }
  return undefined;
}

interface PtyRun {
  pid: number;
  output(): string;
  waitForOutput(pattern: RegExp, what: string): Promise<void>;
  exited: Promise<{ exitCode: number; signal: number }>;
  /** Closes the terminal: the master side of the pty, as when a terminal window is closed. */
  destroy(): void;
  /** Clean-up: SIGKILL to what is still alive. */
  kill(): void;
}

/** Runs `cctrial -f` in a real pseudo-terminal, directly or from `bash -c`, in the plain environment of an interactive terminal. */
function startInPty(root: string, shell: boolean, extraEnv: Record<string, string> = {}): PtyRun {
  const command = [process.execPath, CLI, '-f', '--no-notify', ...JOBS];
  const env: Record<string, string> = { TERM: 'xterm-256color', ...extraEnv };
  for (const [key, value] of Object.entries(process.env)) {
    if (value !== undefined && !['NODE_TEST_CONTEXT', 'CI', 'NO_COLOR', 'FORCE_COLOR'].includes(key) && !(key in env)) env[key] = value;
  }
  const file = shell ? '/bin/bash' : command[0]!;
  // The shell runs cctrial as a child, not by exec: as when a user types the command.
  const args = shell ? ['-c', `${command.map((word) => `'${word}'`).join(' ')}; echo "cctrial exited with $?"`] : command.slice(1);
  const terminal = pty.spawn(file, args, { name: 'xterm-256color', cols: 120, rows: 40, cwd: root, env });
  let output = '';
  const waiters = new Set<() => void>();
  terminal.onData((data) => {
    output += data;
    for (const wake of waiters) wake();
  });
  let exitInfo: { exitCode: number; signal: number } | undefined;
  const exited = new Promise<{ exitCode: number; signal: number }>((resolve) =>
    terminal.onExit(({ exitCode, signal }) => {
      exitInfo = { exitCode, signal: signal ?? 0 };
      for (const wake of waiters) wake();
      resolve(exitInfo);
    }),
  );
  const plain = () => output.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '');
  return {
    pid: terminal.pid,
    output: plain,
    waitForOutput(pattern, what) {
      const failure = new Error(`timed out waiting for ${what}`);
      return new Promise((resolve, reject) => {
        const check = () => {
          if (pattern.test(plain())) done(resolve);
          else if (exitInfo) done(() => reject(Object.assign(failure, { message: `the terminal's process exited (${JSON.stringify(exitInfo)}) before ${what}\n${plain().slice(-2000)}` })));
        };
        const timer = setTimeout(() => done(() => reject(Object.assign(failure, { message: `${failure.message}\n${plain().slice(-2000)}` }))), WAIT_MS);
        const done = (then: () => void) => {
          clearTimeout(timer);
          waiters.delete(check);
          then();
        };
        waiters.add(check);
        check();
      });
    },
    exited,
    // node-pty's Unix terminal has destroy() (close the master, then SIGHUP), though its typings omit it.
    destroy: () => (terminal as typeof terminal & { destroy(): void }).destroy(),
    kill() {
      if (!exitInfo) {
        for (const pid of [...descendantsOf(terminal.pid), terminal.pid]) {
          try {
            process.kill(pid, 'SIGKILL');
          } catch {
            // Gone already.
          }
        }
      }
    },
  };
}

const SIGHUP = 1;
/** Ending after a hangup: exit code 129, or death by the SIGHUP itself (as a shell does), never a crash. */
const cleanHangup = (exit: { exitCode: number; signal: number }) => exit.exitCode === 129 || exit.signal === SIGHUP;

/**
 * How the terminal's process ended after a hangup: cleanly. (A `process.exit()` after the hangup would
 * abort on Node 20, in Node's exit path: nodejs/node#51519, SIGABRT or SIGSEGV.)
 */
function assertHangupExit(exit: { exitCode: number; signal: number }): void {
  assert.ok(cleanHangup(exit), JSON.stringify(exit));
}
