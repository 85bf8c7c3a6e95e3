import { fileURLToPath } from 'node:url';

/**
 * The package's `demo/` folder. Resolved from this module's URL: `src/demo/` under tsx/vitest and
 * `dist/demo/` when built are both two levels below the package root, where `demo/` is shipped.
 */
export const DEMO_DIR = fileURLToPath(new URL('../../demo/', import.meta.url));

/** The sample repository the demo copies: the skeleton of the collaborative editor. */
export const SAMPLE_DIR = fileURLToPath(new URL('../../demo/sample/', import.meta.url));

/** What the scripted specialists write: `final/` (the finished tree) and `planted/` (the mismatch). */
export const SCENARIO_DIR = fileURLToPath(new URL('../../demo/scenario/', import.meta.url));
