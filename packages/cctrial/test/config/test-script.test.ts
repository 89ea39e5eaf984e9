/** Reading test scripts in the forms real repos write them. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { readTestScript, type Scripts } from '../../src/config/test-script.js';

const read = (test: string, others: Scripts = {}) => readTestScript({ test, ...others });

describe('readTestScript', () => {
  it('takes node flags, test flags and globs, and drops the flags that only shape output', () => {
    const reading = read(
      "node --no-warnings --import=./test/snapshots.mjs --experimental-test-module-mocks --test --test-reporter=lcov --test-reporter-destination=./coverage.lcov --test-concurrency 4 --experimental-test-coverage --test-isolation=none --test-timeout 5000 'packages/**/*.spec.mjs' ./src/*.test.js",
    );
    assert.equal(reading.kind, 'node-test');
    if (reading.kind !== 'node-test') return;
    assert.equal(reading.launcher, 'node');
    assert.deepEqual(reading.nodeArgs, ['--no-warnings', '--import=./test/snapshots.mjs', '--experimental-test-module-mocks', '--test-timeout=5000']);
    assert.deepEqual(reading.droppedArgs, ['--test-reporter=lcov', '--test-reporter-destination=./coverage.lcov', '--test-concurrency=4', '--experimental-test-coverage', '--test-isolation=none']);
    assert.deepEqual(reading.globs, [
      { pattern: 'packages/**/*.spec.mjs', shell: false },
      { pattern: './src/*.test.js', shell: true },
    ]);
  });

  it('takes leading assignments, env and cross-env as the environment', () => {
    for (const script of ['NODE_ENV=test A=1 node --test', 'cross-env NODE_ENV=test A=1 node --test', 'env NODE_ENV=test A=1 node --test']) {
      const reading = read(script);
      assert.equal(reading.kind, 'node-test', script);
      if (reading.kind === 'node-test') assert.deepEqual(reading.env, { NODE_ENV: 'test', A: '1' }, script);
    }
  });

  it('reads tsx --test, and c8 or npx in front of the command', () => {
    assert.deepEqual(pick(read('tsx --test src/**/*.test.tsx')), { kind: 'node-test', launcher: 'tsx' });
    assert.deepEqual(pick(read('c8 --reporter lcov node --test')), { kind: 'node-test', launcher: 'node' });
    assert.deepEqual(pick(read('npx tsx --test')), { kind: 'node-test', launcher: 'tsx' });
    // Seen in nearform/the-fastify-workshop.
    const workshop = read('npx c8 node --test -r ts-node/register ./test/*.test.ts');
    assert.deepEqual(workshop.kind === 'node-test' ? [workshop.nodeArgs, workshop.globs] : undefined, [['--require=ts-node/register'], [{ pattern: './test/*.test.ts', shell: true }]]);
    assert.deepEqual(pick(read('c8 --check-coverage --100 node --test')), { kind: 'node-test', launcher: 'node' });
  });

  it('follows npm run, node --run with extra arguments, and && chains past build steps', () => {
    const reading = read('npm run build && npm run test:unit -- extra.test.js', { build: 'tsc -b', 'test:unit': 'NODE_ENV=test node --test' });
    assert.equal(reading.kind, 'node-test');
    if (reading.kind !== 'node-test') return;
    assert.equal(reading.script, 'test:unit');
    assert.deepEqual(reading.env, { NODE_ENV: 'test' });
    assert.deepEqual(reading.globs, [{ pattern: 'extra.test.js', shell: false }]);
    const viaRun = read("node --run test:all -- './packages/**/*.spec.mjs'", { 'test:all': 'node --test --no-warnings' });
    assert.deepEqual(viaRun.kind === 'node-test' ? viaRun.globs : undefined, [{ pattern: './packages/**/*.spec.mjs', shell: false }]);
  });

  it('names other runners, delegation to the packages, and what it cannot read', () => {
    assert.deepEqual(pick(read('vitest run')), { kind: 'other-runner', runner: 'vitest' });
    assert.deepEqual(pick(read('NODE_ENV=test jest --ci')), { kind: 'other-runner', runner: 'jest' });
    assert.deepEqual(pick(read('turbo run test')), { kind: 'delegates', tool: 'turbo' });
    assert.deepEqual(pick(read('npm test --workspaces --if-present')), { kind: 'delegates', tool: 'npm' });
    const unknown = read('./scripts/run-tests.sh');
    assert.equal(unknown.kind, 'unreadable');
    assert.equal(unknown.kind === 'unreadable' ? unknown.reason : '', 'runs run-tests.sh, not node --test');
    const custom = read('NODE_ENV=test remix-test');
    assert.equal(custom.kind === 'unreadable' ? custom.reason : '', 'runs remix-test, not node --test');
    assert.equal(readTestScript({}).kind, 'none');
    assert.match(JSON.stringify(read('npm run a', { a: 'npm run test' })), /more than 10 deep/);
  });
});

function pick(reading: ReturnType<typeof readTestScript>): Record<string, unknown> {
  const { kind } = reading;
  if (reading.kind === 'node-test') return { kind, launcher: reading.launcher };
  if (reading.kind === 'other-runner') return { kind, runner: reading.runner };
  if (reading.kind === 'delegates') return { kind, tool: reading.tool };
  return { kind };
}
