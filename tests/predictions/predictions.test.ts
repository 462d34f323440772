import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runPredictions } from '../../src/run/predictions.js';
import type { PredictionRunOptions } from '../../src/run/predictions.js';
import type { Finding, Report } from '../../src/findings/types.js';
import { renderJson } from '../../src/report/json.js';

const fixture = (c: string, f: string) => fileURLToPath(new URL(`../fixtures/predictions/${c}/${f}`, import.meta.url));
// Loosely typed on purpose: its shape is defined by make_prediction_reference.py.
const ref: any = JSON.parse(readFileSync(fileURLToPath(new URL('../reference/predictions.json', import.meta.url)), 'utf8'));

function run(c: string, options: PredictionRunOptions = {}): Promise<Report> {
  return runPredictions(fixture(c, 'research.csv'), fixture(c, 'production.csv'), { key: ['id'], ...options });
}
const withFeatures = (c: string): PredictionRunOptions => ({ featuresResearch: fixture(c, 'features-research.csv'), featuresProduction: fixture(c, 'features-production.csv') });
const summary = (r: Report) => r.stages[0]!.summary as any;
const causes = (r: Report, severity?: Finding['severity']) => r.findings.filter((f) => !severity || f.severity === severity).map((f) => f.cause);
const close = (actual: number, expected: number, rel = 1e-9) => expect(Math.abs(actual - expected)).toBeLessThanOrEqual(rel * Math.abs(expected) + 1e-15);

describe('comparePredictions: planted causes', () => {
  it('equal predictions in another row and column order are equal', async () => {
    const r = await run('equal');
    expect(r.verdict).toBe('equal');
    expect(r.findings).toEqual([]);
    expect(summary(r)).toMatchObject({ mode: 'keyed', inferred: { score: 'proba', truth: 'y' }, task: 'classification', match: { rate: 1, differingRows: 0 } });
  });

  it('tiny differences on every row are numeric noise, accepted with --rel-tol 1e-6', async () => {
    const r = await run('noise');
    expect(causes(r)).toEqual(['numeric_noise']);
    expect(r.findings[0]).toMatchObject({ severity: 'warning', columns: ['proba'], rowsAffected: 400 });
    expect((await run('noise', { tolerance: { abs: 0, rel: 1e-6 } })).verdict).toBe('equal');
  });

  it('a subset mismatch is attributed to the one feature that differs on those rows', async () => {
    const r = await run('subset-feature', withFeatures('subset-feature'));
    const f = r.findings.find((x) => x.cause === 'prediction_mismatch')!;
    expect(f).toMatchObject({ severity: 'error', columns: ['proba'], rowsAffected: 40 });
    expect(f.message).toContain('100.0% of mismatched rows differ in `income_scaled`');
    expect(f.sampleKeys).toEqual([10, 20, 30, 40, 50]);
    expect(summary(r).attribution.mismatched[0]).toMatchObject({ source: 'features', column: 'income_scaled', condition: 'differs', differingRows: 40, matchingRows: 0, lift: 1 });
    expect(causes(r)).not.toContain('model_nondeterminism');
  });

  it('without features, the same mismatch is said to be on a subset', async () => {
    const r = await run('subset-feature');
    const f = r.findings.find((x) => x.cause === 'prediction_mismatch')!;
    expect(f.message).toContain('concentrated on a subset of rows');
  });

  it('NaN predictions are traced to a category research never saw', async () => {
    const r = await run('nan-unseen', withFeatures('nan-unseen'));
    const f = r.findings.find((x) => x.cause === 'prediction_nan')!;
    expect(f).toMatchObject({ severity: 'error', columns: ['proba'], rowsAffected: 12, sampleKeys: [33, 66, 99, 132, 165] });
    expect(summary(r).attribution.nonFiniteProduction.some((e: any) => e.column === 'city' && e.condition === 'unseen_category' && e.differingShare === 1 && e.matchingShare === 0)).toBe(true);
    expect(f.message).toContain('`city`');
    expect(summary(r).nonFinite.production.nan).toBe(12);
  });

  it('random differences on every row with no feature difference are model nondeterminism', async () => {
    const r = await run('nondeterminism', withFeatures('nondeterminism'));
    const f = r.findings.find((x) => x.cause === 'model_nondeterminism')!;
    expect(f).toMatchObject({ severity: 'error', rowsAffected: 400 });
    expect(f.message).toContain('no upstream explanation in the features');
    expect(summary(r).attribution.mismatched).toEqual([]);
  });

  it('label flips with the confusion matrix between environments, and the accuracy drop', async () => {
    const r = await run('label-flip');
    const flip = r.findings.find((x) => x.cause === 'label_flip')!;
    expect(flip).toMatchObject({ columns: ['y_pred'], rowsAffected: 40 });
    const labels = summary(r).labels;
    expect(labels.values).toEqual(['0', '1']);
    expect(labels.counts[0][1] + labels.counts[1][0]).toBe(40);
    expect(causes(r)).toContain('performance_drop');
  });

  it('missing predictions name their ids', async () => {
    const r = await run('missing');
    expect(r.findings).toHaveLength(1);
    expect(r.findings[0]).toMatchObject({ cause: 'prediction_missing', rowsAffected: 7, sampleKeys: [57, 114, 171, 228, 285] });
  });

  it('without a key, score distributions are compared with the drift tests, and it says so', async () => {
    const r = await run('keyless', { key: undefined });
    expect(summary(r).mode).toBe('distribution');
    expect(r.stages[0]!.reason).toMatch(/^no --key: score and label distributions were compared/);
    expect(causes(r)).toContain('distribution_drift');
  });

  it('when the sides share no ids, distributions are compared too', async () => {
    const r = await runPredictions(fixture('equal', 'research.csv'), fixture('keyless', 'production.csv'), { key: undefined, scoreColumn: 'proba' });
    expect(summary(r).mode).toBe('distribution');
  });
});

describe('comparePredictions: numbers against scikit-learn / scipy', () => {
  it.each(['equal', 'nondeterminism', 'label-flip'])('classification metrics of %s', async (c) => {
    const m = summary(await run(c)).metrics;
    for (const side of ['research', 'production'] as const) {
      for (const [k, v] of Object.entries(ref.metrics[c][side] as Record<string, number>)) close(m[side][k], v);
    }
  });

  it('metrics skip NaN scores like sklearn on the finite rows', async () => {
    const m = summary(await run('nan-unseen')).metrics;
    for (const [k, v] of Object.entries(ref.metrics['nan-unseen'].production as Record<string, number>)) close(m.production[k], v);
  });

  it('regression RMSE and MAE, and the performance drop', async () => {
    const r = await run('regression');
    const m = summary(r).metrics;
    for (const side of ['research', 'production'] as const) {
      close(m[side].rmse, ref.metrics.regression[side].rmse);
      close(m[side].mae, ref.metrics.regression[side].mae);
    }
    expect(summary(r).task).toBe('regression');
    expect(r.findings.find((f) => f.cause === 'performance_drop')).toMatchObject({ columns: ['target', 'prediction'] });
    expect(r.findings.find((f) => f.cause === 'prediction_mismatch')).toMatchObject({ rowsAffected: 100 });
  });

  it.each(['nondeterminism', 'subset-feature', 'noise'])('Spearman, top-k overlap and differences of %s', async (c) => {
    const s = summary(await run(c));
    const e = ref.rank[c];
    close(s.rank.spearman, e.spearman);
    expect(s.rank.topK).toEqual(e.topK);
    close(s.match.maxAbsDiff, e.maxAbsDiff);
    close(s.match.meanAbsDiff, e.meanAbsDiff);
  });
});

describe('comparePredictions: report shape', () => {
  it('histogram of differences and a deterministic score sample', async () => {
    const s = summary(await run('nondeterminism'));
    expect(s.differences.edges).toHaveLength(21);
    expect(s.differences.counts.reduce((a: number, b: number) => a + b, 0)).toBe(400);
    expect(s.scoreSample).toHaveLength(400);
    expect(s.scoreSample[0]).toHaveLength(2);
  });

  it('same inputs give byte-identical JSON', async () => {
    const a = renderJson(await run('subset-feature', withFeatures('subset-feature')));
    const b = renderJson(await run('subset-feature', withFeatures('subset-feature')));
    expect(a).toBe(b);
  });

  it('unknown or non-numeric columns are one-line usage errors', async () => {
    await expect(run('equal', { scoreColumn: 'nope' })).rejects.toMatchObject({ code: 'E_COLUMN_UNKNOWN' });
    await expect(runPredictions(fixture('keyless', 'research.csv'), fixture('keyless', 'production.csv'), {})).resolves.toBeDefined();
  });
});
