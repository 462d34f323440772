/**
 * Way 1 of issue 21: both sides are tables or queries in the same PostgreSQL database, so the keyed
 * `data --no-stats` diff runs there: ONE FULL OUTER JOIN on the key (pushdown-sql.ts) returns only the rows that
 * are unmatched or differ, both sides of each, and the local keyed diff runs on those rows with the row totals
 * from the server (and, for a changed text column, research's distinct values of it, for the new-category rule).
 * The findings are the local diff's own, so they cannot drift from a file comparison's. What needs more than the
 * differing rows falls back to downloading both sides, and the report says why: more than a tenth of the rows
 * differing (one download is cheaper), keys unmatched on both sides (key format, unseeded samples), duplicate
 * keys (which pair up by value order), text against a typed column, or a type without a remote comparison type.
 */
import { affineFits } from '../../compare/data/affine.js';
import { clippingSuspects } from '../../compare/data/column-wide.js';
import { CATEGORY_CAP, newCategories } from '../../compare/data/categories.js';
import { kindOf, matchSchemas } from '../../compare/data/columns.js';
import type { ColumnPair } from '../../compare/data/columns.js';
import { DEFAULT_UNMATCHED_SHARE, isUnmatched, partialKeyedOutcome } from '../../compare/data/index.js';
import type { DataCompareOptions } from '../../compare/data/index.js';
import { keyedDiff, keyPairs } from '../../compare/data/keyed.js';
import type { KeyedDiff, KeyHealth } from '../../compare/data/keyed.js';
import { toNumber } from '../../compare/shared/values.js';
import { DEFAULT_NULL_KEYS } from '../../compare/shared/normalise.js';
import type { DatabaseOptions, EngineOptions } from '../../engine/engine.js';
import { withEngine } from '../../engine/engine.js';
import { ident } from '../../engine/quote.js';
import { ReprodiffError } from '../../errors.js';
import type { StageOutcome } from '../../findings/types.js';
import type { Dataset } from '../register.js';
import type { ReadOptions } from '../resolve.js';
import { bisectData, LEAF_ROWS, MAX_DIFFERING_SHARE } from './bisect.js';
import { PgSession } from './client.js';
import { copyRows, localColumns, relationSql, remoteResearchColumn } from './download.js';
import { postgresDialect } from './postgres-dialect.js';
import { DECLARED_KEY_SQL, differingRowsSql, keyCountsSql, ROW_ESTIMATE_SQL, uncast } from './pushdown-sql.js';
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
async function crossEngine(
  remote: string,
  local: string,
  remoteSide: 'research' | 'production',
  options: DataCompareOptions & { engine?: EngineOptions; read?: ReadOptions },
  mode: 'auto' | 'always' | 'never',
): Promise<PushdownResult> {
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

async function keyedInDatabase(
  session: PgSession,
  ta: DatabaseTarget,
  tb: DatabaseTarget,
  options: DataCompareOptions & { engine?: EngineOptions },
): Promise<{ outcome: StageOutcome } | { reason: string }> {
  const d = postgresDialect;
  const stage = 'data';
  const sample = options.sample ?? 5;
  const key = options.key!;
  const from = { research: relationSql(ta), production: relationSql(tb) };
  const described = async (t: DatabaseTarget, fromSql: string) => {
    const cols = localColumns(t, await session.describe(fromSql));
    const dataset: Dataset = { label: t.label, format: 'postgres', relation: fromSql, columns: cols.map((c) => ({ name: c.remote.name, type: c.type })) };
    return { dataset, remote: new Map(cols.map((c) => [c.remote.name, c])) };
  };
  const { dataset: research, remote: remoteA } = await described(ta, from.research);
  const { dataset: production, remote: remoteB } = await described(tb, from.production);
  const schema = matchSchemas(research.columns, production.columns, options);
  const keyColumns = keyPairs(schema.pairs, key, research, production);
  const keySet = new Set(key);
  // Text against a number, date or timestamp is compared in that type when every text value reads as it, and an
  // all-null text column takes the other side's type (text-typed.ts, index.ts): both need the whole column.
  const textTyped = schema.pairs.find((p) => p.compatibility === 'breaking' && !keySet.has(p.name) && [kindOf(p.research.type), kindOf(p.production.type)].filter((k) => k === 'string').length === 1);
  if (textTyped)
    return {
      reason: `column '${textTyped.name}' is text on one side and ${textTyped.research.type === 'VARCHAR' ? textTyped.production.type : textTyped.research.type} on the other, which is read as a whole column, locally`,
    };
  const remote = (p: ColumnPair): RemotePair | null => {
    const t = d.remoteCompareType(p.compareType);
    // The same type on both sides (numeric(12,2) twice): equal as stored means equal once exported.
    const asStored = remoteA.get(p.name)!.remote.type === remoteB.get(p.productionName)!.remote.type;
    return t ? { pair: p, remoteType: t, asStored } : null;
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
  const health = async (fromSql: string, names: readonly string[], label: string, unique: boolean, on: PgSession = session): Promise<KeyHealth> => {
    const row = unique ? { ...(await on.query(`SELECT count(*) AS n FROM ${fromSql} AS q`))[0]!, nulls: 0, d: null } : (await on.query(keyCountsSql(d, fromSql, names)))[0]!;
    if (unique) row.d = row.n;
    const rows = toNumber(row.n) ?? 0;
    const nullKeyRows = toNumber(row.nulls) ?? 0;
    const distinctKeys = toNumber(row.d) ?? 0;
    if (rows > 0 && nullKeyRows === rows)
      throw new ReprodiffError('E_KEY_NULL', `key ${key.join(', ')} is null on every row of ${label}`, { suggestion: 'choose another --key, or compare without a key' });
    return { rows, nullKeyRows, distinctKeys, duplicateRows: rows - nullKeyRows - distinctKeys, duplicateKeys: 0, sampleDuplicateKeys: [] };
  };
  const namesA = keyColumns.map((k) => k.name);
  const namesB = keyColumns.map((k) => k.productionName);
  const [uniqueA, uniqueB] = [await declared(ta, from.research, namesA), await declared(tb, from.production, namesB)];
  // Both keys declared unique and NOT NULL: their health is two row counts (an index scan each, 0.6-1 s at 10M rows),
  // which a second session on the same snapshot runs while the join runs; the join's bound then starts from the
  // planner's row estimates, and is checked against the counts once both are done.
  // The planner's own estimate: rows per page at the last ANALYZE or VACUUM times the pages now (a table that grew
  // since keeps its bound); -1 or 0 when never analysed.
  const estimate = async (fromSql: string) => toNumber((await session.query(ROW_ESTIMATE_SQL, [fromSql]))[0]?.n) ?? 0;
  const estimates = uniqueA && uniqueB ? [await estimate(from.research), await estimate(from.production)] : [];
  let counting: Promise<KeyHealth[]> | null = null;
  let known: KeyHealth[] = [];
  const snapshot = estimates.length && estimates.every((n) => n > 0) ? await session.exportSnapshot() : null;
  if (snapshot) {
    counting = (async () => {
      const other = await PgSession.open(ta, options.engine?.database ?? {}, snapshot);
      try {
        // One process per count: it is shorter than the join, which reads both tables whole, so it finishes in its
        // shadow; parallel workers would only take cores from the join.
        await other.query('SET LOCAL max_parallel_workers_per_gather = 0');
        return [await health(from.research, namesA, research.label, true, other), await health(from.production, namesB, production.label, true, other)];
      } finally {
        await other.close();
      }
    })();
    counting.catch(() => {}); // awaited after the join; a failed join must not leave it unhandled
  } else {
    known = [await health(from.research, namesA, research.label, uniqueA), await health(from.production, namesB, production.label, uniqueB)];
    const [ha, hb] = known as [KeyHealth, KeyHealth];
    if (ha.duplicateRows > 0 || hb.duplicateRows > 0) return { reason: 'duplicate keys (their rows pair up by value order, locally)' };
    if ((ha.nullKeyRows > 0 || hb.nullKeyRows > 0) && (options.nullKeys ?? DEFAULT_NULL_KEYS) === 'match') return { reason: 'null keys (they pair with each other, locally)' };
  }
  // Both keys indexed: a merge join reads both indexes in key order. The planner otherwise picks a hash join
  // that spills in batches at the default work_mem (1M rows: 3.2-3.7 s against 1.9-2.7 s).
  if (uniqueA && uniqueB && rk.every((k) => uncast(k, 'research') && uncast(k, 'production'))) {
    await session.query('SET LOCAL enable_hashjoin = off');
  }

  // The database finds the rows that differ; only those rows, both sides of each, cross the network, read as a
  // download reads them, and the local keyed diff runs on them: every cause is read by the local probes, never
  // by a second copy of them in PostgreSQL SQL. Rows left behind are equal on every column, so the diff's counts
  // are the whole tables' once the row totals are the servers'. Beyond a share of the rows one download is cheaper.
  const bound = (rows: readonly number[]) => Math.floor(Math.max(MAX_DIFFERING_SHARE * Math.max(...rows), 10 * LEAF_ROWS));
  const limit = bound(counting ? estimates : known.map((h) => h.rows));
  const exported = (p: ColumnPair, side: 'research' | 'production') => (side === 'research' ? remoteA.get(p.name)! : remoteB.get(p.productionName)!);
  const columnsOf = (side: 'research' | 'production') => schema.pairs.map((p) => exported(p, side));
  const csvColumns = [
    { name: 'in_a', type: 'BOOLEAN' },
    { name: 'in_b', type: 'BOOLEAN' },
    ...columnsOf('research').map((c, i) => ({ name: `a${i}`, type: c.type })),
    ...columnsOf('production').map((c, i) => ({ name: `b${i}`, type: c.type })),
  ];
  const sql = differingRowsSql(d, from, rk, rv, { research: columnsOf('research').map((c) => c.remote), production: columnsOf('production').map((c) => c.remote) }, options.tolerances, limit + 1, {
    research: uniqueA,
    production: uniqueB,
  });
  options.onProgress?.('joining on the key inside PostgreSQL');
  return withEngine(options.engine ?? {}, async (engine) => {
    const fetched = await copyRows(engine, session, ta, sql, csvColumns, 'rd_push_rows');
    const [ha, hb] = (counting ? await counting : known) as [KeyHealth, KeyHealth];
    if (fetched > limit || fetched > bound([ha.rows, hb.rows])) return { reason: `more than ${Math.round(100 * MAX_DIFFERING_SHARE)}% of the rows differ: one download is cheaper` };
    const sides = await engine.one('SELECT count(*) FILTER (WHERE in_a) AS a, count(*) FILTER (WHERE in_b) AS b FROM rd_push_rows');
    const transferred = (toNumber(sides.a) ?? 0) + (toNumber(sides.b) ?? 0);
    const subset = (side: 'research' | 'production', dataset: Dataset): Dataset => {
      const name = `rd_push_${side}`;
      const prefix = side === 'research' ? 'a' : 'b';
      const cols = schema.pairs.map((p, i) => `${prefix}${i} AS ${ident(side === 'research' ? p.name : p.productionName)}`);
      views.push(`CREATE TEMP VIEW ${ident(name)} AS SELECT ${cols.join(', ')} FROM rd_push_rows WHERE in_${prefix}`);
      return { ...dataset, relation: ident(name) };
    };
    const views: string[] = [];
    const [subA, subB] = [subset('research', research), subset('production', production)];
    for (const v of views) await engine.run(v);
    const partial = await keyedDiff(engine, subA, subB, schema.pairs, { key, tolerances: options.tolerances, sample, nullKeys: options.nullKeys });
    const suspects = clippingSuspects(partial, schema.pairs);
    if (suspects.length > 0) return { reason: `the differing values of ${suspects.join(', ')} look like a clipping of the whole column, which only every row can confirm, locally` };
    const matched = ha.rows - ha.nullKeyRows - partial.onlyResearch;
    if (partial.onlyResearch > 0 && partial.onlyProduction > 0) {
      return { reason: 'keys unmatched on both sides, which are checked for a changed key format (7 vs "007") or an unseeded sample, locally' };
    }
    if (isUnmatched(matched, ha.rows - ha.nullKeyRows, hb.rows - hb.nullKeyRows, options.unmatchedShare ?? DEFAULT_UNMATCHED_SHARE)) {
      return { reason: 'the sides share (almost) no keys, so distributions are compared, locally' };
    }
    // A rescale (a·x + b) is fitted on the differing rows alone, which are all here; the share of rows it must cover
    // is of all matched rows, not of the fetched ones' (AFFINE_MIN_SHARE).
    const affine = await affineFits(engine, { ...partial, matched }, schema.pairs, sample);
    // Whether a changed text value is a category research never had needs research's values and counts of the whole
    // column: they are read on the server (one grouped pass per such column, at most the category cap of values back).
    let column = 0;
    const categories = await newCategories(engine, partial, schema.pairs, subA, undefined, undefined, (p) =>
      remoteResearchColumn(engine, session, ta, from.research, remoteA.get(p.name)!.remote, `rd_push_values_${++column}`, CATEGORY_CAP),
    );
    const diff: KeyedDiff = { ...partial, research: ha, production: hb, matched, diffTable: null };
    const note: EngineNote = { mode: 'pushdown', database: 'PostgreSQL', rowsTransferred: transferred };
    return { outcome: partialKeyedOutcome({ stage, research, production, schema, key, diff, causes: { affine, categories }, options }, note) };
  });
}
