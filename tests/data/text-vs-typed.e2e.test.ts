import { describe, expect, it } from 'vitest';
import { assertValidReport } from '../helpers/schema.js';
import { runJson } from '../helpers/cli.js';

/**
 * Text on one side, DATE/TIMESTAMP/DOUBLE on the other (#20). Fixtures: the pandas CSV of make_fixtures.py (dates and
 * numbers quoted as text), and Parquet written by DuckDB's COPY (make_parquet.mjs): real types in production.parquet,
 * the same text as VARCHAR in research.parquet (a CSV reader types text that all parses, so the text side of the
 * "every value reads" cases is a text Parquet, as pandas writes object columns).
 */
const F = 'tests/fixtures/data/text-vs-typed';
const pair = (c: string, ext = 'parquet') => [`${F}/${c}/research.${ext}`, `${F}/${c}/production.parquet`];
const all = (json: any, cause: string) => json.findings.filter((f: any) => f.cause === cause);
const one = (json: any, cause: string, column: string) => json.findings.find((f: any) => f.cause === cause && f.columns.includes(column));
const KEYED = [['--key', 'id'], []] as const;

describe('text that reads as the other side type: compared in that type', () => {
  for (const key of KEYED) {
    const how = key.length ? 'keyed' : 'keyless';
    it(`equal values (${how}): only type_change errors, no value_changed`, async () => {
      const r = await runJson(['data', ...pair('equal'), ...key]);
      assertValidReport(r.json);
      expect(r.code).toBe(1);
      expect(all(r.json, 'value_changed')).toEqual([]);
      expect(all(r.json, 'rows_missing')).toEqual([]);
      expect(all(r.json, 'rows_extra')).toEqual([]);
      for (const [column, type, comparedAs] of [
        ['day', 'DATE', 'TIMESTAMP'],
        ['at', 'TIMESTAMP', 'TIMESTAMP'],
        ['amount', 'DOUBLE', 'DOUBLE'],
      ]) {
        const t = one(r.json, 'type_change', column);
        expect(t).toMatchObject({ severity: 'error', columns: [column] });
        expect(t.evidence).toMatchObject({ researchType: 'VARCHAR', productionType: type, comparedAs, textSide: 'research', textValues: 30, unparsed: 0 });
        expect(t.message).toContain(`every research text value reads as ${type}`);
      }
    });

    it(`one date a month later (${how}): type_change and value_changed on that row only`, async () => {
      const r = await runJson(['data', ...pair('one-changed'), ...key]);
      assertValidReport(r.json);
      expect(r.code).toBe(1);
      expect(one(r.json, 'type_change', 'day')).toMatchObject({ severity: 'error', evidence: { comparedAs: 'TIMESTAMP', unparsed: 0 } });
      expect(all(r.json, 'value_changed').map((f: any) => f.columns)).toEqual([['day']]);
      const v = one(r.json, 'value_changed', 'day');
      expect(v.rowsAffected).toBe(1);
      if (key.length) expect(v.evidence.samples.map((s: any) => s.key)).toEqual(['7']);
      else expect(v.evidence).toMatchObject({ pairedRows: 1 });
    });
  }

  it('a key stored as text on one side and as an integer on the other still joins as text (key_format untouched)', async () => {
    const r = await runJson(['data', ...pair('equal'), '--key', 'id']);
    expect(one(r.json, 'type_change', 'id').evidence).toEqual({ researchType: 'VARCHAR', productionType: 'BIGINT', comparedAs: 'VARCHAR' });
    expect(r.json.stages[0].summary.rows.matched).toBe(30);
  });
});

describe('text that does not all read: compared as text, as before, with the count in the evidence', () => {
  for (const key of KEYED) {
    const how = key.length ? 'keyed' : 'keyless';
    it(`unparseable dates and numbers in a pandas CSV (${how})`, async () => {
      const r = await runJson(['data', ...pair('unparsed', 'csv'), ...key]);
      assertValidReport(r.json);
      expect(r.code).toBe(1);
      expect(one(r.json, 'type_change', 'day')).toMatchObject({
        severity: 'error',
        evidence: { researchType: 'VARCHAR', productionType: 'DATE', comparedAs: 'VARCHAR', textSide: 'research', textValues: 30, unparsed: 2 },
      });
      expect(one(r.json, 'type_change', 'day').message).toContain('2 of 30 research text values do not read as DATE');
      expect(one(r.json, 'type_change', 'amount').evidence).toMatchObject({ comparedAs: 'VARCHAR', unparsed: 1 });
      // Text comparison: "2024-01-07 00:00:00" is not the text "2024-01-07", so half the days differ, as before #20.
      expect(one(r.json, 'value_changed', 'day').rowsAffected).toBe(16);
      expect(one(r.json, 'value_changed', 'amount').rowsAffected).toBe(1);
    });
  }

  it('offsets: text with one reads as TIMESTAMPTZ, never as a naive TIMESTAMP; text without one never as TIMESTAMPTZ', async () => {
    const r = await runJson(['data', ...pair('zones'), '--key', 'id']);
    assertValidReport(r.json);
    expect(one(r.json, 'type_change', 'aware').evidence).toMatchObject({ comparedAs: 'TIMESTAMP WITH TIME ZONE', unparsed: 0 });
    expect(one(r.json, 'value_changed', 'aware')).toBeUndefined();
    // DuckDB's cast to TIMESTAMP would drop "+02:00" and call these equal: they stay text, all different.
    expect(one(r.json, 'type_change', 'wall').evidence).toMatchObject({ productionType: 'TIMESTAMP', comparedAs: 'VARCHAR', unparsed: 30 });
    expect(one(r.json, 'value_changed', 'wall').rowsAffected).toBe(30);
    expect(one(r.json, 'type_change', 'naive').evidence).toMatchObject({ comparedAs: 'VARCHAR', unparsed: 30 });
  });

  it('numbers written with leading zeros are codes: compared as text, the count in the evidence', async () => {
    const r = await runJson(['data', ...pair('leading-zeros'), '--key', 'id']);
    assertValidReport(r.json);
    expect(one(r.json, 'type_change', 'code')).toMatchObject({ severity: 'error', evidence: { comparedAs: 'VARCHAR', unparsed: 0, leadingZeros: 6 } });
    expect(one(r.json, 'value_changed', 'code').rowsAffected).toBe(6);
  });

  it('the same quoted text in a CSV that all reads is typed by the reader: no type_change at all', async () => {
    const r = await runJson(['data', ...pair('equal', 'csv'), '--key', 'id']);
    assertValidReport(r.json);
    expect(all(r.json, 'type_change')).toEqual([]);
    expect(all(r.json, 'value_changed')).toEqual([]);
  });
});
