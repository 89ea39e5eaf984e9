import assert from 'node:assert/strict';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import type { CreateNodesContext, CreateNodesResult, NxJsonConfiguration } from '@nx/devkit';
import { updateContextWithChangedFiles } from 'nx/src/utils/workspace-context';
import { createNodes, createNodesV2, type CctrialPluginOptions } from '../../src/index';
import { CACHE_FILE_NAME } from '../../src/plugin/tested-roots';
import { json, writeFolder } from '../helpers/workspace';

// The plugin runs in this process, as in an Nx plugin worker; its file hashes must not go to a daemon.
process.env.NX_DAEMON = 'false';

const NODE_TEST = "import { test } from 'node:test';\ntest('works', () => {});\n";
const VITEST_TEST = "import { test } from 'vitest';\ntest('works', () => {});\n";

/** The manifests Nx's file index would hand the plugin: every project.json and package.json outside node_modules. */
function manifests(root: string, dir = ''): string[] {
  return readdirSync(path.join(root, dir), { withFileTypes: true }).flatMap((entry) => {
    const relative = dir ? `${dir}/${entry.name}` : entry.name;
    if (entry.isDirectory()) return entry.name === 'node_modules' ? [] : manifests(root, relative);
    return entry.name === 'package.json' || entry.name === 'project.json' ? [relative] : [];
  });
}

/** Runs the plugin the way Nx does: on the files its glob matched, relative to the workspace root. */
async function infer(root: string, options?: CctrialPluginOptions, nxJsonConfiguration: NxJsonConfiguration = {}) {
  const context: CreateNodesContext = { workspaceRoot: root, nxJsonConfiguration };
  return createNodes[1](manifests(root), options, context);
}

/** Project root -> the names of the targets the plugin adds there. */
function targetsByRoot(results: ReadonlyArray<readonly [string, CreateNodesResult]>): Record<string, string[]> {
  const byRoot: Record<string, string[]> = {};
  for (const [, result] of results) {
    for (const [root, project] of Object.entries(result.projects ?? {})) byRoot[root] = Object.keys(project.targets ?? {});
  }
  return byRoot;
}

/** Both inferred targets, by their default names. */
const BOTH = ['cctrial', 'cctrial-ci'];

const workspace = (extra: Record<string, string>) =>
  writeFolder({ 'package.json': json({ name: 'root', private: true, workspaces: ['packages/*'] }), ...extra });

describe('the inferred cctrial target', () => {
  test('is exported as both createNodes and createNodesV2, matching project manifests', () => {
    assert.equal(createNodesV2, createNodes);
    assert.equal(createNodes[0], '**/{project.json,package.json}');
  });

  test("is added to each project with tests that cctrial runs, found as the project's own test script finds them", async () => {
    const root = workspace({
      'nx.json': json({}),
      'packages/app/package.json': json({ name: 'app' }),
      'packages/app/test/app.test.js': NODE_TEST,
      'libs/util/project.json': json({ name: 'util' }),
      'libs/util/src/deep/util.test.ts': "import test from 'node:test';\n",
      'packages/spec/package.json': json({ name: 'spec', scripts: { test: "node --test 'test/**/*.spec.mjs'" } }),
      'packages/spec/test/a.spec.mjs': NODE_TEST,
      'packages/jest-lib/package.json': json({ name: 'jest-lib', scripts: { test: 'jest' } }),
      'packages/jest-lib/src/a.test.js': "test('works', () => expect(1).toBe(1));\n",
      'packages/vitest-files/package.json': json({ name: 'vitest-files' }),
      'packages/vitest-files/src/a.test.ts': VITEST_TEST,
      'packages/no-tests/package.json': json({ name: 'no-tests' }),
      'packages/no-tests/index.js': 'export {};\n',
    });
    const expected: Record<string, string[]> = { 'libs/util': BOTH, 'packages/app': BOTH };
    // Node 20 reads a quoted glob as a file name, so there the spec package has no tests, as under its own script.
    if (Number(process.versions.node.split('.')[0]) >= 21) expected['packages/spec'] = BOTH;
    assert.deepEqual(targetsByRoot(await infer(root)), expected);
  });

  test('the watching target runs the cctrial executor, is never cached, is not continuous, and comes from the project manifest', async () => {
    const root = workspace({ 'packages/app/package.json': json({ name: 'app' }), 'packages/app/a.test.js': NODE_TEST });
    const results = (await infer(root)).filter(([, result]) => result.projects);
    assert.equal(results.length, 1);
    const [source, result] = results[0]!;
    assert.equal(source, 'packages/app/package.json');
    const target = result.projects?.['packages/app']?.targets?.cctrial;
    assert.equal(target?.executor, '@cctrial/nx:cctrial');
    assert.equal(target?.cache, false);
    assert.equal(target?.continuous, undefined);
    assert.deepEqual(target?.options, {});
    assert.deepEqual(target?.metadata?.technologies, ['node']);
  });

  test("the cctrial-ci target runs once and is cached, on the project's files and its dependencies' production files", async () => {
    const root = workspace({
      'packages/app/package.json': json({ name: 'app' }),
      'packages/app/a.test.js': NODE_TEST,
      'package-lock.json': json({ lockfileVersion: 3, packages: { 'node_modules/cctrial': { version: '0.1.0' } } }),
    });
    const ciTarget = async (nxJson: NxJsonConfiguration) => (await infer(root, undefined, nxJson)).flatMap(([, result]) => result.projects?.['packages/app']?.targets?.['cctrial-ci'] ?? [])[0];
    const withProduction = await ciTarget({ namedInputs: { default: ['{projectRoot}/**/*'], production: ['default', '!{projectRoot}/**/*.test.js'] } });
    assert.equal(withProduction?.executor, '@cctrial/nx:cctrial');
    assert.equal(withProduction?.cache, true);
    assert.deepEqual(withProduction?.options, { once: true, results: '{workspaceRoot}/node_modules/.cache/cctrial/results/{projectName}.json' });
    assert.deepEqual(withProduction?.outputs, ['{options.results}']);
    assert.deepEqual(withProduction?.inputs, ['default', '^production', { externalDependencies: ['cctrial'] }, { runtime: 'node --version' }]);
    // With no production input to name, every file of a dependency counts: never a stale hit.
    const without = await ciTarget({});
    assert.deepEqual(without?.inputs?.slice(0, 2), ['default', '^default']);
  });

  test("the cctrial-ci target hashes cctrial's version only when the lockfile lists cctrial: Nx fails a run on an external dependency it cannot find", async () => {
    const root = workspace({ 'packages/app/package.json': json({ name: 'app' }), 'packages/app/a.test.js': NODE_TEST });
    const [, result] = (await infer(root)).find(([, found]) => found.projects)!;
    assert.deepEqual(result.projects?.['packages/app']?.targets?.['cctrial-ci']?.inputs, ['default', '^default', { runtime: 'node --version' }]);
  });

  test('uses the targetName and ciTargetName options; ciTargetName false infers the watching target only', async () => {
    const root = workspace({ 'packages/app/package.json': json({ name: 'app' }), 'packages/app/a.test.js': NODE_TEST });
    assert.deepEqual(targetsByRoot(await infer(root, { targetName: 'tdd', ciTargetName: 'tdd-ci' })), { 'packages/app': ['tdd', 'tdd-ci'] });
    assert.deepEqual(targetsByRoot(await infer(root, { ciTargetName: false })), { 'packages/app': ['cctrial'] });
  });

  test("the tested projects are cached in Nx's workspace data folder under a hash of the workspace's files", async () => {
    const root = workspace({ 'packages/app/package.json': json({ name: 'app' }), 'packages/app/a.test.js': NODE_TEST, 'packages/lib/package.json': json({ name: 'lib' }) });
    assert.deepEqual(targetsByRoot(await infer(root)), { 'packages/app': BOTH });
    const cacheFile = path.join(root, '.nx/workspace-data', CACHE_FILE_NAME);
    const entry = JSON.parse(readFileSync(cacheFile, 'utf8')) as { hash: string; roots: string[] };
    assert.deepEqual(entry.roots, ['packages/app']);
    // The same files, the same hash: the cached roots are taken as they are, without looking for tests.
    writeFileSync(cacheFile, JSON.stringify({ ...entry, roots: ['packages/lib'] }));
    assert.deepEqual(targetsByRoot(await infer(root)), { 'packages/lib': BOTH });
    // A corrupt cache file is recomputed, not trusted.
    writeFileSync(cacheFile, '{"hash": ');
    assert.deepEqual(targetsByRoot(await infer(root)), { 'packages/app': BOTH });
  });

  test('leaves out the workspace root, declaration files and build output', async () => {
    const root = workspace({
      'tools/check.test.js': NODE_TEST,
      'packages/app/package.json': json({ name: 'app' }),
      'packages/app/test/types.d.ts': "declare module 'node:test';\n",
      'packages/app/dist/test/a.test.js': NODE_TEST,
    });
    assert.deepEqual(targetsByRoot(await infer(root)), {});
  });

  test('a fixture package inside a package stays part of it, and a package outside the workspace globs is no project', async () => {
    const root = workspace({
      'nx.json': json({}),
      'packages/app/package.json': json({ name: 'app' }),
      'packages/app/test/fixtures/pkg/package.json': json({ name: 'fixture' }),
      'packages/app/test/fixtures/pkg/x.test.js': NODE_TEST,
      'libs/util/project.json': json({ name: 'util' }),
      'libs/util/package.json': json({ name: '@acme/util' }),
      'libs/util/src/nested/project.json': json({ name: 'nested' }),
      'libs/util/src/nested/n.test.js': NODE_TEST,
      'other/loose/package.json': json({ name: 'loose' }),
      'other/loose/a.test.js': NODE_TEST,
    });
    assert.deepEqual(targetsByRoot(await infer(root)), { 'packages/app': BOTH, 'libs/util/src/nested': BOTH });
  });

  test('a project whose first test file appears is seen on the next graph computation', async () => {
    const root = workspace({ 'packages/app/package.json': json({ name: 'app' }), 'packages/app/index.js': 'export {};\n' });
    assert.deepEqual(targetsByRoot(await infer(root)), {});
    writeFileSync(path.join(root, 'packages/app/index.test.js'), NODE_TEST);
    // What the Nx daemon's watcher does on a change; a process without the daemon reads the files afresh.
    await updateContextWithChangedFiles(root, ['packages/app/index.test.js'], [], []);
    assert.deepEqual(targetsByRoot(await infer(root)), { 'packages/app': BOTH });
  });

  test('a cctrial configuration that cannot be read gives no targets and a warning, and never breaks the project graph', async () => {
    const root = workspace({
      'cctrial.config.json': json({ nodeArg: ['--no-warnings'] }),
      'packages/app/package.json': json({ name: 'app' }),
      'packages/app/a.test.js': NODE_TEST,
    });
    const warnings: string[] = [];
    const warn = console.warn;
    console.warn = (...args: unknown[]) => void warnings.push(args.join(' '));
    try {
      assert.deepEqual(targetsByRoot(await infer(root)), {});
    } finally {
      console.warn = warn;
    }
    assert.equal(warnings.length, 1);
    assert.match(warnings[0]!, /@cctrial\/nx: no cctrial targets were inferred, because .*nodeArg/);
  });
});
