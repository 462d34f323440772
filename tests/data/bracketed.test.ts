/**
 * Quantiles of large numeric columns read from brackets instead of a sort (#22): the values at the wanted ranks must
 * be the sort's own, bit for bit (ties, NaN, ±inf, nulls, integers beyond 2^53, negative zero), a bracket that misses
 * must come back null (the caller then sorts), and the profile must give the same quantiles as --exact-stats with
 * only the distinct count estimated.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../../src/engine/engine.js';
import { BRACKET_MIN_VALUES, bracketedRanks, bracketedRanksSql, intervalOf, mergeBrackets } from '../../src/compare/data/bracketed.js';
import { DISTINCT_ESTIMATE, orderStatsSql, profileTable } from '../../src/compare/data/profile.js';
import { ranksFor } from '../../src/stats/quantile.js';
import { QUANTILE_LEVELS } from '../../src/compare/data/profile-sql.js';

let engine: Engine;

// 300,000 rows in a scrambled order: doubles with ties, NaN, ±inf, −0.0 and nulls; integers with ties; integers
// beyond 2^53 (distinct as BIGINT, equal as DOUBLE); a skewed column (most values in a narrow range).
const ROWS = `
  SELECT
    CASE WHEN i % 97 = 0 THEN NULL WHEN i % 1009 = 0 THEN 'nan'::DOUBLE WHEN i % 1013 = 0 THEN 'inf'::DOUBLE
         WHEN i % 1019 = 0 THEN '-inf'::DOUBLE WHEN i % 5 = 0 THEN -0.0::DOUBLE ELSE round(sin(i) * 1000, 1) END AS d,
    (i * 7919) % 40000 - 20000 AS ties,
    9007199254740993 + (i % 1000) * 2 AS wide,
    CASE WHEN i % 10 = 0 THEN i * 1e6 ELSE exp(-(i % 1000) / 10.0) END AS skew
  FROM range(300000) r(i) ORDER BY hash(i)`;

beforeAll(async () => {
  engine = await Engine.open();
  await engine.run(`CREATE TABLE b AS ${ROWS}`);
});
afterAll(() => engine?.close());

/** The sort path's values at the quantiles' ranks (1-based among non-null values), with the finite range. */
async function sorted(column: string): Promise<{ ranks: number[]; first: number; finite: number; row: Record<string, unknown> }> {
  const c = await engine.one(
    `SELECT count(${column}) AS n, count(*) FILTER (WHERE CAST(${column} AS DOUBLE) = '-inf'::DOUBLE) AS neg,
            count(*) FILTER (WHERE NOT isfinite(CAST(${column} AS DOUBLE))) AS nonfinite FROM b`,
  );
  const finite = Number(c.n) - Number(c.nonfinite);
  const first = Number(c.neg) + 1;
  const ranks = ranksFor(finite, QUANTILE_LEVELS).map((r) => first + r);
  return { ranks, first, finite, row: await engine.one(orderStatsSql('b', column, 0, ranks)) };
}

describe('values at ranks from brackets', () => {
  for (const column of ['d', 'ties', 'wide', 'skew']) {
    it(`equal the sort's on ${column}`, async () => {
      const s = await sorted(column);
      // A small guide sample: wide brackets, and the test runs fast; the default's narrower ones are covered below.
      for (const sample of [512, 8192]) {
        const got = await bracketedRanks(engine, 'b', column, 0, s.ranks, s.first, s.finite, sample);
        expect(got).not.toBeNull();
        for (const r of s.ranks) expect(Object.is(got![`c0_r${r}`], s.row[`c0_r${r}`]) || got![`c0_r${r}`] === s.row[`c0_r${r}`]).toBe(true);
      }
    });
  }

  it('come back null when a rank falls outside the brackets', async () => {
    const s = await sorted('ties');
    // Brackets far from the median: its ranks fall between them, and must not be guessed.
    const row = await engine.one(
      bracketedRanksSql(
        'b',
        'ties',
        0,
        [
          [-20000, -19000],
          [19000, 20000],
        ],
        s.ranks,
      ),
    );
    expect(s.ranks.some((r) => row[`c0_r${r}`] === null)).toBe(true);
  });

  it('merge overlapping brackets into disjoint ones', () => {
    expect(
      mergeBrackets([
        [5, 7],
        [1, 2],
        [2, 3],
        [6, 9],
      ]),
    ).toEqual([
      [1, 3],
      [5, 9],
    ]);
  });
});

describe('interval numbers', () => {
  it("equal a flat WHEN chain's on values at, between and beyond the bounds, NaN and ±inf included", async () => {
    // A one-value bracket (lo = hi), brackets near each other and far apart; every bound, its neighbours, and beyond.
    const bounds = [-5, -5, -1.5, 0, 0.25, 3, 7, 7.5, 1e9, 2e9];
    const flat = `CASE ${bounds.map((b, k) => `WHEN v ${k % 2 === 0 ? '<' : '<='} ${b} THEN ${k}`).join(' ')} ELSE ${bounds.length} END`;
    const values = [...bounds.flatMap((b) => [b - 0.5, b - 1e-9, b, b + 1e-9, b + 0.5]), -1e300, 1e300].map(String);
    const rows = await engine.all(
      `SELECT v, ${flat} AS flat, ${intervalOf(bounds)} AS nested
       FROM (SELECT unnest([${values.join(', ')}, 'nan', 'inf', '-inf', -0.0]::DOUBLE[]) AS v)`,
    );
    expect(rows.length).toBe(values.length + 4);
    for (const r of rows) expect(r.nested).toBe(r.flat);
  });
});

describe('profile of a large numeric column', () => {
  it('has the exact quantiles and an estimated distinct count; --exact-stats counts exactly', async () => {
    const n = BRACKET_MIN_VALUES + 200_000;
    await engine.run(`CREATE TABLE big AS SELECT i AS id, (i * 7919) % 600000 / 3.0 AS x, i % 7 AS few FROM range(${n}) r(i) ORDER BY hash(i)`);
    const columns = await engine.describe('big');
    const approx = await profileTable(engine, 'big', columns, { approxDistinct: true, exactDistinct: ['id'] });
    const exact = await profileTable(engine, 'big', columns);
    expect(approx.columns.x!.quantiles).toEqual(exact.columns.x!.quantiles);
    expect(exact.columns.x!.distinct).toBe(600_000);
    expect(approx.columns.x!.distinctEstimate).toEqual(DISTINCT_ESTIMATE);
    expect(Math.abs(approx.columns.x!.distinct / 600_000 - 1)).toBeLessThan(0.05);
    const { distinct: _a, distinctEstimate: _e, ...approxRest } = approx.columns.x!;
    const { distinct: _b, ...exactRest } = exact.columns.x!;
    expect(approxRest).toEqual(exactRest);
    // Few values and keys stay exact.
    expect(approx.columns.few).toEqual(exact.columns.few);
    expect(approx.columns.id).toEqual(exact.columns.id);
  });
});
