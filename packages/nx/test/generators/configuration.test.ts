import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { addProjectConfiguration, readJson, readProjectConfiguration, updateJson, writeJson, type Tree } from '@nx/devkit';
import { createTreeWithEmptyWorkspace } from '@nx/devkit/testing';
import { configurationGenerator } from '../../src/generators/configuration/configuration';

/** A workspace with one package.json project (@acme/app) and one project.json project (lib-a). */
function workspace(): Tree {
  const tree = createTreeWithEmptyWorkspace({ formatter: 'none' });
  // Without `workspaces`, Nx does not see package.json-only projects.
  updateJson(tree, 'package.json', (json) => ({ ...json, workspaces: ['packages/*'] }));
  writeJson(tree, 'packages/app/package.json', { name: '@acme/app', version: '1.0.0' });
  addProjectConfiguration(tree, 'lib-a', { root: 'libs/lib-a', targets: { build: { command: 'tsc' } } });
  return tree;
}

describe('configuration generator', () => {
  test('writes the target into the "nx" field of a package.json project', async () => {
    const tree = workspace();
    await configurationGenerator(tree, { project: '@acme/app' });
    assert.deepEqual(readJson(tree, 'packages/app/package.json').nx.targets.cctrial, { executor: '@cctrial/nx:cctrial', cache: false, options: {} });
  });

  test('writes the target into project.json, next to the existing targets', async () => {
    const tree = workspace();
    await configurationGenerator(tree, { project: 'lib-a' });
    const targets = readJson(tree, 'libs/lib-a/project.json').targets;
    assert.deepEqual(Object.keys(targets), ['build', 'cctrial']);
    assert.deepEqual(targets.cctrial, { executor: '@cctrial/nx:cctrial', cache: false, options: {} });
  });

  test('withDeps becomes an option of the target', async () => {
    const tree = workspace();
    await configurationGenerator(tree, { project: 'lib-a', withDeps: true });
    assert.deepEqual(readProjectConfiguration(tree, 'lib-a').targets?.cctrial?.options, { withDeps: true });
  });

  test('targetName names the target', async () => {
    const tree = workspace();
    await configurationGenerator(tree, { project: 'lib-a', targetName: 'tdd' });
    assert.equal(readProjectConfiguration(tree, 'lib-a').targets?.tdd?.executor, '@cctrial/nx:cctrial');
  });

  test('running it twice changes nothing the second time', async () => {
    const tree = workspace();
    await configurationGenerator(tree, { project: '@acme/app' });
    const before = tree.read('packages/app/package.json', 'utf-8');
    await configurationGenerator(tree, { project: '@acme/app' });
    assert.equal(tree.read('packages/app/package.json', 'utf-8'), before);
  });

  test('refuses to overwrite a different target of the same name, and says what to do', async () => {
    const tree = workspace();
    await assert.rejects(configurationGenerator(tree, { project: 'lib-a', targetName: 'build' }), {
      message: 'Project "lib-a" already has a target "build" (tsc). Remove it, or pick another name with --targetName.',
    });
    assert.deepEqual(readProjectConfiguration(tree, 'lib-a').targets?.build, { command: 'tsc' });
  });

  test('an unknown project is an error that names it', async () => {
    await assert.rejects(configurationGenerator(workspace(), { project: 'nope' }), /nope/);
  });
});
