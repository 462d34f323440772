import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { breaking, runCli, runJson } from '../helpers/cli.js';
import { assertValidReport } from '../helpers/schema.js';

/**
 * The built CLI with approximate distinct counts (#22): `approximate: true` on the estimated columns, exit codes
 * unchanged, `≈` in the terminal, and `--exact-stats` (data, check) or `exactStats:` (reprodiff.yml) exact counts.
 */
const work = mkdtempSync(join(tmpdir(), 'reprodiff-approx-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));
const file = (name: string) => join(work, name);

// 60,000 rows: `u` unique text, `t` unique timestamps (both estimated), `cat` 9 categories, `x` doubles.
const SIDE = (order: string, x = 'i / 8.0') =>
  `SELECT i AS id, 'user_' || CAST(i AS VARCHAR) AS u, 'c' || CAST(i % 9 AS VARCHAR) AS cat, TIMESTAMP '2020-01-01' + to_seconds(i * 61) AS t, ${x} AS x FROM range(60000) r(i) ORDER BY ${order}`;
const EXACT = { u: 60_000, t: 60_000 };

beforeAll(async () => {
  const db = await DuckDBInstance.create(':memory:');
  const con = await db.connect();
  await con.run(`COPY (${SIDE('i')}) TO '${file('a.parquet')}' (FORMAT parquet)`);
  await con.run(`COPY (${SIDE('hash(i)')}) TO '${file('same.parquet')}' (FORMAT parquet)`);
  await con.run(`COPY (${SIDE('hash(i)', 'CASE WHEN i = 7 THEN 0.5 ELSE i / 8.0 END')}) TO '${file('b.parquet')}' (FORMAT parquet)`);
  con.closeSync();
  db.closeSync();
  writeFileSync(file('reprodiff.yml'), 'research:\n  data: a.parquet\nproduction:\n  data: b.parquet\nkey: id\n');
  writeFileSync(file('exact.yml'), 'research:\n  data: a.parquet\nproduction:\n  data: b.parquet\nkey: id\nexactStats: true\n');
}, 60_000);

/** The data stage's column profiles of one side. */
const profiles = (json: any, side: 'research' | 'production') =>
  Object.fromEntries(Object.entries(json.stages.find((s: any) => s.stage === 'data').summary.columns).map(([k, v]: [string, any]) => [k, v[side]]));

describe('approximate distinct counts, end to end', () => {
  it('data: estimated columns carry approximate: true within 5%, the rest is exact; exit 1 for the one changed cell', async () => {
    const r = await runJson(['data', file('a.parquet'), file('b.parquet'), '--key', 'id']);
    expect(r.code).toBe(1);
    assertValidReport(r.json);
    expect(breaking(r.json).map((f) => f.cause)).toEqual(['value_changed']);
    const a = profiles(r.json, 'research');
    const b = profiles(r.json, 'production');
    // x differs on a row: estimated on neither side (it is a number); u and t are identical on every row: counted once, exactly.
    for (const p of [a, b]) {
      expect(p.u.distinct).toBe(EXACT.u);
      expect(p.u.distinctEstimate).toBeUndefined();
      expect(p.cat.distinct).toBe(9);
    }
  });

  it('data keyless on an equal pair: exit 0, estimates marked, relative error stated, ≈ in the terminal', async () => {
    const r = await runJson(['data', file('a.parquet'), file('same.parquet')]);
    expect(r.code).toBe(0);
    assertValidReport(r.json);
    for (const side of ['research', 'production'] as const) {
      const p = profiles(r.json, side);
      for (const c of ['u', 't'] as const) {
        expect(p[c].distinctEstimate).toEqual({ approximate: true, method: 'hyperloglog', registers: 4096, relativeError: 0.0163 });
        expect(Math.abs(p[c].distinct / EXACT[c] - 1)).toBeLessThan(0.05);
      }
      expect(p.cat.distinctEstimate).toBeUndefined();
      expect(p.x.distinctEstimate).toBeUndefined();
    }
    const text = await runCli(['data', file('a.parquet'), file('same.parquet')]);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/≈ distinct counts estimated .* for 2 columns: u, t; --exact-stats counts them/);
  });

  it('--exact-stats: exact counts, no estimate anywhere, the same verdict', async () => {
    const r = await runJson(['data', file('a.parquet'), file('same.parquet'), '--exact-stats']);
    expect(r.code).toBe(0);
    for (const side of ['research', 'production'] as const) {
      const p = profiles(r.json, side);
      expect(p.u.distinct).toBe(EXACT.u);
      expect(p.t.distinct).toBe(EXACT.t);
      expect(JSON.stringify(r.json)).not.toContain('distinctEstimate');
    }
    const text = await runCli(['data', file('a.parquet'), file('same.parquet'), '--exact-stats']);
    expect(text.stdout).not.toContain('≈');
  });

  it('check: --exact-stats and exactStats in reprodiff.yml reach the data stage; exit 1 either way', async () => {
    const [plain, flag, config] = await Promise.all([runJson(['check', file('reprodiff.yml')]), runJson(['check', file('reprodiff.yml'), '--exact-stats']), runJson(['check', file('exact.yml')])]);
    for (const r of [plain, flag, config]) {
      expect(r.code).toBe(1);
      assertValidReport(r.json);
    }
    // Keyed with a changed x: only x's statistics are computed on production; u and t are identical, exact.
    expect(profiles(plain.json, 'production').t.distinct).toBe(EXACT.t);
    for (const r of [flag, config]) expect(JSON.stringify(r.json)).not.toContain('distinctEstimate');
    const keyless = await runJson(['data', file('a.parquet'), file('b.parquet'), '--exact-stats']);
    expect(keyless.code).toBe(1);
    expect(JSON.stringify(keyless.json)).not.toContain('distinctEstimate');
  });

  it('a bad exactStats value in reprodiff.yml is a usage error (exit 2)', async () => {
    writeFileSync(file('bad.yml'), 'research:\n  data: a.parquet\nproduction:\n  data: b.parquet\nexactStats: sometimes\n');
    const r = await runCli(['check', file('bad.yml')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/exactStats/);
  });
});
