/**
 * Both ways of reading the process table, /proc and `ps` (the one macOS uses), find the same real
 * processes by their marker, with the same group, command and environment.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { after, describe, test } from 'node:test';
import { processesCarrying, type ProcessSource } from '../../src/runner/process-table.js';

const MARK = `CCTRIAL_TABLE_TEST=${process.pid}-${Date.now()}`;
const started: ChildProcess[] = [];
after(() => {
  for (const child of started) child.kill('SIGKILL');
});

function start(detached: boolean): ChildProcess {
  const [name, value] = MARK.split('=') as [string, string];
  // A value with spaces and an = in it, before and after the marker, must not hide the marker or end the command early.
  const env = { PATH: process.env.PATH, BEFORE: 'a b=c d', [name]: value, AFTER: 'x  y' };
  const child = spawn('sleep', ['30'], { env, detached, stdio: 'ignore' });
  started.push(child);
  return child;
}

describe('the process table', () => {
  const inGroup = start(false);
  const detached = start(true);
  const sources: ProcessSource[] = process.platform === 'linux' ? ['proc', 'ps'] : ['ps'];
  for (const source of sources) {
    test(`from ${source}: the marked processes, each with its group, command and environment`, () => {
      const found = processesCarrying(MARK, source).sort((a, b) => a.pid - b.pid);
      const expected = [inGroup, detached].sort((a, b) => a.pid! - b.pid!);
      assert.deepEqual(found.map((entry) => entry.pid), expected.map((child) => child.pid));
      const byPid = new Map(found.map((entry) => [entry.pid, entry]));
      // Detached, it leads a group of its own; otherwise it is in this process's group.
      assert.equal(byPid.get(detached.pid!)!.group, detached.pid);
      assert.notEqual(byPid.get(inGroup.pid!)!.group, inGroup.pid);
      for (const entry of found) {
        assert.equal(entry.command, 'sleep 30');
        assert.ok(entry.environment.includes(MARK), entry.environment.join(' '));
      }
    });
  }

  test('a marker no process carries finds none', () => {
    for (const source of sources) assert.deepEqual(processesCarrying(`${MARK}-none`, source), []);
  });
});
