/**
 * The TTY view: the plain report printed above a status line that updates in place. Nothing a test
 * wrote reaches the terminal raw (terminal-text.ts), and closing it, or any exit of the process,
 * hands the terminal back (StatusLine.close).
 */
import { colors as pc } from './colors.js';
import type { EventSink } from '../events.js';
import { formatRef } from './format.js';
import { createPlainView } from './plain-view.js';
import { StatusLine, type StatusCounts } from './status-line.js';
import { neutralizeControls } from './terminal-text.js';

export interface TerminalView {
  sink: EventSink;
  print(text: string): void;
  close(): void;
}

export function createTerminalView(stream: NodeJS.WriteStream, root: string, verbose: boolean): TerminalView {
  const status = new StatusLine(stream);
  const print = (text: string) => status.print(neutralizeControls(text, pc.isColorSupported));
  const plain = createPlainView(print, root, verbose, () => stream.columns || 80);
  let counts: StatusCounts = { done: 0, total: null, failed: 0, errors: 0, skipped: 0, todo: 0, cancelled: 0 };
  let current = '';
  /** The test being fixed: Node 20 also starts the tests a name pattern deselects, so those must not show. */
  let fixing: string | undefined;

  const sink: EventSink = (event) => {
    plain(event);
    switch (event.type) {
      case 'fix':
        fixing = formatRef(event.test);
        return;
      case 'run:start':
        counts = { done: 0, total: event.tests, failed: 0, errors: 0, skipped: 0, todo: 0, cancelled: 0 };
        if (event.phase !== 'fix') fixing = undefined;
        current = fixing ?? '';
        break;
      case 'test:start':
        current = fixing ?? `${event.file} › ${event.name}`;
        break;
      case 'test:pass':
        counts.done++;
        if (event.outcome === 'skip') counts.skipped++;
        if (event.outcome === 'todo') counts.todo++;
        break;
      case 'test:fail':
        counts.done++;
        if (event.outcome === 'failure') counts.failed++;
        if (event.outcome === 'error') counts.errors++;
        if (event.outcome === 'cancelled') counts.cancelled++;
        break;
      case 'run:end': {
        const done = event.passed + event.failed + event.errors + event.skipped + event.todo + event.cancelled;
        counts = { ...event, done, total: done };
        break;
      }
      default:
        return;
    }
    status.update(current, counts);
  };
  return { sink, print, close: () => status.close() };
}
