/** When a batch goes out: the coalescing rules with plain data. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { BURST_FLUSH_GAP_MS, delayAfterDelivery, EAGER_QUIET_MS, GIT_LOCK_POLL_MS, IDLE, onDelayOver, QUIET_MS, SETTLE_MS } from '../../src/watch/coalesce.js';

describe('coalescing: after a delivery', () => {
  test('a first change after a pause waits for a burst to settle, unless the loop is eager', () => {
    assert.equal(delayAfterDelivery(IDLE, 10_000, false).delayMs, SETTLE_MS);
    assert.equal(delayAfterDelivery(IDLE, 10_000, true).delayMs, EAGER_QUIET_MS);
  });

  test('a lone delivery that deletes a file waits a quiet period even when eager: a safe save writes the file anew next', () => {
    assert.equal(delayAfterDelivery(IDLE, 10_000, true, true).delayMs, QUIET_MS);
    assert.equal(delayAfterDelivery(IDLE, 10_000, false, true).delayMs, SETTLE_MS);
  });

  test('a delivery close after the last is the same burst: a short quiet when eager; otherwise it waits to settle, as a stalled writer may go on', () => {
    const first = delayAfterDelivery(IDLE, 10_000, true).state;
    const pending = { ...first, pending: 1 };
    assert.equal(delayAfterDelivery(pending, 10_030, true).delayMs, QUIET_MS);
    assert.equal(delayAfterDelivery(pending, 10_030, false).delayMs, SETTLE_MS);
  });

  test("a delivery ~500 ms after the last is parcel flushing a burst that goes on: wait for it to settle", () => {
    const state = { ...IDLE, pending: 3, lastDeliveryAt: 10_000 };
    assert.equal(delayAfterDelivery(state, 10_000 + BURST_FLUSH_GAP_MS, true).delayMs, SETTLE_MS);
  });

  test('eagerness only takes a lone save: a batch already pending after a pause waits to settle', () => {
    const state = { ...IDLE, pending: 2, lastDeliveryAt: 0 };
    assert.equal(delayAfterDelivery(state, 10_000, true).delayMs, SETTLE_MS);
  });

  test('remembers when it delivered', () => {
    assert.equal(delayAfterDelivery(IDLE, 1234, false).state.lastDeliveryAt, 1234);
  });
});

describe('coalescing: when the wait is over', () => {
  test('delivers when git holds no lock', () => {
    const over = onDelayOver({ ...IDLE, pending: 4 }, false);
    assert.equal(over.deliver, true);
    assert.equal(over.state.pending, 0);
  });

  test("holds the batch while git's index lock exists, however long, then waits a quiet period for git's last writes", () => {
    let state = { ...IDLE, pending: 1 };
    for (let poll = 0; poll < 100; poll++) {
      const over = onDelayOver(state, true);
      assert.deepEqual([over.deliver, over.deliver ? 0 : over.delayMs], [false, GIT_LOCK_POLL_MS]);
      state = over.state;
    }
    const released = onDelayOver(state, false);
    assert.deepEqual([released.deliver, released.deliver ? 0 : released.delayMs], [false, QUIET_MS]);
    assert.equal(onDelayOver(released.state, false).deliver, true);
  });
});
