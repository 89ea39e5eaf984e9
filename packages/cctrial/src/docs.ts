/** The README's flag table, generated from the flag table in options.ts so that the two never drift. */
import { FLAGS } from './options.js';

export const FLAGS_START = '<!-- flags:start';
export const FLAGS_END = '<!-- flags:end -->';

export function flagsTable(): string {
  const rows = FLAGS.map((flag) => {
    const names = `${flag.short ? `\`-${flag.short}\`, ` : ''}\`--${flag.name}${flag.value ? ` ${flag.value}` : ''}\``;
    return `| ${names} | ${flag.description} |`;
  });
  return ['| Option | Description |', '| --- | --- |', ...rows].join('\n');
}

/** The README with its flag table replaced by the generated one. */
export function withFlagsTable(readme: string): string {
  const start = readme.indexOf(FLAGS_START);
  const end = readme.indexOf(FLAGS_END);
  if (start === -1 || end === -1) throw new Error(`README.md has no ${FLAGS_START} ... ${FLAGS_END} markers`);
  const headerEnd = readme.indexOf('\n', start) + 1;
  return readme.slice(0, headerEnd) + flagsTable() + '\n' + readme.slice(end);
}
