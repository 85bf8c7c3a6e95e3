import { isMap, isScalar, isSeq, LineCounter, parseDocument } from 'yaml';

/** An agent file cut in two: the YAML between the `---` lines and the Markdown body after them. */
export type SplitFile =
  | { ok: true; yaml: string; body: string }
  | { ok: false; code: 'no-frontmatter' | 'unterminated-frontmatter'; line: number; message: string };

const FENCE = /^---[ \t]*$/;

/** Split an agent file. The frontmatter must open on line 1, as Claude Code requires. */
export function splitFrontmatter(text: string): SplitFile {
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  if (!FENCE.test(lines[0] ?? '')) {
    const late = lines.findIndex((l) => FENCE.test(l));
    const onlyBlankBefore = late > 0 && lines.slice(0, late).every((l) => l.trim() === '');
    return {
      ok: false,
      code: 'no-frontmatter',
      line: 1,
      message: onlyBlankBefore
        ? `the frontmatter must start on line 1, not line ${late + 1}; Claude Code skips this file`
        : 'no frontmatter: the file must start with a "---" line, then name and description, then "---"; Claude Code skips this file',
    };
  }
  const close = lines.findIndex((l, i) => i > 0 && FENCE.test(l));
  if (close === -1) {
    return {
      ok: false,
      code: 'unterminated-frontmatter',
      line: 1,
      message:
        'the frontmatter opened on line 1 is never closed with a "---" line; Claude Code skips this file',
    };
  }
  return {
    ok: true,
    yaml: lines.slice(1, close).join('\n'),
    body: lines
      .slice(close + 1)
      .join('\n')
      .trim(),
  };
}

/** Parsed frontmatter: its data, where each key (and list item) sits in the file, and YAML errors. */
export interface ParsedFrontmatter {
  data: unknown;
  errors: { line: number; message: string }[];
  /** File line (1-based) of each top-level key. */
  keyLines: Map<string, number>;
  /** File lines of the items of top-level keys whose value is a list. */
  itemLines: Map<string, number[]>;
}

/**
 * Parse frontmatter YAML that starts on `firstLine` of the file, keeping file line numbers of keys
 * so every problem can point at the line to fix.
 */
export function parseFrontmatter(yaml: string, firstLine = 2): ParsedFrontmatter {
  const counter = new LineCounter();
  const doc = parseDocument(yaml, { lineCounter: counter, prettyErrors: false });
  const lineOf = (offset: number) => counter.linePos(offset).line + firstLine - 1;
  const errors = doc.errors.map((e) => ({
    line: lineOf(e.pos[0]),
    message: e.message.replace(/\s+/g, ' ').trim(),
  }));
  const keyLines = new Map<string, number>();
  const itemLines = new Map<string, number[]>();
  if (isMap(doc.contents)) {
    for (const pair of doc.contents.items) {
      const key = isScalar(pair.key) ? String(pair.key.value) : undefined;
      if (key === undefined || !pair.key || !isScalar(pair.key) || !pair.key.range) continue;
      keyLines.set(key, lineOf(pair.key.range[0]));
      if (isSeq(pair.value)) {
        itemLines.set(
          key,
          pair.value.items.map((item) =>
            isScalar(item) && item.range ? lineOf(item.range[0]) : lineOf(pair.key.range?.[0] ?? 0),
          ),
        );
      }
    }
  }
  const data = errors.length > 0 ? undefined : (doc.toJS() as unknown);
  return { data, errors, keyLines, itemLines };
}

/** A spot in an agent file's frontmatter that common formatters rewrite. */
export interface FormatterRewrite {
  line: number;
  message: string;
}

/**
 * Where the project's formatter would rewrite the frontmatter: a blank line after the opening
 * `---` (Prettier and oxfmt remove it; Biome inserts one), a blank line before the closing one,
 * trailing whitespace. A file the formatter rewrites turns the user's format check red.
 */
export function formatterRewrites(
  text: string,
  style: 'prettier' | 'biome' = 'prettier',
): FormatterRewrite[] {
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  if (!FENCE.test(lines[0] ?? '')) return [];
  const close = lines.findIndex((l, i) => i > 0 && FENCE.test(l));
  if (close === -1) return [];
  const out: FormatterRewrite[] = [];
  const blankAfterOpen = close > 1 && (lines[1] ?? '').trim() === '';
  if (style === 'prettier' && blankAfterOpen)
    out.push({
      line: 2,
      message: 'blank line after the opening "---": Prettier and oxfmt remove it, so their check fails',
    });
  if (style === 'biome' && !blankAfterOpen)
    out.push({
      line: 1,
      message: 'no blank line after the opening "---": Biome inserts one, so its check fails',
    });
  const firstKey = blankAfterOpen ? 2 : 1;
  if (close > firstKey + 1 && (lines[close - 1] ?? '').trim() === '')
    out.push({ line: close, message: 'blank line before the closing "---": formatters remove it' });
  for (let i = 0; i <= close; i++)
    if (/[ \t]+$/.test(lines[i] ?? '') && (lines[i] ?? '').trim() !== '')
      out.push({ line: i + 1, message: 'trailing whitespace in the frontmatter: formatters remove it' });
  return out;
}
