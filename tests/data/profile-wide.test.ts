/**
 * The wide-table profiling path (unpivot + GROUP BY col) gives the same profiles, top values and category
 * counts as the narrow one (one aggregate expression per statistic and column).
 */
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../../src/engine/engine.js';
import { PROFILE_CHUNK, categoryCounts, profileTable } from '../../src/compare/data/profile.js';
import type { ColumnProfile, TableProfile } from '../../src/compare/data/profile.js';
import { familyOf, wideCategoryCounts, wideProfileRow } from '../../src/compare/data/profile-wide.js';
import { stableFloat } from '../../src/compare/shared/values.js';
import { openDataset } from '../../src/sources/register.js';
import { resolveInput } from '../../src/sources/resolve.js';

const WIDE_CSV = resolve('tests/fixtures/csv-edge/wide_2000.csv');

let engine: Engine;

async function table(name: string, sql: string) {
  await engine.run(`CREATE TABLE ${name} AS ${sql}`);
  return engine.describe(name);
}

/**
 * The unrounded sums may differ in the last bits (another summation order): compare them as the profile rounds
 * sums. Quantiles too: the narrow path interpolates as numpy does (a + (b − a)·t, from b when t ≥ 0.5), the
 * wide path with DuckDB's quantile_cont (a·(1 − t) + b·t), which can differ in the last bit.
 */
function comparable(p: ColumnProfile): ColumnProfile {
  if (p.exactSum === undefined) return p;
  const quantiles = p.quantiles && Object.fromEntries(Object.entries(p.quantiles).map(([k, v]) => [k, stableFloat(v)]));
  return { ...p, exactSum: stableFloat(p.exactSum ?? null), absSum: stableFloat(p.absSum ?? null), quantiles } as ColumnProfile;
}

function expectSameProfiles(narrow: TableProfile, wide: TableProfile): void {
  expect(wide.rows).toBe(narrow.rows);
  expect(wide.fingerprint).toBe(narrow.fingerprint);
  expect(Object.keys(wide.columns)).toEqual(Object.keys(narrow.columns));
  for (const [name, p] of Object.entries(narrow.columns)) {
    expect(comparable(wide.columns[name]!), name).toEqual(comparable(p));
  }
}

// 1,000 rows of every family: nulls everywhere, integers past 2^53 (exact sums and DISTINCT), doubles and floats
// with NaN, ±inf, -0.0 and 0.0, decimals of two types, strings with '' and unicode, enums, booleans, every
// temporal type, and the types that keep the narrow aggregates (lists, blobs, intervals, UHUGEINT).
const MIXED = `
  SELECT
    CASE WHEN i % 7 = 0 THEN NULL ELSE (i % 50)::TINYINT END AS i8,
    CASE WHEN i % 11 = 0 THEN NULL ELSE (i * 37 % 1000 - 500)::INTEGER END AS i32,
    CASE WHEN i % 5 = 0 THEN NULL ELSE 4611686018427387903 - i * 1000003 END::BIGINT AS i64,
    (-4611686018427387904 + i * 999999937)::BIGINT AS i64neg,
    (9223372036854775807 - i * 3)::UBIGINT AS u64, -- the fingerprint hashes UBIGINT as BIGINT: stay below 2^63
    (i::HUGEINT * 170141183460469231731687303715884 - 3)::HUGEINT AS h,
    (i % 3)::SMALLINT AS lowcard,
    NULL::INTEGER AS allnull,
    CASE i % 10 WHEN 0 THEN NULL WHEN 1 THEN 'nan'::DOUBLE WHEN 2 THEN 'inf'::DOUBLE WHEN 3 THEN '-inf'::DOUBLE
      WHEN 4 THEN -0.0::DOUBLE WHEN 5 THEN 0.0::DOUBLE ELSE i / 7.0 - 60 END AS d,
    CASE i % 9 WHEN 0 THEN NULL WHEN 1 THEN 'nan'::FLOAT WHEN 2 THEN '-inf'::FLOAT WHEN 3 THEN -0.0::FLOAT
      ELSE (i / 3.0)::FLOAT END AS f,
    CASE WHEN i % 2 = 0 THEN 'nan'::DOUBLE END AS onlynan,
    (i % 100)::DOUBLE AS dlow,
    CASE WHEN i % 4 = 0 THEN NULL ELSE (i * 1.125 - 300)::DECIMAL(18, 3) END AS dec,
    ((i::HUGEINT * 12345678901234567) % 99999999999999999 / 1000)::DECIMAL(38, 10) AS dec38,
    CASE i % 6 WHEN 0 THEN NULL WHEN 1 THEN '' WHEN 2 THEN 'é' || i ELSE 'v' || (i % 40) END AS s,
    (CASE WHEN i % 8 = 0 THEN NULL ELSE ['a', 'bb', 'ccc'][i % 3 + 1] END)::ENUM('a', 'bb', 'ccc') AS e,
    CASE i % 3 WHEN 0 THEN NULL WHEN 1 THEN true ELSE false END AS b,
    CASE WHEN i % 9 = 0 THEN NULL ELSE DATE '2020-01-01' + (i % 400)::INTEGER END AS dt,
    TIMESTAMP '2021-06-01 12:00:00.123456' + to_microseconds(i * 3600000123) AS ts,
    CASE WHEN i % 5 = 0 THEN NULL ELSE (TIMESTAMP '2021-06-01' + to_microseconds(i))::TIMESTAMP_NS END AS tsns,
    TIMESTAMPTZ '2022-03-27 00:30:00+00' + to_microseconds(i * 60000000) AS tstz,
    TIME '00:00:00' + to_microseconds(i * 1000001) AS tm,
    CASE WHEN i % 4 = 0 THEN NULL ELSE [i % 3, i % 5] END AS lst,
    ('x' || (i % 9))::BLOB AS blb,
    to_days((i % 12)::INTEGER) AS itv,
    (i % 17)::UHUGEINT AS uh
  FROM range(1000) t(i)`;

beforeAll(async () => {
  engine = await Engine.open({ readableFiles: [WIDE_CSV] });
});
afterAll(() => engine.close());

describe('wide profiling path', () => {
  it("gives the narrow path's profiles, top values and category counts on every column family", async () => {
    const columns = await table('mixed', MIXED);
    expect(columns.filter((c) => familyOf(c) === null).map((c) => c.name)).toEqual(['lst', 'blb', 'itv', 'uh']);
    const narrow = await profileTable(engine, 'mixed', columns, { wide: false });
    const wide = await profileTable(engine, 'mixed', columns, { wide: true });
    expectSameProfiles(narrow, wide);
    // The cases this path must get right.
    expect(wide.columns.d).toMatchObject({ nan: 100, posInf: 100, negInf: 100, zeros: 200, nulls: 100 });
    expect(wide.columns.i64!.sum).toBe(narrow.columns.i64!.sum);
    expect(typeof wide.columns.h!.sum).toBe('string');
    expect(wide.columns.allnull).toMatchObject({ count: 0, nulls: 1000, distinct: 0, min: null, sum: null });
    expect(wide.columns.s!.top).toBeDefined();

    const cn = await categoryCounts(engine, 'mixed', columns, 10, false);
    const cw = await categoryCounts(engine, 'mixed', columns, 10, true);
    expect([...cw.keys()]).toEqual([...cn.keys()]);
    expect(Object.fromEntries(cw)).toEqual(Object.fromEntries(cn));
  });

  it('profiles UUIDs as their text (the narrow path cannot bind length(UUID))', async () => {
    const uuid = `CASE WHEN i % 13 = 0 THEN NULL ELSE ('00000000-0000-0000-0000-' || lpad((i % 77)::VARCHAR, 12, '0'))::UUID END`;
    const columns = await table('uuids', `SELECT ${uuid} AS u, i FROM range(500) t(i)`);
    const text = await table('uuidtext', `SELECT CAST(${uuid} AS VARCHAR) AS u, i FROM range(500) t(i)`);
    const wide = await profileTable(engine, 'uuids', columns, { wide: true });
    const narrow = await profileTable(engine, 'uuidtext', text, { wide: false });
    expect(wide.columns.u).toEqual({ ...narrow.columns.u, type: 'UUID' });
    expect(wide.columns.u).toMatchObject({ count: 461, distinct: 77, minLength: 36, maxLength: 36, empty: 0 });
    const cw = await categoryCounts(engine, 'uuids', columns, 5, true);
    expect(cw.get('u')).toEqual((await categoryCounts(engine, 'uuidtext', text, 5, false)).get('u'));
  });

  it('takes the wide path by itself past PROFILE_CHUNK columns, and cutting the unpivot into batches changes nothing', async () => {
    const n = PROFILE_CHUNK * 2 + 7;
    const exprs = Array.from({ length: n }, (_v, j) => {
      switch (j % 4) {
        case 0:
          return `CASE WHEN (i + ${j}) % 6 = 0 THEN NULL ELSE (i * ${j + 1}) % 23 END::INTEGER AS "n ${j}"`;
        case 1:
          return `CASE WHEN (i + ${j}) % 5 = 0 THEN 'nan'::DOUBLE WHEN (i + ${j}) % 7 = 0 THEN NULL ELSE sin(i + ${j}) * 1e6 END AS "x""${j}"`;
        case 2:
          return `CASE WHEN (i + ${j}) % 4 = 0 THEN NULL ELSE 'k' || ((i * ${j}) % 9) END AS s${j}`;
        default:
          return `((i + ${j}) % 3 = 0) AS b${j}`;
      }
    });
    const columns = await table('wide', `SELECT ${exprs.join(', ')} FROM range(2000) t(i)`);
    const narrow = await profileTable(engine, 'wide', columns, { wide: false });
    const wide = await profileTable(engine, 'wide', columns); // dispatch: n > PROFILE_CHUNK
    expectSameProfiles(narrow, wide);

    // Batches of PROFILE_CHUNK columns per unpivot (a tiny cell budget) read the same as one batch.
    const whole = await wideProfileRow(engine, 'wide', columns);
    const batched = await wideProfileRow(engine, 'wide', columns, 1);
    expect(Object.keys(batched).sort()).toEqual(Object.keys(whole).sort());
    for (const [k, v] of Object.entries(whole)) {
      if (/_(sum|abssum|std)$/.test(k) && typeof v === 'number') expect(stableFloat(batched[k] as number), k).toBe(stableFloat(v));
      else expect(batched[k], k).toEqual(v);
    }

    const categorical = columns.filter((c) => !c.name.startsWith('x'));
    const cn = await categoryCounts(engine, 'wide', categorical, 10, false);
    const cw = await categoryCounts(engine, 'wide', categorical, 10); // dispatch: many columns
    expect(Object.fromEntries(cw)).toEqual(Object.fromEntries(cn));
    expect(Object.fromEntries(await wideCategoryCounts(engine, 'wide', categorical, 10, 1))).toEqual(Object.fromEntries(cn));
  });

  it('profiles the 2,000-column CSV as the narrow path profiles its columns', { timeout: 120_000 }, async () => {
    const d = await openDataset(engine, resolveInput(WIDE_CSV), 'research');
    expect(d.columns).toHaveLength(2000);
    const wide = await profileTable(engine, d.relation, d.columns);
    // The narrow path on all 2,000 columns takes ~20 s: compare a sample of them.
    const sample = d.columns.filter((_c, j) => j % 40 === 0 || j >= 1990);
    const narrow = await profileTable(engine, d.relation, sample, { wide: false });
    for (const c of sample) expect(comparable(wide.columns[c.name]!), c.name).toEqual(comparable(narrow.columns[c.name]!));
    expect(wide.rows).toBe(narrow.rows);
  });
});
