/**
 * The human report without a status line: the seed's phrases and blocks, as plain lines.
 * Groups come first, largest first, each with one representative stack and its tests.
 * What a test wrote (names, messages, output) never reaches the terminal raw: control characters
 * are shown as visible symbols, and test names stay on their line (terminal-text.ts).
 */
import { colors as pc } from './colors.js';
import type { CctrialEvent, EventSink, Phase, SourceLocation, TestRef } from '../events.js';
import type { SerializedError } from '../results/types.js';
import { count, firstLine, formatComparison, formatError, formatRef as formatFullRef, formatVerdict, RULE_WIDTH, totalTests } from './format.js';
import { cutEnd, displayWidth, flattenLine, neutralizeControls } from './terminal-text.js';

/** A test's name on one line: a name with line breaks must not break the report's layout. */
const formatRef = (ref: TestRef) => flattenLine(formatFullRef(ref));

const MAX_LISTED_TESTS = 10;
const MAX_VALUE_WIDTH = 40;

/** `: actual 1999, expected '1999'`, each value on one line and cut short; nothing for an error without values. */
function valuesOf(error: SerializedError | undefined): string {
  if (error?.actual === undefined || error.expected === undefined) return '';
  const short = (value: string) => cutEnd(flattenLine(value.replace(/\s*\n\s*/g, ' ')), MAX_VALUE_WIDTH);
  return `: actual ${short(error.actual)}, expected ${short(error.expected)}`;
}

/** `width` is the terminal's, when there is one: a group's header line then never wraps. */
export function createPlainView(rawWrite: (text: string) => void, root: string, verbose = false, width?: () => number): EventSink {
  const write = (text: string) => rawWrite(neutralizeControls(text, pc.isColorSupported));
  const failures = new Map<string, Extract<CctrialEvent, { type: 'test:fail' }>>();
  const keyOf = (ref: { file: string; name: string[]; occurrence: number }) => JSON.stringify([ref.file, ref.name, ref.occurrence]);

  let phase: Phase = 'suite';
  let target: TestRef | undefined;
  let output: Array<{ file: string; stdout: string; stderr: string }> = [];

  return (event) => {
    switch (event.type) {
      case 'fix':
        target = event.test;
        write(`re-run: ${formatRef(event.test)}\n`);
        break;
      case 'project:results':
        write(pc.dim(`${event.project}: ${count(event.tests, 'test')}, ${event.cached ? "from Nx's cache" : 'run by Nx'}\n`));
        break;
      case 'resume':
        write(
          `Resuming: ${count(event.failing, 'test')} in ${count(event.groups, 'group')} failed when cctrial last ran here; ` +
            `the one it was fixing runs first, then all of them, then the suite (--fresh starts with the suite).\n`,
        );
        break;
      case 'change':
        write(`changed: ${event.files.slice(0, 3).map(flattenLine).join(', ')}${event.files.length > 3 ? ` and ${event.files.length - 3} more` : ''}\n`);
        break;
      case 'idle':
        write('waiting for filesystem change...\n');
        break;
      case 'output':
        output.push(event);
        break;
      case 'run:start':
        phase = event.phase;
        output = [];
        failures.clear();
        // A suite's count is the last run's, which subtests can change: only a fix or recheck knows it.
        write(event.tests === null || event.phase === 'suite' ? `Running tests in ${count(event.files, 'file')}.\n` : `Running ${count(event.tests, 'test')}.\n`);
        break;
      case 'test:fail':
        failures.set(keyOf(event), event);
        if (verbose) write(`${pc.red(event.outcome.padEnd(9))} ${formatRef(event)}\n`);
        break;
      case 'test:pass':
        if (verbose) write(`${event.outcome.padEnd(9)} ${formatRef(event)}\n`);
        break;
      case 'groups': {
        // Two groups whose headers would read the same (one assertion at two sites) say where each is.
        const causes = event.groups.map((group) => firstLine(group.signature.replace(/ @ [^@]*$/, '')));
        const shared = new Set(causes.filter((cause, index) => causes.indexOf(cause) !== index));
        for (const [index, group] of event.groups.entries()) {
          const representative = failures.get(keyOf(group.representative));
          const cause = causes[index]!;
          const site = / @ ([^@]*)$/.exec(group.signature)?.[1];
          const title = `${count(group.count, 'test')}: ${cause}${shared.has(cause) && site ? ` at ${site}` : ''}`;
          write(`\n${groupHeader(title, width?.())}\n`);
          if (representative) write(formatError(representative.error, root) + '\n');
          const listed = group.tests.slice(0, MAX_LISTED_TESTS);
          // One assertion failing with other values per test: each test's values tell the cases apart.
          const messages = new Set(listed.map((test) => failures.get(keyOf(test))?.error.message));
          for (const test of listed) {
            const failure = failures.get(keyOf(test));
            write(`  - ${formatRef(test)}${failure?.flaky ? pc.yellow(' (flaky)') : ''}${messages.size > 1 ? valuesOf(failure?.error) : ''}\n`);
          }
          if (group.count > MAX_LISTED_TESTS) write(`  ... and ${group.count - MAX_LISTED_TESTS} more\n`);
        }
        break;
      }
      case 'run:end': {
        write(`\n${'-'.repeat(RULE_WIDTH)}\nRan ${count(totalTests(event), 'test')} in ${(event.durationMs / 1000).toFixed(3)}s\n\n${formatVerdict(event)}\n`);
        const failed = event.failed + event.errors + event.cancelled > 0;
        // Only while fixing one test is its own output worth the screen, as in the seed.
        if (phase === 'fix' && failed && target) {
          const failure = failures.get(keyOf(target));
          if (failure) write(formatComparison(failure.error));
          for (const { file, stdout, stderr } of output) {
            if (stdout) write(`\n${pc.dim(`stdout of ${file}:`)}\n${stdout.trimEnd()}\n`);
            if (stderr) write(`\n${pc.dim(`stderr of ${file}:`)}\n${stderr.trimEnd()}\n`);
          }
          write('\n');
          // As compilers print them, for editors and terminals that link file:line:column (README, "Editors").
          if (failure?.location) write(`${formatLocation(failure.location)}: error: ${firstLine(`${failure.error.type}: ${failure.error.message}`)}\n`);
          if (failure?.thrownAt) write(`${formatLocation(failure.thrownAt)}: info: thrown here\n`);
          write(`please fix: ${formatRef(target)}\n`);
        }
        break;
      }
      case 'timing':
        for (const file of event.files) {
          write(pc.dim(`timing ${event.phase}: ${file.file} ${file.warm ? 'warm' : 'cold'} child, first result after ${file.firstFrameMs ?? '-'} ms, done after ${file.totalMs} ms\n`));
        }
        break;
      case 'warning':
        write(pc.yellow(`warning: ${event.message}\n`));
        break;
    }
  };
}

/** The seed's `===... N tests: <error>` line, shortened to fit a terminal when it would wrap. */
function groupHeader(title: string, width: number | undefined): string {
  title = flattenLine(title);
  const columns = displayWidth(title);
  if (width === undefined || RULE_WIDTH + 1 + columns < width) return `${'='.repeat(RULE_WIDTH)} ${pc.red(title)}`;
  const fitted = columns > width - 5 ? cutEnd(title, width - 5) : title;
  const rule = Math.max(3, width - 1 - displayWidth(fitted) - 1);
  return `${'='.repeat(rule)} ${pc.red(fitted)}`;
}

function formatLocation(location: SourceLocation): string {
  return `${location.file}:${location.line}:${location.column}`;
}
