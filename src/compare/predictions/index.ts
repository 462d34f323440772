/**
 * The `predictions` stage: tolerant score match, NaN/±inf/missing predictions, label flips, rank
 * agreement, performance in each environment, and which upstream differences explain the mismatched
 * rows (through the explain engine). Rows are matched on the key in one FULL OUTER JOIN; without a key,
 * or when the sides share no ids, score and label distributions are compared with the drift tests.
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
import { ident, literal } from '../../engine/quote.js';
import { ReprodiffError } from '../../errors.js';
import { finding } from '../../findings/report.js';
import type { EvidenceValue, Finding, OutcomeWith } from '../../findings/types.js';
import type { AttributionSummary, MetricsSummary, PredictionsSummary, SideMetrics } from '../../findings/summaries.js';
import { formatCount, formatNumber, formatPercent } from '../../text/format.js';
import type { Dataset } from '../../sources/register.js';
import { classificationMetrics } from '../../stats/index.js';
import { isNumericKind, matchSchemas } from '../data/columns.js';
import type { ColumnPair, SchemaOptions } from '../data/columns.js';
import { keyHealth, keyPairs, keyValue } from '../data/keyed.js';
import type { Tolerance } from '../data/tolerance.js';
import { stableFloat, toNumber } from '../data/values.js';
import { compareDistributions, distributionFindings, distributionSummary } from '../distribution/index.js';
import type { DriftOptions } from '../distribution/index.js';
import { describeExplanation, explainDifferences, isExplaining } from '../explain/index.js';
import type { Explanation, UpstreamRelation } from '../explain/index.js';
import { num } from '../distribution/sql.js';
import { PREDICTION_NAMES, TRUTH_NAMES, inferColumn, requirePair } from './infer.js';
import { checkRequirements } from './requirements.js';
import type { Requirement } from './requirements.js';

/** Differences at most this large are floating-point noise (library version, BLAS, threads). */
export const NOISE = { rel: 1e-6, abs: 1e-12 } as const;
/** Larger differences on at least this share of rows, in both directions, look like model nondeterminism. */
export const NONDETERMINISM = { spread: 0.5, minSignShare: 0.25 } as const;
/** A metric that falls by more than this (absolute; relative for RMSE/MAE) is a performance drop. */
export const DEFAULT_METRIC_TOLERANCE = 0.01;
/** Score points kept for the research-vs-production scatter plot. */
export const SCORE_SAMPLE = 500;
const HISTOGRAM_BINS = 20;

export interface PredictionCompareOptions extends SchemaOptions {
  readonly key?: readonly string[];
  readonly scoreColumn?: string;
  readonly labelColumn?: string;
  readonly truthColumn?: string;
  readonly tolerance?: Tolerance;
  /** Decision threshold on the score (default 0.5). */
  readonly threshold?: number;
  readonly metricTolerance?: number;
  readonly sample?: number;
  /** Features of each environment, keyed like the predictions, for attribution. */
  readonly features?: { readonly research: Dataset; readonly production: Dataset; readonly key?: readonly string[]; readonly rename?: Readonly<Record<string, string>> };
  readonly drift?: DriftOptions;
  /** Performance requirements each environment's metrics must meet (`--require auc>=0.85`). */
  readonly requirements?: readonly Requirement[];
  readonly onProgress?: (message: string) => void;
}

interface Columns {
  score?: ColumnPair;
  label?: ColumnPair;
  truth?: ColumnPair;
  inferred: Record<string, string>;
}

/** Per-side metrics against the ground truth (part of the stage summary). */
export type { SideMetrics } from '../../findings/summaries.js';

/** The summary while the stage builds it: fields are set in report order. */
type PredictionsDraft = { -readonly [K in keyof PredictionsSummary]: PredictionsSummary[K] };

let counter = 0;

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
  // mode and key are set below, once the join shows whether rows match; their place in the JSON is where they are set.
  const summary: Omit<PredictionsDraft, 'mode' | 'key'> & Partial<Pick<PredictionsDraft, 'mode' | 'key'>> = {
    columns: { score: cols.score?.name ?? null, label: cols.label?.name ?? null, truth: cols.truth?.name ?? null },
    inferred: cols.inferred,
    task: task.kind,
    threshold: cols.score && task.kind === 'classification' && !cols.label ? threshold : null,
    positiveClass: task.positive,
    tolerance: { abs: tol.abs, rel: tol.rel },
  };
  const predCols = [cols.score?.name, cols.label?.name].filter((x): x is string => Boolean(x));

  progress('performance in each environment');
  const metrics = await bothMetrics(engine, research, production, cols, task, threshold);
  if (metrics) {
    summary.metrics = metrics;
    findings.push(...performanceFindings(metrics, cols, options.metricTolerance ?? DEFAULT_METRIC_TOLERANCE));
  }
  if (options.requirements?.length) {
    const checked = checkRequirements(options.requirements, metrics, {
      columns: [cols.truth?.name, ...predCols].filter((x): x is string => Boolean(x)),
      task: task.kind,
      unavailable: metrics ? undefined : unavailableReason(cols, task),
    });
    summary.requirements = checked.results;
    findings.push(...checked.findings);
  }

  let keyed: KeyedPredictions | null = null;
  if (options.key && options.key.length > 0) {
    progress('joining predictions on the key');
    keyed = await joinPredictions(engine, research, production, schema.pairs, options.key, cols, task, threshold, tol, sample);
  }
  if (keyed && keyed.matched > 0) {
    summary.mode = 'keyed';
    summary.key = [...options.key!];
    Object.assign(summary, keyed.summary);
    if (options.features) {
      progress('attributing mismatches to features');
      const attribution = await attribute(engine, keyed, options, predCols);
      summary.attribution = attribution.summary;
      findings.push(...attribution.findings);
    }
    findings.push(...scoreFindings(keyed, cols, tol, summary.attribution));
    findings.push(...keyed.findings);
    await engine.run(`DROP TABLE IF EXISTS ${keyed.table}`);
  } else {
    if (keyed) {
      findings.push(...keyed.findings);
      await engine.run(`DROP TABLE IF EXISTS ${keyed.table}`);
    }
    summary.mode = 'distribution';
    summary.key = options.key?.length ? [...options.key] : null;
    summary.note = options.key?.length
      ? 'the sides share no ids: score and label distributions were compared with the drift tests instead of rows'
      : 'no --key: score and label distributions were compared with the drift tests instead of rows';
    progress('comparing score distributions');
    const pairs = [cols.score, cols.label].filter((p): p is ColumnPair => Boolean(p));
    const dist = await compareDistributions(engine, research, production, pairs, { ...options.drift, onProgress: progress });
    findings.push(...distributionFindings('predictions', dist));
    summary.distributions = distributionSummary(dist);
    const nonFinite = await keylessNonFinite(engine, research, production, cols);
    if (nonFinite) {
      summary.rows = nonFinite.summary.rows;
      summary.nonFinite = nonFinite.summary.nonFinite;
      findings.push(...nonFinite.findings);
    }
  }
  const done = summary as PredictionsSummary;
  return { result: { stage: 'predictions', status: 'equal', reason: reasonOf(findings, done), summary: done }, findings };
}

/** Why no metric could be computed (sideMetrics returned null), for a requirement that cannot be checked. */
function unavailableReason(cols: Columns, task: Task): string {
  if (!cols.truth) return `no ground-truth column on both sides (looked for ${TRUTH_NAMES.join(', ')}; name it with --truth-col)`;
  if (task.kind === 'regression') return 'a regression needs a numeric score column (--score-col)';
  return 'a task with more than two classes needs a predicted-label column (--label-col)';
}

function reasonOf(findings: readonly Finding[], summary: PredictionsSummary): string {
  const broken = findings.filter((f) => f.severity !== 'info');
  const prefix = summary.mode === 'distribution' ? `${String(summary.note)}; ` : '';
  const met = (summary.requirements ?? []).filter((r) => r.met).map((r) => r.requirement);
  const requirements = met.length ? `; requirement${met.length === 1 ? '' : 's'} met in both environments: ${met.join(', ')}` : '';
  return prefix + (broken.length === 0 ? 'no difference beyond tolerance' : `${broken.length} finding${broken.length === 1 ? '' : 's'}: ${[...new Set(broken.map((f) => f.cause))].join(', ')}`) + requirements;
}

function resolveColumns(pairs: readonly ColumnPair[], options: PredictionCompareOptions): Columns {
  const inferred: Record<string, string> = {};
  let score = options.scoreColumn ? requirePair(pairs, options.scoreColumn, '--score-col') : undefined;
  let label = options.labelColumn ? requirePair(pairs, options.labelColumn, '--label-col') : undefined;
  if (score && !isNumericKind(score.kind)) {
    throw new ReprodiffError('E_COLUMN_UNKNOWN', `--score-col '${score.name}' is not numeric (${score.research.type})`, { suggestion: 'pass it as --label-col, or name a numeric score column' });
  }
  if (!score && !label) {
    const s = inferColumn(pairs, PREDICTION_NAMES, (p) => p.kind === 'float' || p.kind === 'decimal');
    const l = inferColumn(pairs, PREDICTION_NAMES, (p) => !(p.kind === 'float' || p.kind === 'decimal'));
    if (s) {
      score = pairs.find((p) => p.name === s);
      inferred.score = s;
    }
    if (l) {
      label = pairs.find((p) => p.name === l);
      inferred.label = l;
    }
  }
  if (!score && !label) {
    throw new ReprodiffError('E_COLUMN_UNKNOWN', 'no prediction column could be inferred', {
      suggestion: `pass --score-col and/or --label-col (looked for ${PREDICTION_NAMES.join(', ')})`,
    });
  }
  const used = [score?.name, label?.name, ...(options.key ?? [])].filter((x): x is string => Boolean(x));
  let truth = options.truthColumn ? requirePair(pairs, options.truthColumn, '--truth-col') : undefined;
  if (!truth && !options.truthColumn) {
    const t = inferColumn(pairs, TRUTH_NAMES, () => true, used);
    if (t) {
      truth = pairs.find((p) => p.name === t);
      inferred.truth = t;
    }
  }
  return { score, label, truth, inferred };
}

interface Task {
  kind: 'classification' | 'regression';
  /** Binary classes (the positive one is `positive`), or more. */
  binary: boolean;
  positive: string | null;
  classes: string[];
}

/** Label text of a column: its comparison type as VARCHAR, so 1 and 1.0 or CSV and Parquet agree. */
function labelExpr(p: ColumnPair, side: 'research' | 'production'): string {
  return `CAST(CAST(${ident(side === 'research' ? p.name : p.productionName)} AS ${p.compareType}) AS VARCHAR)`;
}

/**
 * Classification when there is a label column, a truth with at most two values, or scores in [0, 1]
 * without a truth; otherwise regression. The positive class is `true`/`1`, else the greater value.
 */
async function detectTask(engine: Engine, research: Dataset, production: Dataset, cols: Columns): Promise<Task> {
  const classCols = [cols.truth, cols.label].filter((p): p is ColumnPair => Boolean(p));
  let classes: string[] = [];
  if (classCols.length) {
    const parts = classCols.flatMap((p) => [
      `SELECT ${labelExpr(p, 'research')} AS v FROM ${research.relation}`,
      `SELECT ${labelExpr(p, 'production')} AS v FROM ${production.relation}`,
    ]);
    const rows = await engine.all(`SELECT DISTINCT v FROM (${parts.join(' UNION ALL ')}) WHERE v IS NOT NULL ORDER BY v LIMIT 51`);
    classes = rows.map((r) => String(r.v));
  }
  let kind: Task['kind'];
  if (cols.label) kind = 'classification';
  else if (cols.truth) kind = classes.length <= 2 ? 'classification' : 'regression';
  else {
    const p = cols.score!;
    const range = async (d: Dataset, name: string) =>
      engine.one(`SELECT min(CAST(${ident(name)} AS DOUBLE)) FILTER (WHERE isfinite(CAST(${ident(name)} AS DOUBLE))) AS lo, max(CAST(${ident(name)} AS DOUBLE)) FILTER (WHERE isfinite(CAST(${ident(name)} AS DOUBLE))) AS hi FROM ${d.relation}`);
    const a = await range(research, p.name);
    const b = await range(production, p.productionName);
    const lo = Math.min(toNumber(a.lo) ?? 0, toNumber(b.lo) ?? 0);
    const hi = Math.max(toNumber(a.hi) ?? 0, toNumber(b.hi) ?? 0);
    kind = lo >= 0 && hi <= 1 ? 'classification' : 'regression';
  }
  const binary = kind === 'classification' && classes.length <= 2;
  let positive: string | null = null;
  if (binary) {
    positive = classes.find((c) => c === 'true' || c === '1' || c === '1.0') ?? (classes.length === 2 ? classes[1]! : classes.length === 1 ? classes[0]! : '1');
  }
  return { kind, binary, positive, classes };
}

/** Predicted label and truth expressions of one side, for the metrics. */
function sideExprs(cols: Columns, task: Task, side: 'research' | 'production', threshold: number) {
  const score = cols.score ? `CAST(${ident(side === 'research' ? cols.score.name : cols.score.productionName)} AS DOUBLE)` : null;
  const truthLabel = cols.truth ? labelExpr(cols.truth, side) : null;
  const truthNum = cols.truth ? `TRY_CAST(${ident(side === 'research' ? cols.truth.name : cols.truth.productionName)} AS DOUBLE)` : null;
  let predPositive: string | null = null;
  if (cols.label && task.positive !== null) predPositive = `(${labelExpr(cols.label, side)} = ${literal(task.positive)})`;
  else if (!cols.label && score && task.kind === 'classification') predPositive = `(${score} >= ${num(threshold)})`;
  return { score, truthLabel, truthNum, predPositive, label: cols.label ? labelExpr(cols.label, side) : null };
}

async function sideMetrics(engine: Engine, d: Dataset, cols: Columns, task: Task, side: 'research' | 'production', threshold: number): Promise<SideMetrics | null> {
  if (!cols.truth) return null;
  const e = sideExprs(cols, task, side, threshold);
  if (task.kind === 'regression') {
    if (!e.score) return null;
    const ok = `isfinite(${e.score}) AND ${e.truthNum} IS NOT NULL AND isfinite(${e.truthNum})`;
    const r = await engine.one(`SELECT count(*) FILTER (WHERE ${ok}) AS n, avg((${e.score} - ${e.truthNum}) ^ 2) FILTER (WHERE ${ok}) AS mse, avg(abs(${e.score} - ${e.truthNum})) FILTER (WHERE ${ok}) AS mae FROM ${d.relation}`);
    const mse = toNumber(r.mse);
    return { rows: toNumber(r.n) ?? 0, rmse: stableFloat(mse === null ? null : Math.sqrt(mse)) ?? undefined, mae: stableFloat(toNumber(r.mae)) ?? undefined };
  }
  if (!task.binary) {
    if (!e.label) return null;
    const r = await engine.one(`SELECT count(*) AS n, count(*) FILTER (WHERE ${e.label} = ${e.truthLabel}) AS ok FROM ${d.relation} WHERE ${e.label} IS NOT NULL AND ${e.truthLabel} IS NOT NULL`);
    const n = toNumber(r.n) ?? 0;
    return { rows: n, accuracy: n ? (toNumber(r.ok) ?? 0) / n : 0 };
  }
  const actual = `(${e.truthLabel} = ${literal(task.positive!)})`;
  const valid = `${e.truthLabel} IS NOT NULL AND ${e.predPositive} IS NOT NULL${e.score && !cols.label ? ` AND isfinite(${e.score})` : ''}`;
  const c = await engine.one(`SELECT
    count(*) FILTER (WHERE ${e.predPositive} AND ${actual}) AS tp, count(*) FILTER (WHERE ${e.predPositive} AND NOT ${actual}) AS fp,
    count(*) FILTER (WHERE NOT ${e.predPositive} AND NOT ${actual}) AS tn, count(*) FILTER (WHERE NOT ${e.predPositive} AND ${actual}) AS fn
    FROM ${d.relation} WHERE ${valid}`);
  const conf = { tp: toNumber(c.tp) ?? 0, fp: toNumber(c.fp) ?? 0, tn: toNumber(c.tn) ?? 0, fn: toNumber(c.fn) ?? 0 };
  const m = classificationMetrics(conf);
  let rocAuc: number | null | undefined;
  if (e.score) rocAuc = await rocAucFromRanks(engine, d.relation, e.score, actual, e.truthLabel!);
  return { rows: conf.tp + conf.fp + conf.tn + conf.fn, ...m, ...(rocAuc !== undefined ? { rocAuc } : {}) };
}

/**
 * Exact ROC AUC with ties (= sklearn's roc_auc_score) as the Mann–Whitney statistic: the sum of the
 * positives' average ranks, all in DuckDB. Ranks are integers or halves, so the sum is exact in a double.
 */
export function rocAucSql(relation: string, score: string, actual: string, truth: string): string {
  return `WITH v AS (SELECT ${score} AS s, ${actual} AS pos FROM ${relation} WHERE isfinite(${score}) AND ${truth} IS NOT NULL),
r AS (SELECT pos, rank() OVER (ORDER BY s) + (count(*) OVER (PARTITION BY s) - 1) / 2.0 AS rk FROM v)
SELECT count(*) FILTER (WHERE pos) AS p, count(*) FILTER (WHERE NOT pos) AS n, sum(rk) FILTER (WHERE pos) AS rs FROM r`;
}

/** Runs rocAucSql: (rank sum of positives − P(P+1)/2) / (P·N); null when a class is absent. */
async function rocAucFromRanks(engine: Engine, relation: string, score: string, actual: string, truth: string): Promise<number | null> {
  const r = await engine.one(rocAucSql(relation, score, actual, truth));
  const p = toNumber(r.p) ?? 0;
  const n = toNumber(r.n) ?? 0;
  if (p === 0 || n === 0) return null;
  const rs = toNumber(r.rs) ?? 0;
  return stableFloat((rs - (p * (p + 1)) / 2) / (p * n));
}

async function bothMetrics(engine: Engine, research: Dataset, production: Dataset, cols: Columns, task: Task, threshold: number): Promise<MetricsSummary | null> {
  const a = await sideMetrics(engine, research, cols, task, 'research', threshold);
  const b = await sideMetrics(engine, production, cols, task, 'production', threshold);
  if (!a || !b) return null;
  const difference: Record<string, number | null> = {};
  for (const k of ['accuracy', 'precision', 'recall', 'f1', 'rocAuc', 'rmse', 'mae'] as const) {
    const x = a[k];
    const y = b[k];
    if (x === undefined || y === undefined) continue;
    difference[k] = x === null || y === null ? null : stableFloat(y - x);
  }
  return { research: a, production: b, difference };
}

function performanceFindings(m: MetricsSummary, cols: Columns, tolerance: number): Finding[] {
  const drops: { metric: string; research: number; production: number }[] = [];
  for (const k of ['accuracy', 'f1', 'rocAuc'] as const) {
    const x = m.research[k];
    const y = m.production[k];
    if (typeof x === 'number' && typeof y === 'number' && x - y > tolerance) drops.push({ metric: k, research: x, production: y });
  }
  for (const k of ['rmse', 'mae'] as const) {
    const x = m.research[k];
    const y = m.production[k];
    if (typeof x === 'number' && typeof y === 'number' && y - x > tolerance * Math.abs(x) && y - x > 1e-12) drops.push({ metric: k, research: x, production: y });
  }
  if (!drops.length) return [];
  const text = drops.map((d) => `${METRIC_LABEL[d.metric]} ${formatNumber(d.research)} → ${formatNumber(d.production)}`).join(', ');
  return [
    finding({
      stage: 'predictions', severity: 'warning', cause: 'performance_drop',
      columns: [cols.truth!.name, ...[cols.score?.name, cols.label?.name].filter((x): x is string => Boolean(x))],
      rowsAffected: null,
      message: `performance below expectation against ${cols.truth!.name}: ${text} (research → production)`,
      evidence: { drops, tolerance, research: m.research as unknown as EvidenceValue, production: m.production as unknown as EvidenceValue },
    }),
  ];
}

const METRIC_LABEL: Record<string, string> = { accuracy: 'accuracy', f1: 'F1', rocAuc: 'ROC AUC', rmse: 'RMSE', mae: 'MAE', precision: 'precision', recall: 'recall' };

// ---------------------------------------------------------------------------------------------
// Keyed comparison

/** The summary fields of matched predictions (rows, non-finite counts, match, differences, ranks, labels). */
type KeyedSummary = Pick<PredictionsSummary, 'rows' | 'nonFinite' | 'match' | 'differences' | 'scoreSample' | 'rank' | 'labels' | 'labelFlips' | 'thresholdCrossings'>;

interface KeyedPredictions {
  readonly table: string;
  readonly keyCount: number;
  readonly matched: number;
  readonly findings: Finding[];
  /** The keyed part of the stage summary. */
  readonly summary: KeyedSummary;
  readonly stats: Record<string, number | null>;
  /** SQL predicate (over the joined table) of a matched row whose prediction differs. */
  readonly differsExpr: string;
  readonly keyCols: string;
  readonly samples: { readonly noise: EvidenceValue[]; readonly large: EvidenceValue[] };
}

/** The prediction columns (score, label) a finding is about. */
function predictionColumns(cols: Columns): string[] {
  return [cols.score?.name, cols.label?.name].filter((x): x is string => Boolean(x));
}

const bad = (s: string) => `(${s} IS NULL OR NOT isfinite(${s}))`;

async function joinPredictions(
  engine: Engine,
  research: Dataset,
  production: Dataset,
  pairs: readonly ColumnPair[],
  key: readonly string[],
  cols: Columns,
  task: Task,
  threshold: number,
  tol: Tolerance,
  sample: number,
): Promise<KeyedPredictions> {
  const keys = keyPairs(pairs, key, research, production);
  const findings: Finding[] = [];
  const ha = await keyHealth(engine, research.relation, keys.map((k) => k.name), sample);
  const hb = await keyHealth(engine, production.relation, keys.map((k) => k.productionName), sample);
  for (const [h, side] of [[ha, 'research'], [hb, 'production']] as const) {
    if (h.duplicateRows > 0) {
      findings.push(finding({
        stage: 'predictions', severity: 'warning', cause: 'duplicate_keys', columns: [...predictionColumns(cols), ...key], rowsAffected: h.duplicateRows,
        message: `${formatCount(h.duplicateKeys)} ids have more than one ${side} prediction (${formatCount(h.duplicateRows)} extra rows); the first by score is compared`,
        evidence: { side, duplicateKeys: h.duplicateKeys, duplicateRows: h.duplicateRows }, sampleKeys: h.sampleDuplicateKeys.map((k) => k as EvidenceValue),
      }));
    }
  }
  const table = ident(`rd_pred_${++counter}`);
  const side = (d: Dataset, s: 'research' | 'production', dup: boolean) => {
    const name = (p: ColumnPair) => (s === 'research' ? p.name : p.productionName);
    const parts = [
      ...keys.map((p, i) => `CAST(${ident(name(p))} AS ${p.compareType}) AS k${i}`),
      cols.score ? `CAST(${ident(name(cols.score))} AS DOUBLE) AS s` : 'CAST(NULL AS DOUBLE) AS s',
      cols.label ? `${labelExpr(cols.label, s)} AS l` : 'CAST(NULL AS VARCHAR) AS l',
      cols.truth ? `${labelExpr(cols.truth, s)} AS t` : 'CAST(NULL AS VARCHAR) AS t',
      'true AS _in',
    ];
    const notNull = keys.map((p) => `${ident(name(p))} IS NOT NULL`).join(' AND ');
    const inner = `SELECT ${parts.join(', ')} FROM ${d.relation} WHERE ${notNull}`;
    return dup ? `(SELECT * FROM (${inner}) QUALIFY row_number() OVER (PARTITION BY ${keys.map((_p, i) => `k${i}`).join(', ')} ORDER BY s, l) = 1)` : `(${inner})`;
  };
  const on = keys.map((_p, i) => `a.k${i} = b.k${i}`).join(' AND ');
  const keyCols = keys.map((_p, i) => `k${i}`).join(', ');
  const useScoreLabel = !cols.label && cols.score && task.kind === 'classification';
  const labelA = useScoreLabel ? `CASE WHEN a.s >= ${num(threshold)} THEN '1' WHEN isfinite(a.s) THEN '0' END` : 'a.l';
  const labelB = useScoreLabel ? `CASE WHEN b.s >= ${num(threshold)} THEN '1' WHEN isfinite(b.s) THEN '0' END` : 'b.l';
  await engine.run(`CREATE TEMP TABLE ${table} AS
SELECT ${keys.map((_p, i) => `coalesce(a.k${i}, b.k${i}) AS k${i}`).join(', ')}, a._in AS in_a, b._in AS in_b, a.s AS sa, b.s AS sb, ${labelA} AS la, ${labelB} AS lb, a.t AS ta, b.t AS tb
FROM ${side(research, 'research', ha.duplicateRows > 0)} a FULL OUTER JOIN ${side(production, 'production', hb.duplicateRows > 0)} b ON ${on}`);
  const both = 'in_a AND in_b';
  const fin = `${both} AND isfinite(sa) AND isfinite(sb)`;
  const d = '(sb - sa)';
  const withinTol = `abs(${d}) <= ${num(tol.abs)} + ${num(tol.rel)} * abs(sa)`;
  const tiny = `(abs(${d}) <= ${num(NOISE.abs)} OR abs(${d}) <= ${num(NOISE.rel)} * greatest(abs(sa), abs(sb)))`;
  const scoreDiffers = `(${fin} AND sa <> sb AND NOT (${withinTol}))`;
  const badDiffers = `(${both} AND (${bad('sa')} <> ${bad('sb')}))`;
  const labelDiffers = `(${both} AND la IS NOT NULL AND lb IS NOT NULL AND la <> lb)`;
  const hasScore = Boolean(cols.score);
  const differsExpr = `(${hasScore ? `${scoreDiffers} OR ${badDiffers} OR ` : ''}${labelDiffers} OR (${both} AND (la IS NULL) <> (lb IS NULL)))`;
  const s = await engine.one(`SELECT
  count(*) FILTER (WHERE in_b IS NULL) AS only_a, count(*) FILTER (WHERE in_a IS NULL) AS only_b, count(*) FILTER (WHERE ${both}) AS matched,
  count(*) FILTER (WHERE ${differsExpr}) AS differing,
  count(*) FILTER (WHERE in_a AND sa IS NULL) AS a_null, count(*) FILTER (WHERE in_a AND isnan(sa)) AS a_nan, count(*) FILTER (WHERE in_a AND isinf(sa)) AS a_inf,
  count(*) FILTER (WHERE in_b AND sb IS NULL) AS b_null, count(*) FILTER (WHERE in_b AND isnan(sb)) AS b_nan, count(*) FILTER (WHERE in_b AND isinf(sb)) AS b_inf,
  count(*) FILTER (WHERE ${both} AND ${bad('sb')} AND NOT ${bad('sa')}) AS new_bad_b,
  count(*) FILTER (WHERE ${both} AND ${bad('sa')} AND NOT ${bad('sb')}) AS new_bad_a,
  count(*) FILTER (WHERE ${both} AND ${bad('sa')} AND ${bad('sb')}) AS both_bad,
  count(*) FILTER (WHERE ${fin}) AS finite_pairs,
  count(*) FILTER (WHERE ${fin} AND sa <> sb) AS raw_differ,
  count(*) FILTER (WHERE ${scoreDiffers}) AS score_differ,
  count(*) FILTER (WHERE ${scoreDiffers} AND ${tiny}) AS noise,
  count(*) FILTER (WHERE ${scoreDiffers} AND NOT ${tiny}) AS large,
  count(*) FILTER (WHERE ${scoreDiffers} AND NOT ${tiny} AND sb > sa) AS large_up,
  count(*) FILTER (WHERE ${scoreDiffers} AND NOT ${tiny} AND sb < sa) AS large_down,
  max(abs(${d})) FILTER (WHERE ${fin}) AS max_abs, avg(abs(${d})) FILTER (WHERE ${fin}) AS mean_abs,
  max(abs(${d}) / abs(sa)) FILTER (WHERE ${fin} AND sa <> 0) AS max_rel,
  max(abs(${d}) / greatest(abs(sa), abs(sb))) FILTER (WHERE ${scoreDiffers} AND ${tiny}) AS noise_max_rel,
  max(abs(${d})) FILTER (WHERE ${scoreDiffers} AND ${tiny}) AS noise_max_abs,
  min(${d}) FILTER (WHERE ${fin}) AS min_d, max(${d}) FILTER (WHERE ${fin}) AS max_d,
  count(*) FILTER (WHERE ${labelDiffers}) AS flips,
  count(*) FILTER (WHERE ${both} AND ta IS DISTINCT FROM tb) AS truth_changed,
  count(*) FILTER (WHERE ${fin} AND ((sa >= ${num(threshold)}) <> (sb >= ${num(threshold)}))) AS crossings
FROM ${table}`);
  const st: Record<string, number | null> = {};
  for (const [k, v] of Object.entries(s)) st[k] = toNumber(v);
  const n = (k: string) => st[k] ?? 0;
  const matched = n('matched');
  const sampleOf = async (where: string) =>
    (await engine.all(`SELECT ${keyCols} FROM ${table} WHERE ${where} ORDER BY ${keyCols} LIMIT ${sample}`)).map((r) => keyValue(keys.map((_p, i) => r[`k${i}`])) as EvidenceValue);
  const columns = [cols.score?.name, cols.label?.name].filter((x): x is string => Boolean(x));

  if (n('only_a') > 0) {
    findings.push(finding({
      stage: 'predictions', severity: 'error', cause: 'prediction_missing', columns, rowsAffected: n('only_a'),
      message: `${formatCount(n('only_a'))} ids scored in research have no production prediction`,
      evidence: { side: 'production', missing: n('only_a'), researchRows: ha.rows }, sampleKeys: await sampleOf('in_b IS NULL'),
    }));
  }
  if (n('only_b') > 0) {
    findings.push(finding({
      stage: 'predictions', severity: 'error', cause: 'prediction_missing', columns, rowsAffected: n('only_b'),
      message: `${formatCount(n('only_b'))} ids scored in production have no research prediction`,
      evidence: { side: 'research', missing: n('only_b'), productionRows: hb.rows }, sampleKeys: await sampleOf('in_a IS NULL'),
    }));
  }

  const nonFinite = {
    research: { null: n('a_null'), nan: n('a_nan'), inf: n('a_inf') },
    production: { null: n('b_null'), nan: n('b_nan'), inf: n('b_inf') },
    newInProduction: n('new_bad_b'), newInResearch: n('new_bad_a'), both: n('both_bad'),
  };
  const summary: { -readonly [K in keyof KeyedSummary]: KeyedSummary[K] } = {
    rows: { research: ha.rows, production: hb.rows, matched, onlyResearch: n('only_a'), onlyProduction: n('only_b') },
    nonFinite,
    match: {
      differingRows: n('differing'),
      rate: matched ? stableFloat(1 - n('differing') / matched) : null,
      ...(hasScore
        ? {
            scoreDiffering: n('score_differ'), noiseRows: n('noise'), largeRows: n('large'), exactlyEqual: n('finite_pairs') - n('raw_differ'),
            maxAbsDiff: stableFloat(st.max_abs ?? null), meanAbsDiff: stableFloat(st.mean_abs ?? null), maxRelDiff: stableFloat(st.max_rel ?? null),
          }
        : {}),
    },
  };
  if (hasScore) {
    summary.differences = await differenceHistogram(engine, table, fin, st.min_d ?? null, st.max_d ?? null);
    summary.scoreSample = (await engine.all(`SELECT sa, sb FROM ${table} WHERE ${fin} ORDER BY hash(${keyCols}), ${keyCols} LIMIT ${SCORE_SAMPLE}`)).map((r) => [toNumber(r.sa), toNumber(r.sb)] as const);
    summary.rank = await rankAgreement(engine, table, fin, keyCols, n('finite_pairs'));
  }
  if (task.kind === 'classification') {
    summary.labels = await labelConfusion(engine, table, both);
    summary.labelFlips = n('flips');
    if (hasScore) summary.thresholdCrossings = n('crossings');
  }

  // NaN / ±inf / null predictions.
  if (hasScore) {
    for (const [sideName, newKey, bothCount] of [['production', 'new_bad_b', n('both_bad')], ['research', 'new_bad_a', 0]] as const) {
      const rows = n(newKey);
      if (rows === 0) continue;
      const col = sideName === 'production' ? 'sb' : 'sa';
      const other = sideName === 'production' ? 'sa' : 'sb';
      findings.push(finding({
        stage: 'predictions', severity: 'error', cause: 'prediction_nan', columns: [cols.score!.name], rowsAffected: rows,
        message: `${formatCount(rows)} ${sideName} predictions are NaN, ±inf or null where ${sideName === 'production' ? 'research' : 'production'} has a number`,
        evidence: { side: sideName, ...nonFinite[sideName], alsoNonFiniteOnOtherSide: bothCount },
        sampleKeys: await sampleOf(`${both} AND ${bad(col)} AND NOT ${bad(other)}`),
      }));
    }
    if (n('both_bad') > 0) {
      findings.push(finding({
        stage: 'predictions', severity: 'info', cause: 'prediction_nan', columns: [cols.score!.name], rowsAffected: n('both_bad'),
        message: `${formatCount(n('both_bad'))} ids have no finite prediction in either environment`,
        evidence: { both: n('both_bad') }, sampleKeys: await sampleOf(`${both} AND ${bad('sa')} AND ${bad('sb')}`),
      }));
    }
  }
  // The ground truth itself differs on matched ids: the metrics of the two sides are not measured against the same targets.
  if (cols.truth && n('truth_changed') > 0) {
    findings.push(finding({
      stage: 'predictions', severity: 'error', cause: 'value_changed', columns: [cols.truth.name, ...columns], rowsAffected: n('truth_changed'),
      message: `${cols.truth.name}: the ground truth differs on ${formatCount(n('truth_changed'))} of ${formatCount(matched)} matched ids (${formatPercent(n('truth_changed') / Math.max(1, matched))}): the targets no longer mean the same thing, so metrics are not comparable`,
      evidence: { column: cols.truth.name, changed: n('truth_changed'), matched }, sampleKeys: await sampleOf(`${both} AND ta IS DISTINCT FROM tb`),
    }));
  }
  // Label flips and threshold crossings.
  if (task.kind === 'classification' && n('flips') > 0) {
    const labels = summary.labels as unknown as EvidenceValue;
    const byScore = !cols.label;
    findings.push(finding({
      stage: 'predictions', severity: 'error', cause: 'label_flip', columns, rowsAffected: n('flips'),
      message: byScore
        ? `${formatCount(n('flips'))} scores crossed the decision threshold ${formatNumber(threshold)} (${formatPercent(n('flips') / Math.max(1, matched))} of matched ids): the predicted class flips`
        : `${formatCount(n('flips'))} predicted labels differ (${formatPercent(n('flips') / Math.max(1, matched))} of matched ids)${hasScore ? `; ${formatCount(n('crossings'))} scores crossed the threshold ${formatNumber(threshold)}` : ''}`,
      evidence: { flips: n('flips'), matched, confusion: labels, ...(hasScore ? { thresholdCrossings: n('crossings'), threshold } : {}) },
      sampleKeys: await sampleOf(labelDiffers),
    }));
  }
  const samples = {
    noise: hasScore && n('noise') ? await sampleOf(`${scoreDiffers} AND ${tiny}`) : [],
    large: hasScore && n('large') ? await sampleOf(`${scoreDiffers} AND NOT ${tiny}`) : [],
  };
  return { table, keyCount: keys.length, matched, findings, summary, stats: st, differsExpr, keyCols, samples };
}

async function differenceHistogram(engine: Engine, table: string, fin: string, lo: number | null, hi: number | null): Promise<{ edges: number[]; counts: number[] }> {
  if (lo === null || hi === null) return { edges: [], counts: [] };
  if (!(hi > lo)) {
    const r = await engine.one(`SELECT count(*) AS n FROM ${table} WHERE ${fin}`);
    return { edges: [lo, hi], counts: [toNumber(r.n) ?? 0] };
  }
  const width = (hi - lo) / HISTOGRAM_BINS;
  const rows = await engine.all(`SELECT least(${HISTOGRAM_BINS - 1}, CAST(floor(((sb - sa) - ${num(lo)}) / ${num(width)}) AS INTEGER)) AS bin, count(*) AS n FROM ${table} WHERE ${fin} GROUP BY 1 ORDER BY 1`);
  const counts = new Array<number>(HISTOGRAM_BINS).fill(0);
  for (const r of rows) counts[Math.max(0, toNumber(r.bin) ?? 0)]! += toNumber(r.n) ?? 0;
  const edges = Array.from({ length: HISTOGRAM_BINS + 1 }, (_v, i) => (i === HISTOGRAM_BINS ? hi : lo + width * i));
  return { edges, counts };
}

/**
 * Spearman's rho (= scipy.stats.spearmanr: Pearson correlation of average ranks) and top-k overlap
 * (k = 1% of rows and 100 rows; ties broken by key), all in DuckDB.
 */
export function spearmanSql(table: string, where: string): string {
  return `WITH p AS (SELECT sa, sb FROM ${table} WHERE ${where}),
r AS (SELECT rank() OVER (ORDER BY sa) + (count(*) OVER (PARTITION BY sa) - 1) / 2.0 AS ra, rank() OVER (ORDER BY sb) + (count(*) OVER (PARTITION BY sb) - 1) / 2.0 AS rb FROM p)
SELECT corr(ra, rb) AS rho, count(*) AS n FROM r`;
}

async function rankAgreement(engine: Engine, table: string, fin: string, keyCols: string, n: number): Promise<NonNullable<PredictionsSummary['rank']>> {
  if (n === 0) return { spearman: null, topK: [] };
  const r = await engine.one(spearmanSql(table, fin));
  const ks = [...new Set([Math.max(1, Math.ceil(0.01 * n)), Math.min(100, n)])].sort((x, y) => x - y);
  const o = await engine.one(`SELECT ${ks.map((k, i) => `count(*) FILTER (WHERE ra <= ${k} AND rb <= ${k}) AS o${i}`).join(', ')}
FROM (SELECT row_number() OVER (ORDER BY sa DESC, ${keyCols}) AS ra, row_number() OVER (ORDER BY sb DESC, ${keyCols}) AS rb FROM ${table} WHERE ${fin})`);
  const rho = toNumber(r.rho);
  return {
    spearman: rho === null || Number.isNaN(rho) ? null : stableFloat(rho),
    topK: ks.map((k, i) => ({ k, overlap: stableFloat((toNumber(o[`o${i}`]) ?? 0) / k) })),
  };
}

async function labelConfusion(engine: Engine, table: string, both: string): Promise<{ values: string[]; counts: number[][] }> {
  const rows = await engine.all(`SELECT coalesce(la, '(none)') AS a, coalesce(lb, '(none)') AS b, count(*) AS n FROM ${table} WHERE ${both} GROUP BY ALL ORDER BY a, b`);
  const values = [...new Set(rows.flatMap((r) => [String(r.a), String(r.b)]))].sort().slice(0, 50);
  const counts = values.map(() => values.map(() => 0));
  for (const r of rows) {
    const i = values.indexOf(String(r.a));
    const j = values.indexOf(String(r.b));
    if (i >= 0 && j >= 0) counts[i]![j] = toNumber(r.n) ?? 0;
  }
  return { values, counts };
}

// ---------------------------------------------------------------------------------------------
// Attribution and score findings

async function attribute(engine: Engine, keyed: KeyedPredictions, options: PredictionCompareOptions, predCols: readonly string[]): Promise<{ summary: AttributionSummary; findings: Finding[] }> {
  const f = options.features!;
  const upstream: UpstreamRelation = { name: 'features', research: f.research, production: f.production, key: f.key ?? options.key!, rename: f.rename, ignore: predCols.filter((c) => !(f.key ?? options.key!).includes(c)) };
  const keyColumns = Array.from({ length: keyed.keyCount }, (_v, i) => `k${i}`);
  const run = async (differs: string, where: string) =>
    explainDifferences(engine, { differing: `(SELECT ${keyed.keyCols}, ${differs} AS differs FROM ${keyed.table} WHERE ${where})`, keyColumns, upstream: [upstream] });
  const top = (list: Explanation[]) => list.filter((e) => e.lift > 0).slice(0, 20);
  const n = (k: string) => keyed.stats[k] ?? 0;
  const mismatched = n('differing') > 0 ? top(await run(keyed.differsExpr, 'in_a AND in_b')) : [];
  const nonFiniteProduction = n('b_null') + n('b_nan') + n('b_inf') > 0 ? top(await run(bad('sb'), 'in_b')) : [];
  const nonFiniteResearch = n('a_null') + n('a_nan') + n('a_inf') > 0 ? top(await run(bad('sa'), 'in_a')) : [];
  return { summary: { mismatched, nonFiniteProduction, nonFiniteResearch }, findings: [] };
}

function explanationEvidence(list: readonly Explanation[]): EvidenceValue {
  return list.slice(0, 5).map((e) => ({ ...e }) as unknown as EvidenceValue);
}

/** Score differences: noise, mismatch on a subset (attributed when possible), or nondeterminism. */
function scoreFindings(keyed: KeyedPredictions, cols: Columns, tol: Tolerance, attribution: AttributionSummary | undefined): Finding[] {
  const out: Finding[] = [];
  const n = (k: string) => keyed.stats[k] ?? 0;
  const columns = [cols.score?.name, cols.label?.name].filter((x): x is string => Boolean(x));
  // Attach attribution to the NaN findings already made.
  if (attribution) {
    for (const [i, f] of keyed.findings.entries()) {
      if (f.cause !== 'prediction_nan' || f.severity === 'info') continue;
      const list = f.evidence.side === 'research' ? attribution.nonFiniteResearch : attribution.nonFiniteProduction;
      const best = list.find(isExplaining);
      if (!best) continue;
      keyed.findings[i] = { ...f, message: `${f.message}; traced to inputs: ${describeExplanation(best, 'NaN rows', 'other rows')}`, evidence: { ...f.evidence, attribution: explanationEvidence(list) } };
    }
  }
  if (!cols.score) return out;
  const matched = keyed.matched;
  const noise = n('noise');
  const large = n('large');
  const base = {
    matched, differing: n('score_differ'), noiseRows: noise, largeRows: large,
    maxAbsDiff: stableFloat(keyed.stats.max_abs ?? null), meanAbsDiff: stableFloat(keyed.stats.mean_abs ?? null), maxRelDiff: stableFloat(keyed.stats.max_rel ?? null),
    tolerance: { abs: tol.abs, rel: tol.rel },
  };
  if (noise > 0) {
    const spread = noise / Math.max(1, n('finite_pairs'));
    out.push(finding({
      stage: 'predictions', severity: large > 0 ? 'info' : 'warning', cause: 'numeric_noise', columns: [cols.score.name], rowsAffected: noise,
      message: `${formatCount(noise)} scores (${formatPercent(spread)} of matched ids) differ by at most ${formatNumber(keyed.stats.noise_max_rel ?? 0)} relative: floating-point noise (library version / BLAS nondeterminism); accept it with --rel-tol 1e-6`,
      evidence: { ...base, spread: stableFloat(spread), noiseMaxRel: stableFloat(keyed.stats.noise_max_rel ?? null), noiseMaxAbs: stableFloat(keyed.stats.noise_max_abs ?? null) },
      sampleKeys: keyed.samples.noise,
    }));
  }
  if (large > 0) {
    const share = large / Math.max(1, n('finite_pairs'));
    const best = attribution?.mismatched.find(isExplaining);
    const minSign = Math.min(n('large_up'), n('large_down')) / large;
    const random = share >= NONDETERMINISM.spread && minSign >= NONDETERMINISM.minSignShare;
    const what = `${formatCount(large)} of ${formatCount(matched)} scores differ beyond tolerance (${formatPercent(share)}; max |Δ| ${formatNumber(keyed.stats.max_abs ?? null)}, mean |Δ| ${formatNumber(keyed.stats.mean_abs ?? null)})`;
    const evidence = { ...base, share: stableFloat(share), up: n('large_up'), down: n('large_down'), ...(attribution ? { attribution: explanationEvidence(attribution.mismatched) } : {}) };
    if (best) {
      out.push(finding({
        stage: 'predictions', severity: 'error', cause: 'prediction_mismatch', columns, rowsAffected: large,
        message: `${what}; ${describeExplanation(best, 'mismatched rows', 'matched rows')}`, evidence, sampleKeys: keyed.samples.large,
      }));
    } else if (random) {
      out.push(finding({
        stage: 'predictions', severity: 'error', cause: 'model_nondeterminism', columns, rowsAffected: large,
        message: `${what}, in both directions, with no ${attribution ? 'upstream explanation in the features' : 'upstream explanation (no features given to check)'}: unseeded or nondeterministic model`,
        evidence, sampleKeys: keyed.samples.large,
      }));
    } else {
      out.push(finding({
        stage: 'predictions', severity: 'error', cause: 'prediction_mismatch', columns, rowsAffected: large,
        message: `${what}: ${share >= NONDETERMINISM.spread ? 'spread over most rows, mostly in one direction' : 'concentrated on a subset of rows'}${attribution ? ', no single feature difference explains it' : ' (pass --features-research/--features-production to attribute them)'}`,
        evidence, sampleKeys: keyed.samples.large,
      }));
    }
  }
  return out;
}

/** Without matched rows: counts of NaN/±inf/null predictions per side. */
async function keylessNonFinite(engine: Engine, research: Dataset, production: Dataset, cols: Columns): Promise<{ summary: Required<Pick<PredictionsSummary, 'rows' | 'nonFinite'>>; findings: Finding[] } | null> {
  if (!cols.score) return null;
  const count = async (d: Dataset, name: string) => {
    const s = `CAST(${ident(name)} AS DOUBLE)`;
    const r = await engine.one(`SELECT count(*) AS n, count(*) FILTER (WHERE ${s} IS NULL) AS nul, count(*) FILTER (WHERE isnan(${s})) AS nan, count(*) FILTER (WHERE isinf(${s})) AS inf FROM ${d.relation}`);
    return { rows: toNumber(r.n) ?? 0, null: toNumber(r.nul) ?? 0, nan: toNumber(r.nan) ?? 0, inf: toNumber(r.inf) ?? 0 };
  };
  const a = await count(research, cols.score.name);
  const b = await count(production, cols.score.productionName);
  const summary = { rows: { research: a.rows, production: b.rows }, nonFinite: { research: { null: a.null, nan: a.nan, inf: a.inf }, production: { null: b.null, nan: b.nan, inf: b.inf } } };
  const ta = a.null + a.nan + a.inf;
  const tb = b.null + b.nan + b.inf;
  const out: Finding[] = [];
  if (ta !== tb) {
    const [more, rows] = tb > ta ? ['production', tb] : ['research', ta];
    out.push(finding({
      stage: 'predictions', severity: 'error', cause: 'prediction_nan', columns: [cols.score.name], rowsAffected: Math.abs(tb - ta),
      message: `${more} has ${formatCount(rows)} NaN, ±inf or null predictions vs ${formatCount(more === 'production' ? ta : tb)} in ${more === 'production' ? 'research' : 'production'}`,
      evidence: { research: { ...a }, production: { ...b } },
    }));
  } else if (ta > 0) {
    out.push(finding({
      stage: 'predictions', severity: 'info', cause: 'prediction_nan', columns: [cols.score.name], rowsAffected: ta,
      message: `both environments have ${formatCount(ta)} NaN, ±inf or null predictions`, evidence: { research: { ...a }, production: { ...b } },
    }));
  }
  return { summary, findings: out };
}

