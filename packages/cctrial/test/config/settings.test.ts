/** Resolving what each project runs: CLI, then config, then test script, then defaults, with origins. */
import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, it } from 'node:test';
import { loadWorkspaceConfig } from '../../src/config/file.js';
import { resolveSettings, type CliSettings } from '../../src/config/settings.js';
import { ConfigError } from '../../src/errors.js';
import { listProjects } from '../../src/workspace/projects.js';
import { findWorkspaceRoot } from '../../src/workspace/root.js';
import { writeWorkspace } from '../helpers/workspace.js';

const NO_CLI: CliSettings = { nodeArgs: [], excludeProjects: [] };
const json = (value: unknown) => JSON.stringify(value);

async function settingsOf(files: Record<string, string>, cli = NO_CLI) {
  const root = writeWorkspace(files);
  const workspace = findWorkspaceRoot(root);
  const all = resolveSettings(listProjects(workspace), root, await loadWorkspaceConfig(root), cli);
  return { root, byName: (name: string) => all.find((settings) => settings.project.name === name)! };
}

describe('resolveSettings', () => {
  it('applies the command line over the config over the test script, and says where each value came from', async () => {
    const { byName } = await settingsOf({
      'package.json': json({ name: 'root', workspaces: ['packages/*'], cctrial: { timeout: 9000, env: { FROM: 'root-config' } } }),
      'packages/a/package.json': json({ name: 'a', scripts: { test: 'NODE_ENV=test node --test-timeout=1000 --no-warnings --test' }, cctrial: { nodeArgs: ['--expose-gc'] } }),
    }, { nodeArgs: ['--trace-warnings'], excludeProjects: [], timeoutMs: 42 });
    const a = byName('a');
    assert.equal(a.timeoutMs, 42);
    assert.equal(a.origins.timeout, 'command line --timeout');
    assert.deepEqual(a.nodeArgs, ['--no-warnings', '--expose-gc', '--trace-warnings']);
    assert.equal(a.origins.nodeArgs, 'packages/a/package.json scripts.test, then packages/a/package.json "cctrial", then the command line');
    assert.deepEqual(a.env, { NODE_ENV: 'test', FROM: 'root-config' });
  });

  it('takes isolation from the script (either spelling), then the config, then the command line', async () => {
    const files = {
      'package.json': json({ name: 'root', workspaces: ['packages/*'], cctrial: { projects: { c: { isolation: 'none' } } } }),
      'packages/a/package.json': json({ name: 'a', scripts: { test: 'node --test --test-isolation=none' } }),
      'packages/b/package.json': json({ name: 'b', scripts: { test: 'node --test --experimental-test-isolation none' }, cctrial: { isolation: 'process' } }),
      'packages/c/package.json': json({ name: 'c', scripts: { test: 'node --test' } }),
      'packages/d/package.json': json({ name: 'd', scripts: { test: 'node --test --test-isolation=process' } }),
    };
    const { byName } = await settingsOf(files);
    assert.deepEqual(['a', 'b', 'c', 'd'].map((name) => [byName(name).isolation, byName(name).origins.isolation]), [
      ['none', 'packages/a/package.json scripts.test'],
      ['process', 'packages/b/package.json "cctrial"'],
      ['none', 'package.json "cctrial" projects["c"]'],
      ['process', 'node --test default'],
    ]);
    const fromCli = await settingsOf(files, { ...NO_CLI, isolation: 'none' });
    assert.deepEqual(['a', 'b', 'c', 'd'].map((name) => fromCli.byName(name).isolation), ['none', 'none', 'none', 'none']);
    assert.equal(fromCli.byName('d').origins.isolation, 'command line --isolation');
  });

  it('refuses an isolation that is neither process nor none, naming the file and key', async () => {
    await assert.rejects(
      settingsOf({ 'package.json': json({ name: 'root', workspaces: ['packages/*'], cctrial: { isolation: 'shared' } }) }),
      (error: unknown) => error instanceof ConfigError && /package\.json "cctrial" isolation must be "process" .* or "none" .*, but is "shared"/.test(error.message),
    );
  });

  it('gives a package without a script the root script’s flags, globs and folder', async () => {
    const { root, byName } = await settingsOf({
      'package.json': json({ name: 'root', workspaces: ['packages/*'], scripts: { test: "node --import ./setup.mjs --test 'packages/**/*.spec.mjs'" } }),
      'packages/a/package.json': json({ name: 'a' }),
    });
    const a = byName('a');
    assert.equal(a.cwd, root);
    assert.deepEqual(a.nodeArgs, ['--import=./setup.mjs']);
    assert.deepEqual(a.include, [{ pattern: 'packages/**/*.spec.mjs', shell: false }]);
  });

  it('leaves out projects that use other runners, unless told to run them, and the excluded ones', async () => {
    const { byName } = await settingsOf(
      {
        'package.json': json({ name: 'root', workspaces: ['packages/*'], cctrial: { excludeProjects: ['c'] } }),
        'packages/a/package.json': json({ name: 'a', scripts: { test: 'vitest run' } }),
        'packages/b/package.json': json({ name: 'b', scripts: { test: 'jest' }, cctrial: { runner: 'node' } }),
        'packages/c/package.json': json({ name: 'c' }),
        'packages/d/package.json': json({ name: 'd' }),
      },
      { nodeArgs: [], excludeProjects: ['d'] },
    );
    assert.equal(byName('a').excluded, 'its test script runs vitest');
    assert.equal(byName('b').excluded, undefined);
    assert.equal(byName('c').excluded, 'excluded by package.json "cctrial" excludeProjects');
    assert.equal(byName('d').excluded, 'excluded on the command line (--exclude)');
  });

  it('reads an Nx project.json test target, and leaves out projects with another runner’s config', async () => {
    const { byName } = await settingsOf({
      'nx.json': '{}',
      'package.json': json({ name: 'root', workspaces: ['libs/*'] }),
      'libs/cmd/project.json': json({ name: 'cmd', targets: { test: { executor: 'nx:run-commands', options: { command: 'NODE_ENV=test node --test --test-timeout=5000' } } } }),
      'libs/jest-target/project.json': json({ name: 'jest-target', targets: { test: { executor: '@nx/jest:jest', options: { jestConfig: 'jest.config.ts' } } } }),
      'libs/inferred/project.json': json({ name: 'inferred' }),
      'libs/inferred/vitest.config.ts': 'export default {};\n',
    });
    assert.deepEqual([byName('cmd').env, byName('cmd').timeoutMs, byName('cmd').origins.env], [{ NODE_ENV: 'test' }, 5000, 'libs/cmd/project.json targets.test']);
    assert.equal(byName('jest-target').excluded, 'its test target runs jest (@nx/jest:jest)');
    assert.equal(byName('inferred').excluded, 'it has vitest.config.ts: its tests are vitest tests');
  });

  it('reads cctrial.config.json before the root package.json key', async () => {
    const { byName } = await settingsOf({
      'package.json': json({ name: 'root', workspaces: ['packages/*'], cctrial: { timeout: 1 } }),
      'cctrial.config.json': json({ projects: { a: { include: ['checks/**/*.js'] } } }),
      'packages/a/package.json': json({ name: 'a' }),
    });
    assert.deepEqual(byName('a').include, [{ pattern: 'checks/**/*.js', shell: false }]);
    assert.equal(byName('a').origins.include, 'cctrial.config.json projects["a"]');
    assert.equal(byName('a').timeoutMs, 30_000);
  });

  it('refuses an unknown key, naming the file and the keys there are', async () => {
    const root = writeWorkspace({ 'package.json': json({ name: 'root', cctrial: { incldue: ['x'] } }) });
    await assert.rejects(loadWorkspaceConfig(root), (error: unknown) => error instanceof ConfigError && /package\.json "cctrial" has the unknown key "incldue"\. The keys are: include, exclude/.test(error.message));
    const bad = writeWorkspace({ 'package.json': json({ name: 'root' }), 'packages/a/package.json': json({ name: 'a', cctrial: { timeout: '5s' } }) });
    assert.throws(() => resolveSettings([{ name: 'a', root: path.join(bad, 'packages/a') }], bad, { defaults: {}, projects: {}, excludeProjects: [], ignore: [] }, NO_CLI), /timeout must be a whole number of milliseconds/);
  });
});
