import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { jensenShannon, linfDistance, normalise, psi, wassersteinFromCounts } from '../../src/stats/index.js';
import { expectClose, reference } from './reference.js';

const countsPair = fc
  .integer({ min: 1, max: 25 })
  .chain((k) => fc.tuple(fc.array(fc.nat(1000), { minLength: k, maxLength: k }), fc.array(fc.nat(1000), { minLength: k, maxLength: k })))
  .filter(([p, q]) => p.some((x) => x > 0) && q.some((x) => x > 0));

describe('wassersteinFromCounts', () => {
  for (const c of reference.ks) {
    it(`${c.name} = scipy.stats.wasserstein_distance`, () => {
      expectClose(wassersteinFromCounts(c.values, c.countsA, c.countsB), c.wasserstein, 'W1', 1e-9, 1e-15);
    });
  }

  it('is symmetric, non-negative and zero for identical sides', () => {
    fc.assert(
      fc.property(countsPair, ([a, b]) => {
        const values = a.map((_, i) => i * 0.5);
        const w = wassersteinFromCounts(values, a, b);
        expect(w).toBeGreaterThanOrEqual(0);
        expectClose(wassersteinFromCounts(values, b, a), w, 'swap', 1e-12, 1e-15);
        expect(wassersteinFromCounts(values, a, a)).toBe(0);
      }),
    );
  });

  it('equals the shift for a translated distribution', () => {
    expectClose(wassersteinFromCounts([0, 1, 2, 3], [5, 5, 0, 0], [0, 0, 5, 5]), 2, 'shift');
  });
});

describe('psi', () => {
  for (const c of reference.psi) {
    it(`${JSON.stringify(c.expected)} vs ${JSON.stringify(c.actual)} (floor ${c.floor}) = numpy formula`, () => {
      expectClose(psi(c.expected, c.actual, c.floor), c.psi, 'psi', 1e-9, 1e-15);
    });
  }

  it('is >= 0, 0 for identical inputs, and symmetric', () => {
    fc.assert(
      fc.property(countsPair, ([e, a]) => {
        const v = psi(e, a);
        expect(v).toBeGreaterThanOrEqual(0);
        expect(psi(e, e)).toBe(0);
        expectClose(psi(a, e), v, 'swap', 1e-12, 1e-15);
      }),
    );
  });

  it('rejects mismatched lengths, empty sides and a bad floor', () => {
    expect(() => psi([1, 2], [1])).toThrow(RangeError);
    expect(() => psi([0, 0], [1, 1])).toThrow(RangeError);
    expect(() => psi([1, 1], [1, 1], 0)).toThrow(RangeError);
  });
});

describe('jensenShannon and linfDistance', () => {
  for (const c of reference.jensenShannon) {
    it(`${JSON.stringify(c.p)} vs ${JSON.stringify(c.q)} = scipy jensenshannon (natural log)`, () => {
      expectClose(jensenShannon(c.p, c.q), c.js, 'js', 1e-9, 1e-15);
      expectClose(linfDistance(c.p, c.q), c.linf, 'linf', 1e-12, 1e-15);
    });
  }

  it('JS is symmetric, in [0, √ln 2], and 0 for proportional inputs', () => {
    fc.assert(
      fc.property(countsPair, fc.integer({ min: 1, max: 7 }), ([p, q], scale) => {
        const js = jensenShannon(p, q);
        expect(js).toBeGreaterThanOrEqual(0);
        expect(js).toBeLessThanOrEqual(Math.sqrt(Math.LN2) + 1e-12);
        expectClose(jensenShannon(q, p), js, 'swap', 1e-12, 1e-15);
        expect(
          jensenShannon(
            p,
            p.map((x) => x * scale),
          ),
        ).toBeLessThan(1e-7);
      }),
    );
  });

  it('L-inf is symmetric and in [0, 1]', () => {
    fc.assert(
      fc.property(countsPair, ([p, q]) => {
        const d = linfDistance(p, q);
        expect(d).toBeGreaterThanOrEqual(0);
        expect(d).toBeLessThanOrEqual(1);
        expect(linfDistance(q, p)).toBe(d);
      }),
    );
  });

  it('normalise sums to one and rejects all-zero counts', () => {
    expect(normalise([1, 3])).toEqual([0.25, 0.75]);
    expect(() => normalise([0, 0])).toThrow(RangeError);
    expect(() => normalise([-1, 2])).toThrow(RangeError);
  });
});
