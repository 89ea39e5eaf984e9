import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { roundCents } from '../src/round.js';

describe('roundCents', () => {
  it('rounds to the nearest cent, half a cent up', () => {
    assert.equal(roundCents(1999), 1999);
    assert.equal(roundCents(379.81), 380);
    assert.equal(roundCents(2.5), 3);
  });
});
