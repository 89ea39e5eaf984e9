/**
 * The real built cctrial in a real pseudo-terminal, as a user sees it: every byte it writes goes
 * through a headless xterm of the same size, and tests read the rendered screen, not the raw bytes.
 * Tests wait for what the screen shows, never for time. A wait that times out fails with the screen
 * and the tail of the raw output, pointing at the test line that waited.
 */
import pty from '@lydell/node-pty';
import xterm from '@xterm/headless';
import { CLI, HARNESS_ENV_UNSET } from './cli.js';

const PTY_COLS = 120;
const PTY_ROWS = 40;
const DEFAULT_WAIT_MS = 30_000;
/** A process that ignores SIGTERM in clean-up is killed after this long. */
const STOP_GRACE_MS = 5_000;
/** How much of the raw output a failed wait shows. */
const RAW_TAIL_CHARS = 2_000;

export type ScreenPredicate = RegExp | ((screen: string) => boolean);

export interface PtyProcess {
  /** The pseudo-terminal process (the CLI itself, or the shell around it). */
  readonly pid: number;
  /** The emulated terminal, for what text alone cannot say (wrapped rows, the cursor). */
  readonly terminal: InstanceType<typeof xterm.Terminal>;
  /** The visible rows, as text, trailing spaces trimmed. Reflects every byte received once a wait has resolved. */
  screen(): string;
  /** Every line of the buffer, scrollback included: wrapped rows joined, trailing spaces and empty rows trimmed. */
  transcript(): string;
  /** Every byte received, escape codes included. */
  raw(): string;
  /** Resolves with the screen once it matches; checked whenever every byte received so far has been rendered. */
  waitForScreen(expected: ScreenPredicate, options?: { timeoutMs?: number; what?: string }): Promise<string>;
  /** Types keys into the terminal, e.g. 'h', '\r' (Enter), '\x03' (Ctrl-C). */
  write(keys: string): void;
  /** Resizes the emulated terminal, then the pty (which sends SIGWINCH), as a terminal window does. */
  resize(cols: number, rows: number): void;
  /** Resolves with the exit code, once all output has been rendered. */
  readonly exited: Promise<number>;
  /** Ends the process if it still runs (SIGTERM, then SIGKILL), and resolves with its exit code. */
  stop(): Promise<number>;
}

export interface PtyOptions {
  cwd: string;
  /** Added to the environment; `undefined` removes a variable. */
  env?: NodeJS.ProcessEnv;
  cols?: number;
  rows?: number;
  /** Options of the emulated terminal, to play a different emulator (e.g. `reflowCursorLine`). */
  terminalOptions?: TerminalOptions;
}

type TerminalOptions = NonNullable<ConstructorParameters<typeof xterm.Terminal>[0]>;

/** Starts `node <CLI> --no-notify ...args` in a pseudo-terminal. */
export function startCliInPty(args: string[], options: PtyOptions): PtyProcess {
  return spawnInPty(process.execPath, [CLI, '--no-notify', ...args], options);
}

/** The shell command line that runs the CLI, for scripts that do more around it (`stty -a`, `echo $?`). */
export function cliCommandLine(args: string[] = []): string {
  return [process.execPath, CLI, '--no-notify', ...args].map(shellQuote).join(' ');
}

/**
 * node-pty waits 200 ms after the process exits for its socket to reach the end of the output, then
 * destroys it. On a busy machine that timer can fire before the last bytes are read (timers run before
 * I/O in an event-loop turn), and they are lost: a test that checks the last bytes written would fail.
 * Destroy it only after the next I/O phase has read what is left (the socket then closes by itself).
 */
function keepReadingAfterExit(child: pty.IPty): void {
  const socket = (child as unknown as { _socket?: { destroy(...args: unknown[]): unknown; destroyed?: boolean } })._socket;
  if (!socket || typeof socket.destroy !== 'function') return;
  const destroy = socket.destroy.bind(socket);
  socket.destroy = (...args: unknown[]) => {
    setImmediate(() => setTimeout(() => socket.destroyed || destroy(...args), 100));
    return socket;
  };
}

/** Starts any program in a pseudo-terminal with the environment of an interactive terminal. */
export function spawnInPty(file: string, args: string[], options: PtyOptions): PtyProcess {
  const cols = options.cols ?? PTY_COLS;
  const rows = options.rows ?? PTY_ROWS;
  const env = terminalEnv(options.env);
  const child = pty.spawn(file, args, { name: env.TERM!, cols, rows, cwd: options.cwd, env });
  keepReadingAfterExit(child);
  const terminal = new xterm.Terminal({ scrollback: 10_000, ...options.terminalOptions, cols, rows, allowProposedApi: true });
  // Answer the terminal's replies (cursor position reports and the like) as a real terminal would.
  terminal.onData((data) => child.write(data));

  let raw = '';
  let exitCode: number | undefined;
  const checks = new Set<() => void>();
  // xterm parses asynchronously. Checks run only when it has caught up with every byte received, so
  // that a predicate sees a screen and a raw() that agree.
  let unparsedWrites = 0;
  const render = (data: string, then?: () => void) => {
    unparsedWrites++;
    terminal.write(data, () => {
      unparsedWrites--;
      then?.();
      if (unparsedWrites === 0) for (const check of [...checks]) check();
    });
  };
  child.onData((data) => {
    raw += data;
    render(data);
  });
  const exited = new Promise<number>((resolve) => {
    child.onExit(({ exitCode: code }) => {
      // An empty write is parsed after all earlier ones: the screen is complete when it calls back.
      render('', () => {
        exitCode = code;
        resolve(code);
      });
    });
  });

  const screen = () => rowsText(terminal, terminal.buffer.active.viewportY, terminal.rows).join('\n');
  const transcript = () => {
    const lines: string[] = [];
    const buffer = terminal.buffer.active;
    for (let y = 0; y < buffer.length; y++) {
      const line = buffer.getLine(y);
      // A row that wraps onto the next is full: keep its last cells, spaces included, when joining.
      const text = line?.translateToString(!buffer.getLine(y + 1)?.isWrapped) ?? '';
      // A row the terminal wrapped onto continues the line above: the transcript shows lines as printed.
      if (line?.isWrapped && lines.length > 0) lines[lines.length - 1] += text;
      else lines.push(text);
    }
    const trimmed = lines.map((line) => line.trimEnd());
    while (trimmed.length > 0 && trimmed[trimmed.length - 1] === '') trimmed.pop();
    return trimmed.join('\n');
  };

  const waitForScreen: PtyProcess['waitForScreen'] = (expected, { timeoutMs = DEFAULT_WAIT_MS, what } = {}) => {
    const matches = typeof expected === 'function' ? expected : (text: string) => expected.test(text);
    const description = what ?? String(expected);
    // Created here, so that its stack points at the test line that waited.
    const failure = new Error(`timed out after ${timeoutMs} ms waiting for the screen to show ${description}`);
    return new Promise((resolve, reject) => {
      const finish = () => {
        clearTimeout(timer);
        checks.delete(check);
      };
      const check = () => {
        const text = screen();
        if (matches(text)) {
          finish();
          resolve(text);
        } else if (exitCode !== undefined) {
          finish();
          failure.message = `the process exited (code ${exitCode}) before the screen showed ${description}`;
          reject(withScreen(failure));
        }
      };
      const timer = setTimeout(() => {
        finish();
        reject(withScreen(failure));
      }, timeoutMs);
      checks.add(check);
      // Check what is already there, once everything received so far has been rendered.
      render('');
    });
  };

  const withScreen = (error: Error) => {
    const tail = raw.slice(-RAW_TAIL_CHARS);
    error.message += `\n--- screen (${terminal.cols}x${terminal.rows}) ---\n${screen()}\n--- raw tail (${tail.length} of ${raw.length} chars) ---\n${JSON.stringify(tail)}`;
    return error;
  };

  return {
    pid: child.pid,
    terminal,
    screen,
    transcript,
    raw: () => raw,
    waitForScreen,
    write: (keys) => child.write(keys),
    resize(newCols, newRows) {
      terminal.resize(newCols, newRows);
      child.resize(newCols, newRows);
    },
    exited,
    async stop() {
      if (exitCode !== undefined) return exitCode;
      child.kill('SIGTERM');
      const killer = setTimeout(() => {
        if (exitCode === undefined) child.kill('SIGKILL');
      }, STOP_GRACE_MS);
      const code = await exited;
      clearTimeout(killer);
      return code;
    },
  };
}

/** An interactive terminal's environment: colours allowed, not CI, and not inside a node:test child. */
function terminalEnv(extra: NodeJS.ProcessEnv = {}): Record<string, string> {
  const merged: NodeJS.ProcessEnv = {
    ...process.env,
    ...HARNESS_ENV_UNSET,
    TERM: 'xterm-256color',
    NO_COLOR: undefined,
    FORCE_COLOR: undefined,
    ...extra,
  };
  // node-pty writes `KEY=undefined` for undefined values, and picocolors reads even an empty NO_COLOR.
  return Object.fromEntries(Object.entries(merged).filter((entry): entry is [string, string] => entry[1] !== undefined));
}

function rowsText(terminal: InstanceType<typeof xterm.Terminal>, from: number, count: number): string[] {
  const lines: string[] = [];
  // translateToString(true) trims only cells never written; a printed space is trimmed here.
  for (let y = from; y < from + count; y++) lines.push((terminal.buffer.active.getLine(y)?.translateToString(true) ?? '').trimEnd());
  return lines;
}

function shellQuote(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}
