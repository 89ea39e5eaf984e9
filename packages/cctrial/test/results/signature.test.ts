/** Signatures: what makes two failures "the same root cause". */
import assert from 'node:assert/strict';
import os from 'node:os';
import { describe, it } from 'node:test';
import { errorSignature, normaliseMessage } from '../../src/results/signature.js';

const ROOT = '/work/repo';

describe('normaliseMessage', () => {
  it('replaces ISO dates, with or without milliseconds and offsets', () => {
    assert.equal(normaliseMessage('at 2026-01-02T03:04:05Z, 2026-01-02T03:04:05.123Z and 2026-01-02T03:04:05+0130', ROOT), 'at <date>, <date> and <date>');
  });

  it('replaces uuids in either case', () => {
    assert.equal(normaliseMessage('id 123e4567-e89b-12d3-a456-426614174000 / 123E4567-E89B-12D3-A456-426614174000', ROOT), 'id <uuid> / <uuid>');
  });

  it('replaces long hex addresses but keeps short hex numbers', () => {
    assert.equal(normaliseMessage('object at 0x7ffee4c3a9b0, flag 0xff', ROOT), 'object at <address>, flag 0xff');
  });

  it('replaces hex ids of 12 or more digits that mix letters and digits, and Date.now() timestamps', () => {
    assert.equal(normaliseMessage('commit 3f2a9c1b7e4d0a6f8b2c not found; object 65a1f0c2e3b4d5a6f7e8d9c0', ROOT), 'commit <hex> not found; object <hex>');
    assert.equal(normaliseMessage('token expired at 1764770400123', ROOT), 'token expired at <timestamp>');
  });

  it('keeps hex-looking words, short ids and other long numbers', () => {
    const message = 'facadebeaded 9f3a 123456789012 and 98765432109876 bytes';
    assert.equal(normaliseMessage(message, ROOT), message);
  });

  it('replaces ports on the local machine, and keeps remote hosts and their ports', () => {
    assert.equal(
      normaliseMessage('connect ECONNREFUSED 127.0.0.1:54321; http://localhost:38123/api; [::1]:4000; 0.0.0.0:80; db.example.com:5432', ROOT),
      'connect ECONNREFUSED 127.0.0.1:<port>; http://localhost:<port>/api; [::1]:<port>; 0.0.0.0:<port>; db.example.com:5432',
    );
  });

  it('replaces the folder made under the temporary folder, and keeps the path within it', () => {
    const tmp = os.tmpdir();
    assert.equal(normaliseMessage(`ENOENT: no such file, open '${tmp}/e2e-Xy12ab/out/report.json'`, ROOT), "ENOENT: no such file, open '<tmp>/out/report.json'");
    assert.equal(normaliseMessage(`ENOENT: no such file, open '${tmp}/e2e-Qq98zz/out/report.json'`, ROOT), "ENOENT: no such file, open '<tmp>/out/report.json'");
    assert.notEqual(normaliseMessage(`missing ${tmp}/a1/out/one.json`, ROOT), normaliseMessage(`missing ${tmp}/b2/out/two.json`, ROOT));
    // A file right under the temporary folder is no mkdtemp folder: its name is kept.
    assert.equal(normaliseMessage(`connect ENOENT ${tmp}/app.sock`, ROOT), `connect ENOENT ${tmp}/app.sock`);
  });

  it('keeps numbers, names and plain dates, which may be the point of the failure', () => {
    const message = 'expected 42 items for user 1007 on 2026-01-02';
    assert.equal(normaliseMessage(message, ROOT), message);
  });

  it('makes paths under the workspace root relative, and trims', () => {
    assert.equal(normaliseMessage(`  cannot read ${ROOT}/packages/a/config.json\n`, ROOT), 'cannot read packages/a/config.json');
  });

  it('drops the importer from module errors, whatever its path holds: one missing module is one cause', () => {
    for (const importer of [`${ROOT}/test/a.test.js`, `${ROOT}/my dir #1 %20 'q' ünï/test/b.test.js`]) {
      assert.equal(normaliseMessage(`Cannot find module '${ROOT}/lib/nope.js' imported from ${importer}`, ROOT), "Cannot find module 'lib/nope.js'");
      assert.equal(
        normaliseMessage(`Cannot find module '${ROOT}/lib/nope' imported from ${importer}\nDid you mean to import "./nope.js"?`, ROOT),
        "Cannot find module 'lib/nope'\nDid you mean to import \"./nope.js\"?",
      );
      assert.equal(
        normaliseMessage(`Invalid package config ${ROOT}/lib/package.json while importing "@fx/lib" from ${importer}. Unexpected token } in JSON`, ROOT),
        'Invalid package config lib/package.json. Unexpected token } in JSON',
      );
    }
  });

  it('leaves paths outside the root alone, even with the root as a prefix', () => {
    assert.equal(normaliseMessage(`cannot read ${ROOT}-copy/a.json`, ROOT), `cannot read ${ROOT}-copy/a.json`);
  });
});

describe('errorSignature', () => {
  it('is type, normalised message and the first user frame of the stack', () => {
    const stack = [
      'TypeError: bad at 2026-01-02T03:04:05Z',
      '    at check (node:internal/util:10:3)',
      `    at validate (${ROOT}/node_modules/lib/index.js:5:5)`,
      `    at load (file://${ROOT}/packages/app/src/load.js:12:7)`,
      `    at TestContext.<anonymous> (${ROOT}/packages/app/test/load.test.js:4:3)`,
    ].join('\n');
    assert.equal(errorSignature({ type: 'TypeError', message: 'bad at 2026-01-02T03:04:05Z', stack }, ROOT, 'fallback.js:1:1'), 'TypeError: bad at <date> @ packages/app/src/load.js:12:7');
  });

  it('uses the fallback site when the stack has no user frame', () => {
    assert.equal(errorSignature({ type: 'Error', message: 'm', stack: 'Error: m\n    at node:internal/x:1:1' }, ROOT, 't.test.js:3:1'), 'Error: m @ t.test.js:3:1');
    assert.equal(errorSignature({ type: 'string', message: "'thrown text'" }, ROOT, 't.test.js:3:1'), "string: 'thrown text' @ t.test.js:3:1");
  });

  it('a dependency that throws with no user frame is one cause for every test file: its own frame is the site, whatever the layout', () => {
    const message = "Cannot find module '@swc-node/register/esm-register'";
    const stackIn = (modules: string) => `Error: ${message}\n    at resolve (${modules}/@swc-node/register/esm.mts:214:11)\n    at node:internal/modules/esm/hooks:1:1`;
    const signatures = [
      errorSignature({ type: 'Error', message, stack: stackIn(`${ROOT}/node_modules`) }, ROOT, 'packages/a/a.spec.ts:1:1'),
      errorSignature({ type: 'Error', message, stack: stackIn(`${ROOT}/node_modules/.pnpm/@swc-node+register@1.10.0/node_modules`) }, ROOT, 'packages/a/b.spec.ts:1:1'),
    ];
    assert.deepEqual(signatures, Array(2).fill(`Error: ${message} @ @swc-node/register/esm.mts:214:11`));
    // Another place in the dependency is another cause.
    const elsewhere = errorSignature({ type: 'Error', message, stack: stackIn(`${ROOT}/node_modules`).replace(':214:11', ':90:3') }, ROOT, 'packages/a/a.spec.ts:1:1');
    assert.notEqual(elsewhere, signatures[0]);
  });

  it("a broken package.json is one cause for every file it breaks: Node 20's bare SyntaxError groups like later versions' code", () => {
    const stack = 'SyntaxError: Error parsing x\n    at parse (<anonymous>)\n    at read (node:internal/modules/package_json_reader:80:16)';
    const message = `Error parsing ${ROOT}/packages/app/package.json: Expected double-quoted property name in JSON at position 39`;
    const sites = ['packages/app/test/a.test.js:1:1', 'packages/app/test/b.test.js:1:1'].map((fallback) => errorSignature({ type: 'SyntaxError', message, stack }, ROOT, fallback));
    assert.deepEqual(sites, Array(2).fill('SyntaxError: Error parsing packages/app/package.json: Expected double-quoted property name in JSON at position 39 @ ERR_INVALID_PACKAGE_CONFIG'));
  });

  it('still has a signature without an error', () => {
    assert.equal(errorSignature(undefined, ROOT, 't.test.js:9:1'), 'unknown error @ t.test.js:9:1');
  });
});

describe('errorSignature through wrappers', () => {
  const frame = (site: string) => `    at fn (${ROOT}/${site})`;
  const bug = { type: 'TypeError', message: "Cannot read properties of undefined (reading 'name')", stack: `TypeError: x\n${frame('packages/headers/index.js:4:11')}` };
  const direct = errorSignature(bug, ROOT, 'a.test.js:1:1');

  it('groups a wrapper by the innermost cause thrown in user code: one group with the tests that hit the bug directly', () => {
    const wrapper = { type: 'FormDataParseError', message: 'could not parse the form', stack: `FormDataParseError: could not parse\n${frame('packages/form/parse.js:9:13')}`, cause: bug };
    assert.equal(errorSignature(wrapper, ROOT, 'b.test.js:1:1'), direct);
    const twice = { type: 'RequestError', message: 'request failed', stack: `RequestError: request failed\n${frame('packages/server/handle.js:3:3')}`, cause: wrapper };
    assert.equal(errorSignature(twice, ROOT, 'c.test.js:1:1'), direct);
  });

  it('keeps the wrapper when its cause was thrown only inside Node or a dependency', () => {
    const inner = { type: 'Error', message: 'connect ECONNREFUSED 127.0.0.1:5432', stack: 'Error: connect ECONNREFUSED\n    at TCPConnectWrap.afterConnect (node:net:1:1)' };
    const wrapper = { type: 'DbError', message: 'database down', stack: `DbError: database down\n${frame('packages/db/pool.js:7:9')}`, cause: inner };
    assert.equal(errorSignature(wrapper, ROOT, 'a.test.js:1:1'), 'DbError: database down @ packages/db/pool.js:7:9');
  });

  it('never merges wrappers of two different causes', () => {
    const other = { ...bug, stack: `TypeError: x\n${frame('packages/headers/index.js:20:5')}` };
    const wrap = (cause: typeof bug) => ({ type: 'ParseError', message: 'bad', stack: `ParseError: bad\n${frame('packages/form/parse.js:9:13')}`, cause });
    assert.notEqual(errorSignature(wrap(bug), ROOT, 'a.test.js:1:1'), errorSignature(wrap(other), ROOT, 'a.test.js:1:1'));
  });
});

describe('errorSignature of assertions', () => {
  const at = `    at TestContext.<anonymous> (${ROOT}/packages/app/test/cases.test.js:5:40)`;
  const failed = (message: string, operator: string, generatedMessage: boolean) => ({ type: 'AssertionError', message, operator, stack: `AssertionError: x\n${at}`, ...(generatedMessage ? { generatedMessage: true as const } : {}) });

  it("groups node:assert's own messages by assertion and site, whatever the values", () => {
    const one = errorSignature(failed('Expected values to be strictly equal:\n\n3 !== 2\n', 'strictEqual', true), ROOT, 'x:1:1');
    assert.equal(one, 'AssertionError: Expected values to be strictly equal: @ packages/app/test/cases.test.js:5:40');
    assert.equal(errorSignature(failed('Expected values to be strictly equal:\n\n9 !== 6\n', 'strictEqual', true), ROOT, 'x:1:1'), one);
    // A first line that holds a value gives the assertion's name instead.
    assert.equal(errorSignature(failed('Expected "actual" to be strictly unequal to: 2', 'notStrictEqual', true), ROOT, 'x:1:1'), 'AssertionError: (notStrictEqual) @ packages/app/test/cases.test.js:5:40');
  });

  it("keeps a message of the test's own, which may be the point", () => {
    assert.notEqual(errorSignature(failed('total was 3', 'strictEqual', false), ROOT, 'x:1:1'), errorSignature(failed('total was 9', 'strictEqual', false), ROOT, 'x:1:1'));
  });
});
