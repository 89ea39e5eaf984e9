import assert from 'node:assert/strict';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import { runInit } from '../helpers/generator-run';
import { json, writeFolder } from '../helpers/workspace';

const NODE_TEST = "import { test } from 'node:test';\ntest('works', () => {});\n";
const REGISTERED = { plugin: '@cctrial/nx', options: { targetName: 'cctrial', ciTargetName: 'cctrial-ci' } };

/** A package-based workspace on disk: an app with node:test tests, and whatever `extra` adds. */
const workspace = (extra: Record<string, string> = {}) =>
  writeFolder({
    'package.json': json({ name: 'root', private: true, workspaces: ['packages/*'] }),
    'nx.json': json({}),
    'packages/app/package.json': json({ name: '@acme/app', scripts: { test: 'node --test' } }),
    'packages/app/a.test.js': NODE_TEST,
    ...extra,
  });

const read = (root: string, file: string) => readFileSync(path.join(root, file), 'utf8');
const pluginsOf = (root: string) => (JSON.parse(read(root, 'nx.json')) as { plugins?: unknown[] }).plugins ?? [];

describe('init generator, on a real workspace through devkit addPlugin', () => {
  test('registers @cctrial/nx in nx.json with both target names, and running it again changes nothing', () => {
    const root = workspace();
    runInit(root);
    assert.deepEqual(pluginsOf(root), [REGISTERED]);
    const nxJson = read(root, 'nx.json');
    const packageJson = read(root, 'package.json');
    runInit(root);
    assert.equal(read(root, 'nx.json'), nxJson);
    assert.equal(read(root, 'package.json'), packageJson);
  });

  test('a plugin registered as a plain string counts as registered', () => {
    const root = workspace({ 'nx.json': json({ plugins: ['@cctrial/nx'] }) });
    runInit(root);
    assert.deepEqual(pluginsOf(root), ['@cctrial/nx']);
  });

  test('leaves targetDefaults alone, including the Nx 24 array form, and keeps the other plugins in order', () => {
    const targetDefaults = { build: { dependsOn: ['^build'], cache: true }, test: [{ filter: { projects: ['tag:node'] }, cache: true }] };
    const root = workspace({ 'nx.json': json({ targetDefaults, plugins: ['nx/plugins/package-json'] }) });
    runInit(root);
    const nxJson = JSON.parse(read(root, 'nx.json')) as { targetDefaults: unknown; plugins: unknown[] };
    assert.deepEqual(nxJson.targetDefaults, targetDefaults);
    assert.deepEqual(nxJson.plugins, ['nx/plugins/package-json', REGISTERED]);
  });

  test('targetName and ciTargetName name the inferred targets', () => {
    const root = workspace();
    runInit(root, { targetName: 'tdd', ciTargetName: 'tdd-ci' });
    assert.deepEqual(pluginsOf(root), [{ plugin: '@cctrial/nx', options: { targetName: 'tdd', ciTargetName: 'tdd-ci' } }]);
  });

  test('a project with a "cctrial" script keeps it: the inferred target takes the next free name, and init says so', () => {
    const root = workspace({ 'packages/app/package.json': json({ name: '@acme/app', scripts: { test: 'node --test', cctrial: 'cctrial' } }) });
    const output = runInit(root);
    assert.deepEqual(pluginsOf(root), [{ plugin: '@cctrial/nx', options: { targetName: 'cctrial:watch', ciTargetName: 'cctrial-ci' } }]);
    assert.match(output, /the inferred target is "cctrial:watch", because a project already has a "cctrial" target/);
  });

  test('registered before a "cctrial" script came, it warns that the script now takes the target over', () => {
    const root = workspace();
    runInit(root);
    const manifest = path.join(root, 'packages/app/package.json');
    writeFileSync(manifest, json({ name: '@acme/app', scripts: { test: 'node --test', cctrial: 'cctrial' } }));
    const nxJson = read(root, 'nx.json');
    const output = runInit(root);
    assert.equal(read(root, 'nx.json'), nxJson);
    assert.match(output, /@acme\/app has a "cctrial" script in package\.json/);
  });

  test('adds @cctrial/nx to the root devDependencies at its own version, and keeps a spec of the user\'s own', () => {
    const { version } = JSON.parse(readFileSync(path.join(__dirname, '../../../package.json'), 'utf8')) as { version: string };
    const fresh = workspace();
    runInit(fresh, { skipFormat: true });
    assert.equal((JSON.parse(read(fresh, 'package.json')) as { devDependencies: Record<string, string> }).devDependencies['@cctrial/nx'], version);
    const tarball = workspace({ 'package.json': json({ name: 'root', private: true, workspaces: ['packages/*'], devDependencies: { '@cctrial/nx': 'file:../cctrial-nx-0.1.0.tgz' } }) });
    runInit(tarball, { skipFormat: true });
    assert.equal((JSON.parse(read(tarball, 'package.json')) as { devDependencies: Record<string, string> }).devDependencies['@cctrial/nx'], 'file:../cctrial-nx-0.1.0.tgz');
  });

  test('skipPackageJson leaves package.json untouched', () => {
    const root = workspace();
    const before = read(root, 'package.json');
    runInit(root, { skipPackageJson: true });
    assert.equal(read(root, 'package.json'), before);
  });

  test('creates nx.json when the workspace has none', () => {
    const root = workspace();
    rmSync(path.join(root, 'nx.json'));
    runInit(root);
    assert.ok(existsSync(path.join(root, 'nx.json')));
    assert.deepEqual(pluginsOf(root), [REGISTERED]);
  });
});
