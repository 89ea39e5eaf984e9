import { center, columns } from '@demo/text';

/** A fixed-width receipt for a bill from checkout(): items, then the totals, amounts flush right. */
export function renderReceipt(bill, { shop = 'THE TEA SHOP', width = 28 } = {}) {
  const rule = '-'.repeat(width);
  const row = (label, amount) => columns(label, amount.format(), width);
  const lines = [center(shop, width).trimEnd(), rule];
  for (const line of bill.lines) lines.push(row(line.label, line.total));
  lines.push(rule, row('Subtotal', bill.subtotal));
  if (!bill.discount.isZero()) lines.push(row('Discount', bill.discount.negated()));
  lines.push(row('Shipping', bill.shipping), row('VAT', bill.vat), rule, row('TOTAL', bill.total));
  return lines.join('\n');
}
