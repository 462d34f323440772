/** Distances between two distributions given as per-bin or per-category counts. */

import { checkCounts, checkPair, totalOf } from './validate.js';

/** Default PSI floor for an empty bin's fraction (the common industry choice). */
export const PSI_FLOOR = 1e-4;

/** Counts → fractions summing to 1 (throws RangeError on an all-zero or invalid vector). */
export function normalise(counts: readonly number[]): number[] {
  const total = totalOf(counts, 'normalise');
  if (total === 0) throw new RangeError('normalise: counts sum to zero');
  return counts.map((c) => c / total);
}

/**
 * Population stability index Σ (a−e)·ln(a/e) over bins, from per-bin counts turned into fractions;
 * an empty bin's fraction is replaced by `floor` (without renormalising) so the log stays finite.
 */
export function psi(expected: readonly number[], actual: readonly number[], floor = PSI_FLOOR): number {
  checkPair(expected, actual, 'psi');
  if (!(floor > 0)) throw new RangeError(`psi: floor must be > 0, got ${floor}`);
  const e = normalise(expected);
  const a = normalise(actual);
  let sum = 0;
  for (let i = 0; i < e.length; i++) {
    const ei = e[i] === 0 ? floor : e[i]!;
    const ai = a[i] === 0 ? floor : a[i]!;
    sum += (ai - ei) * Math.log(ai / ei);
  }
  return sum;
}

/** x·ln(x/y) with scipy.special.rel_entr's conventions for x = 0. */
function relEntr(x: number, y: number): number {
  if (x > 0 && y > 0) return x * Math.log(x / y);
  if (x === 0 && y >= 0) return 0;
  return Number.POSITIVE_INFINITY;
}

/**
 * Jensen–Shannon distance in nats, in [0, √ln 2] = `scipy.spatial.distance.jensenshannon(p, q)` (scipy's default
 * natural log, as the leading drift tool computes it, so that its default threshold 0.1 means the same here).
 */
export function jensenShannon(p: readonly number[], q: readonly number[]): number {
  checkPair(p, q, 'jensenShannon');
  const pn = normalise(p);
  const qn = normalise(q);
  let left = 0;
  let right = 0;
  for (let i = 0; i < pn.length; i++) {
    const m = (pn[i]! + qn[i]!) / 2;
    left += relEntr(pn[i]!, m);
    right += relEntr(qn[i]!, m);
  }
  // Rounding can leave a tiny negative divergence for near-identical inputs; scipy would give NaN.
  return Math.sqrt(Math.max(0, (left + right) / 2));
}

/** L∞ distance max |p_i − q_i| between the two normalised frequency vectors. */
export function linfDistance(p: readonly number[], q: readonly number[]): number {
  checkPair(p, q, 'linfDistance');
  const pn = normalise(p);
  const qn = normalise(q);
  let max = 0;
  for (let i = 0; i < pn.length; i++) max = Math.max(max, Math.abs(pn[i]! - qn[i]!));
  return max;
}

/**
 * Wasserstein-1 distance ∫|F_A − F_B| between the empirical distributions given by sorted distinct
 * values and per-side counts (= `scipy.stats.wasserstein_distance` on the raw samples).
 */
export function wassersteinFromCounts(values: readonly number[], countsA: readonly number[], countsB: readonly number[]): number {
  const [nA, nB] = checkCounts(values, countsA, countsB);
  let cumA = 0;
  let cumB = 0;
  let sum = 0;
  for (let i = 0; i < values.length - 1; i++) {
    cumA += countsA[i]!;
    cumB += countsB[i]!;
    sum += Math.abs(cumA / nA - cumB / nB) * (values[i + 1]! - values[i]!);
  }
  return sum;
}
