import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { ExecutorContext, ProjectGraph } from '@nx/devkit';
import { localDependencies } from '../../src/executors/cctrial/graph';
import { planRun } from '../../src/executors/cctrial/plan';
import { flagsFor } from '../../src/executors/cctrial/schema';

/** app -> lib-a -> lib-b, app -> npm:react, tool -(implicit)-> app; lib-b -> lib-a closes a cycle. */
function graph(): ProjectGraph {
  const node = (name: string, root: string) => ({ name, type: 'lib' as const, data: { root } });
  const edge = (source: string, target: string, type = 'static') => ({ source, target, type });
  return {
    nodes: { app: node('app', 'apps/app'), 'lib-a': node('lib-a', 'libs/lib-a'), 'lib-b': node('lib-b', 'libs/lib-b'), tool: node('tool', 'tools/tool'), other: node('other', 'libs/other') },
    externalNodes: { 'npm:react': { name: 'npm:react', type: 'npm', data: { version: '19.0.0', packageName: 'react' } } },
    dependencies: {
      app: [edge('app', 'npm:react'), edge('app', 'lib-a')],
      'lib-a': [edge('lib-a', 'lib-b')],
      'lib-b': [edge('lib-b', 'lib-a')],
      tool: [edge('tool', 'app', 'implicit')],
      other: [],
    },
  } as ProjectGraph;
}

function context(projectName: string): ExecutorContext {
  return { root: '/ws', cwd: '/ws/apps/app/src', projectName, isVerbose: false, projectGraph: graph(), projectsConfigurations: { version: 2, projects: {} }, nxJsonConfiguration: {} };
}

describe('localDependencies', () => {
  test('follows every kind of edge transitively, skips npm packages, and survives cycles', () => {
    assert.deepEqual(localDependencies(graph(), 'app'), ['lib-a', 'lib-b']);
    assert.deepEqual(localDependencies(graph(), 'tool'), ['app', 'lib-a', 'lib-b']);
    assert.deepEqual(localDependencies(graph(), 'other'), []);
  });
});

describe('planRun', () => {
  test("by default it tests the project's own folder and watches its dependencies' folders too", () => {
    const plan = planRun({}, context('app'));
    assert.equal(plan.cwd, '/ws');
    assert.deepEqual(plan.args, ['--watch', 'libs/lib-a', '--watch', 'libs/lib-b', 'apps/app']);
    assert.deepEqual(plan.tested, ['apps/app']);
  });

  test('withDeps also tests the dependencies, in one run', () => {
    assert.deepEqual(planRun({ withDeps: true, once: true }, context('app')).args, [
      '--once',
      '--watch',
      'libs/lib-a',
      '--watch',
      'libs/lib-b',
      'apps/app',
      'libs/lib-a',
      'libs/lib-b',
    ]);
  });

  test('extra watch folders come after the dependencies, without repeats', () => {
    assert.deepEqual(planRun({ watch: ['fixtures', 'libs/lib-a'] }, context('other')).args, ['--watch', 'fixtures', '--watch', 'libs/lib-a', 'libs/other']);
  });

  test('a project missing from the graph is an error that names it', () => {
    assert.throws(() => planRun({}, context('ghost')), /no project "ghost"/);
  });
});

describe('flagsFor', () => {
  test('maps each option to its cctrial flag; undefined options add nothing', () => {
    assert.deepEqual(flagsFor({}), []);
    assert.deepEqual(
      flagsFor({ once: true, forever: false, jobs: 2, grep: 'cart', timeout: 0, import: 'tsx', json: true, notify: false, verbose: true }),
      ['--once', '--jobs', '2', '--grep', 'cart', '--timeout', '0', '--import', 'tsx', '--json', '--no-notify', '--verbose'],
    );
    assert.deepEqual(flagsFor({ notify: true, json: false }), ['--notify']);
    assert.deepEqual(flagsFor({ json: false }), []);
  });
});
