/**
 * Without matched rows (no key, or no shared ids): each side's NaN, ±inf and null predictions, counted.
 */
import type { Engine } from '../../engine/engine.js';
import { ident } from '../../engine/quote.js';
import { finding } from '../../findings/report.js';
import type { PredictionsSummary } from '../../findings/summaries.js';
import type { Finding } from '../../findings/types.js';
import { formatCount } from '../../text/format.js';
import type { Dataset } from '../../sources/register.js';
import { toNumber } from '../shared/values.js';
import type { Columns } from './task.js';

/** Without matched rows: counts of NaN/±inf/null predictions per side. */
export async function keylessNonFinite(
  engine: Engine,
  research: Dataset,
  production: Dataset,
  cols: Columns,
): Promise<{ summary: Required<Pick<PredictionsSummary, 'rows' | 'nonFinite'>>; findings: Finding[] } | null> {
  if (!cols.score) return null;
  const count = async (d: Dataset, name: string) => {
    const s = `CAST(${ident(name)} AS DOUBLE)`;
    const r = await engine.one(
      `SELECT count(*) AS n, count(*) FILTER (WHERE ${s} IS NULL) AS nul, count(*) FILTER (WHERE isnan(${s})) AS nan, count(*) FILTER (WHERE isinf(${s})) AS inf FROM ${d.relation}`,
    );
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
    out.push(
      finding({
        stage: 'predictions',
        severity: 'error',
        cause: 'prediction_nan',
        columns: [cols.score.name],
        rowsAffected: Math.abs(tb - ta),
        message: `${more} has ${formatCount(rows)} NaN, ±inf or null predictions vs ${formatCount(more === 'production' ? ta : tb)} in ${more === 'production' ? 'research' : 'production'}`,
        evidence: { research: { ...a }, production: { ...b } },
      }),
    );
  } else if (ta > 0) {
    out.push(
      finding({
        stage: 'predictions',
        severity: 'info',
        cause: 'prediction_nan',
        columns: [cols.score.name],
        rowsAffected: ta,
        message: `both environments have ${formatCount(ta)} NaN, ±inf or null predictions`,
        evidence: { research: { ...a }, production: { ...b } },
      }),
    );
  }
  return { summary, findings: out };
}
