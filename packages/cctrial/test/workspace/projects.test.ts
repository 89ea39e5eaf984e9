/** Listing the projects of real workspaces: npm, pnpm, Nx and single packages. */
import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, it } from 'node:test';
import { ConfigError } from '../../src/errors.js';
import { listProjects } from '../../src/workspace/projects.js';
import { findWorkspaceRoot } from '../../src/workspace/root.js';
import { writeWorkspace } from '../helpers/workspace.js';

const pkg = (manifest: Record<string, unknown>) => JSON.stringify(manifest);
const projectsOf = (root: string) => listProjects(findWorkspaceRoot(root)).map((project) => `${project.name} ${path.relative(root, project.root) || '.'}`);

describe('listProjects', () => {
  it('lists npm workspace packages by their package.json name, honouring negations', () => {
    const root = writeWorkspace({
      'package.json': pkg({ name: 'root', workspaces: ['packages/*', '!packages/private'] }),
      'packages/b/package.json': pkg({ name: '@acme/b' }),
      'packages/a/package.json': pkg({ name: '@acme/a' }),
      'packages/private/package.json': pkg({ name: '@acme/private' }),
      'packages/no-manifest/index.js': '',
      'packages/a/node_modules/dep/package.json': pkg({ name: 'dep' }),
    });
    assert.deepEqual(projectsOf(root), ['@acme/a packages/a', '@acme/b packages/b', 'root .']);
  });

  it('names a package without a name after its folder', () => {
    const root = writeWorkspace({ 'package.json': pkg({ workspaces: ['packages/*'] }), 'packages/nameless/package.json': pkg({ private: true }) });
    assert.deepEqual(projectsOf(root), ['nameless packages/nameless', `${path.basename(root)} .`]);
  });

  it('lists pnpm workspace packages', () => {
    const root = writeWorkspace({
      'package.json': pkg({ name: 'root' }),
      'pnpm-workspace.yaml': 'packages:\n  - apps/*\n  - libs/**\n',
      'apps/web/package.json': pkg({ name: 'web' }),
      'libs/ui/buttons/package.json': pkg({ name: 'buttons' }),
    });
    assert.deepEqual(projectsOf(root).sort(), ['buttons libs/ui/buttons', 'root .', 'web apps/web']);
  });

  it('takes the root package as a project too, for the tests outside every package', () => {
    const root = writeWorkspace({ 'package.json': pkg({ name: 'root', workspaces: ['packages/*'] }), 'packages/a/package.json': pkg({ name: 'a' }) });
    assert.deepEqual(projectsOf(root), ['a packages/a', 'root .']);
  });

  it('names Nx projects after project.json, whose name wins over package.json', () => {
    const root = writeWorkspace({
      'nx.json': '{}',
      'package.json': pkg({ name: 'root', workspaces: ['packages/*'] }),
      'packages/api/package.json': pkg({ name: '@acme/api-package' }),
      'packages/api/project.json': pkg({ name: 'api' }),
      'packages/util/package.json': pkg({ name: '@acme/util' }),
      'apps/tool/project.json': pkg({ targets: {} }),
      'node_modules/x/project.json': pkg({ name: 'not-a-project' }),
    });
    assert.deepEqual(projectsOf(root), ['tool apps/tool', 'api packages/api', '@acme/util packages/util', 'root .']);
  });

  it('takes a root project.json as a project of its own, beside the nested ones', () => {
    const root = writeWorkspace({ 'nx.json': '{}', 'project.json': pkg({ name: 'root-app' }), 'libs/core/project.json': pkg({ name: 'core' }) });
    assert.deepEqual(projectsOf(root).sort(), ['core libs/core', 'root-app .']);
  });

  it('lists a single package as one project', () => {
    const root = writeWorkspace({ 'package.json': pkg({ name: 'solo' }) });
    assert.deepEqual(projectsOf(root), ['solo .']);
  });

  it("throws a ConfigError naming a project's broken package.json", () => {
    const root = writeWorkspace({ 'package.json': pkg({ name: 'root', workspaces: ['packages/*'] }), 'packages/bad/package.json': '{ nope' });
    assert.throws(() => projectsOf(root), (error: unknown) => error instanceof ConfigError && error.message.startsWith(`${path.join(root, 'packages/bad/package.json')} is not valid JSON`));
  });

  it('throws a ConfigError naming a broken project.json', () => {
    const root = writeWorkspace({ 'nx.json': '{}', 'package.json': pkg({ name: 'root' }), 'apps/x/project.json': '{ "name": ' });
    assert.throws(() => projectsOf(root), (error: unknown) => error instanceof ConfigError && error.message.startsWith(`${path.join(root, 'apps/x/project.json')} is not valid JSON`));
  });
});
