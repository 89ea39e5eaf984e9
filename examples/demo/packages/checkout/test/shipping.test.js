import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Money } from '@demo/money';
import { shippingFor } from '@demo/checkout';

describe('shippingFor', () => {
  it('charges by destination', async (t) => {
    const small = new Money(1500);
    await t.test('domestic', () => assert.equal(shippingFor(small, 'domestic').cents, 490));
    await t.test('world', () => assert.equal(shippingFor(small, 'world').cents, 1990));
  });

  it('is free from €50 on, everywhere', () => {
    assert.ok(shippingFor(new Money(5000), 'world').isZero());
    assert.equal(shippingFor(new Money(4999), 'world').cents, 1990);
  });

  it('rejects an unknown destination', () => {
    assert.throws(() => shippingFor(new Money(1500), 'moon'), /Cannot ship to "moon"/);
  });
});
