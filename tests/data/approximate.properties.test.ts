import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../../src/engine/engine.js';
import { compareDatasets } from '../../src/compare/data/index.js';
import type { DataComparison } from '../../src/compare/data/index.js';
import { tableDataset } from '../helpers/tables.js';

/**
 * With approximate distinct counts on (the default), equivalent inputs never warn and a planted break is never
 * "equal" (#22). Tables are big enough for the estimates to be made (a text and a timestamp column with more than
 * APPROX_DISTINCT_MIN values, beyond what the scan counts exactly); every run checks that they were, so the property is about estimated profiles.
 */
let engine: Engine;
let tableNo = 0;
beforeAll(async () => {
  engine = await Engine.open();
});
afterAll(() => engine?.close());

/** A side: `rows` rows from `seed`; `id` in `idType`; rows in the order of `order`'s hash; `edit` rewrites the SELECT. */
function sideSql(seed: number, rows: number, order: number, idType = 'BIGINT', columns = 'id, u, cat, t, x'): string {
  return `SELECT ${columns} FROM (
  SELECT CAST(i AS ${idType}) AS id, 'user_' || CAST(hash(i, ${seed}) AS VARCHAR) AS u, 'c' || CAST(hash(i, ${seed} + 1) % 7 AS VARCHAR) AS cat,
    TIMESTAMP '2020-01-01' + to_seconds(CAST(hash(i, ${seed} + 2) % 90000000 AS BIGINT)) AS t, CAST(hash(i, ${seed} + 3) % 1000000 AS DOUBLE) / 1000 AS x
  FROM range(${rows}) r(i)) ORDER BY hash(id, ${order})`;
}

async function table(sql: string) {
  return tableDataset(engine, `prop_${++tableNo}`, sql);
}

const breaking = (c: DataComparison) => c.findings.filter((f) => f.severity !== 'info');
const estimated = (c: DataComparison) =>
  c.profiles ? Object.values(c.profiles.research.columns).filter((p) => p.distinctEstimate).length + Object.values(c.profiles.production.columns).filter((p) => p.distinctEstimate).length : 0;

const params = fc.record({ seed: fc.integer({ min: 1, max: 1_000_000 }), rows: fc.integer({ min: 55_000, max: 60_000 }), order: fc.integer({ min: 1, max: 1000 }), keyed: fc.boolean() });

describe('approximate distinct counts (property)', () => {
  it('equivalent inputs (row and column order, integer widening) never warn', async () => {
    await fc.assert(
      fc.asyncProperty(params, async ({ seed, rows, order, keyed }) => {
        const a = await table(sideSql(seed, rows, 0));
        const b = await table(sideSql(seed, rows, order, 'INTEGER', 'x, t, cat, u, id'));
        const c = await compareDatasets(engine, a, b, keyed ? { key: ['id'] } : {});
        expect(breaking(c), JSON.stringify(breaking(c).map((f) => [f.cause, f.message]))).toEqual([]);
        // Keyed: every column is identical, so none is estimated (counted once, exactly); keyless: both sides estimate.
        expect(estimated(c)).toBe(keyed ? 0 : 4);
      }),
      { numRuns: 10, seed: 22 },
    );
  }, 120_000);

  const breaks = ['row missing', 'text changed', 'text duplicated', 'time shifted'] as const;
  it('a planted break is never "equal"', async () => {
    await fc.assert(
      fc.asyncProperty(params, fc.constantFrom(...breaks), fc.integer({ min: 0, max: 54_998 }), async ({ seed, rows, order, keyed }, kind, pick) => {
        const a = await table(sideSql(seed, rows, 0));
        const base = sideSql(seed, rows, order);
        const edited = {
          'row missing': `SELECT * FROM (${base}) WHERE id <> ${pick}`,
          'text changed': `SELECT id, CASE WHEN id = ${pick} THEN u || '_x' ELSE u END AS u, cat, t, x FROM (${base})`,
          // The next row's value: the distinct count moves by one, far inside the estimate's error.
          'text duplicated': `SELECT id, CASE WHEN id = ${pick} THEN 'user_' || CAST(hash(${pick + 1}, ${seed}) AS VARCHAR) ELSE u END AS u, cat, t, x FROM (${base})`,
          'time shifted': `SELECT id, u, cat, CASE WHEN id = ${pick} THEN t + INTERVAL 1 SECOND ELSE t END AS t, x FROM (${base})`,
        }[kind];
        const b = await table(edited);
        const changed = (await engine.one(`SELECT count(*) AS n FROM (SELECT * FROM ${a.relation} EXCEPT ALL SELECT * FROM ${b.relation})`)).n;
        const c = await compareDatasets(engine, a, b, keyed ? { key: ['id'] } : {});
        // A break that happened to change nothing (the replacement equals the value) is not a break.
        if (Number(changed) === 0) return;
        expect(breaking(c).length, `${kind}: ${JSON.stringify(c.findings.map((f) => f.cause))}`).toBeGreaterThan(0);
        expect(estimated(c)).toBeGreaterThan(0);
      }),
      { numRuns: 12, seed: 22 },
    );
  }, 180_000);
});
