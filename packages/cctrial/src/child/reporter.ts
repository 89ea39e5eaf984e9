/**
 * The node:test reporter loaded inside every test child. It writes one JSON frame per line to FRAME_FD
 * (channel.ts), synchronously, so that frames already written survive a process.exit() or a SIGKILL.
 */
import { writeFrame } from './channel.js';
import type { ChildFrame, TestLocation } from './protocol.js';
import { takeModulesFrame } from './modules.js';
import { capText, ERROR_LIMITS, serializeError } from './serialize-error.js';
import { takeFileEnd } from './shared-files.js';

interface ReporterEvent {
  type: string;
  data: Record<string, any>;
}

export { writeFrame };

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
        // `instanceof` runs a Proxy's traps, which may throw.
        const ownFailure = wrapper.failureType !== 'testCodeFailure' && !isError(wrapper.cause);
        // `throw undefined` leaves an own cause that is undefined: report that value, not node:test's wrapper.
        const threw = wrapper.code === 'ERR_TEST_FAILURE' && Object.hasOwn(wrapper, 'cause') && !ownFailure;
        const error = serializeError(threw ? wrapper.cause : wrapper);
        // A thrown non-error has no stack: the test's own location is the only site known, and it keeps
        // two such throws in two tests apart when grouping (one test in a loop stays one site).
        if (error.stack === undefined && typeof data.file === 'string' && typeof data.line === 'number') {
          error.stack = `${error.type}: ${firstLine(error.message)}\n    at <test; the thrown value has no stack> (${data.file}:${data.line}:${data.column ?? 1})`;
        }
        frame.data.error = error;
      }
      return frame;
    }
    case 'test:diagnostic':
      return { type, data: { message: capText(String(data.message), ERROR_LIMITS.diagnosticBytes), level: data.level } };
    default:
      return undefined;
  }
}

function isError(value: unknown): boolean {
  try {
    return value instanceof Error;
  } catch {
    return false;
  }
}

const firstLine = (text: string) => text.split('\n', 1)[0] ?? '';

export default async function* cctrialReporter(source: AsyncIterable<ReporterEvent>): AsyncGenerator<never> {
  for await (const event of source) {
    if (event.type === 'test:diagnostic' && takeFileEnd(String(event.data.message))) continue;
    const frame = toFrame(event);
    if (frame) writeFrame(frame);
  }
  const modules = takeModulesFrame(false);
  if (modules) writeFrame(modules);
  writeFrame({ type: 'end', data: {} });
}
