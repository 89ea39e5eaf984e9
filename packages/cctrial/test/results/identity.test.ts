/** Test identity: keys, equality and display names. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatTestName, testKey } from '../../src/results/identity.js';
import type { TestId } from '../../src/results/types.js';

const id = (path: string[], occurrence = 0, file = 'a.test.js'): TestId => ({ project: 'app', file, path, occurrence });

describe('identity', () => {
  it('tells tests apart by project, file, path and occurrence', () => {
    assert.equal(testKey(id(['s', 't'])), testKey(id(['s', 't'])));
    assert.notEqual(testKey(id(['s', 't'])), testKey(id(['s', 't'], 1)));
    assert.notEqual(testKey(id(['s', 't'])), testKey(id(['s', 't'], 0, 'b.test.js')));
    assert.notEqual(testKey(id(['s', 't'])), testKey({ ...id(['s', 't']), project: 'other' }));
  });

  it('does not confuse paths whose joined names are equal', () => {
    assert.notEqual(testKey(id(['a b', 'c'])), testKey(id(['a', 'b c'])));
    assert.notEqual(testKey(id(['a', 'b'])), testKey(id(['a b'])));
  });

  it('names a test by file and path, numbering repeats from 2', () => {
    assert.equal(formatTestName(id(['suite', 'test'])), 'a.test.js › suite › test');
    assert.equal(formatTestName(id(['suite', 'test'], 1)), 'a.test.js › suite › test (2)');
    assert.equal(formatTestName(id([])), 'a.test.js');
  });
});
