/**
 * Evidence about groups and duplicate keys in split assignments:
 * - inferGroup: the column research's splits are grouped by (a key column of a composite key, or an
 *   id-like column), when research keeps every group in one split and that is very unlikely by chance.
 * - groupOrder: with a group intact on both sides, whether each side's split, listed group by group in
 *   order of the group's first appearance in the file, is the same sequence (groups numbered by first
 *   appearance, split with a fixed seed, rows read in another order), and whether each split keeps its
 *   number of groups.
 * - keyConflicts: keys present several times in one side with copies that disagree (another split,
 *   other values): an upsert or append that did not deduplicate.
 */
import type { Engine } from '../../engine/engine.js';
import { ident } from '../../engine/quote.js';
import type { EvidenceValue } from '../../findings/types.js';
import type { ColumnPair } from '../data/columns.js';
import { keyValue } from '../data/keyed.js';
import { toNumber } from '../shared/values.js';

/** One side of the splits comparison, as index.ts holds it. */
export interface GroupSide {
  readonly name: 'research' | 'production';
  readonly table: string;
  readonly nameOf: (p: ColumnPair) => string;
}

/** Id-like column names a group usually has. */
const GROUP_NAME = /(^id$|_?id$|^group|group$|_key$|patient|user|customer|client|household|session|account|subject|member|family|cluster|site|store|device)/i;
/**
 * Research keeping every group whole must be this unlikely under a row-level split: at least this many
 * groups would break on average (the chance that none does is then about e^-5, under 1%).
 */
const MIN_EXPECTED_BROKEN = 5;

/**
 * The column research's splits are grouped by, or undefined. Candidates: each column of a composite key,
 * and id-like columns that are not the key, split or label. A candidate qualifies when research puts every
 * group in one split and a row-level split with research's proportions would break at least
 * MIN_EXPECTED_BROKEN groups (Σ over groups of 1 − Σ_k p_k^size); the strongest evidence wins.
 */
export async function inferGroup(
  engine: Engine,
  research: GroupSide,
  pairs: readonly ColumnPair[],
  key: readonly ColumnPair[],
  exclude: readonly string[],
  sp: string,
): Promise<{ pair: ColumnPair; expectedBroken: number; groups: number } | undefined> {
  const keyNames = key.map((k) => k.name);
  const candidates = pairs.filter((p) => !exclude.includes(p.name) && (p.kind === 'string' || p.kind === 'integer') && (keyNames.includes(p.name) ? key.length > 1 : GROUP_NAME.test(p.name)));
  if (candidates.length === 0) return undefined;
  const shares = await engine.all(`SELECT ${sp} AS s, count(*) AS n FROM ${research.table} GROUP BY 1`);
  const total = shares.reduce((x, r) => x + (toNumber(r.n) ?? 0), 0);
  const p = shares.map((r) => (toNumber(r.n) ?? 0) / Math.max(1, total));
  if (p.length < 2) return undefined;
  let best: { pair: ColumnPair; expectedBroken: number; groups: number } | undefined;
  for (const c of candidates.slice(0, 20)) {
    const g = ident(research.nameOf(c));
    const sizes = await engine.all(
      `SELECT size, count(*) AS groups, sum(broken) AS broken FROM (SELECT count(*) AS size, CAST(min(${sp}) <> max(${sp}) AS INTEGER) AS broken FROM ${research.table} WHERE ${g} IS NOT NULL GROUP BY ${g}) GROUP BY size`,
    );
    const broken = sizes.reduce((x, r) => x + (toNumber(r.broken) ?? 0), 0);
    if (broken > 0) continue;
    const groups = sizes.reduce((x, r) => x + (toNumber(r.groups) ?? 0), 0);
    const expectedBroken = sizes.reduce((x, r) => x + (toNumber(r.groups) ?? 0) * (1 - p.reduce((y, pk) => y + pk ** (toNumber(r.size) ?? 1), 0)), 0);
    if (expectedBroken >= MIN_EXPECTED_BROKEN && (!best || expectedBroken > best.expectedBroken)) best = { pair: c, expectedBroken, groups };
  }
  return best;
}

/** Per side: whether every group is in one split, groups per split, and the fingerprint of the split sequence by first appearance. */
export interface GroupOrder {
  readonly intact: boolean;
  readonly sameGroupCounts: boolean;
  /** True when both sides give the same split sequence, group by group in order of first appearance (and it is not simply sorted by split). */
  readonly orderMatch: boolean;
  readonly groupsPerSplit: { readonly research: Record<string, number>; readonly production: Record<string, number> };
}

/** Group-level evidence of a membership change (see the module comment); null when a side breaks groups. */
export async function groupOrder<S extends GroupSide>(
  engine: Engine,
  sides: readonly S[],
  group: ColumnPair,
  sp: (s: S) => string,
  splitCount: number,
  fileOrder: { research: boolean; production: boolean },
): Promise<GroupOrder | null> {
  const prints: { hash: string; changes: number; groups: number; perSplit: Record<string, number> }[] = [];
  for (const s of sides) {
    const g = ident(s.nameOf(group));
    const per = `SELECT ${g} AS g, min(rowid) AS first, min(${sp(s)}) AS s, min(${sp(s)}) <> max(${sp(s)}) AS broken FROM ${s.table} WHERE ${g} IS NOT NULL GROUP BY ${g}`;
    const r = await engine.one(`SELECT count(*) AS groups, count(*) FILTER (WHERE broken) AS broken,
  CAST(sum(hash(CAST(rk AS VARCHAR) || ':' || coalesce(s, ''))) AS VARCHAR) AS h, count(*) FILTER (WHERE changed) - 1 AS changes
FROM (SELECT s, broken, row_number() OVER (ORDER BY first) AS rk, s IS DISTINCT FROM lag(s) OVER (ORDER BY first) AS changed FROM (${per}))`);
    if ((toNumber(r.broken) ?? 0) > 0) return null;
    const counts = await engine.all(`SELECT s, count(*) AS n FROM (${per}) GROUP BY s ORDER BY s`);
    prints.push({ hash: String(r.h), changes: toNumber(r.changes) ?? 0, groups: toNumber(r.groups) ?? 0, perSplit: Object.fromEntries(counts.map((c) => [String(c.s), toNumber(c.n) ?? 0])) });
  }
  const [a, b] = [prints[0]!, prints[1]!];
  const names = [...new Set([...Object.keys(a.perSplit), ...Object.keys(b.perSplit)])];
  const sameGroupCounts = names.every((n) => Math.abs((a.perSplit[n] ?? 0) - (b.perSplit[n] ?? 0)) <= Math.abs(a.groups - b.groups) + 1);
  const orderMatch = fileOrder.research && fileOrder.production && a.groups === b.groups && a.hash === b.hash && a.changes >= splitCount;
  return { intact: true, sameGroupCounts, orderMatch, groupsPerSplit: { research: a.perSplit, production: b.perSplit } };
}

/** Keys that appear several times in one side with copies that disagree. */
export interface KeyConflicts {
  readonly keys: number;
  readonly rows: number;
  /** Conflicting keys per column whose copies differ (research names). */
  readonly byColumn: Record<string, number>;
  readonly sample: EvidenceValue[];
}

/** Duplicate keys of one side whose rows differ in the split or any other column. */
export async function keyConflicts(engine: Engine, s: GroupSide, key: readonly ColumnPair[], columns: readonly ColumnPair[], sample: number): Promise<KeyConflicts> {
  const keyNames = key.map((k) => ident(s.nameOf(k)));
  const cols = columns.filter((c) => !key.includes(c)).slice(0, 50);
  const flags = cols.map((c, i) => `count(DISTINCT hash(${ident(s.nameOf(c))})) > 1 OR (count(${ident(s.nameOf(c))}) NOT IN (0, count(*))) AS d${i}`);
  const dup = `SELECT ${keyNames.map((k, i) => `${k} AS k${i}`).join(', ')}, count(*) AS n${flags.length ? `, ${flags.join(', ')}` : ''}
FROM ${s.table} WHERE ${keyNames.map((k) => `${k} IS NOT NULL`).join(' AND ')} GROUP BY ALL HAVING count(*) > 1`;
  const any = cols.length ? cols.map((_c, i) => `d${i}`).join(' OR ') : 'false';
  const r = await engine.one(
    `SELECT count(*) FILTER (WHERE ${any}) AS keys, coalesce(sum(n) FILTER (WHERE ${any}), 0) AS rows${cols.map((_c, i) => `, count(*) FILTER (WHERE d${i}) AS c${i}`).join('')} FROM (${dup})`,
  );
  const keys = toNumber(r.keys) ?? 0;
  const byColumn: Record<string, number> = {};
  cols.forEach((c, i) => {
    const n = toNumber(r[`c${i}`]) ?? 0;
    if (n > 0) byColumn[c.name] = n;
  });
  const kc = key.map((_k, i) => `k${i}`).join(', ');
  const samples = keys ? (await engine.all(`SELECT ${kc} FROM (${dup}) WHERE ${any} ORDER BY ${kc} LIMIT ${sample}`)).map((x) => keyValue(key.map((_k, i) => x[`k${i}`])) as EvidenceValue) : [];
  return { keys, rows: toNumber(r.rows) ?? 0, byColumn, sample: samples };
}
