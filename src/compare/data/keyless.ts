import type { Engine, Row } from '../../engine/engine.js';
import { ident } from '../../engine/quote.js';
import type { Dataset } from '../../sources/register.js';
import type { ColumnPair } from './columns.js';
import { differsSql } from './keyed.js';
import { toleranceFor } from './tolerance.js';
import type { Tolerance, Tolerances } from './tolerance.js';
import { toNumber, toPlain } from '../shared/values.js';
import { valueSql } from '../shared/normalise.js';
import type { TextNormalisation } from '../shared/normalise.js';

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
  /** Distinct rows held more than once on some side whose number of copies differs between the sides. */
  readonly duplicatesChanged: number;
  readonly sampleOnlyResearch: readonly Row[];
  readonly sampleOnlyProduction: readonly Row[];
  /**
   * Of the unmatched rows, how many research rows find a production row equal on every column but one, per
   * column left out (research names; only columns that pair at least one row), or, when no single column does,
   * on every column but the float ones together. Says "the same rows, those columns written differently" instead
   * of "different rows".
   */
  readonly matchWithout: readonly { readonly columns: readonly string[]; readonly rows: number }[];
  /** Unmatched rows that pair within the numeric tolerances (equal on every other column); 0 without tolerances. */
  readonly withinTolerance: number;
  /** Numeric columns compared within a tolerance (research names). */
  readonly tolerantColumns: readonly string[];
}

/**
 * The hash of a row over the paired columns, each cast to its comparison type, in research-name order,
 * so column order and int32-vs-int64 or CSV-vs-Parquet typing never change it.
 */
export function rowHashSql(pairs: readonly ColumnPair[], side: 'research' | 'production', normalise?: TextNormalisation): string {
  const ordered = [...pairs].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const cols = ordered.map((p) => valueSql(`CAST(${ident(side === 'research' ? p.name : p.productionName)} AS ${p.compareType})`, p, normalise));
  return cols.length ? `hash(${cols.join(', ')})` : 'hash(1)';
}

export function keylessSql(table: string, research: Dataset, production: Dataset, pairs: readonly ColumnPair[], normalise?: TextNormalisation): string {
  return `CREATE TEMP TABLE ${table} AS
WITH ca AS (SELECT ${rowHashSql(pairs, 'research', normalise)} AS h, count(*) AS n FROM ${research.relation} GROUP BY 1),
     cb AS (SELECT ${rowHashSql(pairs, 'production', normalise)} AS h, count(*) AS n FROM ${production.relation} GROUP BY 1)
SELECT coalesce(ca.h, cb.h) AS h, coalesce(ca.n, 0) AS na, coalesce(cb.n, 0) AS nb
FROM ca FULL OUTER JOIN cb ON ca.h = cb.h`;
}

let counter = 0;

export async function keylessDiff(
  engine: Engine,
  research: Dataset,
  production: Dataset,
  pairs: readonly ColumnPair[],
  sample: number,
  tolerances?: Tolerances,
  normalise?: TextNormalisation,
): Promise<KeylessDiff> {
  const table = ident(`rd_rows_${++counter}`);
  await engine.run(keylessSql(table, research, production, pairs, normalise));
  const s = await engine.one(`SELECT
    sum(least(na, nb)) AS common,
    sum(greatest(na - nb, 0)) AS only_a,
    sum(greatest(nb - na, 0)) AS only_b,
    sum(greatest(na - 1, 0)) AS dup_a,
    sum(greatest(nb - 1, 0)) AS dup_b,
    count(*) FILTER (WHERE greatest(na, nb) > 1 AND na <> nb) AS dup_changed
  FROM ${table}`);
  const onlyResearch = toNumber(s.only_a) ?? 0;
  const onlyProduction = toNumber(s.only_b) ?? 0;
  const rowsOnly = async (ds: Dataset, side: 'research' | 'production', where: string) =>
    (
      await engine.all(
        `SELECT * FROM ${ds.relation} WHERE ${rowHashSql(pairs, side, normalise)} IN (SELECT h FROM ${table} WHERE ${where} ORDER BY h LIMIT ${sample})
         ORDER BY ${rowHashSql(pairs, side, normalise)} LIMIT ${sample}`,
      )
    ).map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, toPlain(v)])));
  // Integers pair exactly here (they identify and count); floats and decimals within their tolerances.
  const tolerant = pairs.filter((p) => (p.kind === 'float' || p.kind === 'decimal') && p.compatibility !== 'breaking' && hasTolerance(toleranceFor(tolerances, p.name)));
  const unmatched =
    onlyResearch > 0 && onlyProduction > 0 ? await unmatchedRows(engine, table, research, production, pairs, tolerant, tolerances, normalise) : { matchWithout: [], withinTolerance: 0 };
  const result: KeylessDiff = {
    common: (toNumber(s.common) ?? 0) + unmatched.withinTolerance,
    onlyResearch: onlyResearch - unmatched.withinTolerance,
    onlyProduction: onlyProduction - unmatched.withinTolerance,
    matchWithout: unmatched.matchWithout,
    withinTolerance: unmatched.withinTolerance,
    tolerantColumns: tolerant.map((p) => p.name),
    duplicateRowsResearch: toNumber(s.dup_a) ?? 0,
    duplicateRowsProduction: toNumber(s.dup_b) ?? 0,
    duplicatesChanged: toNumber(s.dup_changed) ?? 0,
    sampleOnlyResearch: onlyResearch && sample > 0 ? await rowsOnly(research, 'research', 'na > nb') : [],
    sampleOnlyProduction: onlyProduction && sample > 0 ? await rowsOnly(production, 'production', 'nb > na') : [],
  };
  await engine.run(`DROP TABLE ${table}`);
  return result;
}

function hasTolerance(t: Tolerance): boolean {
  return t.abs > 0 || t.rel > 0;
}

/**
 * What the unmatched rows have in common, from two small tables of them (the rows whose hash has fewer copies
 * on the other side, every copy, in comparison types):
 * - per column, how many research rows have a production row equal on every other column (one hash join each);
 * - with tolerances, how many pair within them: rows grouped by their exact columns, paired in the order of
 *   their tolerant columns, and counted when every tolerant column is within tolerance (for one tolerant column
 *   this pairing finds a match whenever one exists).
 */
async function unmatchedRows(
  engine: Engine,
  table: string,
  research: Dataset,
  production: Dataset,
  pairs: readonly ColumnPair[],
  tolerant: readonly ColumnPair[],
  tolerances: Tolerances | undefined,
  normalise: TextNormalisation | undefined,
): Promise<{ matchWithout: { columns: string[]; rows: number }[]; withinTolerance: number }> {
  const ua = ident(`rd_unmatched_a_${counter}`);
  const ub = ident(`rd_unmatched_b_${counter}`);
  // Only the copies beyond the other side's count: a row held twice in research and once in production leaves one.
  const rows = (ds: Dataset, side: 'research' | 'production', mine: string, other: string) => {
    // Values as compared (trimmed and folded under --ignore-spaces/--ignore-case), so the hashes below pair them.
    const cols = pairs.map((p, i) => `${valueSql(`CAST(${ident(side === 'research' ? p.name : p.productionName)} AS ${p.compareType})`, p, normalise)} AS v${i}`);
    const h = rowHashSql(pairs, side, normalise);
    return `SELECT * EXCLUDE (_h, _rn, h, na, nb) FROM (
  SELECT *, row_number() OVER (PARTITION BY _h) AS _rn FROM (SELECT ${cols.join(', ')}, ${h} AS _h FROM ${ds.relation} WHERE ${h} IN (SELECT h FROM ${table} WHERE ${mine} > ${other}))
) u JOIN ${table} t ON u._h = t.h WHERE u._rn > t.${other}`;
  };
  await engine.run(`CREATE TEMP TABLE ${ua} AS ${rows(research, 'research', 'na', 'nb')}`);
  await engine.run(`CREATE TEMP TABLE ${ub} AS ${rows(production, 'production', 'nb', 'na')}`);
  try {
    const hashOf = (cols: number[]) => (cols.length ? `hash(${cols.map((i) => `v${i}`).join(', ')})` : 'hash(1)');
    const all = pairs.map((_p, i) => i);
    const paired = (h: string) =>
      `(SELECT coalesce(sum(least(x.n, y.n)), 0) FROM (SELECT ${h} AS h, count(*) AS n FROM ${ua} GROUP BY 1) x JOIN (SELECT ${h} AS h, count(*) AS n FROM ${ub} GROUP BY 1) y ON x.h = y.h)`;
    let matchWithout: { columns: string[]; rows: number }[] = [];
    if (pairs.length > 1) {
      // Float columns together too: two columns cast to float32 leave no single column that pairs the rows.
      const floats = all.filter((i) => pairs[i]!.kind === 'float' || pairs[i]!.kind === 'decimal');
      const withFloats = floats.length > 1 && floats.length < pairs.length;
      const r = await engine.one(
        `SELECT ${all.map((i) => `${paired(hashOf(all.filter((j) => j !== i)))} AS c${i}`).join(', ')}${withFloats ? `, ${paired(hashOf(all.filter((j) => !floats.includes(j))))} AS floats` : ''}`,
      );
      matchWithout = pairs
        .map((p, i) => ({ columns: [p.name], rows: toNumber(r[`c${i}`]) ?? 0 }))
        .filter((x) => x.rows > 0)
        .sort((x, y) => y.rows - x.rows || (x.columns[0]! < y.columns[0]! ? -1 : 1));
      const together = withFloats ? (toNumber(r.floats) ?? 0) : 0;
      const single = matchWithout.reduce((x, y) => x + y.rows, 0);
      if (together > single) matchWithout = [{ columns: floats.map((i) => pairs[i]!.name), rows: together }];
    }
    let withinTolerance = 0;
    if (tolerant.length > 0) {
      const tolIdx = tolerant.map((p) => pairs.indexOf(p));
      const exact = hashOf(all.filter((i) => !tolIdx.includes(i)));
      const order = tolIdx.map((i) => `v${i}`).join(', ');
      const ranked = (t: string) => `(SELECT *, ${exact} AS _g, row_number() OVER (PARTITION BY ${exact} ORDER BY ${order}) AS _r FROM ${t})`;
      const within = tolIdx.map((i) => `NOT ${differsSql(`x.v${i}`, `y.v${i}`, pairs[i]!, tolerances)}`).join(' AND ');
      const r = await engine.one(`SELECT count(*) AS n FROM ${ranked(ua)} x JOIN ${ranked(ub)} y ON x._g = y._g AND x._r = y._r WHERE ${within}`);
      withinTolerance = toNumber(r.n) ?? 0;
    }
    return { matchWithout, withinTolerance };
  } finally {
    await engine.run(`DROP TABLE ${ua}`);
    await engine.run(`DROP TABLE ${ub}`);
  }
}
