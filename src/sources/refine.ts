import type { Engine } from '../engine/engine.js';
import { ident } from '../engine/quote.js';
import type { ColumnInfo } from './register.js';

/** Float spellings a text writer may use that DuckDB's CSV sniffer does not always take for numbers. */
const FLOAT_SPECIALS = ['inf', '+inf', '-inf', 'infinity', '+infinity', '-infinity', 'nan', '-nan', '+nan'];

/**
 * Text inputs (CSV, JSON) carry no types: the sniffer may read a column of doubles as text when its
 * only non-integers are `inf`/`nan` spellings. Such a column is re-typed DOUBLE, so the same numbers
 * never compare as different strings. Returns the select list to redefine the view with, or null.
 */
export async function refineTextTypes(engine: Engine, relation: string, columns: readonly ColumnInfo[]): Promise<ColumnInfo[] | null> {
  // DATE and TIMESTAMP too: a lone `Infinity` is a valid date to the sniffer.
  const text = columns.filter((c) => c.type === 'VARCHAR' || c.type === 'DATE' || c.type.startsWith('TIMESTAMP'));
  if (text.length === 0) return null;
  const specials = FLOAT_SPECIALS.map((s) => `'${s}'`).join(', ');
  const aggs = text.flatMap((c, i) => {
    const x = `CAST(${ident(c.name)} AS VARCHAR)`;
    return [
      `count(${x}) AS n${i}`,
      `count(TRY_CAST(trim(${x}) AS DOUBLE)) AS d${i}`,
      `count(*) FILTER (WHERE lower(trim(${x})) IN (${specials})) AS s${i}`,
    ];
  });
  const row = await engine.one(`SELECT ${aggs.join(', ')} FROM ${relation}`);
  const toDouble = new Set(text.filter((_c, i) => Number(row[`n${i}`]) > 0 && row[`n${i}`] === row[`d${i}`] && Number(row[`s${i}`]) > 0).map((c) => c.name));
  if (toDouble.size === 0) return null;
  return columns.map((c) => (toDouble.has(c.name) ? { name: c.name, type: 'DOUBLE' } : c));
}

/** The SELECT list that applies refined types to a relation. */
export function refinedSelect(columns: readonly ColumnInfo[], original: readonly ColumnInfo[]): string {
  return columns
    .map((c, i) => (c.type === original[i]!.type ? ident(c.name) : `TRY_CAST(trim(CAST(${ident(c.name)} AS VARCHAR)) AS ${c.type}) AS ${ident(c.name)}`))
    .join(', ');
}
