export { alignRight, center, columns, truncate } from './layout.js';
