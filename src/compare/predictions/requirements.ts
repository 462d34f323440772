/**
 * Performance requirements (`--require auc>=0.85`, `stages.predictions.require`): each environment's
 * metrics, as the predictions stage computes them, against stated minimums (or maximums, for errors).
 * A requirement is never passed silently: a metric that is missing on a side, or cannot be computed at
 * all (no ground truth), fails it.
 */
import { ReprodiffError } from '../../errors.js';
import type { ErrorCode } from '../../errors.js';
import { finding } from '../../findings/report.js';
import type { EvidenceValue, Finding } from '../../findings/types.js';
import type { SideMetrics } from '../../findings/summaries.js';
import { formatNumber } from '../../text/format.js';

/** The metrics a requirement may name: what the predictions stage computes, with its direction and range. */
export const REQUIREMENT_METRICS = {
  accuracy: { summaryKey: 'accuracy', label: 'accuracy', operator: '>=', bounded: true },
  precision: { summaryKey: 'precision', label: 'precision', operator: '>=', bounded: true },
  recall: { summaryKey: 'recall', label: 'recall', operator: '>=', bounded: true },
  f1: { summaryKey: 'f1', label: 'F1', operator: '>=', bounded: true },
  auc: { summaryKey: 'rocAuc', label: 'ROC AUC', operator: '>=', bounded: true },
  rmse: { summaryKey: 'rmse', label: 'RMSE', operator: '<=', bounded: false },
  mae: { summaryKey: 'mae', label: 'MAE', operator: '<=', bounded: false },
} as const;

export type RequirementMetric = keyof typeof REQUIREMENT_METRICS;
export type RequirementOperator = '>=' | '<=';

/** Other spellings of a metric name (compared lower-case, with `-` read as `_`). */
const ALIASES: Readonly<Record<string, RequirementMetric>> = { roc_auc: 'auc', rocauc: 'auc', f1_score: 'f1' };

/** One requirement: `metric operator value`, e.g. auc >= 0.85. */
export interface Requirement {
  readonly metric: RequirementMetric;
  readonly operator: RequirementOperator;
  readonly value: number;
}

/** The accepted metrics, as error messages list them. */
export function acceptedMetrics(): string {
  const by = (op: RequirementOperator) =>
    Object.entries(REQUIREMENT_METRICS)
      .filter(([, m]) => m.operator === op)
      .map(([k]) => k)
      .join(', ');
  return `${by('>=')} (higher is better: METRIC>=VALUE); ${by('<=')} (lower is better: METRIC<=VALUE)`;
}

/** The requirement's text, as users write it: `auc>=0.85`. */
export function requirementText(r: Requirement): string {
  return `${r.metric}${r.operator}${r.value}`;
}

const EXPRESSION = /^\s*([A-Za-z][A-Za-z0-9_-]*)\s*(>=|<=|=>|=<|>|<|==|=)\s*([^\s=<>].*?)\s*$/;

/**
 * Parses `METRIC>=VALUE` (or `METRIC<=VALUE` for a lower-is-better metric). Unknown metrics, another
 * operator, the wrong direction, a value that is not a finite number or outside the metric's range are
 * refused in one line naming the accepted metrics (`code`: E_USAGE for flags, E_CONFIG for the config).
 */
export function parseRequirement(text: string, where = '--require', code: ErrorCode = 'E_USAGE'): Requirement {
  const fail = (why: string, suggestion = `write METRIC>=VALUE or METRIC<=VALUE, e.g. auc>=0.85 or rmse<=3.5; metrics: ${acceptedMetrics()}`): never => {
    throw new ReprodiffError(code, `${where} '${text}': ${why}`, { suggestion });
  };
  const m = EXPRESSION.exec(text);
  if (!m) {
    // `--require auc>=0.85` unquoted reaches us as `auc`: the shell took `>=0.85` as a redirection.
    if (where.startsWith('--') && /^\s*[A-Za-z][A-Za-z0-9_-]*\s*$/.test(text))
      return fail('not a requirement', `quote it, e.g. --require '${text.trim()}>=0.85': unquoted, a shell reads > and < as redirections`);
    return fail('not a requirement');
  }
  const name = m[1]!.toLowerCase().replaceAll('-', '_');
  const metric = (Object.hasOwn(REQUIREMENT_METRICS, name) ? name : ALIASES[name]) as RequirementMetric | undefined;
  if (!metric) {
    const notComputed = ['logloss', 'log_loss', 'brier', 'brier_score', 'mse', 'r2'].includes(name) ? ' (reprodiff does not compute it)' : '';
    return fail(`unknown metric '${m[1]}'${notComputed}`, `metrics: ${acceptedMetrics()}`);
  }
  const spec = REQUIREMENT_METRICS[metric];
  const op = m[2]!;
  if (op !== '>=' && op !== '<=') return fail(`'${op}' is not an operator here`, `write ${metric}${spec.operator}VALUE`);
  if (op !== spec.operator) {
    return fail(
      spec.operator === '>=' ? `${metric} is higher-is-better: a requirement is a minimum` : `${metric} is lower-is-better: a requirement is a maximum`,
      `write ${metric}${spec.operator}VALUE`,
    );
  }
  const raw = m[3]!;
  const value = Number(raw);
  if (!/^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(raw) || !Number.isFinite(value)) return fail(`'${raw}' is not a finite number`);
  if (spec.bounded && (value < 0 || value > 1)) return fail(`${metric} lies between 0 and 1`, `write a value in [0, 1], e.g. ${metric}${spec.operator}0.85`);
  if (!spec.bounded && value < 0) return fail(`${metric} is never negative`, `write a value ≥ 0, e.g. ${metric}${spec.operator}3.5`);
  return { metric, operator: op, value };
}

/** Parses every `--require`; a metric given twice is refused (which one would hold?). */
export function parseRequirements(texts: readonly string[] | undefined, where = '--require', code: ErrorCode = 'E_USAGE'): Requirement[] {
  const out: Requirement[] = [];
  for (const t of texts ?? []) {
    const r = parseRequirement(t, where, code);
    if (out.some((x) => x.metric === r.metric)) throw new ReprodiffError(code, `${where} '${t}': ${r.metric} is required twice`, { suggestion: 'give one requirement per metric' });
    out.push(r);
  }
  return out;
}

/** reprodiff.yml's `require: { auc: ">=0.85" }` as requirements (the schema has already checked the names). */
export function requirementsFromMap(map: Readonly<Record<string, string>> | undefined, where: string, code: ErrorCode = 'E_CONFIG'): Requirement[] {
  return Object.entries(map ?? {}).map(([metric, expr]) => parseRequirement(`${metric}${expr}`, `${where}.${metric}`, code));
}

/** Per-side metric values as the predictions stage reports them (a metric absent or null was not computed). */
export type SideValues = Partial<SideMetrics>;
type Side = 'research' | 'production';

/** Why a metric is missing, for the message: the stage knows the task. */
export interface RequirementContext {
  /** Columns the finding names: truth, then score/label. */
  readonly columns: readonly string[];
  /** Present when metrics could not be computed at all; the reason as a sentence part. */
  readonly unavailable?: string;
  readonly task: string;
}

/** One requirement's outcome, as the stage summary lists it. */
export interface RequirementResult {
  readonly metric: RequirementMetric;
  readonly requirement: string;
  readonly research: number | null;
  readonly production: number | null;
  readonly met: boolean;
  /** Sides below (or above) the requirement. */
  readonly failed: readonly Side[];
  /** Sides where the metric could not be computed. */
  readonly missing: readonly Side[];
}

/**
 * Checks each requirement against both environments' metrics: a side fails when its value is on the wrong
 * side of the requirement or missing. Met requirements go in the summary only; each unmet one is an error
 * finding (`performance_requirement`) with both values and which sides failed.
 */
export function checkRequirements(
  requirements: readonly Requirement[],
  metrics: { readonly research: SideValues; readonly production: SideValues } | null,
  context: RequirementContext,
): { results: RequirementResult[]; findings: Finding[] } {
  const results: RequirementResult[] = [];
  const findings: Finding[] = [];
  for (const r of requirements) {
    const spec = REQUIREMENT_METRICS[r.metric];
    const value = (s: Side): number | null => {
      const v = metrics?.[s][spec.summaryKey];
      return typeof v === 'number' && Number.isFinite(v) ? v : null;
    };
    const values = { research: value('research'), production: value('production') };
    const sides: Side[] = ['research', 'production'];
    const missing = sides.filter((s) => values[s] === null);
    const failed = sides.filter((s) => values[s] !== null && (r.operator === '>=' ? values[s]! < r.value : values[s]! > r.value));
    const met = missing.length === 0 && failed.length === 0;
    results.push({ metric: r.metric, requirement: requirementText(r), research: values.research, production: values.production, met, failed, missing });
    if (met) continue;
    const need = `${spec.label} ${r.operator === '>=' ? '≥' : '≤'} ${formatNumber(r.value)}`;
    const shown = (s: Side) => (values[s] === null ? 'not computed' : formatNumber(values[s]));
    let message: string;
    if (context.unavailable && missing.length === 2) {
      message = `requirement ${need} cannot be checked: ${context.unavailable}`;
    } else if (missing.length === 2) {
      message = `requirement ${need} cannot be checked: ${spec.label} is not computed for a ${context.task} task (in either environment)`;
    } else {
      const parts: string[] = [];
      if (failed.length === 2)
        parts.push(
          `${spec.label} ${r.operator === '>=' ? 'below' : 'above'} the required ${r.operator === '>=' ? '≥' : '≤'} ${formatNumber(r.value)} in both environments: research ${shown('research')}, production ${shown('production')}`,
        );
      else if (failed.length === 1) {
        const [bad] = failed as [Side];
        const other: Side = bad === 'research' ? 'production' : 'research';
        parts.push(
          `${spec.label} ${shown(bad)} in ${bad} is ${r.operator === '>=' ? 'below' : 'above'} the required ${r.operator === '>=' ? '≥' : '≤'} ${formatNumber(r.value)} (${other} ${shown(other)})`,
        );
      }
      for (const s of missing)
        parts.push(
          `${spec.label} could not be computed in ${s} (${s === 'research' ? 'production' : 'research'} ${shown(s === 'research' ? 'production' : 'research')}): requirement ${need} unchecked there`,
        );
      message = parts.join('; ');
    }
    const evidence: Record<string, EvidenceValue> = {
      metric: r.metric,
      requirement: requirementText(r),
      operator: r.operator,
      threshold: r.value,
      research: values.research,
      production: values.production,
      failed: [...failed],
      missing: [...missing],
    };
    if (context.unavailable && missing.length === 2) evidence.reason = context.unavailable;
    findings.push(finding({ stage: 'predictions', severity: 'error', cause: 'performance_requirement', columns: [...context.columns], rowsAffected: null, message, evidence }));
  }
  return { results, findings };
}

/** `--require`'s help line (predictions and check). */
export const REQUIRE_FLAG_SUMMARY = `Performance requirement each environment must meet, as METRIC>=VALUE or METRIC<=VALUE (repeatable), e.g. --require 'auc>=0.85' --require 'rmse<=3.5' (quoted: > and < are shell redirections). Metrics: ${Object.keys(REQUIREMENT_METRICS).join(', ')}. Needs a ground-truth column; unchecked is a failure.`;
