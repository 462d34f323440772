/** Binary classification quality from aggregated counts. */

/** Positives and negatives sharing one distinct score. */
export interface ScoreGroup {
  readonly score: number;
  readonly positives: number;
  readonly negatives: number;
}

/**
 * Exact ROC AUC with ties (= `sklearn.metrics.roc_auc_score`) from per-distinct-score counts, in any
 * order: Σ_groups pos·(negatives scored lower + ½·negatives tied) / (P·N). Null when a class is absent.
 */
export function rocAucFromGroups(groups: readonly ScoreGroup[]): number | null {
  for (const g of groups) {
    if (!(Number.isFinite(g.score) && g.positives >= 0 && g.negatives >= 0)) {
      throw new RangeError('rocAucFromGroups: scores must be finite and counts >= 0');
    }
  }
  // Merge duplicate scores so ties are counted once, whatever the caller's grouping.
  const merged = new Map<number, { pos: number; neg: number }>();
  for (const g of groups) {
    const m = merged.get(g.score) ?? { pos: 0, neg: 0 };
    m.pos += g.positives;
    m.neg += g.negatives;
    merged.set(g.score, m);
  }
  const sorted = [...merged.entries()].sort((a, b) => a[0] - b[0]);
  let P = 0;
  let N = 0;
  for (const [, m] of sorted) {
    P += m.pos;
    N += m.neg;
  }
  if (P === 0 || N === 0) return null;
  let negBelow = 0;
  let area = 0;
  for (const [, m] of sorted) {
    area += m.pos * (negBelow + m.neg / 2);
    negBelow += m.neg;
  }
  return area / P / N;
}

export interface Confusion {
  readonly tp: number;
  readonly fp: number;
  readonly tn: number;
  readonly fn: number;
}

export interface ClassificationMetrics {
  readonly accuracy: number;
  readonly precision: number;
  readonly recall: number;
  readonly f1: number;
}

const ratio = (num: number, den: number): number => (den === 0 ? 0 : num / den);

/** Accuracy, precision, recall and F1 with sklearn's binary conventions (zero_division → 0; no rows → all 0). */
export function classificationMetrics(confusion: Confusion): ClassificationMetrics {
  const { tp, fp, tn, fn } = confusion;
  for (const v of [tp, fp, tn, fn]) {
    if (!(Number.isFinite(v) && v >= 0)) throw new RangeError('classificationMetrics: counts must be finite and >= 0');
  }
  return {
    accuracy: ratio(tp + tn, tp + fp + tn + fn),
    precision: ratio(tp, tp + fp),
    recall: ratio(tp, tp + fn),
    // sklearn >= 1.3 computes F1 as 2tp / (2tp + fp + fn), equal to 2PR/(P+R) but defined when P = R = 0.
    f1: ratio(2 * tp, 2 * tp + fp + fn),
  };
}
