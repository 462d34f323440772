/**
 * The explain engine: given the keys that differ at a downstream stage (a prediction, a split, a
 * feature) and upstream relations keyed the same way, it measures candidate causes — an upstream
 * column that differs, is null or NaN, holds a category research never saw, lies beyond research's
 * range, or is missing altogether — among the differing keys and among the matching keys, and ranks
 * them by lift. One DuckDB query per upstream relation; JavaScript only reads the counts.
 */
import type { Engine } from '../../engine/engine.js';
import type { Condition, Explanation } from '../../findings/summaries.js';
import { ident } from '../../engine/quote.js';
import type { Dataset } from '../../sources/register.js';
import { isNumericKind, matchSchemas } from '../data/columns.js';
import type { ColumnPair } from '../data/columns.js';
import { countKeys, differsSql, keyPairs } from '../data/keyed.js';
import type { Tolerances } from '../data/tolerance.js';
import { toNumber } from '../shared/values.js';
import { formatPercent } from '../../text/format.js';
import { keySql } from '../shared/normalise.js';
import type { TextNormalisation } from '../shared/normalise.js';

export const CONDITIONS = ['differs', 'null', 'nan', 'unseen_category', 'out_of_range', 'missing_upstream'] as const satisfies readonly Condition[];
/** One candidate cause and how often it holds: part of the predictions summary (src/findings/summaries.ts). */
export type { Condition, Explanation } from '../../findings/summaries.js';

/** An upstream artifact, research and production, keyed like the differing relation. */
export interface UpstreamRelation {
  readonly name: string;
  readonly research: Dataset;
  readonly production: Dataset;
  /** Key column names in the upstream research relation, in the order of the differing relation's key columns. */
  readonly key: readonly string[];
  /** research name → production name. */
  readonly rename?: Readonly<Record<string, string>>;
  readonly ignore?: readonly string[];
  readonly tolerances?: Tolerances;
  /** --ignore-spaces / --ignore-case of the upstream comparison: keys joined trimmed, text compared as there. */
  readonly normalise?: TextNormalisation;
}

export interface ExplainRequest {
  /** SQL relation (table, view or parenthesised query) with the key columns and a boolean column `differs`. */
  readonly differing: string;
  /** Key column names in `differing`; the upstream keys are cast to their types. */
  readonly keyColumns: readonly string[];
  readonly upstream: readonly UpstreamRelation[];
}

/** Share of a condition that counts as "explaining" a difference (used by the stage comparators). */
export const EXPLAINED = { minShare: 0.5, minLift: 0.3 } as const;

/** Ranks candidate causes of the differing keys across all upstream relations (lift, then share, then name). */
export async function explainDifferences(engine: Engine, request: ExplainRequest): Promise<Explanation[]> {
  const out: Explanation[] = [];
  const keyTypes = await differingKeyTypes(engine, request);
  for (const up of request.upstream) out.push(...(await explainOne(engine, request, keyTypes, up)));
  return rankExplanations(out);
}

/** Sort order of explanations: lift, then differing share, then source, column and condition names. */
export function rankExplanations(list: readonly Explanation[]): Explanation[] {
  const s = (x: string | null) => x ?? '';
  return [...list].sort(
    (a, b) =>
      b.lift - a.lift ||
      b.differingShare - a.differingShare ||
      cmp(a.source, b.source) ||
      cmp(s(a.column), s(b.column)) ||
      CONDITIONS.indexOf(a.condition) - CONDITIONS.indexOf(b.condition) ||
      cmp(s(a.detail), s(b.detail)),
  );
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** A person's sentence: "94% of differing rows differ in `income_scaled`, vs 0.1% of matching rows". */
export function describeExplanation(e: Explanation, differing = 'differing rows', matching = 'matching rows'): string {
  const col = e.column === null ? '' : `\`${e.column}\``;
  const where = e.source ? ` (${e.source})` : '';
  const what: Record<Condition, string> = {
    differs: `differ in ${col}${where}`,
    null: `have a null ${col}${where} in ${e.detail ?? 'one side'}`,
    nan: `have NaN/±inf ${col}${where} in ${e.detail ?? 'one side'}`,
    unseen_category: `have a ${col}${where} category research never saw`,
    out_of_range: `have ${col}${where} outside research's range ${e.detail ?? ''}`.trimEnd(),
    missing_upstream: `are missing from ${e.detail ?? ''} ${e.source}`.replace(/\s+/g, ' '),
  };
  return `${formatPercent(e.differingShare)} of ${differing} ${what[e.condition]}, vs ${formatPercent(e.matchingShare)} of ${matching}`;
}

/** True when a condition is strong enough to name as the explanation of the differences. */
export function isExplaining(e: Explanation): boolean {
  return e.differingShare >= EXPLAINED.minShare && e.lift >= EXPLAINED.minLift;
}

async function differingKeyTypes(engine: Engine, request: ExplainRequest): Promise<string[]> {
  const cols = await engine.describe(`SELECT * FROM ${request.differing}`);
  return request.keyColumns.map((k) => {
    const c = cols.find((x) => x.name === k);
    if (!c) throw new Error(`explain: key column ${k} is not in the differing relation`);
    return c.type;
  });
}

interface Probe {
  readonly name: string;
  readonly column: string | null;
  readonly condition: Condition;
  readonly detail: string | null;
}

/** Builds the one query for an upstream relation and the list of conditions it counts. */
export function explainSql(
  request: ExplainRequest,
  keyTypes: readonly string[],
  up: UpstreamRelation,
  keys: readonly ColumnPair[],
  values: readonly ColumnPair[],
  dedupe: { research: boolean; production: boolean },
): { sql: string; probes: Probe[] } {
  const kcols = request.keyColumns.map((_k, i) => `k${i}`);
  const side = (d: Dataset, nameOf: (p: ColumnPair) => string, dup: boolean) => {
    const cols = [
      ...keys.map(
        (p, i) => `TRY_CAST(${up.normalise?.ignoreSpaces && p.kind === 'string' ? keySql(`CAST(${ident(nameOf(p))} AS VARCHAR)`, p, up.normalise) : ident(nameOf(p))} AS ${keyTypes[i]}) AS k${i}`,
      ),
      ...values.map((p, i) => `CAST(${ident(nameOf(p))} AS ${p.compareType}) AS v${i}`),
      'true AS _in',
    ];
    const inner = `SELECT ${cols.join(', ')} FROM ${d.relation}`;
    if (!dup) return `(${inner})`;
    // Duplicate upstream keys: keep one row per key, chosen by value order so the result is deterministic.
    const order = [...values.map((_p, i) => `v${i}`), '1'].join(', ');
    return `(SELECT * FROM (${inner}) QUALIFY row_number() OVER (PARTITION BY ${kcols.join(', ')} ORDER BY ${order}) = 1)`;
  };
  const numeric = values.map((p, i) => ({ p, i })).filter(({ p }) => isNumericKind(p.kind));
  const categorical = values.map((p, i) => ({ p, i })).filter(({ p }) => p.kind === 'string' || p.kind === 'boolean');
  const ranges = numeric.length
    ? `CROSS JOIN (SELECT ${numeric
        .map(({ p, i }) => {
          const x = `CAST(${ident(p.name)} AS DOUBLE)`;
          return `min(${x}) FILTER (WHERE isfinite(${x})) AS lo${i}, max(${x}) FILTER (WHERE isfinite(${x})) AS hi${i}`;
        })
        .join(', ')} FROM ${up.research.relation}) r`
    : '';
  const seen = categorical
    .map(({ p, i }) => `LEFT JOIN (SELECT DISTINCT CAST(${ident(p.name)} AS ${p.compareType}) AS s FROM ${up.research.relation} WHERE ${ident(p.name)} IS NOT NULL) s${i} ON b.v${i} = s${i}.s`)
    .join('\n');
  const probes: Probe[] = [];
  const exprs: string[] = [];
  const add = (cond: string, probe: Omit<Probe, 'name'>) => {
    const name = `c${probes.length}`;
    probes.push({ name, ...probe });
    exprs.push(`count(*) FILTER (WHERE _differs AND (${cond})) AS ${name}_d`, `count(*) FILTER (WHERE NOT _differs AND (${cond})) AS ${name}_m`);
  };
  add('a._in IS NULL', { column: null, condition: 'missing_upstream', detail: 'research' });
  add('b._in IS NULL', { column: null, condition: 'missing_upstream', detail: 'production' });
  values.forEach((p, i) => {
    const a = `a.v${i}`;
    const b = `b.v${i}`;
    add(`a._in AND b._in AND ${differsSql(a, b, p, up.tolerances, up.normalise)}`, { column: p.name, condition: 'differs', detail: null });
    add(`a._in AND ${a} IS NULL`, { column: p.name, condition: 'null', detail: 'research' });
    add(`b._in AND ${b} IS NULL`, { column: p.name, condition: 'null', detail: 'production' });
    if (p.kind === 'float') {
      add(`NOT isfinite(CAST(${a} AS DOUBLE))`, { column: p.name, condition: 'nan', detail: 'research' });
      add(`NOT isfinite(CAST(${b} AS DOUBLE))`, { column: p.name, condition: 'nan', detail: 'production' });
    }
  });
  for (const { p, i } of categorical) add(`b.v${i} IS NOT NULL AND s${i}.s IS NULL`, { column: p.name, condition: 'unseen_category', detail: null });
  for (const { p, i } of numeric) {
    const b = `CAST(b.v${i} AS DOUBLE)`;
    add(`isfinite(${b}) AND (${b} < r.lo${i} OR ${b} > r.hi${i})`, { column: p.name, condition: 'out_of_range', detail: `lo${i}|hi${i}` });
  }
  const range = numeric.map(({ i }) => `any_value(r.lo${i}) AS lo${i}, any_value(r.hi${i}) AS hi${i}`);
  const on = (alias: string) => kcols.map((k) => `d.${k} = ${alias}.${k}`).join(' AND ');
  const join = `FROM (SELECT ${request.keyColumns.map((k, i) => `${ident(k)} AS k${i}`).join(', ')}, coalesce(${ident('differs')}, false) AS _differs FROM ${request.differing}) d
LEFT JOIN ${side(up.research, (p) => p.name, dedupe.research)} a ON ${on('a')}
LEFT JOIN ${side(up.production, (p) => p.productionName, dedupe.production)} b ON ${on('b')}
${seen}
${ranges}`;
  const sql = `SELECT count(*) FILTER (WHERE _differs) AS n_d, count(*) FILTER (WHERE NOT _differs) AS n_m,
  ${[...exprs, ...range].join(',\n  ')}
${join}`;
  return { sql, probes };
}

async function hasDuplicateKeys(engine: Engine, relation: string, names: readonly string[]): Promise<boolean> {
  const row = await countKeys(engine, relation, names);
  return (toNumber(row.n) ?? 0) - (toNumber(row.nulls) ?? 0) !== (toNumber(row.d) ?? 0);
}

async function explainOne(engine: Engine, request: ExplainRequest, keyTypes: readonly string[], up: UpstreamRelation): Promise<Explanation[]> {
  if (up.key.length !== request.keyColumns.length) throw new Error(`explain: ${up.name} has ${up.key.length} key columns, the differing relation ${request.keyColumns.length}`);
  const schema = matchSchemas(up.research.columns, up.production.columns, { rename: up.rename, ignore: up.ignore });
  const keys = keyPairs(schema.pairs, up.key, up.research, up.production);
  const keySet = new Set(up.key);
  const values = schema.pairs.filter((p) => !keySet.has(p.name) && p.kind !== 'other');
  const dedupe = {
    research: await hasDuplicateKeys(
      engine,
      up.research.relation,
      keys.map((k) => k.name),
    ),
    production: await hasDuplicateKeys(
      engine,
      up.production.relation,
      keys.map((k) => k.productionName),
    ),
  };
  const { sql, probes } = explainSql(request, keyTypes, up, keys, values, dedupe);
  const row = await engine.one(sql);
  const nd = toNumber(row.n_d) ?? 0;
  const nm = toNumber(row.n_m) ?? 0;
  const out: Explanation[] = [];
  for (const probe of probes) {
    const dRows = toNumber(row[`${probe.name}_d`]) ?? 0;
    const mRows = toNumber(row[`${probe.name}_m`]) ?? 0;
    if (dRows === 0) continue;
    // Without matching rows there is no base rate: how often a null, NaN, unseen or out-of-range value holds
    // on the differing rows says nothing about them. A difference or a missing row upstream is evidence itself.
    if (nm === 0 && probe.condition !== 'differs' && probe.condition !== 'missing_upstream') continue;
    const dShare = nd ? dRows / nd : 0;
    const mShare = nm ? mRows / nm : 0;
    let detail = probe.detail;
    if (probe.condition === 'out_of_range' && detail) {
      const [lo, hi] = detail.split('|');
      detail = `[${toNumber(row[lo!])}, ${toNumber(row[hi!])}]`;
    }
    out.push({
      source: up.name,
      column: probe.column,
      condition: probe.condition,
      detail,
      differingRows: dRows,
      differingShare: dShare,
      matchingRows: mRows,
      matchingShare: mShare,
      lift: dShare - mShare,
    });
  }
  return out;
}
