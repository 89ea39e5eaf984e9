import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { readJson, readNxJson, updateJson, updateNxJson, writeJson, type Tree } from '@nx/devkit';
import { createTreeWithEmptyWorkspace } from '@nx/devkit/testing';
import { initGenerator, projectsWithScript } from '../../src/generators/init/init';

const workspace = (): Tree => createTreeWithEmptyWorkspace({ formatter: 'none' });
const pluginsOf = (tree: Tree) => readNxJson(tree)?.plugins ?? [];

describe('init generator', () => {
  test('registers @cctrial/nx in nx.json, with the target name as an option', async () => {
    const tree = workspace();
    await initGenerator(tree, {});
    assert.deepEqual(pluginsOf(tree).at(-1), { plugin: '@cctrial/nx', options: { targetName: 'cctrial' } });
  });

  test('running it twice changes nothing the second time', async () => {
    const tree = workspace();
    await initGenerator(tree, {});
    const nxJson = tree.read('nx.json', 'utf-8');
    const packageJson = tree.read('package.json', 'utf-8');
    await initGenerator(tree, {});
    assert.equal(tree.read('nx.json', 'utf-8'), nxJson);
    assert.equal(tree.read('package.json', 'utf-8'), packageJson);
    assert.equal(pluginsOf(tree).filter((entry) => (typeof entry === 'string' ? entry : entry.plugin) === '@cctrial/nx').length, 1);
  });

  test('a plugin registered as a plain string counts as registered', async () => {
    const tree = workspace();
    updateNxJson(tree, { ...readNxJson(tree), plugins: ['@cctrial/nx'] });
    await initGenerator(tree, {});
    assert.deepEqual(pluginsOf(tree), ['@cctrial/nx']);
  });

  test('leaves targetDefaults alone, including the Nx 24 array form', async () => {
    const tree = workspace();
    const targetDefaults = {
      build: { dependsOn: ['^build'], cache: true },
      test: [{ filter: { projects: ['tag:node'] }, cache: true }],
    };
    updateNxJson(tree, { ...readNxJson(tree), targetDefaults } as never);
    await initGenerator(tree, {});
    assert.deepEqual(readNxJson(tree)?.targetDefaults, targetDefaults);
  });

  test('keeps the other plugins and their order', async () => {
    const tree = workspace();
    updateNxJson(tree, { ...readNxJson(tree), plugins: ['@nx/js', { plugin: '@nx/vitest', options: {} }] });
    await initGenerator(tree, {});
    assert.deepEqual(pluginsOf(tree), ['@nx/js', { plugin: '@nx/vitest', options: {} }, { plugin: '@cctrial/nx', options: { targetName: 'cctrial' } }]);
  });

  test('targetName names the inferred target', async () => {
    const tree = workspace();
    await initGenerator(tree, { targetName: 'tdd' });
    assert.deepEqual(pluginsOf(tree).at(-1), { plugin: '@cctrial/nx', options: { targetName: 'tdd' } });
  });

  test('adds @cctrial/nx to the root devDependencies at its own version', async () => {
    const tree = workspace();
    await initGenerator(tree, {});
    const { version } = JSON.parse(require('node:fs').readFileSync(require.resolve('../../../package.json'), 'utf8')) as { version: string };
    assert.equal(readJson(tree, 'package.json').devDependencies['@cctrial/nx'], version);
  });

  test("keeps the user's own spec for @cctrial/nx, such as a tarball", async () => {
    const tree = workspace();
    updateJson(tree, 'package.json', (json) => ({ ...json, devDependencies: { '@cctrial/nx': 'file:../cctrial-nx-0.1.0.tgz' } }));
    await initGenerator(tree, {});
    assert.equal(readJson(tree, 'package.json').devDependencies['@cctrial/nx'], 'file:../cctrial-nx-0.1.0.tgz');
  });

  test('skipPackageJson leaves package.json untouched', async () => {
    const tree = workspace();
    const before = tree.read('package.json', 'utf-8');
    await initGenerator(tree, { skipPackageJson: true });
    assert.equal(tree.read('package.json', 'utf-8'), before);
  });

  test('creates nx.json when the workspace has none', async () => {
    const tree = workspace();
    tree.delete('nx.json');
    await initGenerator(tree, {});
    assert.deepEqual(readJson(tree, 'nx.json').plugins, [{ plugin: '@cctrial/nx', options: { targetName: 'cctrial' } }]);
  });

  test('finds the projects whose package.json scripts would take the target name over', () => {
    const tree = workspace();
    updateJson(tree, 'package.json', (json) => ({ ...json, workspaces: ['packages/*'] }));
    writeJson(tree, 'packages/app/package.json', { name: '@acme/app', scripts: { cctrial: 'cctrial', test: 'node --test' } });
    writeJson(tree, 'packages/lib/package.json', { name: '@acme/lib', scripts: { test: 'node --test' } });
    assert.deepEqual(projectsWithScript(tree, 'cctrial'), ['@acme/app']);
    assert.deepEqual(projectsWithScript(tree, 'tdd'), []);
  });
});
