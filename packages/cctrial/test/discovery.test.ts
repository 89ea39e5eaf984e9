/** Finding test files on real folders: default patterns, ignored folders, nested projects. */
import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, it } from 'node:test';
import { discoverTestFiles } from '../src/discovery.js';
import { listProjects } from '../src/workspace/projects.js';
import { findWorkspaceRoot } from '../src/workspace/root.js';
import { writeWorkspace } from './helpers/workspace.js';

const pkg = (name: string) => JSON.stringify({ name });

describe('discoverTestFiles', () => {
  it("finds node --test's default patterns and their TypeScript variants", () => {
    const matching = [
      'a.test.js',
      'b.test.mjs',
      'c.test.cjs',
      'd.test.ts',
      'e.test.mts',
      'f.test.cts',
      'src/g-test.js',
      'src/h_test.ts',
      'src/test-i.mjs',
      'src/test.js',
      'test/anything.js',
      'test/deep/er/helper.ts',
    ];
    const notMatching = ['index.js', 'src/testing.js', 'src/a.spec.js', 'src/contest.js', 'test/types.d.ts', 'src/x.test.d.mts', 'src/x.test.json', 'README.md'];
    const root = writeWorkspace(Object.fromEntries([['package.json', pkg('solo')], ...[...matching, ...notMatching].map((file) => [file, ''])]));
    const found = discoverTestFiles(listProjects(findWorkspaceRoot(root)), root);
    assert.deepEqual(found.map((file) => file.relative).sort(), [...matching].sort());
  });

  it('ignores node_modules, dist, VCS folders and tool caches', () => {
    const root = writeWorkspace({
      'package.json': pkg('solo'),
      'ok.test.js': '',
      'node_modules/dep/a.test.js': '',
      'packages/x/node_modules/dep/test/b.js': '',
      'dist/c.test.js': '',
      'dist/test/d.js': '',
      '.git/e.test.js': '',
      '.nx/cache/f.test.js': '',
      '.turbo/g.test.js': '',
      'coverage/h.test.js': '',
    });
    assert.deepEqual(discoverTestFiles(listProjects(findWorkspaceRoot(root)), root).map((file) => file.relative), ['ok.test.js']);
  });

  it('describes each file by project, project root, absolute and root-relative path, sorted within a project', () => {
    const root = writeWorkspace({
      'package.json': JSON.stringify({ name: 'root', workspaces: ['packages/*'] }),
      'packages/b/package.json': pkg('@acme/b'),
      'packages/b/z.test.js': '',
      'packages/b/a.test.js': '',
      'packages/a/package.json': pkg('@acme/a'),
      'packages/a/test/x.test.js': '',
    });
    const found = discoverTestFiles(listProjects(findWorkspaceRoot(root)), root);
    assert.deepEqual(found, [
      { project: '@acme/a', projectRoot: path.join(root, 'packages/a'), absolute: path.join(root, 'packages/a/test/x.test.js'), relative: 'packages/a/test/x.test.js' },
      { project: '@acme/b', projectRoot: path.join(root, 'packages/b'), absolute: path.join(root, 'packages/b/a.test.js'), relative: 'packages/b/a.test.js' },
      { project: '@acme/b', projectRoot: path.join(root, 'packages/b'), absolute: path.join(root, 'packages/b/z.test.js'), relative: 'packages/b/z.test.js' },
    ]);
  });

  it('gives the files of a nested project to that project only', () => {
    const root = writeWorkspace({
      'nx.json': '{}',
      'package.json': pkg('root'),
      'project.json': pkg('root-app'),
      'test/root.test.js': '',
      'libs/inner/project.json': pkg('inner'),
      'libs/inner/test/inner.test.js': '',
      'libs/inner/src/unit.test.ts': '',
    });
    const found = discoverTestFiles(listProjects(findWorkspaceRoot(root)), root);
    assert.deepEqual(found.map((file) => `${file.project} ${file.relative}`).sort(), [
      'inner libs/inner/src/unit.test.ts',
      'inner libs/inner/test/inner.test.js',
      'root-app test/root.test.js',
    ]);
  });

  it('gives the files of a nested project whose folder name has glob characters to that project only', () => {
    const root = writeWorkspace({
      'nx.json': '{}',
      'package.json': pkg('root'),
      'project.json': pkg('root-app'),
      'libs/a (1)/project.json': pkg('copy'),
      'libs/a (1)/x.test.js': '',
    });
    const found = discoverTestFiles(listProjects(findWorkspaceRoot(root)), root);
    assert.deepEqual(found.map((file) => `${file.project} ${file.relative}`), ['copy libs/a (1)/x.test.js']);
  });
});

describe('discoverTestFiles with a project’s own globs', () => {
  it('walks into dist where the test script points there, and only there', async () => {
    const { loadWorkspaceConfig } = await import('../src/config/file.js');
    const { resolveSettings } = await import('../src/config/settings.js');
    const root = writeWorkspace({
      'package.json': JSON.stringify({ name: 'root', workspaces: ['packages/*'] }),
      'packages/built/package.json': JSON.stringify({ name: 'built', scripts: { test: 'tsc && node --test dist/test/*.test.js' } }),
      'packages/built/dist/test/a.test.js': '',
      'packages/built/src/a.test.ts': '',
      'packages/plain/package.json': JSON.stringify({ name: 'plain' }),
      'packages/plain/dist/b.test.js': '',
      'packages/plain/b.test.js': '',
    });
    const projects = listProjects(findWorkspaceRoot(root));
    const settings = resolveSettings(projects, root, await loadWorkspaceConfig(root), { nodeArgs: [], excludeProjects: [] });
    const found = discoverTestFiles(projects, root, projects, (project) => settings.find((entry) => entry.project.root === project.root));
    assert.deepEqual(found.map((file) => file.relative), ['packages/built/dist/test/a.test.js', 'packages/plain/b.test.js']);
  });
});
