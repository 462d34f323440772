/**
 * New categories: production values of a category column research never had (a source that split or
 * renamed a category). A model's encoder fitted on research's categories has never seen them.
 */
import type { Engine } from '../../engine/engine.js';
import { ident } from '../../engine/quote.js';
import { finding, toEvidence } from '../../findings/report.js';
import type { Finding, Stage } from '../../findings/types.js';
import { formatCount } from '../../text/format.js';
import type { Dataset } from '../../sources/register.js';
import { DRIFT_DEFAULTS, unseenCategoryFinding } from '../distribution/index.js';
import type { ColumnPair } from './columns.js';
import type { KeyedDiff, ColumnDiff } from './keyed.js';
import type { ColumnProfile, TableProfile } from './profile.js';
import { distinctAbove } from '../shared/distinct.js';
import { toNumber, toPlain } from '../shared/values.js';
import { normalises, valueSql } from '../shared/normalise.js';
import type { TextNormalisation } from '../shared/normalise.js';

/** Categories shown per finding (the finding counts them all). */
const SHOWN = 20;
/** The new values named in a keyed finding's message. */
const SHOWN_IN_MESSAGE = 5;

/**
 * Production categories research never had, for the `data` stage when no distribution test ran (features and
 * the unmatched mode find them with their category counts): `new_category`, the raw-data root of a downstream
 * `unseen_category`. Category columns are text columns with at most the drift tests' category cap of
 * distinct values, not identifier-like (at most half of the values distinct, or ≤ 5). When both profiles list
 * every value of the column (≤ 10 distinct each) the answer comes from them; otherwise one anti-join per column.
 */
export async function newCategoryFindings(
  engine: Engine,
  research: Dataset,
  production: Dataset,
  pairs: readonly ColumnPair[],
  profiles: { research: TableProfile; production: TableProfile },
  stage: Stage,
  normalise?: TextNormalisation,
): Promise<Finding[]> {
  const out: Finding[] = [];
  for (const p of pairs) {
    // Text only: a boolean has two values, and the one research happened not to hold is no new category.
    if (p.compatibility === 'breaking' || p.kind !== 'string') continue;
    const a = profiles.research.columns[p.name];
    const b = profiles.production.columns[p.productionName];
    if (!a || !b || a.count === 0 || b.count === 0 || !isCategorical(a)) continue;
    // The profiles list raw values: under --ignore-spaces/--ignore-case the values are compared as normalised, in SQL.
    const listed = !normalises(normalise) && completeTop(a) && completeTop(b);
    if (listed) {
      const seen = new Set(a.top!.map((x) => x.value));
      const unseen = b.top!.filter((x) => !seen.has(x.value));
      if (unseen.length) out.push(unseenCategoryFinding(stage, p.name, unseen, unseen.length, b.count));
      continue;
    }
    const col = (name: string) => valueSql(`CAST(${ident(name)} AS VARCHAR)`, p, normalise);
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

function isCategorical(c: Pick<ColumnProfile, 'distinct' | 'count' | 'distinctEstimate'>): boolean {
  // An estimated count is far above the cap (distinctAbove): such a column is never a category column.
  return !distinctAbove(c, DRIFT_DEFAULTS.categoryCap) && (c.distinct <= DRIFT_DEFAULTS.categoricalMaxDistinct || c.distinct <= 0.5 * c.count);
}

/** The profile's top values are every value of the column. */
function completeTop(c: ColumnProfile): boolean {
  return !!c.top && c.top.length === c.distinct && c.top.reduce((x, y) => x + y.count, 0) === c.count;
}

export interface NewCategories {
  readonly rows: number;
  readonly values: readonly (string | number | boolean | null)[];
  readonly distinct: number;
}

/**
 * Where a research column's values are when `research` holds only some of its rows (a database table whose
 * differing rows alone were fetched): a relation with the column's distinct values under its research name, and
 * its whole-column distinct and non-null counts.
 */
export interface ResearchColumn {
  readonly relation: string;
  readonly shape: Pick<ColumnProfile, 'distinct' | 'count'>;
}

/** The category rule's cap: a column with more distinct values is no category column, whatever its count. */
export const CATEGORY_CAP = DRIFT_DEFAULTS.categoryCap;

/** With a key: text columns whose differing valued rows all hold a value absent from research. */
export async function newCategories(
  engine: Engine,
  diff: KeyedDiff,
  pairs: readonly ColumnPair[],
  research: Dataset,
  normalise?: TextNormalisation,
  researchProfile?: TableProfile,
  researchColumn?: (p: ColumnPair) => Promise<ResearchColumn>,
): Promise<Map<string, NewCategories>> {
  const out = new Map<string, NewCategories>();
  if (!diff.diffTable) return out;
  // Text only (a flipped boolean is a changed value). A column whose type changed (number → text) differs because of the type change, not new categories.
  const candidates = diff.columns.flatMap((d) => {
    const p = pairs.find((x) => x.name === d.column);
    return p && p.kind === 'string' && p.compatibility !== 'breaking' && d.bothValued > 0 ? [{ d, p }] : [];
  });
  // A category column, as the data stage's rule: an identifier-like text (an e-mail, a name) changed to a value
  // research never had is an edited value, not a new category. The profile has the column's exact distinct and
  // non-null counts (text columns are never deferred); without statistics they are counted here, in one scan.
  const counted =
    researchColumn || researchProfile
      ? new Map()
      : await textShapes(
          engine,
          research,
          candidates.map((c) => c.p.name),
        );
  for (const { d, p } of candidates) {
    const own = researchColumn ? await researchColumn(p) : null;
    if (!isCategorical(own?.shape ?? researchProfile?.columns[p.name] ?? counted.get(p.name)!)) continue;
    const i = diff.valueColumns.indexOf(d.column);
    const seen = `(SELECT DISTINCT ${valueSql(`CAST(${ident(p.name)} AS ${p.compareType})`, p, normalise)} AS v FROM ${own?.relation ?? research.relation} WHERE ${ident(p.name)} IS NOT NULL)`;
    const row = await engine.one(
      `SELECT count(*) AS n, count(DISTINCT b${i}) AS k, list(DISTINCT b${i} ORDER BY b${i})[1:${SHOWN_IN_MESSAGE}] AS vals
       FROM ${ident(diff.diffTable)} WHERE in_a AND in_b AND d${i} AND a${i} IS NOT NULL AND b${i} IS NOT NULL AND ${valueSql(`b${i}`, p, normalise)} NOT IN ${seen}`,
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
      ...f,
      stage,
      cause: 'new_category',
      message: `${d.column}: ${formatCount(found.rows)} row${found.rows === 1 ? '' : 's'} hold${found.rows === 1 ? 's' : ''} ${found.distinct === 1 ? 'a value' : `${formatCount(found.distinct)} values`} research never had (${shown}): a new category in production`,
      evidence: toEvidence({ ...f.evidence, newValues: found.values, distinctNewValues: found.distinct }) as never,
    });
  });
}

/**
 * Text columns' distinct and non-null counts, for isCategorical, which compares them with the cap. An exact count of
 * an identifier column's distinct values is a hash set of every value (2 s for two 10M-row text columns without
 * statistics), and DuckDB's sketch of every text column cost 1.2 s at 10M rows. A prefix answers first: the distinct
 * values among the first PREFIX_ROWS rows are a lower bound of the column's, so a prefix with more than the cap proves
 * the column no category column (its figure stands in for the count: only the cap reads it). The other columns are
 * counted exactly, in one scan.
 */
async function textShapes(engine: Engine, research: Dataset, columns: readonly string[]): Promise<Map<string, Pick<ColumnProfile, 'distinct' | 'count'>>> {
  const out = new Map<string, Pick<ColumnProfile, 'distinct' | 'count'>>();
  if (columns.length === 0) return out;
  const names = columns.map((c) => ident(c)).join(', ');
  const head = await engine.one(
    `SELECT ${columns.map((c, i) => `count(DISTINCT ${ident(c)}) AS p${i}, count(${ident(c)}) AS q${i}`).join(', ')} FROM (SELECT ${names} FROM ${research.relation} LIMIT ${PREFIX_ROWS})`,
  );
  const exact = columns.flatMap((c, i) => ((toNumber(head[`p${i}`]) ?? 0) > CATEGORY_CAP ? [] : [{ c, i }]));
  const counts = exact.length ? await engine.one(`SELECT ${exact.map(({ c, i }) => `count(DISTINCT ${ident(c)}) AS d${i}, count(${ident(c)}) AS n${i}`).join(', ')} FROM ${research.relation}`) : {};
  columns.forEach((c, i) => {
    const got = counts as Record<string, unknown>;
    out.set(
      c,
      got[`d${i}`] !== undefined ? { distinct: toNumber(got[`d${i}`]) ?? 0, count: toNumber(got[`n${i}`]) ?? 0 } : { distinct: toNumber(head[`p${i}`]) ?? 0, count: toNumber(head[`q${i}`]) ?? 0 },
    );
  });
  return out;
}

/** Rows whose distinct values prove a text column is past the category cap (a lower bound: the rest can only add). */
const PREFIX_ROWS = 65_536;
