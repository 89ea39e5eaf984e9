/**
 * The terminal stays the user's: the real built cctrial in a real pseudo-terminal (rendered by a
 * headless xterm), real node:test children, keys and signals as a user sends them.
 *
 * 1. A failing test prints the control sequences that take a terminal over (alternate screen, hidden
 *    cursor, scroll region, clear, reset, title, bracketed paste, mouse reporting, no wrapping) to its
 *    stdout, its stderr and its error message. None reaches the terminal raw while cctrial shows
 *    them, and on every way out (q, Ctrl-C, SIGTERM, a second SIGTERM, --once) the last bytes cctrial
 *    writes are its restore sequence, leaving the terminal on the normal screen with the cursor shown.
 * 2. Tests named with 40 CJK characters and with line breaks, in an 80-column terminal: every status
 *    line cctrial draws fits in 79 display columns on one row, and no stale row is left.
 * Every wait is on what the screen shows or on the exit, never on time.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import stringWidth from 'string-width';
import { RESTORE_TERMINAL } from '../../src/ui/terminal-text.js';
import { runCli } from '../helpers/cli.js';
import { startCliInPty, type PtyProcess } from '../helpers/pty.js';
import { writeWorkspace } from '../helpers/workspace.js';

const WAIT_MS = 30_000;

/** What a test must not be able to do to the user's terminal, one sequence each. */
const TAKEOVER: Array<[string, string]> = [
  ['alternate screen', '\x1b[?1049h'],
  ['hidden cursor', '\x1b[?25l'],
  ['scroll region', '\x1b[3;10r'],
  ['mouse reporting', '\x1b[?1000h'],
  ['SGR mouse', '\x1b[?1006h'],
  ['bracketed paste', '\x1b[?2004h'],
  ['OSC title', '\x1b]0;hijacked by a test\x07'],
  ['no line wrapping', '\x1b[?7l'],
  ['clear screen', '\x1b[2J'],
  ['full reset', '\x1bc'],
];
const HOSTILE = TAKEOVER.map(([, sequence]) => sequence).join('');
/** How the first sequences read once cctrial has neutralised them. */
const SHOWN = '␛[?1049h␛[?25l␛[3;10r';

const TEST_NAME = 'prints control sequences';
const FIX_TARGET = `test/screen.test.js › ${TEST_NAME}`;
const SCREEN_TEST = `import assert from 'node:assert/strict';
import { test } from 'node:test';

const HOSTILE = ${JSON.stringify(HOSTILE)};
test(${JSON.stringify(TEST_NAME)}, () => {
  process.stdout.write('stdout before ' + HOSTILE + ' after, in \\x1b[32mgreen\\x1b[39m\\n');
  process.stderr.write('stderr before ' + HOSTILE + ' after\\n');
  assert.fail('the screen is mine ' + HOSTILE);
});
`;

function writeFixture(files: Record<string, string>): string {
  return writeWorkspace({ 'package.json': JSON.stringify({ name: 'fixture', type: 'module' }), ...files }, 'cctrial-terminal-hygiene-');
}

function nonEmptyLines(screen: string): string[] {
  return screen.split('\n').filter((line) => line.trim() !== '');
}

function occurrences(text: string, phrase: string): number {
  return text.split(phrase).length - 1;
}

/** The status line's columns after the test name, as status-line.ts draws them. */
const STATUS_TAIL = / +\d+\/ +[\d?]+ +\d+F +\d+E +\d+S +\d+T +\d+C$/;

/** The fix view at rest: `please fix: <target>`, `waiting for filesystem change...`, the status line. */
function atFixIdle(target: string): (screen: string) => boolean {
  return (screen) => {
    const last = nonEmptyLines(screen).slice(-3);
    return last[0] === `please fix: ${target}` && last[1] === 'waiting for filesystem change...' && STATUS_TAIL.test(last[2] ?? '');
  };
}

/** What the emulated terminal is left in: the screen, the cursor, the modes, the title. */
function terminalState(cli: PtyProcess, titles: string[]) {
  const { terminal } = cli;
  // xterm.js has no public API for the cursor's visibility; its core service knows.
  const core = (terminal as unknown as { _core?: { coreService?: { isCursorHidden?: boolean } } })._core;
  return {
    buffer: terminal.buffer.active.type,
    cursorHidden: core?.coreService?.isCursorHidden ?? false,
    mouse: terminal.modes.mouseTrackingMode,
    bracketedPaste: terminal.modes.bracketedPasteMode,
    wraparound: terminal.modes.wraparoundMode,
    titles,
  };
}

const CLEAN = { buffer: 'normal', cursorHidden: false, mouse: 'none', bracketedPaste: false, wraparound: true, titles: [] };

function assertNoTakeover(raw: string): void {
  for (const [what, sequence] of TAKEOVER) {
    if (sequence === '\x1b[?25l') {
      // cctrial hides the cursor once itself, for its status line.
      assert.ok(occurrences(raw, sequence) <= 1, `the test's ${what} (${JSON.stringify(sequence)}) reached the terminal`);
    } else {
      assert.ok(!raw.includes(sequence), `the test's ${what} (${JSON.stringify(sequence)}) reached the terminal raw`);
    }
  }
}

/** Starts cctrial in a pty, remembering every title change the terminal sees. */
function start(args: string[], root: string, size: { cols?: number; rows?: number } = {}): { cli: PtyProcess; titles: string[] } {
  const cli = startCliInPty(args, { cwd: root, ...size });
  const titles: string[] = [];
  // Registered before the first byte can arrive: node-pty delivers data on a later turn of the event loop.
  cli.terminal.onTitleChange((title) => titles.push(title));
  return { cli, titles };
}

describe('a test that prints terminal control sequences', () => {
  test('the fix view shows them as text, colours kept, and the terminal stays on the normal screen with its modes', async () => {
    const root = writeFixture({ 'test/screen.test.js': SCREEN_TEST });
    const { cli, titles } = start([], root);
    try {
      const screen = await cli.waitForScreen(atFixIdle(FIX_TARGET), { timeoutMs: WAIT_MS, what: `the fix view of ${FIX_TARGET}` });
      const transcript = cli.transcript();
      const fixRun = transcript.slice(transcript.lastIndexOf(`re-run: ${FIX_TARGET}`));
      assert.ok(fixRun.includes(`stdout before ${SHOWN}`), `the test's stdout is not shown escaped:\n${fixRun}`);
      assert.ok(fixRun.includes(`stderr before ${SHOWN}`), `the test's stderr is not shown escaped:\n${fixRun}`);
      assert.ok(fixRun.includes(`AssertionError: the screen is mine ${SHOWN}`), `the error message is not shown escaped:\n${fixRun}`);
      assert.ok(fixRun.includes('␛]0;hijacked by a test␇'), fixRun);
      assert.ok(fixRun.includes('␛c'), fixRun);
      // SGR colours from the test are kept, and reset after its block.
      assert.ok(cli.raw().includes('\x1b[32mgreen\x1b[39m'), 'the test\'s own colour was dropped');
      assert.match(fixRun, /after, in green$/m);
      assertNoTakeover(cli.raw());
      // cctrial's display is intact: the screen was neither switched, reset nor cleared, and the
      // suite above the fix run is still there.
      assert.deepEqual({ ...terminalState(cli, titles), cursorHidden: true }, { ...CLEAN, cursorHidden: true });
      assert.match(transcript, /^Running tests in 1 file\.$/m);
      assert.ok(nonEmptyLines(screen).at(-1)!.startsWith(FIX_TARGET), `status line: ${nonEmptyLines(screen).at(-1)}`);
    } finally {
      await cli.stop();
    }
  });

  test('off a terminal (a pipe, --once), the report shows them as text and carries no escape at all', async () => {
    const root = writeFixture({ 'test/screen.test.js': SCREEN_TEST });
    const result = await runCli(['--once', '--no-notify'], { cwd: root, env: { NO_COLOR: undefined, FORCE_COLOR: undefined }, timeoutMs: WAIT_MS });
    assert.equal(result.code, 1, result.stderr);
    assert.ok(result.stdout.includes(`AssertionError: the screen is mine ${SHOWN}`), result.stdout);
    assert.ok(!result.stdout.includes('\x1b') && !result.stderr.includes('\x1b'), `an escape in the piped report: ${JSON.stringify(result.stdout)}`);
    assert.doesNotMatch(result.stdout, /[\x00-\x08\x0b-\x1f\x7f-\x9f]/, 'a control character in the piped report');
  });

  const WAYS_OUT: Array<{ name: string; args: string[]; code: number; leave?: (cli: PtyProcess) => void }> = [
    { name: 'q', args: [], code: 1, leave: (cli) => cli.write('q') },
    { name: 'Ctrl-C', args: [], code: 130, leave: (cli) => cli.write('\x03') },
    { name: 'SIGTERM', args: [], code: 143, leave: (cli) => process.kill(cli.pid, 'SIGTERM') },
    {
      name: 'two SIGTERMs (the second exits at once)',
      args: [],
      code: 143,
      leave: (cli) => {
        process.kill(cli.pid, 'SIGTERM');
        process.kill(cli.pid, 'SIGTERM');
      },
    },
    { name: '--once', args: ['--once'], code: 1 },
  ];
  for (const { name, args, code, leave } of WAYS_OUT) {
    test(`after ${name} (exit code ${code}) the last bytes written restore the terminal: normal screen, cursor shown, modes off`, async () => {
      const root = writeFixture({ 'test/screen.test.js': SCREEN_TEST });
      const { cli, titles } = start(args, root);
      try {
        if (leave) {
          await cli.waitForScreen(atFixIdle(FIX_TARGET), { timeoutMs: WAIT_MS, what: `the fix view of ${FIX_TARGET}` });
          leave(cli);
        }
        assert.equal(await cli.exited, code);
        const raw = cli.raw();
        // The message was shown, neutralised (with --once there is no fix view: the suite's group shows it).
        assert.ok(cli.transcript().includes(`the screen is mine ${SHOWN}`), cli.transcript().slice(-3000));
        assertNoTakeover(raw);
        assert.ok(raw.endsWith(RESTORE_TERMINAL), `the output does not end with the restore sequence; raw tail: ${JSON.stringify(raw.slice(-400))}`);
        // The last word on the cursor and on the alternate screen is the restoring one.
        assert.ok(raw.lastIndexOf('\x1b[?25h') > raw.lastIndexOf('\x1b[?25l'), 'the cursor is left hidden');
        assert.ok(raw.lastIndexOf('\x1b[?1049l') > raw.lastIndexOf('\x1b[?1049h'), 'the alternate screen is left on');
        assert.deepEqual(terminalState(cli, titles), CLEAN);
        // The restore moved nothing: the status line stays the last line written, the cursor below it.
        const buffer = cli.terminal.buffer.active;
        const cursorRow = buffer.baseY + buffer.cursorY;
        assert.equal(buffer.cursorX, 0, 'the cursor is not at the start of a line');
        assert.match(buffer.getLine(cursorRow - 1)?.translateToString(true) ?? '', STATUS_TAIL, 'the line above the cursor is not the status line');
      } finally {
        await cli.stop();
      }
    });
  }
});

describe('wide and multi-line test names on the status line, in 80 columns', () => {
  const COLS = 80;
  const WIDE = '漢字'.repeat(20); // 40 characters, 80 columns.
  const MULTI = 'first line\nsecond line\r\nthird line';
  const NAMES_TEST = `import assert from 'node:assert/strict';
import { test } from 'node:test';

test(${JSON.stringify(WIDE)}, () => assert.fail('wide'));
test(${JSON.stringify(MULTI)}, () => { throw new TypeError('multi'); });
`;
  const WIDE_TARGET = `test/names.test.js › ${WIDE}`;
  const MULTI_TARGET = 'test/names.test.js › first line⏎second line⏎third line';

  /** The status line as a screen row: at most 79 columns, one row, and the only status line on the screen. */
  function assertOneStatusRow(cli: PtyProcess, screen: string): string {
    const buffer = cli.terminal.buffer.active;
    const rows = Array.from({ length: cli.terminal.rows }, (_, y) => buffer.getLine(buffer.viewportY + y)!);
    const statusRows = rows.map((line, y) => ({ line, y, text: line.translateToString(true).trimEnd() })).filter(({ text }) => STATUS_TAIL.test(text));
    assert.equal(statusRows.length, 1, `stale status rows on the screen:\n${screen}`);
    const [{ line, y, text }] = statusRows as [(typeof statusRows)[number]];
    assert.ok(stringWidth(text) <= COLS - 1, `status line of ${stringWidth(text)} columns: ${JSON.stringify(text)}`);
    assert.equal(line.isWrapped, false, `the status line continues a wrapped row: ${JSON.stringify(text)}`);
    assert.equal(rows[y + 1]?.isWrapped ?? false, false, `the status line wraps onto the next row: ${JSON.stringify(text)}`);
    assert.equal(rows[y - 1]?.translateToString(true).trimEnd(), 'waiting for filesystem change...', `a stale row above the status line:\n${screen}`);
    return text;
  }

  /**
   * The fix view at rest, read from the transcript: `please fix: <target>` is wider than 80 columns
   * and wraps (as any long line the report prints does); the status line must not.
   */
  function atWrappedFixIdle(cli: PtyProcess, target: string): (screen: string) => boolean {
    // A wide character that does not fit at the end of a row leaves that row's last cell blank, which
    // the transcript keeps as a space: compare without spaces.
    const squash = (text: string) => text.replace(/ /g, '');
    return () => {
      const last = nonEmptyLines(cli.transcript()).slice(-3);
      return squash(last[0] ?? '') === squash(`please fix: ${target}`) && last[1] === 'waiting for filesystem change...' && STATUS_TAIL.test(last[2] ?? '');
    };
  }

  test('each fix view has one status row of at most 79 columns, the name cut with … or flattened with ⏎, and every status line written fits', async () => {
    const root = writeFixture({ 'test/names.test.js': NAMES_TEST });
    const { cli } = start([], root, { cols: COLS, rows: 30 });
    try {
      const isFixView = (screen: string) => atWrappedFixIdle(cli, WIDE_TARGET)(screen) || atWrappedFixIdle(cli, MULTI_TARGET)(screen);
      const first = await cli.waitForScreen(isFixView, { timeoutMs: WAIT_MS, what: 'the first fix view' });
      const firstIsWide = atWrappedFixIdle(cli, WIDE_TARGET)(first);
      // Each test fails with its own error: two groups, and s goes to the other one.
      cli.write('s');
      const second = await cli.waitForScreen(atWrappedFixIdle(cli, firstIsWide ? MULTI_TARGET : WIDE_TARGET), { timeoutMs: WAIT_MS, what: 'the fix view of the other group' });

      const views = firstIsWide ? { wide: first, multi: second } : { wide: second, multi: first };
      // Only the second view is still on the screen as rows; the first one is checked as text.
      const status = assertOneStatusRow(cli, second);
      const wideStatus = nonEmptyLines(views.wide).at(-1)!;
      const multiStatus = nonEmptyLines(views.multi).at(-1)!;
      assert.equal(status, firstIsWide ? multiStatus : wideStatus);
      assert.ok(wideStatus.startsWith('…') && wideStatus.includes('漢字漢字'), `the wide name is not cut from its start: ${JSON.stringify(wideStatus)}`);
      assert.ok(stringWidth(wideStatus) <= COLS - 1, `the wide status line takes ${stringWidth(wideStatus)} columns`);
      // 54 columns of name in the 32 left: cut from its start, its line breaks shown as ⏎.
      assert.ok(multiStatus.startsWith('…') && multiStatus.includes('line⏎second line⏎third line '), `the multi-line name is not on one line: ${JSON.stringify(multiStatus)}`);
      for (const fragment of ['second line', 'third line']) {
        assert.ok(!nonEmptyLines(views.multi).some((line) => line.startsWith(fragment)), `a row starting with "${fragment}":\n${views.multi}`);
      }
      // The report's own lines name the test on one line too.
      assert.match(cli.transcript(), new RegExp(`^please fix: ${MULTI_TARGET}$`, 'm'));

      // Every status line cctrial drew in the session, from the raw bytes: each draw starts with
      // \r and erase-line, and the text up to the next one is the status line when it has its columns.
      const draws = cli
        .raw()
        .split('\r\x1b[2K')
        .map((segment) => segment.replace(/\x1b\[[0-9;]*m/g, ''))
        .filter((segment) => /\d+F +\d+E +\d+S +\d+T +\d+C/.test(segment));
      assert.ok(draws.length >= 2, `only ${draws.length} status lines drawn`);
      for (const draw of draws) {
        assert.doesNotMatch(draw, /[\x00-\x1f\x7f-\x9f]/, `a status line with a line break or control character: ${JSON.stringify(draw)}`);
        assert.ok(stringWidth(draw) <= COLS - 1, `a status line of ${stringWidth(draw)} columns: ${JSON.stringify(draw)}`);
      }
      assert.ok(draws.some((draw) => draw.includes('⏎')), 'no status line showed the multi-line name');
      assert.ok(draws.some((draw) => draw.startsWith('…') && draw.includes('漢字')), 'no status line showed the wide name');
    } finally {
      await cli.stop();
    }
  });
});
