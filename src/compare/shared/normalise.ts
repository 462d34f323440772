/**
 * datacompy's comparison options, as SQL over the compared expressions (the inputs are never changed):
 * `--ignore-spaces` trims text values and text keys, `--ignore-case` folds text values (not keys, as
 * datacompy does: a key differing in case is named by the key_format finding instead).
 */
import { literal } from '../../engine/quote.js';
import type { Kind } from './kinds.js';

/** What normalisation needs of a column: its kind (only text is normalised). */
type Kinded = { readonly kind: Kind };

/** How text is normalised before it is compared, and how null keys pair. */
export interface TextNormalisation {
  /** Leading and trailing whitespace of text values and keys is not a difference. */
  readonly ignoreSpaces?: boolean;
  /** Letter case of text values is not a difference (keys keep their case). */
  readonly ignoreCase?: boolean;
}

/** Null key parts: `match` pairs them with each other (pandas and datacompy), `drop` leaves their rows out (`null_keys` warning). */
export type NullKeys = 'match' | 'drop';
export const NULL_KEYS = ['match', 'drop'] as const;
/** The default: every row is compared (docs/decisions.md, "Comparison options: text normalisation, null keys"). */
export const DEFAULT_NULL_KEYS: NullKeys = 'match';

/** Whether any text normalisation is on. */
export function normalises(n: TextNormalisation | undefined): boolean {
  return n?.ignoreSpaces === true || n?.ignoreCase === true;
}

/** Whitespace `trim` removes: blanks, tabs, line breaks, and the Unicode spaces writers pad with. */
const SPACES = literal(' \t\n\r\u000b\u000c\u00a0');

/** A text value as compared: trimmed and/or folded; other kinds unchanged. `expr` is already SQL. */
export function valueSql(expr: string, pair: Kinded, n: TextNormalisation | undefined): string {
  if (pair.kind !== 'string' || !normalises(n)) return expr;
  let x = expr;
  if (n?.ignoreSpaces) x = `trim(${x}, ${SPACES})`;
  if (n?.ignoreCase) x = `lower(${x})`;
  return x;
}

/** A key part as joined: trimmed under ignoreSpaces (case is kept). */
export function keySql(expr: string, pair: Kinded, n: TextNormalisation | undefined): string {
  return pair.kind === 'string' && n?.ignoreSpaces ? `trim(${expr}, ${SPACES})` : expr;
}

/** Whether any key part is normalised (key health is then counted over the normalised keys). */
export function normalisesKeys(keys: readonly Kinded[], n: TextNormalisation | undefined): boolean {
  return n?.ignoreSpaces === true && keys.some((k) => k.kind === 'string');
}
