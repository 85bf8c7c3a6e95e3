/** What a benchmark returns: a JSON fragment, and the same as table rows of [metric, value, target]. */
export interface BenchOutcome {
  json: Record<string, unknown>;
  rows: string[][];
}

/** One benchmark, listed in bench/index.ts; its JSON appears under its name. */
export interface BenchModule {
  name: string;
  run(): BenchOutcome | Promise<BenchOutcome>;
}
