/** Reading V8 stacks: frames, user frames, throw sites. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { failureLocations, isUserFrame, parseStackFrames, throwSite } from '../../src/results/stack.js';

const ROOT = '/work/repo';

describe('parseStackFrames', () => {
  it('reads named, anonymous and file URL frames, and skips the message and native frames', () => {
    const frames = parseStackFrames(
      [
        'Error: at /not/a/frame.js:1:2 in the message',
        '    at named (/work/repo/a.js:1:2)',
        '    at /work/repo/b.js:3:4',
        '    at file:///work/repo/c%20d.js:5:6',
        '    at async Promise.all (index 0)',
        '    at new Promise (<anonymous>)',
      ].join('\n'),
    );
    assert.deepEqual(
      frames.map(({ file, line, column }) => `${file}:${line}:${column}`),
      ['/work/repo/a.js:1:2', '/work/repo/b.js:3:4', '/work/repo/c d.js:5:6'],
    );
  });

  it('returns no frames for no stack', () => {
    assert.deepEqual(parseStackFrames(undefined), []);
    assert.deepEqual(parseStackFrames(''), []);
  });

  it('reads a function frame whose path has spaces and parentheses', () => {
    const [frame] = parseStackFrames('Error: x\n    at fn (/tmp/my dir (1)/a.js:5:6)');
    assert.equal(frame?.file, '/tmp/my dir (1)/a.js');
  });

  it('reads an anonymous frame whose path has " (" in it', () => {
    const [frame] = parseStackFrames('Error: x\n    at /tmp/my dir (1)/a.js:3:4');
    assert.equal(frame?.file, '/tmp/my dir (1)/a.js');
  });
});

describe('isUserFrame', () => {
  const frame = (file: string) => ({ file, line: 1, column: 1, text: '' });

  it("rejects Node's own frames, dependencies and cctrial's child harness", () => {
    assert.equal(isUserFrame(frame('node:internal/test_runner/test')), false);
    assert.equal(isUserFrame(frame('/work/repo/node_modules/lib/index.js')), false);
    assert.equal(isUserFrame(frame('/opt/cctrial/dist/src/child/entry.js')), false);
    assert.equal(isUserFrame(frame('/opt/cctrial/src/child/modules.ts')), false, 'as a source map names it');
    assert.equal(isUserFrame(frame('relative/file.js')), false);
  });

  it('accepts files of the workspace, linked packages included', () => {
    assert.equal(isUserFrame(frame('/work/repo/packages/a/src/index.js')), true);
    assert.equal(isUserFrame(frame('/elsewhere/linked/index.js')), true);
  });
});

describe('throwSite', () => {
  it('is the first user frame, relative to the root', () => {
    const stack = 'Error: x\n    at node:internal/a:1:1\n    at f (/work/repo/node_modules/x/i.js:1:1)\n    at g (/work/repo/src/g.js:7:3)\n    at h (/work/repo/src/h.js:1:1)';
    assert.equal(throwSite(stack, ROOT), 'src/g.js:7:3');
  });

  it('keeps a linked package outside the root as a relative path', () => {
    assert.equal(throwSite('Error: x\n    at g (/work/other/g.js:7:3)', ROOT), '../other/g.js:7:3');
  });

  it('is undefined when no frame is the user\'s', () => {
    assert.equal(throwSite('Error: x\n    at node:internal/a:1:1', ROOT), undefined);
  });
});

describe('failureLocations', () => {
  const TEST_FILE = 'packages/app/test/a.test.js';

  it('is the deepest frame in the test file, and the throw site when that is elsewhere', () => {
    const stack = 'Error: x\n    at add (/work/repo/packages/math/index.js:2:9)\n    at helper (/work/repo/packages/app/test/a.test.js:9:5)\n    at TestContext.<anonymous> (/work/repo/packages/app/test/a.test.js:4:20)\n    at node:internal/test_runner/test:1:1';
    assert.deepEqual(failureLocations(stack, TEST_FILE, { line: 4, column: 1 }, ROOT), {
      location: { file: TEST_FILE, line: 9, column: 5 },
      thrownAt: { file: 'packages/math/index.js', line: 2, column: 9 },
    });
  });

  it('has no separate throw site for an assertion in the test file itself', () => {
    const stack = 'AssertionError: x\n    at TestContext.<anonymous> (/work/repo/packages/app/test/a.test.js:4:20)';
    assert.deepEqual(failureLocations(stack, TEST_FILE, { line: 4, column: 1 }, ROOT), { location: { file: TEST_FILE, line: 4, column: 20 } });
  });

  it("falls back to the test's declaration when the stack never reaches the test file", () => {
    const stack = 'Error: x\n    at tick (/work/repo/packages/app/src/timer.js:3:11)';
    assert.deepEqual(failureLocations(stack, TEST_FILE, { line: 7, column: 3 }, ROOT), {
      location: { file: TEST_FILE, line: 7, column: 3 },
      thrownAt: { file: 'packages/app/src/timer.js', line: 3, column: 11 },
    });
    assert.deepEqual(failureLocations(undefined, TEST_FILE, {}, ROOT), {});
  });
});
