/**
 * Approximate distinct counts and statistics computed once (#22): which columns are estimated, that the keyed
 * diff's identical columns are profiled once (research's figures, exact) and only those, and that an estimate
 * never makes a finding (keyless statistics, category columns).
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { Engine } from '../../src/engine/engine.js';
import { compareDatasets, identicalColumns } from '../../src/compare/data/index.js';
import { statisticDifferences } from '../../src/compare/data/causes.js';
import { APPROX_DISTINCT_MIN, DISTINCT_ESTIMATE, distinctAbove, profileTable } from '../../src/compare/data/profile.js';
import { tableDataset } from '../helpers/tables.js';

let engine: Engine;
beforeAll(async () => {
  engine = await Engine.open();
});
afterAll(() => engine?.close());

// 60,000 rows: `u` text with 60,000 values (estimated), `few` text with 30,000 values (counted exactly: below the
// estimate's floor), `cat` 12 categories, `t` timestamps with 60,000 values (estimated), `x` a double (exact, sorted).
const SIDE = (order: string, change = '') => `
  SELECT i AS id, 'user_' || CAST(i AS VARCHAR) AS u, 'f_' || CAST(i % 30000 AS VARCHAR) AS few, 'c' || CAST(i % 12 AS VARCHAR) AS cat,
    TIMESTAMP '2021-01-01' + to_seconds(i * 13) AS t, ${change || 'i / 7.0'} AS x
  FROM range(60000) r(i) ORDER BY ${order}`;

describe('approximate distinct counts', () => {
  it('estimate only text and temporal columns with many values, exact under exactStats', async () => {
    const a = await tableDataset(engine, 'ap_a', SIDE('hash(i)'));
    const approx = await profileTable(engine, a.relation, a.columns, { approxDistinct: true, exactDistinct: ['id'] });
    const exact = await profileTable(engine, a.relation, a.columns);
    expect(
      Object.entries(approx.columns)
        .filter(([, p]) => p.distinctEstimate)
        .map(([n]) => n),
    ).toEqual(['u', 't']);
    for (const n of ['id', 'few', 'cat', 'x']) expect(approx.columns[n]).toEqual(exact.columns[n]);
    expect(exact.columns.few!.distinct).toBe(30_000);
    expect(approx.columns.u!.distinctEstimate).toEqual(DISTINCT_ESTIMATE);
    expect(Math.abs(approx.columns.u!.distinct / 60_000 - 1)).toBeLessThan(0.05);
    expect(approx.columns.u!.top).toBeUndefined();
    expect(approx.rows).toBe(exact.rows);
    expect(approx.fingerprint).toBe(exact.fingerprint);
  });

  it('never make a statistic difference, and never a category column', () => {
    const base = { type: 'VARCHAR', kind: 'string' as const, rows: 100, count: 100, nulls: 0 };
    const a = { ...base, distinct: 60_100, distinctEstimate: DISTINCT_ESTIMATE };
    const b = { ...base, distinct: 59_000, distinctEstimate: DISTINCT_ESTIMATE };
    expect(statisticDifferences(a, b)).toEqual({});
    expect(statisticDifferences(a, { ...base, distinct: 60_000 })).toEqual({});
    expect(statisticDifferences({ ...base, distinct: 5 }, { ...base, distinct: 6 })).toHaveProperty('distinct');
    expect(distinctAbove(a, 10_000)).toBe(true);
    expect(distinctAbove({ ...a, distinct: 15_000 }, 10_000)).toBe(false);
    expect(APPROX_DISTINCT_MIN).toBeGreaterThanOrEqual(2 * 10_000);
  });
});

describe('statistics computed once for identical columns', () => {
  it('copy research’s exact profile to production for columns the keyed diff proved identical, and profile only the rest', async () => {
    const a = await tableDataset(engine, 'once_a', SIDE('hash(i)'));
    // Another row order; x changed on one row.
    const b = await tableDataset(engine, 'once_b', SIDE('hash(i, 7)', 'CASE WHEN i = 5 THEN -1.0 ELSE i / 7.0 END'));
    const spy = vi.spyOn(engine, 'one');
    const allSpy = vi.spyOn(engine, 'all');
    const data = await compareDatasets(engine, a, b, { key: ['id'] });
    const sql = [...spy.mock.calls, ...allSpy.mock.calls].map(([s]) => String(s));
    spy.mockRestore();
    allSpy.mockRestore();
    expect(identicalColumns(data.keyed!, data.schema.pairs, { key: ['id'] })).toEqual(new Set(['u', 'few', 'cat', 't']));
    const { research, production } = data.profiles!;
    const exact = await profileTable(engine, b.relation, b.columns);
    // Identical columns: exact (no estimate), the same figures on both sides, production's own exact ones.
    for (const n of ['u', 'few', 'cat', 't']) {
      expect(production.columns[n]).toEqual(research.columns[n]);
      expect(production.columns[n]).toEqual(exact.columns[n]);
    }
    expect(production.columns.x).toEqual(exact.columns.x);
    expect(production.columns.id).toEqual(exact.columns.id);
    expect(production.fingerprint).toBe(exact.fingerprint);
    // Production's statistics scans read only id (the key, before the diff) and x: never u or t.
    const scans = (table: string) => sql.filter((s) => new RegExp(`FROM ${table}\\b`).test(s) && /AS c\d+_count/.test(s));
    const aggregates = (table: string, column: string) => scans(table).some((s) => s.includes(`count("${column}") AS c`));
    expect(['id', 'u', 'few', 'cat', 't', 'x'].map((c) => aggregates('once_a', c))).toEqual([true, true, true, true, true, true]);
    expect(['id', 'u', 'few', 'cat', 't', 'x'].map((c) => aggregates('once_b', c))).toEqual([true, false, false, false, false, true]);
    // Identical columns are counted exactly, once: no estimate of them on either side.
    expect(sql.some((s) => s.includes('hash("u")') || s.includes('hash("t")'))).toBe(false);
  });

  it('copy nothing when rows are missing, a tolerance applies, or the types differ', async () => {
    const a = await tableDataset(engine, 'none_a', SIDE('i'));
    const b = await tableDataset(engine, 'none_b', `SELECT * FROM (${SIDE('i')}) WHERE id <> 3`);
    const missing = await compareDatasets(engine, a, b, { key: ['id'] });
    expect(identicalColumns(missing.keyed!, missing.schema.pairs, { key: ['id'] }).size).toBe(0);
    expect(missing.profiles!.production.columns.u!.distinctEstimate).toBeDefined();
    const c = await tableDataset(engine, 'none_c', `SELECT id, u, few, cat, t, CAST(x AS FLOAT) AS x FROM (${SIDE('i')})`);
    const same = await compareDatasets(engine, a, a, { key: ['id'], tolerances: { default: { abs: 1e-9, rel: 0 }, perColumn: {} } });
    expect(identicalColumns(same.keyed!, same.schema.pairs, { key: ['id'], tolerances: { default: { abs: 1e-9, rel: 0 }, perColumn: {} } }).has('x')).toBe(false);
    const typed = await compareDatasets(engine, a, c, { key: ['id'] });
    expect(identicalColumns(typed.keyed!, typed.schema.pairs, { key: ['id'] }).has('x')).toBe(false);
  });
});
