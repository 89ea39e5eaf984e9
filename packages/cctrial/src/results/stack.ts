/** Reading V8 stack traces: which frames are the user's, and where an error was thrown. */
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export interface StackFrame {
  file: string;
  line: number;
  column: number;
  text: string;
}

const LOCATION_PATTERN = /^(.+):(\d+):(\d+)$/;

/**
 * V8 writes `at fn (location)` or, for anonymous code, `at location`. The location is found by
 * shape rather than by one regular expression, because paths may contain spaces and parentheses.
 */
export function parseStackFrames(stack: string | undefined): StackFrame[] {
  if (!stack) return [];
  const frames: StackFrame[] = [];
  for (const line of stack.split('\n')) {
    const text = line.trim();
    if (!text.startsWith('at ')) continue;
    const rest = text.slice(3);
    const open = rest.indexOf(' (');
    const location = rest.endsWith(')') && open !== -1 ? rest.slice(open + 2, -1) : rest;
    const match = LOCATION_PATTERN.exec(location);
    if (!match) continue;
    let file = match[1]!;
    if (file.startsWith('file://')) file = fileURLToPath(file);
    // The real path, not its URL (`my%20dir`): the text is what the user reads, and its path is made relative.
    frames.push({ file, line: Number(match[2]), column: Number(match[3]), text: file === match[1] ? text : text.replace(match[1]!, file) });
  }
  return frames;
}

/** cctrial's child harness, built, and as source maps (always on) name it. */
const HARNESS_FOLDERS = [['cctrial', 'dist', 'src', 'child'], ['cctrial', 'src', 'child']].map((parts) => path.sep + parts.join(path.sep) + path.sep);

/** Node's own frames, dependencies and cctrial's child harness are never where the user's bug is. */
export function isUserFrame(frame: StackFrame): boolean {
  const { file } = frame;
  if (file.startsWith('node:') || !path.isAbsolute(file)) return false;
  if (file.includes(`${path.sep}node_modules${path.sep}`)) return false;
  return !HARNESS_FOLDERS.some((folder) => file.includes(folder));
}

/** The first user frame, as `relative/file.js:line:column`, or undefined when the stack has none. */
export function throwSite(stack: string | undefined, root: string): string | undefined {
  const frame = parseStackFrames(stack).find(isUserFrame);
  if (!frame) return undefined;
  return `${toPosix(path.relative(root, frame.file))}:${frame.line}:${frame.column}`;
}

export interface SourceLocation {
  /** Relative to the workspace root, with forward slashes. */
  file: string;
  line: number;
  column: number;
}

/**
 * Where a failure shows in the test file (the deepest frame there: the failing assertion, or the call
 * into the code that threw), and where it was thrown (the first user frame), for editors. The test
 * file's place falls back to where the test is declared when the stack never reaches the file.
 */
export function failureLocations(
  stack: string | undefined,
  testFile: string,
  declared: { line?: number; column?: number },
  root: string,
): { location?: SourceLocation; thrownAt?: SourceLocation } {
  const relative = (frame: StackFrame): SourceLocation => ({ file: toPosix(path.relative(root, frame.file)), line: frame.line, column: frame.column });
  const frames = parseStackFrames(stack).filter(isUserFrame);
  const absoluteTestFile = path.resolve(root, testFile);
  const inTest = frames.find((frame) => frame.file === absoluteTestFile);
  const location = inTest ? relative(inTest) : declared.line === undefined ? undefined : { file: testFile, line: declared.line, column: declared.column ?? 1 };
  const thrown = frames[0] && relative(frames[0]);
  const sameSite = thrown && location && thrown.file === location.file && thrown.line === location.line && thrown.column === location.column;
  return { ...(location ? { location } : {}), ...(thrown && !sameSite ? { thrownAt: thrown } : {}) };
}

/** Every `file://` URL in a text (a message, a stack) as the real path it names: `my%20dir` is shown as `my dir`. */
export function fileUrlsToPaths(text: string): string {
  // A URL holds no white space; a trailing `:line:column`, closing bracket, quote or full stop is not part of it.
  return text.replace(/file:\/\/\/\S*/g, (url) => {
    const [, href, rest] = /^(.*?)((?::\d+)*[)'"`.,;]*)$/.exec(url)!;
    try {
      return fileURLToPath(href!) + rest;
    } catch {
      return url;
    }
  });
}

export function toPosix(file: string): string {
  return file.split(path.sep).join('/');
}
