import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Money } from '@demo/money';
import { Cart } from '@demo/cart';

const TEA = new Money(349);
const MUG = new Money(1250);

describe('Cart', () => {
  describe('adding items', () => {
    it('starts empty', () => {
      const cart = new Cart();
      assert.ok(cart.isEmpty());
      assert.ok(cart.subtotal().isZero());
    });

    it('counts the items of every line', () => {
      const cart = new Cart().add('tea', TEA, 2).add('mug', MUG);
      assert.equal(cart.itemCount, 3);
    });

    it('merges the same product into one line', () => {
      const cart = new Cart().add('tea', TEA).add('tea', TEA, 2);
      assert.deepEqual(
        cart.lines.map((line) => [line.sku, line.quantity, line.total.cents]),
        [['tea', 3, 1047]],
      );
    });

    it('rejects a quantity below one', () => {
      assert.throws(() => new Cart().add('tea', TEA, 0), RangeError);
    });
  });

  describe('changing quantities', () => {
    it('sets a new quantity', () => {
      const cart = new Cart().add('mug', MUG).setQuantity('mug', 4);
      assert.equal(cart.subtotal().cents, 5000);
    });

    it('removes the line at quantity zero', () => {
      const cart = new Cart().add('mug', MUG).add('tea', TEA).setQuantity('mug', 0);
      assert.deepEqual(
        cart.lines.map((line) => line.sku),
        ['tea'],
      );
    });
  });

  describe('subtotal', () => {
    it('adds up every line', () => {
      const cart = new Cart().add('tea', TEA, 3).add('mug', MUG, 2);
      assert.equal(cart.subtotal().format(), '€35.47');
    });
  });
});
