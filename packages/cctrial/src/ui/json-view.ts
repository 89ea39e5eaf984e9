/** --json: every event, one JSON object per line, exactly as emitted. */
import type { EventSink } from '../events.js';

export function createJsonView(write: (text: string) => void): EventSink {
  return (event) => write(JSON.stringify(event) + '\n');
}
