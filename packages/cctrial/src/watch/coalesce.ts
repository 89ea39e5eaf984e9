/**
 * When a batch of changes is delivered: a pure function of the pending batch, the delivery that just
 * came, the time and the loop's eagerness, so that its rules are tested with plain data.
 *
 * @parcel/watcher reports the first change after a pause at once, then batches the rest of a burst
 * until 50 ms of quiet, flushing at least every 500 ms while the burst goes on. So a lone first
 * delivery cannot tell a single save from the start of a burst: only waiting past parcel's 500 ms
 * can. Eager (the fix loop, where a run is cheap to restart) takes a lone save after EAGER_QUIET_MS;
 * otherwise every delivery waits SETTLE_MS, so that the batch goes out once the burst has settled.
 * While git holds its index lock (checkout, merge, rebase), batches are held back, however long git takes.
 */

/** While eager: longer than parcel's own 50 ms of quiet, so that its next delivery of the same burst joins the batch. */
export const QUIET_MS = 60;
/** For a lone change while fixing: just enough to take the other events of the same save along. */
export const EAGER_QUIET_MS = 10;
/** Longer than parcel's 500 ms between deliveries of a continuing burst. */
export const SETTLE_MS = 550;
/** Deliveries this close to 500 ms apart are parcel flushing a burst that has not ended. */
export const BURST_FLUSH_GAP_MS = 450;
/** How often a held batch looks again whether git is done. */
export const GIT_LOCK_POLL_MS = 20;

export interface Coalescing {
  /** Files waiting to be delivered. */
  pending: number;
  /** When the watcher last delivered events, or -Infinity. */
  lastDeliveryAt: number;
  /** Whether the batch is being held while git works. */
  heldByGit: boolean;
}

export const IDLE: Coalescing = { pending: 0, lastDeliveryAt: -Infinity, heldByGit: false };

/**
 * After a delivery of events from the watcher: how long to wait before the batch goes out. A
 * delivery that deletes a file is never taken eagerly: editors that save safely move the file away
 * and write it anew, and the new file comes in the watcher's next delivery.
 */
export function delayAfterDelivery(before: Coalescing, now: number, eager: boolean, deletes = false): { state: Coalescing; delayMs: number } {
  const state = { ...before, lastDeliveryAt: now };
  // Not eager, the next run is a whole suite: waiting out parcel's flush interval after every delivery costs
  // half a second, and a burst whose writer a loaded machine stalls for a moment still gives one batch, not two runs.
  if (!eager) return { state, delayMs: SETTLE_MS };
  // A delivery after a pause may be the head of a burst, and one ~500 ms after the last is its middle.
  const afterPause = now - before.lastDeliveryAt >= BURST_FLUSH_GAP_MS;
  const startsBatch = before.pending === 0;
  const delayMs = afterPause && startsBatch ? (deletes ? QUIET_MS : EAGER_QUIET_MS) : afterPause ? SETTLE_MS : QUIET_MS;
  return { state, delayMs };
}

/** When the wait is over: deliver the batch, or look again later because git is (or just was) at work. */
export function onDelayOver(before: Coalescing, gitLocked: boolean): { state: Coalescing; deliver: true } | { state: Coalescing; deliver: false; delayMs: number } {
  if (gitLocked) return { state: { ...before, heldByGit: true }, deliver: false, delayMs: GIT_LOCK_POLL_MS };
  // git is done: give the watcher time to deliver the events of git's last writes.
  if (before.heldByGit) return { state: { ...before, heldByGit: false }, deliver: false, delayMs: QUIET_MS };
  return { state: { ...before, pending: 0 }, deliver: true };
}
