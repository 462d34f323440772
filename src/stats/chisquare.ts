/** Chi-square test of homogeneity for one categorical column on two sides. */

import { chiSquareSf } from './gamma.js';
import { checkPair } from './validate.js';

export interface ChiSquareResult {
  readonly statistic: number;
  readonly pvalue: number;
  readonly dof: number;
}

/**
 * Pearson chi-square on the 2×k table [countsA, countsB] = `scipy.stats.chi2_contingency(table,
 * correction=False)`, after dropping categories empty on both sides (scipy rejects zero expected
 * counts); one category or an empty side gives {statistic: 0, pvalue: 1, dof: 0}.
 */
export function chiSquareHomogeneity(countsA: readonly number[], countsB: readonly number[]): ChiSquareResult {
  const [nA, nB] = checkPair(countsA, countsB, 'chiSquareHomogeneity');
  const kept: number[] = [];
  for (let i = 0; i < countsA.length; i++) if (countsA[i]! + countsB[i]! > 0) kept.push(i);
  const dof = kept.length - 1;
  if (nA === 0 || nB === 0 || dof <= 0) return { statistic: 0, pvalue: 1, dof: 0 };
  const total = nA + nB;
  let statistic = 0;
  for (const i of kept) {
    const colTotal = countsA[i]! + countsB[i]!;
    // Same operation order as scipy's expected_freq: row_sum * col_sum / total.
    const expA = (nA * colTotal) / total;
    const expB = (nB * colTotal) / total;
    statistic += (countsA[i]! - expA) ** 2 / expA + (countsB[i]! - expB) ** 2 / expB;
  }
  return { statistic, pvalue: chiSquareSf(statistic, dof), dof };
}
