/**
 * numpy's 'linear' quantile method (np.quantile's default, DuckDB's quantile_cont) from order statistics:
 * the quantile q of n sorted values lies between the values at 0-based ranks floor(h) and floor(h) + 1,
 * h = (n − 1)·q. Callers read those order statistics in SQL and interpolate here.
 */
export interface QuantilePosition {
  readonly lo: number;
  readonly hi: number;
  readonly t: number;
}

export function linearPosition(n: number, q: number): QuantilePosition {
  const h = (n - 1) * q;
  const lo = Math.floor(h);
  return { lo, hi: Math.min(lo + 1, n - 1), t: h - lo };
}

/** The distinct 0-based ranks the quantiles at `levels` need, ascending (none for an empty sample). */
export function ranksFor(n: number, levels: readonly number[]): number[] {
  if (n <= 0) return [];
  return [
    ...new Set(
      levels.flatMap((q) => {
        const p = linearPosition(n, q);
        return [p.lo, p.hi];
      }),
    ),
  ].sort((a, b) => a - b);
}

/** numpy's _lerp: exact at both ends, and symmetric about t = 0.5 (what np.quantile returns bit for bit). */
export function numpyLerp(a: number, b: number, t: number): number {
  const diff = b - a;
  return t >= 0.5 ? b - diff * (1 - t) : a + diff * t;
}

/** PSI bin levels 1/bins … (bins−1)/bins: deciles for 10 bins. */
export function binLevels(bins: number): number[] {
  return Array.from({ length: bins - 1 }, (_v, i) => (i + 1) / bins);
}

/**
 * The quantile interpolated as a + t·(b − a), as the PSI edges and the snapshot's quantile sketch have it
 * (file and snapshot paths share it so their bins agree; it can differ from numpyLerp in the last bit).
 */
export function linearQuantile(at: (rank: number) => number, n: number, q: number): number {
  const p = linearPosition(n, q);
  const a = at(p.lo);
  return a + p.t * (at(p.hi) - a);
}

/** PSI bin edges: research's quantiles at binLevels, duplicates removed, ascending. */
export function binEdges(at: (rank: number) => number, n: number, bins: number): number[] {
  return [...new Set(binLevels(bins).map((q) => linearQuantile(at, n, q)))].sort((x, y) => x - y);
}
