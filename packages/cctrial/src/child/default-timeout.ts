/**
 * Before Node 24, node:test ignores --test-timeout in a file run in-process: only node --test's parent
 * applies it, to the whole file. cctrial's own per-test timeout (its default, or --timeout) is given
 * here instead, as Node 24 gives it: to every test and suite with no timeout of its own (one it
 * would inherit from its suite does not count, as on Node 24). This needs node's internals (the child runs with --expose-internals); if
 * their shape differs, the watchdog alone stops a slow test.
 */
import { createRequire } from 'node:module';

interface TestClass {
  prototype: { run(...args: unknown[]): unknown; timeout?: number | null; parent?: unknown };
}

export const DEFAULT_TIMEOUT_ENV = 'CCTRIAL_DEFAULT_TEST_TIMEOUT_MS';

export function applyDefaultTimeout(timeoutMs: number): boolean {
  try {
    const internals = createRequire(import.meta.url)('internal/test_runner/test') as { Test?: TestClass; Suite?: TestClass };
    const classes = [internals.Test, internals.Suite].filter((value): value is TestClass => typeof value?.prototype?.run === 'function');
    if (classes.length !== 2) return false;
    for (const type of classes) {
      const run = type.prototype.run;
      type.prototype.run = function runWithDefaultTimeout(this: TestClass['prototype'], ...args: unknown[]) {
        // None of its own: none at all (null on Node 20, Infinity on 22), or its parent's.
        const parent = this.parent as { timeout?: number | null } | undefined;
        if (parent && (this.timeout == null || this.timeout === Infinity || this.timeout === parent.timeout)) this.timeout = timeoutMs;
        return run.apply(this, args);
      };
    }
    return true;
  } catch {
    return false;
  }
}
