import type { Engine } from '../engine/engine.js';
import { ident, listLiteral, literal } from '../engine/quote.js';
import { ReprodiffError, firstLine } from '../errors.js';
import { importArrow } from './arrow.js';
import { openDatabaseInput } from './postgres/index.js';
import { refinedSelect, refineTextTypes } from './refine.js';
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
}

/** SQL of the table function that reads a spec (CSV, Parquet, JSON); Arrow and DuckDB files are handled apart. */
export function readerSql(spec: InputSpec): string {
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
      if (spec.read.header === false) opts.push('header = false');
      if (spec.files.length > 1) opts.push('union_by_name = true');
      // A quoted "" is an empty string, an empty field is null: the two stay apart, as the writer meant.
      opts.push('allow_quoted_nulls = false');
      // Sniff over more rows than the default so that a late non-numeric value does not fail the read.
      opts.push('sample_size = 100000');
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
    if (spec.database) {
      await openDatabaseInput(engine, spec.database, name);
    } else if (spec.format === 'arrow') {
      await importArrow(engine, spec.files[0]!, name);
    } else if (spec.format === 'duckdb') {
      await openDuckdbTable(engine, spec, name);
    } else if (spec.format === 'parquet') {
      await engine.run(`CREATE VIEW ${relation} AS SELECT * FROM ${readerSql(spec)}`);
    } else {
      await loadText(engine, spec, name);
    }
    const columns = await engine.describe(relation);
    if (columns.length === 0) throw new ReprodiffError('E_EMPTY', `${spec.label}: no columns`, { suggestion: 'check the file' });
    return { label: spec.label, format: spec.format, relation, columns };
  } catch (e) {
    throw asInputError(e, spec);
  }
}

/**
 * Text inputs are parsed once into a temporary table (DuckDB spills it under the memory limit): every
 * later scan would otherwise parse and sniff the file again. Columns of numbers written as text are
 * re-typed on the way in.
 */
async function loadText(engine: Engine, spec: InputSpec, name: string): Promise<void> {
  const raw = ident(`${name}_text`);
  await engine.run(`CREATE VIEW ${raw} AS SELECT * FROM ${readerSql(spec)}`);
  const sniffed = await engine.describe(raw);
  const refined = await refineTextTypes(engine, raw, sniffed);
  const select = refined ? refinedSelect(refined, sniffed) : '*';
  await engine.run(`CREATE TEMP TABLE ${ident(name)} AS SELECT ${select} FROM ${raw}`);
  await engine.run(`DROP VIEW ${raw}`);
}

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
  await engine.run(`CREATE VIEW ${ident(name)} AS SELECT * FROM ${ident(alias)}.${ident(String(hit.schema_name))}.${ident(String(hit.table_name))}`);
}

/** Turns a reader failure into one line naming the input; engine errors keep their first line. */
export function asInputError(e: unknown, spec: { label: string; format: string }): unknown {
  if (e instanceof ReprodiffError) {
    return e.code === 'E_MEMORY' || e.code === 'E_DISK' || e.message.includes(spec.label)
      ? e
      : new ReprodiffError(e.code, `${spec.label}: ${e.message}`, { suggestion: e.suggestion, cause: e, exitCode: e.exitCode });
  }
  const line = firstLine(e).replace(/^(IO|Invalid Input|Conversion|Parser|Binder|Invalid|Serialization) Error:\s*/i, '');
  return new ReprodiffError('E_FORMAT', `${spec.label}: cannot read as ${spec.format}: ${line}`, {
    suggestion: 'check that the file is complete and of the format its name says (or pass --format)',
    cause: e,
  });
}
