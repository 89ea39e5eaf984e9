import { before, describe } from 'node:test';
import { writeFixture } from '../src/fixture.js';
import { NPM_WORKSPACE_STORY, npmWorkspace } from '../src/fixtures.js';
import { npmInstallPacked } from '../src/install.js';
import { nxPluginTests } from '../src/nx-scenario.js';

describe('npm workspaces with nx.json: the packed plugin, driven by the real nx', () => {
  const root = writeFixture('npm', npmWorkspace());
  before(() => npmInstallPacked(root));

  nxPluginTests({ root: () => root, ...NPM_WORKSPACE_STORY });
});
