/**
 * The frame channel, as the child sees it: a socket to cctrial on fd 4 (protocol.ts says why not 3),
 * written whole and synchronously. What a test writes to it by mistake or on purpose, directly or from
 * a grandchild that inherited it, can only add lines the parent ignores: each frame carries the child's
 * secret.
 */
import fs from 'node:fs';
import { encodeFrame, FRAME_FD, type ChildFrame } from './protocol.js';

/** Taken at start-up: a test that mocks fs.writeSync (mock.method) must not take cctrial's frames with it. */
const realWriteSync = fs.writeSync;
/** Taken before the child entry wraps process.exit, whose wrapper writes a frame itself. */
const exitNow = process.exit.bind(process);

let secret = '';
/** Set once a write failed: the parent is gone (or the socket was closed behind our back). */
let broken = false;

/** The secret from the go message: every frame from now on carries it. */
export function setChannelSecret(value: string): void {
  secret = value;
}

/** Writes one frame, synchronously and whole, so that it survives a process.exit() or a SIGKILL right after. */
export function writeFrame(frame: ChildFrame): void {
  if (broken) return;
  const bytes = Buffer.from(encodeFrame(secret, frame));
  try {
    // A signal can interrupt a blocking write part way: write the rest.
    for (let offset = 0; offset < bytes.length; ) offset += realWriteSync(FRAME_FD, bytes, offset);
  } catch {
    // Nobody is left to read, and the watchdog of a new parent does not know us. Once only: the exit
    // handlers write frames too, and must not fail into this again.
    // The heartbeat finds this within a second even while a test waits.
    broken = true;
    exitNow(1);
  }
}
