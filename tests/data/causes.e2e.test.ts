import { describe, expect, it } from 'vitest';
import { assertValidReport } from '../helpers/schema.js';
import { breaking, runJson } from '../helpers/cli.js';

const fx = (c: string) => [`tests/fixtures/data/${c}/research.csv`, `tests/fixtures/data/${c}/production.csv`];

/** One planted cause per fixture folder: the CLI must name it, on the right column, rows and keys. */
describe('data: planted causes', () => {
  it('equivalent data (row order, column order, float text, NaN, -0.0) is equal', async () => {
    const r = await runJson(['data', ...fx('equivalent'), '--key', 'id']);
    assertValidReport(r.json);
    expect(breaking(r.json)).toEqual([]);
    expect(r.code).toBe(0);
    expect(r.json.verdict).toBe('equal');
    expect(r.json.findings.map((f: any) => f.cause)).toContain('schema_order');
  });

  it('equivalent data without a key is equal too, with equal fingerprints', async () => {
    const r = await runJson(['data', ...fx('equivalent')]);
    expect(breaking(r.json)).toEqual([]);
    expect(r.code).toBe(0);
    const s = r.json.stages[0].summary;
    expect(s.research.fingerprint).toBe(s.production.fingerprint);
  });

  it('rows lost in ETL: rows_missing with the count and the keys', async () => {
    const r = await runJson(['data', ...fx('rows-missing'), '--key', 'id']);
    assertValidReport(r.json);
    expect(r.code).toBe(1);
    const f = r.json.findings.find((x: any) => x.cause === 'rows_missing');
    expect(f).toMatchObject({ stage: 'data', severity: 'error', columns: ['id'], rowsAffected: 2, sampleKeys: [7, 23] });
    expect(breaking(r.json)).toHaveLength(1);
    expect(r.json.firstBrokenStage).toBe('data');
  });

  it('rows lost without a key: counted with multiplicity', async () => {
    const r = await runJson(['data', ...fx('rows-missing')]);
    expect(r.json.findings.find((x: any) => x.cause === 'rows_missing').rowsAffected).toBe(2);
  });

  it('duplicated keys in production are counted, never dropped', async () => {
    const r = await runJson(['data', ...fx('duplicates'), '--key', 'id']);
    const f = r.json.findings.find((x: any) => x.cause === 'duplicate_keys');
    expect(f).toMatchObject({ severity: 'error', rowsAffected: 3, sampleKeys: [5, 9] });
    expect(f.evidence.side).toBe('production');
    // The extra copies have no research partner.
    expect(r.json.findings.find((x: any) => x.cause === 'rows_extra').rowsAffected).toBe(3);
    expect(r.json.findings.some((x: any) => x.cause === 'value_changed')).toBe(false);
  });

  it('duplicated rows without a key', async () => {
    const r = await runJson(['data', ...fx('duplicates')]);
    const f = r.json.findings.find((x: any) => x.cause === 'duplicate_rows' && x.evidence.side === 'production');
    expect(f.rowsAffected).toBe(3);
  });

  it('values equal after rounding to 2 decimals: precision_loss (2 decimals)', async () => {
    const r = await runJson(['data', ...fx('precision'), '--key', 'id']);
    const f = r.json.findings.find((x: any) => x.cause === 'precision_loss');
    expect(f.columns).toEqual(['amount']);
    expect(f.evidence.decimals).toBe(2);
    expect(f.rowsAffected).toBeGreaterThan(30);
    expect(r.json.findings.some((x: any) => x.cause === 'value_changed')).toBe(false);
  });

  it('values equal after a float32 round trip: float32_cast', async () => {
    const r = await runJson(['data', ...fx('float32'), '--key', 'id']);
    const f = r.json.findings.find((x: any) => x.cause === 'float32_cast');
    expect(f).toMatchObject({ columns: ['value'], rowsAffected: 40 });
  });

  it('timestamps all shifted by whole hours: timezone_shift with the offset', async () => {
    const r = await runJson(['data', ...fx('timezone'), '--key', 'id']);
    const f = r.json.findings.find((x: any) => x.cause === 'timezone_shift');
    expect(f).toMatchObject({ columns: ['event_at'], rowsAffected: 40 });
    expect(f.evidence.offsetHours).toEqual([3]);
    expect(breaking(r.json).map((x: any) => x.cause)).toEqual(['timezone_shift']);
  });

  it('number → string: type_change (schema drift)', async () => {
    const r = await runJson(['data', ...fx('type-change'), '--key', 'id']);
    const f = r.json.findings.find((x: any) => x.cause === 'type_change');
    expect(f).toMatchObject({ severity: 'error', columns: ['zip'] });
    expect(f.evidence.researchType).toBe('BIGINT');
    expect(f.evidence.productionType).toBe('VARCHAR');
  });

  it('null vs NaN is a difference, and named as such', async () => {
    const r = await runJson(['data', ...fx('null-vs-nan'), '--key', 'id']);
    const f = r.json.findings.find((x: any) => x.cause === 'null_vs_nan');
    expect(f).toMatchObject({ columns: ['score'], rowsAffected: 4, sampleKeys: [10, 20, 30, 40] });
    expect(breaking(r.json)).toHaveLength(1);
  });

  it('nulls filled with 0: named in data, null_handling in features', async () => {
    const d = await runJson(['data', ...fx('null-filled'), '--key', 'id']);
    const f = d.json.findings.find((x: any) => x.columns[0] === 'income' && x.severity === 'error');
    expect(f.message).toMatch(/filled with 0/);
    expect(f.rowsAffected).toBe(5);
    const feat = await runJson(['features', ...fx('null-filled'), '--key', 'id']);
    assertValidReport(feat.json);
    expect(feat.json.findings.find((x: any) => x.cause === 'null_handling')).toMatchObject({ columns: ['income'], rowsAffected: 5 });
  });

  it('no common keys with a key: every row missing and extra (a key the user named never hides 1,500 unmatched rows)', async () => {
    const r = await runJson(['data', ...fx('unmatched'), '--key', 'id']);
    assertValidReport(r.json);
    expect(r.code).toBe(1);
    const causes = r.json.findings.map((x: any) => x.cause);
    expect(causes).not.toContain('no_common_rows');
    expect(r.json.findings.find((x: any) => x.cause === 'rows_missing').rowsAffected).toBe(1500);
    expect(r.json.findings.find((x: any) => x.cause === 'rows_extra').rowsAffected).toBe(1500);
    expect(r.json.stages[0].summary.mode).toBe('keyed');
  });

  it('no common rows without a key: one line saying so (a warning: rows were not compared), and distribution tests instead of rows', async () => {
    const r = await runJson(['data', ...fx('unmatched')]);
    assertValidReport(r.json);
    const causes = r.json.findings.map((x: any) => x.cause);
    expect(r.json.findings.find((x: any) => x.cause === 'no_common_rows').severity).toBe('warning');
    expect(causes).not.toContain('rows_missing');
    expect(causes).not.toContain('rows_extra');
    const drift = r.json.findings.find((x: any) => x.cause === 'distribution_drift' && x.columns[0] === 'amount');
    expect(drift.evidence.test).toBe('wasserstein');
    expect(r.json.findings.find((x: any) => x.cause === 'new_category').columns).toEqual(['segment']);
    expect(r.json.stages[0].summary.mode).toBe('unmatched');
    expect(r.json.stages[0].summary.columns.amount.tests.ks.statistic).toBeGreaterThan(0.5);
  });

  it('values within --rel-tol are equal for the sum check too; beyond it they differ', async () => {
    const within = await runJson(['data', ...fx('aggregation'), '--key', 'id', '--rel-tol', '1e-9']);
    expect(within.json.verdict).toBe('equal');
    expect(within.code).toBe(0);
    const beyond = await runJson(['data', ...fx('aggregation'), '--key', 'id', '--rel-tol', '1e-10']);
    expect(beyond.json.findings.find((x: any) => x.cause === 'value_changed')).toMatchObject({ columns: ['total'], rowsAffected: 40 });
  });

  it('tolerances hide differences within them (global and per column)', async () => {
    // Rows match within tolerance, and so does the column's sum (each value moved by at most the tolerance).
    const within = await runJson(['data', ...fx('precision'), '--key', 'id', '--abs-tol', '0.005']);
    expect(breaking(within.json)).toEqual([]);
    expect(within.code).toBe(0);
    expect((await runJson(['data', ...fx('precision'), '--key', 'id', '--tol', 'amount=abs:0.005'])).code).toBe(0);
    expect((await runJson(['data', ...fx('precision'), '--key', 'id', '--tol', 'amount=abs:0.0001'])).code).toBe(1);
  });

  it('--ignore and --map', async () => {
    expect((await runJson(['data', ...fx('type-change'), '--key', 'id', '--ignore', 'zip'])).code).toBe(0);
  });
});
