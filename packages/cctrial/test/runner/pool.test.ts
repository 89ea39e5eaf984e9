/** The job pool: bounded concurrency, results in job order. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { runPool } from '../../src/runner/pool.js';

/** A job that finishes when the test says so: no timers, the order is the test's choice. */
function deferred<T>() {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((settle) => (resolve = settle));
  return { promise, resolve };
}

describe('runPool', () => {
  it('never runs more jobs at once than allowed, and starts them in order', async () => {
    const gates = Array.from({ length: 5 }, () => deferred<void>());
    const started: number[] = [];
    let running = 0;
    let peak = 0;
    const pool = runPool([0, 1, 2, 3, 4], 2, async (job) => {
      started.push(job);
      running++;
      peak = Math.max(peak, running);
      await gates[job]!.promise;
      running--;
      return job * 10;
    });
    await Promise.resolve();
    assert.deepEqual(started, [0, 1]);
    gates[1]!.resolve();
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(started, [0, 1, 2]);
    for (const gate of gates) gate.resolve();
    assert.deepEqual(await pool, [0, 10, 20, 30, 40]);
    assert.equal(peak, 2);
  });

  it('returns results in job order, whatever order the jobs finish in', async () => {
    const gates = Array.from({ length: 3 }, () => deferred<void>());
    const pool = runPool(['a', 'b', 'c'], 3, async (job) => {
      await gates['abc'.indexOf(job)]!.promise;
      return job.toUpperCase();
    });
    gates[2]!.resolve();
    gates[0]!.resolve();
    gates[1]!.resolve();
    assert.deepEqual(await pool, ['A', 'B', 'C']);
  });

  it('handles no jobs, and a concurrency above the number of jobs', async () => {
    assert.deepEqual(await runPool([], 4, async () => 1), []);
    assert.deepEqual(await runPool([1, 2], 8, async (job) => job + 1), [2, 3]);
  });
});
