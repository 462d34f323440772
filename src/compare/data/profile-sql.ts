/**
 * The SQL of a table profile, shared by the ordinary scan (profile.ts) and the wide-table path
 * (profile-wide.ts): per-column aggregate expressions, the content fingerprint, category counts.
 */
import { ident } from '../../engine/quote.js';
import type { ColumnInfo } from '../../sources/register.js';
import { asText, canonicalType, isNumericKind, isTemporalKind, kindOf } from './columns.js';
import type { Kind } from './columns.js';
import { HLL_RANK_BITS } from '../../stats/hll.js';

export const QUANTILE_LEVELS = [0.01, 0.05, 0.25, 0.5, 0.75, 0.95, 0.99] as const;
export const QUANTILE_NAMES = ['p01', 'p05', 'p25', 'p50', 'p75', 'p95', 'p99'] as const;
export type QuantileName = (typeof QUANTILE_NAMES)[number];

/**
 * Order-independent content fingerprint: the sum of 64-bit row hashes modulo 2^64, over columns in name
 * order cast to canonical types, so row order, column order, int widths and CSV vs Parquet never change it.
 */
export function fingerprintExpr(columns: readonly ColumnInfo[]): string {
  const ordered = [...columns].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const h = ordered.length ? `hash(${ordered.map((c) => `CAST(${ident(c.name)} AS ${canonicalType(c.type)})`).join(', ')})` : 'hash(1)';
  return `printf('%016x', CAST(coalesce(sum(CAST(${h} AS HUGEINT)), 0) % 18446744073709551616 AS UBIGINT))`;
}

/** A date or timestamp as the drift tests read it: epoch seconds as DOUBLE (null for ±infinity). */
export function epochSeconds(name: string): string {
  return `CAST(epoch_us(TRY_CAST(${ident(name)} AS TIMESTAMP)) AS DOUBLE) / 1e6`;
}

/** How a column is read as a number for statistics. */
function asDouble(name: string): string {
  return `CAST(${ident(name)} AS DOUBLE)`;
}

/**
 * The aggregate expressions for one column, aliased `c<i>_<stat>` so user names never reach an alias. `approx`: a
 * text column's distinct count is left to value counts or a HyperLogLog estimate (profile.ts), so the scan only
 * estimates it cheaply to pick between them.
 */
export function columnAggregates(column: ColumnInfo, i: number, ordered = false, epoch = false, approx = false): string[] {
  const c = ident(column.name);
  const kind = kindOf(column.type);
  const a = (expr: string, stat: string) => `${expr} AS c${i}_${stat}`;
  const sorted = ordered && hasOrderStats(kind);
  // Sorted columns get a cardinality estimate: it picks the sort or the value-counts path (orderStats).
  const estimated = sorted || (approx && kind === 'string');
  const out = [a(`count(${c})`, 'count'), ...(estimated ? [a(`approx_count_distinct(${c})`, 'approx')] : [a(`count(DISTINCT ${c})`, 'distinct')])];
  if (isNumericKind(kind)) {
    const x = asDouble(column.name);
    // CASE rather than FILTER: DuckDB plans many FILTER clauses far slower on wide tables.
    const when = (cond: string, v = '1') => `CASE WHEN ${cond} THEN ${v} END`;
    // Integers and decimals are always finite: no NaN/±inf to count, no finiteness test in every aggregate
    // (a third of the scan's time on an integer column).
    const alwaysFinite = kind === 'integer' || kind === 'decimal';
    const fx = alwaysFinite ? x : when(`isfinite(${x})`, x);
    out.push(
      ...(alwaysFinite ? [] : [a(`count(${when(`isnan(${x})`)})`, 'nan'), a(`count(${when(`${x} = 'inf'::DOUBLE`)})`, 'posinf'), a(`count(${when(`${x} = '-inf'::DOUBLE`)})`, 'neginf')]),
      a(`count(${when(`${x} = 0`)})`, 'zeros'),
      a(`min(${fx})`, 'min'),
      a(`max(${fx})`, 'max'),
      // Integers sum exactly (HUGEINT); floats use a compensated sum so row order barely matters.
      kind === 'integer' ? a(`sum(${c})`, 'sum') : a(`fsum(${fx})`, 'sum'),
      // Σ|x| is the scale of a sum's rounding error (a sum near 0 has no meaningful relative error).
      a(`fsum(abs(${fx}))`, 'abssum'),
      a(`stddev_samp(${fx})`, 'std'),
      ...(sorted ? [] : [a(`quantile_cont(${fx}, [${QUANTILE_LEVELS.join(', ')}])`, 'q')]),
    );
  } else if (kind === 'string') {
    out.push(
      // As text: UUID and ENUM columns have no length() of their own.
      a(`min(length(CAST(${c} AS VARCHAR)))`, 'minlen'),
      a(`max(length(CAST(${c} AS VARCHAR)))`, 'maxlen'),
      a(`avg(length(CAST(${c} AS VARCHAR)))`, 'meanlen'),
      a(`count(CASE WHEN CAST(${c} AS VARCHAR) = '' THEN 1 END)`, 'empty'),
    );
  } else if (kind === 'boolean') {
    out.push(a(`count(CASE WHEN ${c} THEN 1 END)`, 'trues'));
  } else if (isTemporalKind(kind) || kind === 'time') {
    // As text: JS dates would drop microseconds and nanoseconds.
    out.push(a(asText(`min(${c})`, column.type), 'min'), a(asText(`max(${c})`, column.type), 'max'));
    if (epoch && kind !== 'time') {
      // The drift tests' totals, in their own units, so that they need no pass of their own.
      const x = epochSeconds(column.name);
      const fx = `CASE WHEN isfinite(${x}) THEN ${x} END`;
      out.push(a(`count(${fx})`, 'efinite'), a(`min(${fx})`, 'emin'), a(`max(${fx})`, 'emax'), a(`fsum(${fx})`, 'esum'), a(`fsum(abs(${fx}))`, 'eabs'));
    }
  }
  return out;
}

/** The 64-bit hash's low bits below the register bits (2^52 − 1): masked, since DuckDB's UBIGINT shift left is checked. */
const HLL_LOW_MASK = `${2n ** BigInt(HLL_RANK_BITS) - 1n}::UBIGINT`;

/**
 * HyperLogLog registers of one column's non-null values (src/stats/hll.ts): per register (the hash's top bits), the
 * smallest value of the remaining bits. 4,096 rows at most; min is commutative, so any row order or thread count
 * gives the same registers.
 */
export function hllRegistersSql(relation: string, column: string): string {
  const c = ident(column);
  return `SELECT CAST(h >> ${HLL_RANK_BITS} AS INTEGER) AS register, min(h & ${HLL_LOW_MASK}) AS low
FROM (SELECT hash(${c}) AS h FROM ${relation} WHERE ${c} IS NOT NULL) GROUP BY 1`;
}

/** Columns profiled per scan: one scan for ordinary tables; wide ones are cut so DuckDB's plan stays small. */
export const PROFILE_CHUNK = 64;

/** Numeric and temporal columns get their distinct count (and quantiles) from one sort instead of two hash/collect states. */
export function hasOrderStats(kind: Kind): boolean {
  return isNumericKind(kind) || isTemporalKind(kind);
}

export interface CategoryCounts {
  /** Most frequent values first (ties by value), at most `cap`. */
  readonly values: { value: string; count: number }[];
  /** Distinct non-null values in all. */
  readonly distinct: number;
}

export function categoryCountsSql(relation: string, names: readonly string[], cap: number, types: readonly string[] = []): string {
  const which = names.map((n, i) => `WHEN GROUPING(${ident(n)}) = 0 THEN ${i}`).join(' ');
  const value = names.map((n, i) => `WHEN GROUPING(${ident(n)}) = 0 THEN ${asText(ident(n), types[i] ?? 'VARCHAR')}`).join(' ');
  const sets = names.map((n) => `(${ident(n)})`).join(', ');
  return `WITH g AS (
  SELECT CASE ${which} END AS col_idx, CASE ${value} END AS v, count(*) AS n
  FROM ${relation} GROUP BY GROUPING SETS (${sets})
), ranked AS (
  SELECT col_idx, v, n, row_number() OVER (PARTITION BY col_idx ORDER BY n DESC, v ASC) AS rn,
         count(*) OVER (PARTITION BY col_idx) AS n_distinct
  FROM g WHERE v IS NOT NULL
)
SELECT col_idx, v, n, n_distinct FROM ranked WHERE rn <= ${Math.max(1, Math.floor(cap))} ORDER BY col_idx, rn`;
}
