/** Reading cctrial's events the way the e2e assertions need them. */
import type { CctrialEvent } from './run.js';

/** The test files that reported results, sorted. */
export function testedFiles(events: CctrialEvent[]): string[] {
  const files = events.filter((event) => event.type === 'test:pass' || event.type === 'test:fail').map((event) => String(event.file));
  return [...new Set(files)].sort();
}

export function runEnd(events: CctrialEvent[], from = 0): CctrialEvent | undefined {
  return events.slice(from).find((event) => event.type === 'run:end');
}

/** The signatures of the failure groups of the last run, largest first. */
export function groupSignatures(events: CctrialEvent[]): string[] {
  const groups = events.filter((event) => event.type === 'groups').at(-1) as { groups: Array<{ signature: string }> } | undefined;
  return groups?.groups.map((group) => group.signature) ?? [];
}
