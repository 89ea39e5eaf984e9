#!/usr/bin/env node
/** The command line: flags to options, options to a run, a run to an exit code. Only this module exits. */
import { readFileSync } from 'node:fs';
import { Engine } from './engine.js';
import { ConfigError } from './errors.js';
import type { EventSink } from './events.js';
import { helpText, parseOptions, type Options } from './options.js';
import { killAllGroups } from './runner/process-group.js';
import { createJsonView } from './ui/json-view.js';
import { createPlainView } from './ui/plain-view.js';

export const EXIT_GREEN = 0;
export const EXIT_FAILURES = 1;
export const EXIT_USAGE = 2;

const VERSION = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;

async function main(argv: string[]): Promise<number> {
  const options = parseOptions(argv);
  if (options.help) {
    process.stdout.write(helpText(VERSION) + '\n');
    return EXIT_GREEN;
  }
  if (options.version) {
    process.stdout.write(VERSION + '\n');
    return EXIT_GREEN;
  }
  return runOnce(options);
}

async function runOnce(options: Options): Promise<number> {
  const write = (text: string) => process.stdout.write(text);
  let view: EventSink = () => {};
  const engine = new Engine(options, (event) => view(event));
  view = options.json ? createJsonView(write) : createPlainView(write, engine.workspace.root);
  if (engine.files.length === 0) {
    throw new ConfigError(
      `No test files found in ${engine.selection.projects.map((project) => project.name).join(', ') || engine.workspace.root}. ` +
        'cctrial looks for node --test\'s patterns (*.test.js, test/**/*.js, ... and their .ts variants); add a test or select another project.',
    );
  }
  const { report } = await engine.runSuite('suite', null);
  return report.results.some((result) => result.outcome === 'failure' || result.outcome === 'error' || result.outcome === 'cancelled') ? EXIT_FAILURES : EXIT_GREEN;
}

function exitOn(signal: NodeJS.Signals, code: number) {
  process.once(signal, () => {
    killAllGroups();
    process.exit(code);
  });
}
exitOn('SIGINT', 130);
exitOn('SIGTERM', 143);
exitOn('SIGHUP', 129);

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    if (error instanceof ConfigError) {
      process.stderr.write(`cctrial: ${error.message}\n`);
      process.exitCode = EXIT_USAGE;
    } else {
      process.stderr.write(`cctrial: internal error, please report it: ${(error as Error)?.stack ?? String(error)}\n`);
      process.exitCode = EXIT_USAGE;
    }
  },
);
