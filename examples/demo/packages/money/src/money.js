import { roundCents } from './round.js';

const SYMBOLS = { EUR: '€', GBP: '£', USD: '$' };

/** An immutable amount of money, held as a whole number of cents so that sums never drift. */
export class Money {
  constructor(cents, currency = 'EUR') {
    if (!Number.isSafeInteger(cents)) {
      throw new TypeError('Money amounts must be an integer number of cents');
    }
    if (!Object.hasOwn(SYMBOLS, currency)) {
      throw new RangeError(`Unknown currency "${currency}"`);
    }
    this.cents = cents;
    this.currency = currency;
    Object.freeze(this);
  }

  static zero(currency = 'EUR') {
    return new Money(0, currency);
  }

  /** Money.fromDecimal(19.99) is 1999 cents. */
  static fromDecimal(amount, currency = 'EUR') {
    return new Money(roundCents(amount * 100), currency);
  }

  plus(other) {
    this.#sameCurrency(other);
    return new Money(this.cents + other.cents, this.currency);
  }

  minus(other) {
    this.#sameCurrency(other);
    return new Money(this.cents - other.cents, this.currency);
  }

  negated() {
    return new Money(-this.cents, this.currency);
  }

  times(factor) {
    return new Money(roundCents(this.cents * factor), this.currency);
  }

  /** 19.5 percent of this amount, rounded to the cent. */
  percent(rate) {
    return this.times(rate / 100);
  }

  /** Splits the amount by ratios; leftover cents go to the first shares, so nothing is lost. */
  allocate(ratios) {
    const total = ratios.reduce((a, b) => a + b, 0);
    const shares = ratios.map((ratio) => Math.floor((this.cents * ratio) / total));
    let left = this.cents - shares.reduce((a, b) => a + b, 0);
    for (let i = 0; left > 0; i++, left--) shares[i] += 1;
    return shares.map((cents) => new Money(cents, this.currency));
  }

  compare(other) {
    this.#sameCurrency(other);
    return Math.sign(this.cents - other.cents);
  }

  min(other) {
    return this.compare(other) <= 0 ? this : other;
  }

  isZero() {
    return this.cents === 0;
  }

  equals(other) {
    return other instanceof Money && other.currency === this.currency && other.cents === this.cents;
  }

  /** €1,234.50 */
  format() {
    const sign = this.cents < 0 ? '-' : '';
    const cents = Math.abs(this.cents);
    const whole = String(Math.floor(cents / 100)).replace(/\B(?=(\d{3})+$)/g, ',');
    const fraction = String(cents % 100).padStart(2, '0');
    return `${sign}${SYMBOLS[this.currency]}${whole}.${fraction}`;
  }

  toString() {
    return this.format();
  }

  #sameCurrency(other) {
    if (other.currency !== this.currency) {
      throw new TypeError(`Cannot combine ${this.currency} and ${other.currency} amounts`);
    }
  }
}

export function sum(amounts, currency = 'EUR') {
  return amounts.reduce((total, amount) => total.plus(amount), Money.zero(currency));
}
