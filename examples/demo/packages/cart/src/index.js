export { Cart } from './cart.js';
export { amountOff, multibuy, percentOff, totalDiscount } from './discounts.js';
