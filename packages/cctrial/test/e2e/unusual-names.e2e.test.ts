/**
 * Tests whose names argv cannot carry, or that change on every run, through the real CLI: the fix
 * phase re-runs them on every save and shows their current error, and the loop neither spins nor exits.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import type { CctrialEvent } from '../../src/events.js';
import { phaseSequence, startCli } from '../helpers/live-cli.js';
import { writeWorkspace } from '../helpers/workspace.js';
import { TEST_HEADER, is, ofType } from './loop-helpers.js';

/** How long the loop must stay put with no edit: the reported defect ran 62 runs in 15 s. */
const QUIET_MS = 5_000;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
type Fail = Extract<CctrialEvent, { type: 'test:fail' }>;

const CLOCK_FILE = 'test/clock.test.js';
const clockSource = (body: string) => TEST_HEADER + "test('stable', () => {});\ntest(`at ${Date.now()}`, () => " + body + ');\n';

function writeFixture(file: string, source: string): string {
  return writeWorkspace({ 'package.json': JSON.stringify({ name: 'fixture', type: 'module' }), [file]: source }, 'cctrial-names-e2e-');
}

describe('unusual test names, end to end', () => {
  test('a failing test named after Date.now() stays in the fix phase, and goes green when it passes', async () => {
    const root = writeFixture(CLOCK_FILE, clockSource("assert.fail('broken at ' + process.pid)"));
    const cli = startCli(['-f', '-j', '2'], { cwd: root });
    try {
      await cli.waitFor(is('idle'), { what: 'waiting for the fix' });
      await sleep(QUIET_MS);
      const { events } = cli;
      assert.deepEqual(phaseSequence(events), ['start:suite', 'end:suite', 'start:fix', 'end:fix'], 'one suite, one fix, then waiting');
      assert.equal(ofType(events, 'idle').length, 1);
      const [fixEnd] = ofType(events, 'run:end').filter((end) => end.phase === 'fix');
      assert.equal(fixEnd!.failed, 1, 'the fix run found the test');
      const fails = events.filter((event): event is Fail => event.type === 'test:fail');
      assert.equal(fails.length, 2, 'the suite failure, then the fix run failure');
      assert.notEqual(fails[0]!.error.message, fails[1]!.error.message, 'the fix run shows the current error, from its own process');
      const warnings = ofType(events, 'warning');
      assert.equal(warnings.length, 1, JSON.stringify(warnings));
      assert.match(warnings[0]!.message, /its name changes from run to run/);

      // A save re-runs it, still broken; a fix turns it green.
      const beforeSave = events.length;
      writeFileSync(path.join(root, CLOCK_FILE), clockSource("assert.fail('still broken at ' + process.pid)"));
      await cli.waitFor(is('idle'), { from: beforeSave, what: 'waiting after a save' });
      assert.deepEqual(phaseSequence(events, beforeSave), ['start:fix', 'end:fix']);
      assert.match(events.slice(beforeSave).find((event): event is Fail => event.type === 'test:fail')!.error.message, /still broken at/);

      const beforeFix = events.length;
      writeFileSync(path.join(root, CLOCK_FILE), clockSource('{}'));
      const green = await cli.waitFor(is('run:end', (end) => end.phase === 'suite' && end.failed + end.errors + end.cancelled === 0), {
        from: beforeFix,
        what: 'a green suite',
      });
      assert.equal(green.type === 'run:end' && green.passed, 2);
      assert.deepEqual(phaseSequence(events, beforeFix), ['start:fix', 'end:fix', 'start:suite', 'end:suite']);
      assert.equal(ofType(events, 'warning').length, 1, 'said once');
    } finally {
      await cli.stop();
    }
  });

  // Each name next to a sibling that only differs after it: only the target's own result may count.
  const NAMES: Array<[string, string, string]> = [
    ['a NUL', "'nul \\0 a'", 'nul \0 a'],
    ['a lone surrogate', "'lone \\ud800 a'", 'lone \ud800 a'],
    ['200,000 characters', "'y'.repeat(200000) + ' a'", 'y'.repeat(200_000) + ' a'],
  ];
  for (const [what, source, name] of NAMES) {
    test(`a failing test whose name holds ${what} gets its fix run, and cctrial does not exit`, async () => {
      const root = writeFixture('test/odd.test.js', TEST_HEADER + `test(${source}, () => assert.fail('target'));\ntest(${source} + 'b', () => assert.fail('sibling'));\n`);
      const cli = startCli(['-f', '-j', '2'], { cwd: root });
      try {
        await cli.waitFor(is('idle'), { what: 'waiting for the fix' });
        const { events } = cli;
        assert.deepEqual(phaseSequence(events), ['start:suite', 'end:suite', 'start:fix', 'end:fix']);
        const [fix] = ofType(events, 'fix');
        assert.ok(fix!.test.name.length === 1 && fix!.test.name[0] === name, 'the fix target is the test of that name');
        const fixFails = events.slice(events.indexOf(fix!)).filter((event): event is Fail => event.type === 'test:fail');
        assert.equal(fixFails.length, 1);
        assert.ok(fixFails[0]!.name[0] === name, 'the fix run reports the target itself');
        assert.equal(fixFails[0]!.error.message, 'target');
        assert.equal(ofType(events, 'warning').length, 0);
        assert.equal(cli.child.exitCode, null, 'still running');
      } finally {
        await cli.stop();
      }
    });
  }
});
