/** A delivery of a file just as it was last handed to the loop brings nothing new: real files. */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, truncateSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, test } from 'node:test';
import { DeliveredStamps } from '../../src/watch/stamps.js';

describe('DeliveredStamps', () => {
  test('hands a file on once per write: a second delivery of the same write is dropped, the next write is not', () => {
    const folder = mkdtempSync(path.join(tmpdir(), 'cctrial-stamps-'));
    try {
      const file = path.join(folder, 'index.js');
      writeFileSync(file, 'export const half = (n) => n / 3;\n');
      const stamps = new DeliveredStamps();
      assert.deepEqual(stamps.takeChanged([file]), [file]);
      assert.deepEqual(stamps.takeChanged([file]), [], 'the same write, delivered again');
      writeFileSync(file, 'export const half = (n) => n / 4;\n');
      assert.deepEqual(stamps.takeChanged([file]), [file], 'a new write of the same length');
      // The truncate of an in-place save, then its write: both are new.
      truncateSync(file, 0);
      assert.deepEqual(stamps.takeChanged([file]), [file]);
      writeFileSync(file, 'export const half = (n) => n / 2;\n');
      assert.deepEqual(stamps.takeChanged([file]), [file]);
      // Same content and size, written again later: a touch is a save, and counts.
      utimesSync(file, new Date(), new Date(Date.now() + 60_000));
      assert.deepEqual(stamps.takeChanged([file]), [file]);
      rmSync(file);
      assert.deepEqual(stamps.takeChanged([file]), [file], 'deleted');
      assert.deepEqual(stamps.takeChanged([file]), [], 'still deleted');
      writeFileSync(file, 'back\n');
      assert.deepEqual(stamps.takeChanged([file]), [file], 'created again');
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });
});
