/** Ignore rules as git reads them, asked of the real git, and the user's --ignore globs. */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import { IgnoreRules } from '../../src/watch/ignore.js';
import { writeWorkspace } from '../helpers/workspace.js';

function gitRepository(files: Record<string, string>): string {
  const root = writeWorkspace(files);
  execFileSync('git', ['init', '-q'], { cwd: root });
  return root;
}

describe('ignore rules', () => {
  test("every .gitignore, .git/info/exclude and the global excludes file, as git reads them; tracked files are never ignored", async () => {
    const root = gitRepository({
      '.gitignore': 'tmp/\n*.log\n!keep.log\n',
      'packages/a/.gitignore': 'output/\n',
      'packages/a/index.js': '',
      'packages/a/tmp/session.json': '',
      'packages/a/debug.log': '',
      'packages/a/keep.log': '',
      'packages/a/output/result.js': '',
      'packages/a/db.sqlite': '',
      'packages/a/tracked.log': '',
      'global-excludes': '*.sqlite\n',
    });
    writeFileSync(path.join(root, '.git/info/exclude'), 'secret.txt\n');
    execFileSync('git', ['config', 'core.excludesFile', path.join(root, 'global-excludes')], { cwd: root });
    execFileSync('git', ['add', '-f', 'packages/a/tracked.log'], { cwd: root });
    const rules = await IgnoreRules.create(root, [path.join(root, 'packages/a')], []);
    const files = ['index.js', 'tmp/session.json', 'debug.log', 'keep.log', 'output/result.js', 'db.sqlite', 'tracked.log', 'secret.txt', 'deleted/gone.log'].map((file) =>
      path.join(root, 'packages/a', file),
    );
    assert.deepEqual(
      (await rules.keep(files)).map((file) => path.relative(root, file)),
      ['packages/a/index.js', 'packages/a/keep.log', 'packages/a/tracked.log'],
    );
  });

  test('--ignore globs are read as .gitignore lines, relative to the workspace root', async () => {
    const root = gitRepository({ 'packages/a/index.js': '' });
    const rules = await IgnoreRules.create(root, [root], ['fixtures/', 'packages/*/snapshots/**', '*.out']);
    const files = ['packages/a/index.js', 'packages/a/test/fixtures/x.js', 'packages/a/snapshots/a.snap', 'packages/b/run.out'].map((file) => path.join(root, file));
    assert.deepEqual((await rules.keep(files)).map((file) => path.relative(root, file)), ['packages/a/index.js']);
  });

  test('outside any git repository, and for odd names, only the globs apply', async () => {
    const root = writeWorkspace({ '.gitignore': '*.js\n' });
    const rules = await IgnoreRules.create(root, [root], ['*.tmp']);
    const odd = path.join(root, 'a\nnew line.js');
    assert.deepEqual(await rules.keep([path.join(root, 'a.js'), path.join(root, 'b.tmp'), odd]), [path.join(root, 'a.js'), odd]);
    const inRepository = gitRepository({ '.gitignore': 'odd*\n' });
    const inside = await IgnoreRules.create(inRepository, [inRepository], []);
    assert.deepEqual(await inside.keep([path.join(inRepository, 'odd\nname.js'), path.join(inRepository, 'plain.js')]), [path.join(inRepository, 'plain.js')]);
  });
});
