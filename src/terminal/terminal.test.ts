import { describe, expect, it } from 'vitest';
import { clip, colorEnabled, columns, styleFor, terminalWidth } from './index.js';

describe('terminal', () => {
  it('colours only a terminal without NO_COLOR or TERM=dumb', () => {
    expect(colorEnabled({ isTTY: true, env: {} })).toBe(true);
    expect(colorEnabled({ isTTY: false, env: {} })).toBe(false);
    expect(colorEnabled({ isTTY: true, env: { NO_COLOR: '1' } })).toBe(false);
    // no-color.org: an empty NO_COLOR does not count.
    expect(colorEnabled({ isTTY: true, env: { NO_COLOR: '' } })).toBe(true);
    expect(colorEnabled({ isTTY: true, env: { TERM: 'dumb' } })).toBe(false);
    expect(styleFor({ isTTY: true, env: {} }).red('x')).toBe('\u001b[31mx\u001b[39m');
    expect(styleFor({ isTTY: true, env: { NO_COLOR: 'yes' } }).red('x')).toBe('x');
  });

  it('takes the width from COLUMNS, then the terminal, then the fallback', () => {
    expect(terminalWidth({ env: { COLUMNS: '42' }, columns: 120 })).toBe(42);
    expect(terminalWidth({ env: { COLUMNS: 'wide' }, columns: 120 })).toBe(120);
    expect(terminalWidth({ env: {} }, 100)).toBe(100);
    expect(terminalWidth({ env: { COLUMNS: '0' } })).toBe(80);
  });

  it('clips to one line and pads columns by their widest cell', () => {
    expect(clip('abc\n  def\u001b', 20)).toBe('abc def ');
    expect(clip('abcdef', 4)).toBe('abc…');
    expect(
      columns([
        ['a', 'bb', 'c'],
        ['ccc', 'd', ''],
      ]),
    ).toEqual(['a    bb  c', 'ccc  d']);
  });
});
