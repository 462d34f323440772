import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { chiSquareHomogeneity, chiSquareSf, gammaP, gammaQ, lgamma } from '../../src/stats/index.js';
import { expectClose, reference } from './reference.js';

describe('chiSquareSf = scipy.stats.chi2.sf', () => {
  it(`matches on ${reference.chiSquareSf.length} points, from p ~ 1 down to 1e-300, dof 1 to 1e6`, () => {
    // Documented bound: 1e-11 relative (tighter than the product's 1e-9).
    for (const c of reference.chiSquareSf) expectClose(chiSquareSf(c.x, c.dof), c.sf, `chi2.sf(${c.x}, ${c.dof})`, 1e-11);
  });

  it('handles the edges of its support', () => {
    expect(chiSquareSf(0, 3)).toBe(1);
    expect(chiSquareSf(-1, 3)).toBe(1);
    expect(chiSquareSf(Infinity, 3)).toBe(0);
    expect(Number.isNaN(chiSquareSf(1, 0))).toBe(true);
  });

  it('P + Q = 1 and Q decreases in x', () => {
    fc.assert(
      fc.property(fc.double({ min: 0.05, max: 500, noNaN: true }), fc.double({ min: 0.001, max: 800, noNaN: true }), (a, x) => {
        expectClose(gammaP(a, x) + gammaQ(a, x), 1, 'P+Q', 1e-12, 1e-14);
        expect(gammaQ(a, x * 1.1)).toBeLessThanOrEqual(gammaQ(a, x));
      }),
    );
  });

  it('lgamma matches known values', () => {
    expectClose(lgamma(1), 0, 'lgamma(1)', 0, 1e-14);
    expectClose(lgamma(2), 0, 'lgamma(2)', 0, 1e-14);
    expectClose(lgamma(1e6), 12815504.569147612, 'lgamma(1e6)', 1e-15, 0);
    expectClose(lgamma(0.5), 0.5 * Math.log(Math.PI), 'lgamma(0.5)', 1e-14, 0);
    expectClose(lgamma(10), Math.log(362880), 'lgamma(10)', 1e-14, 0);
    expectClose(lgamma(100), 359.1342053695754, 'lgamma(100)', 1e-14, 0);
  });
});

describe('chiSquareHomogeneity = scipy.stats.chi2_contingency(correction=False)', () => {
  for (const c of reference.chiSquare) {
    it(c.name, () => {
      const r = chiSquareHomogeneity(c.countsA, c.countsB);
      expect(r.dof).toBe(c.dof);
      expectClose(r.statistic, c.statistic, 'statistic', 1e-9, 1e-12);
      expectClose(r.pvalue, c.pvalue, 'pvalue');
    });
  }

  it('returns the degenerate result for one category or an empty side', () => {
    const degenerate = { statistic: 0, pvalue: 1, dof: 0 };
    expect(chiSquareHomogeneity([5, 0], [7, 0])).toEqual(degenerate);
    expect(chiSquareHomogeneity([0, 0], [7, 3])).toEqual(degenerate);
    expect(chiSquareHomogeneity([], [])).toEqual(degenerate);
  });

  it('is symmetric in its sides and p lies in [0, 1]', () => {
    const arb = fc.integer({ min: 1, max: 12 }).chain((k) => fc.tuple(fc.array(fc.nat(500), { minLength: k, maxLength: k }), fc.array(fc.nat(500), { minLength: k, maxLength: k })));
    fc.assert(
      fc.property(arb, ([a, b]) => {
        const r = chiSquareHomogeneity(a, b);
        const s = chiSquareHomogeneity(b, a);
        expectClose(s.statistic, r.statistic, 'swap', 1e-12, 1e-12);
        expect(s.dof).toBe(r.dof);
        expect(r.pvalue).toBeGreaterThanOrEqual(0);
        expect(r.pvalue).toBeLessThanOrEqual(1);
      }),
    );
  });
});
