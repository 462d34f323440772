import { readFileSync, statSync } from 'node:fs';
import type { Engine } from '../engine/engine.js';
import { ident, listLiteral, literal } from '../engine/quote.js';
import { ReprodiffError, firstLine } from '../errors.js';
import { importArrow } from './arrow.js';
import { checkDataFiles } from './files.js';
import { refineTextTypes, retype } from './refine.js';
import type { ReadNote } from './refine.js';
import { unnamedIndex } from './unnamed.js';
import { castTo, guardedCast, guardedColumns, holds, losslessTypes } from './temporal.js';
import type { SniffedTemporal } from './temporal.js';
import { guardedInteger, integerCast, isLossyCast, paddedColumns } from './guarded.js';
import { dayMonthOrders, fileNames } from './names.js';
import type { DayMonth } from './names.js';
import { openDatabaseInput } from './postgres/index.js';
import type { Format, InputSpec } from './resolve.js';

export interface ColumnInfo {
  readonly name: string;
  /** DuckDB type, e.g. BIGINT, DOUBLE, VARCHAR, TIMESTAMP WITH TIME ZONE. */
  readonly type: string;
}

/** An input opened as a DuckDB relation. */
export interface Dataset {
  readonly label: string;
  readonly format: Format;
  /** The quoted view or table name to select from. */
  readonly relation: string;
  readonly columns: readonly ColumnInfo[];
  /** What reading noticed (writer spellings, encodings), reported as info findings. */
  readonly notes?: readonly ReadNote[];
  /** Columns DuckDB renamed because names differ only in case (`emb_s_1`) → their names in the file. */
  readonly fileNames?: Readonly<Record<string, string>>;
  /** Date columns written with numbers for day and month (`03/04/2020`): the order read, and whether the values allow the other. */
  readonly dayMonth?: Readonly<Record<string, DayMonth>>;
  /** A temporary table loaded from text (CSV, JSON): its column types may still be refined in place. */
  readonly loaded?: boolean;
  /** Where the rows' file order comes from (`--by-position`); absent when the input has none (a database query). */
  readonly fileOrder?: FileOrder;
}

/**
 * The input's rows in file order, for `--by-position`: `from` is a relation with the dataset's columns plus the
 * `exclude`d helper columns, sorted by `order` (a table's `rowid`, which follows insertion order; a Parquet
 * scan's file name then row number within the file).
 */
export interface FileOrder {
  readonly from: string;
  readonly order: string;
  readonly exclude: readonly string[];
}

/** The helper column read_parquet adds with the file name (`--by-position`); file_row_number is DuckDB's own name. */
export const PARQUET_FILE_COLUMN = 'reprodiff file';

/**
 * Rows DuckDB's sniffer reads to type a CSV's columns (its own default). The sniff is a single-threaded pass of its
 * own (0.4 s for 100,000 rows, 0.1 s for 20,480), paid for each side. The load proves the types it chose: a later
 * value they cannot read fails the parse, and a column with no value among the sniffed rows is seen on the loaded
 * table; either loads the file again with WIDE_SNIFF_ROWS (loadText).
 */
export const SNIFF_ROWS = 20_480;
/** The sniff when the first one's types did not hold: a late non-numeric value, a column empty at first. */
export const WIDE_SNIFF_ROWS = 100_000;

/** SQL of the table function that reads a spec (CSV, Parquet, JSON); Arrow and DuckDB files are handled apart. */
export function readerSql(spec: InputSpec, types: Readonly<Record<string, string>> = {}, sniffRows = WIDE_SNIFF_ROWS, quote?: string): string {
  const source = spec.glob ? literal(spec.glob) : spec.files.length === 1 ? literal(spec.files[0]!) : listLiteral(spec.files);
  const hive = spec.hive ? ', hive_partitioning = true' : '';
  switch (spec.format) {
    case 'parquet':
      return `read_parquet(${source}${hive}${spec.files.length > 1 ? ', union_by_name = true' : ''})`;
    case 'csv':
    case 'tsv': {
      const opts: string[] = [];
      const delimiter = spec.read.delimiter ?? (spec.format === 'tsv' ? '\t' : undefined);
      if (delimiter !== undefined) opts.push(`delim = ${literal(delimiter)}`);
      // --header / --no-header override the sniffer (a header of numbers, `0,1,2`, looks like data to it).
      if (spec.read.header !== undefined) opts.push(`header = ${spec.read.header}`);
      if (quote !== undefined) opts.push(`quote = ${literal(quote)}, escape = ${literal(quote)}`);
      if (spec.files.length > 1) opts.push('union_by_name = true');
      if (spec.read.decimal && spec.read.decimal !== '.') opts.push(`decimal_separator = ${literal(spec.read.decimal)}`);
      if (spec.read.encoding && spec.read.encoding !== 'utf-8') opts.push(`encoding = ${literal(spec.read.encoding)}`);
      const nulls = spec.read.nullValues;
      // An unquoted empty field is always null; declared spellings come on top.
      if (nulls) opts.push(`nullstr = [${[...new Set(['', ...nulls])].map(literal).join(', ')}]`);
      // A quoted "" is an empty string, an empty field is null: the two stay apart, as the writer meant
      // (unless "" is declared a null spelling).
      opts.push(`allow_quoted_nulls = ${nulls?.includes('') ? 'true' : 'false'}`);
      const typed = Object.entries(types);
      if (typed.length) opts.push(`types = {${typed.map(([k, t]) => `${literal(k)}: ${literal(t)}`).join(', ')}}`);
      // Booleans are typed from their text afterwards (refine.ts): true/false words on their own, yes/no, y/n,
      // t/f only against a boolean column on the other side, so a file's own spelling is never replaced.
      opts.push(`auto_type_candidates = ['BIGINT', 'DOUBLE', 'TIME', 'DATE', 'TIMESTAMP', 'TIMESTAMPTZ', 'VARCHAR']`);
      opts.push(`sample_size = ${sniffRows}`);
      return `read_csv(${source}${hive}${opts.length ? `, ${opts.join(', ')}` : ''})`;
    }
    case 'json':
      return `read_json_auto(${source}${hive})`;
    case 'ndjson':
      return `read_json_auto(${source}, format = 'newline_delimited'${hive})`;
    default:
      throw new Error(`no SQL reader for ${spec.format}`);
  }
}

let counter = 0;

/** Opens an input as a view (or, for Arrow, a table filled from apache-arrow) and reads its schema. */
export async function openDataset(engine: Engine, spec: InputSpec, role: string): Promise<Dataset> {
  const name = `${role.replace(/[^a-z0-9_]/gi, '_')}_${++counter}`;
  const relation = ident(name);
  try {
    // JSON is checked (nesting) before DuckDB reads it; a gzip CSV is checked (whole stream) while DuckDB loads it.
    const json = spec.format === 'json' || spec.format === 'ndjson';
    const text = spec.format === 'csv' || spec.format === 'tsv' || json;
    if (json) await checkDataFiles(spec);
    const checked = json ? Promise.resolve() : checkDataFiles(spec);
    const loaded = (async () => {
      if (spec.database) {
        await openDatabaseInput(engine, spec.database, name);
      } else if (spec.format === 'arrow') {
        await importArrow(engine, spec.files[0]!, name);
      } else if (spec.format === 'duckdb') {
        await openDuckdbTable(engine, spec, name);
      } else if (spec.format === 'parquet') {
        await engine.run(`CREATE VIEW ${relation} AS SELECT * FROM ${readerSql(spec)}`);
      } else if (text) {
        return loadText(engine, spec, name);
      }
      return null;
    })();
    const [check, load] = await Promise.allSettled([checked, loaded]);
    // A damaged file explains a reader error: its one line comes first.
    if (check.status === 'rejected') throw check.reason;
    if (load.status === 'rejected') throw load.reason;
    if (load.value) {
      const { columns, notes } = load.value;
      if (columns.length === 0) throw new ReprodiffError('E_EMPTY', `${spec.label}: no columns`, { suggestion: 'check the file' });
      const dayMonth = await dayMonthOrders(engine, spec, relation, columns);
      // Loaded in file order (insertion order is preserved; several files come sorted by name): rowid is it.
      const fileOrder: FileOrder = { from: relation, order: 'rowid', exclude: [] };
      return { label: spec.label, format: spec.format, relation, columns, notes, fileNames: fileNames(spec, columns), loaded: true, fileOrder, ...(dayMonth ? { dayMonth } : {}) };
    }
    const columns = await engine.describe(relation);
    if (columns.length === 0) throw new ReprodiffError('E_EMPTY', `${spec.label}: no columns`, { suggestion: 'check the file' });
    const fileOrder = spec.database
      ? undefined
      : spec.format === 'parquet'
        ? parquetFileOrder(spec)
        : spec.format === 'arrow'
          ? { from: relation, order: 'rowid', exclude: [] }
          : spec.format === 'duckdb'
            ? duckdbFileOrder(name)
            : undefined;
    return { label: spec.label, format: spec.format, relation, columns, ...(fileOrder ? { fileOrder } : {}) };
  } catch (e) {
    throw asInputError(e, spec);
  }
}

/** DOUBLE's integers are exact up to 2^53; the sniffer's DOUBLE for integer text wider than BIGINT is not. */
const WIDE = 2 ** 63;

/**
 * Text inputs are parsed once into a temporary table (DuckDB spills it under the memory limit): every
 * later scan would otherwise parse and sniff the file again. The sniffer's types are then checked on
 * the loaded table (no second parse): columns left as text by a writer's spelling of missing values
 * or floats are re-typed in place. Only integer text wider than 64 bits, which the sniffer reads as
 * DOUBLE (losing digits), makes the file be read a second time, with that column as text.
 */
async function loadText(engine: Engine, spec: InputSpec, name: string): Promise<{ columns: ColumnInfo[]; notes: ReadNote[] }> {
  const table = ident(name);
  const json = spec.format === 'json' || spec.format === 'ndjson';
  const { sniffRows, integers, quote, pinned } = json
    ? { sniffRows: WIDE_SNIFF_ROWS, integers: await loadJson(engine, spec, table), quote: undefined, pinned: {} }
    : await loadSniffed(engine, spec, table);
  let columns = await engine.describe(table);
  const ints = await narrowIntegers(engine, table, integers);
  if (ints.narrowed.length > 0) columns = await engine.describe(table);
  const wide = [
    ...(await wideIntegerColumns(
      engine,
      table,
      columns.filter((c) => !integers.includes(c.name)),
    )),
    ...ints.wide,
  ];
  if (wide.length > 0) {
    await engine.run(`DROP TABLE ${table}`);
    // Read again: the wide columns as text; the other integer columns as what they proved to be (a BIGINT parse of
    // whole numbers is exact), so they are not sniffed and rounded again.
    // Columns as the load proved them (a reader's cast to such a type is the same cast; codes stay text).
    const asText = {
      ...pinned,
      ...Object.fromEntries(integers.map((c) => [c, ints.narrowed.includes(c) ? 'BIGINT' : 'DOUBLE'])),
      ...Object.fromEntries(wide.map((c) => [c, 'VARCHAR'])),
    };
    const source = json ? jsonReaderSql(spec, columns, asText) : readerSql(spec, asText, sniffRows, quote);
    await engine.run(`CREATE TEMP TABLE ${table} AS SELECT * FROM ${source}`);
    for (const c of wide) {
      const type = await exactIntegerType(engine, table, c);
      if (type) await retype(engine, table, c, type, []);
    }
    columns = await engine.describe(table);
  }
  const notes: ReadNote[] = [];
  const refined = await refineTextTypes(engine, table, columns, { nullValues: spec.read.nullValues, json, label: spec.label });
  if (refined) {
    columns = refined.columns;
    notes.push(...refined.notes);
  }
  if (!json) {
    const index = await unnamedIndex(engine, spec, table, columns);
    if (index) columns = columns.map((c) => (c.name === index.from ? { ...c, name: index.to } : c));
  }
  return { columns, notes };
}

/**
 * JSON with DuckDB's reader, which types each field from a sample of the records. Fields it samples as integers are
 * read as DOUBLE, as a CSV's are (a later `2.6` would otherwise be the BIGINT 3, equal to a `2.7`), and narrowed once
 * every value is proved whole (returned: narrowIntegers). A later value that fits no sampled type (a timestamp gaining
 * a UTC offset) fails the read, which is then made with every record in the sample.
 */
async function loadJson(engine: Engine, spec: InputSpec, table: string): Promise<string[]> {
  const load = async (wholeSample: boolean): Promise<string[]> => {
    const reader = wholeSample ? readerSql(spec).replace(/\)$/, ', sample_size = -1)') : readerSql(spec);
    const sampled = await engine.describe(`SELECT * FROM ${reader}`);
    const integers = sampled.filter((c) => c.type === 'BIGINT').map((c) => c.name);
    // Typed columns make the reader cast as a CSV's does (an offset dropped): dates and times come as text, proved.
    const temporal = guardedColumns(sampled, {});
    const typed = { ...Object.fromEntries(integers.map((c) => [c, 'DOUBLE'])), ...Object.fromEntries(Object.keys(temporal).map((c) => [c, 'VARCHAR'])) };
    const source = Object.keys(typed).length ? jsonReaderSql(spec, sampled, typed) : reader;
    await createProved(engine, table, source, { names: [], type: 'DOUBLE' }, temporal);
    return integers;
  };
  try {
    return await load(false);
  } catch (e) {
    if (e instanceof ReprodiffError) throw e;
    await engine.run(`DROP TABLE IF EXISTS ${table}`);
    return load(true);
  }
}

/** What a CSV was loaded with: the sniff's size, the integer columns cast to DOUBLE, the quote given to the reader. */
interface SniffedLoad {
  readonly sniffRows: number;
  readonly integers: string[];
  /** Undefined: the sniffer's own. */
  readonly quote?: string;
  /**
   * Columns read as text and proved in the load (guarded.ts), with the type each was given: dates and times
   * (temporal.ts), and integer columns that hold a zero-padded code (VARCHAR). A second read gives them these types.
   */
  readonly pinned: Readonly<Record<string, string>>;
}

/**
 * Loads a CSV with DuckDB's default sniff (SNIFF_ROWS), and again with WIDE_SNIFF_ROWS when that sniff's types do not
 * hold: the parse fails (on a value they cannot read), or a column has no value among the sniffed rows but some later
 * (the sniffer types an empty column as text). Columns the sniff types as integers are cast to DOUBLE
 * (`integers`): DuckDB casts `2.5` to the BIGINT 3 without an error, so a fraction after the sniffed rows would be
 * rounded on the way in; narrowIntegers makes them BIGINT again once every value is proved whole. Integers, dates
 * and times are read as text and cast in the load, each value proved unchanged by its cast (guarded.ts): a
 * zero-padded integer keeps its column text, a date or time its every part (temporal.ts).
 *
 * The quote: a sniff that met no quoted field reads the file with none (DuckDB's "(empty)"), and a field pandas,
 * R or Excel quoted after the sniffed rows (`"a, b"`) then failed the whole file, or kept its quotes as text. Such a
 * sniff reads with RFC 4180's `"` instead (the same parse of every sniffed row, which holds no quote); a file that
 * cannot be read so (a field opening a quote it never closes) is read once more with the sniffer's own choice.
 */
async function loadSniffed(engine: Engine, spec: InputSpec, table: string): Promise<SniffedLoad> {
  let quoteGiven = false;
  const load = async (rows: number, rfcQuote: boolean): Promise<SniffedLoad> => {
    // A file the sniff reads whole proves its own integer types and dialect (not its dates: a cast drops an offset).
    const whole = sniffedWhole(spec, rows);
    const dialect = await sniffDialect(engine, spec, rows);
    const quote = rfcQuote && !whole && dialect.quote === '' ? '"' : undefined;
    quoteGiven = quote !== undefined;
    const sniffed = await engine.describe(`SELECT * FROM ${readerSql(spec, {}, rows, quote)}`);
    // Integer columns: text cast in the load (a zero-padded code stays text), to DOUBLE unless the sniff saw every row.
    const numbers = sniffed.filter((c) => c.type === 'BIGINT').map((c) => c.name);
    const numberType = whole ? 'BIGINT' : 'DOUBLE';
    const temporal = guardedColumns(sniffed, dialect.formats);
    const asText = Object.fromEntries([...numbers, ...Object.keys(temporal)].map((c) => [c, 'VARCHAR']));
    const proved = await createProved(engine, table, readerSql(spec, asText, rows, quote), { names: numbers, type: numberType, decimalComma: spec.read.decimal === ',' }, temporal);
    const integers = whole ? [] : numbers.filter((c) => !proved.codes.has(c));
    return { sniffRows: rows, ...(quote !== undefined ? { quote } : {}), integers, pinned: proved.pinned };
  };
  // A reader error (a late value the types cannot read, or one the wider sniff would have read otherwise) is
  // retried; out of memory, disk or an interrupt is not.
  const attempt = async (rows: number, rfcQuote: boolean): Promise<{ loaded: SniffedLoad } | { failed: unknown }> => {
    try {
      return { loaded: await load(rows, rfcQuote) };
    } catch (e) {
      if (e instanceof ReprodiffError) throw e;
      await engine.run(`DROP TABLE IF EXISTS ${table}`);
      return { failed: e };
    }
  };
  const first = await attempt(SNIFF_ROWS, true);
  if ('loaded' in first) {
    if (!(await emptyWhenSniffed(engine, table))) return first.loaded;
    await engine.run(`DROP TABLE ${table}`);
  }
  const wide = await attempt(WIDE_SNIFF_ROWS, true);
  if ('loaded' in wide) return wide.loaded;
  // Read as the sniffer would: differs from the failed attempt only when that one was given the quote.
  if (!quoteGiven) throw wide.failed;
  return load(WIDE_SNIFF_ROWS, false);
}

/**
 * Creates `table` from `reader`, which reads the guarded columns as text, casting them in the SELECT with every value
 * proved (guarded.ts): `integers` to their type unless zero-padded, `temporal` to their sniffed type unless a part
 * would be lost. On a refused value the table holds the text, and each column is typed from all of its values.
 * Returns the padded integer columns (left text) and the types the proved columns were given.
 */
async function createProved(
  engine: Engine,
  table: string,
  reader: string,
  integers: { readonly names: readonly string[]; readonly type: string; readonly decimalComma?: boolean },
  temporal: Readonly<Record<string, SniffedTemporal>>,
): Promise<{ codes: Set<string>; pinned: Record<string, string> }> {
  const guarded = integers.names.length + Object.keys(temporal).length;
  if (guarded > 0 && guarded <= CHECK_CHUNK) {
    const casts = [...integers.names.map((c) => guardedInteger(c, integers.type, integers.decimalComma)), ...Object.entries(temporal).map(([c, sniffedAs]) => guardedCast(c, sniffedAs))];
    try {
      await engine.run(`CREATE TEMP TABLE ${table} AS SELECT * REPLACE (${casts.join(', ')}) FROM ${reader}`);
      return { codes: new Set(), pinned: Object.fromEntries(Object.entries(temporal).map(([c, g]) => [c, g.type])) };
    } catch (e) {
      if (!isLossyCast(e)) throw e;
    }
    await engine.run(`DROP TABLE IF EXISTS ${table}`);
  }
  // The columns as text, checked a chunk at a time, then cast in one rewrite: a wide file's thousands of guarded
  // casts in one SELECT took DuckDB's planner 20 s and more (2,000 columns), as its refused values would anyway.
  await engine.run(`CREATE TEMP TABLE ${table} AS SELECT * FROM ${reader}`);
  if (guarded === 0) return { codes: new Set(), pinned: {} };
  const codes = await paddedColumns(engine, table, integers.names);
  const dated = Object.keys(temporal);
  const byIdent = new Map(dated.map((c) => [ident(c), temporal[c]!]));
  const asSniffed = await columnChecks(engine, table, dated, (x) => [`bool_and(${x} IS NULL OR ${holds(x, byIdent.get(x)!.type, byIdent.get(x)!.format)})`]);
  const failing = Object.fromEntries(dated.filter((_c, i) => asSniffed[i]![0] === false).map((c) => [c, temporal[c]!]));
  const wider = await losslessTypes(engine, table, failing);
  const dates = new Map(dated.map((c) => [c, wider.get(c) ?? { type: temporal[c]!.type, cast: castTo(ident(c), temporal[c]!.type, temporal[c]!.format) }]));
  const casts = [
    ...integers.names.filter((c) => !codes.has(c)).map((c) => `${integerCast(c, integers.type, integers.decimalComma)} AS ${ident(c)}`),
    ...[...dates].filter(([, t]) => t.type !== 'VARCHAR').map(([c, t]) => `${t.cast} AS ${ident(c)}`),
  ];
  if (casts.length) await engine.run(`CREATE OR REPLACE TEMP TABLE ${table} AS SELECT * REPLACE (${casts.join(', ')}) FROM ${table}`);
  const pinned = { ...Object.fromEntries([...codes].map((c) => [c, 'VARCHAR'])), ...Object.fromEntries([...dates].map(([c, t]) => [c, t.type])) };
  return { codes, pinned };
}

/**
 * What DuckDB's sniffer makes of the first `rows` rows of the (first) file: its quote character ('' when it met
 * none), and the date and timestamp formats it found (strptime formats; none for text DuckDB's own cast reads).
 */
async function sniffDialect(engine: Engine, spec: InputSpec, rows: number): Promise<{ quote: string; formats: { date?: string; timestamp?: string } }> {
  const first = { ...spec, files: spec.files.slice(0, 1), glob: undefined };
  const sniff = readerSql({ ...first, hive: false }, {}, rows)
    .replace(/^read_csv\(/, 'sniff_csv(')
    .replace(/, union_by_name = true/, '');
  const row = await engine.one(`SELECT Quote AS q, DateFormat AS d, TimestampFormat AS t FROM ${sniff}`);
  const set = (x: unknown) => x !== null && x !== undefined && x !== '' && x !== '(empty)';
  return { quote: set(row.q) ? String(row.q) : '', formats: { ...(set(row.d) ? { date: String(row.d) } : {}), ...(set(row.t) ? { timestamp: String(row.t) } : {}) } };
}

/** Columns per checking query (as PROFILE_CHUNK: DuckDB's plans grow slow with thousands of aggregates). */
const CHECK_CHUNK = 64;

/** Columns narrowed one ALTER at a time (each rewrites its column); more rewrite the table once. */
const ALTER_MAX = 8;

/**
 * Integer columns read as DOUBLE (loadSniffed): BIGINT again when every value is whole and within ±2^53 (where a
 * DOUBLE holds every integer); a fraction, `inf` or `nan` keeps the column DOUBLE, as a sniff that saw it types it.
 * Whole values beyond 2^53 may have lost digits as DOUBLE: returned, to be read again as text.
 */
async function narrowIntegers(engine: Engine, table: string, integers: readonly string[]): Promise<{ narrowed: string[]; wide: string[] }> {
  if (integers.length === 0) return { narrowed: [], wide: [] };
  const checks = await columnChecks(engine, table, integers, (c) => [`bool_and(isfinite(${c}) AND ${c} = trunc(${c}))`, `max(abs(${c}))`]);
  const proved = (i: number) => checks[i]![0] !== false;
  const beyond = (i: number) => Number(checks[i]![1] ?? 0) >= 2 ** 53;
  const narrowed = integers.filter((_c, i) => proved(i) && !beyond(i));
  const wide = integers.filter((_c, i) => proved(i) && beyond(i));
  if (narrowed.length <= ALTER_MAX) {
    for (const c of narrowed) await engine.run(`ALTER TABLE ${table} ALTER COLUMN ${ident(c)} TYPE BIGINT USING (CAST(${ident(c)} AS BIGINT))`);
  } else {
    // Many columns (a wide file): one rewrite of the table instead of a statement per column (row order kept).
    const casts = narrowed.map((c) => `CAST(${ident(c)} AS BIGINT) AS ${ident(c)}`).join(', ');
    await engine.run(`CREATE OR REPLACE TEMP TABLE ${table} AS SELECT * REPLACE (${casts}) FROM ${table}`);
  }
  return { narrowed, wide };
}

/** Files up to this size are read to count their lines (a few ms): one with no more lines than the sniff reads is read whole by it. */
const SMALL_FILE_BYTES = 16 * 2 ** 20;

/**
 * Whether the sniff of `rows` rows sees every row of the input: one plain (not compressed) file with fewer line breaks
 * (a row holds at least one line). Only line breaks are counted here; the file's values are left to DuckDB.
 */
function sniffedWhole(spec: InputSpec, rows: number): boolean {
  if (spec.files.length !== 1 || spec.glob || /\.gz$/i.test(spec.files[0]!)) return false;
  try {
    if (statSync(spec.files[0]!).size > SMALL_FILE_BYTES) return false;
    const bytes = readFileSync(spec.files[0]!);
    let lines = 0;
    for (let at = bytes.indexOf(10); at !== -1 && lines < rows; at = bytes.indexOf(10, at + 1)) lines++;
    // A last row without a line break is one more row than breaks; a header is one row the sniff also reads.
    return lines + 2 <= rows;
  } catch {
    return false;
  }
}

/** Whether a text column of the loaded table had no value in its first SNIFF_ROWS rows and has one after them. */
async function emptyWhenSniffed(engine: Engine, table: string): Promise<boolean> {
  const text = (await engine.describe(table)).filter((c) => c.type === 'VARCHAR');
  if (text.length === 0) return false;
  const head = await engine.one(`SELECT count(*) AS n, ${text.map((c, i) => `count(${ident(c.name)}) AS h${i}`).join(', ')} FROM (SELECT * FROM ${table} LIMIT ${SNIFF_ROWS})`);
  if (Number(head.n) < SNIFF_ROWS) return false;
  const empty = text.filter((_c, i) => Number(head[`h${i}`]) === 0);
  if (empty.length === 0) return false;
  const later = await engine.one(`SELECT ${empty.map((c, i) => `count(${ident(c.name)}) AS l${i}`).join(', ')} FROM ${table}`);
  return empty.some((_c, i) => Number(later[`l${i}`]) > 0);
}

/** Rows of a loaded table looked at first: one fraction among them proves a DOUBLE column is no integer column. */
const FRACTION_PROBE_ROWS = 10_000;

/** The DOUBLE columns with no fraction among their first rows (the others cannot be integer text: no full pass). */
async function withoutFractionsFirst(engine: Engine, table: string, doubles: readonly ColumnInfo[]): Promise<ColumnInfo[]> {
  const checks = await columnChecks(
    engine,
    `(SELECT * FROM ${table} LIMIT ${FRACTION_PROBE_ROWS})`,
    doubles.map((c) => c.name),
    (c) => [`bool_or(isfinite(${c}) AND ${c} <> trunc(${c}))`],
  );
  return doubles.filter((_c, i) => checks[i]![0] !== true);
}

/**
 * Aggregates of each named column (`aggregates` of its quoted name), a few dozen columns per query: DuckDB's plans
 * grow slow with thousands of aggregates (4,000 FILTER aggregates took it half a minute on a 2,000-column file's three
 * rows). Returns each column's values, in the order given.
 */
async function columnChecks(engine: Engine, from: string, names: readonly string[], aggregates: (c: string) => string[]): Promise<unknown[][]> {
  const out: unknown[][] = [];
  for (let at = 0; at < names.length; at += CHECK_CHUNK) {
    const chunk = names.slice(at, at + CHECK_CHUNK).map((n) => aggregates(ident(n)));
    const row = await engine.one(`SELECT ${chunk.flatMap((aggs, i) => aggs.map((a, k) => `${a} AS x${i}_${k}`)).join(', ')} FROM ${from}`);
    out.push(...chunk.map((aggs, i) => aggs.map((_a, k) => row[`x${i}_${k}`])));
  }
  return out;
}

/** DOUBLE columns whose values are all whole and some beyond BIGINT: integer text the sniffer could not hold. */
async function wideIntegerColumns(engine: Engine, table: string, columns: readonly ColumnInfo[]): Promise<string[]> {
  const doubles = await withoutFractionsFirst(
    engine,
    table,
    columns.filter((c) => c.type === 'DOUBLE'),
  );
  const checks = await columnChecks(
    engine,
    table,
    doubles.map((c) => c.name),
    (c) => [`bool_or(isfinite(${c}) AND abs(${c}) >= ${WIDE})`, `bool_or(isfinite(${c}) AND ${c} <> trunc(${c}))`],
  );
  return doubles.filter((_c, i) => checks[i]![0] === true && checks[i]![1] !== true).map((c) => c.name);
}

/**
 * BIGINT or HUGEINT when every value is digit-only text within it; text (exact) when all are digits but some are
 * wider still; otherwise (`1e+20`, `inf` beside the integers) the sniffer's DOUBLE was the reading.
 */
async function exactIntegerType(engine: Engine, table: string, column: string): Promise<string | null> {
  const c = ident(column);
  const v = `trim(CAST(${c} AS VARCHAR))`;
  const row = await engine.one(
    `SELECT count(${c}) AS n, count(*) FILTER (WHERE regexp_full_match(${v}, '[+-]?[0-9]+')) AS digits,
            count(*) FILTER (WHERE regexp_full_match(${v}, '[+-]?[0-9]+') AND TRY_CAST(${v} AS BIGINT) IS NOT NULL) AS b,
            count(*) FILTER (WHERE regexp_full_match(${v}, '[+-]?[0-9]+') AND TRY_CAST(${v} AS HUGEINT) IS NOT NULL) AS h FROM ${table}`,
  );
  const n = Number(row.n);
  if (n === Number(row.b)) return 'BIGINT';
  if (n === Number(row.h)) return 'HUGEINT';
  if (n === Number(row.digits)) return null;
  return 'DOUBLE';
}

/** read_json with every column's type given, some overridden (JSON numbers read as VARCHAR keep their digits). */
function jsonReaderSql(spec: InputSpec, columns: readonly ColumnInfo[], override: Readonly<Record<string, string>>): string {
  const source = spec.files.length === 1 ? literal(spec.files[0]!) : listLiteral(spec.files);
  const cols = columns.map((c) => `${literal(c.name)}: ${literal(override[c.name] ?? c.type)}`).join(', ');
  return `read_json(${source}${spec.format === 'ndjson' ? ", format = 'newline_delimited'" : ''}, columns = {${cols}})`;
}

/** A Parquet input in file order: file name, then each file's own row number. */
function parquetFileOrder(spec: InputSpec): FileOrder {
  const reader = readerSql(spec).replace(/\)$/, `, filename = ${literal(PARQUET_FILE_COLUMN)}, file_row_number = true)`);
  return { from: reader, order: `${ident(PARQUET_FILE_COLUMN)}, file_row_number`, exclude: [PARQUET_FILE_COLUMN, 'file_row_number'] };
}

/** An attached DuckDB table's rowid (insertion order); a view of the database has none. */
function duckdbFileOrder(name: string): FileOrder | undefined {
  const hit = openedTables.get(name);
  return hit ? { from: hit, order: 'rowid', exclude: [] } : undefined;
}

/** The attached table (not view) each DuckDB input's view reads, by view name. */
const openedTables = new Map<string, string>();

async function openDuckdbTable(engine: Engine, spec: InputSpec, name: string): Promise<void> {
  const alias = `${name}_db`;
  await engine.run(`ATTACH ${literal(spec.files[0]!)} AS ${ident(alias)} (READ_ONLY)`);
  const parts = spec.table!.split('.');
  const tables = await engine.all(
    `SELECT schema_name, table_name FROM duckdb_tables() WHERE database_name = ${literal(alias)}
     UNION ALL SELECT schema_name, view_name FROM duckdb_views() WHERE database_name = ${literal(alias)} AND NOT internal
     ORDER BY 1, 2`,
  );
  const wantSchema = parts.length > 1 ? parts[0]! : undefined;
  const wantTable = parts.length > 1 ? parts.slice(1).join('.') : parts[0]!;
  const hit = tables.find((t) => t.table_name === wantTable && (!wantSchema || t.schema_name === wantSchema));
  if (!hit) {
    const known = tables.map((t) => (t.schema_name === 'main' ? String(t.table_name) : `${t.schema_name}.${t.table_name}`));
    throw new ReprodiffError('E_USAGE', `${spec.label}: no table '${spec.table}' in the database`, {
      suggestion: known.length ? `tables: ${known.slice(0, 10).join(', ')}` : 'the database has no tables',
    });
  }
  const qualified = `${ident(alias)}.${ident(String(hit.schema_name))}.${ident(String(hit.table_name))}`;
  await engine.run(`CREATE VIEW ${ident(name)} AS SELECT * FROM ${qualified}`);
  const isTable = await engine.one(
    `SELECT count(*) AS n FROM duckdb_tables() WHERE database_name = ${literal(alias)} AND schema_name = ${literal(String(hit.schema_name))} AND table_name = ${literal(String(hit.table_name))}`,
  );
  if (Number(isTable.n) > 0) openedTables.set(name, qualified);
}

/** Turns a reader failure into one line naming the input; engine errors keep their first line. */
export function asInputError(e: unknown, spec: { label: string; format: string; files?: readonly string[] }): unknown {
  if (e instanceof ReprodiffError) {
    const err = withLabel(e, spec);
    return err.code === 'E_MEMORY' || err.code === 'E_DISK' || err.message.includes(spec.label)
      ? err
      : new ReprodiffError(err.code, `${spec.label}: ${err.message}`, { suggestion: err.suggestion, cause: err, exitCode: err.exitCode });
  }
  const line = firstLine(e).replace(/^(IO|Invalid Input|Conversion|Parser|Binder|Invalid|Serialization) Error:\s*/i, '');
  // DuckDB's first line ("CSV Error on Line: 2") does not say why; a file in another encoding is common (Excel, old exports).
  if (/not utf-8 encoded|invalid unicode/i.test(String((e as Error)?.message ?? e))) {
    return new ReprodiffError('E_FORMAT', `${spec.label}: is not UTF-8 text (${line})`, {
      suggestion: 'pass --encoding latin-1 (or utf-16) if that is how it was written, or convert it: iconv -f latin1 -t utf-8',
      cause: e,
    });
  }
  return new ReprodiffError('E_FORMAT', `${spec.label}: cannot read as ${spec.format}: ${line}`, {
    suggestion: 'check that the file is complete and of the format its name says (or pass --format)',
    cause: e,
  });
}

/** Readers name the absolute path they opened; the user reads what they typed. */
function withLabel(e: ReprodiffError, spec: { label: string; files?: readonly string[] }): ReprodiffError {
  const file = spec.files?.length === 1 ? spec.files[0]! : undefined;
  if (!file || file === spec.label || !e.message.includes(file)) return e;
  return new ReprodiffError(e.code, e.message.split(file).join(spec.label), { suggestion: e.suggestion, cause: e.cause, exitCode: e.exitCode });
}
