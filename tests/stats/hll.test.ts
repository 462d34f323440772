/**
 * HyperLogLog distinct estimates (src/stats/hll.ts, hllRegistersSql): within 3 standard errors (≈ 5%) of the known
 * answer at several cardinalities and row orders, and the same registers whatever the row order or thread count.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../../src/engine/engine.js';
import { hllRegistersSql } from '../../src/compare/data/profile-sql.js';
import { HLL_REGISTERS, HLL_RELATIVE_ERROR, HLL_STANDARD_ERROR, hllEstimate, hllFromRegisters, hllRank } from '../../src/stats/hll.js';

/** One engine per thread count (DuckDB's thread setting is fixed once an engine is open). */
let engines: Engine[];
let engine: Engine;
beforeAll(async () => {
  engines = [await Engine.open({ threads: 1 }), await Engine.open({ threads: 2 })];
  engine = engines[1]!;
});
afterAll(() => {
  for (const e of engines ?? []) e.close();
});

/** The estimate and the raw registers (as text, for comparing runs) of one column. */
async function estimate(relation: string, column: string, on: Engine = engine): Promise<{ estimate: number; registers: string }> {
  const rows = await on.all(`${hllRegistersSql(relation, column)} ORDER BY 1`);
  const estimate = hllFromRegisters(rows.map((r) => ({ register: Number(r.register), low: r.low as bigint })));
  return { estimate, registers: rows.map((r) => `${r.register}:${r.low}`).join(',') };
}

describe('hllRank and hllEstimate', () => {
  it('rank the leading zeros of the 52 low bits, plus one', () => {
    expect(hllRank(2n ** 51n)).toBe(1);
    expect(hllRank(2n ** 52n - 1n)).toBe(1);
    expect(hllRank(2n ** 51n - 1n)).toBe(2);
    expect(hllRank(1n)).toBe(52);
    expect(hllRank(0n)).toBe(53);
    expect(() => hllRank(2n ** 52n)).toThrow(RangeError);
  });

  it('are 0 with no value, linear counting for a few, and 1.04/√m as the standard error', () => {
    expect(hllEstimate(new Uint8Array(HLL_REGISTERS))).toBe(0);
    const one = new Uint8Array(HLL_REGISTERS);
    one[7] = 3;
    expect(hllEstimate(one)).toBeCloseTo(HLL_REGISTERS * Math.log(HLL_REGISTERS / (HLL_REGISTERS - 1)), 9);
    expect(HLL_STANDARD_ERROR).toBeCloseTo(0.01625, 5);
    expect(HLL_RELATIVE_ERROR).toBe(0.0163);
  });
});

describe('HyperLogLog estimates from SQL', () => {
  // Each value appears twice (2n rows): the estimate counts values, not rows. Text values, as the estimated columns hold.
  const orders = { ascending: 'i', descending: 'i DESC', hashed: 'hash(i, 42)' } as const;
  const cardinalities = [1_000, 100_000, 1_000_000];

  for (const n of cardinalities) {
    it(`are within 3 standard errors of ${n.toLocaleString('en-US')} distinct values, the same in every row order and thread count`, async () => {
      const seen: { estimate: number; registers: string }[] = [];
      for (const [name, order] of Object.entries(orders)) {
        const table = `hll_${n}_${name}`;
        for (const e of engines) {
          await e.run(`CREATE TABLE ${table} AS SELECT 'user_' || CAST(i % ${n} AS VARCHAR) AS v FROM range(${2 * n}) r(i) ORDER BY ${order}`);
          seen.push(await estimate(table, 'v', e));
          await e.run(`DROP TABLE ${table}`);
        }
      }
      expect(new Set(seen.map((s) => s.registers)).size).toBe(1);
      const relative = Math.abs(seen[0]!.estimate / n - 1);
      expect(relative).toBeLessThan(3 * HLL_STANDARD_ERROR);
    });
  }

  it('are within 3 standard errors for timestamps and integers too, and leave nulls out', async () => {
    await engine.run(`CREATE TABLE hll_mixed AS SELECT TIMESTAMP '2020-01-01' + to_seconds(i * 7) AS t, CASE WHEN i % 10 = 0 THEN NULL ELSE i END AS k FROM range(300000) r(i) ORDER BY hash(i)`);
    expect(Math.abs((await estimate('hll_mixed', 't')).estimate / 300_000 - 1)).toBeLessThan(3 * HLL_STANDARD_ERROR);
    expect(Math.abs((await estimate('hll_mixed', 'k')).estimate / 270_000 - 1)).toBeLessThan(3 * HLL_STANDARD_ERROR);
  });
});
