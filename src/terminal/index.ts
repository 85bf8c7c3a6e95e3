export { clip, columns } from './layout.js';
export {
  colorEnabled,
  PLAIN_STYLE,
  styleFor,
  type TerminalInfo,
  type TerminalStyle,
  terminalStyle,
  terminalWidth,
} from './style.js';
