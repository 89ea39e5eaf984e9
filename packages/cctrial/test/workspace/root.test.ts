/** Finding the workspace root and the tool that describes it, on real folders. */
import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, it } from 'node:test';
import { ConfigError } from '../../src/errors.js';
import { findWorkspaceRoot } from '../../src/workspace/root.js';
import { writeWorkspace } from '../helpers/workspace.js';

const pkg = (manifest: Record<string, unknown>) => JSON.stringify(manifest);

describe('findWorkspaceRoot', () => {
  it('finds an npm workspace (array form) from deep inside a package', () => {
    const root = writeWorkspace({
      'package.json': pkg({ name: 'root', workspaces: ['packages/*', 'apps/*'] }),
      'packages/a/package.json': pkg({ name: 'a' }),
      'packages/a/src/deep/file.js': '',
    });
    assert.deepEqual(findWorkspaceRoot(path.join(root, 'packages/a/src/deep')), {
      root,
      kind: 'npm',
      projectGlobs: ['packages/*', 'apps/*'],
      hasNx: false,
      hasTurbo: false,
    });
  });

  it('reads the {packages} form of workspaces', () => {
    const root = writeWorkspace({ 'package.json': pkg({ name: 'root', workspaces: { packages: ['libs/*'], nohoist: ['**/x'] } }) });
    const found = findWorkspaceRoot(root);
    assert.equal(found.kind, 'npm');
    assert.deepEqual(found.projectGlobs, ['libs/*']);
  });

  it('reads pnpm-workspace.yaml, and prefers it to package.json at the same level', () => {
    const root = writeWorkspace({
      'package.json': pkg({ name: 'root', workspaces: ['ignored/*'] }),
      'pnpm-workspace.yaml': "packages:\n  - 'packages/*'\n  - '!packages/private'\n",
      'packages/a/package.json': pkg({ name: 'a' }),
    });
    const found = findWorkspaceRoot(path.join(root, 'packages/a'));
    assert.equal(found.root, root);
    assert.equal(found.kind, 'pnpm');
    assert.deepEqual(found.projectGlobs, ['packages/*', '!packages/private']);
  });

  it('takes a folder with nx.json and no workspaces for an Nx root, and notes Nx and Turborepo beside workspaces', () => {
    const nxRoot = writeWorkspace({ 'nx.json': '{}', 'package.json': pkg({ name: 'root' }), 'apps/web/project.json': pkg({ name: 'web' }) });
    assert.deepEqual(findWorkspaceRoot(path.join(nxRoot, 'apps/web')), { root: nxRoot, kind: 'nx', projectGlobs: [], hasNx: true, hasTurbo: false });

    const mixed = writeWorkspace({ 'nx.json': '{}', 'turbo.json': '{}', 'package.json': pkg({ name: 'root', workspaces: ['packages/*'] }) });
    const found = findWorkspaceRoot(mixed);
    assert.equal(found.kind, 'npm');
    assert.equal(found.hasNx, true);
    assert.equal(found.hasTurbo, true);
  });

  it('takes the nearest package.json for a lone package', () => {
    const root = writeWorkspace({ 'package.json': pkg({ name: 'lonely' }), 'src/lib/x.js': '' });
    assert.deepEqual(findWorkspaceRoot(path.join(root, 'src/lib')), { root, kind: 'single', projectGlobs: [], hasNx: false, hasTurbo: false });
  });

  it('uses the start folder when there is no package.json at all', () => {
    const root = writeWorkspace({ 'notes.txt': '' });
    assert.equal(findWorkspaceRoot(root).root, root);
    assert.equal(findWorkspaceRoot(root).kind, 'single');
  });

  it('throws a ConfigError naming a broken package.json', () => {
    const root = writeWorkspace({ 'package.json': '{ "name": "broken", }' });
    assert.throws(
      () => findWorkspaceRoot(root),
      (error: unknown) => {
        assert.ok(error instanceof ConfigError);
        assert.match(error.message, new RegExp(`^${path.join(root, 'package.json')} is not valid JSON \\(.+\\)\\. Fix the file and run cctrial again\\.$`));
        return true;
      },
    );
  });

  it('throws a ConfigError naming a broken pnpm-workspace.yaml', () => {
    const root = writeWorkspace({ 'pnpm-workspace.yaml': 'packages: [unclosed\n', 'package.json': pkg({ name: 'root' }) });
    assert.throws(() => findWorkspaceRoot(root), (error: unknown) => error instanceof ConfigError && error.message.startsWith(`${path.join(root, 'pnpm-workspace.yaml')} is not valid YAML`));
  });
});
