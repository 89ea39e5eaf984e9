/**
 * Issue 12, clear messages where today they mislead: the built CLI on real fixtures, with real node:test
 * children. A closed stdout pipe (through a real shell pipe into `head -1`), a top-level await that never
 * settles (compared with plain `node --test`), and internal errors (a real exception inside cctrial,
 * caused by a module preloaded into cctrial's own process with `node --import`, never into the tests).
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { CLI, HARNESS_ENV_UNSET, parseEvents, runCli } from '../helpers/cli.js';
import { writeWorkspace } from '../helpers/workspace.js';
import { waitUntilGone } from '../helpers/fixtures.js';
import { processesMentioning, scratchFolder, waitUntil } from './loop-helpers.js';

const EXIT_OUTPUT_CLOSED = 141;
const EXIT_INTERNAL = 70;

interface PipeResult {
  /** cctrial's own exit code, from bash's PIPESTATUS. */
  code: number;
  /** What head printed: the first line. */
  firstLine: string;
  stderr: string;
  ms: number;
}

/** `cctrial ARGS | head -1` in a real shell pipeline: head exits after one line and closes the pipe. */
function pipeToHead(args: string[], cwd: string, timeoutMs = 60_000): Promise<PipeResult> {
  const script = 'node "$0" "$@" 2>"$CCTRIAL_STDERR" | head -1; echo "status ${PIPESTATUS[0]}" >&2';
  // Outside the workspace, so that the watcher never sees it.
  const stderrFile = path.join(scratchFolder('cctrial-pipe-stderr-'), 'stderr');
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const shell = spawn('bash', ['-c', script, CLI, ...args], {
      cwd,
      env: { ...process.env, ...HARNESS_ENV_UNSET, NO_COLOR: '1', CCTRIAL_STDERR: stderrFile },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let status = '';
    shell.stdout.on('data', (chunk) => (stdout += chunk));
    shell.stderr.on('data', (chunk) => (status += chunk));
    const timer = setTimeout(() => {
      shell.kill('SIGKILL');
      reject(new Error(`cctrial ${args.join(' ')} | head -1 did not end in ${timeoutMs} ms: ${stdout}`));
    }, timeoutMs);
    shell.on('close', () => {
      clearTimeout(timer);
      const code = /status (\d+)/.exec(status);
      if (!code) return reject(new Error(`no status: ${status}`));
      resolve({ code: Number(code[1]), firstLine: stdout.trimEnd(), stderr: readFileSync(stderrFile, 'utf8'), ms: performance.now() - started });
    });
  });
}

describe('a closed stdout pipe: cctrial | head -1', () => {
  // Many tests, so that the JSON stream has more lines than head takes, and one slow test that would
  // keep the run going for a minute: cctrial must not wait for it once nobody reads its output.
  const SLOW = `import { test } from 'node:test';
import { writeFileSync } from 'node:fs';
test('sleeps for a minute', async () => {
  writeFileSync('slow.pid', String(process.pid));
  await new Promise((resolve) => setTimeout(resolve, 60_000));
  writeFileSync('slow.finished', '');
});
`;
  const MANY = `import { test } from 'node:test';\nfor (let i = 0; i < 50; i++) test(\`test \${i}\`, () => {});\n`;
  const slowWorkspace = () =>
    writeWorkspace({ 'package.json': JSON.stringify({ name: 'pipe-fixture', type: 'module' }), 'test/slow.test.js': SLOW, 'test/many.test.js': MANY }, 'cctrial-pipe-');
  const fastWorkspace = () =>
    writeWorkspace({ 'package.json': JSON.stringify({ name: 'pipe-fixture', type: 'module' }), 'test/many.test.js': MANY }, 'cctrial-pipe-');

  async function assertQuietPromptExit(result: PipeResult, root: string, what: string): Promise<void> {
    assert.equal(result.code, EXIT_OUTPUT_CLOSED, `${what}: exit code 141, as for a writer killed by SIGPIPE\n${result.stderr}`);
    assert.equal(result.stderr, '', `${what}: nothing on stderr (no EPIPE stack)`);
    // The reaper ends with cctrial; no test process, warm child or watcher is left.
    await waitUntil(() => processesMentioning(root).length === 0, { timeoutMs: 10_000, what: () => `no process of ${root}: ${processesMentioning(root).join('\n')}` });
  }

  for (const mode of [['--once'], ['-f']]) {
    it(`${mode[0]} --json: exits 141 as soon as a write fails, without waiting for the slow test, and ends it`, async () => {
      const root = slowWorkspace();
      const result = await pipeToHead([...mode, '--json', '--no-notify', '-j', '2', '--timeout', '120000'], root);
      assert.deepEqual(JSON.parse(result.firstLine), { type: 'run:start', phase: 'suite', tests: null, files: 2 });
      await assertQuietPromptExit(result, root, mode[0]!);
      assert.equal(existsSync(path.join(root, 'slow.finished')), false, 'cctrial did not wait for the slow test');
      // The slow test process was ended (a zombie not yet reaped by init counts as ended).
      if (existsSync(path.join(root, 'slow.pid'))) await waitUntilGone(Number(readFileSync(path.join(root, 'slow.pid'), 'utf8')), 10_000);
      assert.ok(result.ms < 50_000, `ended in ${Math.round(result.ms)} ms, well before the slow test would have`);
    });

    it(`${mode[0]}, the plain report: exits 141 at its next write, the end of the run, and never waits for a change`, async () => {
      const root = fastWorkspace();
      const result = await pipeToHead([...mode, '--no-notify'], root);
      assert.equal(result.firstLine, 'Running tests in 1 file.');
      await assertQuietPromptExit(result, root, mode[0]!);
    });
  }

  it('--help | head -1 still exits 0: the whole text fits in the pipe before head closes it', async () => {
    const root = fastWorkspace();
    const result = await pipeToHead(['--help'], root);
    assert.match(result.firstLine, /^cctrial \S+: a continuous test runner/);
    assert.equal(result.code, 0);
    assert.equal(result.stderr, '');
  });
});

describe('a top-level await that never settles', () => {
  const TLA_TEST = `import { test } from 'node:test';
test('declared before the await', () => {});
await new Promise(() => {}); // never settles
test('declared after the await', () => {});
`;
  const workspace = () =>
    writeWorkspace({
      'package.json': JSON.stringify({ name: 'tla-fixture', type: 'module' }),
      'test/tla.test.js': TLA_TEST,
      'test/other.test.js': "import { test } from 'node:test';\ntest('other file runs', () => {});\n",
    });

  it('plain node --test: the test before it passes, the file fails with exit code 13 and "test failed", the test after it never appears', () => {
    const root = workspace();
    const run = spawnSync(process.execPath, ['--test', '--test-reporter=tap', 'test/tla.test.js'], { cwd: root, encoding: 'utf8', env: { ...process.env, NODE_TEST_CONTEXT: undefined } });
    assert.equal(run.status, 1, run.stdout);
    assert.match(run.stdout, /^ok 1 - declared before the await$/m);
    assert.match(run.stdout, /exitCode: 13/);
    assert.match(run.stdout, /error: 'test failed'/);
    assert.doesNotMatch(run.stdout, /declared after the await/);
  });

  it('cctrial: the same verdicts, and one UnsettledAwaitError for the file that names it and says the later tests were never declared', async () => {
    const root = workspace();
    const { code, stdout, stderr } = await runCli(['--once', '--json', '--no-notify'], { cwd: root });
    assert.equal(code, 1, stderr);
    const events = parseEvents(stdout);
    const results = events.flatMap((event) => (event.type === 'test:pass' || event.type === 'test:fail' ? [`${event.file} › ${event.name.join(' › ')}: ${event.outcome}`] : []));
    assert.deepEqual(results.sort(), ['test/other.test.js › other file runs: pass', 'test/tla.test.js › : error', 'test/tla.test.js › declared before the await: pass']);
    const failure = events.find((event) => event.type === 'test:fail');
    assert.ok(failure?.type === 'test:fail');
    assert.equal(failure.error.type, 'UnsettledAwaitError');
    assert.ok(failure.error.message.startsWith(`A top-level await ${Number(process.versions.node.split('.')[0]) >= 22 ? 'at' : 'in'} ${root}/test/tla.test.js`), failure.error.message);
    assert.match(failure.error.message, /never settled: .*so Node stopped loading the file there\. The tests declared before the await ran and keep their results; node:test never saw the tests written after it, so they did not run, and cctrial cannot name them\. Make the awaited promise resolve or reject/);
    assert.match(failure.signature, /^UnsettledAwaitError: A top-level await (in|at) test\/tla\.test\.js/);

    const plain = await runCli(['--once', '--no-notify'], { cwd: root });
    assert.equal(plain.code, 1);
    assert.match(plain.stdout, /^={20,} 1 test: UnsettledAwaitError: A top-level await (in|at) test\/tla\.test\.js.* never settled/m);
    assert.match(plain.stdout, /^ {2}- test\/tla\.test\.js$/m);
    assert.match(plain.stdout, /^FAILED \(errors=1, successes=2\)$/m);
    assert.doesNotMatch(plain.stdout, /LateError|CrashError/);
  });
});

describe("load errors in folders named with spaces, quotes, #, % and non-ASCII letters: the real path, never its URL", () => {
  const DIR = "my dir #1 %20 'q' ünï";
  const URL_ENCODED = /my%20dir|%2520|%23|%C3%BC|%C3%AF|file:\/\//;

  it('--once: the printed site, the listed file, and the JSON message, stack and signature', async () => {
    const root = writeWorkspace(
      {
        'package.json': JSON.stringify({ name: 'odd-names', type: 'module' }),
        [`${DIR}/test/syntax.test.js`]: "import { test } from 'node:test';\n\ntest('never registered', () => {\n  const = 1;\n});\n",
        [`${DIR}/test/imports.test.js`]: "import { test } from 'node:test';\nimport { x } from '../lib.js';\ntest('uses lib', () => x);\n",
        [`${DIR}/lib.js`]: 'export const x = ;\n',
      },
      "cctrial odd #%20 'ü' ",
    );
    const plain = await runCli(['--once', '--no-notify'], { cwd: root });
    assert.equal(plain.code, 1, plain.stderr);
    const report = plain.stdout.slice(0, plain.stdout.indexOf('\n---'));
    assert.ok(report.includes(`    at ${DIR}/test/syntax.test.js:4:1\n  - ${DIR}/test/syntax.test.js\n`), report);
    assert.ok(report.includes(`    at ${DIR}/lib.js:1:1\n  - ${DIR}/test/imports.test.js\n`), report);
    assert.doesNotMatch(report, URL_ENCODED, report);

    const json = await runCli(['--once', '--json', '--no-notify'], { cwd: root });
    const failures = parseEvents(json.stdout).flatMap((event) => (event.type === 'test:fail' ? [event] : []));
    assert.deepEqual(failures.map((failure) => failure.file).sort(), [`${DIR}/test/imports.test.js`, `${DIR}/test/syntax.test.js`]);
    for (const failure of failures) {
      assert.doesNotMatch(failure.error.message, URL_ENCODED);
      assert.doesNotMatch(failure.error.stack ?? '', URL_ENCODED);
      assert.doesNotMatch(failure.signature, URL_ENCODED);
      assert.match(failure.signature, new RegExp(` @ ${DIR.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}/(test/syntax\\.test\\.js:4|lib\\.js:1):1$`));
    }
  });
});

describe('internal errors: a bug in cctrial exits 70, says so, and prints the stack', () => {
  const workspace = (breaker: string) =>
    writeWorkspace({
      'package.json': JSON.stringify({ name: 'internal-fixture', type: 'module' }),
      'test/a.test.js': "import { test } from 'node:test';\nimport { writeFileSync } from 'node:fs';\ntest('waits', async () => {\n  writeFileSync('test.pid', String(process.pid));\n  await new Promise((resolve) => setTimeout(resolve, 60_000));\n});\n",
      'break.mjs': breaker,
    });

  /** Runs the CLI with `--import ./break.mjs` given to cctrial's own node process (test processes never see it). */
  function runBroken(root: string, args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
    return new Promise((resolve) => {
      const child = spawn(process.execPath, ['--import', './break.mjs', CLI, ...args], {
        cwd: root,
        env: { ...process.env, ...HARNESS_ENV_UNSET, NO_COLOR: '1' },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (chunk) => (stdout += chunk));
      child.stderr.on('data', (chunk) => (stderr += chunk));
      child.on('close', (code) => resolve({ code, stdout, stderr }));
    });
  }

  function assertInternalError(result: { code: number | null; stderr: string }, thrown: RegExp, throughCctrial: boolean): void {
    assert.equal(result.code, EXIT_INTERNAL, result.stderr);
    const [paragraph, stack, ...rest] = result.stderr.split('\n\n');
    assert.match(
      paragraph!,
      /^cctrial: internal error: this is a bug in cctrial \S+, not in your tests or your configuration\. Please report it to .+, with the command you ran, your Node version \(v\d+\.\d+\.\d+\) and the stack below; running it again may work around it\.$/,
    );
    assert.doesNotMatch(paragraph!, /\n/, 'one paragraph');
    assert.match(stack!, thrown);
    if (throughCctrial) assert.match(stack!, /^\s+at .*\/dist\/src\/.*\.js:\d+:\d+\)?$/m, 'the stack goes through cctrial');
    assert.deepEqual(rest.filter((part) => part.trim() !== ''), []);
  }

  it('at start-up: an exception inside option parsing', async () => {
    const root = workspace("process.cwd = () => { throw new TypeError('injected: process.cwd failed'); };\n");
    const result = await runBroken(root, ['--once', '--no-notify']);
    assertInternalError(result, /^TypeError: injected: process\.cwd failed\n\s+at process\.cwd /, true);
    assert.equal(result.stdout, '');
  });

  it('during a run: an exception thrown from a callback inside cctrial ends it with 70 and ends the test process', async () => {
    // The first "test:start" event cctrial writes throws from inside its event callback, while the test waits.
    const root = workspace(`const write = process.stdout.write.bind(process.stdout);
let thrown = false;
process.stdout.write = (chunk, ...rest) => {
  if (!thrown && String(chunk).includes('"test:start"')) {
    thrown = true;
    queueMicrotask(() => { throw new RangeError('injected: a view callback failed'); });
  }
  return write(chunk, ...rest);
};
`);
    const result = await runBroken(root, ['--once', '--json', '--no-notify', '--timeout', '120000']);
    assertInternalError(result, /^RangeError: injected: a view callback failed\n/, false);
    await waitUntil(() => processesMentioning(root).length === 0, { timeoutMs: 10_000, what: () => `no process of ${root}: ${processesMentioning(root).join('\n')}` });
  });

  it('a --once run that fails inside cctrial: exit 70 with the stack, never 1 (tests failed)', async () => {
    // Every test process gets a secret from randomBytes as it starts: the run fails inside cctrial, not in a test.
    const root = workspace(
      "import crypto from 'node:crypto';\nimport { syncBuiltinESMExports } from 'node:module';\n" +
        "crypto.randomBytes = () => { throw new TypeError('injected: randomBytes failed'); };\nsyncBuiltinESMExports();\n",
    );
    const result = await runBroken(root, ['--once', '--no-notify']);
    assertInternalError(result, /^TypeError: injected: randomBytes failed\n\s+at crypto\.randomBytes /, true);
  });

  it('a usage error is still exit 2, with no stack', async () => {
    const root = workspace('');
    const result = await runBroken(root, ['--once', '--jobs', '0']);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /^cctrial: --jobs must be an integer of at least 1, but got "0"\.\n$/);
  });
});
