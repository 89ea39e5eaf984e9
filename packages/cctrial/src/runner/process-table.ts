/**
 * The processes whose environment holds a variable, for the session and process markers that every
 * test process, and so every descendant, inherits. Linux only, where /proc shows environments: on
 * macOS, `ps -E` shows them only in part, so there none are found, and a test's detached grandchildren
 * are ended only with cctrial (docs/architecture.md, "Processes").
 */
import { readdirSync, readFileSync } from 'node:fs';

export interface MarkedProcess {
  pid: number;
  /** Its environment, as NAME=value entries. */
  environment: string[];
}

/** `variable` is `NAME=value`; this process itself is never among them. */
export function processesCarrying(variable: string): MarkedProcess[] {
  if (process.platform !== 'linux') return [];
  const found: MarkedProcess[] = [];
  for (const entry of readdirSync('/proc')) {
    const pid = Number(entry);
    if (!Number.isInteger(pid) || pid === process.pid) continue;
    try {
      const environment = readFileSync(`/proc/${pid}/environ`, 'latin1').split('\0');
      if (environment.includes(variable)) found.push({ pid, environment });
    } catch {
      // Gone while looking, or not ours to read.
    }
  }
  return found;
}
