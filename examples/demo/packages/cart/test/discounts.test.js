import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Money } from '@demo/money';
import { Cart, amountOff, multibuy, percentOff, totalDiscount } from '@demo/cart';

const TEA = new Money(349);
const TEAPOT = new Money(2999);

describe('discounts', () => {
  describe('percentOff', () => {
    it('takes a percentage of the subtotal, to the cent', () => {
      const cart = new Cart().add('teapot', TEAPOT);
      assert.equal(percentOff(15).amountFor(cart).cents, 450);
    });
  });

  describe('amountOff', () => {
    it('takes a fixed amount above the minimum spend', () => {
      const fiveOff = amountOff(new Money(500), { minimum: new Money(3000) });
      assert.equal(fiveOff.amountFor(new Cart().add('teapot', TEAPOT, 2)).cents, 500);
      assert.ok(fiveOff.amountFor(new Cart().add('teapot', TEAPOT)).isZero());
    });

    it('never takes more than the subtotal', () => {
      const cart = new Cart().add('tea', TEA);
      assert.equal(amountOff(new Money(1000)).amountFor(cart).cents, 349);
    });
  });

  describe('multibuy', () => {
    it('charges 2 of every 3', async (t) => {
      const threeForTwo = multibuy('tea', 3, 2);
      await t.test('7 bought, 2 free', () => {
        assert.equal(threeForTwo.amountFor(new Cart().add('tea', TEA, 7)).cents, 698);
      });
      await t.test('another product, nothing free', () => {
        assert.ok(threeForTwo.amountFor(new Cart().add('teapot', TEAPOT, 3)).isZero());
      });
    });
  });

  it('adds discounts up, capped at the subtotal', () => {
    const cart = new Cart().add('tea', TEA, 3);
    assert.equal(totalDiscount(cart, [multibuy('tea', 3, 2), percentOff(10)]).cents, 454);
    assert.equal(totalDiscount(cart, [amountOff(new Money(900)), amountOff(new Money(900))]).cents, 1047);
  });
});
