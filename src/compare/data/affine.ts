/**
 * A per-column affine change: every differing row satisfies production = a·research + b with one a and
 * one b for the column (a scaler refitted on other rows, std with ddof 0 vs 1, a unit change such as
 * °C → °F or euros → cents). Fitted in DuckDB over the column's differing rows of the keyed diff table
 * (regr_slope / regr_intercept), then checked row by row: the residuals must be tiny next to the change.
 *
 * A standard pipeline imputes before it scales, so the rows that held the fill value do not follow the
 * line when the fill value itself was refitted: those rows (one research value, one production value)
 * are reported apart, as a fitted constant that moved.
 */
import type { Engine } from '../../engine/engine.js';
import { ident, literal } from '../../engine/quote.js';
import { finding, toEvidence } from '../../findings/report.js';
import type { Finding, Stage } from '../../findings/types.js';
import { formatCount, formatNumber } from '../../text/format.js';
import type { ColumnPair } from './columns.js';
import { isNumericKind } from './columns.js';
import type { ColumnDiff, KeyedDiff } from './keyed.js';
import { keyValue } from './keyed.js';
import { stableFloat, toNumber, toPlain } from '../shared/values.js';

/** Residuals up to this share of the column's largest |value| count as on the line (text writers keep ≥ 7 digits). */
export const AFFINE_RELATIVE_TOLERANCE = 1e-6;
/** The change must be this many times the largest residual: rounding noise (precision loss, float32) is not a rescale. */
export const AFFINE_SIGNAL_RATIO = 100;

export interface AffineFit {
  readonly column: string;
  readonly scale: number;
  readonly offset: number;
  /** Differing rows on the line. */
  readonly rows: number;
  readonly maxResidual: number;
  readonly maxChange: number;
  /** Differing rows off the line: one research value that became one production value (a fitted constant). */
  readonly constant: { readonly rows: number; readonly research: number; readonly production: number; readonly samples: readonly { key: unknown; research: unknown; production: unknown }[] } | null;
}

/** A rescale moves every valued row of the column (all but its fixed point): most matched rows must differ. */
export const AFFINE_MIN_SHARE = 0.5;

/**
 * Columns worth a fit: numeric, at least three differing rows and at least half the matched rows (a scaler, a unit
 * or a ddof touches every row; a few edited values on the same line are edits, not a rescale), all of them finite
 * on both sides and not one constant per side.
 */
export function affineCandidates(diff: KeyedDiff, pairs: readonly ColumnPair[]): ColumnDiff[] {
  return diff.columns.filter((d) => {
    const p = pairs.find((x) => x.name === d.column);
    return (
      p &&
      isNumericKind(p.kind) &&
      d.bothValued >= 3 &&
      d.bothValued >= AFFINE_MIN_SHARE * diff.matched &&
      d.finiteValued === d.bothValued &&
      d.float32Equal < d.bothValued &&
      d.constants.researchDistinct >= 3
    );
  });
}

function num(x: number): string {
  return `CAST(${literal(String(x))} AS DOUBLE)`;
}

/** Fits production = a·research + b over column d's differing rows of the diff table; null when the rows do not lie on one line. */
export async function fitAffine(engine: Engine, diff: KeyedDiff, d: ColumnDiff, sample: number): Promise<AffineFit | null> {
  const i = diff.valueColumns.indexOf(d.column);
  if (i < 0 || !diff.diffTable) return null;
  const keys = diff.key.map((_k, j) => `k${j}`);
  const x = `CAST(a${i} AS DOUBLE)`;
  const y = `CAST(b${i} AS DOUBLE)`;
  const rows = `(SELECT ${keys.join(', ')}, ${x} AS x, ${y} AS y FROM ${ident(diff.diffTable)} WHERE in_a AND in_b AND d${i} AND isfinite(${x}) AND isfinite(${y}))`;
  // The most frequent research value may be a fill value that moved on its own: fit without it.
  const mode = await engine.one(`SELECT x, count(*) AS n FROM ${rows} GROUP BY x ORDER BY n DESC, x LIMIT 1`);
  const modeRows = toNumber(mode.n) ?? 0;
  const modeValue = toNumber(mode.x);
  const exclude = modeRows >= 2 && modeValue !== null ? `WHERE x <> ${num(modeValue)}` : '';
  // Summed in one order (x, y): a float sum depends on the order of its terms, and the rows reach the diff table in
  // the order of the join, which differs between a file, a download and a pushdown's fetched rows (an offset of
  // 2.8e-13 against 2.2e-13 in the evidence otherwise).
  const fit = await engine.one(`SELECT regr_slope(y, x ORDER BY x, y) AS a, regr_intercept(y, x ORDER BY x, y) AS b, count(DISTINCT x) AS dx, max(abs(y)) AS ymax FROM ${rows} ${exclude}`);
  const a = toNumber(fit.a);
  const b = toNumber(fit.b);
  if (a === null || b === null || !Number.isFinite(a) || !Number.isFinite(b) || (toNumber(fit.dx) ?? 0) < 3) return null;
  const tol = AFFINE_RELATIVE_TOLERANCE * Math.max(toNumber(fit.ymax) ?? 0, Math.abs(b), Number.MIN_VALUE);
  const resid = `abs(y - (${num(a)} * x + ${num(b)}))`;
  const off = `${resid} > ${num(tol)}`;
  const check = await engine.one(
    `SELECT count(*) FILTER (WHERE NOT (${off})) AS good, count(*) FILTER (WHERE ${off}) AS bad,
       count(DISTINCT x) FILTER (WHERE ${off}) AS bad_dx, count(DISTINCT y) FILTER (WHERE ${off}) AS bad_dy,
       min(x) FILTER (WHERE ${off}) AS bad_x, min(y) FILTER (WHERE ${off}) AS bad_y,
       max(${resid}) FILTER (WHERE NOT (${off})) AS resid, max(abs(y - x)) FILTER (WHERE NOT (${off})) AS change
     FROM ${rows}`,
  );
  const good = toNumber(check.good) ?? 0;
  const bad = toNumber(check.bad) ?? 0;
  const maxResidual = toNumber(check.resid) ?? 0;
  const maxChange = toNumber(check.change) ?? 0;
  // The line must carry the change: far above the residuals and above the tolerance itself.
  if (good < 3 || maxChange <= tol || maxChange < AFFINE_SIGNAL_RATIO * maxResidual) return null;
  let constant: AffineFit['constant'] = null;
  if (bad > 0) {
    if (bad >= good || toNumber(check.bad_dx) !== 1 || toNumber(check.bad_dy) !== 1) return null;
    const sampled = await engine.all(`SELECT ${keys.join(', ')}, x, y FROM ${rows} WHERE ${off} ORDER BY ${keys.join(', ')} LIMIT ${sample}`);
    constant = {
      rows: bad,
      research: toNumber(check.bad_x)!,
      production: toNumber(check.bad_y)!,
      samples: sampled.map((r) => ({ key: keyValue(keys.map((k) => r[k])), research: toPlain(r.x), production: toPlain(r.y) })),
    };
  }
  return { column: d.column, scale: a, offset: b, rows: good, maxResidual, maxChange, constant };
}

/** Fits for the candidate columns; run while the diff table still exists. */
export async function affineFits(engine: Engine, diff: KeyedDiff, pairs: readonly ColumnPair[], sample: number): Promise<Map<string, AffineFit>> {
  const out = new Map<string, AffineFit>();
  for (const d of affineCandidates(diff, pairs)) {
    const fit = await fitAffine(engine, diff, d, sample);
    if (fit) out.set(d.column, fit);
  }
  return out;
}

/** Causes an affine change replaces: the generic ones said of rows where both sides have a value. */
const REPLACEABLE = new Set(['value_changed', 'precision_loss', 'clipping_differs']);

/**
 * Replaces a column's finding about its valued rows by `rescaled` (a and b in the evidence), plus the
 * moved constant when a fill value refitted apart from the line. Other findings pass through.
 */
export function withAffine(findings: readonly Finding[], d: ColumnDiff, fit: AffineFit | undefined, stage: Stage): Finding[] {
  if (!fit) return [...findings];
  const i = findings.findIndex((f) => REPLACEABLE.has(f.cause) && f.rowsAffected === d.bothValued && f.columns.length === 1 && f.columns[0] === d.column);
  if (i < 0) return [...findings];
  const _f = findings[i]!;
  const a = stableFloat(fit.scale)!;
  const b = stableFloat(fit.offset)!;
  const samples = d.samples.valued.filter((s) => !fit.constant || toNumber(s.research) !== fit.constant.research);
  const line = `production = ${formatNumber(a)} × research ${b < 0 ? '−' : '+'} ${formatNumber(Math.abs(b))}`;
  const kind =
    Math.abs(a - 1) <= AFFINE_RELATIVE_TOLERANCE
      ? 'shifted by one offset'
      : Math.abs(b) <= AFFINE_RELATIVE_TOLERANCE * Math.max(1, fit.maxChange)
        ? 'multiplied by one factor'
        : 'rescaled by one scale and offset';
  const all = fit.constant ? `${formatCount(fit.rows)} of the ${formatCount(d.bothValued)} differing rows` : `all ${formatCount(fit.rows)} differing rows`;
  const rescaled = finding({
    stage,
    severity: 'error',
    cause: 'rescaled',
    columns: [d.column],
    rowsAffected: fit.rows,
    sampleKeys: samples.map((s) => s.key) as never,
    message: `${d.column}: ${all} are ${kind} (${line}; max residual ${formatNumber(fit.maxResidual)}): a scaler or unit change — statistics fitted on other rows, std with another ddof, or another unit`,
    evidence: toEvidence({ differingRows: d.differing, scale: a, offset: b, maxResidual: fit.maxResidual, maxAbsDiff: d.maxAbsDiff, maxRelDiff: d.maxRelDiff, samples }) as never,
  });
  const out = [...findings.slice(0, i), rescaled];
  if (fit.constant) {
    const c = fit.constant;
    out.push(
      finding({
        stage,
        severity: 'error',
        cause: stage === 'features' ? 'null_handling' : 'value_changed',
        columns: [d.column],
        rowsAffected: c.rows,
        sampleKeys: c.samples.map((s) => s.key) as never,
        message: `${d.column}: ${formatCount(c.rows)} rows holding one research value (${formatNumber(c.research)}) hold ${formatNumber(c.production)} in production, off the line the other rows follow: a fitted constant (fill or imputation value) moved`,
        evidence: toEvidence({ fittedConstant: true, researchValue: c.research, productionValue: c.production, scale: a, offset: b, samples: c.samples }) as never,
      }),
    );
  }
  out.push(...findings.slice(i + 1));
  return out;
}
