import type { Engine } from '../engine/engine.js';
import { ident } from '../engine/quote.js';

/**
 * Casts in a text load that refuse to change a value. DuckDB's CSV reader types a column from its first rows and
 * then casts every later value, dropping whatever the type cannot hold without an error. Columns at risk are read
 * as text and cast in the load's own SELECT, each value checked; the first that the cast would change raises
 * LOSSY_CAST, and the loader reads those columns as text and types each from all of its values.
 * Dates and times: temporal.ts. Integers: leading zeros, below.
 */
export const LOSSY_CAST = 'reprodiff: a value its type would change';

/** The SQL that raises LOSSY_CAST (in a CASE branch only the refused values reach). */
export const RAISE_LOSSY = `error('${LOSSY_CAST}')`;

/** Whether an engine error is a guard's (its first line; another error's message may quote the guard's SQL). */
export function isLossyCast(e: unknown): boolean {
  return e instanceof Error && (e.message.split('\n')[0] ?? '').endsWith(LOSSY_CAST);
}

/**
 * Integer text with a leading zero (`00501`, `-007`): a code (zip, account, product) where `00501` and `501` are
 * different things downstream, as text-typed.ts decides between a text and a number column. Read as a number it would
 * equal `501`. `0`, `0.5` and `-0` are not padding. The LIKE tests first: most values fail them without the regex.
 */
export function paddedSql(x: string): string {
  return `((${x} LIKE '0_%' OR ${x} LIKE '+0_%' OR ${x} LIKE '-0_%') AND regexp_matches(${x}, '^[+-]?0[0-9]'))`;
}

/**
 * Integer text cast to `type` as the reader's own parse would: with `decimalComma` (`--decimal ,`) a later fraction
 * is written `2,5`.
 */
export function integerCast(column: string, type: string, decimalComma = false): string {
  const x = ident(column);
  return `CAST(${decimalComma ? `replace(${x}, ',', '.')` : x} AS ${type})`;
}

/** The load's SELECT expression for integer text read as text: cast to `type` (integerCast), or LOSSY_CAST raised on padding. */
export function guardedInteger(column: string, type: string, decimalComma = false): string {
  const x = ident(column);
  return `CASE WHEN ${paddedSql(x)} THEN ${RAISE_LOSSY} ELSE ${integerCast(column, type, decimalComma)} END AS ${x}`;
}

/** Columns per query of paddedColumns: DuckDB's planning time grows faster than the number of such expressions. */
const PADDED_CHUNK = 64;

/** Of text columns of a loaded table, those holding a padded integer (they stay text). */
export async function paddedColumns(engine: Engine, table: string, names: readonly string[]): Promise<Set<string>> {
  const out = new Set<string>();
  for (let at = 0; at < names.length; at += PADDED_CHUNK) {
    const chunk = names.slice(at, at + PADDED_CHUNK);
    const row = await engine.one(`SELECT ${chunk.map((n, i) => `bool_or(${paddedSql(ident(n))}) AS p${i}`).join(', ')} FROM ${table}`);
    for (const [i, n] of chunk.entries()) if (row[`p${i}`] === true) out.add(n);
  }
  return out;
}
