import type { Row } from '../../engine/engine.js';
import { ident } from '../../engine/quote.js';

/**
 * SQL for the distribution tests. Every test is computed from aggregates: the merged empirical CDF of
 * both sides (one row per distinct value, with per-side counts and running totals), never from whole
 * columns copied into JavaScript.
 */

/** The finite values of one column of a relation, as DOUBLE (dates and timestamps as epoch seconds). */
export function finiteValuesSql(relation: string, column: string, temporal = false): string {
  const x = temporal ? `CAST(epoch_us(TRY_CAST(${ident(column)} AS TIMESTAMP)) AS DOUBLE) / 1e6` : `CAST(${ident(column)} AS DOUBLE)`;
  return `SELECT ${x} AS v FROM ${relation} WHERE isfinite(${x})`;
}

/** One side's finite values as a weighted relation (v, n): raw rows weigh 1; a snapshot's stored counts weigh their count. */
export function rawWeightedSql(values: string): string {
  return `SELECT v, 1 AS n FROM (${values})`;
}

/** Both sides as one relation (v DOUBLE, s 0 = research | 1 = production, n weight): what every query below reads. */
export function sidesSql(research: string, production: string): string {
  return `SELECT v, CAST(0 AS UTINYINT) AS s, n FROM (${research}) UNION ALL SELECT v, CAST(1 AS UTINYINT) AS s, n FROM (${production})`;
}

/** Sizes and the range over both sides: one pass, no sort. */
export function totalsSql(sides: string): string {
  return `SELECT sum(n) FILTER (WHERE s = 0) AS n1, sum(n) FILTER (WHERE s = 1) AS n2, min(v) AS lo, max(v) AS hi FROM (${sides})`;
}

/**
 * An order-independent sum of doubles: each term, divided by `scale` so that it lies in [0, 1], is cut into
 * two 64-bit integers, its multiples of 1e-12 and the rest in units of 1e-24, and both are summed exactly.
 * DuckDB's parallel float sums change in the last bits from run to run, and a reported figure must not (same
 * inputs → byte-identical output). `scale` is the range of the values, so the relative error stays below
 * 1e-12 unless the sum is below 1e-12 of the range. Two BIGINT casts cost a third of one DOUBLE → HUGEINT
 * cast, which was a quarter of the merged sort's time. `weight` (an integer column: stored counts) multiplies
 * both parts as HUGEINT, so a count times 1e12 cannot overflow; raw rows weigh 1 and pass none.
 */
export function exactSum(term: string, scale: number, where?: string, weight?: string): string {
  const x = `((${term}) / ${num(scale)} * 1e12)`;
  const filter = where ? ` FILTER (WHERE ${where})` : '';
  const times = weight ? ` * CAST(${weight} AS HUGEINT)` : '';
  const whole = `sum(CAST(floor(${x}) AS BIGINT)${times})${filter}`;
  const rest = `sum(CAST(round((${x} - floor(${x})) * 1e12) AS BIGINT)${times})${filter}`;
  // Joined as doubles: exact integer sums, rounded once each, so still the same bits in any row order.
  return `(CAST(${whole} AS DOUBLE) / 1e12 + CAST(${rest} AS DOUBLE) / 1e24)`;
}

/**
 * KS statistic D = max |F_a − F_b|, Wasserstein-1 = ∫ |F_a − F_b| dv, the number of distinct values, and
 * research's values at the given 0-based ranks, from ONE sort of both sides' values together.
 *
 * The running counts use ROWS frames (RANGE frames and a merged per-value table cost 2-3×
 * more): within a run of equal values they are partial, so D is read only on each run's last row, where they
 * are complete; W sums |F_a − F_b|·(next value − v) over those rows too, where F_a ≠ F_b (elsewhere the term
 * is 0, and the exact sums' casts are the costly part: on equal data none run). Raw values weigh 1, so the
 * running total is row_number(); stored counts need a second running sum.
 */
export function mergedEcdfSql(sides: string, n1: number, n2: number, lo: number, range: number, ranks: readonly number[], weighted: boolean, sideStats?: SideRanks, center?: number): string {
  // Window sums are HUGEINT: as BIGINT, every later step is 64-bit arithmetic (a sixth off the whole query).
  const total = weighted ? 'CAST(sum(n) OVER o AS BIGINT)' : 'row_number() OVER o';
  const production = weighted ? 'CAST(sum(n * s) OVER o AS BIGINT)' : 'CAST(sum(s) OVER o AS BIGINT)';
  const researchRanks = sideStats ? [...new Set([...ranks, ...sideStats.research])].sort((a, b) => a - b) : ranks;
  // Raw rows: research's k-th value (0-based) is the one research row whose running count is k + 1.
  const picks = researchRanks.length
    ? weighted
      ? researchRanks.map((r) => `, min(v) FILTER (WHERE s = 0 AND cuma > ${r}) AS r${r}`).join('')
      : `, list({'r': cuma - 1, 'v': v}) FILTER (WHERE s = 0 AND cuma IN (${researchRanks.map((r) => r + 1).join(', ')})) AS picks`
    : '';
  const sideAggregates = !sideStats ? '' : weighted ? weightedSideAggregates(sideStats) : rawSideAggregates(sideStats);
  const sortedBySide = sideStats && !weighted;
  return `SELECT max(abs(fa - fb)) FILTER (WHERE last) AS d,
       ${exactSum('abs(fa - fb) * (vnext - v)', range, 'last AND vnext IS NOT NULL AND fa <> fb')} AS w_scaled,
       ${center === undefined ? `${meanSum(lo, range, weighted)} AS sum_a_scaled` : `${varianceSum(center, range, weighted)} AS ss_center_scaled`},
       count(*) FILTER (WHERE last) AS distinct_values${picks}${sideAggregates}
FROM (
  SELECT v, s, n, vnext, cum, cuma, vnext IS DISTINCT FROM v AS last, CAST(cuma AS DOUBLE) / ${n1} AS fa, CAST(cum - cuma AS DOUBLE) / ${n2} AS fb${sortedBySide ? ', vprev' : ''}
  FROM (SELECT v, s, n, lead(v) OVER o AS vnext, ${total} AS cum, ${total} - ${production} AS cuma${sortedBySide ? ', lag(v) OVER o AS vprev' : ''}
        FROM (${sides}) WINDOW o AS (ORDER BY v${sortedBySide ? ', s' : ''} ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW))
)`;
}

/**
 * Per side from raw rows (the profiles' distinct counts and quantiles): sorted by (v, s), research's rows of a
 * value come first, so research holds the value when the value's first row is research's, and production
 * holds it when its last row is production's.
 */
function rawSideAggregates(ranks: SideRanks): string {
  const picks = ranks.production.length
    ? `,
       list({'r': cum - cuma - 1, 'v': v}) FILTER (WHERE s = 1 AND cum - cuma IN (${ranks.production.map((r) => r + 1).join(', ')})) AS picks_b`
    : '';
  return `,
       count(*) FILTER (WHERE s = 0 AND vprev IS DISTINCT FROM v) AS distinct_a,
       count(*) FILTER (WHERE s = 1 AND last) AS distinct_b${picks}`;
}

/** The same from value counts with ONE row per (value, side), as numericColumn's value-counts table has them. */
function weightedSideAggregates(ranks: SideRanks): string {
  const picks = ranks.production.map((r) => `, min(v) FILTER (WHERE s = 1 AND cum - cuma > ${r}) AS b${r}`).join('');
  return `, count(*) FILTER (WHERE s = 0) AS distinct_a, count(*) FILTER (WHERE s = 1) AS distinct_b${picks}`;
}

/** 0-based ranks among each side's finite values whose values a profile needs (SideOrderStats). */
export interface SideRanks {
  readonly research: readonly number[];
  readonly production: readonly number[];
}

/** Each side's distinct finite values and values at the asked ranks, from a mergedEcdfSql row with SideRanks. */
export interface SideOrderStats {
  readonly research: { readonly distinct: number; readonly at: ReadonlyMap<number, unknown> };
  readonly production: { readonly distinct: number; readonly at: ReadonlyMap<number, unknown> };
}

export function sideOrderStats(row: Row, ranks: SideRanks): SideOrderStats {
  const research = rankValues(row, ranks.research);
  const production = rankValues(row, ranks.production, 'picks_b', 'b');
  return {
    research: { distinct: Number(row.distinct_a), at: new Map(ranks.research.map((r) => [r, research.get(r)])) },
    production: { distinct: Number(row.distinct_b), at: production },
  };
}

/**
 * A side's values at the asked ranks from a mergedEcdfSql row, in either form of the picks: a list of
 * {r, v} (raw rows) or one column per rank (stored counts). Research's are `picks` / `r<rank>`, production's
 * `picks_b` / `b<rank>`.
 */
export function rankValues(row: Row, ranks: readonly number[], list = 'picks', prefix = 'r'): Map<number, unknown> {
  const out = new Map<number, unknown>();
  const picks = row[list] as { r: unknown; v: unknown }[] | null | undefined;
  if (picks) for (const p of picks) out.set(Number(p.r), p.v);
  else for (const r of ranks) if (`${prefix}${r}` in row) out.set(r, row[`${prefix}${r}`]);
  return out;
}

/**
 * Per side: counts in right-closed bins between `edges` (outer bins open-ended), counts in `histBins`
 * equal-width chart bins over [lo, hi], and, given research's `mean`, Σ n·(v − mean)² of research's rows for its
 * population variance. One pass, grouped by (side, bin, chart bin): a few hundred groups at most.
 */
export function binsSql(sides: string, edges: readonly number[], lo: number, hi: number, histBins: number, mean: number | undefined, range: number, weighted = true): string {
  const width = (hi - lo) / histBins;
  const chart = width > 0 ? `least(${histBins - 1}, CAST(floor((v - ${num(lo)}) / ${num(width)}) AS INTEGER))` : '0';
  const variance = mean === undefined ? '' : `, ${varianceSum(mean, range, weighted)} AS ss_scaled`;
  return `SELECT s, ${binIndex(edges, 0, edges.length)} AS bin, ${chart} AS chart, sum(n) AS n${variance} FROM (${sides}) GROUP BY ALL ORDER BY ALL`;
}

/** Σ n·((v − c)/range)² over research's rows, exactly: research's variance about c, in units of range². */
function varianceSum(c: number, range: number, weighted: boolean): string {
  return exactSum(`((v - ${num(c)}) / ${num(range)}) * (v - ${num(c)})`, range, 's = 0', weighted ? 'n' : undefined);
}

/**
 * The right-closed bin of v among ascending `edges` (bins lo…hi), as a binary search of nested CASEs: about
 * log2(bins) comparisons per value instead of a chain's bins / 2.
 */
function binIndex(edges: readonly number[], lo: number, hi: number): string {
  if (lo >= hi) return String(lo);
  const mid = Math.floor((lo + hi) / 2);
  return `CASE WHEN v <= ${num(edges[mid]!)} THEN ${binIndex(edges, lo, mid)} ELSE ${binIndex(edges, mid + 1, hi)} END`;
}

/** Σ n·(v − lo)/range over research's rows, exactly: research's mean, in units of range above lo. */
function meanSum(lo: number, range: number, weighted: boolean): string {
  return exactSum(`v - ${num(lo)}`, range, 's = 0', weighted ? 'n' : undefined);
}

/** Research's exact mean of a (v, s, n) relation (what mergedEcdfSql sums when it is not given a centre). */
export function researchMeanSql(sides: string, lo: number, range: number, weighted = true): string {
  return `SELECT ${meanSum(lo, range, weighted)} AS sum_a_scaled FROM (${sides})`;
}

/** SQL number literal for a JS double (exact round-trip, never exponent-less truncation). */
export function num(x: number): string {
  if (!Number.isFinite(x)) throw new Error(`not a finite number: ${x}`);
  return `CAST('${String(x)}' AS DOUBLE)`;
}
