import type { Engine, Row } from '../engine/engine.js';
import { ident, literal } from '../engine/quote.js';
import type { ColumnInfo } from './register.js';
import { holds } from './temporal.js';

/** Float spellings a text writer may use that DuckDB's CSV sniffer does not always take for numbers. */
const FLOAT_SPECIALS = ['inf', '+inf', '-inf', 'infinity', '+infinity', '-infinity', 'nan', '-nan', '+nan'];

/**
 * What common writers put in a text file for a missing value (pandas' `na_values` defaults, R's `NA`,
 * SQL dumps' `NULL`, Excel's `#N/A`, pandas' `<NA>`, a quoted `""`). NaN spellings are left out on
 * purpose: in a number column they are NaN, which is not null (`null_vs_nan`); declare them with
 * `--null-values` when a writer meant missing.
 */
export const NULL_SPELLINGS: readonly string[] = ['', 'NA', 'N/A', 'n/a', 'NULL', 'null', 'None', '#N/A', '#N/A N/A', '#NA', '<NA>'];

/** Something noticed while reading a side that the report should say (as an info finding). */
export interface ReadNote {
  readonly cause: 'null_spelling' | 'encoding_change' | 'column_extra' | 'column_missing';
  /** The column in this side's own names. */
  readonly column: string;
  readonly rows: number | null;
  readonly message: string;
  readonly evidence: { readonly [k: string]: string | number | boolean | null | readonly string[] };
}

/** A refinement of a loaded text table: the columns' final types and what was said about them. */
export interface Refinement {
  readonly columns: ColumnInfo[];
  readonly notes: ReadNote[];
}

interface Counts {
  n: number;
  spelled: number;
  int: number;
  huge: number;
  dbl: number;
  bool: number;
  date: number;
  ts: number;
  specials: number;
  spellings: string[];
}

/**
 * Text inputs (CSV, JSON) carry no types: DuckDB's sniffer types each column from its values, and one
 * writer's spelling of a missing value (`NA`, `NULL`, `#N/A`…) or of a float (`inf`, `nan`) leaves a
 * column of numbers as text. Runs on the loaded table (no second parse of the file): a text column
 * whose other values all read as one type (integer, double, boolean, date, timestamp) is re-typed in
 * place, its spellings read as null and named in a note. Returns null when nothing changed.
 */
export async function refineTextTypes(
  engine: Engine,
  table: string,
  columns: readonly ColumnInfo[],
  options: { readonly nullValues?: readonly string[]; readonly json?: boolean; readonly label: string },
): Promise<Refinement | null> {
  const declared = options.nullValues !== undefined;
  const spellings = options.nullValues ?? NULL_SPELLINGS;
  // DATE and TIMESTAMP too: a lone `Infinity` is a valid date to the sniffer.
  const candidates = columns.filter((c) => c.type === 'VARCHAR' || c.type === 'DATE' || c.type.startsWith('TIMESTAMP'));
  if (candidates.length === 0) return null;
  const spelled = spellings.length ? `t IN (${spellings.map(literal).join(', ')})` : 'false';
  const isSpelled = (x: string) => spelled.replaceAll('t IN', `${x} IN`);
  const expr = (c: ColumnInfo) => {
    const varchar = c.type === 'VARCHAR';
    const x = varchar ? ident(c.name) : `CAST(${ident(c.name)} AS VARCHAR)`;
    // v: the value with the null spellings taken out (only text columns have spellings).
    return { varchar, x, v: varchar ? `CASE WHEN ${isSpelled(x)} THEN NULL ELSE trim(${x}) END` : `trim(${x})` };
  };
  const text = await withoutProvedText(engine, table, candidates, expr, declared);
  if (text.length === 0) return null;
  // First pass: counts every text column needs (a failed cast of a word is cheap).
  const parts = text.map((c, i) => {
    const { varchar, x, v } = expr(c);
    const aggs = [`count(${x}) AS n${i}`, `count(TRY_CAST(${v} AS DOUBLE)) AS d${i}`, `count(*) FILTER (WHERE lower(${v}) IN (${FLOAT_SPECIALS.map(literal).join(', ')})) AS s${i}`];
    if (varchar) {
      aggs.push(
        `count(*) FILTER (WHERE ${isSpelled(x)}) AS p${i}`,
        `count(*) FILTER (WHERE lower(${v}) IN ('true', 'false')) AS b${i}`,
        `list_distinct(list(${x}) FILTER (WHERE ${isSpelled(x)}))[1:5] AS l${i}`,
      );
    }
    return aggs;
  });
  const row: Row = { ...(await engine.one(`SELECT ${parts.flat().join(', ')} FROM ${table}`)) };
  // Second pass, only over text columns with spellings (or JSON strings): integers, dates, timestamps.
  const second = text.flatMap((c, i) => (c.type === 'VARCHAR' && (Number(row[`p${i}`]) > 0 || options.json === true) && Number(row[`n${i}`]) > Number(row[`p${i}`]) ? [{ c, i }] : []));
  if (second.length) {
    const aggs = second.flatMap(({ c, i }) => {
      const { v } = expr(c);
      return [
        // The integer casts also accept `1.5` (rounded) and `1e3`: integers are digits only.
        `count(*) FILTER (WHERE regexp_full_match(${v}, '[+-]?[0-9]+') AND TRY_CAST(${v} AS BIGINT) IS NOT NULL) AS i${i}`,
        `count(*) FILTER (WHERE regexp_full_match(${v}, '[+-]?[0-9]+') AND TRY_CAST(${v} AS HUGEINT) IS NOT NULL) AS h${i}`,
        // DATE's cast drops a time of day: a date only when the timestamp is midnight.
        `count(*) FILTER (WHERE TRY_CAST(${v} AS TIMESTAMP) = CAST(TRY_CAST(${v} AS DATE) AS TIMESTAMP) AND length(${v}) <= 10) AS a${i}`,
        // A timestamp only when the cast keeps the instant: TIMESTAMP's drops an offset and nanoseconds (temporal.ts).
        `count(*) FILTER (WHERE ${holds(v, 'TIMESTAMP')}) AS t${i}`,
      ];
    });
    Object.assign(row, await engine.one(`SELECT ${aggs.join(', ')} FROM ${table}`));
  }
  const counts = (i: number): Counts => ({
    n: Number(row[`n${i}`]),
    spelled: Number(row[`p${i}`] ?? 0),
    int: Number(row[`i${i}`] ?? 0),
    huge: Number(row[`h${i}`] ?? 0),
    dbl: Number(row[`d${i}`]),
    bool: Number(row[`b${i}`] ?? 0),
    date: Number(row[`a${i}`] ?? 0),
    ts: Number(row[`t${i}`] ?? 0),
    specials: Number(row[`s${i}`]),
    spellings: ((row[`l${i}`] as unknown[] | null) ?? []).map(String).sort(),
  });
  const changes = new Map<string, { type: string; nulls: readonly string[] }>();
  const notes: ReadNote[] = [];
  text.forEach((c, i) => {
    const k = counts(i);
    if (c.type !== 'VARCHAR') {
      // Existing rule: a temporal column that is really numbers with inf/nan spellings.
      if (k.n > 0 && k.n === k.dbl && k.specials > 0) changes.set(c.name, { type: 'DOUBLE', nulls: [] });
      return;
    }
    const rest = k.n - k.spelled;
    const type = typeOfRest(k, rest, options.json === true);
    if (type) {
      // Without spellings a VARCHAR column is re-typed only for true/false words, float specials (or ISO times in JSON strings).
      const reason = k.spelled > 0 || type === 'BOOLEAN' || (type === 'DOUBLE' && k.specials > 0) || ((type === 'TIMESTAMP' || type === 'DATE') && options.json === true);
      if (!reason) return;
      changes.set(c.name, { type, nulls: k.spellings });
      if (k.spelled > 0 && !declared) notes.push(spellingNote(options.label, c.name, k.spellings, k.spelled, type));
    } else if (declared && k.spelled > 0) {
      // Declared spellings mean missing in text columns too.
      changes.set(c.name, { type: 'VARCHAR', nulls: k.spellings });
    }
  });
  if (changes.size === 0) return null;
  for (const [name, ch] of changes) await retype(engine, table, name, ch.type, ch.nulls);
  return { columns: columns.map((c) => (changes.has(c.name) ? { name: c.name, type: changes.get(c.name)!.type } : c)), notes };
}

/** Rows of the loaded table looked at first: one value no type reads settles a column without a full pass. */
export const REFINE_PROBE_ROWS = 10_000;

/**
 * The columns a full refinement pass must still look at. A column is re-typed only when every value that is not a
 * null spelling reads as one type (typeOfRest), so ONE value that reads as none of them (not a number, not
 * true/false, not a date or timestamp) proves a text column stays text: found in the first REFINE_PROBE_ROWS rows,
 * the column needs no pass over all rows. Likewise one value that is no number keeps a temporal column temporal.
 * Exact, not a guess: a column is dropped only on a counterexample. (Declared --null-values re-type text columns
 * to text with their spellings as null, which needs the full count: those columns are always kept.)
 */
async function withoutProvedText(engine: Engine, table: string, columns: readonly ColumnInfo[], expr: (c: ColumnInfo) => { varchar: boolean; v: string }, declared: boolean): Promise<ColumnInfo[]> {
  const probes = columns.map((c, i) => {
    const { varchar, v } = expr(c);
    if (varchar && declared) return `0 AS x${i}`;
    const readsAsSomething = varchar ? `TRY_CAST(${v} AS DOUBLE) IS NOT NULL OR lower(${v}) IN ('true', 'false') OR TRY_CAST(${v} AS TIMESTAMP) IS NOT NULL` : `TRY_CAST(${v} AS DOUBLE) IS NOT NULL`;
    return `count(*) FILTER (WHERE ${v} IS NOT NULL AND NOT (${readsAsSomething})) AS x${i}`;
  });
  const row = await engine.one(`SELECT ${probes.join(', ')} FROM (SELECT * FROM ${table} LIMIT ${REFINE_PROBE_ROWS})`);
  return columns.filter((_c, i) => Number(row[`x${i}`]) === 0);
}

function typeOfRest(k: Counts, rest: number, json: boolean): string | null {
  if (rest <= 0) return null;
  if (k.int === rest) return 'BIGINT';
  if (k.huge === rest) return 'HUGEINT';
  if (k.dbl === rest && k.bool === 0) return 'DOUBLE';
  if (k.bool === rest) return 'BOOLEAN';
  if (k.date === rest) return 'DATE';
  if (k.ts === rest) return 'TIMESTAMP';
  void json;
  return null;
}

function spellingNote(label: string, column: string, spellings: readonly string[], rows: number, type: string | null): ReadNote {
  const shown = spellings.map((s) => (s === '' ? '""' : s)).join(', ');
  return {
    cause: 'null_spelling',
    column,
    rows,
    message: `${label} writes missing values of ${column} as ${shown} (${rows} row${rows === 1 ? '' : 's'}): read as null${type ? `, the column as ${type}` : ''}`,
    evidence: { spellings: spellings.map((s) => s), rows, type },
  };
}

/** Re-types a column of a loaded text table in place, reading the given spellings as null. */
export async function retype(engine: Engine, table: string, column: string, type: string, nulls: readonly string[]): Promise<void> {
  const c = ident(column);
  const t = `trim(CAST(${c} AS VARCHAR))`;
  const value = nulls.length ? `CASE WHEN CAST(${c} AS VARCHAR) IN (${nulls.map(literal).join(', ')}) THEN NULL ELSE ${t} END` : t;
  // Text keeps its spaces: only a value that is exactly a spelling becomes null.
  const cast = type === 'VARCHAR' ? (nulls.length ? `CASE WHEN ${c} IN (${nulls.map(literal).join(', ')}) THEN NULL ELSE ${c} END` : c) : `TRY_CAST(${value} AS ${type})`;
  await engine.run(`ALTER TABLE ${table} ALTER COLUMN ${c} TYPE ${type} USING (${cast})`);
}
