/**
 * The conformance corpus: small workspaces, each showing one way in which a project's own test
 * command decides what runs. Every package here is run twice, by its own command and by cctrial,
 * and the verdicts must agree test by test (conformance.test.ts).
 */
import type { FileTree } from '../helpers/workspace.js';

export interface Fixture {
  name: string;
  files: FileTree;
  /** Folders in which `npm test` is the project's own command; by default every package.json with a test script. */
  commands?: Array<{ dir: string; command?: string }>;
  /** The lowest Node major on which the case exists (a flag, an API). */
  minNode?: number;
  /** Packages from cctrial's own node_modules that the fixture's install would bring: linked in. */
  links?: string[];
}

const pkg = (manifest: Record<string, unknown>) => JSON.stringify(manifest, null, 2);
const workspaceRoot = (extra: Record<string, unknown> = {}) => pkg({ name: 'conformance-root', private: true, workspaces: ['packages/*'], ...extra });
const PASSING = "import test from 'node:test';\ntest('passes', () => {});\n";

export const CORPUS: Fixture[] = [
  {
    name: 'spec files from a quoted glob, helpers beside them not run',
    files: {
      'package.json': workspaceRoot(),
      'packages/a/package.json': pkg({ name: 'a', scripts: { test: "node --test 'test/**/*.spec.mjs'" } }),
      'packages/a/test/math.spec.mjs': "import test from 'node:test';\nimport assert from 'node:assert';\nimport { db } from './helpers/db.mjs';\ntest('adds', () => assert.equal(1 + 1, 2));\ntest('uses the helper', () => assert.equal(db(), 'ok'));\n",
      'packages/a/test/deep/er/more.spec.mjs': PASSING,
      'packages/a/test/helpers/db.mjs': "export const db = () => 'ok';\n",
      'packages/a/test/old.test.mjs': "import test from 'node:test';\ntest('not in the glob', () => { throw new Error('must not run'); });\n",
    },
  },
  {
    name: 'an unquoted glob, which sh expands with ** as *',
    files: {
      'package.json': workspaceRoot(),
      'packages/a/package.json': pkg({ name: 'a', scripts: { test: 'node --test test/**/*.spec.js' } }),
      'packages/a/test/unit/one.spec.js': PASSING,
      'packages/a/test/unit/deeper/two.spec.js': "import test from 'node:test';\ntest('only ** as ** would find this', () => { throw new Error('sh does not recurse'); });\n",
      'packages/a/test/top.spec.js': "import test from 'node:test';\ntest('nor this, one level up', () => { throw new Error('sh needs one folder'); });\n",
    },
  },
  {
    name: 'default patterns: helpers, type-only and commented-out files declare no tests',
    files: {
      'package.json': workspaceRoot(),
      'packages/a/package.json': pkg({ name: 'a', scripts: { test: 'node --test' } }),
      'packages/a/test/helper.js': 'export const fixture = { id: 1 };\n',
      'packages/a/test/real.test.js': "import test from 'node:test';\nimport { fixture } from './helper.js';\ntest('uses the helper', () => { if (fixture.id !== 1) throw new Error('x'); });\n",
      'packages/a/test/commented.test.js': "import test from 'node:test';\n// test('later', () => {});\n",
      'packages/a/test/empty-suite.test.js': "import { describe } from 'node:test';\ndescribe('nothing yet', () => {});\n",
    },
  },
  {
    name: 'environment from the script: VAR=value and cross-env style',
    files: {
      'package.json': workspaceRoot(),
      'packages/a/package.json': pkg({ name: 'a', scripts: { test: 'NODE_ENV=test DB_URL=sqlite::memory: node --test' } }),
      'packages/a/env.test.js': "import test from 'node:test';\nimport assert from 'node:assert';\ntest('NODE_ENV', () => assert.equal(process.env.NODE_ENV, 'test'));\ntest('DB_URL', () => assert.equal(process.env.DB_URL, 'sqlite::memory:'));\n",
      'packages/b/package.json': pkg({ name: 'b', scripts: { test: 'npm run build && npm run test:unit', build: 'node -e 0', 'test:unit': 'env MODE=unit node --test --test-timeout=20000' } }),
      'packages/b/mode.test.js': "import test from 'node:test';\nimport assert from 'node:assert';\ntest('MODE', () => assert.equal(process.env.MODE, 'unit'));\n",
    },
  },
  {
    name: 'a root script with a preload and globs runs the packages that have no script',
    files: {
      'package.json': workspaceRoot({ scripts: { test: "node --no-warnings --import ./test/setup.mjs --test 'packages/**/*.spec.mjs'" } }),
      'test/setup.mjs': 'globalThis.fromSetup = 42;\n',
      'test/helpers.mjs': "throw new Error('a helper that node --test would run by its defaults');\n",
      'packages/a/package.json': pkg({ name: 'a' }),
      'packages/a/src/a.spec.mjs': "import test from 'node:test';\nimport assert from 'node:assert';\ntest('sees the preload', () => assert.equal(globalThis.fromSetup, 42));\ntest('runs in the root folder', () => assert.ok(!process.cwd().includes('packages')));\n",
      'packages/a/src/a.test.mjs': "import test from 'node:test';\ntest('not a spec', () => { throw new Error('must not run'); });\n",
    },
    commands: [{ dir: '.' }],
  },
  {
    name: 'the test file is the main module',
    files: {
      'package.json': workspaceRoot(),
      'packages/a/package.json': pkg({ name: 'a', scripts: { test: 'node --test' } }),
      'packages/a/main.test.cjs': "const test = require('node:test');\nconst assert = require('node:assert');\ntest('require.main', () => assert.equal(require.main, module));\ntest('argv[1]', () => assert.equal(process.argv[1], __filename));\n",
      'packages/a/main.test.mjs': "import test from 'node:test';\nimport assert from 'node:assert';\ntest('import.meta.main where Node has it', () => assert.notEqual(import.meta.main, false));\n",
    },
  },
  {
    name: 'test.only, with and without --test-only',
    files: {
      'package.json': workspaceRoot(),
      'packages/all/package.json': pkg({ name: 'all', scripts: { test: 'node --test' } }),
      'packages/all/only.test.js': "import test from 'node:test';\ntest('plain', () => {});\ntest.only('marked only', () => {});\ntest('option', { only: true }, () => {});\n",
      'packages/only/package.json': pkg({ name: 'only', scripts: { test: 'node --test --test-only' } }),
      'packages/only/only.test.js': "import test from 'node:test';\ntest('plain', () => {});\ntest.only('marked only', () => {});\n",
    },
  },
  {
    name: "a test's own timeout wins over --test-timeout from Node 24; before, the timeout is the file's",
    files: {
      'package.json': workspaceRoot(),
      'packages/a/package.json': pkg({ name: 'a', scripts: { test: 'node --test --test-timeout=300' } }),
      'packages/a/slow.test.js': "import test from 'node:test';\nconst sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));\ntest('own timeout', { timeout: 5000 }, () => sleep(700));\ntest('default timeout', () => sleep(700));\n",
    },
  },
  {
    name: 'symlinked test files and the root package’s own tests',
    files: {
      'package.json': workspaceRoot({ scripts: { test: 'node --test test/*.test.js' } }),
      'test/root.test.js': PASSING,
      'packages/a/package.json': pkg({ name: 'a', scripts: { test: 'node --test' } }),
      'packages/a/shared/cases.js': "import test from 'node:test';\ntest('from a linked file', () => {});\n",
      'packages/a/test/linked.test.js': '-> ../shared/cases.js',
    },
  },
  {
    name: 'skip patterns, name patterns and todo from the script',
    minNode: 22,
    files: {
      'package.json': workspaceRoot(),
      'packages/a/package.json': pkg({ name: 'a', scripts: { test: "node --test --test-skip-pattern=slow --test-name-pattern='^(fast|slow|todo)'" } }),
      'packages/a/p.test.js': "import test from 'node:test';\ntest('fast one', () => {});\ntest('slow one', () => { throw new Error('skipped'); });\ntest('other', () => { throw new Error('not matched'); });\ntest('todo later', { todo: true }, () => {});\n",
    },
  },
  {
    name: 'module mocks and snapshots need their flags on the command line',
    minNode: 22,
    files: {
      'package.json': workspaceRoot(),
      'packages/a/package.json': pkg({ name: 'a', scripts: { test: 'node --experimental-test-module-mocks --experimental-test-snapshots --no-warnings --test' } }),
      'packages/a/dep.js': "export const value = () => 'real';\n",
      'packages/a/mock.test.js': "import test from 'node:test';\nimport assert from 'node:assert';\ntest('mocks a module', async (t) => {\n  t.mock.module('./dep.js', { namedExports: { value: () => 'mocked' } });\n  const { value } = await import('./dep.js');\n  assert.equal(value(), 'mocked');\n});\n",
      'packages/a/snap.test.js': "import test from 'node:test';\ntest('matches its snapshot', (t) => { t.assert.snapshot({ a: 1 }); });\n",
      'packages/a/snap.test.js.snapshot': 'exports[`matches its snapshot 1`] = `\n{\n  "a": 1\n}\n`;\n',
    },
  },
  {
    name: 'env files, and failing tests of every kind',
    minNode: 22,
    files: {
      'package.json': workspaceRoot(),
      'packages/a/package.json': pkg({ name: 'a', scripts: { test: 'node --env-file=.env.test --test' } }),
      'packages/a/.env.test': 'API_KEY=from-env-file\n',
      'packages/a/kinds.test.js':
        "import { describe, it, before } from 'node:test';\nimport assert from 'node:assert';\nit('reads the env file', () => assert.equal(process.env.API_KEY, 'from-env-file'));\nit('fails an assertion', () => assert.equal(1, 2));\nit('throws', () => { throw new TypeError('boom'); });\nit.skip('is skipped', () => {});\ndescribe('a suite whose hook fails', () => {\n  before(() => { throw new Error('hook'); });\n  it('never runs', () => {});\n});\n",
      'packages/a/broken.test.js': "import test from 'node:test';\ntest('x', () => {});\nsyntax error here\n",
    },
  },
  {
    name: 'projects whose scripts run other runners are left out',
    files: {
      'package.json': workspaceRoot(),
      'packages/web/package.json': pkg({ name: 'web', scripts: { test: 'vitest run' } }),
      'packages/web/app.test.js': "import { test } from 'vitest';\ntest('vitest', () => {});\n",
      'packages/lib/package.json': pkg({ name: 'lib', scripts: { test: 'node --test' } }),
      'packages/lib/lib.test.js': PASSING,
    },
    commands: [{ dir: 'packages/lib' }],
  },
  {
    name: 'tsx --test runs .tsx imports and NodeNext .js specifiers',
    links: ['tsx'],
    files: {
      'package.json': workspaceRoot(),
      'packages/ui/package.json': pkg({ name: 'ui', type: 'module', scripts: { test: "tsx --test 'src/**/*.test.ts'" } }),
      'packages/ui/src/view.tsx': 'export const view = (name: string): string => `<b>${name}</b>`;\n',
      'packages/ui/src/math.ts': 'export enum Sign { Plus = 1 }\nexport const add = (a: number, b: number): number => a + b;\n',
      'packages/ui/src/view.test.ts': "import test from 'node:test';\nimport assert from 'node:assert';\nimport { view } from './view.jsx';\nimport { add, Sign } from './math.js';\ntest('renders', () => assert.equal(view('x'), '<b>x</b>'));\ntest('adds', () => assert.equal(add(Sign.Plus, 1), 2));\n",
    },
  },
  {
    name: 'TypeScript without a script, NodeNext style: tsx on every Node version, as on Node 20',
    links: ['tsx'],
    files: {
      'package.json': workspaceRoot(),
      'packages/lib/package.json': pkg({ name: 'lib', type: 'module' }),
      'packages/lib/tsconfig.json': pkg({ compilerOptions: { module: 'NodeNext', moduleResolution: 'NodeNext', strict: true } }),
      'packages/lib/src/math.ts': 'export const double = (n: number): number => n * 2;\n',
      'packages/lib/src/math.test.ts': "import test from 'node:test';\nimport assert from 'node:assert';\nimport { double } from './math.js';\ntest('doubles', () => assert.equal(double(2), 4));\n",
    },
    // What cctrial says it runs for such a project; plain node --test cannot resolve ./math.js to math.ts.
    commands: [{ dir: 'packages/lib', command: 'node --import tsx --test src/*.test.ts' }],
  },
  {
    name: 'global setup runs once in the runner, before the tests',
    minNode: 24,
    files: {
      'package.json': workspaceRoot(),
      'packages/a/package.json': pkg({ name: 'a', scripts: { test: 'node --test-global-setup=./setup.mjs --test' } }),
      // The test processes are started after the setup, by the process that ran it: they inherit what it set.
      'packages/a/setup.mjs': 'export function globalSetup() { process.env.SETUP_PID = String(process.pid); }\nexport function globalTeardown() {}\n',
      'packages/a/ready.test.js': "import test from 'node:test';\nimport assert from 'node:assert';\ntest('the setup ran once, in the process that started this one', () => assert.equal(process.env.SETUP_PID, String(process.ppid)));\n",
    },
  },
  {
    // Seen in remix-run/remix: bare node --test on TypeScript sources, with helper modules under test/.
    name: 'bare node --test on TypeScript: helpers and type-only files pass, as Node strips types',
    minNode: 22,
    files: {
      'package.json': workspaceRoot(),
      'packages/a/package.json': pkg({ name: 'a', type: 'module', scripts: { test: 'node --disable-warning=ExperimentalWarning --test' } }),
      'packages/a/src/lib/parse.ts': 'export function parse(text: string): number {\n  return Number(text);\n}\n',
      'packages/a/src/lib/parse.test.ts': "import test from 'node:test';\nimport assert from 'node:assert';\nimport { parse } from './parse.ts';\ntest('parses', () => assert.equal(parse('2'), 2));\n",
      'packages/a/src/lib/types.test.ts': 'export type Case = { input: string; expected: number };\n',
      'packages/a/test/utils.ts': "export const cases: Array<[string, number]> = [['1', 1]];\n",
    },
  },
  {
    // Seen in remix-run/remix: data-table-* packages run a contract whose it() calls live in another package.
    name: 'tests defined in a shared contract file are the tests of the file that runs them',
    minNode: 24,
    files: {
      'package.json': workspaceRoot(),
      'packages/contract/package.json': pkg({ name: 'contract' }),
      'packages/contract/contract.js': "import { describe, it } from 'node:test';\nexport function runContract(name) {\n  describe(`${name} contract`, () => {\n    it('connects', () => {});\n    it('queries', () => {});\n  });\n}\n",
      'packages/sqlite/package.json': pkg({ name: 'sqlite', scripts: { test: 'node --test' } }),
      'packages/sqlite/sqlite.test.js': "import { runContract } from '../contract/contract.js';\nrunContract('sqlite');\n",
    },
  },
  {
    // Seen in mjackson/remix-the-web: `node --import @swc-node/register/esm-register --test`, whose resolve hook cannot
    // resolve its own name. Node imports a preload once, before its hooks exist; a second import would meet them.
    name: 'a preload whose own resolve hook cannot resolve the preload',
    files: {
      'package.json': workspaceRoot(),
      'packages/a/package.json': pkg({ name: 'a', scripts: { test: 'node --import self-hook/register --test' } }),
      'packages/a/node_modules/self-hook/package.json': pkg({ name: 'self-hook', type: 'module', exports: { './register': './register.mjs' } }),
      'packages/a/node_modules/self-hook/register.mjs': "import { register } from 'node:module';\nregister('./hooks.mjs', import.meta.url);\n",
      'packages/a/node_modules/self-hook/hooks.mjs':
        "export async function resolve(specifier, context, next) {\n  if (specifier === 'self-hook/register') throw new Error('self-hook cannot resolve itself');\n  return next(specifier, context);\n}\n",
      'packages/a/test/esm.test.mjs': PASSING,
      'packages/a/test/main.test.cjs': "const test = require('node:test');\ntest('is the main module', () => {\n  if (require.main !== module) throw new Error('not the main module');\n});\n",
    },
  },
];
