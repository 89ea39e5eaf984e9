/**
 * The processes whose environment holds a variable, for the session and process markers that every
 * test process, and so every descendant, inherits. On Linux, /proc shows each environment. Elsewhere
 * `ps` does: the dashless `e` appends the environment to the command, on Linux (procps: "Show the
 * environment after the command") as on macOS, where a dashless first argument means the old BSD
 * options and `e` is `-E`, "Display the environment as well" (Apple's ps.1 and ps.c). macOS shows the
 * environment a process started with, which is what a marker needs.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

export interface MarkedProcess {
  pid: number;
  /** Its process group. */
  group: number;
  /** Its command line, for messages. */
  command: string;
  /** Its environment, as NAME=value entries. */
  environment: string[];
}

export type ProcessSource = 'proc' | 'ps';

/** `variable` is `NAME=value`; this process itself is never among them. */
export function processesCarrying(variable: string, source: ProcessSource = process.platform === 'linux' ? 'proc' : 'ps'): MarkedProcess[] {
  const found = source === 'proc' ? fromProc(variable) : fromPs(variable);
  return found.filter((entry) => entry.pid !== process.pid);
}

function fromProc(variable: string): MarkedProcess[] {
  const found: MarkedProcess[] = [];
  for (const entry of readdirSync('/proc')) {
    const pid = Number(entry);
    if (!Number.isInteger(pid)) continue;
    try {
      const environment = readFileSync(`/proc/${pid}/environ`, 'latin1').split('\0');
      if (!environment.includes(variable)) continue;
      const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
      // The command name in parentheses may hold spaces: the fields that follow start after the last ')'.
      const group = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[2]);
      const command = readFileSync(`/proc/${pid}/cmdline`, 'latin1').split('\0').join(' ').trim();
      found.push({ pid, group, command, environment });
    } catch {
      // Gone while looking, or not ours to read.
    }
  }
  return found;
}

/** A variable as `ps` shows one: what follows the command is NAME=value words. */
const ENVIRONMENT_WORD = /^[A-Za-z_][A-Za-z0-9_]*=/;

function fromPs(variable: string): MarkedProcess[] {
  let table: string;
  try {
    table = execFileSync('ps', ['axeww', '-o', 'pid=,pgid=,command='], { encoding: 'latin1', maxBuffer: 256 << 20, stdio: ['ignore', 'pipe', 'ignore'] });
  } catch {
    return [];
  }
  const found: MarkedProcess[] = [];
  for (const line of table.split('\n')) {
    const [pid, group, ...words] = line.trim().split(/\s+/);
    // Values with spaces are split into several words; the markers have none, so they are whole words.
    if (!words.includes(variable)) continue;
    const firstVariable = words.findIndex((word, index) => index > 0 && ENVIRONMENT_WORD.test(word));
    found.push({
      pid: Number(pid),
      group: Number(group),
      command: words.slice(0, firstVariable === -1 ? undefined : firstVariable).join(' '),
      environment: words.filter((word) => ENVIRONMENT_WORD.test(word)),
    });
  }
  return found;
}
