/**
 * The results of one `--once` run, as `--results FILE` writes them: the file a cached Nx target
 * (cctrial-ci) declares as its output, and what `--via nx` reads back, from a run just made or from
 * Nx's cache. Paths are workspace-relative, so a file written on another machine reads the same.
 */
import { readFileSync } from 'node:fs';
import type { TestResult } from './results/types.js';
import { writeAtomically, type FileKnowledge } from './saved-state.js';
import { VERSION } from './version.js';

const FORMAT = 1;

export interface ResultsFile {
  format: number;
  cctrial: string;
  /** When the run ended (ms since the epoch): older than the `nx run-many` that restored it means Nx's cache gave it. */
  writtenAt: number;
  results: TestResult[];
  files: FileKnowledge;
}

export function writeResultsFile(file: string, results: TestResult[], files: FileKnowledge): void {
  const contents: ResultsFile = { format: FORMAT, cctrial: VERSION, writtenAt: Date.now(), results, files };
  writeAtomically(file, JSON.stringify(contents));
}

/** The file's results, or why it cannot be used. */
export function readResultsFile(file: string): { contents?: ResultsFile; problem?: string } {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return { problem: 'it wrote no results file' };
  }
  try {
    const contents = JSON.parse(text) as Partial<ResultsFile>;
    if (contents.format !== FORMAT || !Array.isArray(contents.results) || typeof contents.writtenAt !== 'number') return { problem: 'its results file is not one this cctrial reads' };
    return { contents: { files: { durationsMs: {}, imports: {} }, ...contents } as ResultsFile };
  } catch {
    return { problem: 'its results file is not valid JSON' };
  }
}
