/**
 * SQL of the pushed-down keyed diff (way 1 of issue 21), built from a dialect: the same FULL OUTER JOIN with
 * one differing flag per column as the local diff (src/compare/data/keyed.ts), read back as counts and sample
 * keys. Pure functions of their inputs (unit-tested).
 */
import type { ColumnPair } from '../../compare/data/columns.js';
import { isNumericKind } from '../../compare/data/columns.js';
import { toleranceFor } from '../../compare/data/tolerance.js';
import type { Tolerances } from '../../compare/data/tolerance.js';
import type { SqlDialect } from './dialect.js';

/** A column pair with the remote type both sides are cast to. */
export interface RemotePair {
  readonly pair: ColumnPair;
  readonly remoteType: string;
}

/**
 * The side subquery: keys and values cast to the comparison types, rows with a null key part left out (they
 * are counted apart). A column already of its comparison type is not cast, so a key keeps its index (the
 * planner can merge-join two primary keys instead of hashing a side).
 */
export function sideSql(d: SqlDialect, from: string, side: 'research' | 'production', keys: readonly RemotePair[], values: readonly RemotePair[]): string {
  const name = (p: ColumnPair) => d.ident(side === 'research' ? p.name : p.productionName);
  const cast = (p: ColumnPair, remoteType: string) => {
    const own = (side === 'research' ? p.research.type : p.production.type).toUpperCase();
    return own === p.compareType.toUpperCase() ? name(p) : `CAST(${name(p)} AS ${remoteType})`;
  };
  const cols = [...keys.map((k, i) => `${cast(k.pair, k.remoteType)} AS k${i}`), ...values.map((v, i) => `${cast(v.pair, v.remoteType)} AS v${i}`)];
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

/** Key order as DuckDB sorts (text by bytes, not by the database's collation), so samples are the same rows. */
function keyOrder(keys: readonly RemotePair[]): string {
  return keys.map((k, i) => (k.pair.kind === 'string' ? `k${i} COLLATE "C"` : `k${i}`)).join(', ');
}

/**
 * ONE statement: the FULL OUTER JOIN of both sides on the key, keeping only unmatched or differing rows
 * (materialised once), then the counts (per value column, how many matched rows differ) and the sample keys
 * of unmatched rows, as one row. Differing values are not probed here: pushdown.ts hands those comparisons to
 * the local diff, whose probes name their causes.
 */
export function pushdownDiffSql(
  d: SqlDialect,
  from: { research: string; production: string },
  keys: readonly RemotePair[],
  values: readonly RemotePair[],
  tolerances: Tolerances | undefined,
  sample: number,
): string {
  const on = keys.map((_k, i) => `a.k${i} = b.k${i}`).join(' AND ');
  const flags = values.map((v, i) => differsSql(d, `a.v${i}`, `b.v${i}`, v.pair, tolerances));
  const select = [
    'CASE WHEN a.k0 IS NOT NULL THEN true END AS in_a',
    'CASE WHEN b.k0 IS NOT NULL THEN true END AS in_b',
    ...keys.map((_k, i) => `coalesce(a.k${i}, b.k${i}) AS k${i}`),
    ...flags.map((f, i) => `${f} AS d${i}`),
  ];
  const anyDiff = flags.length ? flags.join(' OR ') : 'false';
  const keyList = keys.map((_k, i) => `k${i}`);
  const sampleKeys = (where: string) => `(SELECT json_agg(json_build_array(${keyList.map((k) => d.sql.asText(k)).join(', ')})) FROM (SELECT ${keyList.join(', ')} FROM j WHERE ${where} ORDER BY ${keyOrder(keys)} LIMIT ${sample}) s)`;
  const counts = [
    'count(CASE WHEN in_b IS NULL THEN 1 END) AS only_a',
    'count(CASE WHEN in_a IS NULL THEN 1 END) AS only_b',
    'count(CASE WHEN in_a AND in_b THEN 1 END) AS changed',
    ...values.map((_v, i) => `count(CASE WHEN in_a AND in_b AND d${i} THEN 1 END) AS p${i}_n`),
  ];
  return `WITH a AS (${sideSql(d, from.research, 'research', keys, values)}),
b AS (${sideSql(d, from.production, 'production', keys, values)}),
j AS MATERIALIZED (
  SELECT ${select.join(',\n    ')}
  FROM a FULL OUTER JOIN b ON ${on}
  WHERE a.k0 IS NULL OR b.k0 IS NULL OR ${anyDiff}
),
c AS (SELECT ${counts.join(', ')} FROM j)
SELECT c.*,
  ${sampleKeys('in_b IS NULL')} AS sample_only_a,
  ${sampleKeys('in_a IS NULL')} AS sample_only_b
FROM c`;
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
