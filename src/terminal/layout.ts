/** One line of text cut to `width` characters with an ellipsis. */
export function clip(text: string, width: number): string {
  // One line, and no control characters: a stray escape or carriage return would break a redraw.
  const chars = [...text.replace(/\s*\n\s*/g, ' ')].map((c) => {
    const code = c.charCodeAt(0);
    return code < 32 || code === 127 ? ' ' : c;
  });
  return chars.length <= width ? chars.join('') : `${chars.slice(0, Math.max(0, width - 1)).join('')}…`;
}

/** Columns padded to their widest cell (widths measured before styling). */
export function columns(
  rows: string[][],
  style?: (cell: string, col: number, row: number) => string,
): string[] {
  const widths: number[] = [];
  for (const r of rows)
    r.forEach((c, i) => {
      widths[i] = Math.max(widths[i] ?? 0, [...c].length);
    });
  return rows.map((r, ri) =>
    r
      .map((c, i) => {
        const pad = i === r.length - 1 ? '' : ' '.repeat((widths[i] ?? 0) - [...c].length);
        return `${style ? style(c, i, ri) : c}${pad}`;
      })
      .join('  ')
      .trimEnd(),
  );
}
