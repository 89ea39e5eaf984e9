/**
 * Colours only for a terminal. picocolors also turns them on when CI is set, which puts escape codes
 * into logs and files that are pipes; here CI changes nothing. NO_COLOR (https://no-color.org: set and
 * not empty) turns them off, FORCE_COLOR on (unless `0` or `false`).
 */
import tty from 'node:tty';
import picocolors from 'picocolors';

export function colorsWanted(env: NodeJS.ProcessEnv, stdoutIsTerminal: boolean): boolean {
  if (env.NO_COLOR) return false;
  if (env.FORCE_COLOR !== undefined) return env.FORCE_COLOR !== '0' && env.FORCE_COLOR !== 'false';
  return stdoutIsTerminal && env.TERM !== 'dumb';
}

export const colors = picocolors.createColors(colorsWanted(process.env, tty.isatty(1)));
