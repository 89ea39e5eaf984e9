import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Money } from '@demo/money';

describe('Money', () => {
  describe('construction', () => {
    it('holds whole cents', () => {
      const price = new Money(1999);
      assert.equal(price.cents, 1999);
      assert.equal(price.currency, 'EUR');
    });

    it('rejects fractions of a cent', () => {
      assert.throws(() => new Money(19.99), TypeError);
    });

    it('converts a decimal amount to cents', () => {
      assert.equal(Money.fromDecimal(19.99).cents, 1999);
      assert.equal(Money.fromDecimal(0.1, 'GBP').cents, 10);
    });
  });

  describe('arithmetic', () => {
    it('adds and subtracts', () => {
      const total = new Money(1000).plus(new Money(250)).minus(new Money(99));
      assert.equal(total.cents, 1151);
    });

    it('refuses to mix currencies', () => {
      assert.throws(() => new Money(100).plus(new Money(100, 'USD')), /Cannot combine EUR and USD/);
    });

    it('multiplies and rounds to the cent', () => {
      assert.equal(new Money(333).times(1.5).cents, 500);
      assert.equal(new Money(1999).percent(19).cents, 380);
    });

    it('allocates without losing a cent', () => {
      const shares = new Money(1000).allocate([1, 1, 1]);
      assert.deepEqual(
        shares.map((share) => share.cents),
        [334, 333, 333],
      );
    });
  });

  describe('format', () => {
    it('prints the sign, symbol, thousands and two decimals', () => {
      assert.equal(new Money(123450).format(), '€1,234.50');
      assert.equal(new Money(5, 'USD').format(), '$0.05');
      assert.equal(new Money(-1200, 'GBP').format(), '-£12.00');
    });
  });
});
