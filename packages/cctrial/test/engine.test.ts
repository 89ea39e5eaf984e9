/**
 * The Engine on a real npm monorepo with symlinked workspace packages: the events of a suite run,
 * project selection, and a broken linked package.
 */
import assert from 'node:assert/strict';
import { rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { before, describe, it } from 'node:test';
import { Engine } from '../src/engine.js';
import { ConfigError } from '../src/errors.js';
import type { CctrialEvent } from '../src/events.js';
import { parseOptions } from '../src/options.js';
import { eventsOfType, fileResultOf, lineOf, resultOf, runEngineSuite, type EngineRun } from './helpers/fixtures.js';
import { writeNpmMonorepo } from './helpers/workspace.js';

function writeShop(): string {
  return writeNpmMonorepo({
    money: {
      name: '@shop/money',
      files: {
        'index.js': `export const cents = (amount) => Math.round(amount * 100);\n`,
        'test/cents.test.js': `import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cents } from '@shop/money';
test('rounds to cents', () => {
  assert.equal(cents(1.005), 101);
});
test('whole amounts', () => {
  assert.equal(cents(2), 200);
});
`,
      },
    },
    cart: {
      name: '@shop/cart',
      dependencies: ['@shop/money', '@shop/broken'],
      files: {
        'index.js': `import { cents } from '@shop/money';\nexport const total = (items) => items.reduce((sum, item) => sum + cents(item), 0);\n`,
        'test/total.test.js': `import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { total } from '@shop/cart';
describe('total', () => {
  it('adds items', () => {
    console.log('adding two items');
    assert.equal(total([1, 2]), 300);
  });
  it.skip('handles currencies', () => {});
  it.todo('applies discounts');
});
`,
        'test/uses-broken.test.js': `import { test } from 'node:test';
import { format } from '@shop/broken';
test('formats', () => {
  format();
});
`,
      },
    },
    broken: {
      name: '@shop/broken',
      files: {
        'index.js': `export function format() {
  return 'x' +;
}
`,
      },
    },
  });
}

describe('Engine: a suite run on a linked monorepo', () => {
  const root = writeShop();
  let run: EngineRun;
  before(async () => {
    run = await runEngineSuite(['--once', '-j', '2'], root);
  });

  it('finds the packages and their test files', () => {
    assert.deepEqual(run.engine.projects.map((project) => project.name), ['@shop/broken', '@shop/cart', '@shop/money', 'fixture-root']);
    assert.deepEqual(run.engine.files.map((file) => file.relative), [
      'packages/cart/test/total.test.js',
      'packages/cart/test/uses-broken.test.js',
      'packages/money/test/cents.test.js',
    ]);
  });

  it('starts with run:start and ends with the groups, then run:end with the counts', () => {
    const types = run.events.map((event) => event.type);
    assert.deepEqual(run.events[0], { type: 'run:start', phase: 'suite', tests: null, files: 3 });
    assert.deepEqual(types.slice(-2), ['groups', 'run:end']);
    const end = run.events.at(-1) as Extract<CctrialEvent, { type: 'run:end' }>;
    assert.equal(end.phase, 'suite');
    assert.deepEqual(
      { passed: end.passed, failed: end.failed, errors: end.errors, skipped: end.skipped, todo: end.todo, cancelled: end.cancelled },
      { passed: 2, failed: 1, errors: 1, skipped: 1, todo: 1, cancelled: 0 },
    );
    assert.ok(end.durationMs > 0);
  });

  it('reports each test once, by project, file and name path', () => {
    const reported = [...eventsOfType(run.events, 'test:pass'), ...eventsOfType(run.events, 'test:fail')].map(
      (event) => `${event.project} ${event.file} ${event.name.join(' › ')} ${event.outcome}`,
    );
    assert.deepEqual(reported.sort(), [
      '@shop/cart packages/cart/test/total.test.js total › adds items pass',
      '@shop/cart packages/cart/test/total.test.js total › applies discounts todo',
      '@shop/cart packages/cart/test/total.test.js total › handles currencies skip',
      '@shop/cart packages/cart/test/uses-broken.test.js  error',
      '@shop/money packages/money/test/cents.test.js rounds to cents failure',
      '@shop/money packages/money/test/cents.test.js whole amounts pass',
    ]);
  });

  it('announces tests as they start', () => {
    const started = eventsOfType(run.events, 'test:start').map((event) => `${event.file} ${event.name}`);
    assert.ok(started.includes('packages/money/test/cents.test.js rounds to cents'), started.join('\n'));
    assert.ok(started.includes('packages/cart/test/total.test.js adds items'), started.join('\n'));
  });

  it("passes on each file's output", () => {
    const outputs = eventsOfType(run.events, 'output');
    const cart = outputs.find((event) => event.file === 'packages/cart/test/total.test.js');
    assert.match(cart?.stdout ?? '', /adding two items/);
  });

  it('points a syntax error in a linked package at its real file, outside node_modules', () => {
    const result = fileResultOf(run.outcome.report.results, 'packages/cart/test/uses-broken.test.js');
    assert.equal(result.failureType, 'loadError');
    const line = lineOf(root, 'packages/broken/index.js', "return 'x' +;");
    const failure = eventsOfType(run.events, 'test:fail').find((event) => event.file === 'packages/cart/test/uses-broken.test.js');
    assert.match(failure?.signature ?? '', new RegExp(`^SyntaxError: .* @ packages/broken/index\\.js:${line}:1$`, 's'));
  });

  it('groups the failures in the groups event, largest first', () => {
    const [groups] = eventsOfType(run.events, 'groups');
    assert.equal(groups?.groups.length, 2);
    assert.deepEqual(groups?.groups.map((group) => group.count), [1, 1]);
    assert.deepEqual(groups?.groups.map((group) => group.tests[0]?.file).sort(), ['packages/cart/test/uses-broken.test.js', 'packages/money/test/cents.test.js']);
  });

  it('re-runs one test as a fix run, reporting only that test', async () => {
    const known = run.outcome.report.results;
    const target = resultOf(known, 'packages/money/test/cents.test.js', ['rounds to cents']);
    const events: CctrialEvent[] = [];
    const engine = await Engine.create(parseOptions(['--once'], {}, root), (event) => events.push(event));
    const outcome = await engine.runTests('fix', [target], known);
    assert.deepEqual(events[0], { type: 'run:start', phase: 'fix', tests: 1, files: 1 });
    assert.deepEqual(eventsOfType(events, 'test:fail').map((event) => event.name), [['rounds to cents']]);
    assert.deepEqual(eventsOfType(events, 'test:pass'), []);
    assert.equal(outcome.groups[0]?.representative.id.path[0], 'rounds to cents');
  });
});

describe('Engine: a recheck', () => {
  it("reports each file's targets as the file finishes, not when the whole run does", { timeout: 60_000 }, async () => {
    const waits = "import { existsSync } from 'node:fs';\nconst release = new URL('../release', import.meta.url);\n";
    const root = writeNpmMonorepo({
      app: {
        name: '@fx/app',
        files: {
          'test/fast.test.js': "import { test } from 'node:test';\nimport assert from 'node:assert/strict';\ntest('fast fails', () => assert.fail('fast'));\ntest('fast passes', () => {});\n",
          'test/slow.test.js':
            "import { test } from 'node:test';\nimport assert from 'node:assert/strict';\n" +
            waits +
            "test('slow fails', async () => {\n  while (!existsSync(release)) await new Promise((resolve) => setTimeout(resolve, 20));\n  assert.fail('slow');\n});\n",
        },
      },
    });
    writeFileSync(path.join(root, 'packages/app/release'), '');
    const first = await runEngineSuite(['--once', '-j', '2'], root);
    rmSync(path.join(root, 'packages/app/release'));
    const known = first.outcome.report.results;
    const targets = known.filter((result) => result.outcome === 'failure');
    assert.equal(targets.length, 2);

    const events: CctrialEvent[] = [];
    let sawFast!: () => void;
    const fastReported = new Promise<void>((resolve) => (sawFast = resolve));
    const engine = await Engine.create(parseOptions(['--once', '-j', '2'], {}, root), (event) => {
      events.push(event);
      if (event.type === 'test:fail' && event.name[0] === 'fast fails') sawFast();
    });
    const recheck = engine.runTests('recheck', targets, known);
    // The slow file holds the run open until its release exists: the fast file's result must come first.
    await fastReported;
    assert.deepEqual(eventsOfType(events, 'run:end'), []);
    writeFileSync(path.join(root, 'packages/app/release'), '');
    await recheck;
    assert.deepEqual(eventsOfType(events, 'test:fail').map((event) => event.name[0]), ['fast fails', 'slow fails']);
    assert.deepEqual(eventsOfType(events, 'test:pass'), [], 'only the targets are reported');
    assert.equal(eventsOfType(events, 'run:end')[0]?.failed, 2);
  });
});

describe('Engine: selecting projects', () => {
  const root = writeShop();

  it('runs only the named project', async () => {
    const run = await runEngineSuite(['--once', '@shop/money'], root);
    assert.deepEqual(run.engine.files.map((file) => file.relative), ['packages/money/test/cents.test.js']);
    assert.equal(eventsOfType(run.events, 'run:start')[0]?.files, 1);
    assert.deepEqual(new Set(eventsOfType(run.events, 'test:pass').map((event) => event.project)), new Set(['@shop/money']));
  });

  it('runs only the given test file, started from inside its package', async () => {
    const engine = await Engine.create(parseOptions(['test/total.test.js'], {}, `${root}/packages/cart`), () => {});
    assert.equal(engine.workspace.root, root);
    assert.deepEqual(engine.files.map((file) => file.relative), ['packages/cart/test/total.test.js']);
  });

  it('refuses an unknown project with a ConfigError naming the known ones', async () => {
    await assert.rejects(
      () => Engine.create(parseOptions(['@shop/nope'], {}, root), () => {}),
      (error: unknown) => error instanceof ConfigError && /"@shop\/nope"/.test(error.message) && /@shop\/money/.test(error.message),
    );
  });
});
