/**
 * The Nx plugin's story, the same on every fixture: init registers the plugin, the inferred target
 * appears where node:test tests are, `nx run <app>:cctrial --once` runs app's tests only,
 * --with-deps adds the dependency's, Jest's options work, run-many runs one cctrial, and watching
 * (the default) re-runs on a change in the linked library.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { groupSignatures, runEnd, testedFiles } from './expect.js';
import { NX, type NxInstall } from './paths.js';
import { run, startLive } from './run.js';

export interface NxFixture {
  /** The installed fixture's root; called once the fixture exists. */
  root(): string;
  app: { name: string; testFiles: string[]; tests: number };
  lib: { name: string; testFiles: string[]; source: string; sourceAfterEdit: string };
  /** A project whose *.test.* files are not node:test tests. */
  notNodeTest?: string;
  /** The Nx that drives the fixture (default: the latest, the root's). */
  nx?: NxInstall;
}

export function nxPluginTests(fixture: NxFixture): void {
  const bin = (fixture.nx ?? NX.latest).bin;
  const nx = (root: string, ...args: string[]) => run(bin, args, root);

  test('nx g @cctrial/nx:init registers the plugin in nx.json; running it again changes nothing', async () => {
    const root = fixture.root();
    const first = await nx(root, 'g', '@cctrial/nx:init');
    assert.equal(first.code, 0, first.stdout + first.stderr);
    const nxJson = readFileSync(path.join(root, 'nx.json'), 'utf8');
    assert.deepEqual(JSON.parse(nxJson).plugins, [{ plugin: '@cctrial/nx', options: { targetName: 'cctrial', ciTargetName: 'cctrial-ci' } }]);
    const second = await nx(root, 'g', '@cctrial/nx:init');
    assert.equal(second.code, 0, second.stdout + second.stderr);
    assert.equal(readFileSync(path.join(root, 'nx.json'), 'utf8'), nxJson);
  });

  test('the inferred cctrial target is on every project with node:test tests, never cached', async () => {
    const root = fixture.root();
    for (const name of [fixture.app.name, fixture.lib.name]) {
      const shown = await nx(root, 'show', 'project', name, '--json');
      assert.equal(shown.code, 0, shown.stdout + shown.stderr);
      const target = (JSON.parse(shown.stdout) as { targets: Record<string, { executor?: string; cache?: boolean; continuous?: boolean }> }).targets.cctrial;
      assert.equal(target?.executor, '@cctrial/nx:cctrial', `${name}: ${shown.stdout}`);
      assert.equal(target?.cache, false);
      assert.notEqual(target?.continuous, true);
    }
    const withTarget = await nx(root, 'show', 'projects', '--with-target', 'cctrial', '--json');
    const projects = (JSON.parse(withTarget.stdout) as string[]).sort();
    assert.deepEqual(projects, [fixture.app.name, fixture.lib.name].sort());
    if (fixture.notNodeTest) assert.ok(!projects.includes(fixture.notNodeTest));
  });

  test(`nx run <app>:cctrial --once runs only the app's own tests, and succeeds`, async () => {
    const result = await nx(fixture.root(), 'run', `${fixture.app.name}:cctrial`, '--once', '--json', '--no-notify');
    assert.equal(result.code, 0, result.stdout + result.stderr);
    assert.deepEqual(testedFiles(result.events), fixture.app.testFiles);
    assert.equal(runEnd(result.events)?.passed, fixture.app.tests);
  });

  test("--with-deps also runs the linked library's tests, with the failures grouped in one run", async () => {
    const result = await nx(fixture.root(), 'run', `${fixture.app.name}:cctrial`, '--once', '--with-deps', '--json', '--no-notify');
    assert.equal(result.code, 1, result.stdout + result.stderr);
    assert.deepEqual(testedFiles(result.events), [...fixture.app.testFiles, ...fixture.lib.testFiles].sort());
    const signatures = groupSignatures(result.events);
    assert.equal(signatures.length, 1, signatures.join('\n'));
    assert.match(signatures[0]!, /lib-a is broken on purpose/);
  });

  test("Jest's and Vitest's options: a positional test file, relative to the project or the workspace, --test-name-pattern, and any cctrial flag", async () => {
    const root = fixture.root();
    const [file] = fixture.lib.testFiles;
    const shown = await nx(root, 'show', 'project', fixture.lib.name, '--json');
    const projectRoot = (JSON.parse(shown.stdout) as { root: string }).root;
    const pattern = path.basename(file!).split('.')[0]!;
    for (const typed of [path.posix.relative(projectRoot, file!), file!]) {
      const result = await nx(root, 'run', `${fixture.lib.name}:cctrial`, typed, `--test-name-pattern=${pattern}`, '--debug-timing', '--once', '--json', '--no-notify');
      assert.equal(result.code, 0, result.stdout + result.stderr);
      assert.deepEqual(testedFiles(result.events), [file], typed);
      assert.ok(result.events.some((event) => event.type === 'timing'), 'the timing event of --debug-timing');
    }
    const once = await nx(root, 'run', `${fixture.app.name}:cctrial`, '--watch=false', '--json', '--no-notify');
    assert.equal(once.code, 0, once.stdout + once.stderr);
    assert.deepEqual(testedFiles(once.events), fixture.app.testFiles);
  });

  test('nx run-many -t cctrial --parallel=1 runs every project in one cctrial that keeps watching, none left waiting for a slot', async () => {
    const root = fixture.root();
    // Without the terminal UI, Nx shows a run-many task's output only when it ends, unless it streams.
    const live = startLive(bin, ['run-many', '-t', 'cctrial', '--parallel=1', '--outputStyle=stream', '--json', '--no-notify'], root);
    try {
      await live.waitFor((event) => event.type === 'idle', 'idle after the suite and the fix run');
      assert.deepEqual(testedFiles(live.events), [...fixture.app.testFiles, ...fixture.lib.testFiles].sort());
      const suites = live.events.filter((event) => event.type === 'run:start' && event.phase === 'suite');
      assert.equal(suites.length, 1, 'one cctrial, one suite run');
    } finally {
      await live.stop();
    }
  });

  test("watching is the default under nx, and a change in the linked library re-runs the app's tests", async () => {
    const root = fixture.root();
    const live = startLive(bin, ['run', `${fixture.app.name}:cctrial`, '--json', '--no-notify'], root);
    try {
      await live.waitFor((event) => event.type === 'idle', 'idle after the first suite');
      assert.deepEqual(testedFiles(live.events), fixture.app.testFiles);
      const mark = live.events.length;
      writeFileSync(path.join(root, fixture.lib.source), fixture.lib.sourceAfterEdit);
      const change = await live.waitFor((event) => event.type === 'change', 'the change event', mark);
      assert.deepEqual(change.files, [fixture.lib.source]);
      const start = await live.waitFor((event) => event.type === 'run:start', 'a run after the change', mark);
      assert.equal(start.phase, 'suite');
      const end = await live.waitFor((event) => event.type === 'run:end', 'the end of that run', mark);
      assert.equal(end.passed, fixture.app.tests);
      assert.equal(end.failed, 0);
    } finally {
      await live.stop();
    }
  });

  test('nx run <app>:cctrial-ci runs once and is cached: the second run replays the first, and a change in the library runs it again', async () => {
    const root = fixture.root();
    const args = ['run', `${fixture.app.name}:cctrial-ci`, '--json', '--no-notify'];
    const first = await nx(root, ...args);
    assert.equal(first.code, 0, first.stdout + first.stderr);
    assert.deepEqual(testedFiles(first.events), fixture.app.testFiles);
    const second = await nx(root, ...args);
    assert.equal(second.code, 0, second.stdout + second.stderr);
    assert.match(second.stdout, /Nx read the output from the cache/, 'the second run comes from the cache');
    assert.deepEqual(testedFiles(second.events), fixture.app.testFiles, 'the replayed output is the first run\'s');
    const source = path.join(root, fixture.lib.source);
    writeFileSync(source, readFileSync(source, 'utf8') + '\n// another edit\n');
    const third = await nx(root, ...args);
    assert.equal(third.code, 0, third.stdout + third.stderr);
    assert.doesNotMatch(third.stdout, /Nx read the output from the cache/, "a change in a dependency's source is a cache miss");
  });

  test("the tested projects are cached in Nx's workspace data, and a project whose first test appears gets its targets on the next command", async () => {
    const root = fixture.root();
    const withTarget = async () => JSON.parse((await nx(root, 'show', 'projects', '--with-target', 'cctrial', '--json')).stdout) as string[];
    assert.ok(!(await withTarget()).includes('late'));
    assert.ok(existsSync(path.join(root, '.nx/workspace-data/cctrial-tested-projects.json')));
    mkdirSync(path.join(root, 'late'));
    try {
      writeFileSync(path.join(root, 'late/project.json'), JSON.stringify({ name: 'late' }));
      assert.ok(!(await withTarget()).includes('late'), 'no tests yet');
      writeFileSync(path.join(root, 'late/late.test.js'), "require('node:test')('late', () => {});\n");
      assert.ok((await withTarget()).includes('late'));
    } finally {
      rmSync(path.join(root, 'late'), { recursive: true, force: true });
    }
  });
}
