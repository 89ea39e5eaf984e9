/**
 * Shared processes (isolation `none`): several files of a project in one child, one after another.
 * Their verdicts are compared with a run of the same files, each in a process of its own: sharing
 * must never change one. Each test file appends its process id to a file, to see who ran where.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { defaultSettings, type Isolation } from '../../src/config/settings.js';
import type { RunReport } from '../../src/runner/test-runner.js';
import { TestRunner } from '../../src/runner/test-runner.js';
import { testFilesOf } from '../helpers/fixtures.js';
import { writeWorkspace } from '../helpers/workspace.js';

const recordPid = (name: string) => `import { appendFileSync } from 'node:fs';\nappendFileSync(new URL('../pids.txt', import.meta.url), \`\${process.pid} ${name}\\n\`);\n`;

const FILES: Record<string, string> = {
  'package.json': JSON.stringify({ name: 'shared-fixture', type: 'module' }),
  'lib.js': 'export let count = 0;\nexport const bump = () => ++count;\n',
  'test/a.test.js': `${recordPid('a')}import { test } from 'node:test';\nimport { bump } from '../lib.js';\ntest('a bumps', () => { bump(); });\n`,
  'test/b.test.js': `${recordPid('b')}import { test } from 'node:test';\nimport assert from 'node:assert/strict';\nimport { bump } from '../lib.js';\ntest('b waits', async () => { await new Promise((resolve) => setTimeout(resolve, 20)); assert.ok(bump() >= 1); });\n`,
  'test/exit.test.js': `${recordPid('exit')}import { test } from 'node:test';\ntest('exits', () => { process.exit(0); });\n`,
  'test/fail.test.js': `${recordPid('fail')}import { test } from 'node:test';\nimport assert from 'node:assert/strict';\ntest('fails', () => { assert.equal(1, 2); });\ntest('passes beside it', () => {});\n`,
  'test/late.test.js': `${recordPid('late')}import { describe, test } from 'node:test';\ndescribe('suite', () => { test('inner', async () => { await new Promise((resolve) => setTimeout(resolve, 10)); }); });\nsetTimeout(() => test('declared later', () => {}), 30);\n`,
  'test/none.test.js': `${recordPid('none')}export const helper = 1;\n`,
  'test/syntax.test.js': `import { test } from 'node:test';\ntest('broken', () => { );\n`,
  'test/z.test.cjs': `const { test } = require('node:test');\nconst assert = require('node:assert/strict');\nrequire('node:fs').appendFileSync(require('node:path').join(__dirname, '../pids.txt'), process.pid + ' z\\n');\ntest('is the main module', () => assert.equal(require.main, module));\n`,
};
const TEST_FILES = Object.keys(FILES).filter((file) => /\.test\.c?js$/.test(file)).sort();

async function runWith(isolation: Isolation, updateSnapshots = false): Promise<{ report: RunReport; pids: Map<string, string[]> }> {
  const root = writeWorkspace(FILES);
  const runner = new TestRunner({
    root,
    jobs: 1,
    updateSnapshots,
    silenceLimitMs: 30_000,
    settingsOf: (file) => ({ ...defaultSettings({ name: file.project, root }), isolation }),
  });
  const report = await runner.runFiles(testFilesOf(root, TEST_FILES));
  const pids = new Map<string, string[]>();
  for (const line of readFileSync(path.join(root, 'pids.txt'), 'utf8').trim().split('\n')) {
    const [pid, name] = line.split(' ') as [string, string];
    pids.set(name, [...(pids.get(name) ?? []), pid]);
  }
  return { report, pids };
}

const verdicts = (report: RunReport) =>
  report.results.map((result) => `${result.id.file} › ${result.id.path.join(' › ')} = ${result.outcome}${result.error ? `: ${result.error.type}: ${result.error.message.split('\n')[0]}` : ''}`).sort();

describe('shared processes', () => {
  it('give every file the verdict it gets in a process of its own', async () => {
    const [alone, shared] = [await runWith('process'), await runWith('none')];
    assert.deepEqual(verdicts(shared.report), verdicts(alone.report));
    assert.ok(verdicts(alone.report).some((line) => line.includes('fail.test.js › fails = failure')), 'the fixture has a failing test');
  });

  it('run clean files in one process, and run again alone each file that is not clean there', async () => {
    const { pids } = await runWith('none');
    // One worker: the files before the exit share its process; those after it run in the next one.
    assert.equal(pids.get('a')!.length, 1);
    assert.deepEqual(pids.get('b'), pids.get('a'), 'b ran in the process a ran in');
    assert.equal(pids.get('exit')!.length, 2, 'the file that exited ran shared, then alone');
    assert.notEqual(pids.get('exit')![1], pids.get('a')![0]);
    assert.equal(pids.get('fail')!.length, 2, 'the failing file ran shared, then alone');
    assert.notEqual(pids.get('fail')![0], pids.get('fail')![1]);
    assert.equal(pids.get('late')![0], pids.get('fail')![0], 'the files after a failing one go on in the same process');
    assert.equal(pids.get('none')![0], pids.get('late')![0]);
    assert.equal(pids.get('z')!.length, 1);
    assert.equal(pids.get('z')![0], pids.get('late')![0]);
  });

  const [major = 0, minor = 0] = process.versions.node.split('.').map(Number);
  const snapshots = major > 22 || (major === 22 && minor >= 3) ? false : 'snapshots need Node 22.3';
  it('are not used while snapshots are updated: node:test would write them for the first file only', { skip: snapshots }, async () => {
    const { pids } = await runWith('none', true);
    assert.notDeepEqual(pids.get('b'), pids.get('a'));
  });

  it("report each file's own modules, those an earlier file loaded included", async () => {
    const { report } = await runWith('none');
    const modulesOf = (name: string) => report.fileRuns.find((run) => run.file === `test/${name}`)!.modules!.map((file) => path.basename(file)).sort();
    assert.deepEqual(modulesOf('a.test.js'), ['a.test.js', 'lib.js']);
    assert.deepEqual(modulesOf('b.test.js'), ['b.test.js', 'lib.js'], 'lib.js was loaded by a, in the same process');
    assert.deepEqual(modulesOf('late.test.js'), ['late.test.js']);
  });
});
