import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { alignRight, center, columns, truncate } from '@demo/text';

describe('layout', () => {
  describe('truncate', () => {
    it('cuts long text with an ellipsis', () => {
      assert.equal(truncate('Darjeeling first flush', 10), 'Darjeelin…');
      assert.equal(truncate('Tea', 5), 'Tea');
    });
  });

  describe('alignRight', () => {
    it('pads on the left', () => {
      assert.equal(alignRight(42, 6), '    42');
    });
  });

  describe('columns', () => {
    it('puts the value flush right', () => {
      assert.equal(columns('Tea', '€3.49', 16), 'Tea        €3.49');
    });

    it('truncates a label that would touch the value', () => {
      const line = columns('Assam breakfast blend', '€12.00', 20);
      assert.equal(line, 'Assam breakf… €12.00');
      assert.equal(line.length, 20);
    });
  });

  it('centres a title', () => {
    assert.equal(center('SHOP', 10), '   SHOP   ');
  });
});
