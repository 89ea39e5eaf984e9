import { totalDiscount } from '@demo/cart';
import { shippingFor } from './shipping.js';

export const VAT_RATE = 20;

/**
 * The bill for a cart. Prices are net: discounts come off the subtotal, shipping is added, and VAT
 * is charged on the result.
 */
export function checkout(cart, { destination = 'domestic', discounts = [], vatRate = VAT_RATE } = {}) {
  if (cart.isEmpty()) throw new Error('Cannot check out an empty cart');
  const subtotal = cart.subtotal();
  const discount = totalDiscount(cart, discounts);
  const shipping = shippingFor(subtotal.minus(discount), destination);
  const net = subtotal.minus(discount).plus(shipping);
  const vat = net.percent(vatRate);
  return {
    lines: cart.lines.map((line) => ({ label: `${line.sku} x${line.quantity}`, total: line.total })),
    subtotal,
    discount,
    shipping,
    vat,
    total: net.plus(vat),
  };
}
