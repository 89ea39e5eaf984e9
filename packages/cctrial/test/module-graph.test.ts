/** ModuleGraph: which test files loaded which files, replaced by complete runs, merged by partial ones; and the Engine feeding it. */
import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, it } from 'node:test';
import { ModuleGraph } from '../src/module-graph.js';
import type { FileRun } from '../src/results/types.js';
import { runEngineSuite, writePackage } from './helpers/fixtures.js';

const ROOT = '/ws';

function run(file: string, modules: string[] | undefined, extra: Partial<FileRun> = {}): FileRun {
  return {
    project: 'p',
    file,
    results: [],
    stdout: '',
    stderr: '',
    diagnostics: [],
    exitCode: 0,
    signal: null,
    durationMs: 1,
    aborted: false,
    ...(modules ? { modules: modules.map((module) => path.join(ROOT, module)) } : {}),
    ...extra,
  };
}
const at = (relative: string) => path.join(ROOT, relative);

describe('ModuleGraph', () => {
  it('answers which test files imported a file', () => {
    const graph = new ModuleGraph();
    graph.update(run('a.test.js', ['a.test.js', 'src/shared.js', 'src/a.js']), ROOT);
    graph.update(run('b.test.js', ['b.test.js', 'src/shared.js']), ROOT);
    assert.deepEqual(graph.importers(at('src/shared.js')).sort(), [at('a.test.js'), at('b.test.js')]);
    assert.deepEqual(graph.importers(at('src/a.js')), [at('a.test.js')]);
    assert.equal(graph.isImported(at('src/a.js')), true);
    assert.equal(graph.isImported(at('out/log.txt')), false);
    assert.deepEqual(graph.importers(at('out/log.txt')), []);
    assert.equal(graph.size, 2);
  });

  it('replaces a test file’s entry after a complete run: a file it no longer imports drops out', () => {
    const graph = new ModuleGraph();
    graph.update(run('a.test.js', ['a.test.js', 'src/old.js', 'src/kept.js']), ROOT);
    graph.update(run('a.test.js', ['a.test.js', 'src/kept.js', 'src/new.js']), ROOT);
    assert.equal(graph.isImported(at('src/old.js')), false);
    assert.deepEqual(graph.importers(at('src/new.js')), [at('a.test.js')]);
    assert.deepEqual(graph.importers(at('src/kept.js')), [at('a.test.js')]);
  });

  it('merges a partial or cancelled run: code that did not run this time may still be imported', () => {
    const graph = new ModuleGraph();
    graph.update(run('a.test.js', ['a.test.js', 'src/late.js']), ROOT);
    graph.update(run('a.test.js', ['a.test.js', 'src/other.js'], { modulesPartial: true }), ROOT);
    graph.update(run('a.test.js', ['a.test.js', 'src/third.js'], { aborted: true }), ROOT);
    for (const file of ['src/late.js', 'src/other.js', 'src/third.js']) assert.equal(graph.isImported(at(file)), true, file);
  });

  it('keeps what it knew when a run reported nothing (a killed child)', () => {
    const graph = new ModuleGraph();
    graph.update(run('a.test.js', ['a.test.js', 'src/a.js']), ROOT);
    graph.update(run('a.test.js', undefined, { signal: 'SIGKILL', exitCode: null }), ROOT);
    assert.equal(graph.isImported(at('src/a.js')), true);
    graph.update(run('b.test.js', undefined), ROOT);
    assert.equal(graph.size, 1);
  });

  it('forgets a test file, and only its share of shared files', () => {
    const graph = new ModuleGraph();
    graph.update(run('a.test.js', ['a.test.js', 'src/shared.js', 'src/a.js']), ROOT);
    graph.update(run('b.test.js', ['b.test.js', 'src/shared.js']), ROOT);
    graph.forget(at('a.test.js'));
    graph.forget(at('missing.test.js'));
    assert.equal(graph.isImported(at('src/a.js')), false);
    assert.deepEqual(graph.importers(at('src/shared.js')), [at('b.test.js')]);
    assert.equal(graph.size, 1);
  });
});

describe('Engine: the module graph', () => {
  it('is fed by every run', async () => {
    const root = writePackage({
      'src/used.js': 'export const used = 1;\n',
      'src/unused.js': 'export const unused = 2;\n',
      'test/used.test.js': "import { test } from 'node:test';\nimport { used } from '../src/used.js';\ntest('uses', () => used);\n",
    });
    const { engine } = await runEngineSuite(['--once'], root);
    assert.deepEqual(engine.moduleGraph.importers(path.join(root, 'src/used.js')), [path.join(root, 'test/used.test.js')]);
    assert.equal(engine.moduleGraph.isImported(path.join(root, 'src/unused.js')), false);
  });
});
