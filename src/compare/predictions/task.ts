/**
 * Which columns the predictions stage compares — score, predicted label, ground truth, named or inferred — and
 * the task they describe: binary or multi-class classification, or regression.
 */
import type { Engine } from '../../engine/engine.js';
import { ident } from '../../engine/quote.js';
import { ReprodiffError } from '../../errors.js';
import type { Dataset } from '../../sources/register.js';
import { isNumericKind } from '../data/columns.js';
import type { ColumnPair } from '../data/columns.js';
import { toNumber } from '../shared/values.js';
import { PREDICTION_NAMES, TRUTH_NAMES, inferColumn, requirePair } from './infer.js';

/** The columns a user may name (the rest are inferred from their names). */
export interface ColumnOptions {
  readonly key?: readonly string[];
  readonly scoreColumn?: string;
  readonly labelColumn?: string;
  readonly truthColumn?: string;
}

/** The compared columns (score and/or label, truth when there is one); `inferred` names those the stage chose. */
export interface Columns {
  score?: ColumnPair;
  label?: ColumnPair;
  truth?: ColumnPair;
  inferred: Record<string, string>;
}

/** The named columns, checked; the others inferred from conventional names. Throws E_COLUMN_UNKNOWN when no prediction column is found. */
export function resolveColumns(pairs: readonly ColumnPair[], options: ColumnOptions): Columns {
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

/** The task the columns describe. */
export interface Task {
  kind: 'classification' | 'regression';
  /** Binary classes (the positive one is `positive`), or more. */
  binary: boolean;
  positive: string | null;
  classes: string[];
}

/** Label text of a column: its comparison type as VARCHAR, so 1 and 1.0 or CSV and Parquet agree. */
export function labelExpr(p: ColumnPair, side: 'research' | 'production'): string {
  return `CAST(CAST(${ident(side === 'research' ? p.name : p.productionName)} AS ${p.compareType}) AS VARCHAR)`;
}

/**
 * Classification when there is a label column, a truth with at most two values, or scores in [0, 1]
 * without a truth; otherwise regression. The positive class is `true`/`1`, else the greater value.
 */
export async function detectTask(engine: Engine, research: Dataset, production: Dataset, cols: Columns): Promise<Task> {
  const classCols = [cols.truth, cols.label].filter((p): p is ColumnPair => Boolean(p));
  let classes: string[] = [];
  if (classCols.length) {
    const parts = classCols.flatMap((p) => [`SELECT ${labelExpr(p, 'research')} AS v FROM ${research.relation}`, `SELECT ${labelExpr(p, 'production')} AS v FROM ${production.relation}`]);
    const rows = await engine.all(`SELECT DISTINCT v FROM (${parts.join(' UNION ALL ')}) WHERE v IS NOT NULL ORDER BY v LIMIT 51`);
    classes = rows.map((r) => String(r.v));
  }
  let kind: Task['kind'];
  if (cols.label) kind = 'classification';
  else if (cols.truth) kind = classes.length <= 2 ? 'classification' : 'regression';
  else {
    const p = cols.score!;
    const range = async (d: Dataset, name: string) =>
      engine.one(
        `SELECT min(CAST(${ident(name)} AS DOUBLE)) FILTER (WHERE isfinite(CAST(${ident(name)} AS DOUBLE))) AS lo, max(CAST(${ident(name)} AS DOUBLE)) FILTER (WHERE isfinite(CAST(${ident(name)} AS DOUBLE))) AS hi FROM ${d.relation}`,
      );
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

/** The prediction columns (score, label) a finding is about. */
export function predictionColumns(cols: Columns): string[] {
  return [cols.score?.name, cols.label?.name].filter((x): x is string => Boolean(x));
}

/** Why no metric could be computed (sideMetrics returned null), for a requirement that cannot be checked. */
export function unavailableReason(cols: Columns, task: Task): string {
  if (!cols.truth) return `no ground-truth column on both sides (looked for ${TRUTH_NAMES.join(', ')}; name it with --truth-col)`;
  if (task.kind === 'regression') return 'a regression needs a numeric score column (--score-col)';
  return 'a task with more than two classes needs a predicted-label column (--label-col)';
}
