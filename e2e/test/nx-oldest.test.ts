import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { before, describe, test } from 'node:test';
import { writeFixture } from '../src/fixture.js';
import { NPM_WORKSPACE_STORY, npmWorkspace } from '../src/fixtures.js';
import { npmInstallPacked } from '../src/install.js';
import { nxPluginTests } from '../src/nx-scenario.js';
import { NX } from '../src/paths.js';

const versionOf = (packageFolder: string) => (JSON.parse(readFileSync(path.join(packageFolder, 'package.json'), 'utf8')) as { version: string }).version;
const NX_VERSION = versionOf(NX.oldest.folder);

describe(`the oldest Nx the plugin supports (${NX_VERSION}), on npm workspaces: the same story as with the latest`, () => {
  const root = writeFixture('npm-nx-oldest', npmWorkspace());
  before(() => npmInstallPacked(root, NX.oldest));

  test('the fixture runs that Nx, and the plugin loads the @nx/devkit of the same major', () => {
    assert.equal(versionOf(path.join(root, 'node_modules/nx')), NX_VERSION);
    const devkit = createRequire(path.join(root, 'node_modules/@cctrial/nx/package.json')).resolve('@nx/devkit/package.json');
    assert.equal(versionOf(path.dirname(devkit)).split('.')[0], NX_VERSION.split('.')[0]);
  });

  nxPluginTests({ root: () => root, nx: NX.oldest, ...NPM_WORKSPACE_STORY });
});

