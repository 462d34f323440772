import type { Engine } from '../engine/engine.js';
import { ident, literal } from '../engine/quote.js';
import { RAISE_LOSSY } from './guarded.js';
import type { ColumnInfo } from './register.js';

/**
 * Dates and times read from text without losing anything. DuckDB's text-to-temporal casts, which its CSV reader
 * uses, drop what the type cannot hold without an error: `2022-01-05 10:00:00+02:00` becomes the TIMESTAMP 10:00 (the
 * offset ignored), `…:00.123456789` loses its last three digits, a DATE drops a time of day, a TIME drops an offset.
 * The sniffer types a column from its first rows, so a writer that adds offsets, nanoseconds or times later (or
 * writes nanoseconds throughout: pandas' datetime64[ns]) made two different files compare equal.
 *
 * So such columns are read as text and cast in the load's own SELECT, each value proved: its instant under the
 * sniffed type equals its instant read at full precision (TIMESTAMP_NS, which applies an offset; a value without one
 * is taken as UTC, the engine's zone). The first value that is not raises LOSSY_CAST (guarded.ts) and the caller reads
 * the columns as text and types each with the narrowest type that holds every value (losslessTypes).
 */

/** Types whose text casts can lose part of a value; the candidates that can hold more, narrowest first. */
const WIDER: Readonly<Record<string, readonly string[]>> = {
  DATE: ['DATE', 'TIMESTAMP', 'TIMESTAMP WITH TIME ZONE', 'TIMESTAMP_NS'],
  TIMESTAMP: ['TIMESTAMP', 'TIMESTAMP WITH TIME ZONE', 'TIMESTAMP_NS'],
  'TIMESTAMP WITH TIME ZONE': ['TIMESTAMP WITH TIME ZONE', 'TIMESTAMP_NS'],
  TIME: ['TIME'],
};

/** Whether a sniffed type is one whose text cast is checked (guardedCast). */
export function isGuardedTemporal(type: string): boolean {
  return type in WIDER;
}

/** TIME has no wider type that keeps an offset as DuckDB compares it: only plain clock text is proved exact. */
const PLAIN_TIME = '[0-9]{1,2}:[0-9]{2}(:[0-9]{2}(\\.[0-9]{1,6})?)?';

/** A column sniffed as a date or time: its type, and the strptime format the sniffer found for it (if any). */
export interface SniffedTemporal {
  readonly type: string;
  readonly format?: string;
}

/**
 * Whether the text `x` (not null) reads as `type` unchanged. With a format, a full strptime match (strict: text past
 * the format fails it); otherwise the cast's instant equals the one read at full precision.
 */
export function holds(x: string, type: string, format?: string): string {
  if (format !== undefined) return `(try_strptime(${x}, ${literal(format)}) IS NOT NULL)`;
  if (type === 'TIME') return `regexp_full_match(trim(${x}), '${PLAIN_TIME}')`;
  const full = `TRY_CAST(${x} AS TIMESTAMP_NS)`;
  const asType = `TRY_CAST(TRY_CAST(${x} AS ${type}) AS TIMESTAMP_NS)`;
  // A zone name (`Europe/Paris`) only TIMESTAMPTZ reads: there it holds as read.
  const named = type === 'TIMESTAMP WITH TIME ZONE' ? `(${full} IS NULL AND TRY_CAST(${x} AS ${type}) IS NOT NULL) OR ` : '';
  return `(${named}${asType} = ${full})`;
}

export function castTo(x: string, type: string, format?: string): string {
  return format !== undefined ? `CAST(strptime(${x}, ${literal(format)}) AS ${type})` : `CAST(${x} AS ${type})`;
}

/** The load's SELECT expression for a column read as text: cast to its sniffed type, or LOSSY_CAST raised. */
export function guardedCast(column: string, sniffed: SniffedTemporal): string {
  const x = ident(column);
  return `CASE WHEN ${x} IS NULL OR ${holds(x, sniffed.type, sniffed.format)} THEN ${castTo(x, sniffed.type, sniffed.format)} ELSE ${RAISE_LOSSY} END AS ${x}`;
}

/** The candidates for a sniffed column, narrowest first: as sniffed (with its format), then the wider casts. */
function candidates(sniffed: SniffedTemporal): SniffedTemporal[] {
  const wider = WIDER[sniffed.type]!.map((type) => ({ type }));
  return sniffed.format !== undefined ? [sniffed, ...wider] : wider;
}

/**
 * For columns of a loaded table read as text: the narrowest candidate that holds every value, or VARCHAR (the text
 * itself, compared exactly) when none does. Returns each column's type and the SQL that casts its text to it.
 */
export async function losslessTypes(engine: Engine, table: string, sniffed: Readonly<Record<string, SniffedTemporal>>): Promise<Map<string, { type: string; cast: string }>> {
  const names = Object.keys(sniffed);
  const out = new Map<string, { type: string; cast: string }>();
  if (names.length === 0) return out;
  const aggs = names.flatMap((name, i) => {
    const x = ident(name);
    return [`count(${x}) AS n${i}`, ...candidates(sniffed[name]!).map((c, k) => `count(*) FILTER (WHERE ${holds(x, c.type, c.format)}) AS h${i}_${k}`)];
  });
  const row = await engine.one(`SELECT ${aggs.join(', ')} FROM ${table}`);
  names.forEach((name, i) => {
    const n = Number(row[`n${i}`]);
    const found = candidates(sniffed[name]!).find((_c, k) => Number(row[`h${i}_${k}`]) === n);
    const x = ident(name);
    out.set(name, found ? { type: found.type, cast: castTo(x, found.type, found.format) } : { type: 'VARCHAR', cast: x });
  });
  return out;
}

/** The sniffed columns whose cast is guarded, with the format the sniffer found for their kind. */
export function guardedColumns(columns: readonly ColumnInfo[], formats: { readonly date?: string; readonly timestamp?: string }): Record<string, SniffedTemporal> {
  const out: Record<string, SniffedTemporal> = {};
  for (const c of columns) {
    if (!isGuardedTemporal(c.type)) continue;
    const format = c.type === 'DATE' ? formats.date : c.type.startsWith('TIMESTAMP') ? formats.timestamp : undefined;
    out[c.name] = { type: c.type, ...(format !== undefined ? { format } : {}) };
  }
  return out;
}
