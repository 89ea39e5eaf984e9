export { Money, sum } from './money.js';
export { roundCents } from './round.js';
