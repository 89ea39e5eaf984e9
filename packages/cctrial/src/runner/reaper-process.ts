/**
 * The reaper: a tiny process that outlives cctrial by a moment. cctrial writes it the id of every
 * process group it starts (`+pid`) and ends (`-pid`) on a pipe; when that pipe closes, however
 * cctrial died (SIGKILL included, when no handler of cctrial's runs), the reaper kills the groups
 * still listed, and every process that carries this session's marker in its environment (a test's
 * detached grandchildren, which left their group), then exits.
 */
import { createInterface } from 'node:readline';
import { processesCarrying } from './process-table.js';

const marker = `${process.argv[2] ?? ''}=${process.argv[3] ?? ''}`;
const groups = new Set<number>();
const lines = createInterface({ input: process.stdin });
lines.on('line', (line) => {
  const pid = Number(line.slice(1));
  if (!Number.isInteger(pid) || pid <= 0) return;
  if (line.startsWith('+')) groups.add(pid);
  else groups.delete(pid);
});
lines.on('close', reap);
process.stdin.on('error', reap);
// A terminal that closes sends its hangup to everyone: the reaper waits for cctrial's pipe regardless.
process.on('SIGHUP', () => {});
process.on('SIGINT', () => {});

function reap(): void {
  for (const pid of groups) kill(-pid);
  // A marker of '=' (no session given) would match nothing real: look for none.
  if (marker !== '=') for (const { pid } of processesCarrying(marker)) kill(pid);
  process.exit(0);
}

function kill(pid: number): void {
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // Already gone.
  }
}
