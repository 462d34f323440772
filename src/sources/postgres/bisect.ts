/**
 * Way 2 of issue 21: a PostgreSQL table against a local file, keyed on one integer column, `data --no-stats`.
 * The key range is split into segments; each side gives, per segment, its row count and the exact sum of
 * 60-bit row hashes over canonical values (bisect-sql.ts: the same numbers in both engines for equal rows).
 * Segments that differ are split again until they hold few rows; only those rows are downloaded, and the
 * normal keyed diff runs on them, its counts completed by the totals (rows outside differing segments are
 * equal on both sides: same count and hash sum). When differing segments hold a large share of the rows, one
 * download is cheaper and the run falls back to it.
 */
import { affineFits } from '../../compare/data/affine.js';
import { clippingSuspects } from '../../compare/data/column-wide.js';
import { CATEGORY_CAP, newCategories } from '../../compare/data/categories.js';
import { matchSchemas } from '../../compare/data/columns.js';
import { DEFAULT_UNMATCHED_SHARE, isUnmatched, partialKeyedOutcome } from '../../compare/data/index.js';
import type { DataCompareOptions } from '../../compare/data/index.js';
import { countKeys, keyedDiff, keyPairs } from '../../compare/data/keyed.js';
import type { KeyedDiff, KeyHealth } from '../../compare/data/keyed.js';
import { toNumber } from '../../compare/shared/values.js';
import type { Engine, EngineOptions } from '../../engine/engine.js';
import { ident } from '../../engine/quote.js';
import type { StageOutcome } from '../../findings/types.js';
import { withInputs } from '../open.js';
import type { Dataset } from '../register.js';
import type { ReadOptions } from '../resolve.js';
import { duckdbHash, hashable, postgresHash, segmentSumsSql } from './bisect-sql.js';
import { PgSession } from './client.js';
import { downloadWith, localColumns, relationSql, remoteResearchColumn } from './download.js';
import { DECLARED_KEY_SQL } from './pushdown-sql.js';
import type { DatabaseTarget } from './url.js';

/**
 * Segments per range and level: enough that a segment of evenly spread keys holds about LEAF_ROWS rows (so
 * changes spread over the whole table, the usual case, are found in one level), at least MIN_SEGMENTS, at
 * most MAX_SEGMENTS (one GROUP BY of that many groups per side).
 */
export const MIN_SEGMENTS = 16;
export const MAX_SEGMENTS = 1 << 18;
/** A differing segment with at most this many rows (on the larger side) is downloaded rather than split. */
export const LEAF_ROWS = 50;
/** Below this many rows on the database side, `auto` downloads the table (way 3): bisection cannot pay. */
export const BISECT_MIN_ROWS = 100_000;
/** Above this share of rows in differing segments, one download is cheaper than bisecting further. */
export const MAX_DIFFERING_SHARE = 0.1;

interface Range {
  readonly lo: bigint;
  readonly width: bigint;
}

type Sums = Map<number, { n: number; s: string }>;

export type BisectResult = { readonly outcome: StageOutcome } | { readonly reason: string };

/** Runs the bisection; `remoteSide` says which side the database table is. */
export async function bisectData(
  target: DatabaseTarget,
  localInput: string,
  remoteSide: 'research' | 'production',
  options: DataCompareOptions & { engine?: EngineOptions; read?: ReadOptions },
): Promise<BisectResult> {
  return withInputs([{ path: localInput, read: options.read }], options.engine ?? {}, async (engine, open) => {
    const localRole = remoteSide === 'research' ? 'production' : 'research';
    const local = await open(0, localRole);
    const session = await PgSession.open(target, options.engine?.database ?? {});
    try {
      return await bisectWith(engine, session, target, local, remoteSide, options);
    } finally {
      await session.close();
    }
  });
}

async function bisectWith(
  engine: Engine,
  session: PgSession,
  target: DatabaseTarget,
  local: Dataset,
  remoteSide: 'research' | 'production',
  options: DataCompareOptions & { engine?: EngineOptions },
): Promise<BisectResult> {
  const stage = 'data';
  const from = relationSql(target);
  const remoteColumns = localColumns(target, await session.describe(from));
  const remote: Dataset = { label: target.label, format: 'postgres', relation: from, columns: remoteColumns.map((c) => ({ name: c.remote.name, type: c.type })) };
  const [research, production] = remoteSide === 'research' ? [remote, local] : [local, remote];
  const schema = matchSchemas(research.columns, production.columns, options);
  const key = options.key!;
  const keys = keyPairs(schema.pairs, key, research, production);
  if (keys.length !== 1 || keys[0]!.compareType !== 'BIGINT') return { reason: 'bisection segments one integer key' };
  const keyPair = keys[0]!;
  const pairs = schema.pairs;
  const unhashable = pairs.find((p) => !hashable(p));
  if (unhashable) return { reason: `column '${unhashable.name}' (${unhashable.compareType}) has no canonical form in both engines` };
  const nameOn = (side: 'research' | 'production') => (side === 'research' ? keyPair.name : keyPair.productionName);
  const localSide = remoteSide === 'research' ? 'production' : 'research';

  // Key health and range of each side.
  const rk = postgresHash.ident(nameOn(remoteSide));
  const declared = 'query' in target.relation ? null : (await session.query(DECLARED_KEY_SQL, [from, [nameOn(remoteSide)]]))[0]!;
  const unique = declared?.uniq === true && declared?.notnull === true;
  const rr = (
    await session.query(
      `SELECT count(*) AS n, count(*) FILTER (WHERE ${rk} IS NULL) AS nulls, ${unique ? 'count(*)' : `count(DISTINCT ${rk})`} AS d, min(${rk})::text AS lo, max(${rk})::text AS hi FROM ${from} AS q`,
    )
  )[0]!;
  const lk = ident(nameOn(localSide));
  const lc = await countKeys(engine, local.relation, [nameOn(localSide)]);
  const lr = await engine.one(`SELECT CAST(min(CAST(${lk} AS BIGINT)) AS VARCHAR) AS lo, CAST(max(CAST(${lk} AS BIGINT)) AS VARCHAR) AS hi FROM ${local.relation}`);
  const health = (row: Record<string, unknown>): KeyHealth => {
    const rows = toNumber(row.n) ?? 0;
    const nulls = toNumber(row.nulls) ?? 0;
    const d = toNumber(row.d) ?? 0;
    return { rows, nullKeyRows: nulls, distinctKeys: d, duplicateRows: rows - nulls - d, duplicateKeys: 0, sampleDuplicateKeys: [] };
  };
  const hRemote = health(rr);
  const hLocal = health(lc);
  if (hRemote.nullKeyRows || hLocal.nullKeyRows || hRemote.duplicateRows || hLocal.duplicateRows) return { reason: 'null or duplicate keys (they pair up locally)' };
  if (rr.lo === null || lr.lo === null) return { reason: 'an empty side' };
  if (options.engine?.database?.pushdown !== 'always' && hRemote.rows < BISECT_MIN_ROWS) return { reason: `a small table (${hRemote.rows} rows): one download is cheaper` };
  const lo = [BigInt(String(rr.lo)), BigInt(String(lr.lo))].reduce((a, b) => (a < b ? a : b));
  const hi = [BigInt(String(rr.hi)), BigInt(String(lr.hi))].reduce((a, b) => (a > b ? a : b));
  const total = Math.max(hRemote.rows, hLocal.rows);

  // The bisection: per level, each open range is split into SEGMENTS and both sides summed per segment.
  const sums = async (side: 'research' | 'production', isRemote: boolean, r: Range, n: number): Promise<Sums> => {
    const rows = isRemote
      ? await session.query(segmentSumsSql(postgresHash, from, nameOn(side), pairs, side, r.lo, r.width, n))
      : await engine.all(segmentSumsSql(duckdbHash, local.relation, nameOn(side), pairs, side, r.lo, r.width, n));
    return new Map(rows.map((x) => [toNumber(x.seg)!, { n: toNumber(x.n) ?? 0, s: String(x.s) }]));
  };
  let open: (Range & { rows: number })[] = [{ lo, width: hi - lo + 1n, rows: total }];
  const leaves: Range[] = [];
  let segmentsCompared = 0;
  while (open.length > 0) {
    const next: (Range & { rows: number })[] = [];
    let differingRows = 0;
    for (const r of open) {
      const want = Math.min(MAX_SEGMENTS, Math.max(MIN_SEGMENTS, Math.ceil(r.rows / LEAF_ROWS)));
      const n = r.width < BigInt(want) ? Number(r.width) : want;
      const a = await sums(remoteSide, true, r, n);
      const b = await sums(localSide, false, r, n);
      segmentsCompared += n;
      for (let seg = 0; seg < n; seg++) {
        const x = a.get(seg);
        const y = b.get(seg);
        if (x?.n === y?.n && x?.s === y?.s) continue;
        // Segment seg holds the keys k with seg ≤ (k − lo)·n/width < seg + 1.
        const start = r.lo + ceilDiv(BigInt(seg) * r.width, BigInt(n));
        const end = r.lo + ceilDiv(BigInt(seg + 1) * r.width, BigInt(n));
        const rows = Math.max(x?.n ?? 0, y?.n ?? 0);
        const part = { lo: start, width: end - start, rows };
        if (part.width <= 0n) continue;
        differingRows += rows;
        (rows <= LEAF_ROWS || part.width === 1n ? leaves : next).push(part);
      }
    }
    // A few thousand rows move cheaply either way: the share only counts beyond that.
    if (differingRows > Math.max(MAX_DIFFERING_SHARE * total, 10 * LEAF_ROWS))
      return { reason: `${Math.round((100 * differingRows) / total)}% of the rows are in differing segments: one download is cheaper` };
    open = next;
  }

  // Only the differing segments' rows cross the network; the keyed diff runs on them.
  // Leaves are disjoint key ranges, joined as a small table (one OR per leaf on every row would not scale).
  const ranges = leaves.length ? leaves.map((l) => `(${l.lo}, ${l.lo + l.width - 1n})`).join(', ') : '(1, 0)';
  const subRemote = `rd_bisect_${remoteSide}`;
  const transferred = await downloadWith(engine, session, target, `(SELECT q.* FROM ${from} AS q JOIN (VALUES ${ranges}) AS r(lo, hi) ON q.${rk} BETWEEN r.lo AND r.hi)`, subRemote);
  const subLocal = `rd_bisect_${localSide}`;
  await engine.run(`CREATE TEMP TABLE rd_bisect_ranges AS SELECT * FROM (VALUES ${ranges}) AS r(lo, hi)`);
  await engine.run(`CREATE TEMP VIEW ${ident(subLocal)} AS SELECT t.* FROM ${local.relation} AS t JOIN rd_bisect_ranges AS r ON CAST(t.${lk} AS BIGINT) BETWEEN r.lo AND r.hi`);
  const sub = (d: Dataset, name: string): Dataset => ({ ...d, relation: ident(name) });
  const [subA, subB] = remoteSide === 'research' ? [sub(remote, subRemote), sub(local, subLocal)] : [sub(local, subLocal), sub(remote, subRemote)];
  const partial = await keyedDiff(engine, subA, subB, pairs, { key, tolerances: options.tolerances, sample: options.sample ?? 5 });
  const suspects = clippingSuspects(partial, pairs);
  if (suspects.length > 0) return { reason: `the differing values of ${suspects.join(', ')} look like a clipping of the whole column, which only every row can confirm, locally` };
  // A rescale (a·x + b) is fitted on the differing rows alone, which are all here; the share of rows it must
  // cover is of all matched rows, not of the downloaded segments'.
  const affine = await affineFits(engine, { ...partial, matched: (remoteSide === 'research' ? hRemote : hLocal).rows - partial.onlyResearch }, pairs, options.sample ?? 5);
  if (partial.onlyResearch > 0 && partial.onlyProduction > 0) return { reason: 'keys unmatched on both sides, which are checked for a changed key format or an unseeded sample, locally' };
  // Whether a changed text value is a category research never had needs research's values of the whole column: the
  // local file's, or the table's read on the server (one grouped pass, at most the category cap of values back).
  let column = 0;
  const remoteByName = new Map(remoteColumns.map((c) => [c.remote.name, c.remote]));
  const categories = await newCategories(
    engine,
    partial,
    pairs,
    research,
    undefined,
    undefined,
    remoteSide === 'research' ? (p) => remoteResearchColumn(engine, session, target, from, remoteByName.get(p.name)!, `rd_bisect_values_${++column}`, CATEGORY_CAP) : undefined,
  );
  if (partial.diffTable) await engine.run(`DROP TABLE ${ident(partial.diffTable)}`);
  const [ha, hb] = remoteSide === 'research' ? [hRemote, hLocal] : [hLocal, hRemote];
  const diff: KeyedDiff = { ...partial, research: ha, production: hb, matched: ha.rows - partial.onlyResearch, diffTable: null };
  if (isUnmatched(diff.matched, ha.rows, hb.rows, options.unmatchedShare ?? DEFAULT_UNMATCHED_SHARE)) return { reason: 'the sides share (almost) no keys, so distributions are compared, locally' };
  return {
    outcome: partialKeyedOutcome(
      { stage, research, production, schema, key, diff, causes: { affine, categories }, options },
      { mode: 'bisection', database: 'PostgreSQL', rowsTransferred: transferred, segmentsCompared },
    ),
  };
}

function ceilDiv(a: bigint, b: bigint): bigint {
  return (a + b - 1n) / b;
}
