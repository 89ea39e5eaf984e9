/** Turning thrown values into plain data that crosses the process boundary. */
import assert from 'node:assert/strict';
import { AssertionError } from 'node:assert';
import { describe, it } from 'node:test';
import { capText, ERROR_LIMITS, serializeError } from '../../src/child/serialize-error.js';

describe('serializeError', () => {
  it('keeps type, message, stack and code', () => {
    const error = Object.assign(new RangeError('out of range'), { code: 'E_RANGE' });
    const serialized = serializeError(error);
    assert.equal(serialized.type, 'RangeError');
    assert.equal(serialized.message, 'out of range');
    assert.equal(serialized.code, 'E_RANGE');
    assert.equal(serialized.stack, error.stack);
  });

  it('keeps the assertion data as inspected text', () => {
    const error = new AssertionError({ actual: { a: 1 }, expected: { a: 2 }, operator: 'deepStrictEqual' });
    const serialized = serializeError(error);
    assert.equal(serialized.type, 'AssertionError');
    assert.equal(serialized.actual, '{ a: 1 }');
    assert.equal(serialized.expected, '{ a: 2 }');
    assert.equal(serialized.operator, 'deepStrictEqual');
    assert.equal(serialized.generatedMessage, true);
    assert.equal(serializeError(new AssertionError({ message: 'totals differ', actual: 1, expected: 2, operator: 'strictEqual' })).generatedMessage, undefined);
  });

  it('names an error by its class when the class forgot to set name', () => {
    class DatabaseError extends Error {}
    assert.equal(serializeError(new DatabaseError('down')).type, 'DatabaseError');
    assert.equal(serializeError(Object.assign(new Error('x'), { name: 'CustomName' })).type, 'CustomName');
  });

  it('follows causes, to a limited depth', () => {
    const root = new Error('root cause');
    const serialized = serializeError(new Error('outer', { cause: new TypeError('middle', { cause: root }) }));
    assert.equal(serialized.cause?.type, 'TypeError');
    assert.equal(serialized.cause?.cause?.message, 'root cause');
    let deep: Error = new Error('level 0');
    for (let level = 1; level <= 10; level++) deep = new Error(`level ${level}`, { cause: deep });
    let depth = 0;
    for (let cause = serializeError(deep).cause; cause; cause = cause.cause) depth++;
    assert.equal(depth, 5);
  });

  it('survives a cause cycle', () => {
    const a: Error & { cause?: unknown } = new Error('a');
    a.cause = new Error('b', { cause: a });
    assert.doesNotThrow(() => JSON.stringify(serializeError(a)));
  });

  it('describes thrown non-errors by type and inspected value', () => {
    assert.deepEqual(serializeError('just text'), { type: 'string', message: "'just text'" });
    assert.deepEqual(serializeError(null), { type: 'null', message: 'null' });
    assert.deepEqual(serializeError(42), { type: 'number', message: '42' });
    assert.deepEqual(serializeError({ reason: 'x' }), { type: 'object', message: "{ reason: 'x' }" });
  });

  it('treats an error-like object from another realm as an error', () => {
    const serialized = serializeError({ name: 'TypeError', message: 'foreign', stack: 'TypeError: foreign\n    at x (/a.js:1:1)' });
    assert.equal(serialized.type, 'TypeError');
    assert.equal(serialized.message, 'foreign');
  });

  it('never throws, whatever it is given', () => {
    const throwingHandler = new Proxy({}, { get: () => () => { throw new Error('trap'); } });
    const { proxy, revoke } = Proxy.revocable(new Error('r'), {});
    revoke();
    for (const value of [new Proxy({}, throwingHandler), new Proxy(new Error('p'), throwingHandler), proxy]) {
      const serialized = serializeError(value);
      assert.equal(typeof serialized.message, 'string');
    }
  });

  it('cuts long texts by UTF-8 bytes, with a marker saying how much went', () => {
    assert.equal(capText('short', 10), 'short');
    assert.equal(capText('é'.repeat(10), 5), 'éé… 16 bytes cut');
    const serialized = serializeError(new Error('m'.repeat(ERROR_LIMITS.messageBytes + 1000)));
    assert.match(serialized.message, /m… 1,000 bytes cut$/);
    assert.ok(Buffer.byteLength(serialized.stack ?? '') <= ERROR_LIMITS.stackBytes + 100);
    assert.match(serialized.stack ?? '', /\n\s+at /);
  });

  it('bounds inner errors and causes, however nested', () => {
    const nest = (level: number): Error => new AggregateError(level === 0 ? [] : Array.from({ length: 10 }, () => nest(level - 1)), `level ${level}`);
    let count = 0;
    const walk = (error: { cause?: unknown; errors?: unknown[] } | undefined): void => {
      if (!error) return;
      count++;
      walk(error.cause as typeof error);
      for (const inner of error.errors ?? []) walk(inner as typeof error);
    };
    walk(serializeError(nest(3)));
    assert.equal(count, 1 + ERROR_LIMITS.nestedErrors);
  });
});
