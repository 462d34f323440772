/** Tests on the 2×k table of a column's category counts on two sides (research, production). */

import { chiSquareHomogeneity } from './chisquare.js';
import { chiSquareSf } from './gamma.js';
import { normalSf } from './normal.js';
import { checkPair } from './validate.js';

export interface StatisticResult {
  readonly statistic: number;
  readonly pvalue: number;
  readonly dof: number;
}

/** The categories holding a count on either side (scipy rejects zero expected counts). */
function keptCategories(a: readonly number[], b: readonly number[]): number[] {
  const kept: number[] = [];
  for (let i = 0; i < a.length; i++) if (a[i]! + b[i]! > 0) kept.push(i);
  return kept;
}

/**
 * G-test of homogeneity on the 2×k table = `scipy.stats.chi2_contingency(table, correction=False,
 * lambda_="log-likelihood")` (power_divergence's log-likelihood statistic 2·Σ O·ln(O/E)), categories empty on
 * both sides dropped; one category or an empty side gives {0, 1, 0}.
 */
export function gTest(countsA: readonly number[], countsB: readonly number[]): StatisticResult {
  const [nA, nB] = checkPair(countsA, countsB, 'gTest');
  const kept = keptCategories(countsA, countsB);
  const dof = kept.length - 1;
  if (nA === 0 || nB === 0 || dof <= 0) return { statistic: 0, pvalue: 1, dof: 0 };
  const total = nA + nB;
  let sum = 0;
  for (const i of kept) {
    const col = countsA[i]! + countsB[i]!;
    for (const [o, row] of [
      [countsA[i]!, nA],
      [countsB[i]!, nB],
    ] as const) {
      if (o > 0) sum += o * Math.log(o / ((row * col) / total));
    }
  }
  const statistic = Math.max(0, 2 * sum);
  return { statistic, pvalue: chiSquareSf(statistic, dof), dof };
}

/**
 * Cramér's V of the 2×k table = `scipy.stats.contingency.association(table, method="cramer")`: √(χ² / N) (the
 * smaller side of a 2×k table has one degree of freedom), categories empty on both sides dropped; 0 with one category.
 */
export function cramersV(countsA: readonly number[], countsB: readonly number[]): number {
  const chi = chiSquareHomogeneity(countsA, countsB);
  if (chi.dof === 0) return 0;
  const total = countsA.reduce((x, y) => x + y, 0) + countsB.reduce((x, y) => x + y, 0);
  return Math.sqrt(chi.statistic / total);
}

/**
 * Chi-square goodness of fit of production's counts against research's proportions = `scipy.stats.chisquare(
 * f_obs=production, f_exp=research / n_research · n_production)`, categories empty on both sides dropped. A
 * category production holds and research never did has an expected count of 0: the statistic is infinite
 * (reported as null) and p = 0.
 */
export function chiSquareGoodnessOfFit(research: readonly number[], production: readonly number[]): { statistic: number | null; pvalue: number; dof: number } {
  const [nA, nB] = checkPair(research, production, 'chiSquareGoodnessOfFit');
  const kept = keptCategories(research, production);
  const dof = kept.length - 1;
  if (nA === 0 || nB === 0 || dof <= 0) return { statistic: 0, pvalue: 1, dof: 0 };
  let statistic = 0;
  for (const i of kept) {
    const expected = (research[i]! / nA) * nB;
    if (expected === 0) return { statistic: null, pvalue: 0, dof };
    statistic += (production[i]! - expected) ** 2 / expected;
  }
  return { statistic, pvalue: chiSquareSf(statistic, dof), dof };
}

/**
 * Two-proportion z-test of a binary column: the share of the first category on each side, pooled standard
 * error, two-sided p = 2·norm.sf(|z|) (z² is the uncorrected 2×2 chi-square). z > 0 when research holds the
 * larger share; a column constant over both sides gives z = 0, p = 1.
 */
export function twoProportionZ(x1: number, n1: number, x2: number, n2: number): { statistic: number; pvalue: number } {
  if (!(n1 > 0 && n2 > 0)) throw new RangeError('twoProportionZ: both samples must be non-empty');
  const p1 = x1 / n1;
  const p2 = x2 / n2;
  const pooled = (x1 + x2) / (n1 + n2);
  const se = Math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2));
  if (!(se > 0)) return { statistic: 0, pvalue: 1 };
  const z = (p1 - p2) / se;
  return { statistic: z, pvalue: Math.min(1, 2 * normalSf(Math.abs(z))) };
}

/**
 * Fisher's exact test of the 2×2 table [[a, b], [c, d]] (rows: research, production; columns: the two
 * categories) = `scipy.stats.fisher_exact(table)` two-sided: the sample odds ratio a·d / (b·c) (null when
 * infinite or undefined) and the summed probability of the tables no more likely than the observed one
 * (scipy's relative tolerance 1e-14 included). Hypergeometric probabilities are taken relative to the mode,
 * by their ratios, so no factorial is formed.
 */
export function fisherExact(a: number, b: number, c: number, d: number): { oddsRatio: number | null; pvalue: number } {
  for (const x of [a, b, c, d]) if (!(Number.isInteger(x) && x >= 0)) throw new RangeError(`fisherExact: counts must be integers >= 0, got ${x}`);
  const rows = [a + b, c + d];
  const cols = [a + c, b + d];
  if (rows.includes(0) || cols.includes(0)) return { oddsRatio: null, pvalue: 1 };
  const oddsRatio = c > 0 && b > 0 ? (a * d) / (c * b) : null;
  const n1 = rows[0]!;
  const total = n1 + rows[1]!;
  const n = cols[0]!;
  const lo = Math.max(0, n - rows[1]!);
  const hi = Math.min(n, n1);
  const mode = Math.floor(((n + 1) * (n1 + 1)) / (total + 2));
  // w(x) = pmf(x) / pmf(mode), walked outward from the mode; tails below 1e-320 of the mode add nothing.
  const up = (x: number) => ((n1 - x) * (n - x)) / ((x + 1) * (total - n1 - n + x + 1));
  const weights = (visit: (x: number, w: number) => void) => {
    visit(mode, 1);
    let w = 1;
    for (let x = mode; x < hi && w > 1e-320; x++) {
      w *= up(x);
      visit(x + 1, w);
    }
    w = 1;
    for (let x = mode; x > lo && w > 1e-320; x--) {
      w /= up(x - 1);
      visit(x - 1, w);
    }
  };
  let sum = 0;
  let observed = 0;
  weights((x, w) => {
    sum += w;
    if (x === a) observed = w;
  });
  if (Math.abs(observed - 1) / Math.max(observed, 1) <= 1e-14) return { oddsRatio, pvalue: 1 };
  const bound = observed * (1 + 1e-14);
  let tail = 0;
  weights((_x, w) => {
    if (w <= bound) tail += w;
  });
  return { oddsRatio, pvalue: Math.min(1, tail / sum) };
}
