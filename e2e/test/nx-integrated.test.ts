import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { readJson, writeFixture } from '../src/fixture.js';
import { nxIntegratedWorkspace } from '../src/fixtures.js';
import { npmInstallPacked } from '../src/install.js';
import { nxPluginTests } from '../src/nx-scenario.js';
import { BIN } from '../src/paths.js';
import { run } from '../src/run.js';

describe('an Nx integrated repo (tsconfig paths, customConditions): the packed plugin, driven by the real nx', () => {
  const root = writeFixture('integrated', nxIntegratedWorkspace());
  before(() => npmInstallPacked(root));

  nxPluginTests({
    root: () => root,
    // app's second test passes only if tsconfig.base.json's customConditions reached the test process.
    app: { name: 'app', testFiles: ['apps/app/src/app.test.ts'], tests: 2 },
    lib: {
      name: 'lib-a',
      testFiles: ['libs/lib-a/src/add.test.ts', 'libs/lib-a/src/fails-on-purpose.test.ts'],
      source: 'libs/lib-a/src/index.ts',
      sourceAfterEdit: '// edited by the test\nexport function add(a: number, b: number): number {\n  return b + a;\n}\n',
    },
    notNodeTest: 'legacy',
  });

  test('nx g @cctrial/nx:configuration writes an explicit target into project.json', async () => {
    const result = await run(BIN.nx, ['g', '@cctrial/nx:configuration', 'legacy', '--withDeps'], root);
    assert.equal(result.code, 0, result.stdout + result.stderr);
    assert.deepEqual(readJson<{ targets: Record<string, unknown> }>(root, 'libs/legacy/project.json').targets, {
      cctrial: { executor: '@cctrial/nx:cctrial', cache: false, options: { withDeps: true } },
    });
  });
});
