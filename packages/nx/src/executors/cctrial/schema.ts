/** The executor's options (schemas/cctrial.json), and how each becomes a cctrial flag. */

export interface CctrialExecutorOptions {
  once?: boolean;
  forever?: boolean;
  smart?: boolean;
  jobs?: number;
  grep?: string;
  timeout?: number;
  import?: string;
  isolation?: 'process' | 'none';
  json?: boolean;
  notify?: boolean;
  watch?: string[];
  ignore?: string[];
  verbose?: boolean;
  /** Also run the tests of the projects this one depends on (not a cctrial flag: it adds positional arguments). */
  withDeps?: boolean;
}

type FlagOption = Exclude<keyof CctrialExecutorOptions, 'withDeps'>;

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
  timeout: { flag: '--timeout', kind: 'value' },
  import: { flag: '--import', kind: 'value' },
  isolation: { flag: '--isolation', kind: 'value' },
  json: { flag: '--json', kind: 'boolean' },
  notify: { flag: '--notify', kind: 'switch' },
  watch: { flag: '--watch', kind: 'list' },
  ignore: { flag: '--ignore', kind: 'list' },
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
