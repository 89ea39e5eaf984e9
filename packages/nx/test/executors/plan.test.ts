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

/** The task graph of `nx run-many -t <target> -p <projects>`, plus a task of another target that does not count. */
function taskGraph(projects: string[], target: string): NonNullable<ExecutorContext['taskGraph']> {
  const task = (project: string, name: string) => ({ id: `${project}:${name}`, target: { project, target: name }, overrides: {}, outputs: [], parallelism: true });
  const tasks = Object.fromEntries([...projects.map((project) => task(project, target)), task('tool', 'build')].map((entry) => [entry.id, entry]));
  return { roots: Object.keys(tasks), tasks, dependencies: Object.fromEntries(Object.keys(tasks).map((id) => [id, []])) } as unknown as NonNullable<ExecutorContext['taskGraph']>;
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
    assert.deepEqual(planRun({ watchFolders: ['fixtures', 'libs/lib-a'] }, context('other')).args, ['--watch', 'fixtures', '--watch', 'libs/lib-a', 'libs/other']);
  });

  test("Jest's and Vitest's options: watch true or false, testNamePattern, and a test file relative to the project or the workspace", () => {
    assert.deepEqual(planRun({ watch: true }, context('other')).args, ['--forever', 'libs/other']);
    assert.deepEqual(planRun({ watch: false, testNamePattern: 'adds' }, context('other')).args, ['--once', '--grep', 'adds', 'libs/other']);
    assert.deepEqual(planRun({ testFile: 'src/x.test.ts' }, context('other')).args, ['libs/other/src/x.test.ts']);
    assert.deepEqual(planRun({ testFile: './src/x.test.ts' }, context('other')).args, ['libs/other/src/x.test.ts']);
    assert.deepEqual(planRun({ testFile: 'libs/other/src/x.test.ts' }, context('other')).args, ['libs/other/src/x.test.ts']);
    assert.deepEqual(planRun({ debugTiming: true, nodeArg: ['--inspect'], exclude: ['tool'] }, context('other')).args, ['--exclude', 'tool', '--node-arg', '--inspect', '--debug-timing', 'libs/other']);
  });

  test("a watching run-many runs every project's tests in the first project's task; the others end at once", () => {
    const run = (projectName: string, options = {}) => planRun(options, { ...context(projectName), targetName: 'cctrial', taskGraph: taskGraph(['other', 'app', 'lib-b'], 'cctrial') });
    assert.deepEqual(run('app').args, ['--watch', 'libs/lib-a', 'apps/app', 'libs/lib-b', 'libs/other']);
    assert.equal(run('app').ranBy, undefined);
    assert.equal(run('other').ranBy, 'app');
    assert.deepEqual(run('other').args, []);
    // One shot: each task runs its own project, as any one-shot target does.
    assert.deepEqual(run('other', { once: true }).args, ['--once', 'libs/other']);
    assert.equal(run('other', { watch: false }).ranBy, undefined);
  });

  test('a project missing from the graph is an error that names it', () => {
    assert.throws(() => planRun({}, context('ghost')), /no project "ghost"/);
    // One option under two names: a difference is a mistake, never "the last one wins".
    assert.throws(() => planRun({ grep: 'adds', testNamePattern: 'subtracts' }, context('other')), /grep \("adds"\) and testNamePattern \("subtracts"\) are one option under two names/);
    assert.deepEqual(planRun({ grep: 'adds', testNamePattern: 'adds' }, context('other')).args, ['--grep', 'adds', 'libs/other']);
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
