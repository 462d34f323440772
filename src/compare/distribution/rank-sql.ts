import type { Engine } from '../../engine/engine.js';
import type { RankSums } from '../../stats/index.js';
import { toNumber } from '../shared/values.js';
import type { Aggregate, Moments } from './drift-tests/types.js';
import { exactSum, num } from './sql.js';

/**
 * SQL for the aggregates that only some drift tests need, run only for a column whose chosen test needs them:
 * the rank sums (Mann–Whitney, Cramér–von Mises, Anderson–Darling, energy distance) and each side's moments
 * (Welch's t). Both read the (v, s, n) relation of sidesSql, raw rows or value counts alike.
 */

/**
 * Sums over the distinct values of both sides, with per-side counts a, b, t = a + b, and pa, pb the sides'
 * counts below the value: one GROUP BY v (a hash aggregate), then one sort of the distinct values. The
 * integer sums (ranks, ties, Cramér–von Mises) are exact in HUGEINT; the float ones (Anderson–Darling,
 * ∫(F_a − F_b)²) are summed exactly in units of their largest term, so that the figures are the same bits in
 * any row order (see exactSum).
 */
export function rankSumsSql(sides: string, n1: number, n2: number): string {
  const N = n1 + n2;
  const twoCa = '(2 * pb + t + 1)';
  const twoCb = '(2 * pa + t + 1)';
  const cvm = (k: string, twoC: string) => `${k} * ${twoC} * ${twoC} - 2 * ${twoC} * ${k} * (${k} + 1) + 4 * ((${k} * (${k} + 1) * (2 * ${k} + 1)) // 6)`;
  // One distinct value's Anderson–Darling terms (scipy's _anderson_ksamp_midrank), each sample's over its size.
  const B = `(CAST(pa + pb AS DOUBLE) + CAST(t AS DOUBLE) / 2)`;
  const denom = `(${B} * (${num(N)} - ${B}) - ${num(N)} * CAST(t AS DOUBLE) / 4)`;
  const side = (p: string, k: string, n: number) =>
    `(CAST(t AS DOUBLE) / ${num(N)}) * power(${num(N)} * (CAST(${p} AS DOUBLE) + CAST(${k} AS DOUBLE) / 2) - ${B} * ${num(n)}, 2) / ${denom} / ${num(n)}`;
  return `WITH d AS (
  SELECT v, a, b, a + b AS t, pa, pb,
         ${side('pa', 'a', n1)} + ${side('pb', 'b', n2)} AS ad,
         CASE WHEN vnext IS NULL THEN 0 ELSE power(CAST(pa + a AS DOUBLE) / ${num(n1)} - CAST(pb + b AS DOUBLE) / ${num(n2)}, 2) * (vnext - v) END AS e2
  FROM (SELECT v, a, b, sum(a) OVER w - a AS pa, sum(b) OVER w - b AS pb, lead(v) OVER w AS vnext
        FROM (SELECT v, CAST(coalesce(sum(n) FILTER (WHERE s = 0), 0) AS HUGEINT) AS a, CAST(coalesce(sum(n) FILTER (WHERE s = 1), 0) AS HUGEINT) AS b
              FROM (${sides}) GROUP BY v)
        WINDOW w AS (ORDER BY v ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW))
), m AS (SELECT CASE WHEN max(ad) > 0 THEN max(ad) ELSE 1 END AS ad_max, CASE WHEN max(e2) > 0 THEN max(e2) ELSE 1 END AS e2_max FROM d)
SELECT count(*) AS distinct_values,
       CAST(sum(a * (2 * (pa + pb) + t + 1)) AS DOUBLE) AS rank_sum_twice,
       CAST(sum(t * t * t - t) AS DOUBLE) AS tie_term,
       CAST(sum(${cvm('a', twoCa)}) AS DOUBLE) AS cvm_a4,
       CAST(sum(${cvm('b', twoCb)}) AS DOUBLE) AS cvm_b4,
       ${scaledSum('ad', 'ad_max')} * any_value(ad_max) AS ad_sum,
       ${scaledSum('e2', 'e2_max')} * any_value(e2_max) AS ecdf_squared
FROM d, m`;
}

/** exactSum's order-independent sum of non-negative terms, in units of a column `scale` ≥ every term. */
function scaledSum(term: string, scale: string): string {
  const x = `(${term} / ${scale} * 1e12)`;
  return `(CAST(sum(CAST(floor(${x}) AS BIGINT)) AS DOUBLE) / 1e12 + CAST(sum(CAST(round((${x} - floor(${x})) * 1e12) AS BIGINT)) AS DOUBLE) / 1e24)`;
}

/** The rank sums of a (v, s, n) relation with n1, n2 finite values per side. */
export async function rankSums(engine: Engine, sides: string, n1: number, n2: number): Promise<RankSums> {
  const r = await engine.one(rankSumsSql(sides, n1, n2));
  const x = (k: string) => toNumber(r[k]) ?? 0;
  return {
    n1,
    n2,
    distinct: x('distinct_values'),
    rankSumTwice: x('rank_sum_twice'),
    tieTerm: x('tie_term'),
    cvmA4: x('cvm_a4'),
    cvmB4: x('cvm_b4'),
    adSum: x('ad_sum'),
    ecdfSquared: x('ecdf_squared'),
  };
}

/** Each side's Σ (v − lo), exactly, in units of the range: the means' pass. */
export function sideSumsSql(sides: string, lo: number, range: number, weighted: boolean): string {
  const w = weighted ? 'n' : undefined;
  return `SELECT ${exactSum(`v - ${num(lo)}`, range, 's = 0', w)} AS sum_a, ${exactSum(`v - ${num(lo)}`, range, 's = 1', w)} AS sum_b FROM (${sides})`;
}

/** Each side's Σ (v − mean)², exactly, in units of range²: the variances' pass. */
export function sideSquaresSql(sides: string, meanA: number, meanB: number, range: number, weighted: boolean): string {
  const w = weighted ? 'n' : undefined;
  const sq = (m: number) => `((v - ${num(m)}) / ${num(range)}) * (v - ${num(m)})`;
  return `SELECT ${exactSum(sq(meanA), range, 's = 0', w)} AS ss_a, ${exactSum(sq(meanB), range, 's = 1', w)} AS ss_b FROM (${sides})`;
}

/** Each side's mean and sample variance (ddof 1): two passes, as numpy's two-pass variance. */
export async function sideMoments(engine: Engine, sides: string, n1: number, n2: number, lo: number, hi: number, weighted: boolean): Promise<Moments> {
  const range = hi > lo ? hi - lo : 1;
  const s = await engine.one(sideSumsSql(sides, lo, range, weighted));
  const mean1 = lo + (range * (toNumber(s.sum_a) ?? 0)) / n1;
  const mean2 = lo + (range * (toNumber(s.sum_b) ?? 0)) / n2;
  const q = await engine.one(sideSquaresSql(sides, mean1, mean2, range, weighted));
  const var1 = n1 > 1 ? ((toNumber(q.ss_a) ?? 0) * range * range) / (n1 - 1) : Number.NaN;
  const var2 = n2 > 1 ? ((toNumber(q.ss_b) ?? 0) * range * range) / (n2 - 1) : Number.NaN;
  return { n1, mean1, var1, n2, mean2, var2 };
}

/** The extra aggregate a column's chosen test needs, from the same (v, s, n) relation the merged sort read. */
export async function extraAggregates(
  engine: Engine,
  need: Aggregate | undefined,
  sides: string,
  m: { n1: number; n2: number; lo: number; hi: number },
  weighted: boolean,
): Promise<{ ranks?: RankSums; moments?: Moments }> {
  if (need === 'ranks') return { ranks: await rankSums(engine, sides, m.n1, m.n2) };
  if (need === 'moments') return { moments: await sideMoments(engine, sides, m.n1, m.n2, m.lo, m.hi, weighted) };
  return {};
}
