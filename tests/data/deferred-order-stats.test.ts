/**
 * In `features`, the drift tests' merged sort of both sides also gives each side's distinct count and
 * quantiles, so the profiles leave high-cardinality numeric and temporal columns to it (deferOrderStats).
 * The profiles must equal the ones each side's own sort gives, and only the columns the merged sort can
 * stand for may skip that sort: DECIMALs, integers beyond ±2^53 and timestamps with ±infinity keep theirs.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { Engine } from '../../src/engine/engine.js';
import { compareDatasets } from '../../src/compare/data/index.js';
import { DEFER_MIN_DISTINCT, profileTable } from '../../src/compare/data/profile.js';
import { tableDataset } from '../helpers/tables.js';

let engine: Engine;

// 90,000 rows a side (more than DEFER_MIN_DISTINCT distinct values). `d` has ties within and across the sides
// (values on a 0.01 grid), NaN, ±inf and nulls; `n` is an integer; `t` a timestamp; `big` integers beyond
// 2^53, `dec` a DECIMAL and `tinf` a timestamp column with +infinity, which all keep their own sort. Production
// is shifted a little so that the merged sort interleaves the sides.
const SIDE = (shift: number) => `
  SELECT
    i AS id,
    CASE i % 997 WHEN 0 THEN 'nan'::DOUBLE WHEN 1 THEN 'inf'::DOUBLE WHEN 2 THEN '-inf'::DOUBLE WHEN 3 THEN NULL
      ELSE round(((i * 7919 + ${shift}) % 70001) / 100.0 - 150, 2) END AS d,
    CASE WHEN i % 101 = 0 THEN NULL ELSE (i * 104729 + ${shift * 11}) % 1000003 - 500000 END AS n,
    TIMESTAMP '2020-01-01' + to_seconds((i * 6007 + ${shift}) % 99991 * 60) AS t,
    CAST(9007199254740993 AS BIGINT) + (i * 31 + ${shift}) % 29989 AS big,
    CAST(((i * 13 + ${shift}) % 50021) / 1000.0 AS DECIMAL(18, 3)) AS dec,
    CASE WHEN i = 17 THEN TIMESTAMP 'infinity' ELSE TIMESTAMP '2021-06-01' + to_seconds(i * 7 + ${shift}) END AS tinf
  FROM range(90000) r(i) ORDER BY hash(i, ${shift})`;

/** Columns sorted on their own by the queries spied on (orderStatsSql's window). */
function sortedColumns(calls: unknown[][]): string[] {
  return calls
    .map(([sql]) => /OVER w AS prev, row_number\(\) OVER w AS rn FROM "?(\w+)"? WHERE "(\w+)"/.exec(String(sql))?.slice(1, 3).join('.'))
    .filter((x): x is string => !!x)
    .sort();
}

beforeAll(async () => {
  engine = await Engine.open();
});
afterAll(() => engine?.close());

describe('profiles completed from the drift tests’ merged sort', () => {
  it('equal each side’s own exact profile, and sort only the columns the merged sort cannot stand for', async () => {
    const a = await tableDataset(engine, 'def_research', SIDE(0));
    const b = await tableDataset(engine, 'def_production', SIDE(5));
    const ownA = await profileTable(engine, a.relation, a.columns);
    const ownB = await profileTable(engine, b.relation, b.columns);
    const spy = vi.spyOn(engine, 'one');
    // Exact statistics: by default `tinf`, which keeps its own sort, would get a distinct estimate instead.
    const features = await compareDatasets(engine, a, b, { key: ['id'], drift: { always: true }, exactStats: true }, 'features');
    const sorted = sortedColumns(spy.mock.calls);
    spy.mockRestore();
    const { epoch, ...research } = features.profiles!.research;
    expect(research).toEqual(ownA);
    expect({ ...features.profiles!.production, epoch: undefined }).toEqual({ ...ownB, epoch: undefined });
    // The temporal columns' totals as the drift tests read them (finite epoch seconds), from the profile's scan.
    const direct = await engine.one(`SELECT count(x) AS n, min(x) AS lo, max(x) AS hi, sum(x) AS total FROM (SELECT CAST(epoch_us(tinf) AS DOUBLE) / 1e6 AS x FROM def_research WHERE isfinite(tinf))`);
    expect(epoch?.get('tinf')).toMatchObject({ n: Number(direct.n), min: direct.lo, max: direct.hi });
    expect(Math.abs(epoch!.get('tinf')!.sum! / Number(direct.total) - 1)).toBeLessThan(1e-12);
    expect(epoch?.get('tinf')?.n).toBe(89_999);
    // d, n and t come from the merged sort; the others are sorted on each side (the key is proved in order or sorted too).
    const own = sorted.filter((s) => !s.endsWith('.id'));
    expect(own).toEqual(['def_production.big', 'def_production.dec', 'def_production.tinf', 'def_research.big', 'def_research.dec', 'def_research.tinf']);
    // The columns really are high-cardinality, with ties, and NaN/inf counted in their distinct values.
    const d = features.profiles!.research.columns.d!;
    expect(d.distinct).toBeGreaterThan(DEFER_MIN_DISTINCT);
    expect(d.distinct).toBeLessThan(d.count - d.nan! - d.posInf! - d.negInf!);
    expect(d.nan).toBeGreaterThan(0);
  });

  it('come from the value counts when the drift tests take that path (few values per row, yet many in all)', async () => {
    // 820,000 rows a side and 80,021 (80,039) distinct amounts (with NaN, ±inf and nulls): more than DEFER_MIN_DISTINCT values,
    // yet at most VALUE_COUNTS_SHARE of the rows, so the drift tests reduce both sides to (value, side, count) rows.
    const side = (shift: number, values: number) => `SELECT i AS id,
        CASE i % 1009 WHEN 0 THEN 'nan'::DOUBLE WHEN 1 THEN 'inf'::DOUBLE WHEN 2 THEN '-inf'::DOUBLE WHEN 3 THEN NULL
          ELSE ((i * 7919 + ${shift}) % ${values}) / 4.0 END AS amount
      FROM range(820000) r(i) ORDER BY hash(i, ${shift})`;
    const a = await tableDataset(engine, 'vc_research', side(0, 80_021));
    const b = await tableDataset(engine, 'vc_production', side(17, 80_039));
    const spy = vi.spyOn(engine, 'one');
    const runSpy = vi.spyOn(engine, 'run');
    const features = await compareDatasets(engine, a, b, { key: ['id'], drift: { always: true } }, 'features');
    const grouped = spy.mock.calls.filter(([sql]) => /GROUP BY "amount"/.test(String(sql))).length;
    const valueCounts = runSpy.mock.calls.filter(([sql]) => /CREATE TEMP TABLE "rd_value_counts_\d+"/.test(String(sql))).length;
    spy.mockRestore();
    runSpy.mockRestore();
    expect(valueCounts).toBe(1);
    expect(grouped).toBe(0);
    expect(features.profiles!.research.columns).toEqual((await profileTable(engine, a.relation, a.columns)).columns);
    expect(features.profiles!.production.columns).toEqual((await profileTable(engine, b.relation, b.columns)).columns);
    expect(features.profiles!.research.columns.amount!.distinct).toBe(80_021 + 3);
    expect(features.profiles!.production.columns.amount!.distinct).toBe(80_039 + 3);
  });

  it('leave `data` (no drift tests) with its own sorts', async () => {
    const a = await tableDataset(engine, 'plain_research', SIDE(0));
    const b = await tableDataset(engine, 'plain_production', SIDE(5));
    const spy = vi.spyOn(engine, 'one');
    const data = await compareDatasets(engine, a, b, { key: ['id'], exactStats: true });
    const sorted = sortedColumns(spy.mock.calls).filter((s) => !s.endsWith('.id'));
    spy.mockRestore();
    expect(data.profiles!.research).toEqual(await profileTable(engine, a.relation, a.columns));
    expect(sorted.filter((s) => s.startsWith('plain_research.'))).toEqual(['big', 'd', 'dec', 'n', 't', 'tinf'].map((c) => `plain_research.${c}`));
  });

  it('leave `data` without a sort for a timestamp column by default: its distinct count is estimated', async () => {
    const a = await tableDataset(engine, 'est_research', SIDE(0));
    const b = await tableDataset(engine, 'est_production', SIDE(5));
    const spy = vi.spyOn(engine, 'one');
    const data = await compareDatasets(engine, a, b, { key: ['id'] });
    const sorted = sortedColumns(spy.mock.calls).filter((s) => !s.endsWith('.id'));
    spy.mockRestore();
    // Numbers keep the sort their quantiles need; the timestamps, sorted only for their distinct count, are estimated.
    expect(sorted.filter((s) => s.startsWith('est_research.'))).toEqual(['big', 'd', 'dec', 'n'].map((c) => `est_research.${c}`));
    const exact = await profileTable(engine, a.relation, a.columns);
    for (const c of ['t', 'tinf']) {
      const p = data.profiles!.research.columns[c]!;
      expect(p.distinctEstimate).toMatchObject({ approximate: true, method: 'hyperloglog', registers: 4096 });
      expect(Math.abs(p.distinct / exact.columns[c]!.distinct - 1)).toBeLessThan(0.05);
      // Everything else is the exact profile's.
      const { distinct: _d, distinctEstimate: _e, ...rest } = p;
      const { distinct: _x, ...exactRest } = exact.columns[c]!;
      expect(rest).toEqual(exactRest);
    }
  });
});
