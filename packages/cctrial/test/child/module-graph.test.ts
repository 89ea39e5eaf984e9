/**
 * The 'modules' frame, with real children: every file a test file loads (ESM, CommonJS, JSON,
 * TypeScript through tsx or Node's type stripping, dynamic imports, linked workspace packages),
 * without node_modules, also when the file fails to load or exits early.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { before, describe, it } from 'node:test';
import { discoverTestFiles } from '../../src/discovery.js';
import { hasNativeTypeStripping } from '../../src/runner/launch-spec.js';
import { TestRunner, type RunReport } from '../../src/runner/test-runner.js';
import { fileRunOf, runPackage, runTestFiles, writePackage } from '../helpers/fixtures.js';
import { writeNpmMonorepo } from '../helpers/workspace.js';

const DEPENDENCY = {
  'node_modules/dep/package.json': JSON.stringify({ name: 'dep', main: 'index.js' }),
  'node_modules/dep/index.js': 'module.exports = require("./more.js");\n',
  'node_modules/dep/more.js': 'module.exports = 1;\n',
};

/** The recorded files, relative to the fixture root, sorted. */
function modulesOf(root: string, modules: string[] | undefined): string[] {
  assert.ok(modules, 'the file run has no modules');
  for (const file of modules) assert.ok(path.isAbsolute(file), `${file} is not absolute`);
  return modules.map((file) => path.relative(root, file).split(path.sep).join('/')).sort();
}

describe('modules frame: JavaScript', () => {
  it('records ESM helpers, JSON, CommonJS and what they require, and a dynamic import, without node_modules', async () => {
    const { root, report } = await runPackage({
      ...DEPENDENCY,
      'lib/helper.js': "export const one = 1;\n",
      'lib/data.json': '{ "two": 2 }\n',
      'lib/legacy.cjs': "module.exports = require('./inner.cjs') + 1;\n",
      'lib/inner.cjs': 'module.exports = 2;\n',
      'lib/late.js': 'export const late = 4;\n',
      'lib/unused.js': 'export const unused = 5;\n',
      'esm.test.js': `import { test } from 'node:test';
import assert from 'node:assert/strict';
import { one } from './lib/helper.js';
import data from './lib/data.json' with { type: 'json' };
import legacy from './lib/legacy.cjs';
import dep from 'dep';
test('adds', async () => {
  const { late } = await import('./lib/late.js');
  assert.equal(one + data.two + legacy + dep + late, 11);
});
`,
    });
    const run = fileRunOf(report, 'esm.test.js');
    assert.equal(run.results[0]?.outcome, 'pass');
    assert.deepEqual(modulesOf(root, run.modules), ['esm.test.js', 'lib/data.json', 'lib/helper.js', 'lib/inner.cjs', 'lib/late.js', 'lib/legacy.cjs']);
    assert.equal(run.modulesPartial, undefined);
  });

  it('records a CommonJS test file and every module it requires', async () => {
    const { root, report } = await runPackage({
      ...DEPENDENCY,
      'lib/a.cjs': "module.exports = require('./b.cjs');\n",
      'lib/b.cjs': "module.exports = require('./c.json').c;\n",
      'lib/c.json': '{ "c": 3 }\n',
      'cjs.test.cjs': `const { test } = require('node:test');
const assert = require('node:assert/strict');
const a = require('./lib/a.cjs');
test('requires', () => assert.equal(a + require('dep'), 4));
`,
    });
    const run = fileRunOf(report, 'cjs.test.cjs');
    assert.equal(run.results[0]?.outcome, 'pass');
    assert.deepEqual(modulesOf(root, run.modules), ['cjs.test.cjs', 'lib/a.cjs', 'lib/b.cjs', 'lib/c.json']);
  });

  it('records a linked workspace package by its real path', async () => {
    const root = writeNpmMonorepo({
      app: { name: '@fixture/app', dependencies: ['@fixture/lib'], files: { 'test/app.test.js': "import { test } from 'node:test';\nimport { lib } from '@fixture/lib';\ntest('uses lib', () => lib);\n" } },
      lib: { name: '@fixture/lib', files: { 'index.js': "export { lib } from './src/lib.js';\n", 'src/lib.js': 'export const lib = 1;\n' } },
    });
    const files = discoverTestFiles([{ name: '@fixture/app', root: path.join(root, 'packages/app') }], root);
    const report = await new TestRunner({ root, jobs: 1, timeoutMs: 30_000, silenceLimitMs: 30_000 }).runFiles(files);
    const run = fileRunOf(report, 'packages/app/test/app.test.js');
    assert.deepEqual(modulesOf(root, run.modules), ['packages/app/test/app.test.js', 'packages/lib/index.js', 'packages/lib/src/lib.js']);
  });

  it('marks the list partial when a name pattern chose the tests: code only other tests load did not run', async () => {
    const { root, report } = await runPackage(
      {
        'lib/late.js': 'export const late = 1;\n',
        'grep.test.js': "import { test } from 'node:test';\ntest('chosen', () => {});\ntest('other', async () => { await import('./lib/late.js'); });\n",
      },
      { grep: 'chosen' },
    );
    const run = fileRunOf(report, 'grep.test.js');
    assert.deepEqual(modulesOf(root, run.modules), ['grep.test.js']);
    assert.equal(run.modulesPartial, true);
  });

  it('records a file that declares no tests', async () => {
    const { root, report } = await runPackage({ 'lib/helper.js': 'export const one = 1;\n', 'empty.test.js': "import './lib/helper.js';\n" });
    assert.deepEqual(modulesOf(root, fileRunOf(report, 'empty.test.js').modules), ['empty.test.js', 'lib/helper.js']);
  });
});

describe('modules frame: files that do not run to the end', () => {
  const FILES = {
    'lib/helper.js': 'export const one = 1;\n',
    'lib/broken.js': 'export const = ;\n',
    'lib/broken.cjs': 'module.exports = {;\n',
    'lib/throws.cjs': "throw new Error('at load');\n",
    'lib/fine.cjs': 'module.exports = 1;\n',
    'syntax.test.js': "import { test } from 'node:test';\nimport { one } from './lib/helper.js';\nimport { x } from './lib/broken.js';\ntest('never runs', () => one + x);\n",
    'syntax.test.cjs': "const { test } = require('node:test');\nrequire('./lib/fine.cjs');\nrequire('./lib/broken.cjs');\ntest('never runs', () => {});\n",
    'throws.test.cjs': "require('./lib/throws.cjs');\n",
    'exits.test.js': "import { test } from 'node:test';\nimport './lib/helper.js';\ntest('exits', () => process.exit(0));\ntest('after', async () => { await import('./lib/never.js'); });\n",
  };
  const root = writePackage(FILES);
  let report: RunReport;
  before(async () => {
    ({ report } = await runTestFiles(root, ['exits.test.js', 'syntax.test.cjs', 'syntax.test.js', 'throws.test.cjs']));
  });

  it('records the ES module that fails to parse, and what loaded before it', () => {
    const run = fileRunOf(report, 'syntax.test.js');
    assert.equal(run.results[0]?.error?.type, 'SyntaxError');
    assert.deepEqual(modulesOf(root, run.modules), ['lib/broken.js', 'lib/helper.js', 'syntax.test.js']);
    assert.equal(run.modulesPartial, true);
  });

  it('records the CommonJS module that fails to parse, or throws, although Node drops it from require.cache', () => {
    assert.deepEqual(modulesOf(root, fileRunOf(report, 'syntax.test.cjs').modules), ['lib/broken.cjs', 'lib/fine.cjs', 'syntax.test.cjs']);
    assert.deepEqual(modulesOf(root, fileRunOf(report, 'throws.test.cjs').modules), ['lib/throws.cjs', 'throws.test.cjs']);
  });

  it('records them through module.register() too: Node before 22.15 without --expose-internals (no default timeout)', async () => {
    const { report } = await runTestFiles(root, ['syntax.test.js', 'syntax.test.cjs'], { timeoutMs: 0 });
    assert.deepEqual(modulesOf(root, fileRunOf(report, 'syntax.test.js').modules), ['lib/broken.js', 'lib/helper.js', 'syntax.test.js']);
    assert.deepEqual(modulesOf(root, fileRunOf(report, 'syntax.test.cjs').modules), ['lib/broken.cjs', 'lib/fine.cjs', 'syntax.test.cjs']);
  });

  it('records what loaded before test code called process.exit(), as partial', () => {
    const run = fileRunOf(report, 'exits.test.js');
    assert.deepEqual(modulesOf(root, run.modules), ['exits.test.js', 'lib/helper.js']);
    assert.equal(run.modulesPartial, true);
  });
});

describe('modules frame: TypeScript', () => {
  const FILES = {
    // Written for type stripping: Node runs strip.test.ts as it is, where it can.
    'tsconfig.json': JSON.stringify({ compilerOptions: { allowImportingTsExtensions: true, noEmit: true } }),
    'lib/helper.ts': 'export const one: number = 1;\n',
    'lib/late.ts': 'export const late: number = 2;\n',
    'lib/common.cts': 'const three: number = 3;\nexport = three;\n',
    'lib/bad.ts': 'export const bad: number = ;\n',
    // NodeNext style: ./helper.js names helper.ts, which only tsx resolves. Imports are used, or tsx drops them.
    'tsx.test.ts': `import { test } from 'node:test';
import assert from 'node:assert/strict';
import { one } from './lib/helper.js';
import three from './lib/common.cjs';
test('adds', async () => {
  const { late } = await import('./lib/late.js');
  assert.equal(one + late + three, 6);
});
`,
    'bad.test.ts': "import { test } from 'node:test';\nimport { bad } from './lib/bad.js';\ntest('never runs', () => { console.log(bad); });\n",
    'strip.test.ts': `import { test } from 'node:test';
import assert from 'node:assert/strict';
import { one } from './lib/helper.ts';
test('adds', async () => {
  const { late } = await import('./lib/late.ts');
  assert.equal(one + late, 3);
});
`,
  };
  const root = writePackage(FILES);

  it('records .ts files through tsx, also one that fails to compile', async () => {
    const { report } = await runTestFiles(root, ['tsx.test.ts', 'bad.test.ts'], { importModule: 'tsx' });
    const run = fileRunOf(report, 'tsx.test.ts');
    assert.equal(run.results[0]?.outcome, 'pass', run.stderr);
    assert.deepEqual(modulesOf(root, run.modules), ['lib/common.cts', 'lib/helper.ts', 'lib/late.ts', 'tsx.test.ts']);
    assert.deepEqual(modulesOf(root, fileRunOf(report, 'bad.test.ts').modules), ['bad.test.ts', 'lib/bad.ts']);
  });

  it('records .ts files run with Node’s type stripping', { skip: !hasNativeTypeStripping() && 'this Node does not strip types' }, async () => {
    const { report } = await runTestFiles(root, ['strip.test.ts']);
    const run = fileRunOf(report, 'strip.test.ts');
    assert.equal(run.results[0]?.outcome, 'pass', run.stderr);
    assert.deepEqual(modulesOf(root, run.modules), ['lib/helper.ts', 'lib/late.ts', 'strip.test.ts']);
  });
});
