/**
 * Way 1 of issue 21: both sides are tables or queries in the same PostgreSQL database, so the keyed
 * `data --no-stats` diff runs there, as one statement (pushdown-sql.ts); only counts and at most --sample keys
 * per finding come back. It answers what needs no value probe: equal tables, and rows lost or added on one
 * side (read by the local diff's keyedRowFindings). Everything else falls back to downloading both sides, and
 * the report says why: matched values that differ (their causes — rounding digits, float32, ulp noise, a
 * rescale, a new category — are read by the local probes, which a second SQL copy would drift from), keys
 * unmatched on both sides (key format, unseeded samples), duplicate keys (which pair up by value order), no
 * common rows (drift tests), or a type without a remote comparison type.
 */
import { keyedRowFindings, schemaFindings } from '../../compare/data/causes.js';
import { matchSchemas } from '../../compare/data/columns.js';
import type { ColumnPair } from '../../compare/data/columns.js';
import { buildSummary, DEFAULT_UNMATCHED_SHARE, isUnmatched, toOutcome } from '../../compare/data/index.js';
import type { DataCompareOptions, DataComparison } from '../../compare/data/index.js';
import { keyPairs, keyValue } from '../../compare/data/keyed.js';
import type { ColumnDiff, KeyedDiff, KeyHealth } from '../../compare/data/keyed.js';
import { toNumber } from '../../compare/shared/values.js';
import { DEFAULT_NULL_KEYS } from '../../compare/shared/normalise.js';
import type { DatabaseOptions, Engine, EngineOptions } from '../../engine/engine.js';
import { withEngine } from '../../engine/engine.js';
import { literal } from '../../engine/quote.js';
import { ReprodiffError } from '../../errors.js';
import type { Finding, StageOutcome } from '../../findings/types.js';
import type { Dataset } from '../register.js';
import type { ReadOptions } from '../resolve.js';
import { bisectData } from './bisect.js';
import { PgSession } from './client.js';
import { localColumns, relationSql } from './download.js';
import { postgresDialect } from './postgres-dialect.js';
import { DECLARED_KEY_SQL, keyCountsSql, pushdownDiffSql } from './pushdown-sql.js';
import type { RemotePair } from './pushdown-sql.js';
import { isDatabaseInput, parseDatabaseInput } from './url.js';
import type { DatabaseTarget } from './url.js';

/** How a pushed-down (or not) comparison ran, for the stage summary's `engine` entry. */
export interface EngineNote {
  readonly mode: 'pushdown' | 'bisection' | 'download';
  readonly database: string;
  /** Rows that crossed the network into reprodiff (pushdown: sample rows and keys only). */
  readonly rowsTransferred?: number;
  /** Why the comparison did not run in the database. */
  readonly reason?: string;
}

export type PushdownResult = { readonly outcome: StageOutcome } | { readonly note: EngineNote | null };

const same = (a: string, b: string, env: string | undefined) => (a || env || '') === (b || env || '');

/** Why these two inputs cannot be compared inside one database, or null when they can. */
export function pushdownObstacle(a: DatabaseTarget, b: DatabaseTarget, options: DataCompareOptions): string | null {
  const sa = a.server;
  const sb = b.server;
  if (!same(sa.host, sb.host, process.env.PGHOST) || !same(sa.port, sb.port, process.env.PGPORT) || !same(sa.database, sb.database, process.env.PGDATABASE)) {
    return 'the sides are in different databases';
  }
  if (!options.key || options.key.length === 0) return 'no --key (the keyless comparison runs locally)';
  if (options.stats !== false) return 'column statistics run locally (pass --no-stats for the row diff alone)';
  if (options.ignoreSpaces || options.ignoreCase) return TEXT_OPTIONS_LOCAL;
  return null;
}

/** The pushed-down SQL and the checksums compare values as stored: normalised text is compared locally. */
const TEXT_OPTIONS_LOCAL = '--ignore-spaces / --ignore-case compare text locally';

/**
 * Runs `data` in the database when both inputs are there and the mode allows; otherwise says why (null when
 * the inputs are not both database tables). `--pushdown always` turns every obstacle into a usage error.
 */
export async function pushdownData(research: string, production: string, options: DataCompareOptions & { engine?: EngineOptions; read?: ReadOptions }): Promise<PushdownResult> {
  const mode = options.engine?.database?.pushdown ?? 'auto';
  const [dbA, dbB] = [isDatabaseInput(research), isDatabaseInput(production)];
  if (dbA !== dbB) return crossEngine(dbA ? research : production, dbA ? production : research, dbA ? 'research' : 'production', options, mode);
  if (!dbA) {
    if (mode === 'always') throw new ReprodiffError('E_USAGE', '--pushdown always needs a database input', { suggestion: 'give postgres:// inputs, or --pushdown auto' });
    return { note: null };
  }
  const a = parseDatabaseInput(research);
  const b = parseDatabaseInput(production);
  const database = 'PostgreSQL';
  if (mode === 'never') return { note: { mode: 'download', database, reason: '--pushdown never' } };
  const obstacle = pushdownObstacle(a, b, options);
  const fallback = (reason: string): PushdownResult => {
    if (mode === 'always') throw new ReprodiffError('E_USAGE', `cannot run this comparison inside the database: ${reason}`, { suggestion: 'use --pushdown auto (download when needed)' });
    options.onProgress?.(`comparing locally: ${reason}`);
    return { note: { mode: 'download', database, reason } };
  };
  if (obstacle) return fallback(obstacle);
  options.onProgress?.('comparing inside PostgreSQL');
  const session = await PgSession.open(a, options.engine?.database ?? ({} as DatabaseOptions));
  try {
    const result = await keyedInDatabase(session, a, b, options);
    if ('reason' in result) return fallback(result.reason);
    return { outcome: result.outcome };
  } finally {
    await session.close();
  }
}

/** A database table against a local file: checksum bisection when it can run, else the download (and why). */
async function crossEngine(remote: string, local: string, remoteSide: 'research' | 'production', options: DataCompareOptions & { engine?: EngineOptions; read?: ReadOptions }, mode: 'auto' | 'always' | 'never'): Promise<PushdownResult> {
  const database = 'PostgreSQL';
  if (mode === 'never') return { note: { mode: 'download', database, reason: '--pushdown never' } };
  const fallback = (reason: string): PushdownResult => {
    if (mode === 'always') throw new ReprodiffError('E_USAGE', `cannot compare without downloading the table: ${reason}`, { suggestion: 'use --pushdown auto (download when needed)' });
    options.onProgress?.(`downloading: ${reason}`);
    return { note: { mode: 'download', database, reason } };
  };
  if (!options.key || options.key.length === 0) return fallback('no --key (the keyless comparison runs locally)');
  if (options.stats !== false) return fallback('column statistics run locally (pass --no-stats for the row diff alone)');
  if (options.ignoreSpaces || options.ignoreCase) return fallback(TEXT_OPTIONS_LOCAL);
  options.onProgress?.('comparing segment checksums');
  const result = await bisectData(parseDatabaseInput(remote), local, remoteSide, options);
  return 'reason' in result ? fallback(result.reason) : { outcome: result.outcome };
}

async function keyedInDatabase(session: PgSession, ta: DatabaseTarget, tb: DatabaseTarget, options: DataCompareOptions & { engine?: EngineOptions }): Promise<{ outcome: StageOutcome } | { reason: string }> {
  const d = postgresDialect;
  const stage = 'data';
  const sample = options.sample ?? 5;
  const key = options.key!;
  const from = { research: relationSql(ta), production: relationSql(tb) };
  const dataset = async (t: DatabaseTarget, fromSql: string): Promise<Dataset> => {
    const cols = localColumns(t, await session.describe(fromSql));
    return { label: t.label, format: 'postgres', relation: fromSql, columns: cols.map((c) => ({ name: c.remote.name, type: c.type })) };
  };
  const research = await dataset(ta, from.research);
  const production = await dataset(tb, from.production);
  const schema = matchSchemas(research.columns, production.columns, options);
  const findings: Finding[] = schemaFindings(stage, schema);
  const keyColumns = keyPairs(schema.pairs, key, research, production);
  const keySet = new Set(key);
  const remote = (p: ColumnPair): RemotePair | null => {
    const t = d.remoteCompareType(p.compareType);
    return t ? { pair: p, remoteType: t } : null;
  };
  const keys = keyColumns.map(remote);
  const values = schema.pairs.filter((p) => !keySet.has(p.name)).map(remote);
  const missing = [...keys, ...values].indexOf(null);
  if (missing >= 0) return { reason: `no ${d.name} type to compare ${[...keyColumns, ...schema.pairs.filter((p) => !keySet.has(p.name))][missing]!.compareType} in` };
  const rk = keys as RemotePair[];
  const rv = values as RemotePair[];

  // A table whose key is declared unique and NOT NULL needs no distinct count (a sort or hash of every key).
  const declared = async (t: DatabaseTarget, fromSql: string, names: readonly string[]): Promise<boolean> => {
    if ('query' in t.relation) return false;
    const r = (await session.query(DECLARED_KEY_SQL, [fromSql, names]))[0]!;
    return r.uniq === true && r.notnull === true;
  };
  const health = async (fromSql: string, names: readonly string[], label: string, unique: boolean): Promise<KeyHealth> => {
    const row = unique ? { ...(await session.query(`SELECT count(*) AS n FROM ${fromSql} AS q`))[0]!, nulls: 0, d: null } : (await session.query(keyCountsSql(d, fromSql, names)))[0]!;
    if (unique) row.d = row.n;
    const rows = toNumber(row.n) ?? 0;
    const nullKeyRows = toNumber(row.nulls) ?? 0;
    const distinctKeys = toNumber(row.d) ?? 0;
    if (rows > 0 && nullKeyRows === rows) throw new ReprodiffError('E_KEY_NULL', `key ${key.join(', ')} is null on every row of ${label}`, { suggestion: 'choose another --key, or compare without a key' });
    return { rows, nullKeyRows, distinctKeys, duplicateRows: rows - nullKeyRows - distinctKeys, duplicateKeys: 0, sampleDuplicateKeys: [] };
  };
  const namesA = keyColumns.map((k) => k.name);
  const namesB = keyColumns.map((k) => k.productionName);
  const [uniqueA, uniqueB] = [await declared(ta, from.research, namesA), await declared(tb, from.production, namesB)];
  const ha = await health(from.research, namesA, research.label, uniqueA);
  const hb = await health(from.production, namesB, production.label, uniqueB);
  // Both keys indexed: a merge join reads both indexes in key order. The planner otherwise picks a hash join
  // that spills in batches at the default work_mem (1M rows: 3.2-3.7 s against 1.9-2.7 s).
  if (uniqueA && uniqueB && keyColumns.every((k) => k.research.type.toUpperCase() === k.compareType.toUpperCase() && k.production.type.toUpperCase() === k.compareType.toUpperCase())) {
    await session.query('SET LOCAL enable_hashjoin = off');
  }
  if (ha.duplicateRows > 0 || hb.duplicateRows > 0) return { reason: 'duplicate keys (their rows pair up by value order, locally)' };
  if ((ha.nullKeyRows > 0 || hb.nullKeyRows > 0) && (options.nullKeys ?? DEFAULT_NULL_KEYS) === 'match') return { reason: 'null keys (they pair with each other, locally)' };

  options.onProgress?.('joining on the key inside PostgreSQL');
  const row = (await session.query(pushdownDiffSql(d, from, rk, rv, options.tolerances, sample)))[0]!;
  const onlyResearch = toNumber(row.only_a) ?? 0;
  const onlyProduction = toNumber(row.only_b) ?? 0;
  const matched = ha.rows - ha.nullKeyRows - onlyResearch;
  if (isUnmatched(matched, ha.rows - ha.nullKeyRows, hb.rows - hb.nullKeyRows, options.unmatchedShare ?? DEFAULT_UNMATCHED_SHARE)) {
    return { reason: 'the sides share (almost) no keys, so distributions are compared, locally' };
  }
  if (onlyResearch > 0 && onlyProduction > 0) {
    return { reason: 'keys unmatched on both sides, which are checked for a changed key format (7 vs "007"), locally' };
  }
  // The causes of changed values (rounding digits, float32, ulp noise, a rescale, a new category) are read by the
  // local diff's probes, which keep growing; a second copy of them in PostgreSQL SQL would drift from them. So the
  // pushdown answers what needs no value probe — equal tables, rows lost or added on one side — and downloads
  // when matched values differ.
  if (rv.some((_v, i) => (toNumber(row[`p${i}_n`]) ?? 0) > 0)) return { reason: 'values differ on matched rows, whose causes are read locally' };

  // Values come back as PostgreSQL text and are read through DuckDB's casts, so keys and sample values are the
  // very JS values a local comparison shows.
  let transferred = 0;
  const keyTypes = keyColumns.map((k) => k.compareType);
  const diff = await withEngine({ threads: 1 }, async (engine) => {
    const readKeys = async (list: unknown): Promise<unknown[]> => {
      const arr = (list as (string | null)[][] | null) ?? [];
      transferred += arr.length;
      const parts = await castAll(engine, arr.map((k) => k.map((v, j) => ({ text: v, type: keyTypes[j]! }))));
      return parts.map((p) => keyValue(p));
    };
    // Every value column is equal on matched rows here (changed values were sent to the local diff above).
    const columns: ColumnDiff[] = [];
    const keyed: KeyedDiff = {
      key,
      research: ha,
      production: hb,
      matched,
      onlyResearch,
      onlyProduction,
      changedRows: toNumber(row.changed) ?? 0,
      sampleOnlyResearch: await readKeys(row.sample_only_a),
      sampleOnlyProduction: await readKeys(row.sample_only_b),
      columns,
      diffTable: null,
      valueColumns: rv.map((v) => v.pair.name),
      // Pushdown runs only without duplicate keys, and without keys unmatched on both sides (returned above).
      duplicateKeysChanged: 0,
      keyFormat: null,
    };
    return keyed;
  });
  // A value that changed on both-valued rows may be a rescale (a·x + b) or a new category: naming those needs the
  // differing rows side by side, which the local diff has. Pushdown answers equal tables, lost rows and nulls.
  findings.push(...keyedRowFindings(stage, diff));
  const comparison: DataComparison = {
    stage, research, production, schema, profiles: null, keyed: diff, keyless: null, unmatched: false, distributions: null, findings,
    summary: buildSummary({ research, production, schema, profiles: null, keyed: diff, keyless: null, unmatched: false, key }),
  };
  const note: EngineNote = { mode: 'pushdown', database: 'PostgreSQL', rowsTransferred: transferred };
  return { outcome: toOutcome(comparison, [], { engine: note }) };
}

/**
 * Casts rows of PostgreSQL text values (sample keys) to DuckDB types in one query, returning DuckDB's JS values,
 * so keys read the same as a local comparison's. Values pass as escaped literals.
 */
async function castAll(engine: Engine, rows: readonly (readonly { text: string | null; type: string }[])[]): Promise<unknown[][]> {
  if (rows.length === 0) return [];
  const width = rows[0]!.length;
  const exprs = Array.from({ length: width }, (_x, j) => `TRY_CAST(c${j} AS ${rows[0]![j]!.type}) AS c${j}`);
  const valuesList = rows.map((r, i) => `(${i}, ${r.map((v) => (v.text === null ? 'NULL' : literal(v.text))).join(', ')})`).join(', ');
  const names = Array.from({ length: width }, (_x, j) => `c${j}`).join(', ');
  const out = await engine.all(`SELECT ${exprs.join(', ')} FROM (VALUES ${valuesList}) AS t(i, ${names}) ORDER BY i`);
  return out.map((r) => Array.from({ length: width }, (_x, j) => r[`c${j}`]));
}
