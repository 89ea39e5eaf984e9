/** What a test wrote, made safe for a terminal, and display widths: pure functions of ui/terminal-text.ts. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import xterm from '@xterm/headless';
import { formatStatus, type StatusCounts } from '../../src/ui/status-line.js';
import { createPlainView } from '../../src/ui/plain-view.js';
import { cutEnd, cutStart, displayWidth, flattenLine, neutralizeControls, padToWidth, RESTORE_TERMINAL } from '../../src/ui/terminal-text.js';
import type { CctrialEvent } from '../../src/events.js';

const ESC = '\x1b';
/** Every control sequence a test's output may carry that acts on the terminal beyond colour. */
const HOSTILE = [
  '\x1b[?1049h', // alternate screen
  '\x1b[?25l', // hide the cursor
  '\x1b[3;10r', // scroll region
  '\x1b[2J\x1b[H', // clear the screen, cursor home
  '\x1bc', // full reset
  '\x1b]0;hijacked\x07', // OSC title, BEL-terminated
  '\x1b]2;hijacked\x1b\\', // OSC title, ST-terminated
  '\x1b[?2004h', // bracketed paste
  '\x1b[?1000h\x1b[?1006h', // mouse reporting
  '\x1b[?7l', // line wrapping off
  '\x1b(0', // line-drawing character set
  '\x9b?25l', // an 8-bit CSI
  'a\bb', // backspace
  '\x07', // bell
].join('');

describe('neutralizeControls', () => {
  it('shows every escape sequence but SGR as visible text: no ESC, BEL, BS or C1 byte is left', () => {
    const out = neutralizeControls(HOSTILE, true);
    assert.doesNotMatch(out, /[\x00-\x08\x0b-\x1f\x7f-\x9f]/);
    assert.ok(out.includes('␛[?1049h'), out);
    assert.ok(out.includes('␛[?25l'), out);
    assert.ok(out.includes('␛]0;hijacked␇'), out);
    assert.ok(out.includes('␛]2;hijacked␛\\'), out);
    assert.ok(out.includes('a␈b'), out);
    assert.ok(out.includes('\\x9b?25l'), out);
  });

  it('keeps SGR colours, and ends with an SGR reset so that a colour left on does not bleed', () => {
    const out = neutralizeControls('\x1b[31mred\x1b[1;38;2;1;2;3m\x1b[38:5:200mstill on\n', true);
    assert.equal(out, '\x1b[31mred\x1b[1;38;2;1;2;3m\x1b[38:5:200mstill on\n\x1b[0m');
  });

  it('drops SGR without colour (NO_COLOR, a pipe), and shows the rest', () => {
    assert.equal(neutralizeControls('\x1b[32mok\x1b[39m \x1b[?25l', false), 'ok ␛[?25l');
  });

  it('keeps newlines and tabs, turns CRLF into LF and shows a lone CR', () => {
    assert.equal(neutralizeControls('a\tb\r\nc\rd\n', true), 'a\tb\nc␍d\n');
  });

  it('leaves plain text and unicode as they are', () => {
    const text = 'price (a|b) [x] .* $1 ünïcödé 🚀 漢字\n\tat x (file.js:1:2)\n';
    assert.equal(neutralizeControls(text, true), text);
  });

  it('is idempotent', () => {
    for (const colour of [true, false]) {
      const once = neutralizeControls(HOSTILE + '\x1b[31mred', colour);
      assert.equal(neutralizeControls(once, colour), once);
    }
  });
});

describe('flattenLine', () => {
  it('puts a name with line breaks on one line: ⏎ for each break, a space for a tab', () => {
    assert.equal(flattenLine('first\nsecond\r\nthird\rfourth\u2028fifth\tsixth'), 'first⏎second⏎third⏎fourth⏎fifth sixth');
  });

  it('shows escape sequences, colours included, as text', () => {
    assert.equal(flattenLine('a \x1b[31mred\x1b[0m \x1b[?1049h \x00'), 'a ␛[31mred␛[0m ␛[?1049h ␀');
  });
});

describe('display width and cutting', () => {
  const CJK = '漢字'.repeat(20); // 40 characters, 80 columns.

  it('counts CJK and emoji as two columns, combining marks as none, SGR as none', () => {
    assert.equal(displayWidth(CJK), 80);
    assert.equal(displayWidth('🚀👍🏽'), 4);
    assert.equal(displayWidth('e\u0301'), 1);
    assert.equal(displayWidth('\x1b[31mred\x1b[39m'), 3);
  });

  it('cutEnd keeps the start, by columns, and ends with …', () => {
    assert.equal(cutEnd('abcdef', 6), 'abcdef');
    assert.equal(cutEnd('abcdef', 4), 'abc…');
    assert.equal(cutEnd(CJK, 11), '漢字漢字漢…'); // 10 columns of CJK, then the ellipsis.
    assert.equal(cutEnd(CJK, 10), '漢字漢字…'); // A wide character never straddles the edge: 9 columns.
    assert.equal(displayWidth(cutEnd(CJK, 10)), 9);
    assert.equal(cutEnd('abc', 0), '');
  });

  it('cutStart keeps the end, by columns, and starts with …', () => {
    assert.equal(cutStart('file › name', 20), 'file › name');
    assert.equal(cutStart('file › name', 6), '… name');
    assert.equal(cutStart(`a › ${CJK}`, 11), '…字漢字漢字');
    assert.equal(cutStart(`a › ${CJK}`, 12), '…字漢字漢字'); // 11 columns: one short rather than split 漢.
  });

  it('never splits an emoji sequence or a combining mark from its letter', () => {
    const family = '👨‍👩‍👧'; // One grapheme: three emoji joined by ZWJ.
    assert.equal(cutEnd(`${family}${family}${family}`, 5), `${family}${family}…`);
    assert.equal(cutStart('xe\u0301e\u0301e\u0301', 3), '…e\u0301e\u0301');
  });

  it('cuts a 200,000-character name without measuring all of it', () => {
    const name = 'y'.repeat(200_000) + ' end';
    const started = performance.now();
    for (let i = 0; i < 100; i++) assert.equal(cutStart(name, 20), '…' + 'y'.repeat(15) + ' end');
    assert.ok(performance.now() - started < 1000, 'cutting is cheap enough for every redraw');
    assert.equal(displayWidth(cutEnd(name, 30)), 30);
  });

  it('padToWidth pads by columns', () => {
    assert.equal(padToWidth('漢字', 6), '漢字  ');
    assert.equal(padToWidth('abc', 2), 'abc');
  });
});

describe('formatStatus', () => {
  const counts: StatusCounts = { done: 3, total: 9, failed: 1, errors: 0, skipped: 0, todo: 0, cancelled: 0 };
  const CJK_NAME = 'packages/app/test/wide.test.js › ' + '漢字'.repeat(20);

  for (const width of [80, 60, 45, 41, 30, 12, 5, 2]) {
    it(`fits ${width} columns less one, on one line, for CJK, emoji and multi-line names`, () => {
      for (const name of [CJK_NAME, 'a.test.js › 🚀'.repeat(30), 'a.test.js › first line\nsecond line\r\nthird\x1b[?1049h', 'short']) {
        const line = formatStatus(name, counts, width);
        assert.doesNotMatch(line.replace(/\x1b\[[0-9;]*m/g, ''), /[\x00-\x1f\x7f-\x9f]/, `a line break or a non-SGR escape: ${JSON.stringify(line)}`);
        assert.ok(displayWidth(line) <= Math.max(0, width - 1), `${displayWidth(line)} columns at width ${width}: ${JSON.stringify(line)}`);
        if (width >= 58) assert.equal(displayWidth(line), width - 1, `the tail stays right-aligned: ${JSON.stringify(line)}`);
      }
    });
  }

  it('shows done/total, and never more done than total: the expected total is only the last run\'s count', () => {
    const plain = (line: string) => line.replace(/\x1b\[[0-9;]*m/g, '');
    assert.match(plain(formatStatus('a', counts, 80)), /\s3\/\s+9\s/);
    assert.match(plain(formatStatus('a', { ...counts, done: 41, total: 40 }, 80)), /\s41\/\s+41\s/);
    assert.match(plain(formatStatus('a', { ...counts, total: null }, 80)), /\s3\/\s+\?\s/);
  });

  it('keeps the end of a wide name, cut with …, and shows line breaks as ⏎', () => {
    const wide = formatStatus(CJK_NAME, counts, 80);
    assert.ok(wide.startsWith('…字漢字'), wide);
    const multiLine = formatStatus('a.test.js › first\nsecond', counts, 80);
    assert.ok(multiLine.startsWith('a.test.js › first⏎second '), multiLine);
  });
});

describe('the plain report shows what a test printed, never its control sequences', () => {
  function report(events: CctrialEvent[]): string {
    let out = '';
    const sink = createPlainView((text) => (out += text), '/root');
    for (const event of events) sink(event);
    return out;
  }
  const ref = { project: '@fx/app', file: 'packages/app/test/a.test.js', name: ['breaks\nthe\nterminal'], occurrence: 0 };
  const error = { type: 'Error', message: 'boom \x1b[?1049h', stack: 'Error: boom\n    at x (/root/packages/app/test/a.test.js:3:9)' };

  it('in the fix view: names on one line, escapes in the message and output shown as text', () => {
    const out = report([
      { type: 'fix', test: ref },
      { type: 'run:start', phase: 'fix', files: 1, tests: 1 },
      { type: 'test:fail', outcome: 'failure', durationMs: 1, signature: 'Error: boom', error, ...ref } as CctrialEvent,
      { type: 'output', project: '@fx/app', file: ref.file, stdout: '\x1b[?1049h\x1b[?25lhello\x1b[2J', stderr: '\x1b]0;title\x07' },
      { type: 'groups', groups: [{ signature: 'Error: boom \x1b[?1049h', count: 1, representative: ref, tests: [ref] }] },
      { type: 'run:end', phase: 'fix', durationMs: 5, passed: 0, failed: 1, errors: 0, skipped: 0, todo: 0, cancelled: 0 },
    ] as CctrialEvent[]);
    assert.doesNotMatch(out, /\x1b(?!\[[0-9;]*m)/, 'a raw escape other than SGR');
    assert.doesNotMatch(out, /[\x07\x9b]/);
    assert.ok(out.includes('␛[?1049h␛[?25lhello␛[2J'), out);
    assert.ok(out.includes('␛]0;title␇'), out);
    assert.ok(out.includes('re-run: packages/app/test/a.test.js › breaks⏎the⏎terminal\n'), out);
    assert.ok(out.includes('please fix: packages/app/test/a.test.js › breaks⏎the⏎terminal\n'), out);
    assert.ok(out.includes('  - packages/app/test/a.test.js › breaks⏎the⏎terminal\n'), out);
  });
});

describe('RESTORE_TERMINAL', () => {
  it('leaves the alternate screen, shows the cursor, resets the scroll region, modes and SGR, without moving the cursor for good', () => {
    const parts = ['\x1b[?1049l', '\x1b[?25h', '\x1b[r', '\x1b[?1000l', '\x1b[?1002l', '\x1b[?1003l', '\x1b[?1006l', '\x1b[?2004l', '\x1b[?7h', '\x1b[0m'];
    for (const part of parts) assert.ok(RESTORE_TERMINAL.includes(part), `no ${JSON.stringify(part)}`);
    // Both sequences that may move the cursor sit between a save of the cursor and its restore.
    assert.ok(RESTORE_TERMINAL.includes(`${ESC}7\x1b[?1049l\x1b[r${ESC}8`));
    assert.ok(RESTORE_TERMINAL.endsWith('\x1b[0m'));
  });
});

describe('RESTORE_TERMINAL on an emulated terminal (@xterm/headless)', () => {
  type Terminal = InstanceType<typeof xterm.Terminal>;
  const write = (terminal: Terminal, data: string) => new Promise<void>((resolve) => terminal.write(data, resolve));
  const cursorHidden = (terminal: Terminal) => (terminal as unknown as { _core: { coreService: { isCursorHidden: boolean } } })._core.coreService.isCursorHidden;
  const cursor = (terminal: Terminal) => ({ x: terminal.buffer.active.cursorX, y: terminal.buffer.active.cursorY });
  const TAKEOVER = '\x1b[?1049h\x1b[?25l\x1b[3;10r\x1b[?1000h\x1b[?1006h\x1b[?2004h\x1b[?7l\x1b[?1h\x1b[4h\x1b[31;1m\x1b[12;40Hdrawn on the alternate screen';

  it('after a takeover: the normal screen as it was, the cursor where it was and shown, modes off', async () => {
    const terminal = new xterm.Terminal({ cols: 80, rows: 24, allowProposedApi: true });
    await write(terminal, 'line one\r\nline two\r\nthe prompt> ');
    const before = cursor(terminal);
    await write(terminal, TAKEOVER);
    assert.equal(terminal.buffer.active.type, 'alternate');
    await write(terminal, RESTORE_TERMINAL);
    assert.equal(terminal.buffer.active.type, 'normal');
    assert.deepEqual(cursor(terminal), before);
    assert.equal(cursorHidden(terminal), false);
    assert.equal(terminal.modes.mouseTrackingMode, 'none');
    assert.equal(terminal.modes.bracketedPasteMode, false);
    assert.equal(terminal.modes.wraparoundMode, true);
    assert.equal(terminal.modes.applicationCursorKeysMode, false);
    assert.equal(terminal.modes.insertMode, false);
    assert.equal(terminal.buffer.active.getLine(1)?.translateToString(true), 'line two');
    // And SGR is reset: what comes next is not red.
    await write(terminal, 'plain');
    const row = terminal.buffer.active.getLine(terminal.buffer.active.baseY + terminal.buffer.active.cursorY)!;
    assert.equal(row.getCell(0)!.isFgDefault(), true);
    assert.equal(row.getCell(0)!.isBold(), 0);
  });

  it('a scroll region set on the normal screen is reset, and the cursor stays where it was', async () => {
    const terminal = new xterm.Terminal({ cols: 80, rows: 24, allowProposedApi: true });
    await write(terminal, 'a\r\nb\r\n\x1b[3;10r\x1b[?25l\x1b[12;5Hstatus');
    const before = cursor(terminal);
    await write(terminal, RESTORE_TERMINAL);
    assert.deepEqual(cursor(terminal), before);
    assert.equal(cursorHidden(terminal), false);
    // The whole screen scrolls again: a line feed on the last row moves it up (with rows 3 to 10 as
    // the region, the cursor below it would stay put and nothing would scroll).
    await write(terminal, '\x1b[24;1Hbottom\n');
    assert.equal(terminal.buffer.active.baseY, 1);
    assert.equal(terminal.buffer.active.getLine(1 + 22)?.translateToString(true), 'bottom');
  });

  it('on a terminal in its normal state it changes nothing: the cursor stays, the text stays', async () => {
    const terminal = new xterm.Terminal({ cols: 80, rows: 24, allowProposedApi: true });
    await write(terminal, 'a\r\nb\r\n   status line');
    const before = cursor(terminal);
    await write(terminal, RESTORE_TERMINAL);
    assert.equal(terminal.buffer.active.type, 'normal');
    assert.deepEqual(cursor(terminal), before);
    assert.deepEqual([0, 1, 2].map((y) => terminal.buffer.active.getLine(y)?.translateToString(true)), ['a', 'b', '   status line']);
  });
});
