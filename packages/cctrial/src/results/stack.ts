/** Reading V8 stack traces: which frames are the user's, and where an error was thrown. */
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export interface StackFrame {
  file: string;
  line: number;
  column: number;
  text: string;
}

const FRAME_PATTERN = /^\s*at (?:.*? \()?(.+?):(\d+):(\d+)\)?$/;

export function parseStackFrames(stack: string | undefined): StackFrame[] {
  if (!stack) return [];
  const frames: StackFrame[] = [];
  for (const text of stack.split('\n')) {
    const match = FRAME_PATTERN.exec(text);
    if (!match) continue;
    let file = match[1]!;
    if (file.startsWith('file://')) file = fileURLToPath(file);
    frames.push({ file, line: Number(match[2]), column: Number(match[3]), text: text.trim() });
  }
  return frames;
}

/** Node's own frames, dependencies and cctrial's child harness are never where the user's bug is. */
export function isUserFrame(frame: StackFrame): boolean {
  const { file } = frame;
  if (file.startsWith('node:') || !path.isAbsolute(file)) return false;
  if (file.includes(`${path.sep}node_modules${path.sep}`)) return false;
  return !file.includes(`${path.sep}cctrial${path.sep}dist${path.sep}src${path.sep}child${path.sep}`);
}

/** The first user frame, as `relative/file.js:line:column`, or undefined when the stack has none. */
export function throwSite(stack: string | undefined, root: string): string | undefined {
  const frame = parseStackFrames(stack).find(isUserFrame);
  if (!frame) return undefined;
  return `${toPosix(path.relative(root, frame.file))}:${frame.line}:${frame.column}`;
}

export function toPosix(file: string): string {
  return file.split(path.sep).join('/');
}
