/**
 * The node:test reporter loaded inside every test child. It writes one JSON frame per line to fd 3,
 * synchronously, so that frames already written survive a process.exit() or a SIGKILL.
 */
import { writeSync } from 'node:fs';
import { FRAME_FD, type ChildFrame, type TestLocation } from './protocol.js';
import { takeModulesFrame } from './modules.js';
import { serializeError } from './serialize-error.js';

interface ReporterEvent {
  type: string;
  data: Record<string, any>;
}

/** Taken before the child entry wraps process.exit, whose wrapper writes a frame itself. */
const exitNow = process.exit.bind(process);

export function writeFrame(frame: ChildFrame): void {
  const line = JSON.stringify(frame) + '\n';
  try {
    writeSync(FRAME_FD, line);
  } catch {
    // The parent has gone away: nobody is left to read, and the watchdog of a new parent does not know us.
    // The heartbeat finds this within a second even while a test waits.
    exitNow(1);
  }
}

function location(data: Record<string, any>): TestLocation {
  return { name: data.name, nesting: data.nesting, line: data.line, column: data.column };
}

function toFrame({ type, data }: ReporterEvent): ChildFrame | undefined {
  switch (type) {
    case 'test:start':
    case 'test:dequeue':
      return { type, data: location(data) };
    case 'test:pass':
    case 'test:fail': {
      const details = data.details ?? {};
      // node:test wraps the thrown value: the wrapper says why (failureType), `cause` is what the test threw.
      const wrapper = details.error;
      const frame: ChildFrame = {
        type,
        data: {
          ...location(data),
          kind: details.type,
          durationMs: details.duration_ms ?? 0,
          skip: data.skip,
          todo: data.todo,
        },
      };
      if (wrapper) {
        frame.data.failureType = wrapper.failureType;
        // node:test's own failures (a timeout, a cancelled test) carry a bare string as cause: the wrapper says it better.
        const ownFailure = wrapper.failureType !== 'testCodeFailure' && !(wrapper.cause instanceof Error);
        const thrown = wrapper.code === 'ERR_TEST_FAILURE' && wrapper.cause !== undefined && !ownFailure ? wrapper.cause : wrapper;
        frame.data.error = serializeError(thrown);
      }
      return frame;
    }
    case 'test:diagnostic':
      return { type, data: { message: String(data.message), level: data.level } };
    default:
      return undefined;
  }
}

export default async function* cctrialReporter(source: AsyncIterable<ReporterEvent>): AsyncGenerator<never> {
  for await (const event of source) {
    const frame = toFrame(event);
    if (frame) writeFrame(frame);
  }
  const modules = takeModulesFrame(false);
  if (modules) writeFrame(modules);
  writeFrame({ type: 'end', data: {} });
}
