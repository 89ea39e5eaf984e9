/**
 * Files that fail as a whole, with real children: they do not load, call process.exit(), crash, throw
 * after their tests ended, fail in a root-level after() hook, or hang until the watchdog kills them.
 */
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { signatureOf } from '../../src/results/group.js';
import { parseStackFrames, throwSite } from '../../src/results/stack.js';
import { formatError } from '../../src/ui/format.js';
import type { TestResult } from '../../src/results/types.js';
import type { RunReport } from '../../src/runner/test-runner.js';
import { describeResults, fileResultOf, fileRunOf, lineOf, resultOf, resultsOfFile, runTestFiles, testFileNames, writePackage } from '../helpers/fixtures.js';
import { writeWorkspace } from '../helpers/workspace.js';

const FILES = {
  'syntax-error.test.js': `import { test } from 'node:test';

test('never registered', () => {
  const = 1;
});
`,
  'imports-broken-source.test.js': `import { test } from 'node:test';
import { total } from './src/broken.js';

test('uses the broken module', () => {
  total();
});
`,
  'src/broken.js': `export function total() {
  return 1 +;
}
`,
  'top-level-throw.test.js': `import { test } from 'node:test';

throw new TypeError('config is missing'); // top-level
`,
  'exit-3.test.js': `import { test } from 'node:test';
test('runs first', () => {});
test('exits', () => {
  process.exit(3); // exit-call
});
test('never runs', () => {});
`,
  'exit-0.test.js': `import { test } from 'node:test';
test('exits cleanly', () => {
  process.exit(0); // exit-call
});
test('never runs', () => {});
`,
  'late-error.test.js': `import { test } from 'node:test';
test('starts work it does not await', () => {
  setTimeout(() => {
    throw new Error('too late');
  }, 5);
});
`,
  'root-after-throws.test.js': `import { after, test } from 'node:test';
after(() => {
  throw new Error('teardown failed'); // root-after
});
test('passes', () => {});
`,
  'crashes.test.js': `import { test } from 'node:test';
test('kills its own process', () => {
  console.error('about to die');
  process.kill(process.pid, 'SIGKILL');
});
`,
  'all-pass.test.js': `import { test } from 'node:test';
test('one', () => {});
test('two', () => {});
`,
};

describe('file-failure: files that fail as a whole', () => {
  const root = writePackage(FILES);
  let report: RunReport;
  let results: TestResult[] = [];
  before(async () => {
    report = (await runTestFiles(root, testFileNames(FILES))).report;
    results = report.results;
  });

  describe('load errors', () => {
    it('reports a syntax error in the test file as a file-level loadError pointing at the file and line', () => {
      const [only, ...rest] = resultsOfFile(results, 'syntax-error.test.js');
      assert.deepEqual(rest, [], describeResults(results));
      assert.equal(only!.kind, 'file');
      assert.deepEqual(only!.id.path, []);
      assert.equal(only!.outcome, 'error');
      assert.equal(only!.failureType, 'loadError');
      assert.equal(only!.error?.type, 'SyntaxError');
      assert.match(only!.error?.message ?? '', /failed to load, so none of its tests ran/);
      const line = lineOf(root, 'syntax-error.test.js', 'const = 1');
      assert.match(only!.error?.stack ?? '', new RegExp(`at ${root}/syntax-error\\.test\\.js:${line}:`));
      assert.match(signatureOf(only!, root), new RegExp(`^SyntaxError: .* @ syntax-error\\.test\\.js:${line}:1$`, 's'));
    });

    it('points a syntax error in an imported source file at that source file', () => {
      const result = fileResultOf(results, 'imports-broken-source.test.js');
      assert.equal(result.failureType, 'loadError');
      assert.equal(result.error?.type, 'SyntaxError');
      const line = lineOf(root, 'src/broken.js', 'return 1 +;');
      assert.match(result.error?.stack ?? '', new RegExp(`at ${root}/src/broken\\.js:${line}:`));
      assert.match(signatureOf(result, root), new RegExp(`@ src/broken\\.js:${line}:1$`));
    });

    it('reports a top-level throw as a loadError with the original error and stack', () => {
      const result = fileResultOf(results, 'top-level-throw.test.js');
      assert.equal(result.failureType, 'loadError');
      assert.equal(result.error?.type, 'TypeError');
      assert.match(result.error?.message ?? '', /^config is missing\n/);
      const line = lineOf(root, 'top-level-throw.test.js', '// top-level');
      assert.match(signatureOf(result, root), new RegExp(`@ top-level-throw\\.test\\.js:${line}:7$`));
    });
  });

  describe('process.exit()', () => {
    it('reports process.exit(3) in a test as a processExit error thrown from the test line', () => {
      const result = fileResultOf(results, 'exit-3.test.js');
      assert.equal(result.outcome, 'error');
      assert.equal(result.failureType, 'processExit');
      assert.equal(result.error?.type, 'ProcessExitError');
      assert.match(result.error?.message ?? '', /^process\.exit\(3\) was called/);
      const line = lineOf(root, 'exit-3.test.js', '// exit-call');
      assert.match(signatureOf(result, root), new RegExp(`@ exit-3\\.test\\.js:${line}:\\d+$`));
      assert.equal(fileRunOf(report, 'exit-3.test.js').exitCode, 3);
    });

    it('never reports the tests after the exit as passed', () => {
      const names = resultsOfFile(results, 'exit-3.test.js').map((result) => result.id.path.join(' › '));
      assert.ok(!names.includes('never runs'), names.join(', '));
      assert.ok(!names.includes('exits'), 'the exiting test is explained by the file-level result');
    });

    it('reports process.exit(0) as an error too, although the process exits with 0', () => {
      const result = fileResultOf(results, 'exit-0.test.js');
      assert.equal(result.outcome, 'error');
      assert.equal(result.failureType, 'processExit');
      assert.match(result.error?.message ?? '', /^process\.exit\(0\) was called/);
      const line = lineOf(root, 'exit-0.test.js', '// exit-call');
      assert.match(signatureOf(result, root), new RegExp(`@ exit-0\\.test\\.js:${line}:\\d+$`));
      assert.equal(fileRunOf(report, 'exit-0.test.js').exitCode, 0);
      assert.equal(resultsOfFile(results, 'exit-0.test.js').length, 1, describeResults(results));
    });
  });

  describe('after the tests', () => {
    it('reports an uncaught exception after a test ended as a lateError naming the test and the error', () => {
      assert.equal(resultOf(results, 'late-error.test.js', ['starts work it does not await']).outcome, 'pass');
      const result = fileResultOf(results, 'late-error.test.js');
      assert.equal(result.outcome, 'error');
      assert.equal(result.failureType, 'lateError');
      assert.match(result.error?.message ?? '', /Test "starts work it does not await" .* generated asynchronous activity after the test ended/);
      assert.match(result.error?.message ?? '', /too late/);
    });

    it('reports a throwing root-level after() hook as a file-level result at the hook', () => {
      assert.equal(resultOf(results, 'root-after-throws.test.js', ['passes']).outcome, 'pass');
      const result = fileResultOf(results, 'root-after-throws.test.js');
      assert.equal(result.outcome, 'error');
      assert.equal(result.failureType, 'hookFailed');
      assert.equal(result.error?.message, 'teardown failed');
      assert.equal(result.line, lineOf(root, 'root-after-throws.test.js', 'after(() =>'));
      assert.match(signatureOf(result, root), new RegExp(`^Error: teardown failed @ root-after-throws\\.test\\.js:${lineOf(root, 'root-after-throws.test.js', '// root-after')}:`));
    });
  });

  it('reports a process killed by a signal as crashed, with the signal and its stderr', () => {
    const result = fileResultOf(results, 'crashes.test.js');
    assert.equal(result.outcome, 'error');
    assert.equal(result.failureType, 'crashed');
    assert.match(result.error?.message ?? '', /was killed by SIGKILL before node:test finished/);
    assert.match(result.error?.message ?? '', /about to die/);
    assert.equal(fileRunOf(report, 'crashes.test.js').signal, 'SIGKILL');
  });

  it('adds no file-level result to a file whose tests all pass', () => {
    const all = resultsOfFile(results, 'all-pass.test.js');
    assert.deepEqual(all.map((result) => `${result.id.path.join(' › ')} ${result.outcome}`), ['one pass', 'two pass']);
  });
});

describe('file-failure: the silence watchdog', () => {
  const HANG_FILES = {
    'open-handle.test.js': `import { test } from 'node:test';
setInterval(() => {}, 1000);
test('passes', () => {});
`,
    'stuck-test.test.js': `import { test } from 'node:test';
test('finishes', () => {});
test('never settles', () => new Promise(() => {
  setInterval(() => {}, 1000);
}));
`,
  };
  const root = writePackage(HANG_FILES);
  let report: RunReport;
  before(async () => {
    report = (await runTestFiles(root, testFileNames(HANG_FILES), { silenceLimitMs: 2_000, timeoutMs: 0 })).report;
  });

  it('kills a file kept alive by an open handle, keeping the results it reported', () => {
    assert.equal(resultOf(report.results, 'open-handle.test.js', ['passes']).outcome, 'pass');
    const result = fileResultOf(report.results, 'open-handle.test.js');
    assert.equal(result.outcome, 'cancelled');
    assert.equal(result.failureType, 'fileTimeout');
    assert.equal(result.error?.type, 'TimeoutError');
    assert.match(result.error?.message ?? '', /made no progress for 2000 ms and was killed\./);
    assert.doesNotMatch(result.error?.message ?? '', /still running/, 'every test had finished');
    assert.ok(fileRunOf(report, 'open-handle.test.js').signal, 'the child was killed by a signal');
  });

  it('names the test that was still running when the watchdog fired', () => {
    assert.equal(resultOf(report.results, 'stuck-test.test.js', ['finishes']).outcome, 'pass');
    const result = fileResultOf(report.results, 'stuck-test.test.js');
    assert.equal(result.failureType, 'fileTimeout');
    assert.match(result.error?.message ?? '', /The last test still running was "never settles"\./);
  });
});

describe('file-failure: TypeScript through tsx', () => {
  const TS_FILES = {
    'syntax-error.test.ts': `import { test } from 'node:test';

const answer: number = ;
test('t', () => {});
`,
  };
  const root = writePackage(TS_FILES);
  let results: TestResult[] = [];
  before(async () => {
    results = (await runTestFiles(root, testFileNames(TS_FILES))).report.results;
  });

  it('reports a syntax error in a .ts test file as a loadError', () => {
    const result = fileResultOf(results, 'syntax-error.test.ts');
    assert.equal(result.outcome, 'error');
    assert.equal(result.failureType, 'loadError');
    assert.match(result.error?.message ?? '', /syntax-error\.test\.ts:3:\d+: ERROR/);
  });

  it('points the loadError of a .ts syntax error at its line', () => {
    const result = fileResultOf(results, 'syntax-error.test.ts');
    assert.match(signatureOf(result, root), /@ syntax-error\.test\.ts:3:\d+$/);
  });
});

describe('file-failure: a top-level await that never settles', () => {
  const TLA_FILES = {
    'tla.test.js': `import { test } from 'node:test';
test('declared before the await', () => {});
await new Promise(() => {}); // never settles
test('declared after the await', () => {});
`,
    'tla-after-failure.test.js': `import { test } from 'node:test';
import assert from 'node:assert/strict';
test('fails before the await', () => assert.equal(1, 2));
await new Promise(() => {}); // never settles
test('declared after the await', () => {});
`,
    'tla-first.test.js': `import { test } from 'node:test';
await new Promise(() => {}); // never settles
test('declared after the await', () => {});
`,
  };
  const root = writePackage(TLA_FILES);
  let results: TestResult[] = [];
  before(async () => {
    results = (await runTestFiles(root, testFileNames(TLA_FILES))).report.results;
  });

  it('keeps the verdicts of the tests declared before it, and fails the file once, naming it and the await', () => {
    assert.equal(resultOf(results, 'tla.test.js', ['declared before the await']).outcome, 'pass');
    assert.deepEqual(
      resultsOfFile(results, 'tla.test.js').map((result) => result.id.path.join(' › ')),
      ['declared before the await', ''],
      'the test after the await was never declared, so it has no result',
    );
    const file = fileResultOf(results, 'tla.test.js');
    assert.equal(file.outcome, 'error');
    assert.equal(file.failureType, 'unsettledAwait');
    assert.equal(file.error?.type, 'UnsettledAwaitError');
    const message = file.error?.message ?? '';
    assert.ok(message.includes(`${root}/tla.test.js`), message);
    assert.match(message, /top-level await .*never settled/);
    assert.match(message, /The tests declared before the await ran and keep their results; node:test never saw the tests written after it, so they did not run, and cctrial cannot name them\./);
    assert.match(message, /Make the awaited promise resolve or reject, or move the await into a before\(\) hook or a test/);
    assert.doesNotMatch(message, /LateError|Every test .* passed/);
    // Node 20 does not say where the await is; Node 22+ does (on stderr), and then the await is the site.
    if (Number(process.versions.node.split('.')[0]) >= 22) {
      assert.match(message, new RegExp(`at ${escapeRegExp(root)}/tla\\.test\\.js:${lineOf(root, 'tla.test.js', '// never settles')} `));
      assert.match(signatureOf(file, root), new RegExp(`@ tla\\.test\\.js:${lineOf(root, 'tla.test.js', '// never settles')}:1$`));
    } else {
      assert.match(signatureOf(file, root), /^UnsettledAwaitError: A top-level await in tla\.test\.js never settled.* @ tla\.test\.js:1:1$/s);
    }
  });

  // node:test sets exit code 1 for the failed test, and Node keeps it rather than 13 (Node 24 prints no
  // warning either): only the child can tell, by noting at exit that the test file never finished loading.
  it('is reported even when a test before the await failed', () => {
    assert.equal(resultOf(results, 'tla-after-failure.test.js', ['fails before the await']).outcome, 'failure');
    const file = fileResultOf(results, 'tla-after-failure.test.js');
    assert.equal(file.error?.type, 'UnsettledAwaitError');
    assert.match(file.error?.message ?? '', /never settled/);
  });

  it('is an UnsettledAwaitError, not a crash, when the await comes before every test', () => {
    assert.deepEqual(resultsOfFile(results, 'tla-first.test.js').map((result) => result.kind), ['file']);
    const file = fileResultOf(results, 'tla-first.test.js');
    assert.equal(file.error?.type, 'UnsettledAwaitError', describeResults(results));
    assert.match(file.error?.message ?? '', /^A top-level await .* never settled/);
    assert.doesNotMatch(file.error?.message ?? '', /CrashError/);
  });
});

describe("file-failure: load errors in folders named with spaces, quotes, #, % and non-ASCII letters", () => {
  const DIR = "my dir #1 %20 'q' ünï";
  const WEIRD_FILES = {
    [`${DIR}/syntax-error.test.js`]: `import { test } from 'node:test';

test('never registered', () => {
  const = 1;
});
`,
    [`${DIR}/imports-broken-source.test.js`]: `import { test } from 'node:test';
import { total } from './src/broken.js';

test('uses the broken module', () => total());
`,
    [`${DIR}/src/broken.js`]: `export function total() {
  return 1 +;
}
`,
    [`${DIR}/top-level-throw.test.js`]: `throw new TypeError('config is missing'); // top-level
`,
  };
  // The workspace root itself has such a name too: the root is removed from signatures by its real path.
  const root = writeWorkspace({ 'package.json': JSON.stringify({ name: 'fixture', type: 'module' }), ...WEIRD_FILES }, "cctrial fixture #%20 'ü' ");
  let results: TestResult[] = [];
  before(async () => {
    results = (await runTestFiles(root, testFileNames(WEIRD_FILES))).report.results;
  });

  const cases: Array<{ file: string; site: string; marker: string; column: number }> = [
    { file: `${DIR}/syntax-error.test.js`, site: `${DIR}/syntax-error.test.js`, marker: 'const = 1', column: 1 },
    { file: `${DIR}/imports-broken-source.test.js`, site: `${DIR}/src/broken.js`, marker: 'return 1 +;', column: 1 },
    { file: `${DIR}/top-level-throw.test.js`, site: `${DIR}/top-level-throw.test.js`, marker: '// top-level', column: 7 },
  ];
  // The folder's own name holds a literal "%20": only the encoded forms of its other characters prove a URL.
  const URL_ENCODED = /my%20dir|%2520|%23|%C3%BC|%C3%AF|file:\/\//;
  for (const { file, site, marker, column } of cases) {
    it(`${file}: the real path in the stack, the site, the signature and the printed error, never its URL`, () => {
      const result = fileResultOf(results, file);
      assert.equal(result.failureType, 'loadError', describeResults(results));
      const line = lineOf(root, site, marker);
      const error = result.error!;
      assert.ok(parseStackFrames(error.stack).some((frame) => frame.file === `${root}/${site}` && frame.line === line), error.stack);
      assert.doesNotMatch(error.message, URL_ENCODED, 'the message names paths, not URLs');
      assert.equal(throwSite(error.stack, root), `${site}:${line}:${column}`);
      assert.match(signatureOf(result, root), new RegExp(`@ ${escapeRegExp(site)}:${line}:${column}$`));
      const printed = formatError(error, root);
      assert.ok(printed.includes(`at ${site}:${line}:${column}`) || printed.includes(`(${site}:${line}:${column})`), printed);
      assert.doesNotMatch(printed, URL_ENCODED, printed);
    });
  }
});

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}
