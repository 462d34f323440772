/** Public API of the statistics on aggregates (pure functions; scipy/sklearn-compatible). */

export { ksStatisticFromCounts, ksPValue, ks2SampleFromCounts, KS_MAX_EXACT_N } from './ks.js';
export { kolmogornSf, smirnovSf } from './kolmogorov.js';
export { wassersteinFromCounts, psi, PSI_FLOOR, jensenShannon, linfDistance, normalise } from './divergence.js';
export { linearPosition, ranksFor, numpyLerp, binLevels, linearQuantile, binEdges, type QuantilePosition } from './quantile.js';
export { chiSquareHomogeneity, type ChiSquareResult } from './chisquare.js';
export { chiSquareSf, gammaQ, gammaP, lgamma } from './gamma.js';
export {
  rocAucFromGroups,
  classificationMetrics,
  type ScoreGroup,
  type Confusion,
  type ClassificationMetrics,
} from './classification.js';
export { hellinger, klDivergence, totalVariation } from './binned.js';
export { gTest, cramersV, chiSquareGoodnessOfFit, twoProportionZ, fisherExact, type StatisticResult } from './contingency.js';
export { normalSf, studentTSf, betaIncomplete } from './normal.js';
export {
  rankSumsFromCounts,
  mannWhitney,
  mannWhitneyCdf,
  cramerVonMises,
  cvmExactPValue,
  cvmLimitCdf,
  andersonDarling,
  energyDistance,
  welchT,
  quadraticFit,
  MWU_MAX_EXACT_MN,
  type RankSums,
} from './rank.js';
export { hllEstimate, hllFromRegisters, hllRank, HLL_PRECISION, HLL_REGISTERS, HLL_RELATIVE_ERROR, HLL_STANDARD_ERROR } from './hll.js';
