/**
 * Numeric columns with few distinct values are tested from (value, side, count) rows when the profiles say
 * so (VALUE_COUNTS_SHARE); every test value must be the one the row-by-row path gives.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { Engine } from '../../src/engine/engine.js';
import { compareDistributions, profileCounts } from '../../src/compare/distribution/index.js';
import { matchSchemas } from '../../src/compare/data/columns.js';
import { categoryCounts, profileTable } from '../../src/compare/data/profile.js';
import type { TableProfile } from '../../src/compare/data/profile.js';
import { tableDataset } from '../helpers/tables.js';

let engine: Engine;

// Integers with 12 values (shifted in production), rounded amounts with NaN and ±inf, a 3-value code
// (categorical by the ≤ 5 rule), dates, and one high-cardinality column that keeps the row path.
const SIDE = (shift: number) => `
  SELECT
    (i * 7 + ${shift}) % 12 AS visits,
    CASE i % 50 WHEN 0 THEN 'nan'::DOUBLE WHEN 1 THEN 'inf'::DOUBLE WHEN 2 THEN '-inf'::DOUBLE WHEN 3 THEN NULL
      ELSE round((i * 37 % 400) / 8.0 + ${shift} * 0.25, 1) END AS amount,
    (i + ${shift}) % 3 AS code,
    DATE '2024-01-01' + CAST((i * 13) % 40 + ${shift} AS INTEGER) AS day,
    (i * 7919 + ${shift}) % 100003 / 7.0 AS wide
  FROM range(4000) r(i) ORDER BY hash(i, ${shift})`;

const counts = (p: TableProfile) => Object.fromEntries(Object.entries(p.columns).map(([name, c]) => [name, profileCounts(c)]));

beforeAll(async () => {
  engine = await Engine.open();
});
afterAll(() => engine?.close());

describe('drift tests from value counts', () => {
  it('give the row-by-row figures', async () => {
    const a = await tableDataset(engine, 'vc_research', SIDE(0));
    const b = await tableDataset(engine, 'vc_production', SIDE(3));
    const pairs = matchSchemas(a.columns, b.columns, {}).pairs;
    const rowByRow = await compareDistributions(engine, a, b, pairs, { countCategories: categoryCounts });
    const spy = vi.spyOn(engine, 'run');
    const fromCounts = await compareDistributions(engine, a, b, pairs, {
      countCategories: categoryCounts,
      researchCounts: counts(await profileTable(engine, a.relation, a.columns)),
      productionCounts: counts(await profileTable(engine, b.relation, b.columns)),
    });
    const tables = spy.mock.calls.map(([sql]) => /CREATE TEMP TABLE "rd_value_counts_\d+"[\s\S]*?"(\w+)"/.exec(sql)?.[1]).filter(Boolean);
    spy.mockRestore();
    // The low-cardinality numeric and temporal columns took the value-counts path (code then counts as
    // categorical, ≤ 5 values); the wide one did not.
    expect(tables.sort()).toEqual(['amount', 'code', 'day', 'visits']);
    expect(fromCounts).toEqual(rowByRow);
    for (const name of ['amount', 'day', 'visits']) expect(rowByRow.columns.find((c) => c.column === name)?.tests.wasserstein, name).toBeGreaterThan(0);
  });
});
