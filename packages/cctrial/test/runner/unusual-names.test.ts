/**
 * Every test can be re-run exactly, whatever its name: names argv cannot carry (NUL, lone surrogates,
 * 200,000 characters), and names that change on every run (`test(\`at ${Date.now()}\`)`).
 *
 * The escaping is proven against the real --test-name-pattern of Node 20, 22, 24 and 26; the re-runs
 * go through the real TestRunner and Engine, with real children.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { findByPosition, positionKey } from '../../src/results/identity.js';
import type { TestResult } from '../../src/results/types.js';
import { grepArgs, MAX_PATTERN_BYTES, parseNodeVersion, selectionArgs } from '../../src/runner/selection.js';
import { TestRunner } from '../../src/runner/test-runner.js';
import { eventsOfType, resultOf, runEngineSuite, runTestFiles, testFilesOf, writePackage } from '../helpers/fixtures.js';
import { writeWorkspace } from '../helpers/workspace.js';

const execFileAsync = promisify(execFile);
const TOOLS_NODE_VERSIONS = new URL('../../../../../tools/node-versions.mjs', import.meta.url).href;
const INSTALL_TIMEOUT_MS = 5 * 60_000;

const LONG = 'L'.repeat(200_000);
/** Pairs of siblings whose names differ only after the part that argv cannot carry. */
const NAMES: Array<[string, string]> = [
  ['nul \0a', 'nul \0ab'],
  ['lone high x\uD800', 'lone high x\uD800y'],
  ['lone low \uDC00', 'lone low \uDC00z'],
  ['controls \x01\x1b\x7f\x85\n\t', 'controls \x01\x1b\x7f\x85\n\tz'],
  ['pair 🚀', 'pair 🚀z'],
  [`${LONG} one`, `${LONG} two`],
];
const SUITE = 'suite \0\uD800';
const IN_SUITE = ['in \0', 'in \0 b'];

/** Hand-written JS source for any string, NUL and lone surrogates included. */
const literal = (text: string) => JSON.stringify(text).replace(/[\u0000-\u001f\u007f-\u009f\ud800-\udfff]/g, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`);

/** Every test body appends its path to $CCTRIAL_NAMES_LOG. */
const ESCAPE_FIXTURE = `import { describe, test } from 'node:test';
import { appendFileSync } from 'node:fs';
const ran = (path) => appendFileSync(process.env.CCTRIAL_NAMES_LOG, JSON.stringify(path) + '\\n');
for (const name of JSON.parse(${literal(JSON.stringify(NAMES.flat()))})) test(name, () => ran([name]));
describe(${literal(SUITE)}, () => {
  for (const name of JSON.parse(${literal(JSON.stringify(IN_SUITE))})) test(name, () => ran([${literal(SUITE)}, name]));
});
test('other', () => ran(['other']));
`;

/** No NUL, no lone surrogate: what argv can carry as it is. */
const carriable = (arg: string) => !/[\0\ud800-\udfff]/.test(arg.replace(/[\ud800-\udbff][\udc00-\udfff]/g, ''));
const show = (names: string[]) => JSON.stringify(names).slice(0, 80);

async function nodeOfMajor(major: number): Promise<string> {
  if (Number(process.versions.node.split('.')[0]) === major) return process.execPath;
  const { nodeBinary } = (await import(TOOLS_NODE_VERSIONS)) as { nodeBinary(major: number): Promise<string> };
  return nodeBinary(major);
}

const target = (names: string[], kinds: Array<'suite' | 'test'>): Pick<TestResult, 'id' | 'pathKinds'> => ({
  id: { project: 'p', file: 'f.test.mjs', path: names, occurrence: 0 },
  pathKinds: kinds,
});

describe('selection flags: only argv-safe text', () => {
  for (const major of [20, 22, 24]) {
    it(`escapes NUL, lone surrogates and control characters, and bounds long names, for Node ${major}`, () => {
      const version = { major, minor: 10 };
      for (const [name, sibling] of NAMES) {
        for (const args of [selectionArgs(target([name], ['test']), version), selectionArgs(target([SUITE, sibling], ['suite', 'test']), version)]) {
          assert.ok(args.length > 0);
          for (const arg of args) assert.ok(carriable(arg) && Buffer.byteLength(arg) <= MAX_PATTERN_BYTES, `${show([name])}: ${arg.slice(0, 200)}`);
        }
        // --grep comes from cctrial's own argv, so its length fits argv; its text is escaped all the same.
        for (const arg of grepArgs(name)) assert.ok(carriable(arg), `${show([name])}: ${arg.slice(0, 200)}`);
      }
    });
  }

  it('keeps paired surrogates as they are, and escapes the rest as \\xNN or \\uXXXX', () => {
    assert.deepEqual(selectionArgs(target(['a\0🚀\uD800\x1b'], ['test']), { major: 20, minor: 0 }), ['--test-name-pattern=^a\\x00🚀\\ud800\\x1b$']);
  });
});

for (const major of [20, 22, 24, 26]) {
  describe(`selection flags on the real --test-name-pattern of Node ${major}`, () => {
    const dir = writeWorkspace({ 'names.test.mjs': ESCAPE_FIXTURE }, `cctrial-names-${major}-`);
    const log = path.join(dir, 'log.ndjson');
    let node = '';
    let version = parseNodeVersion('0.0');
    /** The tests that ran under `node --test <args>`. */
    const ranWith = async (args: string[]): Promise<string[][]> => {
      writeFileSync(log, '');
      await execFileAsync(node, ['--test', '--test-reporter=dot', ...args, 'names.test.mjs'], {
        cwd: dir,
        env: { ...process.env, NODE_TEST_CONTEXT: undefined, CCTRIAL_NAMES_LOG: log },
        maxBuffer: 64 * 1024 * 1024,
      });
      return readFileSync(log, 'utf8').split('\n').filter(Boolean).map((line) => JSON.parse(line) as string[]);
    };
    const sorted = (paths: string[][]) => paths.map((names) => JSON.stringify(names)).sort();

    before(
      async () => {
        node = await nodeOfMajor(major); // Installed from npm on first use: allow minutes.
        version = parseNodeVersion((await execFileAsync(node, ['--version'])).stdout.trim());
      },
      { timeout: INSTALL_TIMEOUT_MS },
    );

    it('runs everything without a selection', async () => {
      assert.equal(version.major, major);
      assert.equal((await ranWith([])).length, NAMES.flat().length + IN_SUITE.length + 1);
    });

    for (const [name, sibling] of NAMES) {
      const long = name.length > 100_000;
      it(`selects ${show([name])} ${long ? 'by a prefix: with its sibling, which the runner filters out' : 'alone, not its sibling'}`, async () => {
        const ran = await ranWith(selectionArgs(target([name], ['test']), version));
        assert.deepEqual(sorted(ran), sorted(long ? [[name], [sibling]] : [[name]]));
      });
    }

    it('selects a test of a suite whose name argv cannot carry', async () => {
      const ran = await ranWith(selectionArgs(target([SUITE, IN_SUITE[0]!], ['suite', 'test']), version));
      assert.deepEqual(sorted(ran), sorted([[SUITE, IN_SUITE[0]!]]));
    });

    it('greps for text argv cannot carry', async () => {
      assert.deepEqual(sorted(await ranWith(grepArgs('nul \0a'))), sorted([[NAMES[0]![0]], [NAMES[0]![1]]]));
      assert.deepEqual(sorted(await ranWith(grepArgs('\uD800'))), sorted([[NAMES[1]![0]], [NAMES[1]![1]], ...IN_SUITE.map((name) => [SUITE, name])]));
    });
  });
}

describe('TestRunner.runTests: names argv cannot carry', () => {
  /** Each target fails with its own name's message: the result kept must be the target's, not its sibling's. */
  const source = `import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
const pairs = JSON.parse(${literal(JSON.stringify(NAMES))});
pairs.forEach(([name, sibling], index) => {
  test(name, () => assert.fail('target ' + index));
  test(sibling, () => assert.fail('sibling ' + index));
});
describe(${literal(SUITE)}, () => {
  test(${literal(IN_SUITE[0]!)}, () => assert.fail('target in suite'));
  test(${literal(IN_SUITE[1]!)}, () => assert.fail('sibling in suite'));
});
`;
  const root = writePackage({ 'names.test.mjs': source });
  const files = testFilesOf(root, ['names.test.mjs']);
  let known: TestResult[] = [];
  before(async () => {
    known = (await runTestFiles(root, ['names.test.mjs'])).report.results;
  });

  const rerun = async (names: string[], message: string) => {
    const runner = new TestRunner({ root, jobs: 1, timeoutMs: 30_000, silenceLimitMs: 30_000 });
    const targetResult = resultOf(known, 'names.test.mjs', names);
    const report = await runner.runTests([targetResult], files, known);
    assert.equal(report.results.length, 1);
    const [result] = report.results;
    assert.deepEqual(result!.id, targetResult.id);
    assert.equal(result!.outcome, 'failure');
    assert.equal(result!.error?.message, message);
    assert.equal(report.fileRuns.length, 1, 'one child: it started, and found the target by name');
    assert.equal(report.fileRuns[0]!.exitCode, 1);
  };

  it('learns every name from a suite run, as it is', () => {
    assert.deepEqual(
      known.map((result) => result.id.path),
      [...NAMES.flat().map((name) => [name]), ...IN_SUITE.map((name) => [SUITE, name])],
    );
  });

  NAMES.forEach(([name], index) => {
    it(`re-runs ${show([name])} and keeps its result, not its sibling's`, () => rerun([name], `target ${index}`));
  });
  it('re-runs a test of a suite whose name argv cannot carry', () => rerun([SUITE, IN_SUITE[0]!], 'target in suite'));
});

describe('tests found by position when their names change from run to run', () => {
  /** Each load of the file appends a line to loads.log: how many children ran it. */
  const FILE = 'clock.test.mjs';
  const source = `import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync } from 'node:fs';
appendFileSync(new URL('./loads.log', import.meta.url), 'load\\n');
test('stable first', () => {});
describe('group', () => {
  test('stable', () => {});
  test(\`at \${Date.now()} \${Math.random()}\`, () => assert.fail('still broken at ' + process.pid));
});
test('stable last', () => assert.fail('last is broken'));
`;
  const root = writePackage({ [FILE]: source });
  const loads = () => readFileSync(path.join(root, 'loads.log'), 'utf8').split('\n').filter(Boolean).length;
  const resetLoads = () => writeFileSync(path.join(root, 'loads.log'), '');

  it('gives every result its place among its siblings, in declaration order', async () => {
    const { report } = await runTestFiles(root, [FILE]);
    assert.deepEqual(
      report.results.map((result) => [result.id.path.length > 1 ? `group › ${result.index}` : `${result.index}`, result.id.path.at(-1)!.replace(/^at .*/, 'at …')]),
      [['0', 'stable first'], ['group › 0', 'stable'], ['group › 1', 'at …'], ['2', 'stable last']],
    );
  });

  it('finds the test by position through the Engine, twice in a row, and warns once', async () => {
    const { engine, events, outcome } = await runEngineSuite(['--once', '-j', '1'], root);
    const known = outcome.report.results;
    const target = known.find((result) => result.id.path.at(-1)!.startsWith('at '))!;
    assert.equal(target.outcome, 'failure');

    for (const round of [1, 2]) {
      resetLoads();
      const { report } = await engine.runTests('fix', [target], known);
      assert.equal(report.results.length, 1);
      const [result] = report.results;
      assert.deepEqual(result!.id, target.id, 'reported under the identity the loop knows');
      assert.equal(result!.outcome, 'failure', `round ${round}: the current outcome, never notRun`);
      assert.match(result!.error!.message, /^still broken at \d+$/);
      assert.notEqual(result!.error!.message, target.error!.message, 'from this run, not the suite run');
      // The first time, a filtered run finds nothing, then the whole file runs; after that it runs whole at once.
      assert.equal(loads(), round === 1 ? 2 : 1, `round ${round}: children that loaded the file`);
    }
    const warnings = eventsOfType(events, 'warning');
    assert.equal(warnings.length, 1, JSON.stringify(warnings));
    assert.match(warnings[0]!.message, /group › at .* its name changes from run to run/);

    // A later suite run gives the test a new name at the same place: known at once, no second warning.
    const again = (await engine.runSuite('suite')).report.results;
    const renamed = again.find((result) => result.id.path.at(-1)!.startsWith('at '))!;
    assert.notDeepEqual(renamed.id, target.id);
    resetLoads();
    const { report } = await engine.runTests('fix', [renamed], again);
    assert.equal(report.results[0]!.outcome, 'failure');
    assert.equal(loads(), 1);
    assert.equal(eventsOfType(events, 'warning').length, 1);
  });

  it('finds it in a recheck of several tests of the file, without another run', async () => {
    const known = (await runTestFiles(root, [FILE])).report.results;
    const failing = known.filter((result) => result.outcome === 'failure');
    assert.equal(failing.length, 2);
    const runner = new TestRunner({ root, jobs: 1, timeoutMs: 30_000, silenceLimitMs: 30_000 });
    const notices: string[] = [];
    resetLoads();
    const report = await runner.runTests(failing, testFilesOf(root, [FILE]), known, { onNotice: (message) => notices.push(message) });
    assert.deepEqual(report.results.map((result) => result.id), failing.map((result) => result.id));
    assert.deepEqual(report.results.map((result) => result.outcome), ['failure', 'failure']);
    assert.equal(loads(), 1);
    assert.equal(notices.length, 1);
  });
});

describe('findByPosition', () => {
  const result = (names: string[], index: number, kind: 'test' | 'suite' = 'test'): TestResult => ({
    id: { project: 'p', file: 'f.test.js', path: names, occurrence: 0 },
    kind,
    pathKinds: names.map(() => 'test'),
    index,
    outcome: 'failure',
    durationMs: 0,
  });

  it('takes the result at the same place under the same ancestors', () => {
    const now = [result(['a'], 0), result(['s', 'at 2'], 1), result(['s', 'b'], 0)];
    assert.equal(findByPosition(result(['s', 'at 1'], 1), now), now[1]);
    assert.equal(findByPosition(result(['t', 'at 1'], 1), now), undefined, 'other ancestors');
    assert.equal(findByPosition(result(['s', 'at 1'], 1, 'suite'), now), undefined, 'another kind');
    assert.equal(findByPosition(result(['s', 'at 1'], 2), now), undefined, 'nothing there');
  });

  it('does not take a test the earlier run knew under its own name: that is a neighbour that moved', () => {
    const known = [result(['s', 'gone'], 0), result(['s', 'next'], 1)];
    const now = [result(['s', 'next'], 0)];
    assert.equal(findByPosition(known[0]!, now, known), undefined);
  });

  it('has no position for the file itself, nor for a result that does not know its place', () => {
    assert.equal(positionKey({ ...result([], 0), kind: 'file' }), undefined);
    const { index: _index, ...placeless } = result(['x'], 0);
    assert.equal(positionKey(placeless), undefined);
  });
});
