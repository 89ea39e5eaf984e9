/** The command line of a test child: loader choice and flag order. */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import { CHILD_ENTRY, CHILD_REPORTER, childArgs, chooseLoader } from '../../src/runner/node-args.js';

describe('chooseLoader', () => {
  it('uses no loader for JavaScript', () => {
    assert.deepEqual(chooseLoader('/r/a.test.js', undefined, false), { enableSourceMaps: false });
    assert.deepEqual(chooseLoader('/r/a.test.mjs', undefined, true), { enableSourceMaps: false });
  });

  it('uses tsx, with source maps, for TypeScript without native type stripping', () => {
    for (const file of ['/r/a.test.ts', '/r/a.test.mts', '/r/a.test.cts']) {
      const choice = chooseLoader(file, undefined, false);
      assert.equal(choice.enableSourceMaps, true);
      assert.match(choice.importModule ?? '', /^file:\/\/.*\/tsx\//);
      assert.ok(existsSync(fileURLToPath(choice.importModule!)), 'tsx resolves to a real file');
    }
  });

  it("uses Node's own type stripping where it exists", () => {
    assert.deepEqual(chooseLoader('/r/a.test.ts', undefined, true), { enableSourceMaps: false });
  });

  it("lets the user's --import win, with source maps", () => {
    assert.deepEqual(chooseLoader('/r/a.test.js', '/r/loader.js', false), { importModule: '/r/loader.js', enableSourceMaps: true });
    assert.deepEqual(chooseLoader('/r/a.test.ts', 'ts-node/esm', false), { importModule: 'ts-node/esm', enableSourceMaps: true });
  });
});

describe('childArgs', () => {
  it('puts loader, reporter, timeout and selection before the entry', () => {
    assert.deepEqual(childArgs({ importModule: 'tsx', enableSourceMaps: true }, 5000, ['--test-name-pattern=^x$']), [
      '--enable-source-maps',
      '--import',
      'tsx',
      `--test-reporter=${CHILD_REPORTER}`,
      '--test-reporter-destination=stdout',
      '--test-timeout=5000',
      '--test-name-pattern=^x$',
      CHILD_ENTRY,
    ]);
  });

  it('leaves out the timeout when it is 0, and the loader when there is none', () => {
    assert.deepEqual(childArgs({ enableSourceMaps: false }, 0, []), [`--test-reporter=${CHILD_REPORTER}`, '--test-reporter-destination=stdout', CHILD_ENTRY]);
  });

  it('points at the built child entry and reporter', () => {
    assert.ok(existsSync(CHILD_ENTRY));
    assert.ok(existsSync(fileURLToPath(CHILD_REPORTER)));
  });
});
