/**
 * The three fixture workspaces. Each has the same story: `app` uses `add` from the linked library
 * `lib-a`; app's tests pass; lib-a has one passing test and one that fails on purpose, so a run
 * that strays into lib-a's tests cannot pass. Some have a project whose *.test.js files are Jest
 * tests (its test script or its jest.config says so), which must not get a cctrial target.
 */
import { json, nodeTest, type FileTree } from './fixture.js';
import { pnpmVersion } from './install.js';

export const LIB_A_SOURCE_JS = 'export const add = (a, b) => a + b;\n';
export const FAILS_ON_PURPOSE = nodeTest('', "test('lib-a fails on purpose', () => { throw new Error('lib-a is broken on purpose'); });");
const JEST_TEST = "describe('legacy', () => { it('is a Jest test', () => expect(1).toBe(1)); });\n";
const NX_JSON = { $schema: './node_modules/nx/schemas/nx-schema.json', analytics: false, neverConnectToCloud: true, useDaemonProcess: false };

function jsPackages(libSpec: string): FileTree {
  return {
    'packages/lib-a/package.json': json({ name: '@ws/lib-a', version: '1.0.0', type: 'module', exports: './index.js' }),
    'packages/lib-a/index.js': LIB_A_SOURCE_JS,
    'packages/lib-a/test/add.test.js': nodeTest("import { add } from '../index.js';", "test('lib-a adds', () => assert.equal(add(1, 2), 3));"),
    'packages/lib-a/test/fails-on-purpose.test.js': FAILS_ON_PURPOSE,
    'packages/app/package.json': json({ name: '@ws/app', version: '1.0.0', type: 'module', dependencies: { '@ws/lib-a': libSpec } }),
    'packages/app/test/app.test.js': nodeTest("import { add } from '@ws/lib-a';", "test('app adds through lib-a', () => assert.equal(add(2, 2), 4));"),
  };
}

/** What the Nx story (nx-scenario.ts) needs to know of npmWorkspace(). */
export const NPM_WORKSPACE_STORY = {
  app: { name: '@ws/app', testFiles: ['packages/app/test/app.test.js'], tests: 1 },
  lib: {
    name: '@ws/lib-a',
    testFiles: ['packages/lib-a/test/add.test.js', 'packages/lib-a/test/fails-on-purpose.test.js'],
    source: 'packages/lib-a/index.js',
    sourceAfterEdit: `// edited by the test\n${LIB_A_SOURCE_JS}`,
  },
  notNodeTest: '@ws/legacy',
};

/** npm workspaces with an nx.json (a "package-based" Nx repo). */
export function npmWorkspace(): FileTree {
  return {
    'package.json': json({ name: 'npm-ws', private: true, workspaces: ['packages/*'] }),
    'nx.json': json(NX_JSON),
    ...jsPackages('*'),
    'packages/legacy/package.json': json({ name: '@ws/legacy', version: '1.0.0', scripts: { test: 'jest' } }),
    'packages/legacy/src/legacy.test.js': JEST_TEST,
  };
}

/**
 * An Nx integrated repo: project.json projects, TypeScript, no package.json per project and no
 * workspace symlinks; imports resolve through tsconfig.base.json `paths`. Nx sees those imports
 * with @nx/js source analysis on (pluginsConfig). `customConditions` must reach the test
 * processes: app's test imports `#build-mode`, which only that condition maps to "source".
 */
export function nxIntegratedWorkspace(): FileTree {
  const projectTsconfig = json({ extends: '../../tsconfig.base.json', include: ['src/**/*.ts'] });
  return {
    'package.json': json({
      name: 'nx-integrated',
      private: true,
      type: 'module',
      imports: { '#build-mode': { 'int-source': './tools/build-mode/source.js', default: './tools/build-mode/built.js' } },
    }),
    'nx.json': json({ ...NX_JSON, pluginsConfig: { '@nx/js': { analyzeSourceFiles: true } } }),
    'tsconfig.base.json': json({
      compilerOptions: {
        target: 'ES2022',
        module: 'NodeNext',
        moduleResolution: 'NodeNext',
        strict: true,
        baseUrl: '.',
        customConditions: ['int-source'],
        paths: { '@int/lib-a': ['libs/lib-a/src/index.ts'] },
      },
    }),
    'tools/build-mode/source.js': "export default 'source';\n",
    'tools/build-mode/built.js': "export default 'built';\n",
    'libs/lib-a/project.json': json({ name: 'lib-a', sourceRoot: 'libs/lib-a/src', projectType: 'library' }),
    'libs/lib-a/tsconfig.json': projectTsconfig,
    'libs/lib-a/src/index.ts': 'export function add(a: number, b: number): number {\n  return a + b;\n}\n',
    'libs/lib-a/src/add.test.ts': nodeTest("import { add } from './index.ts';", "test('lib-a adds', () => assert.equal(add(1, 2), 3));"),
    'libs/lib-a/src/fails-on-purpose.test.ts': FAILS_ON_PURPOSE,
    'apps/app/project.json': json({ name: 'app', sourceRoot: 'apps/app/src', projectType: 'application' }),
    'apps/app/tsconfig.json': projectTsconfig,
    'apps/app/src/app.test.ts': nodeTest(
      "import { add } from '@int/lib-a';\nimport mode from '#build-mode';",
      "test('app adds through lib-a, found by tsconfig paths', () => assert.equal(add(2, 2), 4));\n" +
        "test('tests run with the customConditions of tsconfig.base.json', () => assert.equal(mode, 'source'));",
    ),
    'libs/legacy/project.json': json({ name: 'legacy', sourceRoot: 'libs/legacy/src', projectType: 'library' }),
    'libs/legacy/jest.config.ts': "export default { displayName: 'legacy', testEnvironment: 'node' };\n",
    'libs/legacy/src/legacy.test.ts': JEST_TEST,
  };
}

/**
 * A pnpm workspace with Turborepo: `workspace:*` links, turbo.json, and no nx.json yet. The
 * vendored `file:` package stands in for registry packages, which an offline install cannot
 * fetch: pnpm writes node_modules/.modules.yaml, which Nx reads next to a pnpm lockfile, only
 * when its virtual store holds at least one package.
 */
export function pnpmTurborepo(): FileTree {
  return {
    'package.json': json({
      name: 'pnpm-turbo',
      private: true,
      packageManager: `pnpm@${pnpmVersion()}`,
      devDependencies: { greeting: 'file:./vendor/greeting' },
    }),
    'vendor/greeting/package.json': json({ name: 'greeting', version: '1.0.0', main: 'index.js' }),
    'vendor/greeting/index.js': "module.exports = 'hello';\n",
    'pnpm-workspace.yaml': 'packages:\n  - "packages/*"\n',
    'turbo.json': TURBO_JSON,
    ...jsPackages('workspace:*'),
  };
}

/** A turbo.json as people write them, with comments and its own layout: `cctrial init` must keep both. */
export const TURBO_JSON = [
  '{',
  '  "$schema": "https://turborepo.com/schema.json",',
  '  // Build outputs are cached; tests are not.',
  '  "tasks": {',
  '    "build": { "outputs": ["dist/**"] } // keep me',
  '  }',
  '}',
  '',
].join('\n');
