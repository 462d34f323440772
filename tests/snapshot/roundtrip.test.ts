import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Finding } from '../../src/findings/types.js';
import { bothWays, duck, tempDir } from './helpers.js';

const dir = tempDir();
const path = (f: string) => join(dir, f);

/** 5,000 rows: continuous (sketched) and low-cardinality (exact) numbers, categories, booleans, timestamps, nulls. */
const BASE = `SELECT range AS id,
  round(sin(range * 12.9898) * 43758.5453 % 1 * 100, 6) AS x,
  CAST(range % 5 AS INTEGER) AS k,
  round(range % 200 * 0.25, 2) AS f,
  'c' || (range * 7 % 10) AS cat,
  range % 3 = 0 AS flag,
  CASE WHEN range % 17 = 0 THEN NULL ELSE range * 1.5 END AS amount,
  TIMESTAMP '2024-01-01' + INTERVAL (range * 37) MINUTE AS ts
FROM range(5000)`;

beforeAll(async () => {
  await duck(
    `COPY (${BASE}) TO '${path('base.parquet')}' (FORMAT parquet)`,
    `COPY (${BASE}) TO '${path('base.csv')}' (FORMAT csv, HEADER)`,
    // Same rows, shuffled, int widened, in another column order.
    `COPY (SELECT ts, cat, CAST(k AS BIGINT) AS k, flag, amount, f, x, id FROM (${BASE}) ORDER BY hash(id)) TO '${path('shuffled.parquet')}' (FORMAT parquet)`,
    // Changed: 200 rows lost, x shifted on a third, a new category, nulls filled with 0, an extra column, a type change.
    `COPY (SELECT id, CASE WHEN id % 3 = 0 THEN x + 30 ELSE x END AS x, CAST(k AS VARCHAR) AS k, f,
            CASE WHEN id % 50 = 0 THEN 'new' ELSE cat END AS cat, flag, coalesce(amount, 0) AS amount, ts, 1 AS extra
          FROM (${BASE}) WHERE id % 25 <> 1) TO '${path('changed.parquet')}' (FORMAT parquet)`,
    // Only one value changed: statistics and distributions barely move, the fingerprint does.
    `COPY (SELECT * REPLACE (CASE WHEN id = 2500 THEN 'c3' ELSE cat END AS cat) FROM (${BASE})) TO '${path('one-value.parquet')}' (FORMAT parquet)`,
  );
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

const breaking = (fs: readonly Finding[]) => fs.filter((f) => f.severity !== 'info');
const key = (f: Finding) => `${f.cause}:${f.columns.join(',')}`;
const SCHEMA = new Set(['column_missing', 'column_extra', 'type_change', 'type_widening', 'schema_order']);
const STATS = new Set(['statistic_changed', 'aggregation_precision']);
const DRIFT = new Set(['distribution_drift', 'new_category', 'unseen_category', 'category_gone']);

describe('snapshot round trip', () => {
  it('the same file gives no warning or error, and equal content', async () => {
    const { snap } = await bothWays(path('base.parquet'), path('base.parquet'));
    expect(breaking(snap.outcome.findings)).toEqual([]);
    expect(snap.contentEqual).toBe(true);
    expect(snap.outcome.result.status).toBe('equal');
    const summary = snap.outcome.result.summary as Record<string, any>;
    expect(summary.mode).toBe('snapshot');
    expect(summary.skipped[0]).toEqual({ check: 'keyless row diff', reason: 'the snapshot holds no rows' });
  });

  it('CSV vs Parquet, shuffled rows, column order and int widening are not breaks', async () => {
    for (const other of ['base.csv', 'shuffled.parquet']) {
      const { snap } = await bothWays(path('base.parquet'), path(other));
      expect(breaking(snap.outcome.findings), other).toEqual([]);
      expect(snap.contentEqual, other).toBe(true);
    }
  });

  it('a changed file: the same schema, statistic and drift findings as file-vs-file', async () => {
    const { files, snap, dist } = await bothWays(path('base.parquet'), path('changed.parquet'));
    const pick = (fs: readonly Finding[], set: Set<string>) =>
      fs
        .filter((f) => set.has(f.cause))
        .map(key)
        .sort();
    expect(pick(snap.outcome.findings, SCHEMA)).toEqual(pick(files.findings, SCHEMA));
    expect(pick(snap.outcome.findings, STATS)).toEqual(pick(files.findings, STATS));
    expect(pick(snap.outcome.findings, DRIFT)).toEqual(pick(files.findings, DRIFT));
    // Statistic evidence is identical, number for number.
    const ev = (fs: readonly Finding[]) => Object.fromEntries(fs.filter((f) => f.cause === 'statistic_changed').map((f) => [f.columns[0], f.evidence]));
    expect(ev(snap.outcome.findings)).toEqual(ev(files.findings));
    // Row counts: the loss is reported (as a lower bound without rows).
    expect(snap.outcome.findings.find((f) => f.cause === 'rows_missing')?.rowsAffected).toBe(200);
    expect(files.findings.some((f) => f.cause === 'rows_missing')).toBe(true);
    expect(snap.contentEqual).toBe(null);
    // Drift tests: PSI, JS, chi-square exact; KS / Wasserstein exact or within the sketch bound.
    const summary = snap.outcome.result.summary as Record<string, any>;
    for (const c of dist.columns) {
      const s = snap.distributions.columns.find((x) => x.column === c.column)!;
      expect(s, c.column).toBeDefined();
      expect(s.type).toBe(c.type);
      expect(s.researchCount).toBe(c.researchCount);
      expect(s.productionCount).toBe(c.productionCount);
      expect(s.tests.psi).toBe(c.tests.psi);
      expect(s.tests.jensenShannon).toBe(c.tests.jensenShannon);
      expect(s.tests.chiSquare).toEqual(c.tests.chiSquare);
      expect(s.unseen).toEqual(c.unseen);
      expect(s.gone).toEqual(c.gone);
      expect(s.tests.drift?.test).toBe(c.tests.drift?.test);
      expect(s.tests.drift?.drifted).toBe(c.tests.drift?.drifted);
      if (c.tests.ks) {
        const bounds = summary.columns[c.column].approximation?.bounds;
        if (bounds) {
          expect(Math.abs(s.tests.ks!.statistic - c.tests.ks.statistic), c.column).toBeLessThan(bounds.ks);
          expect(Math.abs(s.tests.wasserstein! - c.tests.wasserstein!), c.column).toBeLessThanOrEqual(bounds.wasserstein);
        } else {
          expect(s.tests.ks!.statistic, c.column).toBeCloseTo(c.tests.ks.statistic, 12);
          expect(s.tests.wasserstein, c.column).toBe(c.tests.wasserstein);
        }
      }
    }
    expect(summary.columns.x.approximation).toBeDefined();
    expect(summary.columns.f.approximation).toBeUndefined();
  });

  it('one changed value: the fingerprint alone tells the content differs', async () => {
    const { snap } = await bothWays(path('base.parquet'), path('one-value.parquet'));
    expect(snap.contentEqual).toBe(false);
    const causes = breaking(snap.outcome.findings).map((f) => f.cause);
    expect(causes.length).toBeGreaterThan(0);
    expect(snap.outcome.result.status).toBe('different');
  });

  it('--ignore makes the fingerprint incomparable, and says so', async () => {
    const { snap } = await bothWays(path('base.parquet'), path('base.parquet'), { ignore: ['ts'] });
    expect(snap.contentEqual).toBe(null);
    expect(snap.skipped.some((s) => s.check === 'content fingerprint')).toBe(true);
    expect(breaking(snap.outcome.findings)).toEqual([]);
  });
});
