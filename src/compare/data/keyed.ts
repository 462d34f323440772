import type { Engine, Row } from '../../engine/engine.js';
import { ident } from '../../engine/quote.js';
import { ReprodiffError } from '../../errors.js';
import type { Dataset } from '../../sources/register.js';
import type { ColumnPair } from './columns.js';
import { asText, isNumericKind, isTemporalKind } from './columns.js';
import { distinctAndRanks } from './profile.js';
import { toleranceFor } from './tolerance.js';
import type { Tolerances } from './tolerance.js';
import { toNumber, toPlain } from './values.js';

/** Decimals tried when asking "are the two values equal after rounding to k decimals?". */
export const PRECISION_DIGITS = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12] as const;

export interface KeyHealth {
  readonly rows: number;
  readonly nullKeyRows: number;
  readonly distinctKeys: number;
  /** Rows beyond the first for keys that appear more than once. */
  readonly duplicateRows: number;
  readonly duplicateKeys: number;
  readonly sampleDuplicateKeys: readonly unknown[];
}

/** What the diff table says about one compared column. */
export interface ColumnDiff {
  readonly column: string;
  readonly kind: ColumnPair['kind'];
  readonly differing: number;
  readonly maxAbsDiff: number | null;
  readonly maxRelDiff: number | null;
  readonly nullVsNan: number;
  /** Research null, production a value. */
  readonly filledNulls: number;
  readonly filledDistinct: number;
  readonly filledMin: number | string | null;
  readonly filledMax: number | string | null;
  /** Research a value, production null. */
  readonly newNulls: number;
  /** Research null, production NaN (the rest of nullVsNan is the other way round). */
  readonly nanFilled: number;
  /** Both non-null but different. */
  readonly bothValued: number;
  /** Both finite numbers (the rows the precision, float32 and clipping probes look at). */
  readonly finiteValued: number;
  /** Distinct research / production values among those rows, and one of each (for constant replacement). */
  readonly constants: { researchDistinct: number; productionDistinct: number; research: number | null; production: number | null };
  readonly float32Equal: number;
  /** Differing rows equal after rounding to k decimals, for each k in PRECISION_DIGITS. */
  readonly equalAtDigits: readonly number[];
  /** Temporal: distinct production − research offsets, in microseconds, with their counts (at most 3). */
  readonly offsets: readonly { micros: number; count: number }[];
  /** Values lowered to a single ceiling / raised to a single floor. */
  readonly clippedDown: { count: number; to: number | null; distinctTo: number; minFrom: number | null };
  readonly clippedUp: { count: number; to: number | null; distinctTo: number; maxFrom: number | null };
  /** Sample rows per sub-population, so each finding shows its own rows. */
  readonly samples: Readonly<Record<SamplePart, readonly DiffSample[]>>;
}

export type SamplePart = 'nullnan' | 'filled' | 'nulled' | 'valued';
export interface DiffSample {
  readonly key: unknown;
  readonly research: unknown;
  readonly production: unknown;
}

export interface KeyedDiff {
  readonly key: readonly string[];
  readonly research: KeyHealth;
  readonly production: KeyHealth;
  readonly matched: number;
  readonly onlyResearch: number;
  readonly onlyProduction: number;
  readonly changedRows: number;
  readonly sampleOnlyResearch: readonly unknown[];
  readonly sampleOnlyProduction: readonly unknown[];
  readonly columns: readonly ColumnDiff[];
  /**
   * Temp table holding only the rows that are unmatched or differ: key columns k0…, flags in_a/in_b, and d<i>
   * per value column. Null once dropped (compareDatasets without keepDiffTable).
   */
  readonly diffTable: string | null;
  /** The value columns (research names) in the order of the d<i> flags. */
  readonly valueColumns: readonly string[];
}

export interface KeyedOptions {
  readonly key: readonly string[];
  /** Null and distinct counts of a single key column per side, when a profile already has them (saves a scan each). */
  readonly keyCounts?: readonly [KeyCounts | undefined, KeyCounts | undefined];
  readonly tolerances?: Tolerances;
  readonly sample: number;
}

/** Finds the key columns among the matched pairs, or explains in one line why they cannot be joined. */
export function keyPairs(pairs: readonly ColumnPair[], key: readonly string[], research: Dataset, production: Dataset): ColumnPair[] {
  return key.map((k) => {
    const pair = pairs.find((p) => p.name === k);
    if (!pair) {
      const side = research.columns.some((c) => c.name === k) ? production : research;
      throw new ReprodiffError('E_KEY_UNKNOWN', `key column '${k}' is not in ${side.label}`, {
        suggestion: `columns there: ${side.columns.slice(0, 12).map((c) => c.name).join(', ')}${side.columns.length > 12 ? ', …' : ''}`,
      });
    }
    if (pair.compatibility === 'breaking' || pair.kind === 'other') {
      throw new ReprodiffError('E_KEY_TYPES', `key column '${k}' is ${pair.research.type} in ${research.label} but ${pair.production.type} in ${production.label}: they cannot be joined`, {
        suggestion: 'cast the key to one type in both exports, or use another --key',
      });
    }
    return pair;
  });
}

function castExpr(name: string, type: string): string {
  return `CAST(${ident(name)} AS ${type})`;
}

export interface KeyCounts {
  readonly rows: number;
  readonly nulls: number;
  readonly distinct: number;
}

/** Key health of one side: null keys and duplicates, from the key columns only (or from profile counts). */
export async function keyHealth(engine: Engine, relation: string, keyNames: readonly string[], sample: number, known?: KeyCounts): Promise<KeyHealth> {
  const keys = keyNames.map(ident);
  const anyNull = keys.map((k) => `${k} IS NULL`).join(' OR ');
  const row = known ? { n: known.rows, nulls: known.nulls, d: known.distinct } : await countKeys(engine, relation, keyNames);
  const rows = toNumber(row.n) ?? 0;
  const nullKeyRows = toNumber(row.nulls) ?? 0;
  const distinctKeys = toNumber(row.d) ?? 0;
  const duplicateRows = rows - nullKeyRows - distinctKeys;
  let duplicateKeys = 0;
  let sampleDuplicateKeys: unknown[] = [];
  if (duplicateRows > 0) {
    const dup = await engine.all(
      `SELECT ${keys.join(', ')}, count(*) AS n, count(*) OVER () AS total FROM ${relation} WHERE NOT (${anyNull}) GROUP BY ALL HAVING count(*) > 1 ORDER BY ${keys.join(', ')} LIMIT ${Math.max(sample, 1)}`,
    );
    duplicateKeys = toNumber(dup[0]?.total) ?? 0;
    sampleDuplicateKeys = dup.map((r) => keyValue(keyNames.map((k) => r[k])));
  }
  return { rows, nullKeyRows, distinctKeys, duplicateRows, duplicateKeys, sampleDuplicateKeys };
}

/**
 * Rows `n`, rows with a null key part `nulls`, and distinct non-null keys `d` of one relation. A single key's
 * distinct count comes from the profile's order statistics (a streaming pass when the export is in key
 * order, as exports usually are; else one sort): cheaper than a DISTINCT hash set of millions of keys.
 */
export async function countKeys(engine: Engine, relation: string, keyNames: readonly string[]): Promise<Row> {
  const keys = keyNames.map(ident);
  const anyNull = keys.map((k) => `${k} IS NULL`).join(' OR ');
  if (keyNames.length === 1) {
    const counts = await engine.one(`SELECT count(*) AS n, count(*) FILTER (WHERE ${anyNull}) AS nulls FROM ${relation}`);
    const stats = await distinctAndRanks(engine, relation, keyNames[0]!, 0, [], { likelySorted: true });
    return { ...counts, d: stats.c0_distinct };
  }
  return engine.one(`SELECT count(*) AS n, count(*) FILTER (WHERE ${anyNull}) AS nulls, count(DISTINCT (${keys.join(', ')})) FILTER (WHERE NOT (${anyNull})) AS d FROM ${relation}`);
}

/** A key as users see it in JSON: the value for one key column, an array for composite keys. */
export function keyValue(parts: readonly unknown[]): unknown {
  return parts.length === 1 ? toPlain(parts[0]) : parts.map(toPlain);
}

/** The column-wise "is different" predicate, honouring tolerances for numbers. NaN equals NaN; null vs NaN differs. */
export function differsSql(a: string, b: string, pair: ColumnPair, tolerances?: Tolerances): string {
  const tol = toleranceFor(tolerances, pair.name);
  if (isNumericKind(pair.kind) && (tol.abs > 0 || tol.rel > 0)) {
    const da = `CAST(${a} AS DOUBLE)`;
    const db = `CAST(${b} AS DOUBLE)`;
    return `(${a} IS DISTINCT FROM ${b} AND NOT coalesce(abs(${da} - ${db}) <= ${tol.abs} + ${tol.rel} * abs(${da}), false))`;
  }
  return `(${a} IS DISTINCT FROM ${b})`;
}

/** The side subquery: key and value columns cast to the comparison types, numbered within duplicate keys when needed. */
function sideSql(relation: string, side: 'research' | 'production', keys: readonly ColumnPair[], values: readonly ColumnPair[], numberDuplicates: boolean): string {
  const name = (p: ColumnPair) => (side === 'research' ? p.name : p.productionName);
  const cols = [
    ...keys.map((p, i) => `${castExpr(name(p), p.compareType)} AS k${i}`),
    ...values.map((p, i) => `${castExpr(name(p), p.compareType)} AS v${i}`),
    'true AS _in',
  ];
  if (numberDuplicates) {
    // Duplicates pair up in a stable order (by all values), so extra copies show as unmatched rows.
    const order = values.length ? values.map((_p, i) => `v${i}`).join(', ') : '1';
    const partition = keys.map((_p, i) => `k${i}`).join(', ');
    return `(SELECT *, row_number() OVER (PARTITION BY ${partition} ORDER BY ${order}) AS _dup FROM (SELECT ${cols.join(', ')} FROM ${relation}) s)`;
  }
  return `(SELECT ${cols.join(', ')} FROM ${relation})`;
}

/** The one pass: FULL OUTER JOIN on the key, keeping only rows that are unmatched or differ somewhere. */
export function diffTableSql(
  table: string,
  research: Dataset,
  production: Dataset,
  keys: readonly ColumnPair[],
  values: readonly ColumnPair[],
  tolerances: Tolerances | undefined,
  numberDuplicates: boolean,
): string {
  const notNullKeys = (alias: string) => keys.map((_p, i) => `${alias}.k${i} IS NOT NULL`).join(' AND ');
  const on = [...keys.map((_p, i) => `a.k${i} = b.k${i}`), ...(numberDuplicates ? ['a._dup = b._dup'] : [])].join(' AND ');
  const flags = values.map((p, i) => `${differsSql(`a.v${i}`, `b.v${i}`, p, tolerances)} AS d${i}`);
  const select = [
    'a._in AS in_a',
    'b._in AS in_b',
    ...keys.map((_p, i) => `coalesce(a.k${i}, b.k${i}) AS k${i}`),
    ...values.flatMap((_p, i) => [`a.v${i} AS a${i}`, `b.v${i} AS b${i}`]),
    ...flags,
  ];
  const anyDiff = values.length ? values.map((p, i) => differsSql(`a.v${i}`, `b.v${i}`, p, tolerances)).join(' OR ') : 'false';
  return `CREATE TEMP TABLE ${table} AS
SELECT ${select.join(',\n  ')}
FROM (SELECT * FROM ${sideSql(research.relation, 'research', keys, values, numberDuplicates)} WHERE ${notNullKeys('a').replaceAll('a.', '')}) a
FULL OUTER JOIN (SELECT * FROM ${sideSql(production.relation, 'production', keys, values, numberDuplicates)} WHERE ${notNullKeys('b').replaceAll('b.', '')}) b
ON ${on}
WHERE a._in IS NULL OR b._in IS NULL OR ${anyDiff}`;
}

/** Row counts of the diff table and, per value column, how many matched rows differ (one cheap pass). */
export function diffCountsSql(table: string, values: readonly ColumnPair[]): string {
  const parts = [
    'count(CASE WHEN in_b IS NULL THEN 1 END) AS only_a',
    'count(CASE WHEN in_a IS NULL THEN 1 END) AS only_b',
    'count(CASE WHEN in_a AND in_b THEN 1 END) AS changed',
    ...values.map((_p, i) => `count(CASE WHEN in_a AND in_b AND d${i} THEN 1 END) AS p${i}_n`),
  ];
  return `SELECT ${parts.join(', ')} FROM ${table}`;
}

/** Columns probed per statement: each is its own small subquery, and a few dozen keep the plan small on wide tables. */
export const PROBE_COLUMNS_PER_QUERY = 32;

/**
 * Aggregates over the differing rows that tell what kind of difference each column has, for the columns
 * that differ only. Each column is a subquery over its own differing rows (`WHERE d<i>`), joined into one
 * result row: a column that differs in 0.1% of rows reads only those, where one aggregate list over every
 * differing row of the table evaluated hundreds of CASE expressions on each (10M × 20 pair: 1 s → 0.1 s).
 */
export function columnProbeSql(table: string, values: readonly { pair: ColumnPair; index: number }[]): string {
  const subqueries = values.map(({ pair, index }) => `(SELECT ${columnProbeAggregates(pair, index).join(',\n  ')}\nFROM ${table} WHERE in_a AND in_b AND d${index}) AS q${index}`);
  return `SELECT * FROM ${subqueries.join(',\n')}`;
}

/** The probe aggregates of column i over its differing matched rows (the subquery's WHERE). */
function columnProbeAggregates(p: ColumnPair, i: number): string[] {
  const parts: string[] = [];
  const a = `a${i}`;
  const b = `b${i}`;
  const q = (expr: string, stat: string) => parts.push(`${expr} AS p${i}_${stat}`);
  const cnt = (cond: string) => `count(CASE WHEN ${cond} THEN 1 END)`;
  const agg = (fn: string, x: string, cond: string) => `${fn}(CASE WHEN ${cond} THEN ${x} END)`;
  q(cnt(`${a} IS NULL AND ${b} IS NOT NULL`), 'filled');
  q(`count(DISTINCT CASE WHEN ${a} IS NULL THEN ${b} END)`, 'filled_distinct');
  q(asText(agg('min', b, `${a} IS NULL`), p.compareType), 'filled_min');
  q(asText(agg('max', b, `${a} IS NULL`), p.compareType), 'filled_max');
  q(cnt(`${a} IS NOT NULL AND ${b} IS NULL`), 'nulled');
  if (isNumericKind(p.kind)) {
    const da = `CAST(${a} AS DOUBLE)`;
    const db = `CAST(${b} AS DOUBLE)`;
    const valued = `isfinite(${da}) AND isfinite(${db})`;
    q(cnt(`(${a} IS NULL AND isnan(${db})) OR (${b} IS NULL AND isnan(${da}))`), 'nullnan');
    q(cnt(`${a} IS NULL AND isnan(${db})`), 'nanfilled');
    q(cnt(`${a} IS NOT NULL AND ${b} IS NOT NULL`), 'valued');
    q(cnt(valued), 'finite');
    q(`count(DISTINCT CASE WHEN ${valued} THEN ${da} END)`, 'a_distinct');
    q(`count(DISTINCT CASE WHEN ${valued} THEN ${db} END)`, 'b_distinct');
    q(agg('min', da, valued), 'a_min');
    q(agg('min', db, valued), 'b_min');
    q(agg('max', `abs(${da} - ${db})`, valued), 'maxabs');
    q(agg('max', `abs(${da} - ${db}) / abs(${da})`, `${valued} AND ${da} <> 0`), 'maxrel');
    q(cnt(`${valued} AND CAST(${da} AS FLOAT) = CAST(${db} AS FLOAT)`), 'f32');
    PRECISION_DIGITS.forEach((k) => q(cnt(`${valued} AND round(${da}, ${k}) = round(${db}, ${k})`), `r${k}`));
    q(cnt(`${valued} AND ${da} > ${db}`), 'down');
    q(`count(DISTINCT CASE WHEN ${valued} AND ${da} > ${db} THEN ${db} END)`, 'down_distinct');
    q(agg('max', db, `${valued} AND ${da} > ${db}`), 'down_to');
    q(agg('min', da, `${valued} AND ${da} > ${db}`), 'down_from');
    q(cnt(`${valued} AND ${da} < ${db}`), 'up');
    q(`count(DISTINCT CASE WHEN ${valued} AND ${da} < ${db} THEN ${db} END)`, 'up_distinct');
    q(agg('min', db, `${valued} AND ${da} < ${db}`), 'up_to');
    q(agg('max', da, `${valued} AND ${da} < ${db}`), 'up_from');
  } else {
    q(cnt(`${a} IS NOT NULL AND ${b} IS NOT NULL`), 'valued');
  }
  if (isTemporalKind(p.kind)) {
    const off = `(epoch_us(TRY_CAST(${b} AS TIMESTAMP)) - epoch_us(TRY_CAST(${a} AS TIMESTAMP)))`;
    q(`list(DISTINCT ${off}) FILTER (WHERE ${a} IS NOT NULL AND ${b} IS NOT NULL)[1:4]`, 'offsets');
  }
  return parts;
}

let diffCounter = 0;

/** Keyed row diff: key health on both sides, one FULL OUTER JOIN pass, then per-column probes on the differing rows. */
export async function keyedDiff(
  engine: Engine,
  research: Dataset,
  production: Dataset,
  pairs: readonly ColumnPair[],
  options: KeyedOptions,
): Promise<KeyedDiff & { readonly diffTable: string }> {
  const keys = keyPairs(pairs, options.key, research, production);
  const keySet = new Set(options.key);
  const values = pairs.filter((p) => !keySet.has(p.name));
  const [ha, hb] = [
    await keyHealth(engine, research.relation, keys.map((k) => k.name), options.sample, options.keyCounts?.[0]),
    await keyHealth(engine, production.relation, keys.map((k) => k.productionName), options.sample, options.keyCounts?.[1]),
  ];
  for (const [h, d] of [[ha, research], [hb, production]] as const) {
    if (h.rows > 0 && h.nullKeyRows === h.rows) {
      throw new ReprodiffError('E_KEY_NULL', `key ${options.key.join(', ')} is null on every row of ${d.label}`, { suggestion: 'choose another --key, or compare without a key' });
    }
  }
  const table = `rd_diff_${++diffCounter}`;
  const numberDuplicates = ha.duplicateRows > 0 || hb.duplicateRows > 0;
  await engine.run(diffTableSql(ident(table), research, production, keys, values, options.tolerances, numberDuplicates));
  const counts = await engine.one(diffCountsSql(ident(table), values));
  const differing = values.map((pair, index) => ({ pair, index })).filter(({ index }) => (toNumber(counts[`p${index}_n`]) ?? 0) > 0);
  let probe: Row = counts;
  for (let i = 0; i < differing.length; i += PROBE_COLUMNS_PER_QUERY) {
    probe = { ...probe, ...(await engine.one(columnProbeSql(ident(table), differing.slice(i, i + PROBE_COLUMNS_PER_QUERY)))) };
  }
  const onlyResearch = toNumber(probe.only_a) ?? 0;
  const onlyProduction = toNumber(probe.only_b) ?? 0;
  const keyCols = keys.map((_k, i) => `k${i}`).join(', ');
  const sampleKeys = async (where: string) =>
    (await engine.all(`SELECT ${keyCols} FROM ${ident(table)} WHERE ${where} ORDER BY ${keyCols} LIMIT ${options.sample}`)).map((r) =>
      keyValue(keys.map((_k, i) => r[`k${i}`])),
    );
  const columns: ColumnDiff[] = [];
  for (const [i, p] of values.entries()) {
    const n = toNumber(probe[`p${i}_n`]) ?? 0;
    if (n === 0) continue;
    const rows = await engine.all(sampleSql(ident(table), keyCols, i, p, options.sample));
    const samples: Record<SamplePart, DiffSample[]> = { nullnan: [], filled: [], nulled: [], valued: [] };
    for (const r of rows) samples[r.part as SamplePart].push({ key: keyValue(keys.map((_k, j) => r[`k${j}`])), research: toPlain(r.a), production: toPlain(r.b) });
    columns.push(readColumnDiff(probe, p, i, n, samples));
  }
  return {
    key: options.key,
    research: ha,
    production: hb,
    matched: ha.rows - ha.nullKeyRows - onlyResearch,
    onlyResearch,
    onlyProduction,
    changedRows: toNumber(probe.changed) ?? 0,
    sampleOnlyResearch: onlyResearch ? await sampleKeys('in_b IS NULL') : [],
    sampleOnlyProduction: onlyProduction ? await sampleKeys('in_a IS NULL') : [],
    columns,
    diffTable: table,
    valueColumns: values.map((v) => v.name),
  };
}

/** Up to `sample` differing rows of each sub-population of column i, in key order. */
function sampleSql(table: string, keyCols: string, i: number, p: ColumnPair, sample: number): string {
  const nan = isNumericKind(p.kind) ? `(a${i} IS NULL AND isnan(CAST(b${i} AS DOUBLE))) OR (b${i} IS NULL AND isnan(CAST(a${i} AS DOUBLE)))` : 'false';
  const part = `CASE WHEN ${nan} THEN 'nullnan' WHEN a${i} IS NULL THEN 'filled' WHEN b${i} IS NULL THEN 'nulled' ELSE 'valued' END`;
  return `SELECT * FROM (
  SELECT ${keyCols}, a${i} AS a, b${i} AS b, ${part} AS part, row_number() OVER (PARTITION BY ${part} ORDER BY ${keyCols}) AS rn
  FROM ${table} WHERE in_a AND in_b AND d${i}
) WHERE rn <= ${sample} ORDER BY part, ${keyCols}`;
}

export function readColumnDiff(probe: Row, p: ColumnPair, i: number, n: number, samples: ColumnDiff['samples']): ColumnDiff {
  const g = (stat: string) => probe[`p${i}_${stat}`];
  const num = (stat: string) => toNumber(g(stat)) ?? 0;
  const offsets = (g('offsets') as unknown[] | null | undefined) ?? [];
  return {
    column: p.name,
    kind: p.kind,
    differing: n,
    maxAbsDiff: toNumber(g('maxabs')),
    maxRelDiff: toNumber(g('maxrel')),
    nullVsNan: num('nullnan'),
    filledNulls: num('filled'),
    filledDistinct: num('filled_distinct'),
    filledMin: toPlain(g('filled_min')) as string | null,
    filledMax: toPlain(g('filled_max')) as string | null,
    newNulls: num('nulled'),
    nanFilled: num('nanfilled'),
    bothValued: num('valued'),
    finiteValued: num('finite'),
    constants: { researchDistinct: num('a_distinct'), productionDistinct: num('b_distinct'), research: toNumber(g('a_min')), production: toNumber(g('b_min')) },
    float32Equal: num('f32'),
    equalAtDigits: PRECISION_DIGITS.map((k) => num(`r${k}`)),
    offsets: offsets.map((o) => ({ micros: toNumber(o) ?? 0, count: 0 })).sort((x, y) => x.micros - y.micros),
    clippedDown: { count: num('down'), to: toNumber(g('down_to')), distinctTo: num('down_distinct'), minFrom: toNumber(g('down_from')) },
    clippedUp: { count: num('up'), to: toNumber(g('up_to')), distinctTo: num('up_distinct'), maxFrom: toNumber(g('up_from')) },
    samples,
  };
}
