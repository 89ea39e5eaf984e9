/**
 * node --test's `--test-global-setup=<module>` (Node 24+): the module's `globalSetup()` runs once in
 * the runner's own process before any test, and `globalTeardown()` once after the last. cctrial is
 * that process here: it runs them around its session, for each distinct module of the selected projects.
 */
import { pathToFileURL } from 'node:url';

interface SetupModule {
  globalSetup?: () => unknown;
  globalTeardown?: () => unknown;
}

export class GlobalSetups {
  private readonly teardowns: Array<() => unknown> = [];

  constructor(private readonly modules: string[]) {}

  async setUp(): Promise<void> {
    for (const file of this.modules) {
      const loaded = (await import(pathToFileURL(file).href)) as SetupModule;
      await loaded.globalSetup?.();
      if (loaded.globalTeardown) this.teardowns.unshift(loaded.globalTeardown);
    }
  }

  async tearDown(): Promise<void> {
    for (const teardown of this.teardowns.splice(0)) await teardown();
  }
}
