/** Small helpers for bench.mjs: child processes read line by line, /proc sampling, statistics. */
import { spawn, execFileSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';

export const now = () => performance.now();
export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
// eslint-disable-next-line no-control-regex
const ANSI = /\u001b\[[0-9;?]*[ -/]*[@-~]|\u001b[()][0-9A-B]|\u001bc/g;
export const stripAnsi = (text) => text.replace(ANSI, '');

const running = new Set();

/** Kills every process group this bench started that is still alive (on exit, Ctrl-C, errors). */
export function killAll() {
  for (const proc of running) proc.kill('SIGKILL');
}
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    killAll();
    process.exit(130);
  });
}
process.on('exit', killAll);

/**
 * A child process in its own process group, its stdout and stderr read as lines. Each line is
 * stamped with performance.now() at the moment its chunk arrived.
 */
export class Proc {
  constructor(name, command, args, { cwd, env, keepLines = 400 } = {}) {
    this.name = name;
    this.command = [command, ...args];
    this.startedAt = now();
    this.child = spawn(command, args, { cwd, env, detached: true, stdio: ['pipe', 'pipe', 'pipe'] });
    this.pid = this.child.pid;
    this.tail = [];
    this.keepLines = keepLines;
    this.waiters = new Set();
    this.listeners = new Set();
    this.lastOutputAt = this.startedAt;
    this.exit = new Promise((resolve) => {
      this.child.on('exit', (code, signal) => {
        this.exitedAt = now();
        this.exitCode = code;
        this.exitSignal = signal;
        running.delete(this);
        for (const waiter of [...this.waiters]) waiter.fail(new Error(`${name} exited (code ${code}, signal ${signal}) while waiting for ${waiter.label}`));
        resolve({ code, signal, at: this.exitedAt });
      });
    });
    this.child.on('error', () => {});
    this.child.stdin.on('error', () => {});
    running.add(this);
    for (const [stream, tag] of [[this.child.stdout, 'out'], [this.child.stderr, 'err']]) {
      let buffer = '';
      stream.setEncoding('utf8');
      stream.on('data', (chunk) => {
        const at = now();
        this.lastOutputAt = at;
        buffer += chunk;
        const lines = buffer.split(/\r?\n/);
        buffer = lines.pop();
        for (const raw of lines) this.onLine(stripAnsi(raw), at, tag);
      });
    }
  }

  onLine(line, at, tag) {
    this.tail.push(`${tag} ${line}`);
    if (this.tail.length > this.keepLines) this.tail.shift();
    for (const listener of this.listeners) listener(line, at, tag);
    for (const waiter of [...this.waiters]) {
      const value = waiter.match(line, at, tag);
      if (value !== undefined && value !== false) {
        this.waiters.delete(waiter);
        clearTimeout(waiter.timer);
        waiter.resolve({ at, line, value });
      }
    }
  }

  /** Resolves with { at, line, value } for the first line for which match() returns a value. */
  waitFor(label, match, timeoutMs) {
    return new Promise((resolve, reject) => {
      const waiter = { label, match, resolve, fail: (error) => { clearTimeout(waiter.timer); this.waiters.delete(waiter); reject(error); } };
      waiter.timer = setTimeout(() => waiter.fail(new Error(`${this.name}: no ${label} within ${Math.round(timeoutMs / 1000)} s; last output:\n${this.tail.slice(-15).join('\n')}`)), timeoutMs);
      this.waiters.add(waiter);
    });
  }

  /** Calls fn(line, at, tag) for every line until the returned function is called. */
  listen(fn) {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  /** Resolves once the process has printed nothing for `ms`. */
  async quiet(ms, timeoutMs = 120_000) {
    const deadline = now() + timeoutMs;
    while (now() - this.lastOutputAt < ms) {
      if (now() > deadline) throw new Error(`${this.name}: output did not stop for ${ms} ms within ${timeoutMs / 1000} s`);
      await sleep(Math.max(10, ms - (now() - this.lastOutputAt)));
    }
  }

  write(text) {
    this.child.stdin.write(text);
  }

  kill(signal = 'SIGTERM') {
    try {
      process.kill(-this.pid, signal);
    } catch {
      // Already gone.
    }
  }

  async stop() {
    if (this.exitedAt !== undefined) return;
    this.kill('SIGTERM');
    const timer = setTimeout(() => this.kill('SIGKILL'), 3000);
    await this.exit;
    clearTimeout(timer);
    // Children that outlived their parent in the group.
    this.kill('SIGKILL');
  }
}

/** Runs a command to completion; resolves with wall time, exit code and the output's tail. */
export async function runToEnd(name, command, args, options, onLine) {
  const proc = new Proc(name, command, args, options);
  if (onLine) proc.listen(onLine);
  const result = await proc.exit;
  proc.kill('SIGKILL');
  return { wallMs: result.at - proc.startedAt, code: result.code, signal: result.signal, tail: proc.tail };
}

// ---------------------------------------------------------------------------------------------
// /proc sampling

let clockTicks;
export function clockTicksPerSecond() {
  if (clockTicks === undefined) {
    try {
      clockTicks = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      clockTicks = 100;
    }
  }
  return clockTicks;
}

function readStat(pid) {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
    // fields[0] is field 3 (state); ppid is field 4, utime 14, stime 15, cutime 16, cstime 17.
    return { ppid: Number(fields[1]), utime: Number(fields[11]), stime: Number(fields[12]), cutime: Number(fields[13]), cstime: Number(fields[14]) };
  } catch {
    return undefined;
  }
}

function readRssKb(pid) {
  try {
    const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) : 0;
  } catch {
    return 0;
  }
}

/** The process and all its descendants. */
export function processTree(rootPid) {
  const children = new Map();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = readStat(entry);
    if (!stat) continue;
    if (!children.has(stat.ppid)) children.set(stat.ppid, []);
    children.get(stat.ppid).push(Number(entry));
  }
  const tree = [];
  const queue = [rootPid];
  while (queue.length > 0) {
    const pid = queue.shift();
    tree.push(pid);
    queue.push(...(children.get(pid) ?? []));
  }
  return tree;
}

/** One sample of the tree: RSS of the root and of the whole tree, and CPU ticks per process. */
export function sampleTree(rootPid) {
  const pids = processTree(rootPid);
  const ticks = new Map();
  let treeRssKb = 0;
  for (const pid of pids) {
    const stat = readStat(pid);
    if (!stat) continue;
    // The root also carries the CPU of children it has already reaped.
    ticks.set(pid, stat.utime + stat.stime + (pid === rootPid ? stat.cutime + stat.cstime : 0));
    treeRssKb += readRssKb(pid);
  }
  return { at: now(), processes: pids.length, rootRssKb: readRssKb(rootPid), treeRssKb, ticks };
}

/** CPU used between two samples, as a percentage of one core: root alone, and the whole tree. */
export function cpuBetween(first, last, rootPid) {
  const seconds = (last.at - first.at) / 1000;
  const hz = clockTicksPerSecond();
  let tree = 0;
  for (const [pid, ticks] of last.ticks) tree += ticks - (first.ticks.get(pid) ?? 0);
  const root = (last.ticks.get(rootPid) ?? 0) - (first.ticks.get(rootPid) ?? 0);
  return { rootPct: (100 * root) / hz / seconds, treePct: (100 * tree) / hz / seconds };
}

// ---------------------------------------------------------------------------------------------
// Statistics

export function summarize(values) {
  const sorted = values.filter((value) => Number.isFinite(value)).sort((a, b) => a - b);
  if (sorted.length === 0) return { n: 0, median: NaN, min: NaN, max: NaN, values: [] };
  const middle = Math.floor(sorted.length / 2);
  const median = sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
  return { n: sorted.length, median, min: sorted[0], max: sorted[sorted.length - 1], values };
}
