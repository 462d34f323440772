import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { kolmogornSf, ks2SampleFromCounts, ksPValue, ksStatisticFromCounts, smirnovSf } from '../../src/stats/index.js';
import { expectClose, reference } from './reference.js';

describe('ks_2samp from aggregated counts', () => {
  for (const c of reference.ks) {
    it(`${c.name}: D and p match scipy`, () => {
      const d = ksStatisticFromCounts(c.values, c.countsA, c.countsB);
      expectClose(d, c.statistic, 'D');
      expectClose(ksPValue(d, c.n1, c.n2), c.pvalue, 'p');
      const both = ks2SampleFromCounts(c.values, c.countsA, c.countsB);
      expectClose(both.statistic, c.statistic, 'D (combined)');
      expectClose(both.pvalue, c.pvalue, 'p (combined)');
    });
  }
});

describe('ksPValue(d, n1, n2) over exact and asymptotic regimes', () => {
  it(`matches scipy on ${reference.ksPValue.length} (d, n1, n2) points`, () => {
    for (const c of reference.ksPValue) {
      expectClose(ksPValue(c.d, c.n1, c.n2), c.pvalue, `p(d=${c.d}, ${c.n1}, ${c.n2}, ${c.method})`);
    }
  });

  it('is symmetric in the sample sizes', () => {
    for (const c of reference.ksPValue) expectClose(ksPValue(c.d, c.n2, c.n1), c.pvalue, 'swapped sizes');
  });

  it('rejects impossible arguments', () => {
    expect(() => ksPValue(0.1, 0, 10)).toThrow(RangeError);
    expect(() => ksPValue(1.5, 10, 10)).toThrow(RangeError);
    expect(() => ksPValue(0.1, 2.5, 10)).toThrow(RangeError);
  });
});

describe('Kolmogorov distributions', () => {
  it(`kolmogornSf = scipy.stats.kstwo.sf on ${reference.kstwoSf.length} points`, () => {
    // Documented bound: 1e-11 relative (tighter than the product's 1e-9).
    for (const c of reference.kstwoSf) expectClose(kolmogornSf(c.n, c.x), c.sf, `kstwo.sf(${c.x}, ${c.n})`, 1e-11);
  });

  it(`smirnovSf = scipy.special.smirnov on ${reference.smirnov.length} points`, () => {
    for (const c of reference.smirnov) expectClose(smirnovSf(c.n, c.x), c.sf, `smirnov(${c.n}, ${c.x})`, 1e-11);
  });

  it('has the right limits', () => {
    expect(kolmogornSf(10, 0)).toBe(1);
    expect(kolmogornSf(10, 1)).toBe(0);
    expect(kolmogornSf(10, 0.04)).toBe(1);
    expect(Number.isNaN(kolmogornSf(2.5, 0.3))).toBe(true);
  });
});

describe('ksStatisticFromCounts', () => {
  it('rejects bad shapes and empty sides', () => {
    expect(() => ksStatisticFromCounts([1, 2], [1], [1, 1])).toThrow(RangeError);
    expect(() => ksStatisticFromCounts([2, 1], [1, 1], [1, 1])).toThrow(RangeError);
    expect(() => ksStatisticFromCounts([1, 2], [0, 0], [1, 1])).toThrow(RangeError);
  });

  const countsArb = fc.array(fc.tuple(fc.nat(20), fc.nat(20)), { minLength: 1, maxLength: 30 }).filter((rows) => rows.some((r) => r[0] > 0) && rows.some((r) => r[1] > 0));

  it('is invariant under swapping sides, and D, p lie in [0, 1]', () => {
    fc.assert(
      fc.property(countsArb, (rows) => {
        const values = rows.map((_, i) => i);
        const a = rows.map((r) => r[0]);
        const b = rows.map((r) => r[1]);
        const d = ksStatisticFromCounts(values, a, b);
        expect(ksStatisticFromCounts(values, b, a)).toBe(d);
        expect(d).toBeGreaterThanOrEqual(0);
        expect(d).toBeLessThanOrEqual(1);
        const nA = a.reduce((s, x) => s + x, 0);
        const nB = b.reduce((s, x) => s + x, 0);
        const p = ksPValue(d, nA, nB);
        expect(p).toBeGreaterThanOrEqual(0);
        expect(p).toBeLessThanOrEqual(1);
      }),
    );
  });

  it('gives D = 0 and p = 1 for identical sides', () => {
    fc.assert(
      fc.property(countsArb, (rows) => {
        const values = rows.map((_, i) => i);
        const a = rows.map((r) => r[0] + 1);
        expect(ksStatisticFromCounts(values, a, a)).toBe(0);
        expect(ks2SampleFromCounts(values, a, a).pvalue).toBe(1);
      }),
    );
  });
});
