import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../../src/engine/engine.js';
import { describeExplanation, explainDifferences, isExplaining, rankExplanations } from '../../src/compare/explain/index.js';
import type { Explanation } from '../../src/compare/explain/index.js';
import type { Dataset } from '../../src/sources/register.js';

let engine: Engine;

async function table(name: string, sql: string): Promise<Dataset> {
  await engine.run(`CREATE TABLE ${name} AS ${sql}`);
  return { label: name, format: 'csv', relation: name, columns: await engine.describe(name) };
}

// 100 ids. Upstream features: x differs on ids 1-10, c is 'new' (unseen in research) on 11-15, z is null in
// production on 16-20, v is out of research's range on 21-25, ids 26-27 are missing from production features.
// Downstream, ids 1-27 differ (plus id 99, which nothing explains).
let research: Dataset;
let production: Dataset;
beforeAll(async () => {
  engine = await Engine.open({});
  research = await table('fr', `SELECT i AS id, i * 1.0 AS x, CASE WHEN i % 2 = 0 THEN 'a' ELSE 'b' END AS c, i * 2.0 AS z, CAST(i AS DOUBLE) AS v FROM range(1, 101) t(i)`);
  production = await table(
    'fp',
    `SELECT i AS id,
      CASE WHEN i <= 10 THEN i * 1.0 + 0.5 ELSE i * 1.0 END AS x,
      CASE WHEN i BETWEEN 11 AND 15 THEN 'new' WHEN i % 2 = 0 THEN 'a' ELSE 'b' END AS c,
      CASE WHEN i BETWEEN 16 AND 20 THEN NULL ELSE i * 2.0 END AS z,
      CASE WHEN i BETWEEN 21 AND 25 THEN 1000.0 ELSE CAST(i AS DOUBLE) END AS v
    FROM range(1, 101) t(i) WHERE i NOT IN (26, 27)`,
  );
  await engine.run(`CREATE TABLE diffs AS SELECT i AS k0, (i <= 27 OR i = 99) AS differs FROM range(1, 101) t(i)`);
});
afterAll(() => engine.close());

const find = (list: readonly Explanation[], column: string | null, condition: string, detail?: string) =>
  list.find((e) => e.column === column && e.condition === condition && (detail === undefined || e.detail === detail));

describe('explainDifferences', () => {
  it('counts every condition among differing and matching keys', async () => {
    const list = await explainDifferences(engine, { differing: 'diffs', keyColumns: ['k0'], upstream: [{ name: 'features', research, production, key: ['id'] }] });
    // 28 differing keys, 72 matching.
    expect(find(list, 'x', 'differs')).toMatchObject({ source: 'features', differingRows: 10, matchingRows: 0, differingShare: 10 / 28 });
    expect(find(list, 'c', 'unseen_category')).toMatchObject({ differingRows: 5, matchingRows: 0 });
    expect(find(list, 'c', 'differs')).toMatchObject({ differingRows: 5 });
    expect(find(list, 'z', 'null', 'production')).toMatchObject({ differingRows: 5, matchingRows: 0 });
    expect(find(list, 'v', 'out_of_range')).toMatchObject({ differingRows: 5, matchingRows: 0, detail: '[1, 100]' });
    expect(find(list, null, 'missing_upstream', 'production')).toMatchObject({ differingRows: 2, matchingRows: 0 });
    expect(find(list, null, 'missing_upstream', 'research')).toBeUndefined();
    // id 99 is in no condition; shares never exceed 1 and lift = differing share − matching share.
    for (const e of list) {
      expect(e.differingShare).toBeLessThanOrEqual(1);
      expect(e.lift).toBeCloseTo(e.differingShare - e.matchingShare, 12);
    }
  });

  it('ranks by lift, then share, deterministically', async () => {
    const run = () => explainDifferences(engine, { differing: 'diffs', keyColumns: ['k0'], upstream: [{ name: 'features', research, production, key: ['id'] }] });
    const a = await run();
    const b = await run();
    expect(a).toEqual(b);
    for (let i = 1; i < a.length; i++) expect(a[i - 1]!.lift).toBeGreaterThanOrEqual(a[i]!.lift);
    expect(a[0]).toMatchObject({ column: 'x', condition: 'differs' });
  });

  it('names a condition only when it explains most differing rows', async () => {
    await engine.run(`CREATE TABLE diffs_x AS SELECT i AS k0, i <= 10 AS differs FROM range(1, 101) t(i)`);
    const list = await explainDifferences(engine, { differing: 'diffs_x', keyColumns: ['k0'], upstream: [{ name: 'features', research, production, key: ['id'] }] });
    const best = list.find(isExplaining)!;
    expect(best).toMatchObject({ column: 'x', condition: 'differs', differingShare: 1, matchingShare: 0, lift: 1 });
    expect(describeExplanation(best, 'mismatched rows', 'matched rows')).toBe('100.0% of mismatched rows differ in `x` (features), vs 0% of matched rows');
  });

  it('honours tolerances and a differing relation given as a query with string keys', async () => {
    const list = await explainDifferences(engine, {
      differing: `(SELECT CAST(i AS VARCHAR) AS key, i <= 10 AS differs FROM range(1, 101) t(i))`,
      keyColumns: ['key'],
      upstream: [{ name: 'features', research, production, key: ['id'], tolerances: { default: { abs: 1, rel: 0 }, perColumn: {} } }],
    });
    expect(find(list, 'x', 'differs')).toBeUndefined();
  });

  it('keeps one row per duplicated upstream key', async () => {
    const dup = await table('fr_dup', `SELECT * FROM fr UNION ALL SELECT * FROM fr WHERE id <= 3`);
    const list = await explainDifferences(engine, { differing: 'diffs', keyColumns: ['k0'], upstream: [{ name: 'features', research: dup, production, key: ['id'] }] });
    expect(find(list, 'x', 'differs')).toMatchObject({ differingRows: 10 });
  });

  it('rankExplanations breaks ties by share and name', () => {
    const e = (column: string, d: number, m: number): Explanation => ({
      source: 's',
      column,
      condition: 'differs',
      detail: null,
      differingRows: 1,
      differingShare: d,
      matchingRows: 0,
      matchingShare: m,
      lift: d - m,
    });
    expect(rankExplanations([e('b', 0.5, 0), e('a', 0.5, 0), e('c', 0.9, 0.4), e('d', 0.2, 0)]).map((x) => x.column)).toEqual(['c', 'a', 'b', 'd']);
  });
});

describe('base rate', () => {
  it('with no matching rows, a null/unseen/range share is the base rate, not evidence: only differences and missing rows are named', async () => {
    await engine.run(`CREATE TABLE alldiff AS SELECT i AS k0, true AS differs FROM range(1, 101) t(i)`);
    const list = await explainDifferences(engine, { differing: 'alldiff', keyColumns: ['k0'], upstream: [{ name: 'features', research, production, key: ['id'] }] });
    expect(list.filter((e) => e.condition === 'null' || e.condition === 'unseen_category' || e.condition === 'out_of_range')).toEqual([]);
    expect(find(list, 'x', 'differs')).toMatchObject({ differingRows: 10, matchingRows: 0 });
    expect(find(list, null, 'missing_upstream', 'production')).toMatchObject({ differingRows: 2 });
  });
});
