/** Which folder holds a file: one answer for discovery, selection, links and the Nx plugin. */
import path from 'node:path';

/** True when `file` is `folder` itself or lies below it; `/a/b-other` is not inside `/a/b`. */
export function isInside(folder: string, file: string): boolean {
  const relative = path.relative(folder, file);
  return relative === '' || (!relative.startsWith('..') && !path.isAbsolute(relative));
}

/** The deepest of `folders`' owners (by `root`) that contains `file`. */
export function deepestOwner<T extends { root: string }>(owners: Iterable<T>, file: string): T | undefined {
  let best: T | undefined;
  for (const owner of owners) {
    if (isInside(owner.root, file) && (!best || owner.root.length > best.root.length)) best = owner;
  }
  return best;
}

