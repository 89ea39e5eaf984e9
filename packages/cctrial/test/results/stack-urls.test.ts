/** Stack frames and messages that name files by their URL (`file:///…/my%20dir/…`) read as real paths. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';
import { fileUrlsToPaths, parseStackFrames, throwSite } from '../../src/results/stack.js';

const DIR = "/work/my dir #1 %20 'q' ünï";
const FILE = `${DIR}/test/a.test.js`;
const URL_OF_FILE = pathToFileURL(FILE).href;

describe('stack frames and messages with file URLs', () => {
  it('the URL of such a path is encoded: the case these tests are about', () => {
    assert.match(URL_OF_FILE, /my%20dir%20%231%20%2520%20'q'%20%C3%BCn%C3%AF/);
  });

  it('parseStackFrames gives the real path, in the frame and in its text', () => {
    const stack = `Error: boom\n    at fn (${URL_OF_FILE}:3:7)\n    at ${URL_OF_FILE}:9:1\n    at node:internal/x:1:1`;
    const frames = parseStackFrames(stack);
    assert.deepEqual(frames.map((frame) => [frame.file, frame.line, frame.column]), [[FILE, 3, 7], [FILE, 9, 1], ['node:internal/x', 1, 1]]);
    assert.equal(frames[0]!.text, `at fn (${FILE}:3:7)`);
    assert.equal(frames[1]!.text, `at ${FILE}:9:1`);
    assert.equal(throwSite(stack, DIR), 'test/a.test.js:3:7');
  });

  it('fileUrlsToPaths decodes every URL in a text, keeping line, column, brackets and quotes around it', () => {
    assert.equal(fileUrlsToPaths(`at ${URL_OF_FILE}:3:1`), `at ${FILE}:3:1`);
    assert.equal(fileUrlsToPaths(`Cannot load '${URL_OF_FILE}'.`), `Cannot load '${FILE}'.`);
    assert.equal(fileUrlsToPaths(`(${URL_OF_FILE}:3:1) and ${URL_OF_FILE}`), `(${FILE}:3:1) and ${FILE}`);
    assert.equal(fileUrlsToPaths('no url here: /tmp/a%20b'), 'no url here: /tmp/a%20b', 'a path is left as it is, even with a % in it');
  });
});
