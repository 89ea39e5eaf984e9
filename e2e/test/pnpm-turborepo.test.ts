import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { before, describe, test } from 'node:test';
import { testedFiles } from '../src/expect.js';
import { readJson, writeFixture } from '../src/fixture.js';
import { LIB_A_SOURCE_JS, pnpmTurborepo, TURBO_JSON } from '../src/fixtures.js';
import { pnpmInstallPacked } from '../src/install.js';
import { nxPluginTests } from '../src/nx-scenario.js';
import { BIN } from '../src/paths.js';
import { run, startLive } from '../src/run.js';

const APP_TESTS = ['packages/app/test/app.test.js'];

describe('a pnpm Turborepo: the Nx plugin, cctrial init and turbo run cctrial', () => {
  const root = writeFixture('pnpm-turbo', pnpmTurborepo());
  const tools = writeFixture('pnpm-turbo-tools', { 'package.json': '{ "name": "tools", "private": true }\n' });
  before(() => pnpmInstallPacked(root, tools));

  test('pnpm linked the workspace package', async () => {
    const result = await run(BIN.pnpm, ['list', '--recursive', '--depth=0', '--json'], root);
    assert.equal(result.code, 0, result.stderr);
    const listed = JSON.parse(result.stdout) as Array<{ name: string; dependencies?: Record<string, { version: string }> }>;
    assert.equal(listed.find((entry) => entry.name === '@ws/app')?.dependencies?.['@ws/lib-a']?.version, 'link:../lib-a');
  });

  describe('the Nx plugin (nx g @cctrial/nx:init creates nx.json)', () => {
    nxPluginTests({
      root: () => root,
      app: { name: '@ws/app', testFiles: APP_TESTS, tests: 1 },
      lib: {
        name: '@ws/lib-a',
        testFiles: ['packages/lib-a/test/add.test.js', 'packages/lib-a/test/fails-on-purpose.test.js'],
        source: 'packages/lib-a/index.js',
        sourceAfterEdit: `// edited under nx\n${LIB_A_SOURCE_JS}`,
      },
    });
  });

  describe('Turborepo', () => {
    test('cctrial init adds the cctrial task to turbo.json (not cached, persistent), keeping its comments and layout byte for byte, and a script to each tested package', async () => {
      assert.equal(readFileSync(path.join(root, 'turbo.json'), 'utf8'), TURBO_JSON);
      const result = await run(path.join(root, 'node_modules/.bin/cctrial'), ['init'], root);
      assert.equal(result.code, 0, result.stdout + result.stderr);
      // Only the edit itself: a comma after the property before it, and the new property.
      const edited = TURBO_JSON.replace(
        '    "build": { "outputs": ["dist/**"] } // keep me\n',
        '    "build": { "outputs": ["dist/**"] }, // keep me\n    "cctrial": {\n      "cache": false,\n      "persistent": true\n    }\n',
      );
      assert.equal(readFileSync(path.join(root, 'turbo.json'), 'utf8'), edited);
      for (const folder of ['app', 'lib-a']) {
        assert.equal(readJson<{ scripts: Record<string, string> }>(root, `packages/${folder}/package.json`).scripts.cctrial, 'cctrial', folder);
      }
    });

    test(
      "turbo run cctrial --filter=@ws/app -- --once runs only the app's own tests",
      async () => {
        const result = await run(BIN.turbo, ['run', 'cctrial', '--filter=@ws/app', '--log-prefix=none', '--', '--once', '--json', '--no-notify'], root);
        assert.deepEqual(testedFiles(result.events), APP_TESTS, result.stdout + result.stderr);
        assert.equal(result.code, 0, result.stdout + result.stderr);
      },
    );

    test('under turbo run, cctrial keeps watching by default, and a change in the linked library triggers a re-run', async () => {
      const live = startLive(BIN.turbo, ['run', 'cctrial', '--filter=@ws/app', '--log-prefix=none', '--', '--json', '--no-notify'], root);
      try {
        // Green, it waits (idle); while lib-a's test fails on purpose, it waits for a fix (fix). Either way it watches.
        await live.waitFor((event) => event.type === 'idle' || event.type === 'fix', 'the loop waiting for a change');
        const mark = live.events.length;
        writeFileSync(path.join(root, 'packages/lib-a/index.js'), `// edited under turbo\n${LIB_A_SOURCE_JS}`);
        const change = await live.waitFor((event) => event.type === 'change', 'the change event', mark);
        assert.deepEqual(change.files, ['packages/lib-a/index.js']);
        await live.waitFor((event) => event.type === 'run:start', 'a run after the change', mark);
      } finally {
        await live.stop();
      }
    });

    test('nx g @cctrial/nx:init then warns that the new package scripts take the cctrial target name over', async () => {
      const result = await run(BIN.nx, ['g', '@cctrial/nx:init'], root);
      assert.equal(result.code, 0, result.stdout + result.stderr);
      assert.match(result.stdout + result.stderr, /@ws\/app, @ws\/lib-a have a "cctrial" script in package\.json/);
      const shown = await run(BIN.nx, ['show', 'project', '@ws/app', '--json'], root);
      assert.equal((JSON.parse(shown.stdout) as { targets: Record<string, { executor: string }> }).targets.cctrial?.executor, 'nx:run-script');
    });
  });
});
