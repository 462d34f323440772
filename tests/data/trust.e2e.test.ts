import { describe, expect, it } from 'vitest';
import { assertValidReport } from '../helpers/schema.js';
import { breaking, runJson } from '../helpers/cli.js';

/**
 * Verdicts you can trust (#16, #17): fixtures written by pandas (make_fixtures.py) and DuckDB (make_parquet.mjs).
 * Each case plants one break, or none, and asserts the verdict, exit code, cause, columns and rows.
 */
const fx = (c: string, ext = 'csv') => [`tests/fixtures/data/trust/${c}/research.${ext}`, `tests/fixtures/data/trust/${c}/production.${ext}`];
const causes = (json: any) => json.findings.map((f: any) => f.cause);
const find = (json: any, cause: string) => json.findings.find((f: any) => f.cause === cause);

describe('keys that (almost) never match', () => {
  it('ids shifted by a constant: every unmatched row reported, and key_format names the offset with evidence', async () => {
    const r = await runJson(['data', ...fx('key-offset'), '--key', 'order_id']);
    assertValidReport(r.json);
    expect(r.code).toBe(1);
    expect(find(r.json, 'rows_missing')).toMatchObject({ severity: 'error', columns: ['order_id'], rowsAffected: 236 });
    expect(find(r.json, 'rows_extra')).toMatchObject({ severity: 'error', columns: ['order_id'], rowsAffected: 236 });
    const k = find(r.json, 'key_format');
    expect(k).toMatchObject({ columns: ['order_id'], rowsAffected: 236 });
    expect(k.evidence).toMatchObject({ normalisation: 'constant offset', offset: 236, wouldMatch: 236, unmatchedResearchKeys: 236, unmatchedProductionKeys: 236 });
    expect(causes(r.json)).not.toContain('no_common_rows');
  });

  it('keys padded with a space, or upper-cased: key_format names the normalisation', async () => {
    const pad = await runJson(['data', ...fx('key-padding'), '--key', 'user']);
    expect(pad.code).toBe(1);
    expect(find(pad.json, 'rows_missing').rowsAffected).toBe(60);
    expect(find(pad.json, 'key_format').evidence).toMatchObject({ normalisation: 'surrounding whitespace', wouldMatch: 60 });
    const up = await runJson(['data', ...fx('key-case'), '--key', 'user']);
    expect(find(up.json, 'key_format').evidence).toMatchObject({ normalisation: 'letter case', wouldMatch: 60 });
    expect(find(up.json, 'key_format').evidence.tried['surrounding whitespace']).toBe(0);
  });

  it('a numeric key written as zero-padded text: joined as text, type_change and key_format (leading zeros)', async () => {
    const r = await runJson(['data', ...fx('key-text', 'parquet'), '--key', 'account']);
    assertValidReport(r.json);
    expect(r.code).toBe(1);
    expect(find(r.json, 'type_change').columns).toEqual(['account']);
    expect(find(r.json, 'rows_missing').rowsAffected).toBe(40);
    expect(find(r.json, 'key_format').evidence).toMatchObject({ normalisation: 'leading zeros', wouldMatch: 40 });
  });

  it('unseeded samples of one population with a key: rows_missing, rows_extra and sampling_unseeded with its evidence', async () => {
    const r = await runJson(['data', ...fx('sampled'), '--key', 'order_id']);
    assertValidReport(r.json);
    const s = find(r.json, 'sampling_unseeded');
    expect(s).toMatchObject({ stage: 'data', columns: ['order_id'] });
    expect(s.rowsAffected).toBe(find(r.json, 'rows_missing').rowsAffected);
    expect(s.evidence).toMatchObject({ researchRows: 200, productionRows: 200, equalRowCounts: true });
    expect(s.evidence.missing).toBe(s.evidence.extra);
    expect(causes(r.json)).not.toContain('key_format');
    // features runs the same comparison under its own stage name (a sample drawn while building features).
    const feat = await runJson(['features', ...fx('sampled'), '--key', 'order_id']);
    expect(find(feat.json, 'sampling_unseeded')).toMatchObject({ stage: 'features', rowsAffected: s.rowsAffected });
  });

  it('unseeded samples without a key: sampling_unseeded too (the sides share some rows, so not another population)', async () => {
    const r = await runJson(['data', ...fx('sampled')]);
    expect(find(r.json, 'sampling_unseeded').evidence.equalRowCounts).toBe(true);
    expect(causes(r.json)).not.toContain('no_common_rows');
  });
});

describe('duplicates', () => {
  it('duplicate keys pair as a multiset: identical rows first, the rest unmatched, no made-up change', async () => {
    const r = await runJson(['data', ...fx('dup-multiset'), '--key', 'sku']);
    assertValidReport(r.json);
    // sku 10: (4, a) pairs, (1, b) has no partner; sku 14 is new; sku 12's two identical rows pair.
    expect(find(r.json, 'rows_missing')).toMatchObject({ rowsAffected: 1, sampleKeys: [10] });
    expect(find(r.json, 'rows_extra')).toMatchObject({ rowsAffected: 1, sampleKeys: [14] });
    expect(causes(r.json)).not.toContain('value_changed');
  });

  it('duplicates identical on both sides, as often, in another order: info and equal, with or without a key', async () => {
    for (const args of [['--key', 'sku'], []]) {
      const r = await runJson(['data', ...fx('dup-same'), ...args]);
      expect(breaking(r.json)).toEqual([]);
      expect(r.code).toBe(0);
      expect(r.json.findings.filter((f: any) => f.cause === 'duplicate_keys' || f.cause === 'duplicate_rows').every((f: any) => f.severity === 'info')).toBe(true);
    }
  });

  it('a duplicate that changes count is the break', async () => {
    const k = await runJson(['data', ...fx('dup-count'), '--key', 'sku']);
    expect(k.code).toBe(1);
    expect(k.json.findings.filter((f: any) => f.cause === 'duplicate_keys').every((f: any) => f.severity === 'error')).toBe(true);
    expect(find(k.json, 'rows_extra')).toMatchObject({ rowsAffected: 1, sampleKeys: [12] });
    const r = await runJson(['data', ...fx('dup-count')]);
    expect(r.json.findings.filter((f: any) => f.cause === 'duplicate_rows').every((f: any) => f.severity === 'error')).toBe(true);
    expect(find(r.json, 'duplicate_rows').evidence.rowsWithChangedCount).toBe(1);
  });
});

describe('numbers get the right name', () => {
  it('ulp-sized differences (sums added in another order): numeric_noise, a warning', async () => {
    const r = await runJson(['data', ...fx('ulp-noise'), '--key', 'row']);
    assertValidReport(r.json);
    const f = find(r.json, 'numeric_noise');
    expect(f).toMatchObject({ stage: 'data', severity: 'warning', columns: ['total'] });
    expect(f.evidence.maxRelDiff).toBeLessThan(1e-15);
    expect(breaking(r.json).map((x: any) => x.cause)).toEqual(['numeric_noise']);
    expect(r.code).toBe(1);
    expect((await runJson(['data', ...fx('ulp-noise'), '--key', 'row', '--fail-on', 'error'])).code).toBe(0);
  });

  it('pandas float32 written as its shortest text: float32_cast', async () => {
    const r = await runJson(['data', ...fx('float32'), '--key', 'row']);
    const f = find(r.json, 'float32_cast');
    expect(f).toMatchObject({ columns: ['total'], rowsAffected: 200 });
    expect(f.evidence.maxRelDiff).toBeGreaterThan(1e-8);
    expect(f.evidence.maxRelDiff).toBeLessThan(1.2e-7);
  });

  it.each([
    ['edit-float32-sized', 'x', 5, 'float32_cast'],
    ['edit-lowered-to-one', 'price', 3, 'clipping_differs'],
  ])('%s: cells that look %s on the rows they touch, but are not: value_changed', async (fixture, column, rows, claimed) => {
    for (const stage of ['data', 'features']) {
      const r = await runJson([stage, ...fx(fixture), '--key', 'row']);
      expect(breaking(r.json).map((x: any) => [x.cause, x.columns[0], x.rowsAffected])).toEqual([['value_changed', column, rows]]);
      expect(JSON.stringify(r.json)).not.toContain(`"${claimed}"`);
      expect(r.code).toBe(1);
    }
  });

  it('%.6g and 15-digit text: precision_loss in significant digits, figures that agree with the claim', async () => {
    const six = find((await runJson(['data', ...fx('sig6'), '--key', 'row'])).json, 'precision_loss');
    expect(six.evidence).toMatchObject({ significantDigits: 6, roundedSide: 'production' });
    expect(six.message).toContain('6 significant digits');
    expect(six.evidence.maxRelDiff).toBeLessThanOrEqual(1e-5);
    const fifteen = find((await runJson(['data', ...fx('sig15'), '--key', 'row'])).json, 'precision_loss');
    expect(fifteen.evidence.significantDigits).toBe(15);
  });

  it('rounded to 3 decimals: decimals, and the max difference is within the claimed unit', async () => {
    const f = find((await runJson(['data', ...fx('decimals3'), '--key', 'row'])).json, 'precision_loss');
    expect(f.evidence.decimals).toBe(3);
    expect(f.evidence.maxAbsDiff).toBeLessThanOrEqual(0.001);
    expect(f.message).toContain('rounding to 3 decimals');
  });

  it('a 1e-9 rescale of float32-representable values is not a float32 cast', async () => {
    const r = await runJson(['data', ...fx('tolerance'), '--key', 'row']);
    expect(causes(r.json)).not.toContain('float32_cast');
    expect(causes(r.json)).not.toContain('precision_loss');
    expect(causes(r.json)).not.toContain('numeric_noise');
  });

  it('nulls filled with NaN and values: the NaN is reported apart, the fill values counted without it', async () => {
    const r = await runJson(['data', ...fx('fill-nan', 'parquet'), '--key', 'id']);
    assertValidReport(r.json);
    expect(find(r.json, 'null_vs_nan')).toMatchObject({ rowsAffected: 1, sampleKeys: [3] });
    const fill = r.json.findings.find((f: any) => f.cause === 'value_changed' && f.evidence.filledNulls !== undefined);
    expect(fill).toMatchObject({ rowsAffected: 3, columns: ['reading'] });
    expect(fill.evidence.distinctFillValues).toBe(2);
    expect(fill.message).toContain('3 rows null in research are filled with 2 different values');
  });

  it('a value that became ±infinity: maxAbsDiff is "Infinity" (JSON has no infinity), not null', async () => {
    const r = await runJson(['data', ...fx('infinite', 'parquet'), '--key', 'id']);
    assertValidReport(r.json);
    expect(r.json.stages[0].summary.columns.ratio.maxAbsDiff).toBe('Infinity');
    expect(find(r.json, 'value_changed')).toMatchObject({ rowsAffected: 2, sampleKeys: [4, 7] });
    expect(find(r.json, 'value_changed').evidence.maxAbsDiff).toBe('Infinity');
  });
});

describe('new categories in raw data', () => {
  it('a category research never had: new_category at the data stage, unseen_category in features', async () => {
    const d = await runJson(['data', ...fx('new-category'), '--key', 'order_id']);
    assertValidReport(d.json);
    const f = find(d.json, 'new_category');
    expect(f).toMatchObject({ stage: 'data', columns: ['region'], rowsAffected: 15 });
    expect(f.evidence.categories).toEqual([{ value: 'central', count: 15 }]);
    const keyless = await runJson(['data', ...fx('new-category')]);
    expect(find(keyless.json, 'new_category')).toMatchObject({ columns: ['region'], rowsAffected: 15 });
    const feat = await runJson(['features', ...fx('new-category'), '--key', 'order_id']);
    expect(find(feat.json, 'unseen_category')).toMatchObject({ columns: ['region'], rowsAffected: 15 });
  });
});

describe('tolerances reach everything', () => {
  it('values × (1 + 1e-9) under --rel-tol 1e-6: equal with a key, without one, and in features (drift verdict snapped)', async () => {
    const plain = await runJson(['features', ...fx('tolerance'), '--key', 'row']);
    expect(plain.json.findings.some((f: any) => f.cause === 'distribution_drift')).toBe(true);
    for (const cmd of ['data', 'features']) {
      for (const key of [['--key', 'row'], []]) {
        const r = await runJson([cmd, ...fx('tolerance'), ...key, '--rel-tol', '1e-6']);
        assertValidReport(r.json);
        expect(breaking(r.json)).toEqual([]);
        expect(r.code).toBe(0);
      }
    }
    const feat = await runJson(['features', ...fx('tolerance'), '--key', 'row', '--rel-tol', '1e-6']);
    expect(feat.json.stages[0].summary.columns.value.tests.drift).toMatchObject({ drifted: false, equalWithinTolerance: true });
    const keyless = await runJson(['data', ...fx('tolerance'), '--rel-tol', '1e-6']);
    // Without a key, one line says how the tolerance was applied.
    expect(keyless.json.findings.find((f: any) => f.severity === 'info' && f.evidence.withinTolerance === 900)).toBeDefined();
  });
});

describe('"different periods or populations" only when true', () => {
  it('the same rows with one column cast to float32, without a key: that column is named, not another population', async () => {
    const r = await runJson(['data', ...fx('keyless-one-column')]);
    assertValidReport(r.json);
    expect(causes(r.json)).not.toContain('no_common_rows');
    expect(r.json.stages[0].summary.mode).toBe('keyless');
    expect(r.json.findings.find((f: any) => f.cause === 'value_changed' && f.columns[0] === 'w')).toMatchObject({ rowsAffected: 300 });
  });

  it('two float columns cast to float32, without a key: the float columns together are named', async () => {
    const r = await runJson(['data', ...fx('keyless-two-floats')]);
    assertValidReport(r.json);
    expect(causes(r.json)).not.toContain('no_common_rows');
    expect(r.json.findings.find((f: any) => f.cause === 'value_changed' && f.columns.length === 2)).toMatchObject({ columns: ['w', 'v'], rowsAffected: 300 });
  });
});

describe('decimals are compared as decimals', () => {
  it('DECIMAL(38,18) amounts moved by 10^-18 (equal as doubles): value_changed on exactly those rows, keyed and keyless', async () => {
    const keyed = await runJson(['data', ...fx('decimal-digits', 'parquet'), '--key', 'id']);
    assertValidReport(keyed.json);
    expect(keyed.code).toBe(1);
    expect(find(keyed.json, 'value_changed')).toMatchObject({ columns: ['amount'], rowsAffected: 3 });
    expect(causes(keyed.json)).not.toContain('numeric_noise');
    const keyless = await runJson(['data', ...fx('decimal-digits', 'parquet')]);
    expect(keyless.code).toBe(1);
    expect(find(keyless.json, 'rows_missing').rowsAffected).toBe(3);
  });

  it('the same values at another precision and scale are equal', async () => {
    const r = await runJson(['data', ...fx('decimal-scale', 'parquet'), '--key', 'id']);
    expect(r.code).toBe(0);
    expect(r.json.verdict).toBe('equal');
  });
});
