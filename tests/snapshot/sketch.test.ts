/**
 * The quantile-sketch approximation of KS and Wasserstein, measured against the exact file-vs-file values.
 *
 * Bound. Research keeps Q_j = quantile(j/(m−1)), numpy linear, j = 0…m−1, and F̂ is the CDF linear between them.
 * Q(p) lies between the order statistics x_(⌊h⌋) and x_(⌈h⌉), h = (n−1)p (0-based), so for Q_j ≤ x < Q_{j+1}:
 * at least ⌊(n−1)p_j⌋+1 values are ≤ x, F(x) > p_j − 1/n; at most ⌈(n−1)p_{j+1}⌉ are, F(x) < p_{j+1} + 1/n.
 * F̂(x) ∈ [p_j, p_{j+1}], hence |F − F̂| < 1/(m−1) + 1/n everywhere (both are 0 below Q_0 and 1 from Q_{m−1}).
 * With production's ECDF exact: |D − D̂| ≤ sup|F − F̂| < 1/(m−1) + 1/n, and
 * |W − Ŵ| ≤ ∫|F − F̂| ≤ (max − min)·(1/(m−1) + 1/n).
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { knotsOf, sketchBounds } from '../../src/snapshot/index.js';
import { bothWays, duck, tempDir } from './helpers.js';

const dir = tempDir();
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// Pseudo-random uniforms from hashes, so the fixtures are the same everywhere.
const U = (salt: number) => `((hash(range * 7919 + ${salt}) % 1000000007) / 1000000007.0)`;
const NORMAL = (salt: number) => `(sqrt(-2 * ln(greatest(${U(salt)}, 1e-12))) * cos(2 * pi() * ${U(salt + 1)}))`;

const CASES: Record<string, [string, string]> = {
  normal: [`${NORMAL(1)}`, `${NORMAL(3)} * 1.1 + 0.05`],
  lognormal: [`exp(${NORMAL(5)})`, `exp(${NORMAL(7)} * 0.9)`],
  // Atoms: a third of the values exactly 0, tied quantiles collapse into one knot with a step.
  atoms: [`CASE WHEN ${U(9)} < 0.33 THEN 0 ELSE ${NORMAL(11)} END`, `CASE WHEN ${U(13)} < 0.25 THEN 0 ELSE ${NORMAL(15)} END`],
  // Many ties on a coarse grid (more distinct values than the cap: sketched).
  coarse: [`round(${NORMAL(17)} * 300)`, `round(${NORMAL(19)} * 300 + 20)`],
  bimodal: [`CASE WHEN ${U(21)} < 0.5 THEN ${NORMAL(23)} - 4 ELSE ${NORMAL(25)} + 4 END`, `CASE WHEN ${U(27)} < 0.6 THEN ${NORMAL(29)} - 4 ELSE ${NORMAL(31)} + 4 END`],
  same: [`${NORMAL(33)}`, `${NORMAL(33)}`],
};

describe('quantile sketch: KS and Wasserstein within the proven bound', () => {
  it('knots collapse tied quantiles into one vertical step', () => {
    expect(knotsOf([0, 0, 0, 1, 2])).toEqual([
      { v: 0, pmin: 0, pmax: 0.5 },
      { v: 1, pmin: 0.75, pmax: 0.75 },
      { v: 2, pmin: 1, pmax: 1 },
    ]);
    expect(sketchBounds(1001, 1000, 0, 10)).toEqual({ ks: 0.002, wasserstein: 0.02 });
  });

  for (const [name, [a, b]] of Object.entries(CASES)) {
    it(`${name}: |D − D̂| < 1/(m−1) + 1/n, |W − Ŵ| ≤ range·(1/(m−1) + 1/n)`, async () => {
      const ra = join(dir, `${name}-a.parquet`);
      const rb = join(dir, `${name}-b.parquet`);
      await duck(`COPY (SELECT ${a} AS v FROM range(20000)) TO '${ra}' (FORMAT parquet)`, `COPY (SELECT ${b} AS v FROM range(15000)) TO '${rb}' (FORMAT parquet)`);
      const { dist, snap, artifact } = await bothWays(ra, rb);
      const exact = dist.columns.find((c) => c.column === 'v')!;
      const approx = snap.distributions.columns.find((c) => c.column === 'v')!;
      const stored = artifact.distributions.v!.numeric!;
      expect(stored.values).toBeUndefined();
      const bounds = sketchBounds(stored.quantiles.length, stored.n, stored.min!, stored.max!);
      const dErr = Math.abs(exact.tests.ks!.statistic - approx.tests.ks!.statistic);
      const wErr = Math.abs(exact.tests.wasserstein! - approx.tests.wasserstein!);
      expect(dErr).toBeLessThan(bounds.ks);
      expect(wErr).toBeLessThanOrEqual(bounds.wasserstein);
      // Without dense ties the linear interpolation does far better than the worst case.
      if (name !== 'coarse') expect(dErr).toBeLessThan(bounds.ks / 4);
      expect(approx.tests.psi).toBe(exact.tests.psi);
      expect(approx.tests.jensenShannon).toBe(exact.tests.jensenShannon);
      console.log(
        `${name}: D ${exact.tests.ks!.statistic.toFixed(5)} err ${dErr.toExponential(2)} (bound ${bounds.ks.toExponential(2)}); W ${exact.tests.wasserstein} err ${wErr.toExponential(2)} (bound ${bounds.wasserstein.toExponential(2)})`,
      );
    });
  }
});
