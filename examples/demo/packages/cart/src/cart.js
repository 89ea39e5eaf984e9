import { sum } from '@demo/money';

/** A shopping cart: one line per product (SKU), each with a unit price and a quantity. */
export class Cart {
  #lines = new Map();

  constructor(currency = 'EUR') {
    this.currency = currency;
  }

  add(sku, unitPrice, quantity = 1) {
    checkQuantity(quantity, 1);
    if (unitPrice.currency !== this.currency) {
      throw new TypeError(`${sku} is priced in ${unitPrice.currency}, but this cart is in ${this.currency}`);
    }
    const line = this.#lines.get(sku);
    if (line && !line.unitPrice.equals(unitPrice)) {
      throw new Error(`${sku} is already in the cart at ${line.unitPrice}`);
    }
    this.#lines.set(sku, { sku, unitPrice, quantity: (line?.quantity ?? 0) + quantity });
    return this;
  }

  /** A quantity of 0 removes the line. */
  setQuantity(sku, quantity) {
    checkQuantity(quantity, 0);
    const line = this.#lines.get(sku);
    if (!line) throw new Error(`${sku} is not in the cart`);
    if (quantity === 0) this.#lines.delete(sku);
    else line.quantity = quantity;
    return this;
  }

  remove(sku) {
    this.#lines.delete(sku);
    return this;
  }

  /** Each line with its total: unit price times quantity. */
  get lines() {
    return [...this.#lines.values()].map((line) => ({ ...line, total: line.unitPrice.times(line.quantity) }));
  }

  get itemCount() {
    let count = 0;
    for (const line of this.#lines.values()) count += line.quantity;
    return count;
  }

  isEmpty() {
    return this.#lines.size === 0;
  }

  subtotal() {
    return sum(
      this.lines.map((line) => line.total),
      this.currency,
    );
  }
}

function checkQuantity(quantity, min) {
  if (!Number.isInteger(quantity) || quantity < min) {
    throw new RangeError(`Quantity must be a whole number of at least ${min}, got ${quantity}`);
  }
}
