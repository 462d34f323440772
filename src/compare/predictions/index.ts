/**
 * The `predictions` stage: tolerant score match, NaN/±inf/missing predictions, label flips, rank
 * agreement, performance in each environment, and which upstream differences explain the mismatched
 * rows (through the explain engine). Rows are matched on the key in one FULL OUTER JOIN; without a key,
 * or when the sides share no ids, score and label distributions are compared with the drift tests.
 * This file runs the steps in order; each is a module: task.ts (columns and task), metrics.ts, match.ts
 * (the keyed join and its counts), attribution.ts, causes.ts (score differences), keyless.ts, requirements.ts.
 *
 * Cause rules (documented in docs/decisions.md):
 * - numeric_noise: every score difference beyond tolerance is within NOISE.rel relative (or NOISE.abs
 *   absolute): floating-point noise of another library version or BLAS; warning (info when larger
 *   differences exist too).
 * - prediction_mismatch: larger differences, explained by an upstream condition (≥ 50% of mismatched
 *   rows, lift ≥ 0.3), or concentrated on a subset of rows.
 * - model_nondeterminism: larger differences on at least half of the rows, in both directions (each
 *   sign ≥ 25% of them), with no upstream explanation: an unseeded or nondeterministic model.
 * - prediction_nan / prediction_missing / label_flip / performance_drop: as named.
 */
import type { Engine } from '../../engine/engine.js';
import type { AttributionSummary, PredictionsSummary } from '../../findings/summaries.js';
import type { Finding, OutcomeWith } from '../../findings/types.js';
import type { Dataset } from '../../sources/register.js';
import { matchSchemas } from '../data/columns.js';
import { categoryCounts } from '../data/profile.js';
import type { ColumnPair, SchemaOptions } from '../data/columns.js';
import type { Tolerance } from '../data/tolerance.js';
import { compareDistributions, distributionFindings, distributionSummary } from '../distribution/index.js';
import type { DriftOptions } from '../distribution/index.js';
import { attribute } from './attribution.js';
import type { PredictionFeatures } from './attribution.js';
import { scoreFindings, withAttribution } from './causes.js';
import { keylessNonFinite } from './keyless.js';
import { joinPredictions } from './match.js';
import type { KeyedPredictions } from './match.js';
import { DEFAULT_METRIC_TOLERANCE, bothMetrics, performanceFindings } from './metrics.js';
import { checkRequirements } from './requirements.js';
import type { Requirement } from './requirements.js';
import { detectTask, predictionColumns, resolveColumns, unavailableReason } from './task.js';
import type { ColumnOptions } from './task.js';

export { NOISE, SCORE_SAMPLE } from './match.js';
export { NONDETERMINISM } from './causes.js';
export { DEFAULT_METRIC_TOLERANCE } from './metrics.js';
/** Per-side metrics against the ground truth (part of the stage summary). */
export type { SideMetrics } from '../../findings/summaries.js';

export interface PredictionCompareOptions extends SchemaOptions, ColumnOptions {
  readonly tolerance?: Tolerance;
  /** Decision threshold on the score (default 0.5). */
  readonly threshold?: number;
  readonly metricTolerance?: number;
  readonly sample?: number;
  /** Features of each environment, keyed like the predictions, for attribution. */
  readonly features?: PredictionFeatures;
  readonly drift?: DriftOptions;
  /** Performance requirements each environment's metrics must meet (`--require auc>=0.85`). */
  readonly requirements?: readonly Requirement[];
  readonly onProgress?: (message: string) => void;
}

/** Compares two prediction sets; returns the `predictions` stage outcome. */
export async function comparePredictions(engine: Engine, research: Dataset, production: Dataset, options: PredictionCompareOptions = {}): Promise<OutcomeWith<PredictionsSummary>> {
  const progress = options.onProgress ?? (() => {});
  const sample = options.sample ?? 5;
  const threshold = options.threshold ?? 0.5;
  const tol = options.tolerance ?? { abs: 0, rel: 0 };
  const schema = matchSchemas(research.columns, production.columns, options);
  const cols = resolveColumns(schema.pairs, options);
  const task = await detectTask(engine, research, production, cols);
  const findings: Finding[] = [];
  const predCols = predictionColumns(cols);

  progress('performance in each environment');
  const metrics = await bothMetrics(engine, research, production, cols, task, threshold);
  if (metrics) findings.push(...performanceFindings(metrics, cols, options.metricTolerance ?? DEFAULT_METRIC_TOLERANCE));
  const checked = options.requirements?.length
    ? checkRequirements(options.requirements, metrics, {
        columns: [cols.truth?.name, ...predCols].filter((x): x is string => Boolean(x)),
        task: task.kind,
        unavailable: metrics ? undefined : unavailableReason(cols, task),
      })
    : null;
  if (checked) findings.push(...checked.findings);
  // The part every mode shares, in the order the JSON has it; the mode's own fields follow.
  const head = {
    columns: { score: cols.score?.name ?? null, label: cols.label?.name ?? null, truth: cols.truth?.name ?? null },
    inferred: cols.inferred,
    task: task.kind,
    threshold: cols.score && task.kind === 'classification' && !cols.label ? threshold : null,
    positiveClass: task.positive,
    tolerance: { abs: tol.abs, rel: tol.rel },
    ...(metrics ? { metrics } : {}),
    ...(checked ? { requirements: checked.results } : {}),
  };

  let keyed: KeyedPredictions | null = null;
  if (options.key && options.key.length > 0) {
    progress('joining predictions on the key');
    keyed = await joinPredictions(engine, research, production, { pairs: schema.pairs, key: options.key, cols, task, threshold, tolerance: tol, sample });
  }
  let summary: PredictionsSummary;
  if (keyed && keyed.matched > 0) {
    let attribution: AttributionSummary | undefined;
    if (options.features) {
      progress('attributing mismatches to features');
      attribution = await attribute(engine, keyed, options.features, options.key!, predCols);
    }
    summary = { ...head, mode: 'keyed', key: [...options.key!], ...keyed.summary, ...(attribution ? { attribution } : {}) };
    findings.push(...scoreFindings(keyed, cols, tol, attribution));
    findings.push(...(attribution ? withAttribution(keyed.findings, attribution) : keyed.findings));
    await engine.run(`DROP TABLE IF EXISTS ${keyed.table}`);
  } else {
    if (keyed) {
      findings.push(...keyed.findings);
      await engine.run(`DROP TABLE IF EXISTS ${keyed.table}`);
    }
    const note = options.key?.length
      ? 'the sides share no ids: score and label distributions were compared with the drift tests instead of rows'
      : 'no --key: score and label distributions were compared with the drift tests instead of rows';
    progress('comparing score distributions');
    const pairs = [cols.score, cols.label].filter((p): p is ColumnPair => Boolean(p));
    const dist = await compareDistributions(engine, research, production, pairs, { ...options.drift, countCategories: categoryCounts, onProgress: progress });
    findings.push(...distributionFindings('predictions', dist));
    const nonFinite = await keylessNonFinite(engine, research, production, cols);
    if (nonFinite) findings.push(...nonFinite.findings);
    summary = { ...head, mode: 'distribution', key: options.key?.length ? [...options.key] : null, note, distributions: distributionSummary(dist), ...nonFinite?.summary };
  }
  return { result: { stage: 'predictions', status: 'equal', reason: reasonOf(findings, summary), summary }, findings };
}

function reasonOf(findings: readonly Finding[], summary: PredictionsSummary): string {
  const broken = findings.filter((f) => f.severity !== 'info');
  const prefix = summary.mode === 'distribution' ? `${String(summary.note)}; ` : '';
  const met = (summary.requirements ?? []).filter((r) => r.met).map((r) => r.requirement);
  const requirements = met.length ? `; requirement${met.length === 1 ? '' : 's'} met in both environments: ${met.join(', ')}` : '';
  return (
    prefix +
    (broken.length === 0 ? 'no difference beyond tolerance' : `${broken.length} finding${broken.length === 1 ? '' : 's'}: ${[...new Set(broken.map((f) => f.cause))].join(', ')}`) +
    requirements
  );
}
