/**
 * Which changed files are ignored: git's own rules (every .gitignore, .git/info/exclude and the
 * global excludes file, asked of git itself, so they are read exactly as git reads them), then the
 * user's `--ignore` globs and `ignore` config key, written as in a .gitignore. A tracked file is
 * never ignored by git's rules: it is part of the code.
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { debuglog } from 'node:util';
import ignore, { type Ignore } from 'ignore';
import { isInside } from '../workspace/paths.js';

const debug = debuglog('cctrial');
const GIT_TIMEOUT_MS = 10_000;

export class IgnoreRules {
  private readonly userRules: Ignore;

  private constructor(
    private readonly root: string,
    /** The top folder of each git repository the watched folders are in, deepest first. */
    private readonly repositories: string[],
    globs: string[],
  ) {
    this.userRules = ignore().add(globs);
  }

  static async create(root: string, watchedFolders: string[], globs: string[]): Promise<IgnoreRules> {
    const tops = await Promise.all(watchedFolders.map((folder) => git(folder, ['rev-parse', '--show-toplevel']).then((out) => out?.trim() || undefined)));
    const repositories = [...new Set(tops.filter((top): top is string => top !== undefined))].sort((a, b) => b.length - a.length);
    return new IgnoreRules(root, repositories, globs);
  }

  /** The files that are not ignored, in their order. */
  async keep(files: string[]): Promise<string[]> {
    const byUser = files.filter((file) => !this.ignoredByUser(file));
    const ignored = new Set<string>();
    const byRepository = new Map<string, string[]>();
    for (const file of byUser) {
      const top = this.repositories.find((repository) => isInside(repository, file));
      if (top) byRepository.set(top, [...(byRepository.get(top) ?? []), file]);
    }
    await Promise.all(
      [...byRepository].map(async ([top, inRepository]) => {
        // -z --stdin: any file name, however odd, goes through unchanged; exit code 1 means "none ignored".
        const out = await git(top, ['check-ignore', '-z', '--stdin'], inRepository.map((file) => path.relative(top, file)).join('\0') + '\0');
        for (const relative of out?.split('\0') ?? []) if (relative) ignored.add(path.resolve(top, relative));
      }),
    );
    return byUser.filter((file) => !ignored.has(file));
  }

  private ignoredByUser(file: string): boolean {
    const relative = path.relative(this.root, file);
    // The ignore library takes only paths inside the root; a linked package outside it has no user rules.
    if (relative === '' || relative.startsWith('..') || path.isAbsolute(relative)) return false;
    return this.userRules.ignores(relative.split(path.sep).join('/'));
  }
}

/** git's stdout, or undefined where git is missing or the folder is in no repository. */
function git(cwd: string, args: string[], input?: string): Promise<string | undefined> {
  return new Promise((resolve) => {
    const child = execFile('git', args, { cwd, timeout: GIT_TIMEOUT_MS, maxBuffer: 64 << 20 }, (error, stdout, stderr) => {
      const code = (error as { code?: unknown } | null)?.code;
      if (error && code !== 1) debug('git %s in %s: %s', args.join(' '), cwd, stderr || error.message);
      resolve(error && code !== 1 ? undefined : stdout);
    });
    // git may be gone before it reads its input (no repository): the error above tells that already.
    child.stdin?.on('error', () => {});
    child.stdin?.end(input ?? '');
  });
}
