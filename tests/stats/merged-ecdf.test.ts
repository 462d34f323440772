/**
 * The SQL path of the numeric drift tests (one sort of both sides in DuckDB) against scipy's ks_2samp and
 * wasserstein_distance (and numpy's std of research) on the committed reference samples: raw rows (file vs
 * file) and stored counts (snapshot vs file) must both give scipy's D, p and W.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../../src/engine/engine.js';
import { centredVariance, mergedNumeric } from '../../src/compare/distribution/index.js';
import { exactSum, finiteValuesSql, rawWeightedSql, sidesSql } from '../../src/compare/distribution/sql.js';
import { countsRelation } from '../../src/snapshot/sql.js';
import { ksPValue } from '../../src/stats/index.js';
import { expectClose, reference } from './reference.js';

let engine: Engine;
beforeAll(async () => {
  engine = await Engine.open({ readableFiles: [] });
});
afterAll(async () => {
  await engine.close();
});

/** A table with one row per observation (value repeated by its count), in a shuffled-looking order. */
async function observations(table: string, values: number[], counts: number[]): Promise<void> {
  const pairs = values.map((v, i) => [v, counts[i]!] as const).filter(([, n]) => n > 0);
  await engine.run(`CREATE OR REPLACE TABLE ${table} AS SELECT x FROM (${countsRelation(pairs)}) t(x, n), range(n) ORDER BY hash(x, range)`);
}

describe('merged ECDF in DuckDB = scipy', () => {
  for (const c of reference.ks as {
    name: string;
    values: number[];
    countsA: number[];
    countsB: number[];
    statistic: number;
    pvalue: number;
    wasserstein: number;
    stdA: number;
    n1: number;
    n2: number;
  }[]) {
    it(`${c.name}: D, p and W from raw rows and from stored counts`, async () => {
      await observations('ra', c.values, c.countsA);
      await observations('rb', c.values, c.countsB);
      const raw = sidesSql(rawWeightedSql(finiteValuesSql('ra', 'x')), rawWeightedSql(finiteValuesSql('rb', 'x')));
      const stored = sidesSql(countsRelation(c.values.map((v, i) => [v, c.countsA[i]!] as const).filter(([, n]) => n > 0)), rawWeightedSql(finiteValuesSql('rb', 'x')));
      // Research's mean as a profile has it: the variance is then taken in the sort's pass, about that centre.
      let sum = 0;
      let abs = 0;
      c.values.forEach((v, i) => {
        sum += v * c.countsA[i]!;
        abs += Math.abs(v) * c.countsA[i]!;
      });
      const center = { mean: sum / c.n1, meanAbs: abs / c.n1 };
      for (const [label, sides, weighted, centre] of [
        ['raw', raw, false, undefined],
        ['stored', stored, true, undefined],
        ['raw, centred', raw, false, center],
        ['stored, centred', stored, true, center],
      ] as const) {
        const m = await mergedNumeric(engine, sides, { weighted, bins: 10, forceNumeric: true, center: centre });
        if (m === 'categorical' || !m.d) throw new Error(`${label}: no numeric result`);
        expectClose(m.n1, c.n1, `${label} n1`);
        expectClose(m.n2, c.n2, `${label} n2`);
        expectClose(m.d.d, c.statistic, `${label} D`, 1e-12, 1e-15);
        expectClose(ksPValue(m.d.d, m.n1, m.n2), c.pvalue, `${label} p`);
        expectClose(m.d.w, c.wasserstein, `${label} W`, 1e-9, 1e-15);
        // numpy's np.std (ddof 0) of research: what wassersteinNormed divides by.
        expectClose(m.d.stdA, c.stdA, `${label} research std`, 1e-9, 1e-15);
      }
    });
  }
});

describe('research variance about the profile mean', () => {
  it('is used only when the centre is close enough to the exact mean', () => {
    // 10M values of mean 1e3, variance 4: the excess (≈1e-12)² is far below 1e-13 of the variance.
    expect(centredVariance((4 * 1e7) / 100, { mean: 1e3, meanAbs: 1e3 }, 1e7, 10)).toBeCloseTo(4, 12);
    // Epoch seconds of events within one second (mean 1.7e9, variance 0.01): the centre's error could be
    // 1.7e-6, whose square is 3e-12, more than 1e-13 of the variance: fall back to the exact mean.
    expect(centredVariance((0.01 * 1e7) / 1, { mean: 1.7e9, meanAbs: 1.7e9 }, 1e7, 1)).toBeUndefined();
  });

  it("gives numpy's std far from 0 (through the fallback)", async () => {
    // Values 1e9 + k/100: the centre's error bound is too loose for the centred sum, so the exact mean is taken.
    const values = Array.from({ length: 500 }, (_v, k) => 1e9 + ((k * 37) % 500) / 100);
    await engine.run(`CREATE OR REPLACE TABLE fa AS SELECT unnest([${values.join(', ')}]::DOUBLE[]) AS x`);
    await engine.run(`CREATE OR REPLACE TABLE fb AS SELECT x + 0.5 AS x FROM fa`);
    const sides = sidesSql(rawWeightedSql(finiteValuesSql('fa', 'x')), rawWeightedSql(finiteValuesSql('fb', 'x')));
    const mean = values.reduce((a, b) => a + b, 0) / values.length;
    const m = await mergedNumeric(engine, sides, { weighted: false, bins: 10, forceNumeric: true, center: { mean, meanAbs: mean } });
    if (m === 'categorical' || !m.d) throw new Error('no numeric result');
    const exact = Math.sqrt(values.reduce((a, v) => a + (v - 1e9 - 2.495) ** 2, 0) / values.length);
    expectClose(m.d.stdA, exact, 'std far from 0', 1e-9, 1e-15);
  });
});

describe('exactSum: the order-independent sum every reported W, mean and variance goes through', () => {
  // 200,000 terms (k mod 1000) / 1000, in units of a scale of 1: the exact sum is Σ (k mod 1000) / 1000.
  const rows = 200_000;
  const exact = (200 * (999 * 1000)) / 2 / 1000;
  const sumOf = async (order: string, weight?: string) => {
    const row = await engine.one(`SELECT ${exactSum('t', 1, 't >= 0', weight)} AS s FROM (SELECT (k % 1000) / 1000 AS t, CAST(1e12 AS BIGINT) AS w FROM range(${rows}) r(k) ORDER BY ${order})`);
    return Number(row.s);
  };

  it('is exact to 1e-13 relative, and bit-identical in any row order', async () => {
    const ordered = await sumOf('k');
    expect(Math.abs(ordered - exact)).toBeLessThanOrEqual(1e-13 * exact);
    expect(Object.is(await sumOf('hash(k)'), ordered)).toBe(true);
    expect(Object.is(await sumOf('k DESC'), ordered)).toBe(true);
  });

  it('takes integer weights (stored counts) up to 1e12 without overflow', async () => {
    const weighted = await sumOf('hash(k)', 'w');
    expect(Math.abs(weighted - 1e12 * exact)).toBeLessThanOrEqual(1e-13 * 1e12 * exact);
  });
});
