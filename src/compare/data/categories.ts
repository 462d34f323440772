/**
 * A category column whose differing rows all hold, in production, values research never had (a source
 * that split or renamed a category): `new_category`, with the new values in the evidence. A model's
 * encoder fitted on research's categories has never seen them.
 */
import type { Engine } from '../../engine/engine.js';
import { ident } from '../../engine/quote.js';
import { finding, toEvidence } from '../../findings/report.js';
import type { Finding, Stage } from '../../findings/types.js';
import { formatCount } from '../../report/format.js';
import type { Dataset } from '../../sources/register.js';
import type { ColumnPair } from './columns.js';
import type { ColumnDiff, KeyedDiff } from './keyed.js';
import { toNumber, toPlain } from './values.js';

/** The values research never had, shown in the message. */
const SHOWN = 5;

export interface NewCategories {
  readonly rows: number;
  readonly values: readonly (string | number | boolean | null)[];
  readonly distinct: number;
}

/** For text and boolean columns whose differing valued rows all hold a value absent from research. */
export async function newCategories(engine: Engine, diff: KeyedDiff, pairs: readonly ColumnPair[], research: Dataset): Promise<Map<string, NewCategories>> {
  const out = new Map<string, NewCategories>();
  if (!diff.diffTable) return out;
  for (const d of diff.columns) {
    const p = pairs.find((x) => x.name === d.column);
    // A column whose type changed (number → text) differs because of the type change, not new categories.
    if (!p || (p.kind !== 'string' && p.kind !== 'boolean') || p.compatibility === 'breaking' || d.bothValued === 0) continue;
    const i = diff.valueColumns.indexOf(d.column);
    const seen = `(SELECT DISTINCT CAST(${ident(p.name)} AS ${p.compareType}) AS v FROM ${research.relation} WHERE ${ident(p.name)} IS NOT NULL)`;
    const row = await engine.one(
      `SELECT count(*) AS n, count(DISTINCT b${i}) AS k, list(DISTINCT b${i} ORDER BY b${i})[1:${SHOWN}] AS vals
       FROM ${ident(diff.diffTable)} WHERE in_a AND in_b AND d${i} AND a${i} IS NOT NULL AND b${i} IS NOT NULL AND b${i} NOT IN ${seen}`,
    );
    const n = toNumber(row.n) ?? 0;
    if (n !== d.bothValued) continue;
    out.set(d.column, { rows: n, distinct: toNumber(row.k) ?? 0, values: ((row.vals as unknown[] | null) ?? []).map(toPlain) });
  }
  return out;
}

/** Replaces the column's value_changed finding on valued rows by new_category. */
export function withNewCategory(findings: readonly Finding[], d: ColumnDiff, found: NewCategories | undefined, stage: Stage): Finding[] {
  if (!found) return [...findings];
  return findings.map((f) => {
    if (f.cause !== 'value_changed' || f.rowsAffected !== d.bothValued || f.columns[0] !== d.column) return f;
    const shown = found.values.map((v) => JSON.stringify(v)).join(', ') + (found.distinct > found.values.length ? ', …' : '');
    return finding({
      ...f, stage, cause: 'new_category',
      message: `${d.column}: ${formatCount(found.rows)} row${found.rows === 1 ? '' : 's'} hold${found.rows === 1 ? 's' : ''} ${found.distinct === 1 ? 'a value' : `${formatCount(found.distinct)} values`} research never had (${shown}): a new category in production`,
      evidence: toEvidence({ ...f.evidence, newValues: found.values, distinctNewValues: found.distinct }) as never,
    });
  });
}
