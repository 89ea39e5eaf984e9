/** Positional arguments: project names, folders and test files, on a real workspace. */
import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, it } from 'node:test';
import { discoverTestFiles } from '../../src/discovery.js';
import { ConfigError } from '../../src/errors.js';
import { listProjects } from '../../src/workspace/projects.js';
import { findWorkspaceRoot } from '../../src/workspace/root.js';
import { filterByPaths, selectProjects } from '../../src/workspace/select.js';
import { writeWorkspace } from '../helpers/workspace.js';

const pkg = (name: string) => JSON.stringify({ name });
const TEST = "import { test } from 'node:test';\ntest('t', () => {});\n";

describe('selectProjects', () => {
  const root = writeWorkspace({
    'package.json': JSON.stringify({ name: 'root', workspaces: ['packages/*', 'apps/*'] }),
    'packages/core/package.json': pkg('@acme/core'),
    'packages/core/test/a.test.js': TEST,
    'packages/core/test/unit/b.test.js': TEST,
    'packages/ui/package.json': pkg('@acme/ui'),
    'packages/ui/test/c.test.js': TEST,
    'apps/web/package.json': pkg('web'),
    'apps/web/test/d.test.js': TEST,
    'tools/script.js': '',
  });
  const projects = listProjects(findWorkspaceRoot(root));
  /** The relative test files a selection keeps, as the engine computes them. */
  const selectedFiles = (args: string[], cwd = root) => {
    const selection = selectProjects(projects, args, cwd);
    return filterByPaths(discoverTestFiles(selection.projects, root), selection.pathFilters).map((file) => file.relative);
  };
  const ALL = ['packages/core/test/a.test.js', 'packages/core/test/unit/b.test.js', 'packages/ui/test/c.test.js', 'apps/web/test/d.test.js'];

  it('selects every project when given nothing', () => {
    assert.deepEqual(selectProjects(projects, [], root), { projects });
    assert.deepEqual(selectedFiles([]).sort(), [...ALL].sort());
  });

  it('selects projects by name, whole', () => {
    const selection = selectProjects(projects, ['@acme/ui', 'web'], root);
    assert.deepEqual(selection.projects.map((project) => project.name).sort(), ['@acme/ui', 'web']);
    assert.equal(selection.pathFilters, undefined);
  });

  it("selects a project by its folder, and every project under a folder", () => {
    assert.deepEqual(selectedFiles(['packages/ui']), ['packages/ui/test/c.test.js']);
    assert.deepEqual(selectedFiles(['packages']).sort(), ['packages/core/test/a.test.js', 'packages/core/test/unit/b.test.js', 'packages/ui/test/c.test.js']);
  });

  it('selects the test files under a folder inside a project', () => {
    const selection = selectProjects(projects, ['packages/core/test/unit'], root);
    assert.deepEqual(selection.projects.map((project) => project.name), ['@acme/core']);
    assert.deepEqual(selection.pathFilters, [path.join(root, 'packages/core/test/unit')]);
    assert.deepEqual(selectedFiles(['packages/core/test/unit']), ['packages/core/test/unit/b.test.js']);
  });

  it('selects one test file, relative to the working folder', () => {
    assert.deepEqual(selectedFiles(['test/a.test.js'], path.join(root, 'packages/core')), ['packages/core/test/a.test.js']);
    assert.deepEqual(selectedFiles([path.join(root, 'apps/web/test/d.test.js')]), ['apps/web/test/d.test.js']);
  });

  it('keeps every file of a project named whole beside a single file of another', () => {
    assert.deepEqual(selectedFiles(['packages/core/test/a.test.js', '@acme/ui']).sort(), ['packages/core/test/a.test.js', 'packages/ui/test/c.test.js']);
  });

  it('rejects an unknown name with a ConfigError listing the known projects', () => {
    assert.throws(
      () => selectProjects(projects, ['@acme/nope'], root),
      (error: unknown) => {
        assert.ok(error instanceof ConfigError);
        assert.match(error.message, /^"@acme\/nope" is neither a project of this workspace nor an existing path\./);
        for (const name of ['@acme/core', '@acme/ui', 'web']) assert.ok(error.message.includes(name), `lists ${name}: ${error.message}`);
        return true;
      },
    );
  });

  it('suggests the project a mistyped name most likely means: the same name in a scope, or one that contains it', () => {
    const message = (arg: string) => {
      try {
        selectProjects(projects, [arg], root);
      } catch (error) {
        assert.ok(error instanceof ConfigError);
        return error.message;
      }
      assert.fail(`"${arg}" was accepted`);
    };
    assert.match(message('ui'), /^"ui" is neither a project of this workspace nor an existing path\. Did you mean @acme\/ui\? Give a project name /);
    assert.match(message('@other/CORE'), /Did you mean @acme\/core\? /);
    assert.match(message('we'), /Did you mean web\? /);
    assert.doesNotMatch(message('zzz'), /Did you mean/);
  });

  it('selects projects by a name pattern, and leaves projects out with !name or !pattern', () => {
    const names = (args: string[]) => selectProjects(projects, args, root).projects.map((project) => project.name).sort();
    assert.deepEqual(names(['@acme/*']), ['@acme/core', '@acme/ui']);
    assert.deepEqual(names(['!web']), ['@acme/core', '@acme/ui', 'root']);
    assert.deepEqual(names(['@acme/*', '!@acme/ui']), ['@acme/core']);
    assert.deepEqual(names(['!@acme/*', '!root']), ['web']);
    assert.deepEqual(selectedFiles(['packages', '!@acme/core']), ['packages/ui/test/c.test.js']);
    assert.throws(() => selectProjects(projects, ['@nope/*'], root), (error: unknown) => error instanceof ConfigError && /^No project name matches "@nope\/\*"\. /.test(error.message));
    assert.throws(() => selectProjects(projects, ['!nope'], root), (error: unknown) => error instanceof ConfigError && /^"!nope" leaves nothing out: no project name matches "nope"/.test(error.message));
  });

  it('lists each project name once, and at most ten', () => {
    const many = writeWorkspace({
      'package.json': JSON.stringify({ name: 'root', workspaces: ['packages/*'] }),
      ...Object.fromEntries(Array.from({ length: 12 }, (_, n) => [`packages/p${String(n).padStart(2, '0')}/package.json`, pkg(`p${String(n).padStart(2, '0')}`)])),
    });
    const all = listProjects(findWorkspaceRoot(many));
    assert.throws(
      () => selectProjects([...all, ...all], ['nope'], many),
      (error: unknown) => error instanceof ConfigError && /\(p00, p01, p02, p03, p04, p05, p06, p07, p08, p09, and 3 more\)/.test(error.message),
    );
  });

  it('gives a folder outside every package to the root project, as its own test command would run it', () => {
    const selection = selectProjects(projects, ['tools'], root);
    assert.deepEqual(selection.projects.map((project) => project.name), ['root']);
    assert.deepEqual(selection.pathFilters, [path.join(root, 'tools')]);
  });

  it('rejects a path outside the workspace', () => {
    assert.throws(
      () => selectProjects(projects, [writeWorkspace({ 'elsewhere.txt': '' })], root),
      (error: unknown) => error instanceof ConfigError && /not inside any project/.test(error.message),
    );
  });

  it('does not count a sibling folder with the same prefix as inside a project', () => {
    const sibling = writeWorkspace({ 'package.json': JSON.stringify({ name: 'root', workspaces: ['packages/*'] }), 'packages/b/package.json': pkg('b'), 'packages/b-other/x.test.js': TEST });
    const all = listProjects(findWorkspaceRoot(sibling));
    assert.deepEqual(selectProjects(all, ['packages/b-other/x.test.js'], sibling).projects.map((project) => project.name), ['root']);
  });
});

describe('selectProjects with nested projects', () => {
  const root = writeWorkspace({
    'nx.json': '{}',
    'package.json': pkg('root'),
    'project.json': pkg('root-app'),
    'test/root.test.js': TEST,
    'libs/inner/project.json': pkg('inner'),
    'libs/inner/test/inner.test.js': TEST,
  });
  const projects = listProjects(findWorkspaceRoot(root));

  it('gives a file to the innermost project that holds it', () => {
    const selection = selectProjects(projects, ['libs/inner/test/inner.test.js'], root);
    assert.deepEqual(selection.projects.map((project) => project.name), ['inner']);
  });

  it('selects every project when given the root folder', () => {
    const selection = selectProjects(projects, ['.'], root);
    assert.deepEqual(selection.projects.map((project) => project.name).sort(), ['inner', 'root-app']);
    assert.equal(selection.pathFilters, undefined);
  });
});
