import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { classificationMetrics, rocAucFromGroups } from '../../src/stats/index.js';
import { expectClose, reference } from './reference.js';

describe('rocAucFromGroups = sklearn roc_auc_score', () => {
  reference.rocAuc.forEach((c: { groups: { score: number; positives: number; negatives: number }[]; auc: number | null }, i: number) => {
    it(`case ${i} (${c.groups.length} distinct scores)`, () => {
      const auc = rocAucFromGroups(c.groups);
      if (c.auc === null) expect(auc).toBeNull();
      else expectClose(auc!, c.auc, 'auc', 1e-12, 0);
    });
  });

  it('is order-independent, merges repeated scores, and flips to 1 − AUC when scores are negated', () => {
    const groupArb = fc.array(fc.record({ score: fc.integer({ min: -20, max: 20 }), positives: fc.nat(30), negatives: fc.nat(30) }), { minLength: 1, maxLength: 25 });
    fc.assert(
      fc.property(groupArb, (groups) => {
        const auc = rocAucFromGroups(groups);
        expect(rocAucFromGroups([...groups].reverse())).toBe(auc);
        if (auc === null) return;
        expect(auc).toBeGreaterThanOrEqual(0);
        expect(auc).toBeLessThanOrEqual(1);
        const negated = rocAucFromGroups(groups.map((g) => ({ ...g, score: -g.score })))!;
        expectClose(negated, 1 - auc, 'negated', 1e-12, 1e-12);
      }),
    );
  });
});

describe('classificationMetrics = sklearn (zero_division=0)', () => {
  for (const c of reference.metrics) {
    it(`tp=${c.tp} fp=${c.fp} tn=${c.tn} fn=${c.fn}`, () => {
      const m = classificationMetrics(c);
      for (const k of ['accuracy', 'precision', 'recall', 'f1'] as const) expectClose(m[k], c[k], k, 1e-14, 0);
    });
  }

  it('returns zeros for an empty confusion matrix and rejects negative counts', () => {
    expect(classificationMetrics({ tp: 0, fp: 0, tn: 0, fn: 0 })).toEqual({ accuracy: 0, precision: 0, recall: 0, f1: 0 });
    expect(() => classificationMetrics({ tp: -1, fp: 0, tn: 0, fn: 0 })).toThrow(RangeError);
  });
});
