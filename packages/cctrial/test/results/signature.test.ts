/** Signatures: what makes two failures "the same root cause". */
import assert from 'node:assert/strict';
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
