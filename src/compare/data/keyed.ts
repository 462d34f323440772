import type { Engine, Row } from '../../engine/engine.js';
import { ident } from '../../engine/quote.js';
import { ReprodiffError } from '../../errors.js';
import type { Dataset } from '../../sources/register.js';
import type { ColumnPair } from './columns.js';
import { asText, isNumericKind, isTemporalKind, kindOf } from './columns.js';
import { distinctAndRanks } from './profile.js';
import { toleranceFor } from './tolerance.js';
import type { Tolerances } from './tolerance.js';
import { toNumber, toPlain } from '../shared/values.js';
import { DEFAULT_NULL_KEYS, keySql, normalisesKeys, valueSql } from '../shared/normalise.js';
import type { NullKeys, TextNormalisation } from '../shared/normalise.js';

/** Decimals a rounding can be named at (`precision_loss`): beyond 12, the digits are a double's own. */
export const PRECISION_DIGITS = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12] as const;
/** Significant digits a rounding can be named at (`%.6g`, Excel's 15 digits). */
export const SIGNIFICANT_DIGITS = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15] as const;
/** Relative differences up to this are a few ulps of a double (2.2e-16 each): numeric noise, not a cast or a rounding. */
export const NOISE_REL = 1e-12;

/** The shortest round-trip text of |x| without its exponent ("1.5e-07" → "1.5"). */
function mantissaSql(x: string): string {
  return `regexp_replace(CAST(abs(${x}) AS VARCHAR), 'e.*$', '')`;
}

/** The exponent of that text (0 without one). */
function exponentSql(x: string): string {
  return `coalesce(TRY_CAST(regexp_extract(CAST(${x} AS VARCHAR), 'e([-+]?[0-9]+)$', 1) AS INTEGER), 0)`;
}

/**
 * Decimals x carries: those of its shortest round-trip text (DuckDB prints doubles that way), so a value read
 * from text rounded to k decimals has at most k, exactly — no slack against DuckDB's own round().
 */
export function decimalsSql(x: string): string {
  return `greatest(0, length(regexp_replace(regexp_extract(${mantissaSql(x)}, '[.]([0-9]*)$', 1), '0+$', '')) - ${exponentSql(x)})`;
}

/** Significant digits x carries, from the same text (leading and trailing zeros are not significant; 0 has none). */
export function significantSql(x: string): string {
  return `length(regexp_replace(replace(${mantissaSql(x)}, '.', ''), '^0+|0+$', '', 'g'))`;
}

export interface KeyHealth {
  readonly rows: number;
  readonly nullKeyRows: number;
  readonly distinctKeys: number;
  /** Rows beyond the first for keys that appear more than once. */
  readonly duplicateRows: number;
  readonly duplicateKeys: number;
  readonly sampleDuplicateKeys: readonly unknown[];
  /** Rows with a null key part that were paired with the other side's (`--null-keys match`); absent otherwise. */
  readonly nullKeysMatched?: number;
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
  /** Rows where one side is exactly the other's float32 rounding. */
  readonly float32Exact: number;
  /** Rows whose relative difference is a few ulps of a double (NOISE_REL). */
  readonly noise: number;
  /**
   * Per side, over the finite differing pairs: the most decimals and significant digits its values carry, and
   * the largest difference in units of that side's leading digit (|r − o| / 10^floor(log10 |r|)).
   */
  readonly digits: { readonly [side in 'research' | 'production']: { readonly decimals: number | null; readonly significant: number | null; readonly leadDiff: number | null } };
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
  /** Duplicated keys (on either side) whose number of rows differs between the sides; 0 when duplicates reproduce. */
  readonly duplicateKeysChanged: number;
  /** Unmatched keys that would match after a normalisation (whitespace, case, leading zeros, number, offset). */
  readonly keyFormat: KeyFormat | null;
}

/** The likely reason keys do not match: the normalisation under which most unmatched keys would. */
export interface KeyFormat {
  readonly normalisation: string;
  /** Unmatched research keys that would find a production key after it. */
  readonly wouldMatch: number;
  readonly unmatchedResearchKeys: number;
  readonly unmatchedProductionKeys: number;
  /** Research → production key pairs that match after the normalisation. */
  readonly examples: readonly { research: unknown; production: unknown }[];
  /** Every normalisation tried, with how many keys it would match. */
  readonly tried: Readonly<Record<string, number>>;
  /** For 'constant offset': production key − research key. */
  readonly offset?: number;
}

export interface KeyedOptions {
  readonly key: readonly string[];
  /** Null and distinct counts of a single key column per side, when a profile already has them (saves a scan each). */
  readonly keyCounts?: readonly [KeyCounts | undefined, KeyCounts | undefined];
  readonly tolerances?: Tolerances;
  readonly sample: number;
  /** --ignore-spaces / --ignore-case. */
  readonly normalise?: TextNormalisation;
  /** --null-keys (default match). */
  readonly nullKeys?: NullKeys;
}

/** Finds the key columns among the matched pairs, or explains in one line why they cannot be joined. */
export function keyPairs(pairs: readonly ColumnPair[], key: readonly string[], research: Dataset, production: Dataset): ColumnPair[] {
  return key.map((k) => {
    const pair = pairs.find((p) => p.name === k);
    if (!pair) {
      const side = research.columns.some((c) => c.name === k) ? production : research;
      throw new ReprodiffError('E_KEY_UNKNOWN', `key column '${k}' is not in ${side.label}`, {
        suggestion: `columns there: ${side.columns
          .slice(0, 12)
          .map((c) => c.name)
          .join(', ')}${side.columns.length > 12 ? ', …' : ''}`,
      });
    }
    // A number on one side and text on the other joins as text: the type change is reported, and keys that
    // differ only in their spelling ("007" vs 7) are named by keyFormat.
    const numberVsText = pair.compatibility === 'breaking' && [kindOf(pair.research.type), kindOf(pair.production.type)].every((k) => isNumericKind(k) || k === 'string');
    if ((pair.compatibility === 'breaking' && !numberVsText) || pair.kind === 'other') {
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
  /** Smallest and largest key, when numeric (the profile has them): the offsets key_format tries start there. */
  readonly min?: number;
  readonly max?: number;
}

/** Key health of one side: null keys and duplicates, from the key columns only (or from profile counts). */
export async function keyHealth(engine: Engine, relation: string, keyNames: readonly string[], sample: number, known?: KeyCounts, nullsMatch = false): Promise<KeyHealth> {
  const keys = keyNames.map(ident);
  const anyNull = keys.map((k) => `${k} IS NULL`).join(' OR ');
  const row = known ? { n: known.rows, nulls: known.nulls, d: known.distinct } : await countKeys(engine, relation, keyNames);
  const rows = toNumber(row.n) ?? 0;
  const nulls = toNumber(row.nulls) ?? 0;
  // Null key parts that match each other make keys of their own: (null) once, (a, null) once per distinct a.
  const nullKeys =
    !nullsMatch || nulls === 0 ? 0 : keyNames.length === 1 ? 1 : (toNumber((await engine.one(`SELECT count(DISTINCT (${keys.join(', ')})) FILTER (WHERE ${anyNull}) AS d FROM ${relation}`)).d) ?? 0);
  const nullKeyRows = nullsMatch ? 0 : nulls;
  const distinctKeys = (toNumber(row.d) ?? 0) + nullKeys;
  const duplicateRows = rows - nullKeyRows - distinctKeys;
  let duplicateKeys = 0;
  let sampleDuplicateKeys: unknown[] = [];
  if (duplicateRows > 0) {
    const dup = await engine.all(
      `SELECT ${keys.join(', ')}, count(*) AS n, count(*) OVER () AS total FROM ${relation} WHERE ${nullsMatch ? 'true' : `NOT (${anyNull})`} GROUP BY ALL HAVING count(*) > 1 ORDER BY ${keys.join(', ')} LIMIT ${Math.max(sample, 1)}`,
    );
    duplicateKeys = toNumber(dup[0]?.total) ?? 0;
    sampleDuplicateKeys = dup.map((r) => keyValue(keyNames.map((k) => r[k])));
  }
  return { rows, nullKeyRows, distinctKeys, duplicateRows, duplicateKeys, sampleDuplicateKeys, ...(nullsMatch && nulls > 0 ? { nullKeysMatched: nulls } : {}) };
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

/** Nested types this deep (STRUCT/MAP/UNION parentheses and LIST brackets) compare by their JSON text. */
export const DEEP_NESTING = 6;

/** How deeply a DuckDB type may nest: the deepest STRUCT/MAP/UNION parentheses (not DECIMAL's) plus every list bracket (an upper bound). */
export function nestingDepth(type: string): number {
  let depth = 0;
  let max = 0;
  const stack: boolean[] = [];
  for (let i = 0; i < type.length; i++) {
    const c = type[i];
    if (c === '(') {
      const nested = /(STRUCT|MAP|UNION)\s*$/i.test(type.slice(Math.max(0, i - 8), i));
      stack.push(nested);
      if (nested) max = Math.max(max, ++depth);
    } else if (c === ')' && stack.pop()) depth--;
  }
  return max + (type.match(/\[/g)?.length ?? 0);
}

/** The column-wise "is different" predicate, honouring tolerances for numbers. NaN equals NaN; null vs NaN differs. */
export function differsSql(a: string, b: string, pair: ColumnPair, tolerances?: Tolerances, normalise?: TextNormalisation): string {
  // DuckDB's IS DISTINCT FROM on nested types takes time exponential in their depth (a 2-row, 20-level struct:
  // 16 s); their canonical JSON text compares in time linear in their size (4 ms). Only deep types take that
  // path, so -0.0 vs 0.0 inside a shallow struct stays equal as before.
  if (nestingDepth(pair.compareType) >= DEEP_NESTING) return `(CAST(to_json(${a}) AS VARCHAR) IS DISTINCT FROM CAST(to_json(${b}) AS VARCHAR))`;
  const tol = toleranceFor(tolerances, pair.name);
  if (isNumericKind(pair.kind) && (tol.abs > 0 || tol.rel > 0)) {
    const da = `CAST(${a} AS DOUBLE)`;
    const db = `CAST(${b} AS DOUBLE)`;
    return `(${a} IS DISTINCT FROM ${b} AND NOT coalesce(abs(${da} - ${db}) <= ${tol.abs} + ${tol.rel} * abs(${da}), false))`;
  }
  return `(${valueSql(a, pair, normalise)} IS DISTINCT FROM ${valueSql(b, pair, normalise)})`;
}

/** The side subquery: key and value columns cast to the comparison types. */
function sideSql(relation: string, side: 'research' | 'production', keys: readonly ColumnPair[], values: readonly ColumnPair[], join: KeyJoin): string {
  const name = (p: ColumnPair) => (side === 'research' ? p.name : p.productionName);
  const cols = [...keys.map((p, i) => `${keyExpr(p, side, join.normalise)} AS k${i}`), ...values.map((p, i) => `${castExpr(name(p), p.compareType)} AS v${i}`), 'true AS _in'];
  if (join.nullsMatch) return `(SELECT ${cols.join(', ')} FROM ${relation})`;
  const notNull = keys.map((_p, i) => `k${i} IS NOT NULL`).join(' AND ');
  return `(SELECT * FROM (SELECT ${cols.join(', ')} FROM ${relation}) WHERE ${notNull})`;
}

/** How the sides' keys are joined: normalised text keys (--ignore-spaces), and null parts equal (--null-keys match). */
export interface KeyJoin {
  readonly normalise?: TextNormalisation;
  readonly nullsMatch: boolean;
}

/** Key part i of a side as joined: cast to the comparison type, trimmed under --ignore-spaces. */
function keyExpr(p: ColumnPair, side: 'research' | 'production', normalise: TextNormalisation | undefined): string {
  return keySql(castExpr(side === 'research' ? p.name : p.productionName, p.compareType), p, normalise);
}

/** Equality of key parts: `=` drops nulls (they were filtered), IS NOT DISTINCT FROM pairs them. */
function keyEq(x: string, y: string, join: KeyJoin): string {
  return join.nullsMatch ? `${x} IS NOT DISTINCT FROM ${y}` : `${x} = ${y}`;
}

/**
 * Sides with duplicate keys pair as multisets: under a duplicated key, identical rows pair first (copy n of a row
 * with copy n of the same row), and only the rows left over are paired, in a stable order by their values, and
 * compared. So research (1, 2), (1, 0) against production (1, 2) leaves (1, 0) unmatched instead of making up a
 * change from 0 to 2.
 */
function duplicatePairingSql(a: string, b: string, keys: readonly ColumnPair[], values: readonly ColumnPair[], join: KeyJoin): { a: string; b: string } {
  const partition = keys.map((_p, i) => `k${i}`).join(', ');
  // Values as compared: rows equal after --ignore-spaces/--ignore-case pair as identical copies.
  const compared = values.map((p, i) => valueSql(`v${i}`, p, join.normalise));
  const rowHash = values.length ? `hash(${compared.join(', ')})` : 'hash(1)';
  const copies = (side: string) => `(SELECT *, ${rowHash} AS _h, row_number() OVER (PARTITION BY ${partition}, ${rowHash}) AS _c FROM ${side})`;
  const same = keys
    .map((_p, i) => keyEq(`x.k${i}`, `y.k${i}`, join))
    .concat(['x._h = y._h', 'x._c = y._c'])
    .join(' AND ');
  const order = values.length ? compared.join(', ') : '1';
  const leftover = (x: string, y: string) =>
    `(SELECT * EXCLUDE (_h, _c), row_number() OVER (PARTITION BY ${partition} ORDER BY ${order}) AS _dup FROM (SELECT x.* FROM ${copies(x)} x ANTI JOIN ${copies(y)} y ON ${same}))`;
  return { a: leftover(a, b), b: leftover(b, a) };
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
  join: KeyJoin = { nullsMatch: false },
): string {
  const on = [...keys.map((_p, i) => keyEq(`a.k${i}`, `b.k${i}`, join)), ...(numberDuplicates ? ['a._dup = b._dup'] : [])].join(' AND ');
  const flags = values.map((p, i) => `${differsSql(`a.v${i}`, `b.v${i}`, p, tolerances, join.normalise)} AS d${i}`);
  const select = ['a._in AS in_a', 'b._in AS in_b', ...keys.map((_p, i) => `coalesce(a.k${i}, b.k${i}) AS k${i}`), ...values.flatMap((_p, i) => [`a.v${i} AS a${i}`, `b.v${i} AS b${i}`]), ...flags];
  const anyDiff = values.length ? values.map((p, i) => differsSql(`a.v${i}`, `b.v${i}`, p, tolerances, join.normalise)).join(' OR ') : 'false';
  let a = sideSql(research.relation, 'research', keys, values, join);
  let b = sideSql(production.relation, 'production', keys, values, join);
  if (numberDuplicates) ({ a, b } = duplicatePairingSql(a, b, keys, values, join));
  return `CREATE TEMP TABLE ${table} AS
SELECT ${select.join(',\n  ')}
FROM ${a} a
FULL OUTER JOIN ${b} b
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
  // A NaN written for a null is reported apart (null_vs_nan): the fill values exclude it.
  const filledValue = isNumericKind(p.kind) ? `${a} IS NULL AND NOT isnan(CAST(${b} AS DOUBLE))` : `${a} IS NULL`;
  q(cnt(`${a} IS NULL AND ${b} IS NOT NULL`), 'filled');
  q(`count(DISTINCT CASE WHEN ${filledValue} THEN ${b} END)`, 'filled_distinct');
  q(asText(agg('min', b, filledValue), p.compareType), 'filled_min');
  q(asText(agg('max', b, filledValue), p.compareType), 'filled_max');
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
    // Integers and decimals compared as DECIMAL differ exactly: wider than 2^53 (or past 16 significant digits) their
    // doubles may be equal (HUGEINT ids, wide counters, DECIMAL(38,18) amounts), and no such column was cast to
    // float32 or carries ulp noise.
    const int = p.kind === 'integer';
    const exact = int || (p.kind === 'decimal' && p.compareType.startsWith('DECIMAL'));
    const diff = int ? `CAST(abs(TRY_CAST(${a} AS HUGEINT) - TRY_CAST(${b} AS HUGEINT)) AS DOUBLE)` : exact ? `CAST(abs(${a} - ${b}) AS DOUBLE)` : `abs(${da} - ${db})`;
    const same = (x: string) => (exact ? `${a} = ${b}` : x);
    // An infinity against a number (or the other infinity) is an infinite difference, not an unknown one.
    q(agg('max', diff, `NOT isnan(${da}) AND NOT isnan(${db})`), 'maxabs');
    q(agg('max', `${diff} / abs(${da})`, `isfinite(${da}) AND NOT isnan(${db}) AND ${da} <> 0`), 'maxrel');
    q(cnt(`${valued} AND ${same(`CAST(${da} AS FLOAT) = CAST(${db} AS FLOAT)`)}`), 'f32');
    // One side is exactly the other's float32 rounding (the cast really happened there).
    q(cnt(`${valued} AND ${same(`(CAST(CAST(${da} AS FLOAT) AS DOUBLE) = ${db} OR CAST(CAST(${db} AS FLOAT) AS DOUBLE) = ${da})`)}`), 'f32exact');
    // Differences of a few ulps of a double: summation order, BLAS, compilers.
    // Values below the smallest normal double count relative to it (an ulp of 0 is a subnormal).
    q(cnt(`${valued} AND ${same(`abs(${da} - ${db}) <= ${NOISE_REL} * greatest(abs(${da}), abs(${db}), 2.2250738585072014e-308)`)}`), 'noise');
    // How many decimals and significant digits each side's values carry (their shortest round-trip text, exact),
    // and the largest difference in units of the rounded side's leading digit: precisionRounding reads them.
    for (const [side, r, o, raw] of [
      ['b', db, da, b],
      ['a', da, db, a],
    ] as const) {
      // Integers carry no decimals, and their significant digits are counted on the exact value (a double
      // holds only 15-17 of a 22-digit id's digits).
      q(int ? 'NULL' : agg('max', decimalsSql(r), valued), `dec${side}`);
      q(agg('max', int ? `length(rtrim(CAST(abs(TRY_CAST(${raw} AS HUGEINT)) AS VARCHAR), '0'))` : significantSql(r), valued), `sig${side}`);
      q(agg('max', `CASE WHEN ${r} = 0 THEN 'inf'::DOUBLE ELSE abs(${r} - ${o}) / pow(10, floor(log10(abs(${r})))) END`, valued), `lead${side}`);
    }
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
export async function keyedDiff(engine: Engine, research: Dataset, production: Dataset, pairs: readonly ColumnPair[], options: KeyedOptions): Promise<KeyedDiff & { readonly diffTable: string }> {
  const keys = keyPairs(pairs, options.key, research, production);
  const keySet = new Set(options.key);
  const values = pairs.filter((p) => !keySet.has(p.name));
  const join: KeyJoin = { normalise: options.normalise, nullsMatch: (options.nullKeys ?? DEFAULT_NULL_KEYS) === 'match' };
  // Trimmed keys are counted as joined ('a ' and 'a' are one key, maybe a duplicate); the profiles' counts are of the raw keys.
  const trimmed = normalisesKeys(keys, options.normalise);
  const healthOf = (d: Dataset, side: 'research' | 'production', known: KeyCounts | undefined) => {
    const names = keys.map((k) => (side === 'research' ? k.name : k.productionName));
    const relation = trimmed ? `(SELECT ${keys.map((k, i) => `${keyExpr(k, side, options.normalise)} AS ${ident(names[i]!)}`).join(', ')} FROM ${d.relation})` : d.relation;
    return keyHealth(engine, relation, names, options.sample, trimmed ? undefined : known, join.nullsMatch);
  };
  const [ha, hb] = [await healthOf(research, 'research', options.keyCounts?.[0]), await healthOf(production, 'production', options.keyCounts?.[1])];
  for (const [h, d] of [
    [ha, research],
    [hb, production],
  ] as const) {
    if (h.rows > 0 && h.nullKeyRows + (h.nullKeysMatched ?? 0) === h.rows) {
      throw new ReprodiffError('E_KEY_NULL', `key ${options.key.join(', ')} is null on every row of ${d.label}`, { suggestion: 'choose another --key, or compare without a key' });
    }
  }
  const table = `rd_diff_${++diffCounter}`;
  const numberDuplicates = ha.duplicateRows > 0 || hb.duplicateRows > 0;
  await engine.run(diffTableSql(ident(table), research, production, keys, values, options.tolerances, numberDuplicates, join));
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
    (await engine.all(`SELECT ${keyCols} FROM ${ident(table)} WHERE ${where} ORDER BY ${keyCols} LIMIT ${options.sample}`)).map((r) => keyValue(keys.map((_k, i) => r[`k${i}`])));
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
    duplicateKeysChanged: numberDuplicates ? await duplicateKeysChanged(engine, research, production, keys, join) : 0,
    keyFormat: onlyResearch > 0 && onlyProduction > 0 ? await keyFormat(engine, ident(table), keys, options.sample, { research, production, known: options.keyCounts }) : null,
  };
}

/** Keys that appear more than once on some side and whose row count differs between the sides. */
async function duplicateKeysChanged(engine: Engine, research: Dataset, production: Dataset, keys: readonly ColumnPair[], join: KeyJoin): Promise<number> {
  const counts = (relation: string, side: 'research' | 'production') => {
    const cols = keys.map((p, i) => `${keyExpr(p, side, join.normalise)} AS k${i}`);
    const notNull = join.nullsMatch ? 'true' : keys.map((_p, i) => `k${i} IS NOT NULL`).join(' AND ');
    return `(SELECT ${keys.map((_p, i) => `k${i}`).join(', ')}, count(*) AS n FROM (SELECT ${cols.join(', ')} FROM ${relation}) WHERE ${notNull} GROUP BY ALL)`;
  };
  const on = keys.map((_p, i) => keyEq(`a.k${i}`, `b.k${i}`, join)).join(' AND ');
  const row = await engine.one(`SELECT count(*) AS n FROM ${counts(research.relation, 'research')} a FULL OUTER JOIN ${counts(production.relation, 'production')} b ON ${on}
    WHERE greatest(coalesce(a.n, 0), coalesce(b.n, 0)) > 1 AND coalesce(a.n, 0) <> coalesce(b.n, 0)`);
  return toNumber(row.n) ?? 0;
}

/** Fewest keys a constant offset must pair before it is named. */
const KEY_OFFSET_MIN_KEYS = 3;
/** Share of all research keys a constant offset must map onto production keys. */
const KEY_OFFSET_SHARE = 0.9;

/** Text normalisations of a key part (as VARCHAR), in the order they are preferred when they match as many keys. */
const KEY_NORMALISATIONS: readonly [string, (x: string) => string][] = [
  ['surrounding whitespace', (x) => `trim(${x})`],
  ['letter case', (x) => `lower(${x})`],
  ['letter case and whitespace', (x) => `lower(trim(${x}))`],
  ['leading zeros', (x) => `regexp_replace(trim(${x}), '^0+(.)', '\\1')`],
  ['number vs text', (x) => `CAST(TRY_CAST(trim(${x}) AS DOUBLE) AS VARCHAR)`],
  ['separators and punctuation', (x) => `regexp_replace(lower(${x}), '[^[:alnum:]]', '', 'g')`],
];

/**
 * Why keys do not match, when they look alike: the unmatched keys of both sides (from the diff table) are
 * compared after each normalisation, and, for a single numeric key, after a constant offset (the difference of
 * the two sides' smallest, or largest, unmatched keys). The one matching the most keys is kept when it matches
 * at least half of the smaller side's unmatched keys.
 */
async function keyFormat(
  engine: Engine,
  table: string,
  keys: readonly ColumnPair[],
  sample: number,
  sides?: { research: Dataset; production: Dataset; known?: KeyedOptions['keyCounts'] },
): Promise<KeyFormat | null> {
  const cols = keys.map((_p, i) => `k${i}`).join(', ');
  const ua = `(SELECT DISTINCT ${cols} FROM ${table} WHERE in_b IS NULL)`;
  const ub = `(SELECT DISTINCT ${cols} FROM ${table} WHERE in_a IS NULL)`;
  const sizes = await engine.one(`SELECT (SELECT count(*) FROM ${ua}) AS na, (SELECT count(*) FROM ${ub}) AS nb`);
  const na = toNumber(sizes.na) ?? 0;
  const nb = toNumber(sizes.nb) ?? 0;
  if (na === 0 || nb === 0) return null;
  const text = (alias: string, i: number) => `CAST(${alias}.k${i} AS VARCHAR)`;
  const candidates: { name: string; on: string; offset?: number; target?: string }[] = KEY_NORMALISATIONS.map(([name, norm]) => ({
    name,
    on: keys.map((_p, i) => `${norm(text('x', i))} = ${norm(text('y', i))}`).join(' AND '),
  }));
  if (keys.length === 1 && isNumericKind(keys[0]!.kind) && sides) {
    // The offset maps research's keys onto production's: the difference of their smallest (or largest) keys, over
    // all keys (the unmatched ones alone are off by the shared ones) and over the unmatched ones.
    const k = keys[0]!;
    const all = (d: Dataset, name: string) => `(SELECT CAST(${ident(name)} AS ${k.compareType}) AS k0 FROM ${d.relation})`;
    const range = async (d: Dataset, name: string, known: KeyCounts | undefined) =>
      known?.min !== undefined && known.max !== undefined ? { lo: known.min, hi: known.max } : await engine.one(`SELECT min(k0) AS lo, max(k0) AS hi FROM ${all(d, name)}`);
    const ra = await range(sides.research, k.name, sides.known?.[0]);
    const rb = await range(sides.production, k.productionName, sides.known?.[1]);
    const u = await engine.one(`SELECT (SELECT min(k0) FROM ${ub}) - (SELECT min(k0) FROM ${ua}) AS ulo, (SELECT max(k0) FROM ${ub}) - (SELECT max(k0) FROM ${ua}) AS uhi`);
    const diff = (x: unknown, y: unknown) => {
      const a = toNumber(x);
      const b = toNumber(y);
      return a === null || b === null ? null : b - a;
    };
    const production = `(SELECT DISTINCT k0 FROM ${all(sides.production, k.productionName)} WHERE k0 IS NOT NULL)`;
    const research = `(SELECT DISTINCT k0 FROM ${all(sides.research, k.name)} WHERE k0 IS NOT NULL)`;
    let offsets = [...new Set([diff(ra.lo, rb.lo), diff(ra.hi, rb.hi), toNumber(u.ulo), toNumber(u.uhi)])].filter((o): o is number => o !== null && o !== 0 && Number.isFinite(o));
    // First among the unmatched keys only (the diff table, small): an offset that pairs few of them is dropped
    // before any pass over all keys.
    if (offsets.length) {
      const pre = await engine.one(`SELECT ${offsets.map((o, i) => `(SELECT count(*) FROM ${ua} x SEMI JOIN ${ub} y ON CAST(x.k0 AS DOUBLE) + ${o} = CAST(y.k0 AS DOUBLE)) AS o${i}`).join(', ')}`);
      offsets = offsets.filter((_o, i) => (toNumber(pre[`o${i}`]) ?? 0) >= Math.max(KEY_OFFSET_MIN_KEYS, 0.25 * Math.min(na, nb)));
    }
    if (offsets.length) {
      // A shift maps (almost) every research key onto a production key; two samples of one dense id range align
      // by chance only as often as production's keys fill that range. So an offset counts when it maps at least
      // OFFSET_SHARE of all research keys onto production keys.
      const on = (o: number) => `CAST(x.k0 AS DOUBLE) + ${o} = CAST(y.k0 AS DOUBLE)`;
      const fit = await engine.one(
        `SELECT (SELECT count(*) FROM ${research}) AS n, ${offsets.map((o, i) => `(SELECT count(*) FROM ${research} x SEMI JOIN ${production} y ON ${on(o)}) AS o${i}`).join(', ')}`,
      );
      const n = toNumber(fit.n) ?? 0;
      offsets.forEach((offset, i) => {
        if ((toNumber(fit[`o${i}`]) ?? 0) >= KEY_OFFSET_SHARE * n) candidates.push({ name: 'constant offset', on: on(offset), offset, target: production });
      });
    }
  }
  const counts = await engine.one(`SELECT ${candidates.map((c, i) => `(SELECT count(*) FROM ${ua} x SEMI JOIN ${c.target ?? ub} y ON ${c.on}) AS c${i}`).join(', ')}`);
  const tried: Record<string, number> = {};
  let best = -1;
  candidates.forEach((c, i) => {
    const n = toNumber(counts[`c${i}`]) ?? 0;
    tried[c.name] = Math.max(tried[c.name] ?? 0, n);
    if (n > 0 && (best < 0 || n > (toNumber(counts[`c${best}`]) ?? 0))) best = i;
  });
  if (best < 0) return null;
  const wouldMatch = toNumber(counts[`c${best}`]) ?? 0;
  if (wouldMatch < 0.5 * Math.min(na, nb)) return null;
  // An offset is fitted on the keys themselves (one pair always "matches" some offset): it takes a few to show.
  if (candidates[best]!.offset !== undefined && wouldMatch < KEY_OFFSET_MIN_KEYS) return null;
  const chosen = candidates[best]!;
  const pairs = await engine.all(
    `SELECT ${keys.map((_p, i) => `x.k${i} AS a${i}, y.k${i} AS b${i}`).join(', ')} FROM ${ua} x JOIN ${chosen.target ?? ub} y ON ${chosen.on} ORDER BY ${keys.map((_p, i) => `x.k${i}, y.k${i}`).join(', ')} LIMIT ${Math.max(1, Math.min(sample, 3))}`,
  );
  return {
    normalisation: chosen.name,
    wouldMatch,
    unmatchedResearchKeys: na,
    unmatchedProductionKeys: nb,
    examples: pairs.map((r) => ({ research: keyValue(keys.map((_p, i) => r[`a${i}`])), production: keyValue(keys.map((_p, i) => r[`b${i}`])) })),
    tried,
    ...(chosen.offset !== undefined ? { offset: chosen.offset } : {}),
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
    float32Exact: num('f32exact'),
    noise: num('noise'),
    digits: {
      production: { decimals: toNumber(g('decb')), significant: toNumber(g('sigb')), leadDiff: toNumber(g('leadb')) },
      research: { decimals: toNumber(g('deca')), significant: toNumber(g('siga')), leadDiff: toNumber(g('leada')) },
    },
    offsets: offsets.map((o) => ({ micros: toNumber(o) ?? 0, count: 0 })).sort((x, y) => x.micros - y.micros),
    clippedDown: { count: num('down'), to: toNumber(g('down_to')), distinctTo: num('down_distinct'), minFrom: toNumber(g('down_from')) },
    clippedUp: { count: num('up'), to: toNumber(g('up_to')), distinctTo: num('up_distinct'), maxFrom: toNumber(g('up_from')) },
    samples,
  };
}
