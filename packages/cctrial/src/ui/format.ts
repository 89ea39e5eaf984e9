/** Text building blocks shared by the views: counts, stacks, test names. */
import path from 'node:path';
import { colors as pc } from './colors.js';
import type { Counts, TestRef } from '../events.js';
import { formatTestName } from '../results/identity.js';
import type { SerializedError } from '../results/types.js';
import { isUserFrame, parseStackFrames } from '../results/stack.js';

export const RULE_WIDTH = 79;

export function formatRef(ref: TestRef): string {
  return formatTestName({ project: ref.project, file: ref.file, path: ref.name, occurrence: ref.occurrence });
}

export function totalTests(counts: Counts): number {
  return counts.passed + counts.failed + counts.errors + counts.skipped + counts.todo + counts.cancelled;
}

/** The seed's summary: PASSED (successes=N) or FAILED (failures=F, errors=E, successes=S), non-zero counts only. */
export function formatVerdict(counts: Counts): string {
  const parts: Array<[string, number]> = [
    ['skips', counts.skipped],
    ['todo', counts.todo],
    ['failures', counts.failed],
    ['errors', counts.errors],
    ['cancelled', counts.cancelled],
    ['successes', counts.passed],
  ];
  const listed = parts.filter(([, count]) => count > 0).map(([name, count]) => `${name}=${count}`);
  const failed = counts.failed + counts.errors + counts.cancelled > 0;
  const word = failed ? pc.red(pc.bold('FAILED')) : pc.green(pc.bold('PASSED'));
  return `${word} (${listed.join(', ') || 'successes=0'})`;
}

/** `1 test`, `2 tests`. */
export function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}

export function firstLine(text: string): string {
  return text.split('\n', 1)[0] ?? '';
}

/**
 * The error as a developer reads it: header, message, then user frames with paths made relative.
 * Frames in Node's internals and node_modules are hidden; their count is shown.
 */
export function formatError(error: SerializedError, root: string): string {
  const lines = [pc.bold(`${error.type}: ${error.message}`)];
  const frames = parseStackFrames(error.stack);
  let hidden = 0;
  for (const frame of frames) {
    if (!isUserFrame(frame)) {
      hidden++;
      continue;
    }
    const relative = path.relative(root, frame.file);
    lines.push(`    ${frame.text.replace(frame.file, relative).replace(`file://${relative}`, relative)}`);
  }
  if (hidden > 0) lines.push(pc.dim(`    ... ${hidden} frame${hidden === 1 ? '' : 's'} in node internals or node_modules hidden`));
  if (error.cause) lines.push(`  [cause] ${formatError(error.cause, root).split('\n').join('\n  ')}`);
  // An AggregateError's own message rarely says what failed: its inner errors do.
  error.errors?.forEach((inner, index) => lines.push(`  [errors ${index + 1}] ${formatError(inner, root).split('\n').join('\n  ')}`));
  if (error.errorsOmitted) lines.push(pc.dim(`  ... and ${error.errorsOmitted} more inner error${error.errorsOmitted === 1 ? '' : 's'} not kept`));
  return lines.join('\n');
}

/** Expected and actual values of an assertion, when the message does not already show them. */
export function formatComparison(error: SerializedError): string {
  if (error.expected === undefined || error.actual === undefined) return '';
  // assert.fail(message) compares nothing: its `expected: undefined` / `actual: undefined` say nothing.
  if (error.operator === 'fail') return '';
  if (error.message.includes(error.actual) && error.message.includes(error.expected)) return '';
  return `\n${pc.green(`expected: ${error.expected}`)}\n${pc.red(`actual:   ${error.actual}`)}\n`;
}
