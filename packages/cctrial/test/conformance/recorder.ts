/**
 * A node:test reporter for the reference side of the conformance suite: loaded into a project's own
 * test command through NODE_OPTIONS, it writes one line per reported test: file, name path, outcome.
 */
import path from 'node:path';

interface ReporterEvent {
  type: string;
  data: Record<string, any>;
}

export default async function* recordTests(source: AsyncIterable<ReporterEvent>): AsyncGenerator<string> {
  const ancestors = new Map<string, string[]>();
  for await (const { type, data } of source) {
    // The file that ran the test (24.20+), which may not be the one that declared it.
    const where = data?.entryFile ?? data?.file;
    const file = typeof where === 'string' ? path.resolve(where) : '';
    if (type === 'test:start') {
      const stack = ancestors.get(file) ?? [];
      stack.length = data.nesting;
      stack.push(data.name);
      ancestors.set(file, stack);
    } else if (type === 'test:pass' || type === 'test:fail') {
      const details = data.details ?? {};
      // The file itself, as node --test reports a file with no tests or a file-level failure: named after its path.
      const isFile = data.nesting === 0 && path.resolve(String(data.name)) === file;
      yield JSON.stringify({
        file,
        isFile,
        name: [...(ancestors.get(file) ?? []).slice(0, data.nesting), data.name],
        nesting: data.nesting,
        line: data.line,
        column: data.column,
        passed: type === 'test:pass',
        suite: details.type === 'suite',
        failureType: details.error?.failureType,
        skip: data.skip,
        todo: data.todo,
      }) + '\n';
    }
  }
}
