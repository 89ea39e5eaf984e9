/**
 * The watcher never fools itself: the real CLI, a real git repository, a real native watcher and
 * real children. Tests that write into their own package (git-ignored or not) never start a run;
 * the user's edits do, once each; packages that come and go while watching are picked up.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import type { CctrialEvent } from '../../src/events.js';
import { MAX_FOLLOWED_WRITES } from '../../src/loop.js';
import { startCli } from '../helpers/live-cli.js';
import { writeNpmMonorepo } from '../helpers/workspace.js';
import { is, ofType, TEST_HEADER } from './loop-helpers.js';

const JOBS = ['-j', '2'];
const QUIET_MS = 10_000;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** What real tests write into their own package: a session store in a git-ignored tmp/, a sqlite file, a log, an output folder, files made and removed. */
const WRITES =
  "import { appendFileSync, mkdirSync, writeFileSync, rmSync } from 'node:fs';\n" +
  "const here = new URL('..', import.meta.url).pathname;\n" +
  'function writeLikeRealTests() {\n' +
  "  mkdirSync(here + 'tmp/sessions', { recursive: true });\n" +
  "  writeFileSync(here + 'tmp/sessions/s1.json', JSON.stringify({ at: Date.now() }));\n" +
  "  writeFileSync(here + 'db.sqlite', String(Date.now()));\n" +
  "  appendFileSync(here + 'debug.log', 'ran at ' + Date.now() + '\\n');\n" +
  "  mkdirSync(here + 'storage/out', { recursive: true });\n" +
  "  writeFileSync(here + 'storage/out/' + Date.now() + '.json', '{}');\n" +
  "  writeFileSync(here + 'scratch.json', '{}');\n" +
  "  rmSync(here + 'scratch.json');\n" +
  '}\n';

function writeWritingMonorepo(): string {
  const root = writeNpmMonorepo({
    lib: { name: '@fx/lib', files: { 'index.js': 'export const answer = () => 42;\n' } },
    app: {
      name: '@fx/app',
      dependencies: ['@fx/lib'],
      files: {
        'test/answer.test.js': TEST_HEADER + "import { answer } from '@fx/lib';\n" + WRITES + "test('answers', () => { writeLikeRealTests(); assert.equal(answer(), 42); });\n",
      },
    },
    broken: {
      name: '@fx/broken',
      files: {
        'index.js': "export const half = (n) => n / 3;\n",
        'test/half.test.js': TEST_HEADER + "import { half } from '@fx/broken';\n" + WRITES + "test('halves', () => { writeLikeRealTests(); assert.equal(half(4), 2); });\n",
      },
    },
  });
  writeFileSync(path.join(root, '.gitignore'), 'node_modules/\ntmp/\n');
  execFileSync('git', ['init', '-q'], { cwd: root });
  return root;
}

describe('the watcher, end to end', () => {
  test(`tests that write into their own package leave cctrial idle for ${QUIET_MS / 1000} s, and one save gives exactly one run`, async () => {
    const root = writeWritingMonorepo();
    const cli = startCli(['-f', ...JOBS], { cwd: root });
    try {
      await cli.waitFor(is('idle'), { what: 'waiting for the fix of the broken package' });
      // Suite, then the fix: both wrote their files while they ran.
      assert.deepEqual(ofType(cli.events, 'run:start').map((event) => event.phase), ['suite', 'fix']);
      const mark = cli.events.length;
      await sleep(QUIET_MS);
      assert.deepEqual(ofType(cli.events, 'run:start', mark), [], `runs with no edit: ${JSON.stringify(cli.events.slice(mark))}`);
      assert.deepEqual(ofType(cli.events, 'change', mark), []);

      // A save of the module under fix: one fix run, which writes again and starts nothing more.
      writeFileSync(path.join(root, 'packages/broken/index.js'), 'export const half = (n) => n / 4;\n');
      await cli.waitFor(is('idle'), { from: mark, what: 'waiting again after the save' });
      await sleep(2_000);
      const afterSave = JSON.stringify(cli.events.slice(mark).filter((event) => !event.type.startsWith('test:')));
      assert.deepEqual(ofType(cli.events, 'run:start', mark).map((event) => event.phase), ['fix'], afterSave);
      assert.deepEqual(ofType(cli.events, 'change', mark).map((event) => event.files), [['packages/broken/index.js']], afterSave);
    } finally {
      await cli.stop();
    }
  });

  test('a package added, renamed and deleted while watching: its tests run in the next suite, under its new name, then no more', async () => {
    const root = writeNpmMonorepo({ lib: { name: '@fx/lib', files: { 'test/lib.test.js': TEST_HEADER + "test('lib works', () => {});\n" } } });
    const cli = startCli(['-f', ...JOBS], { cwd: root });
    const testsOf = (from: number) => ofType(cli.events, 'test:pass', from).concat(ofType(cli.events, 'test:fail', from) as never[]).map((event) => `${event.project} ${event.file}`).sort();
    try {
      await cli.waitFor(is('idle'), { what: 'the first green suite' });
      const afterAdd = cli.events.length;
      mkdirSync(path.join(root, 'packages/added/test'), { recursive: true });
      writeFileSync(path.join(root, 'packages/added/test/added.test.js'), TEST_HEADER + "test('added fails', () => assert.fail('new package is broken'));\n");
      writeFileSync(path.join(root, 'packages/added/package.json'), JSON.stringify({ name: '@fx/added', type: 'module' }));
      await cli.waitFor(is('run:end', (event) => event.phase === 'suite'), { from: afterAdd, what: 'the suite with the new package' });
      assert.deepEqual(testsOf(afterAdd), ['@fx/added packages/added/test/added.test.js', '@fx/lib packages/lib/test/lib.test.js']);
      await cli.waitFor(is('idle'), { from: afterAdd, what: 'fixing the new package' });

      const afterRename = cli.events.length;
      // A folder renamed, as `mv` or a file manager does: the package.json inside is not written at all.
      renameSync(path.join(root, 'packages/added'), path.join(root, 'packages/renamed'));
      await cli.waitFor(is('run:end', (event) => event.phase === 'suite'), { from: afterRename, what: 'the suite after the rename' });
      // The fix run first finds its target gone; the suite then runs the package where it is now.
      const suiteStart = cli.events.findIndex((event, index) => index >= afterRename && event.type === 'run:start' && event.phase === 'suite');
      assert.deepEqual(testsOf(suiteStart), ['@fx/added packages/renamed/test/added.test.js', '@fx/lib packages/lib/test/lib.test.js']);
      await cli.waitFor(is('idle'), { from: afterRename, what: 'fixing the renamed package' });

      const afterDelete = cli.events.length;
      rmSync(path.join(root, 'packages/renamed'), { recursive: true });
      await cli.waitFor(is('idle'), { from: afterDelete, what: 'green again without the package' });
      const lastSuite = ofType(cli.events, 'run:end', afterDelete).filter((event) => event.phase === 'suite').at(-1);
      assert.deepEqual([lastSuite?.passed, lastSuite?.failed, lastSuite?.errors], [1, 0, 0]);
    } finally {
      await cli.stop();
    }
  });
});

describe('the loop is bounded', () => {
  test(`tests that rewrite a module they import start at most ${MAX_FOLLOWED_WRITES} more runs, then cctrial names the file and waits`, async () => {
    // A test that regenerates a fixture it imports: each run changes code that the next run reads.
    const root = writeNpmMonorepo({
      app: {
        name: '@fx/app',
        files: {
          'test/generated.js': 'export const stamp = 0;\n',
          'test/stamp.test.js':
            TEST_HEADER +
            "import { writeFileSync } from 'node:fs';\nimport { stamp } from './generated.js';\n" +
            "test('regenerates its fixture', () => {\n  assert.equal(typeof stamp, 'number');\n  writeFileSync(new URL('./generated.js', import.meta.url), `export const stamp = ${Date.now()};\\n`);\n});\n",
        },
      },
    });
    const cli = startCli(['-f', ...JOBS], { cwd: root });
    try {
      const warning = await cli.waitFor(is('warning'), { what: 'the warning that the tests drive the loop' });
      assert.match((warning as Extract<CctrialEvent, { type: 'warning' }>).message, /packages\/app\/test\/generated\.js: the tests write them/);
      assert.match((warning as Extract<CctrialEvent, { type: 'warning' }>).message, /--ignore/);
      // The write after the last followed run came while cctrial waited: it warns instead of starting a run.
      assert.equal(cli.events.at(cli.events.indexOf(warning) - 2)?.type, 'idle');
      const mark = cli.events.length;
      await sleep(5_000);
      assert.deepEqual(ofType(cli.events, 'run:start', mark), [], 'no run after the warning');
      // The first suite, then one run for each followed write.
      assert.equal(ofType(cli.events, 'run:start').length, 1 + MAX_FOLLOWED_WRITES);

      // The user's edit while cctrial waits is followed: one run, whose rewrite of the fixture starts nothing.
      const testFile = path.join(root, 'packages/app/test/stamp.test.js');
      writeFileSync(testFile, readFileSync(testFile, 'utf8') + '// edited\n');
      await cli.waitFor(is('idle'), { from: mark, what: 'idle after the edit' });
      await sleep(2_000);
      assert.deepEqual(ofType(cli.events, 'run:start', mark).map((event) => event.phase), ['suite']);
    } finally {
      await cli.stop();
    }
  });
});

/** The ways editors save a file, each a different sequence of file-system events. */
const SAVES: Record<string, (file: string, content: string) => void> = {
  'in place': (file, content) => writeFileSync(file, content),
  'write and rename (VS Code, atomic writers)': (file, content) => {
    writeFileSync(`${file}.tmp-${process.pid}`, content);
    renameSync(`${file}.tmp-${process.pid}`, file);
  },
  'safe write with a backup (vim)': (file, content) => {
    renameSync(file, `${file}~`);
    writeFileSync(file, content);
    rmSync(`${file}~`);
  },
  'safe write with two renames (JetBrains)': (file, content) => {
    writeFileSync(`${file}___jb_tmp___`, content);
    renameSync(file, `${file}___jb_old___`);
    renameSync(`${file}___jb_tmp___`, file);
    rmSync(`${file}___jb_old___`);
  },
  'sed -i': (file, content) => {
    execFileSync('sed', ['-i', `s/.*/${content.trim().replace(/[/&]/g, '\\$&')}/`, file]);
  },
};
const SETTLE_AFTER_IDLE_MS = 1_500;

describe('one save, one run, whichever way the editor saves', () => {
  for (const [phase, failing] of [['while fixing', true], ['while idle', false]] as const) {
    test(phase, async () => {
      const root = writeNpmMonorepo({
        lib: { name: '@fx/lib', files: { 'index.js': 'export const half = (n) => n / 2;\n' } },
        app: {
          name: '@fx/app',
          dependencies: ['@fx/lib'],
          files: { 'test/half.test.js': TEST_HEADER + `import { half } from '@fx/lib';\ntest('halves', () => assert.equal(half(4), ${failing ? 3 : 2}));\n` },
        },
      });
      const cli = startCli(['-f', ...JOBS], { cwd: root });
      const file = path.join(root, 'packages/lib/index.js');
      const runsPerSave: Record<string, string[]> = {};
      try {
        await cli.waitFor(is('idle'), { what: 'the first idle' });
        let version = 0;
        for (const [style, save] of Object.entries(SAVES)) {
          const mark = cli.events.length;
          version += 1;
          // Still halves (or still fails): the verdict stays, only the code changed.
          save(file, `export const half = (n) => (n * ${version}) / (2 * ${version});\n`);
          await cli.waitFor(is('idle'), { from: mark, what: `idle after a save (${style})` });
          await sleep(SETTLE_AFTER_IDLE_MS);
          runsPerSave[style] = ofType(cli.events, 'run:start', mark).map((event) => event.phase);
        }
      } finally {
        await cli.stop();
      }
      const expected = Object.fromEntries(Object.keys(SAVES).map((style) => [style, [failing ? 'fix' : 'suite']]));
      assert.deepEqual(runsPerSave, expected);
    });
  }
});

describe('git checkout while fixing', () => {
  for (const count of [1, 1000]) {
    test(`a checkout of ${count} file${count > 1 ? 's' : ''} gives one fix run`, async () => {
      const modules = Object.fromEntries(Array.from({ length: count }, (_, index) => [`parts/part${index}.js`, `export const part = ${index};\n`]));
      const imports = Object.keys(modules).map((file, index) => `import { part as p${index} } from './${file}';`).join('\n');
      const root = writeNpmMonorepo({
        lib: { name: '@fx/lib', files: { ...modules, 'index.js': `${imports}\nexport const parts = [${Object.keys(modules).map((_, index) => `p${index}`).join(', ')}];\n` } },
        app: {
          name: '@fx/app',
          dependencies: ['@fx/lib'],
          files: { 'test/parts.test.js': TEST_HEADER + "import { parts } from '@fx/lib';\ntest('has no parts', () => assert.equal(parts.length, 0));\n" },
        },
      });
      writeFileSync(path.join(root, '.gitignore'), 'node_modules/\n');
      const git = (...args: string[]) => execFileSync('git', ['-c', 'user.email=t@example.com', '-c', 'user.name=t', ...args], { cwd: root });
      git('init', '-q');
      git('add', '-A');
      git('commit', '-qm', 'parts');
      git('checkout', '-qb', 'other');
      for (const file of Object.keys(modules)) writeFileSync(path.join(root, 'packages/lib', file), `export const part = -1;\n`);
      git('commit', '-qam', 'other parts');
      git('checkout', '-q', '-');
      const cli = startCli(['-f', ...JOBS], { cwd: root });
      try {
        await cli.waitFor(is('idle'), { what: 'waiting for the fix' });
        const mark = cli.events.length;
        git('checkout', '-q', 'other');
        await cli.waitFor(is('idle'), { from: mark, what: 'idle after the checkout' });
        await sleep(SETTLE_AFTER_IDLE_MS);
        assert.deepEqual(ofType(cli.events, 'run:start', mark).map((event) => event.phase), ['fix']);
        assert.equal(ofType(cli.events, 'change', mark).length, 1);
      } finally {
        await cli.stop();
      }
    });
  }
});
