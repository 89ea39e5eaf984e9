import assert from 'node:assert/strict';
import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { startCacheServer, type CacheServer } from '../src/cache-server.js';
import { json, nodeTest, writeFixture, type FileTree } from '../src/fixture.js';
import { npmInstallPacked } from '../src/install.js';
import { run, type CctrialEvent } from '../src/run.js';

/**
 * Three packages: `mid` depends on `base`, `other` stands alone. Each test appends its project's
 * name to `ranLog`, outside both clones: a line there is a test process that really ran.
 */
function workspace(ranLog: string): FileTree {
  const testOf = (name: string, imports = '') =>
    nodeTest(`import { appendFileSync } from 'node:fs';\n${imports}`, `test('${name} works', () => { appendFileSync(${JSON.stringify(ranLog)}, '${name}\\n'); assert.ok(true); });`);
  return {
    'package.json': json({ name: 'via-nx', private: true, workspaces: ['packages/*'] }),
    'nx.json': json({ analytics: false, neverConnectToCloud: true, useDaemonProcess: false, plugins: ['@cctrial/nx'] }),
    'packages/base/package.json': json({ name: '@ws/base', version: '1.0.0', type: 'module', exports: './index.js' }),
    'packages/base/index.js': 'export const base = 1;\n',
    'packages/base/test/base.test.js': testOf('base', "import { base } from '../index.js';"),
    'packages/mid/package.json': json({ name: '@ws/mid', version: '1.0.0', type: 'module', dependencies: { '@ws/base': '*' } }),
    'packages/mid/test/mid.test.js': testOf('mid', "import { base } from '@ws/base';"),
    'packages/other/package.json': json({ name: '@ws/other', version: '1.0.0', type: 'module' }),
    'packages/other/test/other.test.js': testOf('other'),
  };
}

const cachedByProject = (events: CctrialEvent[]) =>
  Object.fromEntries(events.filter((event) => event.type === 'project:results').map((event) => [event.project as string, event.cached as boolean]));

describe('cctrial --via nx: the suite step through nx run-many and a remote cache shared by two clones', () => {
  const scratch = writeFixture('via-nx-scratch', {});
  const ranLog = path.join(scratch, 'ran.log');
  const ran = () => (existsSync(ranLog) ? readFileSync(ranLog, 'utf8').split('\n').filter(Boolean).sort() : []);
  // Two machines: the same files in two folders, each installed on its own.
  const cloneA = writeFixture('via-nx-a', workspace(ranLog));
  const cloneB = writeFixture('via-nx-b', workspace(ranLog));
  let cache: CacheServer;
  before(async () => {
    cache = await startCacheServer();
    await Promise.all([npmInstallPacked(cloneA), npmInstallPacked(cloneB)]);
  });
  after(() => cache.close());

  const viaNx = async (root: string) => {
    const result = await run(path.join(root, 'node_modules/.bin/cctrial'), ['--via', 'nx', '--once', '--json', '--no-notify'], root, { NX_SELF_HOSTED_REMOTE_CACHE_SERVER: cache.url });
    assert.equal(result.code, 0, result.stdout + result.stderr);
    const runEnd = result.events.find((event) => event.type === 'run:end');
    assert.equal(runEnd?.passed, 3, result.stdout);
    return { cached: cachedByProject(result.events) };
  };

  test('clone A runs every project through Nx; the results go to the remote cache', async () => {
    const { cached } = await viaNx(cloneA);
    assert.deepEqual(cached, { '@ws/base': false, '@ws/mid': false, '@ws/other': false });
    assert.deepEqual(ran(), ['base', 'mid', 'other']);
    assert.equal(cache.requests.filter((request) => request.startsWith('PUT')).length >= 3, true, cache.requests.join('\n'));
  });

  test("clone B, same commit: every project's results come from the cache, and no test process starts", async () => {
    const { cached } = await viaNx(cloneB);
    assert.deepEqual(cached, { '@ws/base': true, '@ws/mid': true, '@ws/other': true });
    assert.deepEqual(ran(), ['base', 'mid', 'other'], 'no test ran again');
  });

  test('a change in base runs base and mid, which depends on it, again; other comes from the cache', async () => {
    appendFileSync(path.join(cloneB, 'packages/base/index.js'), '// changed on machine B\n');
    const { cached } = await viaNx(cloneB);
    assert.deepEqual(cached, { '@ws/base': false, '@ws/mid': false, '@ws/other': true });
    assert.deepEqual(ran(), ['base', 'base', 'mid', 'mid', 'other']);
  });
});
