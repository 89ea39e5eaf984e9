import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { optionsTable } from './helpers/options-table';

const packageRoot = path.join(__dirname, '../..');

test("the README's options table is the one src/executors/cctrial/schema.json gives", () => {
  const readme = readFileSync(path.join(packageRoot, 'README.md'), 'utf8');
  const documented = /<!-- options:start -->\n([\s\S]*?)\n<!-- options:end -->/.exec(readme)?.[1];
  const expected = optionsTable(JSON.parse(readFileSync(path.join(packageRoot, 'src/executors/cctrial/schema.json'), 'utf8')));
  assert.equal(documented, expected, `Replace the table between the options markers in packages/nx/README.md with:\n${expected}`);
});
