export { checkout, VAT_RATE } from './checkout.js';
export { renderReceipt } from './receipt.js';
export { FREE_SHIPPING_FROM, SHIPPING_RATES, shippingFor } from './shipping.js';
