/**
 * Rounds a computed amount of cents (a price times a quantity, a percentage of a total) to a whole
 * cent. Half a cent rounds up, as at the till.
 */
export function roundCents(value) {
  return Math.round(value);
}
