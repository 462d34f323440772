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

/** Merged ECDF table: distinct value, per-side counts and cumulative counts, in value order. */
export function ecdfTableSql(table: string, researchValues: string, productionValues: string): string {
  return ecdfFromCountsSql(table, valueCountsSql(researchValues), valueCountsSql(productionValues));
}

/** (v, n): how often each value occurs in a relation of values. */
export function valueCountsSql(values: string): string {
  return `SELECT v, count(*) AS n FROM (${values}) GROUP BY v`;
}

/** The merged ECDF table from per-side (v, n) count relations (raw values, or counts stored in a snapshot). */
export function ecdfFromCountsSql(table: string, researchCounts: string, productionCounts: string): string {
  return `CREATE TEMP TABLE ${table} AS
WITH ca AS (${researchCounts}),
     cb AS (${productionCounts}),
     m AS (SELECT coalesce(ca.v, cb.v) AS v, coalesce(ca.n, 0) AS na, coalesce(cb.n, 0) AS nb FROM ca FULL OUTER JOIN cb ON ca.v = cb.v)
SELECT v, na, nb,
       sum(na) OVER w AS cuma,
       sum(nb) OVER w AS cumb,
       lead(v) OVER w AS vnext
FROM m WINDOW w AS (ORDER BY v ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)`;
}

/**
 * KS statistic D = max |F_a − F_b| and Wasserstein-1 = ∫ |F_a − F_b| dv over the merged ECDF, with the
 * sizes and research's population moments (for the normalised Wasserstein distance).
 */
export function ecdfStatsSql(table: string): string {
  return `WITH t AS (SELECT sum(na) AS n1, sum(nb) AS n2 FROM ${table}),
     s AS (SELECT e.*, CAST(cuma AS DOUBLE) / t.n1 AS fa, CAST(cumb AS DOUBLE) / t.n2 AS fb FROM ${table} e, t),
     mean AS (SELECT fsum(na * v) / (SELECT n1 FROM t) AS mu FROM ${table})
SELECT (SELECT n1 FROM t) AS n1, (SELECT n2 FROM t) AS n2,
       max(abs(fa - fb)) AS d,
       fsum(abs(fa - fb) * (vnext - v)) FILTER (WHERE vnext IS NOT NULL) AS w,
       (SELECT mu FROM mean) AS mean_a,
       (SELECT fsum(na * (v - mu) * (v - mu)) / (SELECT n1 FROM t) FROM ${table}, mean) AS var_a,
       min(v) AS lo, max(v) AS hi,
       count(*) AS distinct_values
FROM s`;
}

/**
 * Research's quantiles at `levels`, numpy's default linear interpolation, read off the cumulative counts:
 * the values at 0-based ranks floor(h) and floor(h)+1 with h = (n−1)·q.
 */
export function ecdfQuantilesSql(table: string, n: number, levels: readonly number[]): string {
  const parts = levels.map((q, i) => {
    const h = (n - 1) * q;
    const lo = Math.floor(h);
    const hi = Math.min(lo + 1, n - 1);
    return `min(v) FILTER (WHERE cuma > ${lo}) AS lo${i}, min(v) FILTER (WHERE cuma > ${hi}) AS hi${i}`;
  });
  return `SELECT ${parts.join(', ')} FROM ${table} WHERE na > 0`;
}

/** Per-side counts in right-closed bins between the edges, the outer bins open-ended. */
export function binCountsSql(table: string, edges: readonly number[]): string {
  const bins: string[] = [];
  for (let i = 0; i <= edges.length; i++) {
    const lower = i === 0 ? 'true' : `v > ${num(edges[i - 1]!)}`;
    const upper = i === edges.length ? 'true' : `v <= ${num(edges[i]!)}`;
    bins.push(`sum(na) FILTER (WHERE ${lower} AND ${upper}) AS a${i}`, `sum(nb) FILTER (WHERE ${lower} AND ${upper}) AS b${i}`);
  }
  return `SELECT ${bins.join(', ')} FROM ${table}`;
}

/** An equal-width histogram of both sides between lo and hi, for charts. */
export function histogramSql(table: string, lo: number, hi: number, bins: number): string {
  const width = (hi - lo) / bins;
  if (!(width > 0)) return `SELECT 0 AS bin, sum(na) AS a, sum(nb) AS b FROM ${table}`;
  return `SELECT least(${bins - 1}, CAST(floor((v - ${num(lo)}) / ${num(width)}) AS INTEGER)) AS bin, sum(na) AS a, sum(nb) AS b FROM ${table} GROUP BY 1 ORDER BY 1`;
}

/** SQL number literal for a JS double (exact round-trip, never exponent-less truncation). */
export function num(x: number): string {
  if (!Number.isFinite(x)) throw new Error(`not a finite number: ${x}`);
  return `CAST('${String(x)}' AS DOUBLE)`;
}
