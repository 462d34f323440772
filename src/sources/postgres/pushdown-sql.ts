/**
 * SQL of the pushed-down keyed diff (way 1 of issue 21), built from a dialect: the same FULL OUTER JOIN with
 * one differing flag per column as the local diff (src/compare/data/keyed.ts), returning only the rows that are
 * unmatched or differ, each side's columns as a download exports them. Pure functions of their inputs
 * (unit-tested).
 */
import type { ColumnPair } from '../../compare/data/columns.js';
import { isNumericKind } from '../../compare/data/columns.js';
import { toleranceFor } from '../../compare/data/tolerance.js';
import type { Tolerances } from '../../compare/data/tolerance.js';
import type { RemoteColumn, SqlDialect } from './dialect.js';

/** A column pair with the remote type both sides are cast to. */
export interface RemotePair {
  readonly pair: ColumnPair;
  readonly remoteType: string;
  /**
   * Both sides hold the same remote type, whose equality implies equal values once exported: compared as stored,
   * with no cast per row (numeric → float8 goes through text: 20M of them cost seconds) and an index kept usable.
   */
  readonly asStored?: boolean;
}

/** Whether a pair's side is used as stored (no cast), so a key keeps its index order. */
export function uncast(r: RemotePair, side: 'research' | 'production'): boolean {
  return r.asStored === true || (side === 'research' ? r.pair.research.type : r.pair.production.type).toUpperCase() === r.pair.compareType.toUpperCase();
}

/**
 * The side subquery: keys and values cast to the comparison types, rows with a null key part left out (they
 * are counted apart). A column already of its comparison type is not cast, so a key keeps its index (the
 * planner can merge-join two primary keys instead of hashing a side). `exports` adds the side's columns as a
 * download exports them (x0, x1, …), which the join hands back for the differing rows.
 */
export function sideSql(
  d: SqlDialect,
  from: string,
  side: 'research' | 'production',
  keys: readonly RemotePair[],
  values: readonly RemotePair[],
  exports: readonly RemoteColumn[] = [],
  keyNotNull = false,
): string {
  const name = (p: ColumnPair) => d.ident(side === 'research' ? p.name : p.productionName);
  const cast = (r: RemotePair) => (uncast(r, side) ? name(r.pair) : `CAST(${name(r.pair)} AS ${r.remoteType})`);
  // Text values compare as their bytes, as DuckDB compares them: not by a case-insensitive type (citext) or a
  // nondeterministic collation, under which the database would call equal what the local diff calls different.
  const value = (r: RemotePair) => (r.pair.kind === 'string' ? `${d.sql.asBytes(`CAST(${name(r.pair)} AS ${r.remoteType})`)}` : cast(r));
  const cols = [...keys.map((k, i) => `${cast(k)} AS k${i}`), ...values.map((v, i) => `${value(v)} AS v${i}`), ...exports.map((c, i) => `${d.exportExpr(c)} AS x${i}`)];
  // A key declared NOT NULL needs no test (PostgreSQL 15 checks it on every index entry otherwise).
  if (keyNotNull) return `SELECT ${cols.join(', ')} FROM ${from} AS q`;
  const notNull = keys.map((k) => `${name(k.pair)} IS NOT NULL`).join(' AND ');
  return `SELECT ${cols.join(', ')} FROM ${from} AS q WHERE ${notNull}`;
}

/** The "is different" predicate, honouring tolerances for numbers; NaN equals NaN, null vs NaN differs (as keyed.ts). */
export function differsSql(d: SqlDialect, a: string, b: string, pair: ColumnPair, tolerances?: Tolerances): string {
  const tol = toleranceFor(tolerances, pair.name);
  if (isNumericKind(pair.kind) && (tol.abs > 0 || tol.rel > 0)) {
    const da = d.sql.toDouble(a);
    const db = d.sql.toDouble(b);
    return `(${a} IS DISTINCT FROM ${b} AND NOT coalesce(abs(${da} - ${db}) <= ${tol.abs} + ${tol.rel} * abs(${da}), false))`;
  }
  return `(${a} IS DISTINCT FROM ${b})`;
}

/** Key health of one side: rows, rows with a null key part, distinct non-null keys. */
export function keyCountsSql(d: SqlDialect, from: string, keyNames: readonly string[]): string {
  const keys = keyNames.map(d.ident);
  const anyNull = keys.map((k) => `${k} IS NULL`).join(' OR ');
  const distinct = keys.length === 1 ? keys[0]! : `(${keys.join(', ')})`;
  return `SELECT count(*) AS n, count(*) FILTER (WHERE ${anyNull}) AS nulls, count(DISTINCT ${distinct}) FILTER (WHERE NOT (${anyNull})) AS d FROM ${from} AS q`;
}

/**
 * ONE statement: the FULL OUTER JOIN of both sides on the key, returning only the rows unmatched on one side or
 * differing in some column (at most `limit`), each as `in_a, in_b`, then research's `exports` columns, then
 * production's, as a download exports them. The local keyed diff runs on those rows (pushdown.ts): the
 * database finds which rows differ, the local probes say why, and no value reaches the SQL.
 */
export function differingRowsSql(
  d: SqlDialect,
  from: { research: string; production: string },
  keys: readonly RemotePair[],
  values: readonly RemotePair[],
  exports: { research: readonly RemoteColumn[]; production: readonly RemoteColumn[] },
  tolerances: Tolerances | undefined,
  limit: number,
  keyNotNull: { research: boolean; production: boolean } = { research: false, production: false },
): string {
  const on = keys.map((_k, i) => `a.k${i} = b.k${i}`).join(' AND ');
  const flags = values.map((v, i) => differsSql(d, `a.v${i}`, `b.v${i}`, v.pair, tolerances));
  const out = ['a.k0 IS NOT NULL AS in_a', 'b.k0 IS NOT NULL AS in_b', ...exports.research.map((_c, i) => `a.x${i} AS a${i}`), ...exports.production.map((_c, i) => `b.x${i} AS b${i}`)];
  const differs = ['a.k0 IS NULL', 'b.k0 IS NULL', ...flags].join('\n    OR ');
  return `SELECT ${out.join(', ')}
FROM (${sideSql(d, from.research, 'research', keys, values, exports.research, keyNotNull.research)}) AS a
FULL OUTER JOIN (${sideSql(d, from.production, 'production', keys, values, exports.production, keyNotNull.production)}) AS b ON ${on}
WHERE ${differs}
LIMIT ${Math.max(0, Math.floor(limit))}`;
}

/**
 * Whether a table's key is declared unique and NOT NULL (a primary key, or a unique index on exactly those
 * columns): then its key health needs only a row count, and both sides can be merge-joined in index order.
 * Parameters: $1 the quoted table name, $2 the key column names.
 */
export const DECLARED_KEY_SQL = `SELECT
  EXISTS (SELECT 1 FROM pg_index i
          WHERE i.indrelid = $1::regclass AND i.indisunique AND i.indpred IS NULL AND i.indexprs IS NULL
            AND i.indnatts = cardinality($2::text[])
            AND (SELECT array_agg(a.attname::text ORDER BY a.attname) FROM pg_attribute a
                 WHERE a.attrelid = i.indrelid AND a.attnum = ANY (i.indkey::int2[])) = (SELECT array_agg(x ORDER BY x) FROM unnest($2::text[]) AS x)) AS uniq,
  coalesce((SELECT bool_and(attnotnull) AND count(*) = cardinality($2::text[]) FROM pg_attribute WHERE attrelid = $1::regclass AND attname = ANY ($2::text[])), false) AS notnull`;

/** A table's row count as the planner estimates it (reltuples per page × pages now); ≤ 0 when unknown. $1: the quoted table name. */
export const ROW_ESTIMATE_SQL = `SELECT CASE WHEN c.reltuples > 0 AND c.relpages > 0
  THEN c.reltuples::float8 / c.relpages * (pg_relation_size(c.oid) / current_setting('block_size')::float8)
  ELSE c.reltuples::float8 END AS n FROM pg_class c WHERE c.oid = $1::regclass`;
