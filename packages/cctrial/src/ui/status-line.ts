/**
 * The one line at the bottom of a TTY that always shows where the run is. Everything else is
 * printed above it: the line is cleared, the text written, and the line drawn again.
 *
 * Hand-written rather than cli-progress: cli-progress either turns the terminal's line wrapping
 * off while it is active, which cuts every printed stack line wider than the screen, or cuts its
 * own line with String#substr, which counts colour codes and can split one; and its log() output
 * waits for the next timer tick. This is the part of it cctrial needs, done right (docs/architecture.md).
 */
import { colors as pc } from './colors.js';
import { cutEnd, cutStart, displayWidth, flattenLine, padToWidth, RESTORE_TERMINAL } from './terminal-text.js';

export interface StatusCounts {
  done: number;
  total: number | null;
  failed: number;
  errors: number;
  skipped: number;
  todo: number;
  cancelled: number;
}

const CLEAR_LINE = '\r\x1b[2K';
const HIDE_CURSOR = '\x1b[?25l';
const MIN_NAME_WIDTH = 10;
const REDRAW_INTERVAL_MS = 50;

export class StatusLine {
  private current = '';
  private counts: StatusCounts | undefined;
  private drawnWidth = 0;
  private timer: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(private readonly stream: NodeJS.WriteStream) {
    stream.write(HIDE_CURSOR);
    stream.on('resize', this.onResize);
    // However cctrial ends (a crash, a second Ctrl-C, process.exit), the terminal is handed back.
    process.once('exit', () => this.close());
  }

  /** Updates the line; redraws at most every REDRAW_INTERVAL_MS, so that fast runs do not flood the terminal. */
  update(current: string, counts: StatusCounts): void {
    this.current = current;
    this.counts = { ...counts };
    this.timer ??= setTimeout(() => {
      this.timer = undefined;
      this.draw();
    }, REDRAW_INTERVAL_MS);
  }

  /** Prints text above the status line and draws the line again, in one write so that it never flickers. */
  print(text: string): void {
    if (this.closed) return void this.stream.write(text);
    this.draw(CLEAR_LINE + text);
  }

  /**
   * Ends the line and hands the terminal back: cursor shown, normal screen, modes reset (RESTORE_TERMINAL).
   * A redraw still waiting for its tick is drawn first: the line left on screen shows the final counts.
   */
  close(): void {
    if (this.closed) return;
    if (this.timer) this.draw();
    this.closed = true;
    clearTimeout(this.timer);
    this.stream.off('resize', this.onResize);
    this.stream.write((this.drawnWidth > 0 ? '\n' : '') + RESTORE_TERMINAL);
  }

  private draw(before = ''): void {
    if (this.closed) return;
    if (!this.counts) return void this.stream.write(before);
    const text = formatStatus(this.current, this.counts, this.width());
    this.stream.write(before + CLEAR_LINE + text);
    this.drawnWidth = displayWidth(text);
  }

  private width(): number {
    return this.stream.columns || 80;
  }

  /**
   * Only the cursor's line is cleared: terminals disagree on whether a narrower window rewraps the
   * old status line (VTE, kitty) or cuts it (xterm, xterm.js), and climbing rows that were not
   * rewrapped would erase the user's output. A stale fragment is the lesser harm.
   */
  private readonly onResize = () => this.draw();
}

/**
 * `<current test> done/total nF nE nS nT nC`, one column less than the width so it never wraps:
 * measured in display columns (CJK and emoji take two), the name on one line (`⏎` for a line break,
 * control characters as visible symbols) and cut from its start with `…`.
 */
export function formatStatus(current: string, counts: StatusCounts, width: number): string {
  const column = (count: number, letter: string, color: (text: string) => string) => {
    const text = `${String(count).padStart(5)}${letter}`;
    return count > 0 ? color(text) : text;
  };
  // The expected total is the last run's count: a run with more tests than that shows its own count.
  const total = counts.total === null ? '?' : Math.max(counts.total, counts.done);
  const progress = `${String(counts.done).padStart(5)}/${String(total).padStart(5)}`;
  const tail = [
    progress,
    column(counts.failed, 'F', pc.red),
    column(counts.errors, 'E', pc.red),
    column(counts.skipped, 'S', pc.cyan),
    column(counts.todo, 'T', pc.blue),
    column(counts.cancelled, 'C', pc.yellow),
  ].join(' ');
  const nameWidth = width - 1 - displayWidth(tail) - 1;
  if (nameWidth < MIN_NAME_WIDTH) return cutEnd(`${progress} ${counts.failed + counts.errors + counts.cancelled}✗`, width - 1);
  // The end of a long name is kept: the test's own name matters more than its file's folders.
  return `${padToWidth(cutStart(flattenLine(current), nameWidth), nameWidth)} ${tail}`;
}

export const STATUS_LEGEND = [
  'Status line (TTY only): <current test>  done/total  F failures (assertions)  E errors (other exceptions,',
  '  hooks, files that fail to load)  S skipped  T todo  C cancelled (timed out, or killed by the watchdog).',
].join('\n');
