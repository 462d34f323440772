import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  andersonDarling,
  chiSquareGoodnessOfFit,
  cramersV,
  cramerVonMises,
  cvmLimitCdf,
  energyDistance,
  fisherExact,
  gTest,
  hellinger,
  jensenShannon,
  klDivergence,
  mannWhitney,
  mannWhitneyCdf,
  normalSf,
  rankSumsFromCounts,
  studentTSf,
  totalVariation,
  twoProportionZ,
  welchT,
} from '../../src/stats/index.js';
import { expectClose } from './reference.js';

/** scipy's values for the newer drift tests (tests/reference/make_drift_reference.py). */
const ref: any = JSON.parse(readFileSync(fileURLToPath(new URL('../reference/drift.json', import.meta.url)), 'utf8'));

describe('rank and ECDF tests from distinct values with per-side counts = scipy on the raw samples', () => {
  for (const c of ref.numeric) {
    it(c.name, () => {
      const s = rankSumsFromCounts(c.values, c.countsA, c.countsB);
      const mw = mannWhitney(s);
      expectClose(mw.statistic, c.mannWhitney.statistic, 'U');
      expectClose(mw.pvalue, c.mannWhitney.pvalue, 'MWU p');
      const cvm = cramerVonMises(s);
      // T = U/(kN) − (4k − 1)/(6N) and p = 1 − cdf lose digits to cancellation in scipy too: absolute floors.
      expectClose(cvm.statistic, c.cramerVonMises.statistic, 'CvM T', 1e-9, 1e-12);
      expectClose(cvm.pvalue, c.cramerVonMises.pvalue, 'CvM p', 1e-9, 1e-14);
      const ad = andersonDarling(s);
      expectClose(ad.statistic, c.andersonDarling.statistic, 'AD statistic');
      expectClose(ad.pvalue, c.andersonDarling.pvalue, 'AD p');
      expectClose(energyDistance(s.ecdfSquared), c.energy, 'energy distance');
      const n1 = c.countsA.reduce((x: number, y: number) => x + y, 0);
      const n2 = c.countsB.reduce((x: number, y: number) => x + y, 0);
      const t = welchT(c.mean1, c.var1, n1, c.mean2, c.var2, n2);
      expectClose(t.statistic, c.welch.statistic, 'Welch t');
      expectClose(t.df, c.welch.df, 'Welch df');
      expectClose(t.pvalue, c.welch.pvalue, 'Welch p');
    });
  }
});

describe('binned distances = numpy/scipy formulas', () => {
  for (const c of ref.binned) {
    it(`${JSON.stringify(c.p)} vs ${JSON.stringify(c.q)}`, () => {
      expectClose(hellinger(c.p, c.q), c.hellinger, 'hellinger', 1e-9, 1e-15);
      expectClose(klDivergence(c.p, c.q), c.kl, 'kl', 1e-9, 1e-15);
      expectClose(totalVariation(c.p, c.q), c.tvd, 'tvd', 1e-9, 1e-15);
      expectClose(jensenShannon(c.p, c.q), c.jensenShannon, 'js (natural log)', 1e-9, 1e-15);
    });
  }
});

describe('contingency tests on category counts = scipy', () => {
  for (const c of ref.categorical) {
    it(c.name, () => {
      const g = gTest(c.countsA, c.countsB);
      expectClose(g.statistic, c.gTest.statistic, 'G', 1e-9, 1e-12);
      expectClose(g.pvalue, c.gTest.pvalue, 'G p');
      expect(g.dof).toBe(c.gTest.dof);
      expectClose(cramersV(c.countsA, c.countsB), c.cramersV, "Cramér's V", 1e-9, 1e-12);
      const gof = chiSquareGoodnessOfFit(c.countsA, c.countsB);
      if (c.chiSquareGof.statistic === null) expect(gof.statistic).toBeNull();
      else expectClose(gof.statistic!, c.chiSquareGof.statistic, 'GOF', 1e-9, 1e-12);
      expectClose(gof.pvalue, c.chiSquareGof.pvalue, 'GOF p');
      if (c.fisher) {
        const [a, b] = c.countsA.filter((_: number, i: number) => c.countsA[i] + c.countsB[i] > 0);
        const [x, y] = c.countsB.filter((_: number, i: number) => c.countsA[i] + c.countsB[i] > 0);
        const fe = fisherExact(a, b, x, y);
        if (c.fisher.oddsRatio === null) expect(fe.oddsRatio).toBeNull();
        else expectClose(fe.oddsRatio!, c.fisher.oddsRatio, 'odds ratio');
        expectClose(fe.pvalue, c.fisher.pvalue, 'Fisher p');
        const z = twoProportionZ(a, a + b, x, x + y);
        expectClose(z.statistic, c.twoProportionZ.statistic, 'z');
        expectClose(z.pvalue, c.twoProportionZ.pvalue, 'z p');
        // Independent check: z² is the uncorrected 2×2 chi-square, with the same p-value.
        expectClose(z.statistic ** 2, c.twoProportionZ.chiSquare, 'z² = χ²');
        expectClose(z.pvalue, c.twoProportionZ.chiSquarePValue, 'z p = χ² p', 1e-9, 1e-300);
      }
    });
  }
});

describe('distributions', () => {
  it('normalSf = scipy.stats.norm.sf', () => {
    for (const c of ref.normalSf) expectClose(normalSf(c.z), c.sf, `z=${c.z}`);
  });
  it('studentTSf = scipy.stats.t.sf', () => {
    for (const c of ref.tSf) expectClose(studentTSf(c.t, c.df), c.sf, `t=${c.t} df=${c.df}`);
  });
  it("cvmLimitCdf = scipy's _cdf_cvm_inf", () => {
    for (const c of ref.cvmLimitCdf) expectClose(cvmLimitCdf(c.x), c.cdf, `x=${c.x}`);
  });
  it("mannWhitneyCdf = scipy's exact MWU distribution", () => {
    for (const c of ref.mannWhitneyCdf) expectClose(mannWhitneyCdf(c.k, c.m, c.n), c.cdf, `k=${c.k} m=${c.m} n=${c.n}`);
  });
});
