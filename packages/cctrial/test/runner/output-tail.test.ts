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
    assert.equal(tail.toString(), '[... 6 earlier bytes not kept ...]\n6789abcdef');
  });

  it('drops whole chunks and cuts into the first kept one', () => {
    const tail = new OutputTail(5);
    for (const chunk of ['aaa', 'bbb', 'ccc', 'ddd']) tail.push(Buffer.from(chunk));
    assert.equal(tail.toString(), '[... 7 earlier bytes not kept ...]\nccddd');
  });

  it('copes with one chunk larger than the limit', () => {
    const tail = new OutputTail(4);
    tail.push(Buffer.from('x'.repeat(1000) + 'tail'));
    assert.equal(tail.toString(), '[... 1000 earlier bytes not kept ...]\ntail');
  });

  it('is empty before any output', () => {
    assert.equal(new OutputTail(10).toString(), '');
  });
});
