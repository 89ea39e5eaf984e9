import assert from 'node:assert/strict';
import { utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import type { CreateNodesContext, CreateNodesResult } from '@nx/devkit';
import { createNodes, createNodesV2 } from '../../src/index';
import { json, writeFolder } from '../helpers/workspace';

const NODE_TEST = "import { test } from 'node:test';\ntest('works', () => {});\n";
const JEST_TEST = "test('works', () => expect(1).toBe(1));\n";

/** Runs the plugin the way Nx does: on the files its glob matched, relative to the workspace root. */
async function infer(root: string, files: string[], options?: { targetName?: string }) {
  const context: CreateNodesContext = { workspaceRoot: root, nxJsonConfiguration: {} };
  return createNodes[1](files, options, context);
}

/** Project root -> the names of the targets the plugin adds there. */
function targetsByRoot(results: ReadonlyArray<readonly [string, CreateNodesResult]>): Record<string, string[]> {
  const byRoot: Record<string, string[]> = {};
  for (const [, result] of results) {
    for (const [root, project] of Object.entries(result.projects ?? {})) byRoot[root] = Object.keys(project.targets ?? {});
  }
  return byRoot;
}

describe('the inferred cctrial target', () => {
  test('is exported as both createNodes and createNodesV2', () => {
    assert.equal(createNodesV2, createNodes);
    assert.equal(typeof createNodes[0], 'string');
  });

  test('is added to each project whose test files load node:test, and only to those', async () => {
    const files = {
      'packages/app/package.json': json({ name: 'app' }),
      'packages/app/test/app.test.js': NODE_TEST,
      'libs/util/project.json': json({ name: 'util' }),
      'libs/util/src/deep/util.test.ts': "import test from 'node:test';\n",
      'packages/jest-lib/package.json': json({ name: 'jest-lib' }),
      'packages/jest-lib/src/a.test.js': JEST_TEST,
      'packages/cjs/package.json': json({ name: 'cjs' }),
      'packages/cjs/test.cjs': "const { test } = require(\"node:test\");\n",
    };
    const root = writeFolder(files);
    const tested = Object.keys(files).filter((file) => !file.endsWith('.json'));
    assert.deepEqual(targetsByRoot(await infer(root, tested)), {
      'libs/util': ['cctrial'],
      'packages/app': ['cctrial'],
      'packages/cjs': ['cctrial'],
    });
  });

  test('the target runs the cctrial executor, is never cached, and is not continuous', async () => {
    const root = writeFolder({ 'packages/app/package.json': json({ name: 'app' }), 'packages/app/a.test.js': NODE_TEST });
    const results = await infer(root, ['packages/app/a.test.js']);
    assert.equal(results.length, 1);
    const [source, result] = results[0]!;
    assert.equal(source, 'packages/app/a.test.js');
    const target = result.projects?.['packages/app']?.targets?.cctrial;
    assert.equal(target?.executor, '@cctrial/nx:cctrial');
    assert.equal(target?.cache, false);
    assert.equal(target?.continuous, undefined);
    assert.deepEqual(target?.metadata?.technologies, ['node']);
  });

  test('uses the targetName option', async () => {
    const root = writeFolder({ 'packages/app/package.json': json({ name: 'app' }), 'packages/app/a.test.js': NODE_TEST });
    assert.deepEqual(targetsByRoot(await infer(root, ['packages/app/a.test.js'], { targetName: 'tdd' })), { 'packages/app': ['tdd'] });
  });

  test('leaves out the workspace root, declaration files and build output', async () => {
    const root = writeFolder({
      'package.json': json({ name: 'root', workspaces: ['packages/*'] }),
      'tools/check.test.js': NODE_TEST,
      'packages/app/package.json': json({ name: 'app' }),
      'packages/app/test/types.d.ts': "declare module 'node:test';\n",
      'packages/app/dist/test/a.test.js': NODE_TEST,
    });
    assert.deepEqual(targetsByRoot(await infer(root, ['tools/check.test.js', 'packages/app/test/types.d.ts', 'packages/app/dist/test/a.test.js'])), {});
  });

  test('a fixture package inside a package stays part of it, and never becomes a project', async () => {
    const root = writeFolder({
      'package.json': json({ name: 'root', workspaces: ['packages/*'] }),
      'packages/app/package.json': json({ name: 'app' }),
      'packages/app/test/fixtures/pkg/package.json': json({ name: 'fixture' }),
      'packages/app/test/fixtures/pkg/x.test.js': NODE_TEST,
      'libs/util/project.json': json({ name: 'util' }),
      'libs/util/package.json': json({ name: '@acme/util' }),
      'libs/util/src/nested/project.json': json({ name: 'nested' }),
      'libs/util/src/nested/n.test.js': NODE_TEST,
    });
    assert.deepEqual(targetsByRoot(await infer(root, ['packages/app/test/fixtures/pkg/x.test.js', 'libs/util/src/nested/n.test.js'])), {
      'packages/app': ['cctrial'],
      'libs/util/src/nested': ['cctrial'],
    });
  });

  test('a file that starts loading node:test is seen on the next graph computation', async () => {
    const root = writeFolder({ 'packages/app/package.json': json({ name: 'app' }), 'packages/app/a.test.js': JEST_TEST });
    assert.deepEqual(targetsByRoot(await infer(root, ['packages/app/a.test.js'])), {});
    const file = path.join(root, 'packages/app/a.test.js');
    writeFileSync(file, NODE_TEST);
    utimesSync(file, new Date(), new Date(Date.now() + 5_000)); // a different mtime, whatever the clock's resolution
    assert.deepEqual(targetsByRoot(await infer(root, ['packages/app/a.test.js'])), { 'packages/app': ['cctrial'] });
  });
});
