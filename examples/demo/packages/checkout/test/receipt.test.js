import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Money } from '@demo/money';
import { renderReceipt } from '@demo/checkout';

function bill({ discount = 0 } = {}) {
  return {
    lines: [
      { label: 'tea x2', total: new Money(698) },
      { label: 'darjeeling-first-flush x1', total: new Money(1450) },
    ],
    subtotal: new Money(2148),
    discount: new Money(discount),
    shipping: new Money(490),
    vat: new Money(528 - discount / 5),
    total: new Money(3166 - (discount * 6) / 5),
  };
}

describe('renderReceipt', () => {
  it('prints the items and totals, amounts flush right', () => {
    assert.equal(
      renderReceipt(bill()),
      [
        '        THE TEA SHOP',
        '----------------------------',
        'tea x2                 €6.98',
        'darjeeling-first-flu… €14.50',
        '----------------------------',
        'Subtotal              €21.48',
        'Shipping               €4.90',
        'VAT                    €5.28',
        '----------------------------',
        'TOTAL                 €31.66',
      ].join('\n'),
    );
  });

  it('shows the discount as a negative amount', () => {
    const receipt = renderReceipt(bill({ discount: 500 }));
    assert.match(receipt, /^Discount +-€5\.00$/m);
    assert.match(receipt, /^TOTAL +€25\.66$/m);
  });

  it('fits every line in the width', () => {
    const lines = renderReceipt(bill(), { width: 20 }).split('\n');
    assert.ok(lines.every((line) => line.length <= 20));
    assert.equal(lines.at(-1), 'TOTAL         €31.66');
  });
});
