/** Counts tokens of text. Injected into packet building so tests and other models can swap it. */
export interface Tokenizer {
  /** The encoding's name, reported with counts. */
  name: string;
  count: (text: string) => number;
}

let cl100k: Promise<Tokenizer> | undefined;

/**
 * The cl100k_base BPE tokenizer (js-tiktoken, ranks bundled: no network). Claude's own tokenizer
 * is not public; cl100k is a real BPE of similar granularity, so budgets hold within a few percent.
 * Loaded on first use: the rank table is about 1 MB.
 */
export function loadTokenizer(): Promise<Tokenizer> {
  cl100k ??= (async () => {
    const [{ Tiktoken }, ranks] = await Promise.all([
      import('js-tiktoken/lite'),
      import('js-tiktoken/ranks/cl100k_base'),
    ]);
    const enc = new Tiktoken(ranks.default);
    // Special-token text in a packet (say, "<|endoftext|>" in a file) is ordinary text here.
    return { name: 'cl100k_base', count: (text: string) => enc.encode(text, [], []).length };
  })();
  return cl100k;
}
