import { UserError } from '../errors.js';

/** A flag's value as a positive number (a whole one with `integer`), or a UserError naming the flag. */
export function positiveNumber(flag: string, value: string, options: { integer?: boolean } = {}): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0 || (options.integer && !Number.isInteger(n)))
    throw new UserError(
      'bad-flag',
      `${flag} must be a positive ${options.integer ? 'whole ' : ''}number, got "${value}"`,
    );
  return n;
}
