/**
 * Performance in each environment against the ground truth — accuracy, precision, recall, F1, ROC AUC for
 * classification; RMSE and MAE for regression — all counted in DuckDB, and the drop from research to production.
 */
import type { Engine } from '../../engine/engine.js';
import { ident, literal } from '../../engine/quote.js';
import { finding } from '../../findings/report.js';
import type { MetricsSummary, SideMetrics } from '../../findings/summaries.js';
import type { EvidenceValue, Finding } from '../../findings/types.js';
import { formatNumber } from '../../text/format.js';
import type { Dataset } from '../../sources/register.js';
import { classificationMetrics } from '../../stats/index.js';
import { stableFloat, toNumber } from '../shared/values.js';
import { num } from '../distribution/sql.js';
import { labelExpr } from './task.js';
import type { Columns, Task } from './task.js';

/** A metric that falls by more than this (absolute; relative for RMSE/MAE) is a performance drop. */
export const DEFAULT_METRIC_TOLERANCE = 0.01;

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
    const r = await engine.one(
      `SELECT count(*) FILTER (WHERE ${ok}) AS n, avg((${e.score} - ${e.truthNum}) ^ 2) FILTER (WHERE ${ok}) AS mse, avg(abs(${e.score} - ${e.truthNum})) FILTER (WHERE ${ok}) AS mae FROM ${d.relation}`,
    );
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

export async function bothMetrics(engine: Engine, research: Dataset, production: Dataset, cols: Columns, task: Task, threshold: number): Promise<MetricsSummary | null> {
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

export function performanceFindings(m: MetricsSummary, cols: Columns, tolerance: number): Finding[] {
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
      stage: 'predictions',
      severity: 'warning',
      cause: 'performance_drop',
      columns: [cols.truth!.name, ...[cols.score?.name, cols.label?.name].filter((x): x is string => Boolean(x))],
      rowsAffected: null,
      message: `performance below expectation against ${cols.truth!.name}: ${text} (research → production)`,
      evidence: { drops, tolerance, research: m.research as unknown as EvidenceValue, production: m.production as unknown as EvidenceValue },
    }),
  ];
}

const METRIC_LABEL: Record<string, string> = { accuracy: 'accuracy', f1: 'F1', rocAuc: 'ROC AUC', rmse: 'RMSE', mae: 'MAE', precision: 'precision', recall: 'recall' };
