/** Fixed-width text layout for receipts and terminal tables. */

/** Shortens text to `width` characters, marking the cut with an ellipsis. */
export function truncate(text, width) {
  if (text.length <= width) return text;
  return text.slice(0, width - 1) + '…';
}

/** Right-aligns a value in a column of `width` characters. */
export function alignRight(value, width) {
  const text = String(value);
  return text.padStart(width);
}

/** One line of a two-column table: the label on the left, the value flush right. */
export function columns(label, value, width) {
  const right = String(value);
  const left = truncate(label, width - right.length - 1);
  return left + alignRight(right, width - left.length);
}

/** Centres text in `width` characters, leaning left when the space does not split evenly. */
export function center(text, width) {
  const left = Math.floor((width - text.length) / 2);
  return (' '.repeat(Math.max(left, 0)) + text).padEnd(width);
}
