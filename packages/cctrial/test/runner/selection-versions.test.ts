/**
 * Single-test selection, proven by side effects on real Node binaries: Node 20 (best effort, by a
 * test's own name) and Node 24 (exact, by joined name plus skip patterns). Research: node-test.md §2.
 *
 * A driver script, executed by the Node under test, runs a fixture file once to learn its tree, then
 * re-runs every test alone with TestRunner.runTests(). Every test body and hook of the fixture appends
 * a line to a log file, so each re-run shows exactly which bodies and hooks ran.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it, before } from 'node:test';
import { promisify } from 'node:util';
import type { Outcome, TestResult } from '../../src/results/types.js';
import { writeWorkspace } from '../helpers/workspace.js';

const execFileAsync = promisify(execFile);

const TOOLS_NODE_VERSIONS = new URL('../../../../../tools/node-versions.mjs', import.meta.url).href;
const TEST_RUNNER_MODULE = new URL('../../src/runner/test-runner.js', import.meta.url).href;
const INSTALL_TIMEOUT_MS = 5 * 60_000;

/** The fixture: every case of research §2.2. `ran(path, occurrence)` and `hook(name, test)` write the log. */
const FIXTURE = String.raw`
import { after, afterEach, before, beforeEach, describe, it, test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync } from 'node:fs';

const log = (entry) => appendFileSync(process.env.CCTRIAL_SELECTION_LOG, JSON.stringify(entry) + '\n');
const ran = (path, occurrence = 0) => log({ ran: path, occurrence });
const hook = (name, test) => log(test === undefined ? { hook: name } : { hook: name, test });
log({ node: process.version });

before(() => hook('file before'));
beforeEach((t) => hook('file beforeEach', t.name));
after(() => hook('file after'));

describe('A', () => {
  before(() => hook('A before'));
  beforeEach((t) => hook('A beforeEach', t.name));
  afterEach((t) => hook('A afterEach', t.name));
  after(() => hook('A after'));
  describe('B', () => {
    it('x', () => ran(['A', 'B', 'x']));
    it('y', () => { ran(['A', 'B', 'y']); assert.equal(1 + 1, 3); });
  });
  it('solo', () => ran(['A', 'solo']));
});

describe('A B', () => {
  before(() => hook('A B before'));
  it('x', () => ran(['A B', 'x']));
});

describe('Z', () => {
  it('A B x', () => ran(['Z', 'A B x']));
});

test('top', () => ran(['top']));

describe('dup', () => {
  it('same', () => ran(['dup', 'same'], 0));
  it('same', () => ran(['dup', 'same'], 1));
});

describe('S1', () => { it('twin', () => ran(['S1', 'twin'])); });
describe('S2', () => { it('twin', () => { ran(['S2', 'twin']); throw new TypeError('twin broke'); }); });

describe('re (a|b) [x]', () => {
  it('.*+?^\${}()|[]\\/', () => ran(['re (a|b) [x]', '.*+?^\${}()|[]\\/']));
});
test('.*', () => ran(['.*']));

describe('ünïcödé 🚀', () => {
  it('日本語 テスト', () => ran(['ünïcödé 🚀', '日本語 テスト']));
  it.skip('skipped', () => ran(['ünïcödé 🚀', 'skipped']));
});

test('T', async (t) => {
  ran(['T']);
  await t.test('s1', () => ran(['T', 's1']));
  await t.test('s2', async (t) => {
    ran(['T', 's2']);
    await t.test('deep', () => ran(['T', 's2', 'deep']));
    await t.test('deeper', async (t) => {
      ran(['T', 's2', 'deeper']);
      await t.test('deepest', () => ran(['T', 's2', 'deeper', 'deepest']));
    });
  });
});

test('P', async (t) => {
  ran(['P']);
  await t.test('a', async (t) => {
    ran(['P', 'a']);
    await t.test('c', () => ran(['P', 'a', 'c']));
  });
  await t.test('a b', () => ran(['P', 'a b']));
  await t.test('twin', () => ran(['P', 'twin'], 0));
  await t.test('twin', () => ran(['P', 'twin'], 1));
});
`;

const METACHARACTERS = '.*+?^${}()|[]\\/';

interface Expected {
  path: string[];
  occurrence: number;
  kinds: Array<'suite' | 'test'>;
  outcome: Outcome;
  errorType?: string;
}
const S = 'suite' as const;
const T = 'test' as const;
const tree = (names: string[], kinds: Expected['kinds'], outcome: Outcome = 'pass', extra: Partial<Expected> = {}): Expected => ({
  path: names,
  kinds,
  outcome,
  occurrence: 0,
  ...extra,
});

/** Every test of the fixture, as a full run reports it (suites are containers and do not count). */
const TREE: Expected[] = [
  tree(['A', 'B', 'x'], [S, S, T]),
  tree(['A', 'B', 'y'], [S, S, T], 'failure', { errorType: 'AssertionError' }),
  tree(['A', 'solo'], [S, T]),
  tree(['A B', 'x'], [S, T]),
  tree(['Z', 'A B x'], [S, T]),
  tree(['top'], [T]),
  tree(['dup', 'same'], [S, T]),
  tree(['dup', 'same'], [S, T], 'pass', { occurrence: 1 }),
  tree(['S1', 'twin'], [S, T]),
  tree(['S2', 'twin'], [S, T], 'error', { errorType: 'TypeError' }),
  tree(['re (a|b) [x]', METACHARACTERS], [S, T]),
  tree(['.*'], [T]),
  tree(['ünïcödé 🚀', '日本語 テスト'], [S, T]),
  tree(['ünïcödé 🚀', 'skipped'], [S, T], 'skip'),
  tree(['T'], [T]),
  tree(['T', 's1'], [T, T]),
  tree(['T', 's2'], [T, T]),
  tree(['T', 's2', 'deep'], [T, T, T]),
  tree(['T', 's2', 'deeper'], [T, T, T]),
  tree(['T', 's2', 'deeper', 'deepest'], [T, T, T, T]),
  tree(['P'], [T]),
  tree(['P', 'a'], [T, T]),
  tree(['P', 'a', 'c'], [T, T, T]),
  tree(['P', 'a b'], [T, T]),
  tree(['P', 'twin'], [T, T]),
  tree(['P', 'twin'], [T, T], 'pass', { occurrence: 1 }),
];

/** Suite hooks of the fixture, by suite name. */
const SUITE_HOOKS: Record<string, { once: string[]; each: string[] }> = {
  A: { once: ['A before', 'A after'], each: ['A beforeEach', 'A afterEach'] },
  'A B': { once: ['A B before'], each: [] },
};

const key = (names: string[], occurrence = 0) => JSON.stringify([names, occurrence]);
const show = (names: string[], occurrence = 0) => names.join(' › ') + (occurrence > 0 ? ` (${occurrence + 1})` : '');

/**
 * On 22.1+ a selection is exact except where two tests have the same joined name (research §2.2):
 * identical paths, space collisions, and a target with subtests whose sibling is named after it plus a space.
 */
const JOINED_NAME_COLLISIONS: Array<[string, Array<[string[], number]>]> = [
  [key(['A', 'B', 'x']), [[['A B', 'x'], 0]]], // both join to "A B x"
  [key(['A B', 'x']), [[['A', 'B', 'x'], 0]]],
  [key(['dup', 'same'], 0), [[['dup', 'same'], 1]]], // identical paths
  [key(['dup', 'same'], 1), [[['dup', 'same'], 0]]],
  [key(['P', 'twin'], 0), [[['P', 'twin'], 1]]],
  [key(['P', 'twin'], 1), [[['P', 'twin'], 0]]],
  [key(['P', 'a']), [[['P', 'a b'], 0]]], // "P a" has subtests, and "P a b" starts with "P a "
];
const COLLISIONS = new Map(JOINED_NAME_COLLISIONS);

const isPrefix = (prefix: string[], names: string[]) => prefix.length <= names.length && prefix.every((name, index) => names[index] === name);

/** The target, its ancestors of kind test, and its descendants: what must run for the target to run. */
function closure(target: Expected): Expected[] {
  return TREE.filter((other) => {
    if (isPrefix(target.path, other.path)) return other.path.length > target.path.length || other.occurrence === target.occurrence;
    return isPrefix(other.path, target.path) && other.kinds.at(-1) === 'test';
  });
}

function find(names: string[], occurrence: number): Expected {
  const found = TREE.find((entry) => key(entry.path, entry.occurrence) === key(names, occurrence));
  assert.ok(found, `no such fixture test: ${show(names, occurrence)}`);
  return found;
}

/** Node 22.1+: the closure of the target, plus the closures of its documented collisions. */
function expectedRanExact(target: Expected): Expected[] {
  const partners = COLLISIONS.get(key(target.path, target.occurrence)) ?? [];
  return unique([target, ...partners.map(([names, occurrence]) => find(names, occurrence))].flatMap(closure));
}

/**
 * Node 20 matches one pattern, `^<own name of the outermost test()>$`, against each test's own name and
 * its ancestors' names (research §2.1): every test whose path holds that name, outside any test() not
 * named so, runs with its whole subtree.
 */
function expectedRanNode20(target: Expected): Expected[] {
  const outer = target.kinds.indexOf('test');
  const name = target.path[outer]!;
  return TREE.filter((other) => {
    const index = other.path.indexOf(name);
    return index !== -1 && other.kinds.slice(0, index).every((kind) => kind === 'suite');
  });
}

function unique(entries: Expected[]): Expected[] {
  return [...new Map(entries.map((entry) => [key(entry.path, entry.occurrence), entry])).values()];
}

/** What the log holds when exactly these tests ran: bodies of non-skipped tests, and the hooks around them. */
function expectedLog(ran: Expected[], suiteOnceHooksAlwaysRun: boolean): { bodies: string[]; hooks: string[] } {
  const bodies = ran.filter((entry) => entry.outcome !== 'skip');
  const hooks: Array<{ hook: string; test?: string }> = [{ hook: 'file before' }, { hook: 'file after' }];
  for (const body of bodies) {
    const name = body.path.at(-1)!;
    hooks.push({ hook: 'file beforeEach', test: name });
    for (const each of SUITE_HOOKS[body.path[0]!]?.each ?? []) hooks.push({ hook: each, test: name });
  }
  // Node 20 always runs suite bodies, so before/after hooks of suites with nothing selected run too.
  const suites = suiteOnceHooksAlwaysRun ? Object.keys(SUITE_HOOKS) : [...new Set(bodies.map((body) => body.path[0]!))];
  for (const suite of suites) for (const once of SUITE_HOOKS[suite]?.once ?? []) hooks.push({ hook: once });
  return {
    bodies: bodies.map((body) => key(body.path, body.occurrence)).sort(),
    hooks: hooks.map((hook) => JSON.stringify(hook)).sort(),
  };
}

// ---------------------------------------------------------------------------------------------------
// The driver: runs inside the Node under test, so TestRunner spawns children with that Node.

const DRIVER = String.raw`
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const [command, dir, runnerModule, targetsFile] = process.argv.slice(2);
const { TestRunner } = await import(runnerModule);
const logFile = path.join(dir, 'log.ndjson');
const file = { project: 'fixture', projectRoot: dir, absolute: path.join(dir, 'sel.test.mjs'), relative: 'sel.test.mjs' };
const runner = new TestRunner({ root: dir, jobs: 1, timeoutMs: 30000, silenceLimitMs: 60000, env: { ...process.env, CCTRIAL_SELECTION_LOG: logFile } });
const takeLog = () => {
  const entries = readFileSync(logFile, 'utf8').split('\n').filter(Boolean).map((line) => JSON.parse(line));
  writeFileSync(logFile, '');
  return entries;
};
const runAlone = async (target, known) => {
  const report = await runner.runTests([target], [file], known);
  return { target, results: report.results, reported: report.fileRuns.flatMap((run) => run.results), log: takeLog() };
};

writeFileSync(logFile, '');
const out = { node: process.version, targeted: [] };
let known;
if (command === 'explore') {
  const whole = await runner.runFiles([file]);
  known = whole.results;
  out.whole = { results: known, log: takeLog() };
  for (const target of known) out.targeted.push(await runAlone(target, known));
} else {
  const input = JSON.parse(readFileSync(targetsFile, 'utf8'));
  for (const target of input.targets) out.targeted.push(await runAlone(target, input.known));
}
process.stdout.write(JSON.stringify(out));
`;

interface LogEntry {
  node?: string;
  ran?: string[];
  occurrence?: number;
  hook?: string;
  test?: string;
}
interface Targeted {
  target: TestResult;
  /** What runTests() returned: the targets only. */
  results: TestResult[];
  /** Everything the child reported, before filtering down to the target. */
  reported: TestResult[];
  log: LogEntry[];
}
interface DriverOutput {
  node: string;
  whole?: { results: TestResult[]; log: LogEntry[] };
  targeted: Targeted[];
}

async function runDriver(node: string, dir: string, args: string[]): Promise<DriverOutput> {
  const { stdout } = await execFileAsync(node, [path.join(dir, 'driver.mjs'), args[0]!, dir, TEST_RUNNER_MODULE, ...args.slice(1)], {
    cwd: dir,
    env: { ...process.env, NODE_TEST_CONTEXT: undefined },
    maxBuffer: 64 * 1024 * 1024,
  });
  return JSON.parse(stdout) as DriverOutput;
}

const bodiesOf = (log: LogEntry[]) => log.filter((entry) => entry.ran).map((entry) => key(entry.ran!, entry.occurrence)).sort();
const hooksOf = (log: LogEntry[]) =>
  log.filter((entry) => entry.hook).map((entry) => JSON.stringify(entry.test === undefined ? { hook: entry.hook } : { hook: entry.hook, test: entry.test })).sort();

async function nodeOfMajor(major: number): Promise<string> {
  if (Number(process.versions.node.split('.')[0]) === major) return process.execPath;
  const { nodeBinary } = (await import(TOOLS_NODE_VERSIONS)) as { nodeBinary(major: number): Promise<string> };
  return nodeBinary(major);
}

// ---------------------------------------------------------------------------------------------------

for (const major of [20, 24]) {
  const exact = major >= 22;

  describe(`single-test selection on Node ${major}`, () => {
    const dir = writeWorkspace({ 'sel.test.mjs': FIXTURE, 'driver.mjs': DRIVER }, `cctrial-selection-${major}-`);
    let node = '';
    let explored: DriverOutput;
    const targetedRun = (entry: Expected): Targeted => {
      const found = explored.targeted.filter((run) => key(run.target.id.path, run.target.id.occurrence) === key(entry.path, entry.occurrence));
      assert.equal(found.length, 1, `the driver re-ran ${show(entry.path, entry.occurrence)} ${found.length} times`);
      return found[0]!;
    };

    before(
      async () => {
        node = await nodeOfMajor(major); // Node 24 is installed from npm on first use: allow minutes.
        explored = await runDriver(node, dir, ['explore']);
      },
      { timeout: INSTALL_TIMEOUT_MS },
    );

    it(`runs the driver and every test child on Node ${major}`, () => {
      assert.equal(explored.node.split('.')[0], `v${major}`);
      const children = [...explored.whole!.log, ...explored.targeted.flatMap((run) => run.log)].filter((entry) => entry.node);
      assert.equal(children.length, 1 + TREE.length, 'one child for the whole file, then one per test');
      for (const child of children) assert.equal(child.node, explored.node);
    });

    it('learns the whole tree from one full run: every test, its kinds, its outcome', () => {
      const results = explored.whole!.results;
      assert.deepEqual(
        results.map((result) => key(result.id.path, result.id.occurrence)).sort(),
        TREE.map((entry) => key(entry.path, entry.occurrence)).sort(),
      );
      for (const entry of TREE) {
        const result = results.find((candidate) => key(candidate.id.path, candidate.id.occurrence) === key(entry.path, entry.occurrence))!;
        assert.deepEqual(result.pathKinds, entry.kinds, show(entry.path));
        assert.equal(result.outcome, entry.outcome, show(entry.path));
        assert.equal(result.error?.type, entry.errorType, show(entry.path));
      }
      // The full run executed every body once, and every hook around it.
      assert.deepEqual(bodiesOf(explored.whole!.log), expectedLog(TREE, true).bodies);
      assert.deepEqual(hooksOf(explored.whole!.log), expectedLog(TREE, true).hooks);
    });

    for (const entry of TREE) {
      const name = show(entry.path, entry.occurrence);
      const ran = exact ? expectedRanExact(entry) : expectedRanNode20(entry);
      const alone = ran.length === closure(entry).length;
      const what = exact
        ? alone
          ? 'only it, its test ancestors and its subtests run'
          : `it runs with its joined-name twin${ran.length - closure(entry).length > 1 ? 's' : ''}`
        : alone
          ? 'its name is unique, so only it runs'
          : `every test named "${entry.path[entry.kinds.indexOf('test')]}" runs too`;

      it(`re-runs "${name}": reported once as ${entry.outcome}; ${what}`, () => {
        const run = targetedRun(entry);
        // Filtered down to the target, whatever else ran.
        assert.equal(run.results.length, 1);
        const [result] = run.results;
        assert.deepEqual(result!.id, run.target.id);
        assert.equal(result!.outcome, entry.outcome);
        assert.equal(result!.error?.type, entry.errorType);
        const sameKey = run.reported.filter((reported) => key(reported.id.path, reported.id.occurrence) === key(entry.path, entry.occurrence));
        assert.equal(sameKey.length, 1, 'the child reported the target exactly once');

        // Which bodies and hooks ran: exactly what the version's selection rule says.
        const log = expectedLog(ran, !exact);
        assert.deepEqual(bodiesOf(run.log), log.bodies);
        assert.deepEqual(hooksOf(run.log), log.hooks);
        // The child reported what ran and nothing else (Node 20's pattern skips are not results).
        assert.deepEqual(run.reported.map((reported) => key(reported.id.path, reported.id.occurrence)).sort(), ran.map((r) => key(r.path, r.occurrence)).sort());
      });
    }

    if (!exact) {
      it('Node 20 selects by own name: a subtest re-runs its whole outermost test(), and same-named tests in other suites run too', () => {
        const subtest = targetedRun(find(['T', 's2', 'deeper', 'deepest'], 0));
        assert.equal(bodiesOf(subtest.log).length, 6, 'all of T ran');
        const twin = targetedRun(find(['S1', 'twin'], 0));
        assert.deepEqual(bodiesOf(twin.log), [key(['S1', 'twin']), key(['S2', 'twin'])]);
        // S2 › twin failed in that run, yet the result is the passing target alone.
        assert.ok(twin.reported.some((reported) => reported.outcome === 'error'));
        assert.deepEqual(twin.results.map((result) => result.outcome), ['pass']);
      });
    } else {
      it('Node 24 selects exactly: a deep subtest runs with its ancestors only, and regex metacharacters match literally', () => {
        const subtest = targetedRun(find(['T', 's2', 'deeper', 'deepest'], 0));
        assert.deepEqual(bodiesOf(subtest.log), [key(['T']), key(['T', 's2']), key(['T', 's2', 'deeper']), key(['T', 's2', 'deeper', 'deepest'])].sort());
        const dotStar = targetedRun(find(['.*'], 0));
        assert.deepEqual(bodiesOf(dotStar.log), [key(['.*'])]);
      });
    }

    it('follows a renamed target by its place in the file; reports a removed one as a TestNotFoundError, never as a pass', async () => {
      const known = explored.whole!.results;
      const byPath = (names: string[], occurrence = 0) => known.find((result) => key(result.id.path, result.id.occurrence) === key(names, occurrence))!;
      const targets = [byPath(['A', 'solo']), byPath(['T', 's1']), byPath(['dup', 'same'], 1)];
      const file = path.join(dir, 'sel.test.mjs');
      let source = readFileSync(file, 'utf8');
      for (const [from, to] of [
        ["it('solo',", "it('solo renamed',"], // renamed test in a suite
        ["t.test('s1',", "t.test('s1 renamed',"], // renamed subtest: its parent still runs
        ["  it('same', () => ran(['dup', 'same'], 1));\n", ''], // removed second of two same-named tests
      ] as const) {
        assert.ok(source.includes(from), from);
        source = source.replace(from, to);
      }
      writeFileSync(file, source);
      writeFileSync(path.join(dir, 'targets.json'), JSON.stringify({ known, targets }));

      const rerun = await runDriver(node, dir, ['rerun', path.join(dir, 'targets.json')]);
      assert.equal(rerun.targeted.length, 3);
      for (const [index, run] of rerun.targeted.entries()) {
        assert.deepEqual(run.results.map((result) => result.id), [targets[index]!.id], 'reported under the identity the loop knows');
        // Not found by name, so the whole file ran (once the filtered run had found nothing).
        assert.ok(bodiesOf(run.log).includes(key(['top'])), 'the whole file ran');
        assert.ok(run.reported.every((reported) => reported.kind !== 'file'), 'no file-level failure stands in for the target');
      }
      const [solo, s1, same] = rerun.targeted;
      // A renamed test stands where the target stood: it is the target, and its outcome is the target's.
      assert.equal(solo!.results[0]!.outcome, 'pass');
      assert.equal(solo!.results[0]!.line, solo!.reported.find((reported) => key(reported.id.path) === key(['A', 'solo renamed']))!.line);
      assert.equal(s1!.results[0]!.outcome, 'pass');
      assert.ok(bodiesOf(s1!.log).includes(key(['T', 's1'])), 'the renamed subtest ran');
      // Nothing stands where the removed test stood: its twin keeps place 0, under its own name.
      const [missing] = same!.results;
      assert.equal(missing!.outcome, 'error');
      assert.equal(missing!.error?.type, 'TestNotFoundError');
      assert.ok(missing!.error!.message.includes('same'), `the message names the test: ${missing!.error!.message}`);
    });
  });
}
