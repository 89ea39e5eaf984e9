import { Money } from '@demo/money';

/** Flat shipping rates by destination, in cents. */
export const SHIPPING_RATES = { domestic: 490, eu: 990, world: 1990 };
/** Orders from this subtotal on ship free, everywhere. */
export const FREE_SHIPPING_FROM = new Money(5000);

export function shippingFor(subtotal, destination) {
  if (!Object.hasOwn(SHIPPING_RATES, destination)) {
    throw new RangeError(`Cannot ship to "${destination}": choose one of ${Object.keys(SHIPPING_RATES).join(', ')}`);
  }
  if (subtotal.compare(FREE_SHIPPING_FROM) >= 0) return Money.zero(subtotal.currency);
  return new Money(SHIPPING_RATES[destination], subtotal.currency);
}
