import { before, describe } from 'node:test';
import { writeFixture } from '../src/fixture.js';
import { LIB_A_SOURCE_JS, npmWorkspace } from '../src/fixtures.js';
import { npmInstallPacked } from '../src/install.js';
import { nxPluginTests } from '../src/nx-scenario.js';

describe('npm workspaces with nx.json: the packed plugin, driven by the real nx', () => {
  const root = writeFixture('npm', npmWorkspace());
  before(() => npmInstallPacked(root));

  nxPluginTests({
    root: () => root,
    app: { name: '@ws/app', testFiles: ['packages/app/test/app.test.js'], tests: 1 },
    lib: {
      name: '@ws/lib-a',
      testFiles: ['packages/lib-a/test/add.test.js', 'packages/lib-a/test/fails-on-purpose.test.js'],
      source: 'packages/lib-a/index.js',
      sourceAfterEdit: `// edited by the test\n${LIB_A_SOURCE_JS}`,
    },
    notNodeTest: '@ws/legacy',
  });
});
