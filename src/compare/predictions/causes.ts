/**
 * The cause of score differences, from the matched table's counts (rules in the header of index.ts): floating-point
 * noise, a mismatch an upstream condition explains or that is concentrated on a subset, or model nondeterminism.
 */
import { finding } from '../../findings/report.js';
import type { AttributionSummary } from '../../findings/summaries.js';
import type { EvidenceValue, Finding } from '../../findings/types.js';
import { formatCount, formatNumber, formatPercent } from '../../text/format.js';
import type { Tolerance } from '../data/tolerance.js';
import { stableFloat } from '../shared/values.js';
import { describeExplanation, isExplaining } from '../explain/index.js';
import type { Explanation } from '../explain/index.js';
import type { KeyedPredictions } from './match.js';
import type { Columns } from './task.js';

/** Larger differences on at least this share of rows, in both directions, look like model nondeterminism. */
export const NONDETERMINISM = { spread: 0.5, minSignShare: 0.25 } as const;

function explanationEvidence(list: readonly Explanation[]): EvidenceValue {
  return list.slice(0, 5).map((e) => ({ ...e }) as unknown as EvidenceValue);
}

/** The NaN findings of the matched table with the upstream condition that best explains them, when one does. */
export function withAttribution(findings: readonly Finding[], attribution: AttributionSummary): Finding[] {
  return findings.map((f) => {
    if (f.cause !== 'prediction_nan' || f.severity === 'info') return f;
    const list = f.evidence.side === 'research' ? attribution.nonFiniteResearch : attribution.nonFiniteProduction;
    const best = list.find(isExplaining);
    if (!best) return f;
    return { ...f, message: `${f.message}; traced to inputs: ${describeExplanation(best, 'NaN rows', 'other rows')}`, evidence: { ...f.evidence, attribution: explanationEvidence(list) } };
  });
}

/** Score differences: noise, mismatch on a subset (attributed when possible), or nondeterminism. */
export function scoreFindings(keyed: KeyedPredictions, cols: Columns, tol: Tolerance, attribution: AttributionSummary | undefined): Finding[] {
  const out: Finding[] = [];
  const n = (k: string) => keyed.stats[k] ?? 0;
  const columns = [cols.score?.name, cols.label?.name].filter((x): x is string => Boolean(x));
  if (!cols.score) return out;
  const matched = keyed.matched;
  const noise = n('noise');
  const large = n('large');
  const base = {
    matched,
    differing: n('score_differ'),
    noiseRows: noise,
    largeRows: large,
    maxAbsDiff: stableFloat(keyed.stats.max_abs ?? null),
    meanAbsDiff: stableFloat(keyed.stats.mean_abs ?? null),
    maxRelDiff: stableFloat(keyed.stats.max_rel ?? null),
    tolerance: { abs: tol.abs, rel: tol.rel },
  };
  if (noise > 0) {
    const spread = noise / Math.max(1, n('finite_pairs'));
    out.push(
      finding({
        stage: 'predictions',
        severity: large > 0 ? 'info' : 'warning',
        cause: 'numeric_noise',
        columns: [cols.score.name],
        rowsAffected: noise,
        message: `${formatCount(noise)} scores (${formatPercent(spread)} of matched ids) differ by at most ${formatNumber(keyed.stats.noise_max_rel ?? 0)} relative: floating-point noise (library version / BLAS nondeterminism); accept it with --rel-tol 1e-6`,
        evidence: { ...base, spread: stableFloat(spread), noiseMaxRel: stableFloat(keyed.stats.noise_max_rel ?? null), noiseMaxAbs: stableFloat(keyed.stats.noise_max_abs ?? null) },
        sampleKeys: keyed.samples.noise,
      }),
    );
  }
  if (large > 0) {
    const share = large / Math.max(1, n('finite_pairs'));
    const best = attribution?.mismatched.find(isExplaining);
    const minSign = Math.min(n('large_up'), n('large_down')) / large;
    const random = share >= NONDETERMINISM.spread && minSign >= NONDETERMINISM.minSignShare;
    const what = `${formatCount(large)} of ${formatCount(matched)} scores differ beyond tolerance (${formatPercent(share)}; max |Δ| ${formatNumber(keyed.stats.max_abs ?? null)}, mean |Δ| ${formatNumber(keyed.stats.mean_abs ?? null)})`;
    const evidence = { ...base, share: stableFloat(share), up: n('large_up'), down: n('large_down'), ...(attribution ? { attribution: explanationEvidence(attribution.mismatched) } : {}) };
    // The mismatch explained by a feature, else unexplained noise in both directions (a nondeterministic model), else
    // an unexplained mismatch described by its spread.
    const [cause, message] = best
      ? (['prediction_mismatch', `${what}; ${describeExplanation(best, 'mismatched rows', 'matched rows')}`] as const)
      : random
        ? ([
            'model_nondeterminism',
            `${what}, in both directions, with no ${attribution ? 'upstream explanation in the features' : 'upstream explanation (no features given to check)'}: unseeded or nondeterministic model`,
          ] as const)
        : ([
            'prediction_mismatch',
            `${what}: ${share >= NONDETERMINISM.spread ? 'spread over most rows, mostly in one direction' : 'concentrated on a subset of rows'}${attribution ? ', no single feature difference explains it' : ' (pass --features-research/--features-production to attribute them)'}`,
          ] as const);
    out.push(finding({ stage: 'predictions', severity: 'error', cause, columns, rowsAffected: large, message, evidence, sampleKeys: keyed.samples.large }));
  }
  return out;
}
