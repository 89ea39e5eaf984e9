import { Money, sum } from '@demo/money';

/** "10% off": a percentage of the subtotal. */
export function percentOff(rate) {
  return {
    label: `${rate}% off`,
    amountFor: (cart) => cart.subtotal().percent(rate),
  };
}

/** "€5 off", optionally from a minimum spend; never more than the subtotal. */
export function amountOff(amount, { minimum } = {}) {
  return {
    label: `${amount} off`,
    amountFor(cart) {
      const subtotal = cart.subtotal();
      if (minimum && subtotal.compare(minimum) < 0) return Money.zero(cart.currency);
      return amount.min(subtotal);
    },
  };
}

/** "3 for 2" on one product: for every `buy` units, only `pay` are charged. */
export function multibuy(sku, buy, pay) {
  return {
    label: `${buy} for ${pay}`,
    amountFor(cart) {
      const line = cart.lines.find((candidate) => candidate.sku === sku);
      if (!line) return Money.zero(cart.currency);
      const free = Math.floor(line.quantity / buy) * (buy - pay);
      return line.unitPrice.times(free);
    },
  };
}

/** Every discount added up, capped at the subtotal: a cart never costs less than nothing. */
export function totalDiscount(cart, discounts) {
  const total = sum(
    discounts.map((discount) => discount.amountFor(cart)),
    cart.currency,
  );
  return total.min(cart.subtotal());
}
