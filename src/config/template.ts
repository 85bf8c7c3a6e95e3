import { DEFAULT_CONFIG } from './schema.js';

const d = DEFAULT_CONFIG;

/**
 * The `orchestra.config.json` that `orchestra init` writes: plain JSON on one line, so Prettier,
 * Biome and oxfmt leave it as it is with their defaults (Biome refuses comments in `.json`, and its
 * tab indentation and Prettier's spaces cannot both hold for a multi-line object). Every value is
 * the default; the README lists every key. A test parses it back to DEFAULT_CONFIG.
 */
export const CONFIG_TEMPLATE = `{ "model": ${JSON.stringify(d.model)}, "maxParallel": ${d.maxParallel}, "excludedDependencies": [] }\n`;
