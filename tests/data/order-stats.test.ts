/**
 * Columns already in order (keys, event times) get their distinct count and quantiles from a streaming pass
 * instead of a sort; key health too. The results must equal the sorted path's, and a column that is not in
 * order must fall back to the sort, whatever the hint says.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { Engine } from '../../src/engine/engine.js';
import { groupedOrderStatsSql, inOrderStatsSql, orderStatsSql, profileTable, provedInOrder } from '../../src/compare/data/profile.js';
import { keyHealth } from '../../src/compare/data/keyed.js';

let engine: Engine;

// 3,000 rows: a unique id, a non-decreasing integer with runs of equal values, doubles with NaN and ±inf (in
// DuckDB's order: −inf, finite, +inf, NaN), timestamps, and nulls scattered through the ordered columns.
const ROWS = `
  SELECT
    i AS id,
    CASE WHEN i % 13 = 0 THEN NULL ELSE i // 7 END AS runs,
    CASE WHEN i < 20 THEN '-inf'::DOUBLE WHEN i > 2990 THEN 'nan'::DOUBLE WHEN i > 2980 THEN 'inf'::DOUBLE
         WHEN i % 17 = 0 THEN NULL ELSE i / 3.0 - 400 END AS d,
    TIMESTAMP '2024-01-01' + to_seconds(i * 3600 // 5) AS t,
    (i * 7919) % 3001 AS scrambled
  FROM range(3000) r(i)`;

beforeAll(async () => {
  engine = await Engine.open();
  await engine.run(`CREATE TABLE ordered AS ${ROWS} ORDER BY id`);
  await engine.run(`CREATE TABLE shuffled AS ${ROWS} ORDER BY hash(id)`);
  await engine.run(`CREATE TABLE few AS SELECT
      CASE WHEN i % 11 = 0 THEN NULL ELSE i % 7 END AS small,
      CASE i % 9 WHEN 0 THEN NULL WHEN 1 THEN 'nan'::DOUBLE WHEN 2 THEN 'inf'::DOUBLE WHEN 3 THEN '-inf'::DOUBLE
        WHEN 4 THEN -0.0::DOUBLE WHEN 5 THEN 0.0::DOUBLE ELSE (i % 40) / 8.0 END AS d,
      TIMESTAMP '2024-01-01' + to_days(CAST(i % 5 AS INTEGER)) AS t,
      i * 7919 % 3001 AS many
    FROM range(3000) r(i) ORDER BY hash(i)`);
  await engine.run('CREATE TABLE keys_sorted_dup AS SELECT CASE WHEN i = 1500 THEN 1499 ELSE i END AS k FROM range(3000) r(i) ORDER BY k');
  await engine.run('CREATE TABLE keys_sorted_nulls AS SELECT CASE WHEN i % 100 = 0 THEN NULL ELSE i END AS k FROM range(3000) r(i) ORDER BY i');
  await engine.run('CREATE TABLE keys_shuffled_dup AS SELECT CASE WHEN i = 10 THEN 2000 ELSE i END AS k FROM range(3000) r(i) ORDER BY hash(i)');
});

afterAll(() => engine?.close());

describe('profile of columns hinted as sorted', () => {
  for (const table of ['ordered', 'shuffled']) {
    it(`equals the sorted path on the ${table} table`, async () => {
      const columns = await engine.describe(table);
      const plain = await profileTable(engine, table, columns);
      const spy = vi.spyOn(engine, 'one');
      const hinted = await profileTable(engine, table, columns, { likelySorted: columns.map((c) => c.name) });
      const sorts = spy.mock.calls.map(([sql]) => /ORDER BY "(\w+)"\)/.exec(sql)?.[1]).filter(Boolean);
      spy.mockRestore();
      expect(hinted).toEqual(plain);
      // In order: no sort for the ordered columns; the scrambled one (and every column of the shuffled table) is sorted.
      expect(sorts.sort()).toEqual(table === 'ordered' ? ['scrambled'] : ['d', 'id', 'runs', 'scrambled', 't']);
    });
  }

  it('proves order only for the columns that are in order', async () => {
    const proved = async (table: string, column: string) => provedInOrder(await engine.one(inOrderStatsSql(table, column, 0, [])));
    expect(await proved('ordered', 'id')).toBe(true);
    expect(await proved('ordered', 'runs')).toBe(true);
    expect(await proved('ordered', 'd')).toBe(true);
    expect(await proved('ordered', 't')).toBe(true);
    expect(await proved('ordered', 'scrambled')).toBe(false);
    expect(await proved('shuffled', 'id')).toBe(false);
  });

  it('counts distinct values of an ordered column with runs exactly', async () => {
    const row = await engine.one(inOrderStatsSql('ordered', 'runs', 0, []));
    const expected = await engine.one('SELECT count(DISTINCT runs) AS n FROM ordered');
    expect(Number(row.c0_distinct)).toBe(Number(expected.n));
  });
});

describe('key health from input order', () => {
  it('finds a duplicate next to its twin in a sorted key', async () => {
    const h = await keyHealth(engine, 'keys_sorted_dup', ['k'], 5);
    expect(h).toMatchObject({ rows: 3000, nullKeyRows: 0, distinctKeys: 2999, duplicateRows: 1, duplicateKeys: 1, sampleDuplicateKeys: [1499] });
  });

  it('counts null keys and distinct keys of a sorted key with nulls', async () => {
    const h = await keyHealth(engine, 'keys_sorted_nulls', ['k'], 5);
    expect(h).toMatchObject({ rows: 3000, nullKeyRows: 30, distinctKeys: 2970, duplicateRows: 0 });
  });

  it('falls back to a sort for a shuffled key and still finds its duplicate', async () => {
    const h = await keyHealth(engine, 'keys_shuffled_dup', ['k'], 5);
    expect(h).toMatchObject({ rows: 3000, nullKeyRows: 0, distinctKeys: 2999, duplicateRows: 1, sampleDuplicateKeys: [2000] });
  });
});

describe('statistics from value counts', () => {
  const columns = [
    ['small', 'BIGINT'],
    ['d', 'DOUBLE'],
    ['t', 'TIMESTAMP'],
    ['many', 'BIGINT'],
  ] as const;
  for (const [name, type] of columns) {
    it(`gives the sort's distinct count and values at ranks for ${name}`, async () => {
      // Timestamps have no quantiles in the profile, only a distinct count.
      for (const ranks of type === 'TIMESTAMP' ? [[]] : [[], [1], [1, 2, 17, 500, 1333, 2000], [2699]]) {
        const grouped = await engine.one(groupedOrderStatsSql('few', name, 3, ranks));
        const sorted = await engine.one(orderStatsSql('few', name, 3, ranks));
        expect(grouped, `${name} ranks ${ranks.join(',')}`).toEqual(sorted);
      }
    });
  }

  it('is the path the profile takes for columns with few distinct values', async () => {
    const spy = vi.spyOn(engine, 'one');
    await profileTable(engine, 'few', await engine.describe('few'));
    const grouped = spy.mock.calls.map(([sql]) => /GROUP BY "(\w+)"\)\)$/.exec(sql)?.[1]).filter(Boolean);
    spy.mockRestore();
    expect(grouped.sort()).toEqual(['d', 'small', 't']);
  });
});
