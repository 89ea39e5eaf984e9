import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { colorsWanted } from '../../src/ui/colors.js';

describe('colorsWanted', () => {
  it('colours a terminal, not a pipe, whatever CI says', () => {
    assert.equal(colorsWanted({}, true), true);
    assert.equal(colorsWanted({}, false), false);
    assert.equal(colorsWanted({ CI: '1' }, false), false);
    assert.equal(colorsWanted({ TERM: 'dumb' }, true), false);
  });

  it('NO_COLOR turns colour off when set and not empty; FORCE_COLOR turns it on unless 0 or false', () => {
    assert.equal(colorsWanted({ NO_COLOR: '1' }, true), false);
    assert.equal(colorsWanted({ NO_COLOR: '' }, true), true);
    assert.equal(colorsWanted({ FORCE_COLOR: '1' }, false), true);
    assert.equal(colorsWanted({ FORCE_COLOR: '0' }, true), false);
    assert.equal(colorsWanted({ FORCE_COLOR: 'false' }, true), false);
    assert.equal(colorsWanted({ NO_COLOR: '1', FORCE_COLOR: '1' }, true), false);
  });
});
