import type { Engine } from '../../engine/engine.js';
import { ident } from '../../engine/quote.js';
import type { Finding, Stage } from '../../findings/types.js';
import type { Dataset } from '../../sources/register.js';
import { DRIFT_DEFAULTS, unseenCategoryFinding } from '../distribution/index.js';
import type { ColumnPair } from './columns.js';
import type { ColumnProfile, TableProfile } from './profile.js';
import { toNumber, toPlain } from './values.js';

/** Categories shown per finding (the finding counts them all). */
const SHOWN = 20;

/**
 * Production categories research never had, for the `data` stage when no distribution test ran (features and
 * the unmatched mode find them with their category counts): `new_category`, the raw-data root of a downstream
 * `unseen_category`. Category columns are text columns with at most the drift tests' category cap of
 * distinct values, not identifier-like (at most half of the values distinct, or ≤ 5). When both profiles list
 * every value of the column (≤ 10 distinct each) the answer comes from them; otherwise one anti-join per column.
 */
export async function newCategoryFindings(engine: Engine, research: Dataset, production: Dataset, pairs: readonly ColumnPair[], profiles: { research: TableProfile; production: TableProfile }, stage: Stage): Promise<Finding[]> {
  const out: Finding[] = [];
  for (const p of pairs) {
    // Text only: a boolean has two values, and the one research happened not to hold is no new category.
    if (p.compatibility === 'breaking' || p.kind !== 'string') continue;
    const a = profiles.research.columns[p.name];
    const b = profiles.production.columns[p.productionName];
    if (!a || !b || a.count === 0 || b.count === 0 || !isCategorical(a)) continue;
    const listed = completeTop(a) && completeTop(b);
    if (listed) {
      const seen = new Set(a.top!.map((x) => x.value));
      const unseen = b.top!.filter((x) => !seen.has(x.value));
      if (unseen.length) out.push(unseenCategoryFinding(stage, p.name, unseen, unseen.length, b.count));
      continue;
    }
    const col = (name: string) => `CAST(${ident(name)} AS VARCHAR)`;
    const rows = await engine.all(`SELECT v, n, count(*) OVER () AS distinct_unseen, sum(n) OVER () AS rows_unseen FROM (
  SELECT ${col(p.productionName)} AS v, count(*) AS n FROM ${production.relation}
  WHERE ${ident(p.productionName)} IS NOT NULL AND ${col(p.productionName)} NOT IN (SELECT DISTINCT ${col(p.name)} FROM ${research.relation} WHERE ${ident(p.name)} IS NOT NULL)
  GROUP BY 1
) ORDER BY n DESC, v LIMIT ${SHOWN}`);
    if (rows.length === 0) continue;
    const unseen = rows.map((r) => ({ value: String(toPlain(r.v)), count: toNumber(r.n) ?? 0 }));
    out.push(unseenCategoryFinding(stage, p.name, unseen, toNumber(rows[0]!.distinct_unseen) ?? unseen.length, b.count, toNumber(rows[0]!.rows_unseen) ?? 0));
  }
  return out;
}

function isCategorical(c: ColumnProfile): boolean {
  return c.distinct <= DRIFT_DEFAULTS.categoryCap && (c.distinct <= DRIFT_DEFAULTS.categoricalMaxDistinct || c.distinct <= 0.5 * c.count);
}

/** The profile's top values are every value of the column. */
function completeTop(c: ColumnProfile): boolean {
  return !!c.top && c.top.length === c.distinct && c.top.reduce((x, y) => x + y.count, 0) === c.count;
}
