import type { Engine } from '../../engine/engine.js';
import { toNumber } from '../shared/values.js';

/**
 * Where a numeric column's PSI bins (shared by PSI, Jensen–Shannon, Hellinger, KL and total variation) have
 * their edges: research's quantiles (the default), equal widths over both sides' range, or one bin per
 * distinct value for a column of at most VALUE_BINS_MAX distinct values (others keep the quantiles). Bins are
 * right-closed with open outer bins in every strategy.
 */
export const BIN_STRATEGIES = ['quantile', 'width', 'values'] as const;
export type BinStrategy = (typeof BIN_STRATEGIES)[number];

/** Up to this many distinct values over both sides, the 'values' strategy gives each value its own bin. */
export const VALUE_BINS_MAX = 100;

/** The inner edges of `bins` equal-width bins over [lo, hi] (none for a single value). */
export function widthEdges(lo: number, hi: number, bins: number): number[] {
  if (!(hi > lo)) return [];
  return [...new Set(Array.from({ length: bins - 1 }, (_v, i) => lo + ((hi - lo) * (i + 1)) / bins))].sort((x, y) => x - y);
}

/** The distinct values of a (v, s, n) relation, ascending, at most `limit`. */
export function distinctValuesSql(sides: string, limit: number): string {
  return `SELECT DISTINCT v FROM (${sides}) ORDER BY v LIMIT ${Math.floor(limit)}`;
}

/**
 * Edges putting each distinct value in its own right-closed bin: every value but the largest. Undefined when
 * the column has more than VALUE_BINS_MAX distinct values (`distinct`, from the merged sort).
 */
export async function valueEdges(engine: Engine, sides: string, distinct: number): Promise<number[] | undefined> {
  if (distinct > VALUE_BINS_MAX) return undefined;
  const values = (await engine.all(distinctValuesSql(sides, VALUE_BINS_MAX + 1))).map((r) => toNumber(r.v)!);
  return values.slice(0, -1);
}
