/**
 * Helpers for the loop's end-to-end tests: a stub notify-send, polling for conditions outside
 * cctrial's events (pid files, dead processes), and the fixture monorepos the scenarios share.
 */
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after } from 'node:test';
import type { CctrialEvent } from '../../src/events.js';
import { writeNpmMonorepo } from '../helpers/workspace.js';

export const WAIT_MS = 30_000;


/** A fresh temp folder outside any fixture (so cctrial never watches it), removed after the file's tests. */
export function scratchFolder(prefix = 'cctrial-scratch-'): string {
  const folder = realpathSync(mkdtempSync(path.join(tmpdir(), prefix)));
  if (!process.env.CCTRIAL_KEEP_FIXTURES) after(() => rmSync(folder, { recursive: true, force: true }));
  return folder;
}

/**
 * A `notify-send` that appends one line per call to `log`: its arguments, each followed by `|`.
 * One printf per call, so concurrent calls do not interleave within a line.
 */
export function writeStubNotifySend(binFolder: string, log: string): void {
  mkdirSync(binFolder, { recursive: true });
  const script = path.join(binFolder, 'notify-send');
  writeFileSync(script, `#!/bin/sh\nline=''\nfor arg in "$@"; do line="$line$arg|"; done\nprintf '%s\\n' "$line" >> '${log}'\n`);
  chmodSync(script, 0o755);
}

export function readLines(file: string): string[] {
  return existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter((line) => line !== '') : [];
}

/**
 * Polls a condition that no cctrial event announces (a file a grandchild writes, the kernel reaping a
 * process). Fails with `what` and the last value seen.
 */
export async function waitUntil<T>(
  probe: () => T | undefined | false,
  { timeoutMs = WAIT_MS, what = 'condition' }: { timeoutMs?: number; what?: string | (() => string) } = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${typeof what === 'function' ? what() : what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** true while the pid exists (a zombie counts: process.kill(pid, 0) only throws ESRCH once it is reaped). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ESRCH') return false;
    throw error;
  }
}

/**
 * Every live process whose command line or working folder mentions `text`, as "pid: cwd: cmdline".
 * The working folder counts because a pre-warmed test child learns its file on stdin, not argv.
 */
export function processesMentioning(text: string): string[] {
  const found: string[] = [];
  for (const pid of listPids()) {
    if (pid === process.pid) continue;
    let cmdline: string;
    let cwd = '';
    try {
      cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ');
      cwd = readlinkSync(`/proc/${pid}/cwd`);
    } catch {
      continue; // Gone while scanning, or a zombie.
    }
    if (cmdline.includes(text) || cwd.includes(text)) found.push(`${pid}: ${cwd}: ${cmdline}`);
  }
  return found;
}

/** "pid: cmdline" of a process, for failure messages. */
export function describePid(pid: number): string {
  try {
    return `${pid}: ${readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ') || '(zombie)'}`;
  } catch {
    return `${pid}: (gone)`;
  }
}

/** Every live descendant of `ancestor`, from /proc/<pid>/stat. */
export function descendantsOf(ancestor: number): number[] {
  const parentOf = new Map<number, number>();
  for (const pid of listPids()) {
    try {
      // pid (comm) state ppid ...: comm may hold spaces and parentheses, so read after the last ')'.
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      parentOf.set(pid, Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
    } catch {
      // Gone while scanning.
    }
  }
  const isDescendant = (pid: number): boolean => {
    for (let parent = parentOf.get(pid); parent !== undefined && parent > 1; parent = parentOf.get(parent)) {
      if (parent === ancestor) return true;
    }
    return false;
  };
  return [...parentOf.keys()].filter(isDescendant);
}

function listPids(): number[] {
  return readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .map(Number);
}

/** The run:start/run:end events from index `from`, and the index of each in `events`. */
export function runEvents(events: CctrialEvent[], from = 0): Array<{ index: number; event: Extract<CctrialEvent, { type: 'run:start' | 'run:end' }> }> {
  return events.flatMap((event, index) => (index >= from && (event.type === 'run:start' || event.type === 'run:end') ? [{ index, event }] : []));
}

export function ofType<T extends CctrialEvent['type']>(events: CctrialEvent[], type: T, from = 0): Array<Extract<CctrialEvent, { type: T }>> {
  return events.slice(from).filter((event): event is Extract<CctrialEvent, { type: T }> => event.type === type);
}

export const is =
  <T extends CctrialEvent['type']>(type: T, where: (event: Extract<CctrialEvent, { type: T }>) => boolean = () => true) =>
  (event: CctrialEvent): boolean =>
    event.type === type && where(event as Extract<CctrialEvent, { type: T }>);

const HEADER = "import { test } from 'node:test';\nimport assert from 'node:assert/strict';\n";

/** The source of @fx/math, broken (every call throws one identical error) or fixed. */
export const MATH_BROKEN = "export function add(a, b) {\n  throw new Error('add is broken');\n}\n";
export const MATH_FIXED = 'export function add(a, b) {\n  return a + b;\n}\n';
export const UTIL_BROKEN = "export const pad = (text, width) => text.padEnd(width, '-');\n";
export const UTIL_FIXED = "export const pad = (text, width) => text.padStart(width, '-');\n";

/**
 * Two independent bugs. @fx/math's add throws, which breaks 3 tests of @fx/app that reach it only
 * through the workspace link node_modules/@fx/math; @fx/util's pad pads the wrong side, which breaks
 * 1 test of @fx/util with another error. 6 tests in all.
 */
export function writeTwoBugsMonorepo(): string {
  return writeNpmMonorepo({
    math: { name: '@fx/math', files: { 'index.js': MATH_BROKEN } },
    app: {
      name: '@fx/app',
      dependencies: ['@fx/math'],
      files: {
        'index.js': "import { add } from '@fx/math';\nexport const total = (numbers) => numbers.reduce(add, 0);\n",
        'test/a.test.js':
          HEADER +
          "import { add } from '@fx/math';\n" +
          "test('adds two numbers', () => assert.equal(add(1, 2), 3));\n" +
          "test('adds negatives', () => assert.equal(add(-1, -2), -3));\n" +
          "test('needs no math', () => assert.ok(true));\n",
        'test/b.test.js': HEADER + "import { total } from '../index.js';\ntest('totals a list', () => assert.equal(total([1, 2, 3]), 6));\n",
      },
    },
    util: {
      name: '@fx/util',
      files: {
        'index.js': UTIL_BROKEN,
        'pad.test.js':
          HEADER + "import { pad } from './index.js';\ntest('pads left', () => assert.equal(pad('a', 3), '--a'));\ntest('keeps long text', () => assert.equal(pad('abcd', 3), 'abcd'));\n",
      },
    },
  });
}

/** A green monorepo: @fx/app's one test uses @fx/lib through its workspace link. */
export function writeGreenMonorepo(libFiles: Record<string, string> = {}, appFiles: Record<string, string> = {}): string {
  return writeNpmMonorepo({
    lib: { name: '@fx/lib', files: { 'index.js': 'export const answer = () => 42;\n', ...libFiles } },
    app: {
      name: '@fx/app',
      dependencies: ['@fx/lib'],
      files: { 'test/answer.test.js': HEADER + "import { answer } from '@fx/lib';\ntest('answers', () => assert.equal(answer(), 42));\n", ...appFiles },
    },
  });
}

export { HEADER as TEST_HEADER };

/**
 * For fixtures that tell the test their pids through a file: `writeAtomically(file, text)`, so that the
 * test polling the file never reads it half-written (a cut pid names another process).
 */
export const ATOMIC_WRITE =
  "import { writeFileSync as writeNow, renameSync as renameNow } from 'node:fs';\n" +
  "const writeAtomically = (file, text) => { writeNow(file + '.part', text); renameNow(file + '.part', file); };\n";

/** A test that spawns a long-lived grandchild and writes both pids to $CCTRIAL_PIDS_FILE: no process may outlive cctrial. */
export function grandchildFixture(waitMs: number): Record<string, string> {
  return {
    'helpers/grandchild.cjs': 'setInterval(() => {}, 1000);\n',
    'test/spawns.test.js':
      HEADER +
      ATOMIC_WRITE +
      "import { spawn } from 'node:child_process';\nimport { fileURLToPath } from 'node:url';\n" +
      "test('spawns a long-lived grandchild', async () => {\n" +
      "  const grandchild = spawn(process.execPath, [fileURLToPath(new URL('../helpers/grandchild.cjs', import.meta.url))], { stdio: 'ignore' });\n" +
      '  writeAtomically(process.env.CCTRIAL_PIDS_FILE, JSON.stringify({ test: process.pid, grandchild: grandchild.pid }));\n' +
      `  await new Promise((resolve) => setTimeout(resolve, ${waitMs}));\n` +
      '});\n',
  };
}
