/** Keeping the end of a child's output within a byte limit. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { OutputTail } from '../../src/runner/output-tail.js';

describe('OutputTail', () => {
  it('keeps everything under the limit, unmarked', () => {
    const tail = new OutputTail(100);
    tail.push(Buffer.from('hello '));
    tail.push(Buffer.from('world'));
    assert.equal(tail.toString(), 'hello world');
  });

  it('keeps exactly the last bytes, and says how many it dropped', () => {
    const tail = new OutputTail(10);
    tail.push(Buffer.from('0123456789'));
    tail.push(Buffer.from('abcdef'));
    assert.equal(tail.toString(), '… 6 earlier bytes cut\n6789abcdef');
  });

  it('drops whole chunks and cuts into the first kept one', () => {
    const tail = new OutputTail(5);
    for (const chunk of ['aaa', 'bbb', 'ccc', 'ddd']) tail.push(Buffer.from(chunk));
    assert.equal(tail.toString(), '… 7 earlier bytes cut\nccddd');
  });

  it('copes with one chunk larger than the limit', () => {
    const tail = new OutputTail(4);
    tail.push(Buffer.from('x'.repeat(1000) + 'tail'));
    assert.equal(tail.toString(), '… 1,000 earlier bytes cut\ntail');
  });

  it('never starts inside a character: the bytes of a character that was cut go with the cut', () => {
    const tail = new OutputTail(4);
    tail.push(Buffer.from('aé€')); // 1 + 2 + 3 bytes: the last 4 start in the middle of é
    assert.equal(tail.toString(), '… 3 earlier bytes cut\n€');
  });

  it('is empty before any output', () => {
    assert.equal(new OutputTail(10).toString(), '');
  });
});
