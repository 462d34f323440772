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
