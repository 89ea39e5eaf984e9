/**
 * The interactive terminal UI, end to end: the real built CLI in a real pseudo-terminal, its output
 * rendered by a headless xterm, keys typed as a user types them. Every wait is on what the screen
 * shows. CCTRIAL_WRITE_SCREENS=1 also writes the fix view to docs/screens/fix-view.txt.
 */
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { runCli } from '../helpers/cli.js';
import { cliCommandLine, spawnInPty, startCliInPty, type PtyOptions, type PtyProcess } from '../helpers/pty.js';
import { writeFixtureFile, writeNpmMonorepo } from '../helpers/workspace.js';

const SCREENS_DIR = fileURLToPath(new URL('../../../../../docs/screens/', import.meta.url));
const WAIT_MS = 30_000;

// The fixture: a shop whose cart tests break through one bug in a linked package (a group of 3
// errors), and whose own label() has a second, different bug (1 assertion failure).
const PRICES_BUGGY = `/** Sums the amounts of cart items. */
export function total(items) {
  return items.reduce((sum, item) => sum + item.price.amount, 0);
}
`;
const PRICES_FIXED = PRICES_BUGGY.replace('item.price.amount', 'item.amount');
const LABEL_BUGGY = 'export function label(name) {\n  return name.toLowerCase();\n}\n';
const LABEL_FIXED = LABEL_BUGGY.replace('toLowerCase', 'toUpperCase');
const CART_TESTS = `import assert from 'node:assert/strict';
import { test } from 'node:test';
import { total } from '@fixture/prices';

test('total of one item', () => assert.equal(total([{ amount: 2 }]), 2));
test('total of two items', () => assert.equal(total([{ amount: 2 }, { amount: 3 }]), 5));
test('total of three items', () => assert.equal(total([{ amount: 1 }, { amount: 1 }, { amount: 1 }]), 3));
test('empty cart', () => assert.equal(total([]), 0));
`;
const LABEL_TESTS = `import assert from 'node:assert/strict';
import { test } from 'node:test';
import { label } from '../index.js';

test('label is upper case', () => assert.equal(label('Book'), 'BOOK'));
test('label keeps its length', () => assert.equal(label('Book').length, 4));
`;

const PRICES_SOURCE = 'packages/prices/index.js';
const LABEL_SOURCE = 'packages/shop/index.js';
/** The representative of the largest group: its tests are equally near the cause, so the first by file path, then order in the file. */
const CART_TEST = 'packages/shop/test/cart.test.js › total of one item';
const LABEL_TEST = 'packages/shop/test/label.test.js › label is upper case';
const TYPE_ERROR = "TypeError: Cannot read properties of undefined (reading 'amount')";
const ALL_TESTS = 6;

function writeShop(): string {
  return writeNpmMonorepo({
    prices: { name: '@fixture/prices', files: { 'index.js': PRICES_BUGGY } },
    shop: {
      name: '@fixture/shop',
      dependencies: ['@fixture/prices'],
      files: { 'index.js': LABEL_BUGGY, 'test/cart.test.js': CART_TESTS, 'test/label.test.js': LABEL_TESTS },
    },
  });
}

/** Runs `body` with cctrial in a pty on a fresh shop, and always ends the process afterwards. */
async function withCli(args: string[], body: (cli: PtyProcess, root: string) => Promise<void>, options: Omit<PtyOptions, 'cwd'> = {}): Promise<void> {
  const root = writeShop();
  const cli = startCliInPty(args, { ...options, cwd: root });
  try {
    await body(cli, root);
  } finally {
    await cli.stop();
  }
}

/** The status line's columns after the test name: `done/total nF nE nS nT nC`, as status-line.ts pads them. */
function statusTail(done: number, total: number, counts: { F?: number; E?: number; S?: number; T?: number; C?: number }): string {
  const pad = (count: number) => String(count).padStart(5);
  const columns = (['F', 'E', 'S', 'T', 'C'] as const).map((letter) => `${pad(counts[letter] ?? 0)}${letter}`);
  return [`${pad(done)}/${pad(total)}`, ...columns].join(' ');
}

const CART_FIX_STATUS = statusTail(1, 1, { E: 1 });
const LABEL_FIX_STATUS = statusTail(1, 1, { F: 1 });

function nonEmptyLines(screen: string): string[] {
  return screen.split('\n').filter((line) => line.trim() !== '');
}

function occurrences(text: string, phrase: string): number {
  return text.split(phrase).length - 1;
}

/**
 * The fix view at rest, for the `idles`-th time: `please fix: <test>`, `waiting for filesystem change...`,
 * and the status line of the one-test run at the bottom.
 */
function atFixIdle(cli: PtyProcess, testName: string, status: string, idles = 1): (screen: string) => boolean {
  return (screen) => {
    const last = nonEmptyLines(screen).slice(-3);
    return (
      occurrences(cli.transcript(), 'waiting for filesystem change...') >= idles &&
      last[0] === `please fix: ${testName}` &&
      last[1] === 'waiting for filesystem change...' &&
      (last[2]?.endsWith(status) ?? false)
    );
  };
}

function waitForCartFix(cli: PtyProcess, idles = 1): Promise<string> {
  return cli.waitForScreen(atFixIdle(cli, CART_TEST, CART_FIX_STATUS, idles), { timeoutMs: WAIT_MS, what: `the fix view of ${CART_TEST} (idle #${idles})` });
}

/**
 * At idle one throttled redraw of the status line is still due (status-line.ts draws at most every
 * 50 ms, and the last count update comes with run:end, just before the idle line). A resize that
 * races it sees a redraw at the old width land on the resized screen; waiting for it keeps the
 * resize tests about the resize alone.
 */
function waitForPendingRedraw(cli: PtyProcess): Promise<string> {
  return cli.waitForScreen(
    () => {
      const raw = cli.raw();
      return occurrences(raw.slice(raw.lastIndexOf('waiting for filesystem change...')), '\r\x1b[2K') >= 2;
    },
    { timeoutMs: WAIT_MS, what: 'the status line redrawn after the idle line' },
  );
}

/**
 * After a resize to 60 columns: the status line drawn again for that width, its test name cut from
 * the start to make room. (What the terminal itself leaves of the old line never starts with `…`.)
 */
function waitForStatusRedrawnNarrow(cli: PtyProcess): Promise<string> {
  return cli.waitForScreen(
    (screen) => {
      const status = nonEmptyLines(screen).at(-1) ?? '';
      return status.startsWith('…') && status.endsWith(CART_FIX_STATUS);
    },
    { timeoutMs: WAIT_MS, what: 'the status line redrawn for 60 columns' },
  );
}

/** The `re-run:` lines of the whole session, scrollback included. */
function rerunLines(cli: PtyProcess): string[] {
  return cli.transcript().split('\n').filter((line) => line.startsWith('re-run: '));
}

/** Asserts that `row` (a buffer row) holds the whole status line: shorter than the width, not wrapped. */
function assertSingleRow(cli: PtyProcess, row: number): void {
  const buffer = cli.terminal.buffer.active;
  const line = buffer.getLine(row)!;
  const text = line.translateToString(true);
  assert.ok(text.length < cli.terminal.cols, `status line is ${text.length} wide at ${cli.terminal.cols} columns: ${JSON.stringify(text)}`);
  assert.equal(line.isWrapped, false, `status line continues a wrapped row: ${JSON.stringify(text)}`);
  assert.equal(buffer.getLine(row + 1)?.isWrapped ?? false, false, `status line wraps onto the next row: ${JSON.stringify(text)}`);
}

/** The buffer row of the last non-empty visible line. */
function lastTextRow(cli: PtyProcess): number {
  const buffer = cli.terminal.buffer.active;
  for (let row = buffer.viewportY + cli.terminal.rows - 1; row >= buffer.viewportY; row--) {
    if (buffer.getLine(row)!.translateToString(true).trim() !== '') return row;
  }
  assert.fail('the screen is empty');
}

const SGR = /\x1b\[[0-9;]*m/;

test('the fix view at idle: the phrases, the error, and the status line at the bottom', async () => {
  await withCli([], async (cli) => {
    const screen = await waitForCartFix(cli);
    for (const phrase of ['Running', 'Ran ', 'FAILED (', `re-run: ${CART_TEST}`, `please fix: ${CART_TEST}`, 'waiting for filesystem change...', TYPE_ERROR]) {
      assert.ok(screen.includes(phrase), `the screen lacks ${JSON.stringify(phrase)}:\n${screen}`);
    }
    assert.match(screen, /^Running 1 test\.$/m);
    // Compiler-style lines an editor links: the failing call in the test file, and the throw site.
    assert.match(screen, new RegExp(`^packages/shop/test/cart\\.test\\.js:\\d+:\\d+: error: ${escapeRegExp(TYPE_ERROR)}\\n^packages/prices/index\\.js:\\d+:\\d+: info: thrown here$`, 'm'));
    assert.match(screen, /^Ran 1 test in \d+\.\d{3}s$/m);
    assert.match(screen, /^FAILED \(errors=1\)$/m);
    // The one-test group of the fix run; its title is wider than the screen, so read it unwrapped.
    const fixRun = cli.transcript().slice(cli.transcript().lastIndexOf(`re-run: ${CART_TEST}`));
    assert.match(fixRun, /^=+ 1 test: TypeError: Cannot read properties of undefined \(reading 'amount'\)$/m);
    assert.match(screen, /^ {4}at .*packages\/prices\/index\.js:3:\d+\)?$/m, 'the stack points into the linked package');
    const status = nonEmptyLines(screen).at(-1)!;
    assert.ok(status.endsWith(` ${CART_FIX_STATUS}`), `status line: ${JSON.stringify(status)}`);
    assertSingleRow(cli, lastTextRow(cli));
    // The suite before it: the grouped summary, largest group first.
    const transcript = cli.transcript();
    assert.match(transcript, /^Running tests in 2 files\.$/m);
    assert.match(transcript, /^FAILED \(failures=1, errors=3, successes=2\)$/m);
    assert.ok(transcript.indexOf(`3 tests: ${TYPE_ERROR}`) < transcript.indexOf('1 test: AssertionError'), transcript);
    // Colours on a colour terminal: the verdict is red and bold.
    assert.ok(cli.raw().includes('\x1b[31m\x1b[1mFAILED'), 'FAILED is not red and bold');

    if (process.env.CCTRIAL_WRITE_SCREENS === '1') {
      mkdirSync(SCREENS_DIR, { recursive: true });
      writeFileSync(path.join(SCREENS_DIR, 'fix-view.txt'), screen.replace(/\n+$/, '') + '\n');
    }
  });
});

test('the group headers fit the width of the terminal', async () => {
  await withCli([], async (cli) => {
    await waitForCartFix(cli);
    const headers = cli.transcript().split('\n').filter((line) => line.startsWith('==='));
    assert.equal(headers.length, 3, cli.transcript()); // Two groups of the suite, one of the fix run.
    for (const header of headers) assert.ok(header.length < cli.terminal.cols, `${header.length} wide at ${cli.terminal.cols} columns: ${header}`);
  });
});

// On Node 20 a name pattern still starts the tests it deselects: the last of them ('empty cart') must not show.
test('the status line names the test being fixed', async () => {
  await withCli([], async (cli) => {
    const screen = await waitForCartFix(cli);
    const status = nonEmptyLines(screen).at(-1)!;
    assert.ok(status.startsWith(`${CART_TEST} `), `status line: ${JSON.stringify(status)}`);
  });
});

test('after resize(60, 40) the status line is redrawn to fit the new width', async () => {
  await withCli([], async (cli) => {
    await waitForCartFix(cli);
    await waitForPendingRedraw(cli);
    cli.resize(60, 40);
    const screen = await waitForStatusRedrawnNarrow(cli);
    const status = nonEmptyLines(screen).at(-1)!;
    // One column less than the width; the test name gives way, cut from its start.
    assert.equal(status.length, 59, `status line: ${JSON.stringify(status)}`);
    assert.ok(status.startsWith('…'), `status line: ${JSON.stringify(status)}`);
    assertSingleRow(cli, lastTextRow(cli));
    assert.equal(occurrences(screen, CART_FIX_STATUS), 1, `more than one status line on the screen:\n${screen}`);
  });
});

for (const reflowCursorLine of [true, false]) {
  const terminal = reflowCursorLine ? 'a terminal that rewraps the cursor line (VTE, kitty)' : 'a terminal that cuts the cursor line (xterm.js, xterm)';
  test(`resize(60, 40) keeps the output above the status line, on ${terminal}`, async () => {
    await withCli(
      [],
      async (cli) => {
        await waitForCartFix(cli);
        await waitForPendingRedraw(cli);
        cli.resize(60, 40);
        const screen = await waitForStatusRedrawnNarrow(cli);
        const lines = nonEmptyLines(screen);
        if (reflowCursorLine) {
          // The old status line was rewrapped onto two rows and only the cursor's row is redrawn
          // (status-line.ts: erasing rows above would destroy output on terminals that cut instead),
          // so at most one stale row may sit between the output and the new status line.
          assert.ok(lines.slice(-3, -1).includes('waiting for filesystem change...'), `the output above the status line:\n${screen}`);
        } else {
          assert.equal(lines.at(-2), 'waiting for filesystem change...', `the line above the status line:\n${screen}`);
        }
        assertSingleRow(cli, lastTextRow(cli));
      },
      { terminalOptions: { reflowCursorLine } },
    );
  });
}

test('h prints the key list above the status line', async () => {
  await withCli([], async (cli) => {
    await waitForCartFix(cli);
    cli.write('h');
    // The list and the status line drawn again below it come in one write, which the pty may still
    // hand over in two reads: wait for the end state, not for the first half of it.
    const screen = await cli.waitForScreen(
      (text) => /^Keys:$/m.test(text) && /^ {2}h +show these keys$/m.test(text) && nonEmptyLines(text).at(-1)!.endsWith(CART_FIX_STATUS),
      { timeoutMs: WAIT_MS, what: 'the key list, with the status line below it' },
    );
    for (const line of [/^ {2}Enter re-run the current step now$/m, /^ {2}a {5}run the whole suite$/m, /^ {2}s {5}skip to the next failure group$/m, /^ {2}q {5}quit$/m]) {
      assert.match(screen, line);
    }
    assert.ok(screen.indexOf('Keys:') < screen.lastIndexOf(CART_FIX_STATUS), `the key list is not above the status line:\n${screen}`);
  });
});

test('Enter re-runs the test being fixed', async () => {
  await withCli([], async (cli) => {
    await waitForCartFix(cli);
    assert.equal(rerunLines(cli).length, 1);
    cli.write('\r');
    await waitForCartFix(cli, 2);
    assert.deepEqual(rerunLines(cli), [`re-run: ${CART_TEST}`, `re-run: ${CART_TEST}`]);
    assert.equal(occurrences(cli.transcript(), 'Running 1 test.'), 2);
  });
});

test('a runs the whole suite, then comes back to the fix view', async () => {
  await withCli([], async (cli) => {
    await waitForCartFix(cli);
    cli.write('a');
    await waitForCartFix(cli, 2);
    const transcript = cli.transcript();
    const suite = transcript.lastIndexOf('Running tests in 2 files.');
    assert.ok(suite > transcript.indexOf('waiting for filesystem change...'), `no full run after the key:\n${transcript}`);
    assert.equal(occurrences(transcript, 'FAILED (failures=1, errors=3, successes=2)'), 2, transcript);
    assert.deepEqual(rerunLines(cli), [`re-run: ${CART_TEST}`, `re-run: ${CART_TEST}`]);
  });
});

test('s skips to the other failure group', async () => {
  await withCli([], async (cli) => {
    await waitForCartFix(cli);
    cli.write('s');
    const screen = await cli.waitForScreen(atFixIdle(cli, LABEL_TEST, LABEL_FIX_STATUS, 2), { timeoutMs: WAIT_MS, what: `the fix view of ${LABEL_TEST}` });
    assert.deepEqual(rerunLines(cli), [`re-run: ${CART_TEST}`, `re-run: ${LABEL_TEST}`]);
    assert.match(screen, /^FAILED \(failures=1\)$/m);
    assert.match(screen, /^'book' !== 'BOOK'$/m);
    const status = nonEmptyLines(screen).at(-1)!;
    assert.ok(status.startsWith(`${LABEL_TEST} `), `status line: ${JSON.stringify(status)}`);
  });
});

test('q quits with exit code 1 while failures remain', async () => {
  await withCli([], async (cli) => {
    await waitForCartFix(cli);
    cli.write('q');
    assert.equal(await cli.exited, 1);
  });
});

for (const [key, name, code] of [['q', 'q', 1], ['\x03', 'Ctrl-C', 130]] as const) {
  test(`the terminal is restored after ${name} (exit code ${code})`, async () => {
    const root = writeShop();
    // The shell waits for a line after DONE: output still unread when a pty's process exits can be lost
    // (node-pty gives its socket 200 ms), so everything is read while the shell is alive.
    const script = `stty -a; echo BEFORE-END; ${cliCommandLine()}; echo "cctrial exited with $?"; stty -a; echo DONE; read -r _`;
    const shell = spawnInPty('bash', ['-c', script], { cwd: root });
    try {
      await shell.waitForScreen(atFixIdle(shell, CART_TEST, CART_FIX_STATUS), { timeoutMs: WAIT_MS, what: 'the fix view' });
      shell.write(key);
      await shell.waitForScreen(/^DONE$/m, { timeoutMs: WAIT_MS, what: 'the shell to finish' });
      shell.write('\r');
      assert.equal(await shell.exited, 0);
      const transcript = shell.transcript();
      const [beforeRun, rest] = transcript.split('\nBEFORE-END\n') as [string, string];
      const exitLine = `cctrial exited with ${code}`;
      assert.ok(rest.includes(`\n${exitLine}\n`), `no line "${exitLine}" on its own:\n${rest.slice(-2000)}`);
      // The status line stays as the last line cctrial printed, and the shell goes on below it.
      assert.ok(rest.split('\n').at(rest.split('\n').indexOf(exitLine) - 1)!.endsWith(CART_FIX_STATUS), rest.slice(-2000));
      const afterRun = rest.slice(rest.indexOf(exitLine) + exitLine.length + 1).replace(/\nDONE$/, '');
      const flags = afterRun.split(/[\s;]+/);
      for (const mode of ['icanon', 'echo', 'isig', 'icrnl']) {
        assert.ok(flags.includes(mode) && !flags.includes(`-${mode}`), `stty -a after cctrial shows no ${mode}:\n${afterRun}`);
      }
      assert.equal(afterRun, beforeRun, 'stty -a differs from before cctrial ran');
      const raw = shell.raw();
      assert.ok(raw.includes('\x1b[?25l'), 'cctrial never hid the cursor');
      assert.ok(raw.lastIndexOf('\x1b[?25h') > raw.lastIndexOf('\x1b[?25l'), `the cursor is left hidden; raw tail: ${JSON.stringify(raw.slice(-300))}`);
    } finally {
      await shell.stop();
    }
  });
}

test('after --once the status line left on screen shows the final counts, not a state before them', async () => {
  await withCli(['--once', '--no-notify'], async (cli) => {
    assert.equal(await cli.exited, 1);
    const screen = await cli.waitForScreen(/FAILED/, { timeoutMs: WAIT_MS, what: 'the verdict' });
    const lines = nonEmptyLines(screen);
    const status = lines.at(-1)!;
    // The last count update comes with the run's end, inside the status line's 50 ms redraw throttle.
    assert.ok(status.endsWith(statusTail(ALL_TESTS, ALL_TESTS, { F: 1, E: 3 })), `status line: ${JSON.stringify(status)}\n${screen}`);
    assert.equal(lines.at(-2), 'FAILED (failures=1, errors=3, successes=2)');
  });
});

test('off a TTY: plain lines with no escape codes, and colour only with FORCE_COLOR', async () => {
  const root = writeShop();
  const plain = await runCli(['--once', '--no-notify'], { cwd: root, env: { NO_COLOR: undefined }, timeoutMs: WAIT_MS });
  assert.equal(plain.code, 1, plain.stderr);
  for (const phrase of ['Running tests in 2 files.', `3 tests: ${TYPE_ERROR}`, 'FAILED (failures=1, errors=3, successes=2)']) assert.ok(plain.stdout.includes(phrase), plain.stdout);
  assert.ok(!plain.stdout.includes('\x1b') && !plain.stderr.includes('\x1b'), `escape codes off a TTY:\n${JSON.stringify(plain.stdout)}`);
  assert.doesNotMatch(plain.stdout, /please fix|waiting for filesystem change|re-run:/, '--once has no fix loop');
  // CI=1 implies --once and changes nothing else: a CI log is a pipe (picocolors alone would colour it).
  const ci = await runCli([], { cwd: root, env: { NO_COLOR: undefined, CI: '1' }, timeoutMs: WAIT_MS });
  assert.equal(ci.code, 1, ci.stderr);
  assert.ok(ci.stdout.includes('FAILED (failures=1, errors=3, successes=2)') && !ci.stdout.includes('\x1b') && !ci.stderr.includes('\x1b'), `escape codes with CI=1:\n${JSON.stringify(ci.stdout)}`);

  const forced = await runCli(['--once', '--no-notify'], { cwd: root, env: { NO_COLOR: undefined, FORCE_COLOR: '1' }, timeoutMs: WAIT_MS });
  assert.equal(forced.code, 1, forced.stderr);
  assert.match(forced.stdout, SGR, 'no colour with FORCE_COLOR=1');
  assert.ok(forced.stdout.includes('\x1b[31m\x1b[1mFAILED'), forced.stdout);
  assert.ok(!forced.stdout.includes('\x1b[?25') && !forced.stdout.includes('\x1b[2K'), 'cursor or line control codes off a TTY');
});

test("in a terminal whose output Nx relays (its terminal UI, --outputStyle=stream): plain lines that fit 80 columns, and no status line", async () => {
  const root = writeShop();
  const cli = startCliInPty(['--once'], { cwd: root, env: { NX_STREAM_OUTPUT: 'true' } });
  try {
    assert.equal(await cli.exited, 1);
  } finally {
    await cli.stop();
  }
  const transcript = cli.transcript();
  assert.ok(transcript.includes('FAILED (failures=1, errors=3, successes=2)'), transcript);
  const header = transcript.split('\n').find((line) => line.includes(`3 tests: ${TYPE_ERROR}`));
  assert.ok(header && header.length <= 80, `a group header within 80 columns: ${header}`);
  assert.ok(!cli.raw().includes('\x1b[2K') && !cli.raw().includes('\x1b[?25l'), `no status line redrawn in place:\n${JSON.stringify(cli.raw().slice(-500))}`);
});

test('NO_COLOR=1 in a terminal: the status line and blocks, without colour codes', async () => {
  await withCli(
    [],
    async (cli) => {
      const screen = await waitForCartFix(cli);
      assert.ok(screen.includes(TYPE_ERROR), screen);
      const sgr = cli.raw().match(new RegExp(SGR, 'g')) ?? [];
      assert.deepEqual(sgr, [], 'colour codes despite NO_COLOR=1');
      assert.ok(cli.raw().includes('\x1b[2K'), 'the status line is still redrawn in place');
    },
    { env: { NO_COLOR: '1' } },
  );
});

test('q while fixing, then cctrial again: it resumes with the same test, with no suite run first', async () => {
  const root = writeShop();
  const first = startCliInPty([], { cwd: root });
  try {
    await waitForCartFix(first);
    first.write('q');
    assert.equal(await first.exited, 1);
  } finally {
    await first.stop();
  }
  const second = startCliInPty([], { cwd: root });
  try {
    const screen = await second.waitForScreen(atFixIdle(second, CART_TEST, CART_FIX_STATUS), { timeoutMs: WAIT_MS, what: 'the resumed fix view' });
    assert.match(second.transcript(), /^Resuming: 4 tests in 2 groups failed when cctrial last ran here; the one it was fixing runs first, then all of them, then the suite \(--fresh starts with the suite\)\.$/m);
    assert.match(screen, new RegExp(`^re-run: ${escapeRegExp(CART_TEST)}$`, 'm'));
    assert.doesNotMatch(second.transcript(), /^Running tests in \d+ files?\.$/m, 'no suite before the remembered target');
  } finally {
    await second.stop();
  }
});

test('a saved fix goes through recheck and suite, and with -f ends green and waiting', async () => {
  await withCli(['-f'], async (cli, root) => {
    await waitForCartFix(cli);
    const mark = cli.transcript().split('\n').length - 1; // The status line is the last row and is redrawn: start at it.

    writeFixtureFile(root, PRICES_SOURCE, PRICES_FIXED);
    await cli.waitForScreen(atFixIdle(cli, LABEL_TEST, LABEL_FIX_STATUS, 2), { timeoutMs: WAIT_MS, what: `the fix view of ${LABEL_TEST} after the recheck` });
    writeFixtureFile(root, LABEL_SOURCE, LABEL_FIXED);
    const green = statusTail(ALL_TESTS, ALL_TESTS, {});
    const screen = await cli.waitForScreen(
      (text) => {
        const last = nonEmptyLines(text).slice(-3);
        return last[0] === `PASSED (successes=${ALL_TESTS})` && last[1] === 'waiting for filesystem change...' && (last[2]?.endsWith(green) ?? false);
      },
      { timeoutMs: WAIT_MS, what: 'the green suite, waiting' },
    );
    assert.match(screen, new RegExp(`^Ran ${ALL_TESTS} tests in \\d+\\.\\d{3}s$`, 'm'));

    // Every step, in order: the fix passes, the recheck of the 4 failures leaves one, whose fix passes, then the suite.
    const steps = cli
      .transcript()
      .split('\n')
      .slice(mark)
      .filter((line) => /^(changed|re-run|Running|PASSED|FAILED|please fix|waiting)/.test(line));
    assert.deepEqual(steps, [
      `changed: ${PRICES_SOURCE}`,
      `re-run: ${CART_TEST}`,
      'Running 1 test.',
      'PASSED (successes=1)',
      'Running 4 tests.',
      'FAILED (failures=1, successes=3)',
      `re-run: ${LABEL_TEST}`,
      'Running 1 test.',
      'FAILED (failures=1)',
      `please fix: ${LABEL_TEST}`,
      'waiting for filesystem change...',
      `changed: ${LABEL_SOURCE}`,
      `re-run: ${LABEL_TEST}`,
      'Running 1 test.',
      'PASSED (successes=1)',
      'Running tests in 2 files.',
      `PASSED (successes=${ALL_TESTS})`,
      'waiting for filesystem change...',
    ]);
  });
});

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
