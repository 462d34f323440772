/**
 * Two-sample tests on the merged ranks of both sides (Mann–Whitney U, Cramér–von Mises, Anderson–Darling) and
 * on the merged ECDF (energy distance), from sums over the distinct values with per-side counts: the figures
 * `RankSums` holds, computed in SQL (src/compare/distribution/rank-sql.ts) or from counts (rankSumsFromCounts).
 */

import { normalSf, studentTSf } from './normal.js';
import { checkCounts } from './validate.js';

/** Sums over the distinct values v (sorted), with a_v, b_v the sides' counts, t = a + b, P the count below v. */
export interface RankSums {
  readonly n1: number;
  readonly n2: number;
  /** Number of distinct values over both sides. */
  readonly distinct: number;
  /** 2·R₁: twice research's rank sum with midranks, Σ a·(2P + t + 1) (an integer). */
  readonly rankSumTwice: number;
  /** Σ (t³ − t): the ties' correction term. */
  readonly tieTerm: number;
  /** 4·Σᵢ (rᵢ − i)² over research's sorted values (rᵢ its midrank, i its rank within research), and production's. */
  readonly cvmA4: number;
  readonly cvmB4: number;
  /** Anderson–Darling's Σ_j over distinct values of the two samples' terms, each divided by its sample size (before (N − 1)/N). */
  readonly adSum: number;
  /** ∫ (F_a − F_b)² dv. */
  readonly ecdfSquared: number;
}

/** The same sums from sorted distinct values and per-side counts (the reference for the SQL). */
export function rankSumsFromCounts(values: readonly number[], countsA: readonly number[], countsB: readonly number[]): RankSums {
  const [n1, n2] = checkCounts(values, countsA, countsB);
  const N = n1 + n2;
  let pa = 0;
  let pb = 0;
  let rankSumTwice = 0;
  let tieTerm = 0;
  let cvmA4 = 0;
  let cvmB4 = 0;
  let adSum = 0;
  let ecdfSquared = 0;
  for (let j = 0; j < values.length; j++) {
    const a = countsA[j]!;
    const b = countsB[j]!;
    const t = a + b;
    const p = pa + pb;
    rankSumTwice += a * (2 * p + t + 1);
    tieTerm += t ** 3 - t;
    cvmA4 += squaredOffsets4(a, 2 * pb + t + 1);
    cvmB4 += squaredOffsets4(b, 2 * pa + t + 1);
    adSum += adTerm(a, b, pa, pb, n1, n2, N);
    pa += a;
    pb += b;
    if (j + 1 < values.length) ecdfSquared += (pa / n1 - pb / n2) ** 2 * (values[j + 1]! - values[j]!);
  }
  return { n1, n2, distinct: values.length, rankSumTwice, tieTerm, cvmA4, cvmB4, adSum, ecdfSquared };
}

/** 4·Σ_{k=1..a} (c − k)² for c = twoC / 2: a·(2c)² − 2·(2c)·a(a+1) + 4·a(a+1)(2a+1)/6, an integer. */
export function squaredOffsets4(a: number, twoC: number): number {
  return a * twoC * twoC - 2 * twoC * a * (a + 1) + (4 * (a * (a + 1) * (2 * a + 1))) / 6;
}

/**
 * One distinct value's Anderson–Darling terms (scipy's `_anderson_ksamp_midrank`), each sample's divided by
 * its size: l/N · (N·M − B·n)² / (B·(N − B) − N·l/4), with l = a + b, B = P + l/2, M = the sample's count below plus half its own.
 */
export function adTerm(a: number, b: number, pa: number, pb: number, n1: number, n2: number, N: number): number {
  const l = a + b;
  const B = pa + pb + l / 2;
  const denom = B * (N - B) - (N * l) / 4;
  const ma = pa + a / 2;
  const mb = pb + b / 2;
  return ((l / N) * (N * ma - B * n1) ** 2) / denom / n1 + ((l / N) * (N * mb - B * n2) ** 2) / denom / n2;
}

/** Energy distance = `scipy.stats.energy_distance(a, b)` = √2 · √∫ (F_a − F_b)². */
export function energyDistance(ecdfSquared: number): number {
  return Math.SQRT2 * Math.sqrt(Math.max(0, ecdfSquared));
}

/** Above this many m·n the exact Mann–Whitney distribution is not tabulated: the normal approximation is used. */
export const MWU_MAX_EXACT_MN = 4_000_000;

/**
 * Mann–Whitney U = `scipy.stats.mannwhitneyu(a, b, alternative="two-sided", use_continuity=True, method="auto")`:
 * the statistic is research's U₁ = R₁ − n₁(n₁+1)/2. 'auto' is exact when a side has at most 8 values and no
 * value is tied (up to MWU_MAX_EXACT_MN), else the normal approximation with tie correction and continuity correction.
 */
export function mannWhitney(s: Pick<RankSums, 'n1' | 'n2' | 'rankSumTwice' | 'tieTerm'>): { statistic: number; pvalue: number; method: 'exact' | 'asymptotic' } {
  const { n1, n2 } = s;
  const u1 = s.rankSumTwice / 2 - (n1 * (n1 + 1)) / 2;
  const u = Math.max(u1, n1 * n2 - u1);
  const exact = !(n1 > 8 && n2 > 8) && s.tieTerm === 0 && n1 * n2 <= MWU_MAX_EXACT_MN;
  if (exact) return { statistic: u1, pvalue: Math.min(1, Math.max(0, 2 * mannWhitneyCdf(n1 * n2 - Math.round(u), n1, n2))), method: 'exact' };
  const n = n1 + n2;
  const sd = Math.sqrt(((n1 * n2) / 12) * (n + 1 - s.tieTerm / (n * (n - 1))));
  const z = (u - (n1 * n2) / 2 - 0.5) / sd;
  return { statistic: u1, pvalue: Math.min(1, Math.max(0, 2 * normalSf(z))), method: 'asymptotic' };
}

/**
 * P(U ≤ k) under the null without ties: the coefficients of the Gaussian binomial [m+n choose m]_q (partitions
 * of k into at most min(m, n) parts no larger than max(m, n)) up to q^k, over C(m+n, m).
 */
export function mannWhitneyCdf(k: number, m0: number, n0: number): number {
  if (k < 0) return 0;
  const m = Math.min(m0, n0);
  const n = Math.max(m0, n0);
  if (k >= m * n) return 1;
  const c = new Float64Array(k + 1);
  c[0] = 1;
  for (let i = 1; i <= m; i++) {
    for (let j = i; j <= k; j++) c[j]! += c[j - i]!;
    for (let j = k; j >= n + i; j--) c[j]! -= c[j - n - i]!;
  }
  let binom = 1;
  for (let i = 1; i <= m; i++) binom = (binom * (n + i)) / i;
  let sum = 0;
  for (let j = 0; j <= k; j++) sum += c[j]! / binom;
  return sum;
}

/**
 * Cramér–von Mises two-sample test = `scipy.stats.cramervonmises_2samp(a, b, method="auto")`: T from
 * U = n₁·Σ(rᵢ − i)² + n₂·Σ(sⱼ − j)² (midranks); 'auto' is exact when both sides have at most 20 values
 * (Xiao, Gordon and Yakovlev's recursion over U), else the limiting distribution of the normalised statistic.
 */
export function cramerVonMises(s: Pick<RankSums, 'n1' | 'n2' | 'cvmA4' | 'cvmB4'>): { statistic: number; pvalue: number; method: 'exact' | 'asymptotic' } {
  const { n1: nx, n2: ny } = s;
  const u = (nx * s.cvmA4) / 4 + (ny * s.cvmB4) / 4;
  const k = nx * ny;
  const N = nx + ny;
  const t = u / (k * N) - (4 * k - 1) / (6 * N);
  if (Math.max(nx, ny) <= 20) return { statistic: t, pvalue: cvmExactPValue(u, nx, ny), method: 'exact' };
  const et = (1 + 1 / N) / 6;
  const vt = ((N + 1) * (4 * k * N - 3 * (nx * nx + ny * ny) - 2 * k)) / (45 * N * N * 4 * k);
  const tn = 1 / 6 + (t - et) / Math.sqrt(45 * vt);
  const pvalue = tn < 0.003 ? 1 : Math.max(0, 1 - cvmLimitCdf(tn));
  return { statistic: t, pvalue, method: 'asymptotic' };
}

function gcd(a: number, b: number): number {
  while (b) [a, b] = [b, a % b];
  return a;
}

/** scipy's `_pval_cvm_2samp_exact`: the frequencies of ζ over all C(m+n, m) arrangements, by the recursion over (u, v). */
export function cvmExactPValue(s: number, m: number, n: number): number {
  const lcm = (m / gcd(m, n)) * n;
  const a = lcm / m;
  const b = lcm / n;
  const mn = m * n;
  const zeta = Math.floor((lcm ** 2 * (m + n) * (6 * s - mn * (4 * mn - 1))) / (6 * mn ** 2));
  let gs: Map<number, number>[] = [new Map([[0, 1]]), ...Array.from({ length: m }, () => new Map<number, number>())];
  for (let u = 0; u <= n; u++) {
    const next: Map<number, number>[] = [];
    let tmp = new Map<number, number>();
    for (let v = 0; v < gs.length; v++) {
      const merged = new Map(tmp);
      for (const [value, freq] of gs[v]!) merged.set(value, (merged.get(value) ?? 0) + freq);
      const add = (a * v - b * u) ** 2;
      tmp = new Map();
      for (const [value, freq] of merged) tmp.set(value + add, freq);
      next.push(tmp);
    }
    gs = next;
  }
  let combinations = 1;
  for (let i = 1; i <= m; i++) combinations = (combinations * (n + i)) / i;
  let hit = 0;
  for (const [value, freq] of gs[m]!) if (value >= zeta) hit += freq;
  return hit / combinations;
}

/** e^{−q}·K_{1/4}(q) by the trapezoid rule on ∫₀^∞ exp(−q(1 + cosh t))·cosh(t/4) dt (exponentially convergent). */
function scaledBesselK14(q: number): number {
  const h = 0.02;
  let sum = 0.5 * Math.exp(-2 * q);
  for (let i = 1; i < 100000; i++) {
    const t = i * h;
    const f = Math.exp(-q * (1 + Math.cosh(t))) * Math.cosh(t / 4);
    sum += f;
    if (f < 1e-18 * sum || f === 0) break;
  }
  return h * sum;
}

function lgammaHalfRatio(k: number): number {
  // ln Γ(k + ½) − ln Γ(k + 1), exactly as a running product (k is small: the series stops early).
  let r = Math.log(Math.sqrt(Math.PI));
  for (let j = 1; j <= k; j++) r += Math.log((j - 0.5) / j);
  return r;
}

/** scipy's `_cdf_cvm_inf`: Csörgő and Faraway's series for the limiting CDF, summed until a term is below 1e-7. */
export function cvmLimitCdf(x: number): number {
  let total = 0;
  for (let k = 0; ; k++) {
    const u = Math.exp(lgammaHalfRatio(k)) / (Math.PI ** 1.5 * Math.sqrt(x));
    const y = 4 * k + 1;
    const q = (y * y) / (16 * x);
    const z = u * Math.sqrt(y) * scaledBesselK14(q);
    total += z;
    if (!(Math.abs(z) >= 1e-7)) break;
  }
  return total;
}

/** Interpolation table of Scholz and Stephens (1987), as scipy's anderson_ksamp holds it. */
const AD_B0 = [0.675, 1.281, 1.645, 1.96, 2.326, 2.573, 3.085];
const AD_B1 = [-0.245, 0.25, 0.678, 1.149, 1.822, 2.364, 3.615];
const AD_B2 = [-0.105, -0.305, -0.362, -0.391, -0.396, -0.345, -0.154];
const AD_SIG = [0.25, 0.1, 0.05, 0.025, 0.01, 0.005, 0.001];

/**
 * Anderson–Darling k-sample test for two samples = `scipy.stats.anderson_ksamp([a, b])` (midrank version):
 * the normalised statistic, and its p-value interpolated (quadratic fit of ln(significance) on the critical
 * values), capped at 0.25 and floored at 0.001 as scipy does.
 */
export function andersonDarling(s: Pick<RankSums, 'n1' | 'n2' | 'adSum' | 'distinct'>): { statistic: number; pvalue: number } {
  const { n1, n2 } = s;
  const N = n1 + n2;
  const k = 2;
  const a2kn = (s.adSum * (N - 1)) / N;
  const H = 1 / n1 + 1 / n2;
  // hs_cs = cumsum(1/(N−1), 1/(N−2), …, 1/2); h = its last + 1; g = Σ hs_cs[j] / (j + 2).
  let cum = 0;
  let g = 0;
  for (let j = 0; j < N - 2; j++) {
    cum += 1 / (N - 1 - j);
    g += cum / (j + 2);
  }
  const h = cum + 1;
  const a = (4 * g - 6) * (k - 1) + (10 - 6 * g) * H;
  const b = (2 * g - 4) * k ** 2 + 8 * h * k + (2 * g - 14 * h - 4) * H - 8 * h + 4 * g - 6;
  const c = (6 * h + 2 * g - 2) * k ** 2 + (4 * h - 4 * g + 6) * k + (2 * h - 6) * H + 4 * h;
  const d = (2 * h + 6) * k ** 2 - 4 * h * k;
  const sigmasq = (a * N ** 3 + b * N ** 2 + c * N + d) / ((N - 1) * (N - 2) * (N - 3));
  const m = k - 1;
  const statistic = (a2kn - m) / Math.sqrt(sigmasq);
  const critical = AD_B0.map((b0, i) => b0 + AD_B1[i]! / Math.sqrt(m) + AD_B2[i]! / m);
  let pvalue: number;
  if (statistic < Math.min(...critical)) pvalue = Math.max(...AD_SIG);
  else if (statistic > Math.max(...critical)) pvalue = Math.min(...AD_SIG);
  else {
    const [c0, c1, c2] = quadraticFit(critical, AD_SIG.map(Math.log));
    pvalue = Math.exp(c0 * statistic * statistic + c1 * statistic + c2);
  }
  return { statistic, pvalue };
}

/** Least-squares quadratic [x², x, 1] coefficients of y on x (`numpy.polyfit(x, y, 2)`), by Householder QR. */
export function quadraticFit(x: readonly number[], y: readonly number[]): [number, number, number] {
  const rows = x.length;
  const A = x.map((v) => [v * v, v, 1]);
  const r = [...y];
  for (let col = 0; col < 3; col++) {
    let norm = 0;
    for (let i = col; i < rows; i++) norm += A[i]![col]! ** 2;
    norm = Math.sqrt(norm);
    const alpha = A[col]![col]! > 0 ? -norm : norm;
    const v = new Array<number>(rows).fill(0);
    for (let i = col; i < rows; i++) v[i] = A[i]![col]!;
    v[col]! -= alpha;
    let vv = 0;
    for (let i = col; i < rows; i++) vv += v[i]! ** 2;
    if (vv === 0) continue;
    for (let j = col; j < 3; j++) {
      let dot = 0;
      for (let i = col; i < rows; i++) dot += v[i]! * A[i]![j]!;
      for (let i = col; i < rows; i++) A[i]![j]! -= (2 * dot * v[i]!) / vv;
    }
    let dot = 0;
    for (let i = col; i < rows; i++) dot += v[i]! * r[i]!;
    for (let i = col; i < rows; i++) r[i]! -= (2 * dot * v[i]!) / vv;
  }
  const coef = [0, 0, 0];
  for (let i = 2; i >= 0; i--) {
    let s = r[i]!;
    for (let j = i + 1; j < 3; j++) s -= A[i]![j]! * coef[j]!;
    coef[i] = s / A[i]![i]!;
  }
  return [coef[0]!, coef[1]!, coef[2]!];
}

/**
 * Welch's t-test = `scipy.stats.ttest_ind(a, b, equal_var=False)` from each side's size, mean and sample
 * variance (ddof 1): t, the Welch–Satterthwaite degrees of freedom, two-sided p. Two constant sides give
 * t = 0, p = 1 when their values are equal, and p = 0 when not.
 */
export function welchT(m1: number, v1: number, n1: number, m2: number, v2: number, n2: number): { statistic: number; pvalue: number; df: number } {
  const vn1 = v1 / n1;
  const vn2 = v2 / n2;
  const se = Math.sqrt(vn1 + vn2);
  if (!(se > 0)) return m1 === m2 ? { statistic: 0, pvalue: 1, df: n1 + n2 - 2 } : { statistic: m1 > m2 ? Number.MAX_VALUE : -Number.MAX_VALUE, pvalue: 0, df: n1 + n2 - 2 };
  const df = (vn1 + vn2) ** 2 / (vn1 ** 2 / (n1 - 1) + vn2 ** 2 / (n2 - 1));
  const statistic = (m1 - m2) / se;
  return { statistic, pvalue: Math.min(1, 2 * studentTSf(Math.abs(statistic), df)), df };
}
