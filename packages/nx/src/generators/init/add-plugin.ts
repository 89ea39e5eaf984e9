/**
 * @nx/devkit's `addPlugin`, which every Nx plugin's init uses: it registers the plugin with the
 * first option values whose inferred targets clash with no existing target. It is internal API,
 * exported from `@nx/devkit/internal` since Nx 23 and only at its source path in Nx 22.
 */
import type { addPlugin as AddPlugin } from '@nx/devkit/internal';

export const addPlugin: typeof AddPlugin =
  (require('@nx/devkit/internal') as { addPlugin?: typeof AddPlugin }).addPlugin ?? (require('@nx/devkit/src/utils/add-plugin') as { addPlugin: typeof AddPlugin }).addPlugin;
