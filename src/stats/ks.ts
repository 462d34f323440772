/**
 * Two-sample Kolmogorov–Smirnov test on aggregated counts, matching
 * `scipy.stats.ks_2samp(a, b, alternative='two-sided', method='auto')` (scipy 1.10).
 */

import { kolmogornSf } from './kolmogorov.js';
import { checkCounts } from './validate.js';

/** scipy's MAX_AUTO_N: 'auto' is exact when both samples have at most this many values. */
export const KS_MAX_EXACT_N = 10000;

/** KS statistic D = sup |F_A − F_B| from sorted distinct values and per-side counts (= `ks_2samp(...).statistic`). */
export function ksStatisticFromCounts(values: readonly number[], countsA: readonly number[], countsB: readonly number[]): number {
  const [nA, nB] = checkCounts(values, countsA, countsB);
  // Same float operations as scipy (cumulative count / n, then subtract) so D is bit-identical.
  let cumA = 0;
  let cumB = 0;
  let maxS = 0;
  let minS = 0;
  for (let i = 0; i < countsA.length; i++) {
    cumA += countsA[i]!;
    cumB += countsB[i]!;
    const diff = cumA / nA - cumB / nB;
    if (diff > maxS) maxS = diff;
    if (-diff > minS) minS = -diff;
  }
  return Math.max(minS, maxS);
}

/** numpy's round-half-to-even. */
function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

function gcd(a: number, b: number): number {
  while (b) [a, b] = [b, a % b];
  return a;
}

/** Pr(D_{n,n} >= h/n): alternating binomial sum in Horner form (scipy `_compute_prob_outside_square`). */
function probOutsideSquare(n: number, h: number): number {
  let P = 0;
  let k = Math.floor(n / h);
  while (k >= 0) {
    let p1 = 1;
    for (let j = 0; j < h; j++) p1 = ((n - k * h - j) * p1) / (n + k * h + j + 1);
    P = p1 * (1 - P);
    k -= 1;
  }
  return 2 * P;
}

/**
 * Proportion of lattice paths leaving |x/m − y/n| < h/lcm (scipy `_compute_outer_prob_inside_method`,
 * Hodges' inside method with Viehmann's recursion for 1 − p).
 */
function outerProbInside(m0: number, n0: number, g: number, h: number): number {
  let m = m0;
  let n = n0;
  if (m < n) [m, n] = [n, m];
  const mg = m / g;
  const ng = n / g;
  let minj = 0;
  let maxj = Math.min(Math.ceil(h / mg), n + 1);
  let curlen = maxj - minj;
  const lenA = Math.min(2 * maxj + 2, n + 1);
  const A = new Float64Array(lenA).fill(1);
  for (let j = minj; j < maxj; j++) A[j] = 0;
  for (let i = 1; i <= m; i++) {
    const lastminj = minj;
    const lastlen = curlen;
    minj = Math.max(Math.floor((ng * i - h) / mg) + 1, 0);
    minj = Math.min(minj, n);
    maxj = Math.min(Math.ceil((ng * i + h) / mg), n + 1);
    if (maxj <= minj) return 1;
    let val = minj === 0 ? 0 : 1;
    for (let jj = 0; jj < maxj - minj; jj++) {
      const j = jj + minj;
      const prev = A[jj + minj - lastminj];
      if (prev === undefined) return Number.NaN; // scipy would raise; caller falls back to asymptotic
      val = (prev * i + val * j) / (i + j);
      A[jj] = val;
    }
    curlen = maxj - minj;
    if (lastlen > curlen) {
      for (let j = maxj - minj; j < maxj - minj + (lastlen - curlen) && j < lenA; j++) A[j] = 1;
    }
  }
  return A[maxj - minj - 1]!;
}

/**
 * scipy `_attempt_exact_2kssamp` (two-sided): the statistic snapped to the lattice (h/lcm) and its
 * p-value, or null when the exact method fails.
 */
function exactTwoSided(n1: number, n2: number, d: number): { d: number; p: number } | null {
  const g = gcd(n1, n2);
  const lcm = (n1 / g) * n2;
  const h = roundHalfEven(d * lcm);
  const snapped = h / lcm;
  if (h === 0) return { d: snapped, p: 1 };
  const prob = n1 === n2 ? probOutsideSquare(n1, h) : outerProbInside(n1, n2, g, h);
  if (!Number.isFinite(prob) || !(prob >= 0 && prob <= 1)) return null;
  return { d: snapped, p: prob };
}

function ksTest(d: number, n1: number, n2: number): { statistic: number; pvalue: number } {
  if (!(Number.isInteger(n1) && Number.isInteger(n2) && n1 > 0 && n2 > 0)) {
    throw new RangeError(`ksPValue: sample sizes must be positive integers, got ${n1} and ${n2}`);
  }
  if (!(d >= 0 && d <= 1)) throw new RangeError(`ksPValue: statistic must lie in [0, 1], got ${d}`);
  if (Math.max(n1, n2) <= KS_MAX_EXACT_N) {
    const exact = exactTwoSided(n1, n2, d);
    if (exact !== null) return { statistic: exact.d, pvalue: Math.min(1, Math.max(0, exact.p)) };
  }
  const [m, n] = n1 >= n2 ? [n1, n2] : [n2, n1];
  const en = (m * n) / (m + n);
  return { statistic: d, pvalue: Math.min(1, Math.max(0, kolmogornSf(roundHalfEven(en), d))) };
}

/**
 * Two-sided p-value of the two-sample KS test for statistic d and sample sizes n1, n2, exactly as
 * `scipy.stats.ks_2samp(method='auto')`: exact path counting when max(n1, n2) <= 10000, else
 * `kstwo.sf(d, round(n1·n2/(n1+n2)))` (also the fallback if the exact method fails).
 */
export function ksPValue(d: number, n1: number, n2: number): number {
  return ksTest(d, n1, n2).pvalue;
}

/** Both the statistic and p-value from aggregated counts, as `scipy.stats.ks_2samp` on the raw samples. */
export function ks2SampleFromCounts(values: readonly number[], countsA: readonly number[], countsB: readonly number[]): { statistic: number; pvalue: number } {
  const d = ksStatisticFromCounts(values, countsA, countsB);
  const [nA, nB] = checkCounts(values, countsA, countsB);
  // Like scipy, the exact path reports D snapped to the h/lcm(n1, n2) lattice.
  return ksTest(d, nA, nB);
}
