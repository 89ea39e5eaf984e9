import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, test } from 'node:test';
import { tsconfigEnv } from '../../src/executors/cctrial/tsconfig-env';
import { writeFolder } from '../helpers/workspace';

describe('tsconfigEnv', () => {
  test("one project with a tsconfig.json: tsx reads that project's file", () => {
    const root = writeFolder({ 'tsconfig.base.json': '{}', 'apps/app/tsconfig.json': '{}' });
    assert.deepEqual(tsconfigEnv(root, ['apps/app'], {}), { TSX_TSCONFIG_PATH: path.join(root, 'apps/app/tsconfig.json') });
  });

  test('an integrated repo without a root tsconfig.json: tsx reads tsconfig.base.json, where the paths are', () => {
    const root = writeFolder({ 'tsconfig.base.json': '{}', 'apps/app/tsconfig.json': '{}' });
    assert.deepEqual(tsconfigEnv(root, ['apps/app', 'libs/lib-a'], {}), { TSX_TSCONFIG_PATH: path.join(root, 'tsconfig.base.json') });
    assert.deepEqual(tsconfigEnv(root, ['libs/lib-a'], {}), { TSX_TSCONFIG_PATH: path.join(root, 'tsconfig.base.json') });
  });

  test("a root tsconfig.json is what tsx finds by itself, so nothing is added", () => {
    const root = writeFolder({ 'tsconfig.json': '{}', 'tsconfig.base.json': '{}' });
    assert.deepEqual(tsconfigEnv(root, ['apps/app'], {}), {});
  });

  test("the user's own TSX_TSCONFIG_PATH wins, and a repo without TypeScript gets nothing", () => {
    const root = writeFolder({ 'tsconfig.base.json': '{}', 'apps/app/tsconfig.json': '{}' });
    assert.deepEqual(tsconfigEnv(root, ['apps/app'], { TSX_TSCONFIG_PATH: 'mine.json' }), {});
    assert.deepEqual(tsconfigEnv(writeFolder({ 'package.json': '{}' }), ['packages/app'], {}), {});
  });
});
