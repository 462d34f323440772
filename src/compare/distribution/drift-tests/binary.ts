import type { DriftAggregates } from './types.js';

/**
 * A binary column's 2×2 table [research first, research second, production first, production second] over its
 * two categories (in value order), or undefined when the column holds other than two categories over both sides.
 */
export function twoCategories(g: DriftAggregates): [number, number, number, number] | undefined {
  const kept: number[] = [];
  for (let i = 0; i < g.counts.a.length; i++) if (g.counts.a[i]! + g.counts.b[i]! > 0) kept.push(i);
  if (kept.length !== 2) return undefined;
  const [i, j] = kept as [number, number];
  return [g.counts.a[i]!, g.counts.a[j]!, g.counts.b[i]!, g.counts.b[j]!];
}
