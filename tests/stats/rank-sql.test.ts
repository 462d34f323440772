/**
 * The SQL of the rank and moment tests (rank-sql.ts: one GROUP BY and one sort of the distinct values) against
 * scipy on the committed reference samples, from raw rows (file vs file) and from stored counts (snapshot vs
 * file): Mann–Whitney, Cramér–von Mises, Anderson–Darling, energy distance and Welch's t.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../../src/engine/engine.js';
import { rankSums, rankSumsSql, sideMoments } from '../../src/compare/distribution/rank-sql.js';
import { finiteValuesSql, rawWeightedSql, sidesSql } from '../../src/compare/distribution/sql.js';
import { countsRelation } from '../../src/snapshot/sql.js';
import { andersonDarling, cramerVonMises, energyDistance, mannWhitney, rankSumsFromCounts, welchT } from '../../src/stats/index.js';
import { expectClose } from './reference.js';

const ref: any = JSON.parse(readFileSync(fileURLToPath(new URL('../reference/drift.json', import.meta.url)), 'utf8'));

let engine: Engine;
beforeAll(async () => {
  engine = await Engine.open({ readableFiles: [] });
});
afterAll(async () => {
  await engine.close();
});

async function observations(table: string, values: number[], counts: number[]): Promise<void> {
  const pairs = values.map((v, i) => [v, counts[i]!] as const).filter(([, n]) => n > 0);
  await engine.run(`CREATE OR REPLACE TABLE ${table} AS SELECT x FROM (${countsRelation(pairs)}) t(x, n), range(n) ORDER BY hash(x, range)`);
}

describe('rank sums and moments in DuckDB = scipy', () => {
  for (const c of ref.numeric) {
    it(`${c.name}: from raw rows and from stored counts`, async () => {
      await observations('ra', c.values, c.countsA);
      await observations('rb', c.values, c.countsB);
      const raw = sidesSql(rawWeightedSql(finiteValuesSql('ra', 'x')), rawWeightedSql(finiteValuesSql('rb', 'x')));
      const stored = sidesSql(
        countsRelation(c.values.map((v: number, i: number) => [v, c.countsA[i]!] as const).filter(([, n]: readonly [number, number]) => n > 0)),
        rawWeightedSql(finiteValuesSql('rb', 'x')),
      );
      const n1 = c.countsA.reduce((x: number, y: number) => x + y, 0);
      const n2 = c.countsB.reduce((x: number, y: number) => x + y, 0);
      const fromCounts = rankSumsFromCounts(c.values, c.countsA, c.countsB);
      for (const [label, sides, weighted] of [
        ['raw', raw, false],
        ['stored', stored, true],
      ] as const) {
        const s = await rankSums(engine, sides, n1, n2);
        expect(s.distinct, `${label} distinct`).toBe(c.values.length);
        // The integer sums are exact.
        for (const k of ['rankSumTwice', 'tieTerm', 'cvmA4', 'cvmB4'] as const) expectClose(s[k], fromCounts[k], `${label} ${k}`, 1e-15, 0);
        expectClose(s.adSum, fromCounts.adSum, `${label} adSum`, 1e-12, 1e-15);
        const mw = mannWhitney(s);
        expectClose(mw.statistic, c.mannWhitney.statistic, `${label} U`);
        expectClose(mw.pvalue, c.mannWhitney.pvalue, `${label} MWU p`);
        const cvm = cramerVonMises(s);
        expectClose(cvm.statistic, c.cramerVonMises.statistic, `${label} CvM T`, 1e-9, 1e-12);
        expectClose(cvm.pvalue, c.cramerVonMises.pvalue, `${label} CvM p`, 1e-9, 1e-14);
        const ad = andersonDarling(s);
        expectClose(ad.statistic, c.andersonDarling.statistic, `${label} AD`);
        expectClose(ad.pvalue, c.andersonDarling.pvalue, `${label} AD p`);
        expectClose(energyDistance(s.ecdfSquared), c.energy, `${label} energy`);
        const lo = c.values[0];
        const hi = c.values[c.values.length - 1];
        const m = await sideMoments(engine, sides, n1, n2, lo, hi, weighted);
        expectClose(m.mean1, c.mean1, `${label} mean1`, 1e-12, 1e-12);
        expectClose(m.var2, c.var2, `${label} var2`, 1e-12, 0);
        const t = welchT(m.mean1, m.var1, n1, m.mean2, m.var2, n2);
        expectClose(t.statistic, c.welch.statistic, `${label} Welch t`, 1e-9, 1e-12);
        expectClose(t.pvalue, c.welch.pvalue, `${label} Welch p`);
      }
    });
  }

  it('gives the same bits in any row order', async () => {
    const c = ref.numeric.find((x: { name: string }) => x.name.startsWith('ties rounded'));
    await observations('ra', c.values, c.countsA);
    await observations('rb', c.values, c.countsB);
    const sides = sidesSql(rawWeightedSql(finiteValuesSql('ra', 'x')), rawWeightedSql(finiteValuesSql('rb', 'x')));
    const n1 = c.countsA.reduce((x: number, y: number) => x + y, 0);
    const n2 = c.countsB.reduce((x: number, y: number) => x + y, 0);
    const first = await engine.one(rankSumsSql(sides, n1, n2));
    await engine.run('CREATE OR REPLACE TABLE ra AS SELECT x FROM ra ORDER BY x DESC');
    await engine.run('CREATE OR REPLACE TABLE rb AS SELECT x FROM rb ORDER BY hash(x * 7)');
    expect(await engine.one(rankSumsSql(sides, n1, n2))).toEqual(first);
  });
});
