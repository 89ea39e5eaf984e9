import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Money } from '@demo/money';
import { Cart, amountOff, percentOff } from '@demo/cart';
import { checkout, renderReceipt } from '@demo/checkout';

const TEA = new Money(349);
const TEAPOT = new Money(2999);

/** The bill's amounts in cents, for compact assertions. */
function cents(bill) {
  const { subtotal, discount, shipping, vat, total } = bill;
  return { subtotal: subtotal.cents, discount: discount.cents, shipping: shipping.cents, vat: vat.cents, total: total.cents };
}

describe('checkout', () => {
  it('refuses an empty cart', () => {
    assert.throws(() => checkout(new Cart()), /empty cart/);
  });

  describe('totals', () => {
    it('charges VAT on the subtotal plus shipping', () => {
      const bill = checkout(new Cart().add('tea', TEA, 2));
      assert.deepEqual(cents(bill), { subtotal: 698, discount: 0, shipping: 490, vat: 238, total: 1426 });
    });

    it('takes discounts off before VAT', () => {
      const bill = checkout(new Cart().add('teapot', TEAPOT, 2), { discounts: [percentOff(10)] });
      assert.deepEqual(cents(bill), { subtotal: 5998, discount: 600, shipping: 0, vat: 1080, total: 6478 });
    });

    it('charges shipping when a discount takes the order below €50', () => {
      const bill = checkout(new Cart().add('teapot', TEAPOT, 2), { discounts: [amountOff(new Money(1000))] });
      assert.equal(bill.shipping.cents, 490);
      assert.equal(bill.total.cents, 6586);
    });
  });

  it('prints the receipt of a whole order', () => {
    const cart = new Cart().add('tea', TEA, 2).add('teapot', TEAPOT);
    const receipt = renderReceipt(checkout(cart, { discounts: [percentOff(10)], destination: 'eu' }));
    assert.match(receipt, /^Discount +-€3\.70$/m);
    assert.match(receipt, /^TOTAL +€51\.80$/m);
  });
});
