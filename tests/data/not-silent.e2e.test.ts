import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertValidReport } from '../helpers/schema.js';
import { runJson } from '../helpers/cli.js';

/**
 * "equal" is a promise that everything pointed at was compared (docs/decisions.md, "What 'equal' promises").
 * This walks every path of the data and features stages where something is left out, not matched, skipped,
 * approximated or judged by a threshold, and asserts the report says so: a breaking finding, or (for what the
 * user chose: --ignore, a tolerance) a finding that names it. Inputs are written by DuckDB's COPY (Parquet).
 */
const dir = mkdtempSync(join(tmpdir(), 'reprodiff-silent-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const path = (name: string) => join(dir, `${name}.parquet`);

beforeAll(async () => {
  const db = await DuckDBInstance.create(':memory:');
  const con = await db.connect();
  const copy = (name: string, sql: string) => con.run(`COPY (${sql}) TO '${path(name)}' (FORMAT parquet)`);
  // 400 rows: an id, a reading, a category and a free-text code.
  const base = (from: number, seed: number) =>
    `SELECT i AS id, ((i * ${seed}) % 97) / 7.0 AS reading, ['a', 'b', 'c'][1 + i % 3] AS grp, 'code-' || (i * 7919 % 100003) AS code FROM range(${from}, ${from} + 400) t(i)`;
  await copy('base', base(0, 31));
  // Other rows entirely, the same distributions (a later period, or a re-sample): nothing in common without a key.
  await copy('later', base(100000, 31));
  // Same rows, a column the user will --ignore changed.
  await copy('ignored', `SELECT * REPLACE (reading + 1 AS reading) FROM (${base(0, 31)})`);
  // Null keys on production.
  await copy('nullkeys', `SELECT * REPLACE (CASE WHEN id % 50 = 0 THEN NULL ELSE id END AS id) FROM (${base(0, 31)})`);
  // Differences of one ulp: only "equal within noise", never silently equal.
  await copy('ulp', `SELECT * REPLACE (CASE WHEN id % 4 = 0 THEN nextafter(reading, 1e300) ELSE reading END AS reading) FROM (${base(0, 31)})`);
  // Reading within a tolerance.
  await copy('tolerated', `SELECT * REPLACE (reading * (1 + 1e-9) AS reading) FROM (${base(0, 31)})`);
  con.closeSync();
  db.closeSync();
});

const breakingCauses = (json: any) => json.findings.filter((f: any) => f.severity !== 'info').map((f: any) => f.cause);

describe('nothing left out is a silent "equal"', () => {
  it('rows with nothing in common, without a key (distributions only): a warning, naming what no test covered', async () => {
    for (const cmd of ['data', 'features']) {
      const r = await runJson([cmd, path('base'), path('later')]);
      assertValidReport(r.json);
      expect(r.json.verdict).toBe('different');
      const f = r.json.findings.find((x: any) => x.cause === 'no_common_rows');
      expect(f.severity).toBe('warning');
      // The free-text code is identifier-like: no distribution test can compare it.
      expect(f.evidence.notTested).toContain('code');
      expect(f.columns).toContain('code');
    }
  });

  it('with a key, unmatched rows are never replaced by distributions', async () => {
    const r = await runJson(['data', path('base'), path('later'), '--key', 'id']);
    expect(breakingCauses(r.json)).toEqual(expect.arrayContaining(['rows_missing', 'rows_extra']));
    expect(r.code).toBe(1);
  });

  it('a column left out with --ignore: not_compared names it (the user chose it: info)', async () => {
    const r = await runJson(['data', path('base'), path('ignored'), '--key', 'id', '--ignore', 'reading']);
    assertValidReport(r.json);
    expect(r.json.findings.find((x: any) => x.cause === 'not_compared')).toMatchObject({ severity: 'info', columns: ['reading'] });
    const plain = await runJson(['data', path('base'), path('ignored'), '--key', 'id']);
    expect(plain.code).toBe(1);
  });

  it('rows whose key is null, left out with --null-keys drop: a warning', async () => {
    const r = await runJson(['data', path('base'), path('nullkeys'), '--key', 'id', '--null-keys', 'drop']);
    expect(r.json.findings.find((x: any) => x.cause === 'null_keys')).toMatchObject({ severity: 'warning', rowsAffected: 8 });
    expect(r.json.verdict).toBe('different');
  });

  it('rows whose key is null, matched by default: research has none, so they are extra rows', async () => {
    const r = await runJson(['data', path('base'), path('nullkeys'), '--key', 'id']);
    expect(r.json.findings.find((x: any) => x.cause === 'null_keys')).toMatchObject({ severity: 'info', rowsAffected: 8 });
    expect(r.json.findings.find((x: any) => x.cause === 'rows_extra')).toMatchObject({ severity: 'error', rowsAffected: 8 });
    expect(r.json.verdict).toBe('different');
  });

  it('ulp noise is judged by a threshold: a warning, with and without a key', async () => {
    const keyed = await runJson(['data', path('base'), path('ulp'), '--key', 'id']);
    expect(breakingCauses(keyed.json)).toEqual(['numeric_noise']);
    const keyless = await runJson(['data', path('base'), path('ulp')]);
    expect(keyless.json.verdict).toBe('different');
  });

  it('values within a tolerance: equal, and without a key one line says how rows were paired', async () => {
    const keyed = await runJson(['features', path('base'), path('tolerated'), '--key', 'id', '--rel-tol', '1e-6']);
    expect(keyed.json.verdict).toBe('equal');
    const keyless = await runJson(['features', path('base'), path('tolerated'), '--rel-tol', '1e-6']);
    expect(keyless.json.verdict).toBe('equal');
    // Rows whose reading is 0 are unchanged by the factor; the other 395 match only within the tolerance.
    expect(keyless.json.findings.find((x: any) => x.evidence?.withinTolerance === 395)).toMatchObject({ severity: 'info', columns: ['reading'] });
    // Without the tolerance the same pair is not equal.
    expect((await runJson(['features', path('base'), path('tolerated')])).code).toBe(1);
  });

  it('--no-stats leaves statistics out but still compares every row', async () => {
    const r = await runJson(['data', path('base'), path('ignored'), '--no-stats']);
    expect(r.json.verdict).toBe('different');
    const k = await runJson(['data', path('base'), path('ignored'), '--key', 'id', '--no-stats']);
    // reading + 1 on every row: a constant offset, named `rescaled` (a = 1, b = 1); either way the row diff ran.
    expect(k.json.findings.find((x: any) => x.cause === 'value_changed' || x.cause === 'rescaled').columns).toEqual(['reading']);
  });
});
