import assert from 'node:assert/strict';
import { mkdirSync, symlinkSync } from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import type { ProjectGraph } from '@nx/devkit';
import { childPids, contextFor, startExecutor, type CctrialEvent } from '../helpers/executor-run';
import { json, writeFolder } from '../helpers/workspace';

/** An npm workspace: app depends on lib-a; app's test passes; lib-a has one passing and one failing test. */
function workspace(): { root: string; graph: ProjectGraph } {
  const root = writeFolder({
    'package.json': json({ name: 'ws', private: true, workspaces: ['packages/*'] }),
    'packages/lib-a/package.json': json({ name: '@ws/lib-a', type: 'module', exports: './index.js' }),
    'packages/lib-a/index.js': 'export const add = (a, b) => a + b;\n',
    'packages/lib-a/test/add.test.js': "import { test } from 'node:test';\nimport assert from 'node:assert';\nimport { add } from '../index.js';\ntest('adds', () => assert.equal(add(1, 2), 3));\n",
    'packages/lib-a/test/fails-on-purpose.test.js': "import { test } from 'node:test';\ntest('fails on purpose', () => { throw new Error('lib-a is broken on purpose'); });\n",
    'packages/app/package.json': json({ name: '@ws/app', type: 'module', dependencies: { '@ws/lib-a': '*' } }),
    'packages/app/test/app.test.js': "import { test } from 'node:test';\nimport assert from 'node:assert';\nimport { add } from '@ws/lib-a';\ntest('app adds through lib-a', () => assert.equal(add(2, 2), 4));\n",
  });
  mkdirSync(path.join(root, 'node_modules/@ws'), { recursive: true });
  symlinkSync('../../packages/lib-a', path.join(root, 'node_modules/@ws/lib-a'), 'dir');
  const node = (name: string, projectRoot: string) => ({ name, type: 'lib' as const, data: { root: projectRoot } });
  const graph = {
    nodes: { '@ws/app': node('@ws/app', 'packages/app'), '@ws/lib-a': node('@ws/lib-a', 'packages/lib-a') },
    externalNodes: {},
    dependencies: { '@ws/app': [{ source: '@ws/app', target: '@ws/lib-a', type: 'static' }], '@ws/lib-a': [] },
  } as ProjectGraph;
  return { root, graph };
}

const testedFiles = (events: CctrialEvent[]) => [...new Set(events.filter((event) => event.type.startsWith('test:') && event.type !== 'test:start').map((event) => event.file))].sort();

describe('the cctrial executor, with the real cctrial CLI', () => {
  test("runs only the project's own tests and succeeds when they pass", async () => {
    const { root, graph } = workspace();
    const run = startExecutor({ once: true, json: true, notify: false }, contextFor(root, '@ws/app', graph));
    const { result, code } = await run.done;
    assert.deepEqual(result, { success: true });
    assert.equal(code, 0);
    assert.deepEqual(testedFiles(run.events), ['packages/app/test/app.test.js']);
  });

  test("withDeps runs the dependencies' tests too, and fails with their failures grouped in the same run", async () => {
    const { root, graph } = workspace();
    const run = startExecutor({ once: true, json: true, notify: false, withDeps: true }, contextFor(root, '@ws/app', graph));
    const { result } = await run.done;
    assert.deepEqual(result, { success: false });
    assert.deepEqual(testedFiles(run.events), ['packages/app/test/app.test.js', 'packages/lib-a/test/add.test.js', 'packages/lib-a/test/fails-on-purpose.test.js']);
    const groups = run.events.find((event) => event.type === 'groups') as { groups: Array<{ signature: string; count: number }> } | undefined;
    assert.equal(groups?.groups.length, 1);
    assert.match(groups!.groups[0]!.signature, /lib-a is broken on purpose/);
  });

  test('a SIGTERM sent to the executor alone stops cctrial, and the executor reports the run as failed', async () => {
    const { root, graph } = workspace();
    const run = startExecutor({ forever: true, json: true, notify: false }, contextFor(root, '@ws/app', graph));
    await run.waitFor((event) => event.type === 'idle', 'the idle event after the first green suite');
    const [cctrialPid] = childPids(run.child.pid!);
    assert.ok(cctrialPid, 'the executor should have one child: cctrial');
    run.child.kill('SIGTERM');
    const { result, code } = await run.done;
    assert.deepEqual(result, { success: false });
    assert.equal(code, 0);
    assert.throws(() => process.kill(cctrialPid, 0), { code: 'ESRCH' }, `cctrial (pid ${cctrialPid}) outlived the executor`);
  });
});
