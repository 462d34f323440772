/**
 * `--diff-rows FILE`: every differing row of the keyed comparison, written by DuckDB (`COPY (…) TO`) straight from
 * the keyed diff's temp table, so no row passes through JavaScript. The file is written to a temporary name beside
 * the target (the only path outside the spill folder the locked engine may write) and renamed over it.
 */
import { renameSync, rmSync } from 'node:fs';
import { extname, join } from 'node:path';
import type { Engine } from '../../engine/engine.js';
import { ident, literal } from '../../engine/quote.js';
import { ReprodiffError } from '../../errors.js';
import { MASKED } from '../../findings/mask.js';
import { shown } from '../../text/escape.js';
import { displayName } from '../../sources/names.js';
import type { Dataset } from '../../sources/register.js';
import type { ColumnPair } from './columns.js';
import type { KeyedDiff } from './keyed.js';

export const DIFF_ROWS_FORMATS = ['parquet', 'csv', 'ndjson'] as const;
export type DiffRowsFormat = (typeof DIFF_ROWS_FORMATS)[number];

/** Where the differing rows go (made by src/report/diff-rows.ts): the target, the temporary file DuckDB writes first, the format, and the masked columns. */
export interface DiffRowsTarget {
  /** As the user named it (shown in messages). */
  readonly path: string;
  /** The target once symlinks are followed: the rename's destination. */
  readonly target: string;
  /** A fresh name in the target's folder: the one file the locked engine may write there. */
  readonly temp: string;
  readonly format: DiffRowsFormat;
  /** Columns (as either file spells them) whose values are written as `[masked]`. */
  readonly mask?: readonly string[];
  /** The flag that asked for it, for messages. */
  readonly flag: string;
}

/** The format a file name asks for, or a one-line E_USAGE. */
export function diffRowsFormat(path: string, flag = '--diff-rows'): DiffRowsFormat {
  const ext = extname(path).toLowerCase();
  if (ext === '.parquet') return 'parquet';
  if (ext === '.csv') return 'csv';
  if (ext === '.ndjson') return 'ndjson';
  throw new ReprodiffError('E_USAGE', `${flag} ${shown(path)}: the file name must end in .parquet, .csv or .ndjson`, { suggestion: 'e.g. --diff-rows differences.parquet' });
}

/** The stages `check --diff-rows-dir` writes a file for, and their files (`data.parquet`, `features.parquet`). */
export const DIFF_ROWS_STAGES = ['data', 'features'] as const;
export function diffRowsDirFiles(dir: string): { stage: (typeof DIFF_ROWS_STAGES)[number]; path: string }[] {
  return DIFF_ROWS_STAGES.map((stage) => ({ stage, path: join(dir, `${stage}.parquet`) }));
}

/** One column of the file: its name in the output and the SQL that computes it. */
export interface DiffRowsColumn {
  readonly name: string;
  readonly sql: string;
}

/** A value column of the diff table as the file shows it. */
export interface DiffRowsValue {
  /** The research column's name as its file spells it (the production side's is paired with it). */
  readonly name: string;
  readonly masked: boolean;
}

/**
 * The SELECT over the keyed diff table (key k<i>, flags in_a/in_b and d<i>, values a<i>/b<i>): `side`
 * (both / research_only / production_only), `differing_columns` (the value columns that differ on a row present on
 * both sides; empty on a one-sided row), `key.<k>` per key column, then `research.<c>` and `production.<c>` per value
 * column: both values where the column differs, the present side's values on a one-sided row, null elsewhere.
 * Every name of the file has a prefix (`key.`, `research.`, `production.`) or is one of the two fixed names, so no
 * data column name can collide with another. A masked column's cells are the text `[masked]` where a value would be.
 * In CSV `differing_columns` is a JSON array text (a list's text is ambiguous when names hold commas).
 */
export function diffRowsSql(table: string, keys: readonly string[], values: readonly DiffRowsValue[], format: DiffRowsFormat): string {
  // in_a / in_b are true or null (the side's row is absent): tested with IS NOT NULL so no flag is ever null.
  const both = '(in_a IS NOT NULL AND in_b IS NOT NULL)';
  const cols: DiffRowsColumn[] = [{ name: 'side', sql: `CASE WHEN ${both} THEN 'both' WHEN in_a IS NOT NULL THEN 'research_only' ELSE 'production_only' END` }];
  const list = values.length ? `flatten([${values.map((v, i) => `CASE WHEN ${both} AND d${i} THEN [${literal(v.name)}] ELSE []::VARCHAR[] END`).join(', ')}])` : '[]::VARCHAR[]';
  cols.push({ name: 'differing_columns', sql: format === 'csv' ? `CAST(to_json(${list}) AS VARCHAR)` : list });
  keys.forEach((k, i) => cols.push({ name: `key.${k}`, sql: `k${i}` }));
  values.forEach((v, i) => {
    for (const [side, present, value] of [
      ['research', 'in_a', `a${i}`],
      ['production', 'in_b', `b${i}`],
    ] as const) {
      const shownHere = `(${both} AND d${i}) OR (${present} IS NOT NULL AND NOT ${both})`;
      cols.push({ name: `${side}.${v.name}`, sql: `CASE WHEN ${shownHere} THEN ${v.masked ? literal(MASKED) : value} END` });
    }
  });
  // Key order, then the side; rows of a duplicated key tie there and are ordered by their values, so the same
  // inputs always give the same file.
  const order = [...keys.map((_k, i) => `k${i}`), 'in_a NULLS LAST', 'in_b NULLS LAST', ...values.flatMap((_v, i) => [`a${i}`, `b${i}`])].join(', ');
  return `SELECT ${cols.map((c) => `${c.sql} AS ${ident(c.name)}`).join(',\n  ')}\nFROM ${ident(table)}\nORDER BY ${order}`;
}

/** The COPY options of each format (DuckDB's own temporary file is off: ours already is one). */
function copyOptions(format: DiffRowsFormat): string {
  if (format === 'parquet') return 'FORMAT parquet';
  if (format === 'csv') return 'FORMAT csv, HEADER true, USE_TMP_FILE false';
  return 'FORMAT json, USE_TMP_FILE false';
}

/** The COPY statement that streams the differing rows into `file`. */
export function diffRowsCopySql(select: string, file: string, format: DiffRowsFormat): string {
  return `COPY (${select}) TO ${literal(file)} (${copyOptions(format)})`;
}

/** Writes every differing row of a keyed diff (its table must still exist) to the target, atomically. */
export async function writeDiffRows(engine: Engine, keyed: KeyedDiff, pairs: readonly ColumnPair[], research: Dataset, production: Dataset, target: DiffRowsTarget): Promise<void> {
  if (!keyed.diffTable) throw new Error('the keyed diff table was dropped before --diff-rows');
  const mask = new Set(target.mask ?? []);
  const byName = new Map(pairs.map((p) => [p.name, p]));
  const values = keyed.valueColumns.map((name) => {
    const pair = byName.get(name);
    const researchName = displayName(research, name);
    const productionName = pair ? displayName(production, pair.productionName) : researchName;
    return { name: researchName, masked: mask.has(researchName) || mask.has(productionName) };
  });
  const keys = keyed.key.map((k) => displayName(research, k));
  try {
    await engine.run(diffRowsCopySql(diffRowsSql(keyed.diffTable, keys, values, target.format), target.temp, target.format));
    renameSync(target.temp, target.target);
  } catch (e) {
    rmSync(target.temp, { force: true });
    const err = e as NodeJS.ErrnoException;
    if (err.code === 'EACCES' || err.code === 'EPERM' || err.code === 'ENOENT' || err.code === 'EISDIR') {
      throw new ReprodiffError('E_USAGE', `cannot write ${shown(target.path)}: ${err.code === 'EISDIR' ? 'is a folder' : err.code === 'ENOENT' ? 'no such folder' : 'permission denied'}`, {
        suggestion: 'choose a writable output path',
      });
    }
    throw e;
  }
}

/** Without a key there are no rows to pair: the flag is refused in one line (docs/decisions.md). */
export function keylessDiffRowsError(flag = '--diff-rows'): ReprodiffError {
  return new ReprodiffError('E_USAGE', `${flag} needs a keyed comparison: without --key, rows have no identity to pair them by`, { suggestion: 'give --key id (the column(s) that identify a row)' });
}
