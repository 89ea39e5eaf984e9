#!/usr/bin/env node
// Regenerates the README's flag table from packages/cctrial's flag table (run after `npm run build`).
import { readFileSync, writeFileSync } from 'node:fs';
import { withFlagsTable } from '../packages/cctrial/dist/src/docs.js';

const readme = new URL('../README.md', import.meta.url);
const before = readFileSync(readme, 'utf8');
const after = withFlagsTable(before);
writeFileSync(readme, after);
console.log(before === after ? 'README.md flag table is up to date.' : 'README.md flag table regenerated.');
