/** The executor's options (schema.json, beside this file), and how each becomes a cctrial flag. */

export interface CctrialExecutorOptions {
  once?: boolean;
  forever?: boolean;
  smart?: boolean;
  jobs?: number;
  grep?: string;
  /** Jest's and Vitest's name for grep. */
  testNamePattern?: string;
  timeout?: number;
  import?: string;
  isolation?: 'process' | 'none';
  json?: boolean;
  notify?: boolean;
  watchFolders?: string[];
  ignore?: string[];
  exclude?: string[];
  nodeArg?: string[];
  updateSnapshots?: boolean;
  printConfig?: boolean;
  fresh?: boolean;
  cacheDir?: string;
  results?: string;
  debugTiming?: boolean;
  verbose?: boolean;
  /** As in Jest and Vitest: true keeps watching (--forever), false runs once (--once). Not cctrial's --watch DIR: that is watchFolders. */
  watch?: boolean;
  /** One test file (the first positional argument), relative to the project, or to the workspace when it starts with the project's folder. */
  testFile?: string;
  /** Also run the tests of the projects this one depends on (not a cctrial flag: it adds positional arguments). */
  withDeps?: boolean;
}

/** Options that are not one cctrial flag each: planRun turns them into arguments. */
type PlannedOption = 'withDeps' | 'watch' | 'testFile';
type FlagOption = Exclude<keyof CctrialExecutorOptions, PlannedOption>;

interface FlagMapping {
  flag: string;
  /** boolean: the flag when true; switch: the flag when true, its --no- form when false; value: flag and value; list: flag and value, per item. */
  kind: 'boolean' | 'switch' | 'value' | 'list';
}

/** Every option that maps to a cctrial CLI flag. A test checks each flag against `cctrial --help`. */
export const FLAGS: Readonly<Record<FlagOption, FlagMapping>> = {
  once: { flag: '--once', kind: 'boolean' },
  forever: { flag: '--forever', kind: 'boolean' },
  smart: { flag: '--smart', kind: 'boolean' },
  jobs: { flag: '--jobs', kind: 'value' },
  grep: { flag: '--grep', kind: 'value' },
  testNamePattern: { flag: '--grep', kind: 'value' },
  timeout: { flag: '--timeout', kind: 'value' },
  import: { flag: '--import', kind: 'value' },
  isolation: { flag: '--isolation', kind: 'value' },
  json: { flag: '--json', kind: 'boolean' },
  notify: { flag: '--notify', kind: 'switch' },
  watchFolders: { flag: '--watch', kind: 'list' },
  ignore: { flag: '--ignore', kind: 'list' },
  exclude: { flag: '--exclude', kind: 'list' },
  nodeArg: { flag: '--node-arg', kind: 'list' },
  updateSnapshots: { flag: '--update-snapshots', kind: 'boolean' },
  printConfig: { flag: '--print-config', kind: 'boolean' },
  fresh: { flag: '--fresh', kind: 'boolean' },
  cacheDir: { flag: '--cache-dir', kind: 'value' },
  results: { flag: '--results', kind: 'value' },
  debugTiming: { flag: '--debug-timing', kind: 'boolean' },
  verbose: { flag: '--verbose', kind: 'boolean' },
};

/** The flags for these options, in table order. Options left undefined add nothing: cctrial's defaults apply. */
export function flagsFor(options: CctrialExecutorOptions): string[] {
  const args: string[] = [];
  for (const [option, { flag, kind }] of Object.entries(FLAGS) as Array<[FlagOption, FlagMapping]>) {
    const value = options[option];
    if (value === undefined || value === null) continue;
    if (kind === 'boolean' && value === true) args.push(flag);
    else if (kind === 'switch') args.push(value === true ? flag : flag.replace(/^--/, '--no-'));
    else if (kind === 'value') args.push(flag, String(value));
    else if (kind === 'list') for (const item of [value].flat()) args.push(flag, String(item));
  }
  return args;
}
