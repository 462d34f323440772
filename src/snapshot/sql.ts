/**
 * SQL of the snapshot: research-side aggregates when writing, production-side ECDF tables when comparing.
 * Pure functions of names and numbers; identifiers go through `ident`, numbers through `num`.
 */
import type { Row } from '../engine/engine.js';
import { ident } from '../engine/quote.js';
import { num } from '../compare/distribution/sql.js';

/** A column read as the drift tests read it: DOUBLE, dates and timestamps as epoch seconds (as finiteValuesSql). */
export function valueExpr(column: string, temporal: boolean): string {
  return temporal ? `CAST(epoch_us(CAST(${ident(column)} AS TIMESTAMP)) AS DOUBLE) / 1e6` : `CAST(${ident(column)} AS DOUBLE)`;
}

/** Finite count, mean and population variance of one column, aliased `s<i>_<stat>`. */
export function momentAggregates(x: string, i: number): string[] {
  const f = `FILTER (WHERE isfinite(${x}))`;
  return [`count(${x}) ${f} AS s${i}_n`, `avg(${x}) ${f} AS s${i}_mean`, `var_pop(${x}) ${f} AS s${i}_var`];
}

/**
 * The order statistics at the given 0-based ranks of several columns, in ONE scan: the columns are unnested into
 * (c, v) pairs and sorted per column once, instead of one selection per quantile level (which DuckDB's
 * quantile_cont does for a list of levels, slow for a thousand of them).
 */
export function orderStatisticsSql(relation: string, exprs: readonly string[], ranks: readonly (readonly number[])[]): string {
  const need = exprs.map((_x, c) => `(${c}, [${ranks[c]!.join(', ')}])`).join(', ');
  return `WITH u AS (SELECT unnest([${exprs.map((_x, c) => c).join(', ')}]) AS c, unnest([${exprs.join(', ')}]) AS v FROM ${relation}),
r AS (SELECT c, v, row_number() OVER (PARTITION BY c ORDER BY v) - 1 AS rk, count(*) OVER (PARTITION BY c) AS n FROM u WHERE isfinite(v)),
need AS (SELECT c, unnest(ranks) AS rk FROM (VALUES ${need}) t(c, ranks))
SELECT r.c, r.rk, r.v, r.n FROM r SEMI JOIN need ON r.c = need.c AND r.rk = need.rk ORDER BY r.c, r.rk`;
}

/**
 * Counts of the finite values of `x` in right-closed bins between sorted `edges`, outer bins open-ended (as
 * binsSql): one histogram of the bin index per column, read back with `binCounts`.
 */
export function binAggregates(x: string, i: number, edges: readonly number[]): string[] {
  const index = edges.length ? `CASE ${edges.map((e, b) => `WHEN ${x} <= ${num(e)} THEN ${b}`).join(' ')} ELSE ${edges.length} END` : '0';
  return [`histogram(${index}) FILTER (WHERE isfinite(${x})) AS b${i}`];
}

/** The per-bin counts of a `binAggregates` result (edges.length + 1 entries). */
export function binCounts(row: Row, i: number, edges: readonly number[]): number[] {
  const counts = new Array<number>(edges.length + 1).fill(0);
  for (const e of (row[`b${i}`] as { key: unknown; value: unknown }[] | null) ?? []) counts[Number(e.key)] = Number(e.value);
  return counts;
}

/** Every distinct finite value with its count (only asked for columns known to have few). */
export function exactValuesAggregate(x: string, i: number): string {
  return `histogram(${x}) FILTER (WHERE isfinite(${x})) AS v${i}_values`;
}

/** Every distinct non-null value as text with its count, as categoryCounts compares categories. */
export function textValuesAggregate(column: string, i: number): string {
  return `histogram(CAST(${ident(column)} AS VARCHAR)) FILTER (WHERE ${ident(column)} IS NOT NULL) AS v${i}_text`;
}

/** A VALUES list of (v DOUBLE, n BIGINT) rows; an empty list gives an empty relation. */
export function countsRelation(rows: readonly (readonly [number, number])[]): string {
  if (rows.length === 0) return 'SELECT CAST(NULL AS DOUBLE) AS v, CAST(0 AS BIGINT) AS n WHERE false';
  return `SELECT CAST(v AS DOUBLE) AS v, CAST(n AS BIGINT) AS n FROM (VALUES ${rows.map(([v, n]) => `(${num(v)}, ${Math.round(n)})`).join(', ')}) t(v, n)`;
}

/** Sketch knots (value, lowest level, highest level): tied quantiles collapse into one knot with a vertical step. */
export interface Knot {
  readonly v: number;
  readonly pmin: number;
  readonly pmax: number;
}

/**
 * KS and Wasserstein-1 of production's exact ECDF F_b against research's sketch F̂_a, the CDF that is linear
 * between the quantile knots (0 below the minimum, 1 from the maximum). On the merged points F_b is a right-
 * continuous step and F̂_a linear between points, so sup |F̂_a − F_b| is reached at a point or its left limit,
 * and ∫ |F̂_a − F_b| is a sum of exact integrals of |linear − constant| per gap.
 */
export function sketchStatsSql(knots: readonly Knot[], productionValues: string): string {
  const k = knots.length
    ? `SELECT CAST(v AS DOUBLE) AS v, CAST(pmin AS DOUBLE) AS pmin, CAST(pmax AS DOUBLE) AS pmax FROM (VALUES ${knots.map((x) => `(${num(x.v)}, ${num(x.pmin)}, ${num(x.pmax)})`).join(', ')}) t(v, pmin, pmax)`
    : 'SELECT CAST(NULL AS DOUBLE) AS v, CAST(NULL AS DOUBLE) AS pmin, CAST(NULL AS DOUBLE) AS pmax WHERE false';
  return `WITH cb AS (SELECT v, count(*) AS nb FROM (${productionValues}) GROUP BY v),
k AS (${k}),
t AS (SELECT sum(nb) AS n2 FROM cb),
m AS (SELECT coalesce(cb.v, k.v) AS v, coalesce(cb.nb, 0) AS nb, k.pmin, k.pmax FROM cb FULL OUTER JOIN k ON cb.v = k.v),
w AS (
  SELECT v, nb, pmin, pmax,
         sum(nb) OVER up AS cumb,
         last_value(CASE WHEN pmax IS NOT NULL THEN v END IGNORE NULLS) OVER up AS v_prev,
         last_value(pmax IGNORE NULLS) OVER up AS p_prev,
         first_value(CASE WHEN pmin IS NOT NULL THEN v END IGNORE NULLS) OVER down AS v_next,
         first_value(pmin IGNORE NULLS) OVER down AS p_next
  FROM m
  WINDOW up AS (ORDER BY v ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW),
         down AS (ORDER BY v ROWS BETWEEN CURRENT ROW AND UNBOUNDED FOLLOWING)
),
f AS (
  SELECT v,
         CAST(cumb AS DOUBLE) / t.n2 AS fb,
         CAST(cumb - nb AS DOUBLE) / t.n2 AS fb_left,
         CASE WHEN pmax IS NOT NULL THEN pmax WHEN v_prev IS NULL THEN 0 WHEN v_next IS NULL THEN 1
              ELSE p_prev + (p_next - p_prev) * (v - v_prev) / (v_next - v_prev) END AS fa,
         CASE WHEN pmin IS NOT NULL THEN pmin WHEN v_prev IS NULL THEN 0 WHEN v_next IS NULL THEN 1
              ELSE p_prev + (p_next - p_prev) * (v - v_prev) / (v_next - v_prev) END AS fa_left
  FROM w, t
),
g AS (
  SELECT v, fb, fb_left, fa, fa_left, lead(v) OVER o AS v2, lead(fa_left) OVER o AS fa2 FROM f WINDOW o AS (ORDER BY v)
)
SELECT (SELECT n2 FROM t) AS n2,
       max(greatest(abs(fa - fb), abs(fa_left - fb_left))) AS d,
       fsum(CASE
              WHEN v2 IS NULL THEN 0
              WHEN (fa - fb) * (fa2 - fb) >= 0 THEN (v2 - v) * abs((fa + fa2) / 2 - fb)
              ELSE (v2 - v) * ((fa - fb) * (fa - fb) + (fa2 - fb) * (fa2 - fb)) / (2 * abs(fa2 - fa))
            END) AS w
FROM g`;
}

/** Production counts in the stored bins, finite values only. */
export function productionBinsSql(productionValues: string, edges: readonly number[]): string {
  return `SELECT ${binAggregates('v', 0, edges).join(', ')} FROM (${productionValues})`;
}
