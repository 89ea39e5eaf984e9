/** Which changes can change a verdict, with plain data. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { relevantChange, type CodeKnowledge } from '../../src/watch/relevance.js';

const CODE: CodeKnowledge = {
  isTestFile: (file) => file === '/ws/packages/a/test/a.test.js',
  isImported: (file) => ['/ws/packages/a/src/index.js', '/ws/packages/a/src/data.json'].includes(file),
  holdsCode: (folder) => ['/ws/packages/a/src', '/ws/packages/a/test'].includes(folder),
  wouldBeTestFile: (file) => file.endsWith('.test.js'),
  holdsProject: (folder) => ['/ws/packages/c', '/ws/packages/d'].includes(folder),
};

const changed = (files: string[], created: string[] = [], deleted: string[] = []) => relevantChange({ changed: files, created, deleted }, CODE);

describe('relevance', () => {
  test('imported files and test files count; what the tests write and never import does not', () => {
    const change = changed(['/ws/packages/a/src/index.js', '/ws/packages/a/test/a.test.js', '/ws/packages/a/tmp/session.json', '/ws/packages/a/debug.log', '/ws/packages/a/db.sqlite']);
    assert.deepEqual(change.files, ['/ws/packages/a/src/index.js', '/ws/packages/a/test/a.test.js']);
    assert.equal(change.workspaceChanged, false);
    assert.equal(change.configChanged, false);
  });

  test('manifests, lockfiles, tsconfigs and env files count and stale the booted children; project manifests change the workspace', () => {
    const config = changed(['/ws/pnpm-lock.yaml', '/ws/tsconfig.base.json', '/ws/packages/a/.env.test']);
    assert.deepEqual(config.files.length, 3);
    assert.equal(config.configChanged, true);
    assert.equal(config.workspaceChanged, false);
    for (const manifest of ['/ws/packages/b/package.json', '/ws/pnpm-workspace.yaml', '/ws/libs/c/project.json', '/ws/cctrial.config.json']) {
      assert.equal(changed([manifest], [manifest]).workspaceChanged, true, manifest);
    }
  });

  test('a new module counts in a folder that holds code, or as a new test file; a new file elsewhere does not', () => {
    const change = changed(
      ['/ws/packages/a/src/helper.ts', '/ws/packages/a/test/b.test.js', '/ws/packages/a/out/result.json', '/ws/packages/a/src/notes.txt', '/ws/packages/b/new.test.js'],
      ['/ws/packages/a/src/helper.ts', '/ws/packages/a/test/b.test.js', '/ws/packages/a/out/result.json', '/ws/packages/a/src/notes.txt', '/ws/packages/b/new.test.js'],
    );
    assert.deepEqual(change.files, ['/ws/packages/a/src/helper.ts', '/ws/packages/a/test/b.test.js', '/ws/packages/b/new.test.js']);
    assert.deepEqual(change.created, change.files);
  });

  test('a folder with a project that goes or comes (a package renamed with mv) changes the workspace', () => {
    const change = changed(['/ws/packages/c', '/ws/packages/d', '/ws/packages/a/out'], ['/ws/packages/d', '/ws/packages/a/out'], ['/ws/packages/c']);
    assert.deepEqual(change.files, ['/ws/packages/c', '/ws/packages/d']);
    assert.equal(change.workspaceChanged, true);
  });

  test('a deleted imported module counts; a deleted output file does not', () => {
    const change = changed(['/ws/packages/a/src/data.json', '/ws/packages/a/out/x.json'], [], ['/ws/packages/a/src/data.json', '/ws/packages/a/out/x.json']);
    assert.deepEqual(change.deleted, ['/ws/packages/a/src/data.json']);
  });
});
