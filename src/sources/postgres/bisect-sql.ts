/**
 * Checksum bisection (way 2 of issue 21): SQL that both engines evaluate to the SAME numbers for equal rows.
 * Every value is first put in one canonical text form that no formatting choice of either engine enters:
 * integers in decimal; floats as their IEEE-754 bits in hex (PostgreSQL reads them, DuckDB rebuilds them by exact
 * arithmetic; text forms of floats differ between the engines); dates as days and timestamps as microseconds since
 * 1970 (UTC); booleans 0/1; text length-prefixed in bytes (so no separator can be forged); null `N`. A row's
 * hash is the first 60 bits of md5 of its canonical text, summed per segment (exactly: numeric / HUGEINT).
 */
import type { ColumnPair } from '../../compare/data/columns.js';
import { ident } from '../../engine/quote.js';
import { decimalParts } from '../../compare/shared/kinds.js';
import { postgresDialect } from './postgres-dialect.js';

/** The few expressions that differ between the two engines. */
export interface HashDialect {
  readonly ident: (name: string) => string;
  /** Cast to the comparison type (DuckDB type name given). */
  readonly cast: (x: string, pair: ColumnPair) => string;
  readonly pow2: (e: string) => string;
  readonly toBigint: (x: string) => string;
  readonly byteLength: (x: string) => string;
  readonly days: (x: string) => string;
  readonly micros: (x: string) => string;
  readonly isFiniteTime: (x: string) => string;
  readonly nanTest: (x: string) => string;
  readonly infTest: (x: string, sign: 1 | -1) => string;
  readonly md5Bits: (t: string) => string;
  /**
   * The IEEE-754 bits of a finite, non-zero double as 16 lower-case hex digits: PostgreSQL reads them
   * (float8send); DuckDB, which cannot, rebuilds them from the exponent and mantissa (floatBitsByArithmetic).
   */
  readonly floatBits: (x: string) => string;
  /** floor((k - lo) · n / width) in exact integer arithmetic. */
  readonly segment: (k: string, lo: string, n: number, width: string) => string;
}

/** Which comparison types bisection can hash identically in both engines. */
export function hashable(pair: ColumnPair): boolean {
  const t = pair.compareType.toUpperCase();
  return ['BIGINT', 'DOUBLE', 'VARCHAR', 'BOOLEAN', 'DATE', 'TIMESTAMP', 'TIMESTAMP WITH TIME ZONE', 'TIMESTAMPTZ'].includes(t) || decimalParts(t) !== null;
}

/** The canonical text of one column's value (already cast to its comparison type). */
export function canonicalSql(h: HashDialect, x: string, pair: ColumnPair): string {
  const t = pair.compareType.toUpperCase();
  const orNull = (expr: string) => `CASE WHEN ${x} IS NULL THEN 'N' ELSE ${expr} END`;
  // A decimal compared exactly (columns.ts): both engines print it with its scale's digits (`5.00`).
  if (decimalParts(t)) return orNull(`CAST(${x} AS VARCHAR)`);
  switch (t) {
    case 'BIGINT':
      return orNull(`CAST(${x} AS VARCHAR)`);
    case 'BOOLEAN':
      return orNull(`CASE WHEN ${x} THEN '1' ELSE '0' END`);
    case 'VARCHAR':
      return orNull(`'S' || CAST(${h.byteLength(x)} AS VARCHAR) || ':' || ${x}`);
    case 'DATE':
      return orNull(`CASE WHEN ${h.isFiniteTime(x)} THEN CAST(${h.days(x)} AS VARCHAR) WHEN ${x} > DATE '1970-01-01' THEN 'inf' ELSE '-inf' END`);
    case 'TIMESTAMP':
    case 'TIMESTAMP WITH TIME ZONE':
    case 'TIMESTAMPTZ':
      return orNull(
        `CASE WHEN ${h.isFiniteTime(x)} THEN CAST(${h.micros(x)} AS VARCHAR) WHEN ${x} > ${t === 'TIMESTAMP' ? "TIMESTAMP '1970-01-01'" : "TIMESTAMPTZ '1970-01-01 00:00:00+00'"} THEN 'inf' ELSE '-inf' END`,
      );
    case 'DOUBLE':
      return orNull(`CASE WHEN ${h.nanTest(x)} THEN 'nan' WHEN ${h.infTest(x, 1)} THEN 'inf' WHEN ${h.infTest(x, -1)} THEN '-inf' WHEN ${x} = 0 THEN '0' ELSE ${h.floatBits(x)} END`);
    default:
      throw new Error(`no canonical form for ${pair.compareType}`);
  }
}

/**
 * A finite non-zero double's bit pattern by exact arithmetic: |x| = 2^e · (1 + M/2^52), e from ln corrected by
 * one either way (divisions by powers of two are exact); subnormals (below 2^-1022) are multiples of 2^-1074.
 */
function floatBitsByArithmetic(x: string, pow2: (e: string) => string, toUbigint: (x: string) => string): string {
  const ax = `abs(${x})`;
  const e0 = `floor(ln(${ax}) / ln(2))`;
  const e = `(${e0} + CASE WHEN ${ax} / ${pow2(e0)} >= 2 THEN 1 WHEN ${ax} / ${pow2(e0)} < 1 THEN -1 ELSE 0 END)`;
  const normal = `(${toUbigint(`${e} + 1023`)} << 52) | ${toUbigint(`(${ax} / ${pow2(e)} - 1) * 4503599627370496`)}`;
  const subnormal = toUbigint(`${ax} * ${pow2('600')} * ${pow2('474')}`);
  const sign = `CASE WHEN ${x} < 0 THEN ${toUbigint('1')} << 63 ELSE ${toUbigint('0')} END`;
  return `printf('%016x', ${sign} | CASE WHEN ${ax} < 2.2250738585072014e-308 THEN ${subnormal} ELSE ${normal} END)`;
}

/** The row hash of a side: its columns (research order) cast, made canonical and joined. */
export function rowHashSql(h: HashDialect, pairs: readonly ColumnPair[], side: 'research' | 'production'): string {
  const parts = pairs.map((p) => canonicalSql(h, h.cast(h.ident(side === 'research' ? p.name : p.productionName), p), p));
  return h.md5Bits(parts.length ? parts.join(" || '|' || ") : "''");
}

/** Count and hash sum per segment of [lo, lo + width) for one side's rows in that range. */
export function segmentSumsSql(h: HashDialect, from: string, keyName: string, pairs: readonly ColumnPair[], side: 'research' | 'production', lo: bigint, width: bigint, n: number): string {
  const k = h.ident(keyName);
  const hi = lo + width - 1n;
  return `SELECT ${h.segment(k, lo.toString(), n, width.toString())} AS seg, count(*) AS n, CAST(sum(${rowHashSql(h, pairs, side)}) AS VARCHAR) AS s
FROM ${from} AS q WHERE ${k} BETWEEN ${lo} AND ${hi} GROUP BY 1 ORDER BY 1`;
}

export const postgresHash: HashDialect = {
  ident: (n) => postgresDialect.ident(n),
  // The dialect's own map of comparison types (the pushdown's): bisection hashes only the types hashable() names.
  cast: (x, p) => `CAST(${x} AS ${postgresDialect.remoteCompareType(p.compareType)})`,
  pow2: (e) => `power(2::float8, ${e})`,
  toBigint: (x) => `(${x})::bigint`,
  byteLength: (x) => `octet_length(${x})`,
  days: (x) => `(${x} - DATE '1970-01-01')`,
  micros: (x) => `(extract(epoch FROM ${x}) * 1000000)::bigint`,
  isFiniteTime: (x) => `isfinite(${x})`,
  nanTest: (x) => `${x} = 'NaN'::float8`,
  infTest: (x, s) => `${x} = '${s < 0 ? '-' : ''}Infinity'::float8`,
  md5Bits: (t) => `(('x' || substr(md5(${t}), 1, 15))::bit(60)::bigint)`,
  floatBits: (x) => `encode(float8send(${x}), 'hex')`,
  segment: (k, lo, n, width) => `div((${k} - ${lo})::numeric * ${n}, ${width}::numeric)`,
};

export const duckdbHash: HashDialect = {
  ident: (n) => ident(n),
  cast: (x, p) => `CAST(${x} AS ${p.compareType})`,
  pow2: (e) => `pow(2.0, ${e})`,
  toBigint: (x) => `CAST(${x} AS BIGINT)`,
  byteLength: (x) => `strlen(${x})`,
  days: (x) => `(${x} - DATE '1970-01-01')`,
  micros: (x) => `epoch_us(${x})`,
  isFiniteTime: (x) => `isfinite(${x})`,
  nanTest: (x) => `isnan(${x})`,
  infTest: (x, s) => `(isinf(${x}) AND ${x} ${s < 0 ? '<' : '>'} 0)`,
  md5Bits: (t) => `CAST('0x' || substr(md5(${t}), 1, 15) AS BIGINT)`,
  floatBits: (x) =>
    floatBitsByArithmetic(
      x,
      (e) => `pow(2.0, ${e})`,
      (v) => `CAST(${v} AS UBIGINT)`,
    ),
  segment: (k, lo, n, width) => `CAST((CAST(${k} AS HUGEINT) - ${lo}) * ${n} // ${width} AS BIGINT)`,
};
