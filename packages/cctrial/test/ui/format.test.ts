/** The text blocks of the report: ui/format.ts. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatComparison } from '../../src/ui/format.js';

describe('formatComparison', () => {
  it('shows expected and actual when the message does not', () => {
    const text = formatComparison({ type: 'AssertionError', message: 'Expected values to be strictly equal', stack: '', expected: "'BOOK'", actual: "'book'", operator: 'strictEqual' });
    assert.match(text, /expected: 'BOOK'/);
    assert.match(text, /actual: {3}'book'/);
  });

  it('shows nothing for assert.fail(message), which compares nothing', () => {
    assert.equal(formatComparison({ type: 'AssertionError', message: 'wide', stack: '', expected: 'undefined', actual: 'undefined', operator: 'fail' }), '');
  });
});
