import type { Engine } from '../../engine/engine.js';
import { ident } from '../../engine/quote.js';
import type { Dataset } from '../../sources/register.js';
import type { ColumnPair } from './columns.js';
import { toNumber, toPlain } from './values.js';

/** Order-independent comparison of the two row multisets, through a 64-bit hash of each row's typed values. */
export interface KeylessDiff {
  /** Rows present on both sides (with multiplicity). */
  readonly common: number;
  /** Rows only in research, counted with multiplicity (a row twice in research and once in production counts once). */
  readonly onlyResearch: number;
  readonly onlyProduction: number;
  /** Rows beyond the first copy of identical rows, per side. */
  readonly duplicateRowsResearch: number;
  readonly duplicateRowsProduction: number;
  readonly sampleOnlyResearch: readonly Record<string, unknown>[];
  readonly sampleOnlyProduction: readonly Record<string, unknown>[];
}

/**
 * The hash of a row over the paired columns, each cast to its comparison type, in research-name order,
 * so column order and int32-vs-int64 or CSV-vs-Parquet typing never change it.
 */
export function rowHashSql(pairs: readonly ColumnPair[], side: 'research' | 'production'): string {
  const ordered = [...pairs].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const cols = ordered.map((p) => `CAST(${ident(side === 'research' ? p.name : p.productionName)} AS ${p.compareType})`);
  return cols.length ? `hash(${cols.join(', ')})` : 'hash(1)';
}

export function keylessSql(table: string, research: Dataset, production: Dataset, pairs: readonly ColumnPair[]): string {
  return `CREATE TEMP TABLE ${table} AS
WITH ca AS (SELECT ${rowHashSql(pairs, 'research')} AS h, count(*) AS n FROM ${research.relation} GROUP BY 1),
     cb AS (SELECT ${rowHashSql(pairs, 'production')} AS h, count(*) AS n FROM ${production.relation} GROUP BY 1)
SELECT coalesce(ca.h, cb.h) AS h, coalesce(ca.n, 0) AS na, coalesce(cb.n, 0) AS nb
FROM ca FULL OUTER JOIN cb ON ca.h = cb.h`;
}

let counter = 0;

export async function keylessDiff(engine: Engine, research: Dataset, production: Dataset, pairs: readonly ColumnPair[], sample: number): Promise<KeylessDiff> {
  const table = ident(`rd_rows_${++counter}`);
  await engine.run(keylessSql(table, research, production, pairs));
  const s = await engine.one(`SELECT
    sum(least(na, nb)) AS common,
    sum(greatest(na - nb, 0)) AS only_a,
    sum(greatest(nb - na, 0)) AS only_b,
    sum(greatest(na - 1, 0)) AS dup_a,
    sum(greatest(nb - 1, 0)) AS dup_b
  FROM ${table}`);
  const onlyResearch = toNumber(s.only_a) ?? 0;
  const onlyProduction = toNumber(s.only_b) ?? 0;
  const rowsOnly = async (ds: Dataset, side: 'research' | 'production', where: string) =>
    (
      await engine.all(
        `SELECT * FROM ${ds.relation} WHERE ${rowHashSql(pairs, side)} IN (SELECT h FROM ${table} WHERE ${where} ORDER BY h LIMIT ${sample})
         ORDER BY ${rowHashSql(pairs, side)} LIMIT ${sample}`,
      )
    ).map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, toPlain(v)])));
  const result: KeylessDiff = {
    common: toNumber(s.common) ?? 0,
    onlyResearch,
    onlyProduction,
    duplicateRowsResearch: toNumber(s.dup_a) ?? 0,
    duplicateRowsProduction: toNumber(s.dup_b) ?? 0,
    sampleOnlyResearch: onlyResearch && sample > 0 ? await rowsOnly(research, 'research', 'na > nb') : [],
    sampleOnlyProduction: onlyProduction && sample > 0 ? await rowsOnly(production, 'production', 'nb > na') : [],
  };
  await engine.run(`DROP TABLE ${table}`);
  return result;
}
