/** `cctrial --print-config`: what each project runs, and where each value came from. */
import path from 'node:path';
import type { ProjectSettings } from './settings.js';

export function formatSettings(settings: ProjectSettings, root: string, testFiles: string[]): string {
  const where = (dir: string) => path.relative(root, dir).split(path.sep).join('/') || '.';
  const { origins } = settings;
  const include = settings.include.length === 0 ? "node --test's default patterns, with their TypeScript twins" : settings.include.map((glob) => (glob.shell ? `${glob.pattern} (expanded by sh)` : glob.pattern)).join(' ');
  const env = Object.entries(settings.env).map(([key, value]) => `${key}=${value}`).join(' ');
  const lines = [
    `${settings.project.name} (${where(settings.project.root)})`,
    `  runs:      ${settings.excluded ? `no: ${settings.excluded}` : 'yes'}  [${origins.runner}]`,
    `  cwd:       ${where(settings.cwd)}  [${origins.cwd}]`,
    `  include:   ${include}  [${origins.include}]`,
    `  exclude:   ${settings.exclude.join(' ') || '-'}  [${origins.exclude}]`,
    `  node args: ${settings.nodeArgs.join(' ') || '-'}  [${origins.nodeArgs}]`,
    `  env:       ${env || '-'}  [${origins.env}]`,
    // Nothing given: what runs is chosen per file at launch (runner/launch-spec.ts), so say that, not "-".
    `  import:    ${settings.importModule ?? 'tsx where needed'}  [${origins.import}]`,
    `  timeout:   ${settings.timeoutMs === 0 ? 'none' : `${settings.timeoutMs} ms`}  [${origins.timeout}]`,
    `  isolation: ${settings.isolation}  [${origins.isolation}]`,
  ];
  if (settings.droppedArgs.length > 0) lines.push(`  not used:  ${settings.droppedArgs.join(' ')}  (they only shape output; cctrial reports, and runs each file in a process of its own, itself)`);
  if (!settings.excluded) lines.push(`  files:     ${testFiles.length}${testFiles.length > 0 ? `: ${testFiles.slice(0, 10).join(', ')}${testFiles.length > 10 ? `, ... and ${testFiles.length - 10} more` : ''}` : ''}`);
  return lines.join('\n');
}

/** The one line at start-up naming the projects left out. */
export function exclusionNotice(excluded: Array<{ name: string; reason: string }>): string | undefined {
  if (excluded.length === 0) return undefined;
  const list = excluded.map(({ name, reason }) => `${name} (${reason})`).join('; ');
  return `left out ${excluded.length} project${excluded.length > 1 ? 's' : ''} that cctrial does not run with node:test: ${list}. To run one anyway, set "runner": "node" in its package.json "cctrial" key; "cctrial --print-config" shows what each project runs.`;
}
