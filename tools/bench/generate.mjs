#!/usr/bin/env node
/**
 * Generates the benchmark monorepo: P packages × F test files × T tests, plus a shared package that
 * every package links to through the workspace. Each test file exists three times, once per runner,
 * with the same tests and the same assertions (node:assert), so that each runner picks only its own:
 *
 *   packages/pkg-N/src/mod-J.mjs          the module under test (imports @bench/shared)
 *   packages/pkg-N/src/mod-J.test.mjs     node:test   (node --test and cctrial patterns)
 *   packages/pkg-N/src/mod-J.vspec.mjs    Vitest      (vitest.config.mjs `include`)
 *   packages/pkg-N/src/mod-J.jspec.mjs    Jest        (jest.config.mjs `testMatch`, native ESM)
 *
 * `.vspec.mjs` and `.jspec.mjs` match none of node --test's (and so cctrial's) default patterns, and
 * the Vitest and Jest configs list only their own suffix. The first test of pkg-0/mod-0 is the fix-loop
 * target: it also imports pkg-0/src/fixme.mjs, which nothing else imports, and the bench rewrites that
 * module to break and fix exactly one test.
 *
 * The root has nx.json and turbo.json (caching off), a `test` script per package (`node --test`), a
 * git repository (Jest's --watch needs one), node_modules links made by `npm install --offline`, and
 * links to the runners installed in this repository's node_modules (vitest, jest, nx, turbo).
 *
 * Usage: node tools/bench/generate.mjs [--preset default|large|tiny] [--packages P] [--files F]
 *        [--tests T] [--libs L] [--dir DIR] [--force]
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const GENERATOR_VERSION = 4;
export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/**
 * default: 10 × 10 × 10 (100 test files per runner, 1,000 tests each).
 * large:   100 packages × 2 test files × 10 tests, plus 190 source files per package that no test
 *          imports (src/lib/g-K/l-N.mjs): about 20,000 files in 1,200 folders, the size of a large
 *          monorepo to watch, with a suite (200 node:test files) short enough to start it several times.
 *          Used for the idle measurement.
 * tiny:    for --quick.
 */
export const PRESETS = {
  tiny: { packages: 3, files: 3, tests: 5, libs: 0 },
  default: { packages: 10, files: 10, tests: 10, libs: 0 },
  large: { packages: 100, files: 2, tests: 10, libs: 190 },
};

export const TARGET = {
  pkg: 'pkg-0',
  module: 'packages/pkg-0/src/fixme.mjs',
  name: 'bench target: fixme answers 42',
  nodeFile: 'packages/pkg-0/src/mod-0.test.mjs',
};

export function fixmeSource(fixed, generation = 0) {
  return `// Rewritten by the bench: the fix-loop target test passes when answer() is 42.\n// generation ${generation}\nexport function answer() {\n  return ${fixed ? 42 : 41};\n}\n`;
}

/** Links from the generated root's node_modules to the runners installed in this repository. */
const RUNNER_LINKS = ['vitest', 'jest', '@jest/globals', 'nx', 'turbo'];

export function defaultDir(preset) {
  return path.join(os.tmpdir(), 'cctrial-bench', preset);
}

export function generate({ preset = 'default', packages, files, tests, libs, dir, force = false, log = () => {} } = {}) {
  if (!PRESETS[preset]) throw new Error(`unknown preset "${preset}" (default, large, tiny)`);
  const shape = { ...PRESETS[preset] };
  if (packages) shape.packages = packages;
  if (files) shape.files = files;
  if (tests) shape.tests = tests;
  if (libs !== undefined) shape.libs = libs;
  const root = path.resolve(dir ?? defaultDir(preset));
  const stamp = { generator: GENERATOR_VERSION, ...shape };
  const stampFile = path.join(root, '.bench-shape.json');
  if (!force && existsSync(stampFile)) {
    try {
      if (JSON.stringify(JSON.parse(readFileSync(stampFile, 'utf8'))) === JSON.stringify(stamp)) {
        // Reused: put back the pieces a bench run may have left changed.
        writeFileSync(path.join(root, TARGET.module), fixmeSource(true));
        rmSync(path.join(root, 'packages/pkg-0/storm'), { recursive: true, force: true });
        rmSync(path.join(root, 'packages/pkg-0/probe'), { recursive: true, force: true });
        log(`reusing ${root} (${describe(shape)})`);
        return { root, ...shape, fileCount: countFiles(shape) };
      }
    } catch {
      // Regenerate.
    }
  }
  const started = performance.now();
  rmSync(root, { recursive: true, force: true });
  mkdirSync(root, { recursive: true });
  const write = (relative, text) => {
    const file = path.join(root, relative);
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, text);
  };
  const json = (value) => `${JSON.stringify(value, null, 2)}\n`;

  const npmVersion = safeExec('npm', ['--version']) || '11.0.0';
  write('package.json', json({
    name: 'cctrial-bench-repo',
    private: true,
    type: 'module',
    workspaces: ['packages/*'],
    packageManager: `npm@${npmVersion}`,
  }));
  write('nx.json', json({
    targetDefaults: { test: { cache: false } },
    useDaemonProcess: false,
    neverConnectToCloud: true,
  }));
  write('turbo.json', json({ $schema: 'https://turborepo.com/schema.json', tasks: { test: { cache: false } } }));
  write('vitest.config.mjs', `// Vitest runs only the *.vspec.mjs copies of the tests.\nexport default {\n  test: {\n    include: ['packages/*/src/**/*.vspec.mjs'],\n  },\n};\n`);
  write('jest.config.mjs', `// Jest runs only the *.jspec.mjs copies, as native ESM (node --experimental-vm-modules).\nexport default {\n  testMatch: ['<rootDir>/packages/*/src/**/*.jspec.mjs'],\n  moduleFileExtensions: ['mjs', 'js', 'cjs', 'json'],\n  transform: {},\n  testEnvironment: 'node',\n  watchPathIgnorePatterns: ['<rootDir>/packages/pkg-0/storm/', '<rootDir>/packages/pkg-0/probe/'],\n};\n`);
  write('.gitignore', 'node_modules/\n.nx/\n.turbo/\n.bench-shape.json\n');

  // The shared package: a few modules behind one entry point.
  write('packages/shared/package.json', json({ name: '@bench/shared', version: '1.0.0', private: true, type: 'module', exports: './index.mjs' }));
  write('packages/shared/index.mjs', `export { add, scale } from './lib/math.mjs';\nexport { label, pad } from './lib/text.mjs';\nexport { checksum } from './lib/hash.mjs';\n`);
  write('packages/shared/lib/math.mjs', `export function add(a, b) {\n  return a + b;\n}\n\nexport function scale(values, factor) {\n  return values.map((value) => value * factor);\n}\n`);
  write('packages/shared/lib/text.mjs', `export function label(pkg, mod, n) {\n  return \`\${pkg}/\${mod}#\${n}\`;\n}\n\nexport function pad(value, width) {\n  return String(value).padStart(width, '0');\n}\n`);
  write('packages/shared/lib/hash.mjs', `export function checksum(text) {\n  let sum = 0;\n  for (const char of text) sum = (sum * 31 + char.charCodeAt(0)) >>> 0;\n  return sum;\n}\n`);

  for (let p = 0; p < shape.packages; p++) {
    const pkg = `pkg-${p}`;
    const base = `packages/${pkg}`;
    write(`${base}/package.json`, json({
      name: `@bench/${pkg}`,
      version: '1.0.0',
      private: true,
      type: 'module',
      scripts: { test: 'node --test' },
      dependencies: { '@bench/shared': '*' },
    }));
    if (p === 0) write(TARGET.module, fixmeSource(true));
    for (let f = 0; f < shape.files; f++) {
      const mod = `mod-${f}`;
      write(`${base}/src/${mod}.mjs`, moduleSource(pkg, mod, f));
      const target = p === 0 && f === 0;
      write(`${base}/src/${mod}.test.mjs`, testSource('node', pkg, mod, f, shape.tests, target));
      write(`${base}/src/${mod}.vspec.mjs`, testSource('vitest', pkg, mod, f, shape.tests, target));
      write(`${base}/src/${mod}.jspec.mjs`, testSource('jest', pkg, mod, f, shape.tests, target));
    }
    for (let l = 0; l < shape.libs; l++) {
      write(`${base}/src/lib/g-${l % 10}/l-${l}.mjs`, `export const id = '${pkg}/l-${l}';\n\nexport function value(n) {\n  return n * ${l + 1};\n}\n`);
    }
  }
  log(`wrote ${describe(shape)} to ${root} in ${Math.round(performance.now() - started)} ms`);

  // Workspace links (and a package-lock.json, which turbo reads) the ordinary way; no network needed.
  const npm = runQuiet('npm', ['install', '--offline', '--ignore-scripts', '--no-audit', '--no-fund', '--loglevel=error'], root);
  if (!npm.ok) {
    log(`npm install --offline failed (${npm.message.trim().split('\n').pop()}); writing node_modules links by hand`);
    linkWorkspaces(root, shape.packages);
  }
  for (const name of RUNNER_LINKS) {
    const from = path.join(REPO_ROOT, 'node_modules', name);
    const to = path.join(root, 'node_modules', name);
    if (!existsSync(from)) throw new Error(`${name} is not installed in ${REPO_ROOT}/node_modules: run npm ci at the repository root`);
    mkdirSync(path.dirname(to), { recursive: true });
    rmSync(to, { recursive: true, force: true });
    symlinkSync(from, to, 'dir');
  }

  const git = (...args) => execFileSync('git', ['-c', 'user.email=bench@example.invalid', '-c', 'user.name=bench', '-c', 'commit.gpgsign=false', ...args], { cwd: root, stdio: 'ignore' });
  git('init', '-q');
  git('add', '-A');
  git('commit', '-q', '-m', 'generated');

  writeFileSync(stampFile, JSON.stringify(stamp));
  log(`generated in ${Math.round(performance.now() - started)} ms`);
  return { root, ...shape, fileCount: countFiles(shape) };
}

function describe(shape) {
  const libs = shape.libs ? ` + ${shape.libs} other source files per package` : '';
  return `${shape.packages} packages × ${shape.files} test files × ${shape.tests} tests${libs}, ${countFiles(shape)} files`;
}

/** Source files in packages/ (manifests included). */
function countFiles(shape) {
  return shape.packages * (shape.files * 4 + shape.libs + 1) + 1 + 5;
}

function moduleSource(pkg, mod, f) {
  return `import { add, checksum, label, pad, scale } from '@bench/shared';

export const NAME = label('${pkg}', '${mod}', ${f});

export function compute(n) {
  return add(n, ${f});
}

export function series(n) {
  return scale(Array.from({ length: n }, (_, i) => i), ${f + 1});
}

export function id(n) {
  return \`\${NAME}:\${pad(n, 4)}:\${checksum(NAME + n)}\`;
}
`;
}

const HEADERS = {
  node: `import { test } from 'node:test';\n`,
  vitest: `import { test } from 'vitest';\n`,
  jest: `import { test } from '@jest/globals';\n`,
};

function testSource(runner, pkg, mod, f, count, target) {
  const lines = [HEADERS[runner], `import assert from 'node:assert/strict';`, `import { compute, id, series } from './${mod}.mjs';`];
  if (target) lines.push(`import { answer } from './fixme.mjs';`);
  lines.push('');
  for (let t = 0; t < count; t++) {
    if (target && t === 0) {
      lines.push(`test('${TARGET.name}', () => {\n  assert.equal(answer(), 42);\n});\n`);
      continue;
    }
    lines.push(`test('${pkg} ${mod} case ${t}', () => {
  assert.equal(compute(${t}), ${t + f});
  assert.equal(series(${t % 5 + 1}).length, ${t % 5 + 1});
  assert.match(id(${t}), /^${pkg}\\/${mod}#${f}:${String(t).padStart(4, '0')}:\\d+$/);
});
`);
  }
  return lines.join('\n');
}

function linkWorkspaces(root, count) {
  const scope = path.join(root, 'node_modules/@bench');
  mkdirSync(scope, { recursive: true });
  symlinkSync('../../packages/shared', path.join(scope, 'shared'), 'dir');
  for (let p = 0; p < count; p++) symlinkSync(`../../packages/pkg-${p}`, path.join(scope, `pkg-${p}`), 'dir');
}

function runQuiet(command, args, cwd) {
  try {
    execFileSync(command, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8' });
    return { ok: true, message: '' };
  } catch (error) {
    return { ok: false, message: String(error.stderr || error.message) };
  }
}

function safeExec(command, args) {
  try {
    return execFileSync(command, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return '';
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { values } = parseArgs({
    options: {
      preset: { type: 'string', default: 'default' },
      packages: { type: 'string' },
      files: { type: 'string' },
      tests: { type: 'string' },
      libs: { type: 'string' },
      dir: { type: 'string' },
      force: { type: 'boolean', default: false },
    },
  });
  const int = (value) => (value === undefined ? undefined : Number.parseInt(value, 10));
  const result = generate({
    preset: values.preset,
    packages: int(values.packages),
    files: int(values.files),
    tests: int(values.tests),
    libs: int(values.libs),
    dir: values.dir,
    force: values.force,
    log: (message) => console.error(`generate: ${message}`),
  });
  console.log(result.root);
}
