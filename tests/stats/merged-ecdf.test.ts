/**
 * The SQL path of the numeric drift tests (one sort of both sides in DuckDB) against scipy's ks_2samp and
 * wasserstein_distance (and numpy's std of research) on the committed reference samples: raw rows (file vs
 * file) and stored counts (snapshot vs file) must both give scipy's D, p and W.
 */
import { afterAll, beforeAll, describe, it } from 'vitest';
import { Engine } from '../../src/engine/engine.js';
import { mergedNumeric } from '../../src/compare/distribution/index.js';
import { finiteValuesSql, rawWeightedSql, sidesSql } from '../../src/compare/distribution/sql.js';
import { countsRelation } from '../../src/snapshot/sql.js';
import { ksPValue } from '../../src/stats/index.js';
import { expectClose, reference } from './reference.js';

let engine: Engine;
beforeAll(async () => {
  engine = await Engine.open({ readableFiles: [] });
});
afterAll(async () => {
  await engine.close();
});

/** A table with one row per observation (value repeated by its count), in a shuffled-looking order. */
async function observations(table: string, values: number[], counts: number[]): Promise<void> {
  const pairs = values.map((v, i) => [v, counts[i]!] as const).filter(([, n]) => n > 0);
  await engine.run(`CREATE OR REPLACE TABLE ${table} AS SELECT x FROM (${countsRelation(pairs)}) t(x, n), range(n) ORDER BY hash(x, range)`);
}

describe('merged ECDF in DuckDB = scipy', () => {
  for (const c of reference.ks as { name: string; values: number[]; countsA: number[]; countsB: number[]; statistic: number; pvalue: number; wasserstein: number; stdA: number; n1: number; n2: number }[]) {
    it(`${c.name}: D, p and W from raw rows and from stored counts`, async () => {
      await observations('ra', c.values, c.countsA);
      await observations('rb', c.values, c.countsB);
      const raw = sidesSql(rawWeightedSql(finiteValuesSql('ra', 'x')), rawWeightedSql(finiteValuesSql('rb', 'x')));
      const stored = sidesSql(countsRelation(c.values.map((v, i) => [v, c.countsA[i]!] as const).filter(([, n]) => n > 0)), rawWeightedSql(finiteValuesSql('rb', 'x')));
      for (const [label, sides, weighted] of [['raw', raw, false], ['stored', stored, true]] as const) {
        const m = await mergedNumeric(engine, sides, { weighted, bins: 10, forceNumeric: true });
        if (m === 'categorical' || !m.d) throw new Error(`${label}: no numeric result`);
        expectClose(m.n1, c.n1, `${label} n1`);
        expectClose(m.n2, c.n2, `${label} n2`);
        expectClose(m.d.d, c.statistic, `${label} D`, 1e-12, 1e-15);
        expectClose(ksPValue(m.d.d, m.n1, m.n2), c.pvalue, `${label} p`);
        expectClose(m.d.w, c.wasserstein, `${label} W`, 1e-9, 1e-15);
        // numpy's np.std (ddof 0) of research: what wassersteinNormed divides by.
        expectClose(m.d.stdA, c.stdA, `${label} research std`, 1e-9, 1e-15);
      }
    });
  }
});
