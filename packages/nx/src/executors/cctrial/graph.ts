/** What a project's cctrial run selects and watches, read from the Nx project graph. */
import type { ProjectGraph } from '@nx/devkit';

/**
 * The workspace projects `name` depends on, transitively, in a stable order (breadth first, then
 * by name). Edges to `npm:` packages lead to external nodes, which are not in `nodes`, so they drop out.
 */
export function localDependencies(graph: ProjectGraph, name: string): string[] {
  const seen = new Set<string>([name]);
  const order: string[] = [];
  let frontier = [name];
  while (frontier.length > 0) {
    const next: string[] = [];
    for (const source of frontier) {
      const targets = (graph.dependencies[source] ?? []).map((edge) => edge.target).sort();
      for (const target of targets) {
        if (seen.has(target) || !graph.nodes[target]) continue;
        seen.add(target);
        order.push(target);
        next.push(target);
      }
    }
    frontier = next;
  }
  return order;
}

/** A project's folder, relative to the workspace root ("." for a root project). */
export function projectRoot(graph: ProjectGraph, name: string): string {
  const node = graph.nodes[name];
  if (!node) throw new Error(`The Nx project graph has no project "${name}".`);
  return node.data.root || '.';
}
