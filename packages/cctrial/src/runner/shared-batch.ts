/**
 * Several test files of one project in one child process, one after another: how a suite run
 * honours `--test-isolation=none` (a test script's, or the `isolation` setting). The child reports
 * where each file ends (child/shared-files.ts); this splits what it reported into one outcome per
 * file, as if each file had had a process of its own. Sharing must never change a verdict: a file
 * whose outcome is not clean is run again alone, and that run's verdict is the one reported.
 */
import type { ChildFrame } from '../child/protocol.js';
import type { ChildOutcome } from './run-file.js';

/** A shared process runs at most this many files: its memory grows with every file it loads. */
export const MAX_FILES_PER_PROCESS = 25;

/** How many files of `count` to give each shared process with `jobs` workers: each worker gets one, up to the cap. */
export function filesPerProcess(count: number, jobs: number): number {
  return Math.min(MAX_FILES_PER_PROCESS, Math.ceil(count / Math.max(1, jobs)));
}

export class SharedSplit {
  /** One outcome per file that ended, by its index in the go message. */
  readonly ended: Array<ChildOutcome | undefined>;
  /** A test failed after the last file ended (a root-level after() hook): no file can be trusted with it. */
  trailingFailure = false;
  private current = 0;
  private frames: ChildFrame[] = [];
  private modules: ChildOutcome['modules'];
  private fileStartedAt = performance.now();
  private firstFrameMs: number | undefined;

  constructor(private readonly count: number) {
    this.ended = new Array<ChildOutcome | undefined>(count);
  }

  /** The index of the file now running; `count` once all have ended. */
  get running(): number {
    return this.current;
  }

  onFrame(frame: ChildFrame): void {
    if (this.current >= this.count) {
      if (frame.type === 'test:fail') this.trailingFailure = true;
      return;
    }
    if (frame.type === 'modules') {
      this.modules = frame.data;
      return;
    }
    if (frame.type !== 'file-end') {
      this.firstFrameMs ??= performance.now() - this.fileStartedAt;
      this.frames.push(frame);
      return;
    }
    // A file that reported nothing declared no tests: its outcome must say so, as its own process's would.
    const frames: ChildFrame[] = this.frames.length > 0 ? [...this.frames, { type: 'end', data: {} }] : [];
    const outcome: ChildOutcome = {
      frames,
      stdout: '',
      stderr: '',
      exitCode: frame.data.exitCode,
      signal: null,
      aborted: false,
      durationMs: performance.now() - this.fileStartedAt,
    };
    if (this.modules) outcome.modules = this.modules;
    if (this.firstFrameMs !== undefined) outcome.firstFrameMs = this.firstFrameMs;
    this.ended[this.current++] = outcome;
    this.frames = [];
    this.modules = undefined;
    this.firstFrameMs = undefined;
    this.fileStartedAt = performance.now();
  }
}
