/** Distinct counts that may be estimates (HyperLogLog): the marker, and the only ways decisions may read them. */
import type { DistinctEstimate } from '../../findings/summaries.js';
import { HLL_REGISTERS, HLL_RELATIVE_ERROR } from '../../stats/hll.js';

export type { DistinctEstimate };

/** The marker every approximate distinct count carries. */
export const DISTINCT_ESTIMATE: DistinctEstimate = { approximate: true, method: 'hyperloglog', registers: HLL_REGISTERS, relativeError: HLL_RELATIVE_ERROR };

/**
 * Whether a column has more than `threshold` distinct values. An estimate answers only when it clears the threshold
 * twice over (30 standard errors); an estimate is made only above APPROX_DISTINCT_MIN, twice every threshold a
 * decision reads, so it always does there.
 */
export function distinctAbove(p: { readonly distinct: number; readonly distinctEstimate?: DistinctEstimate }, threshold: number): boolean {
  return approximateDistinct(p) ? p.distinct > 2 * threshold : p.distinct > threshold;
}

/** Whether either profile's distinct count is an estimate (a comparison of them is then skipped). */
export function approximateDistinct(...profiles: readonly ({ readonly distinctEstimate?: DistinctEstimate } | undefined)[]): boolean {
  return profiles.some((p) => p?.distinctEstimate?.approximate === true);
}
