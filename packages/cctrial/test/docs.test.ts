import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { flagsTable, withFlagsTable } from '../src/docs.js';
import { FLAGS } from '../src/options.js';

const README = new URL('../../../../README.md', import.meta.url);

test('the README flag table is the one generated from the flag table (run `npm run docs` after changing a flag)', () => {
  const readme = readFileSync(README, 'utf8');
  assert.equal(withFlagsTable(readme), readme);
});

test('the generated table has one row per flag, with its short form and value', () => {
  const table = flagsTable();
  assert.equal(table.split('\n').length, FLAGS.length + 2);
  assert.match(table, /^\| `-j`, `--jobs N` \| /m);
  assert.match(table, /^\| `--debug-timing` \| /m);
});
