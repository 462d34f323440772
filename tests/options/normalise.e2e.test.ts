import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, runCli, runJson } from '../helpers/cli.js';
import { assertValidReport } from '../helpers/schema.js';

/**
 * datacompy's comparison options (#20) through the built CLI, on pandas-written pairs
 * (tests/fixtures/options/generate.py; Parquet twins by parquet.mjs): --ignore-spaces, --ignore-case, column names differing only in case,
 * --null-keys match|drop; via the stage commands, `check` with reprodiff.yml, and `check` flags.
 */
const F = 'tests/fixtures/options';
const TEXT = [`${F}/text/research.csv`, `${F}/text/production.csv`];
const BOTH = ['--ignore-spaces', '--ignore-case'];
const causes = (json: any) => json.findings.map((f: any) => `${f.severity}:${f.cause}`).sort();
const find = (json: any, cause: string) => json.findings.filter((f: any) => f.cause === cause);

describe('--ignore-spaces and --ignore-case', () => {
  it('padded keys and padded or upper-cased text are differences without the flags (so the tests below can fail)', async () => {
    const r = await runJson(['data', ...TEXT, '--key', 'code']);
    expect(r.code).toBe(1);
    expect(causes(r.json)).toEqual(expect.arrayContaining(['error:rows_missing', 'error:rows_extra']));
    expect(find(r.json, 'rows_missing')[0].rowsAffected).toBe(3);
    expect(r.json.findings.some((f: any) => f.columns.includes('city') && f.severity === 'error')).toBe(true);
  });

  it('keyed: equal under both flags (exit 0), and the summary says which normalisation ran', async () => {
    const r = await runJson(['data', ...TEXT, '--key', 'code', ...BOTH]);
    expect(r.code).toBe(0);
    expect(r.json.verdict).toBe('equal');
    expect(r.json.findings).toEqual([]);
    expect(r.json.stages[0].summary.textNormalisation).toEqual({ ignoreSpaces: true, ignoreCase: true });
    expect(r.json.stages[0].summary.rows.matched).toBe(12);
    assertValidReport(r.json);
  });

  it('--ignore-spaces alone: keys match, the upper-cased cities still differ', async () => {
    const r = await runJson(['data', ...TEXT, '--key', 'code', '--ignore-spaces']);
    expect(r.code).toBe(1);
    expect(find(r.json, 'rows_missing')).toEqual([]);
    const city = r.json.findings.filter((f: any) => f.columns.includes('city') && f.severity === 'error');
    expect(city).toHaveLength(1);
    // PARIS-like values (3 rows) and ' OSLO' (1 row): 4 rows differ in case only.
    expect(city[0].rowsAffected).toBe(4);
  });

  it('--ignore-case alone: padded keys stay unmatched (keys are trimmed by --ignore-spaces only)', async () => {
    const r = await runJson(['data', ...TEXT, '--key', 'code', '--ignore-case']);
    expect(r.code).toBe(1);
    expect(find(r.json, 'rows_missing')[0].rowsAffected).toBe(3);
  });

  it('keys keep their case under --ignore-case: k001 vs K001 is named as a key format, not hidden', async () => {
    const r = await runJson(['data', TEXT[0]!, `${F}/text/production_keycase.csv`, '--key', 'code', ...BOTH]);
    expect(r.code).toBe(1);
    expect(find(r.json, 'rows_missing')[0].rowsAffected).toBe(2);
    expect(find(r.json, 'key_format')[0].evidence.normalisation).toBe('letter case');
  });

  it('a real edit is still found under both flags, and its sample shows the values as written', async () => {
    const r = await runJson(['data', TEXT[0]!, `${F}/text/production_changed.csv`, '--key', 'code', ...BOTH]);
    expect(r.code).toBe(1);
    const city = r.json.findings.filter((f: any) => f.columns.includes('city') && f.severity === 'error');
    expect(city).toHaveLength(1);
    expect(city[0].rowsAffected).toBe(1);
    expect(JSON.stringify(city[0])).toContain('Vienna');
  });

  it('keyless: equal under both flags, different without', async () => {
    expect((await runJson(['data', ...TEXT])).code).toBe(1);
    const r = await runJson(['data', ...TEXT, ...BOTH]);
    expect(r.code).toBe(0);
    expect(r.json.findings).toEqual([]);
  });

  it('features: the category tests count normalised values (no unseen or gone category under the flags)', async () => {
    const without = await runJson(['features', ...TEXT, '--key', 'code']);
    expect(without.code).toBe(1);
    expect(causes(without.json)).toEqual(expect.arrayContaining(['warning:unseen_category']));
    const r = await runJson(['features', ...TEXT, '--key', 'code', ...BOTH]);
    expect(r.code).toBe(0);
    expect(r.json.findings).toEqual([]);
  });
});

describe('column names that differ only in case', () => {
  it('Amount vs amount: one info column_name_case, and the values are compared (one changed row found)', async () => {
    const r = await runJson(['data', `${F}/colcase/research.csv`, `${F}/colcase/production.csv`, '--key', 'id']);
    expect(r.code).toBe(1);
    const named = find(r.json, 'column_name_case');
    expect(named).toHaveLength(1);
    expect(named[0]).toMatchObject({ severity: 'info', columns: ['Amount'], evidence: { researchName: 'Amount', productionName: 'amount' } });
    expect(find(r.json, 'column_missing')).toEqual([]);
    expect(find(r.json, 'column_extra')).toEqual([]);
    const changed = r.json.findings.filter((f: any) => f.columns.includes('Amount') && f.severity === 'error');
    expect(changed).toHaveLength(1);
    expect(changed[0].rowsAffected).toBe(1);
    expect(r.json.stages[0].summary.schema.nameCase).toEqual([{ research: 'Amount', production: 'amount' }]);
    assertValidReport(r.json);
  });

  it('--ignore Amount leaves the column out on both sides (production spells it amount)', async () => {
    const r = await runJson(['data', `${F}/colcase/research.csv`, `${F}/colcase/production.csv`, '--key', 'id', '--ignore', 'Amount']);
    expect(r.code).toBe(0);
    expect(causes(r.json)).toEqual(['info:not_compared']);
  });

  it('Score and SCORE on one side, score on the other: left apart, with one clear note', async () => {
    const r = await runJson(['data', `${F}/colcase/ambiguous_research.csv`, `${F}/colcase/ambiguous_production.csv`, '--key', 'id']);
    expect(r.code).toBe(1);
    const notes = find(r.json, 'column_name_case');
    expect(notes).toHaveLength(1);
    expect(notes[0].severity).toBe('info');
    expect(notes[0].evidence.ambiguous).toBe(true);
    expect(notes[0].message).toMatch(/not paired by case/);
    expect(
      find(r.json, 'column_missing')
        .map((f: any) => f.columns[0])
        .sort(),
    ).toEqual(['SCORE', 'Score']);
    expect(find(r.json, 'column_extra').map((f: any) => f.columns[0])).toEqual(['score']);
  });

  it('a and A on both sides pair by their exact names, never across', async () => {
    const r = await runJson(['data', `${F}/colcase/both_research.csv`, `${F}/colcase/both_production.csv`, '--key', 'id']);
    expect(r.code).toBe(0);
    expect(find(r.json, 'column_name_case')).toEqual([]);
    expect(Object.keys(r.json.stages[0].summary.columns).sort()).toEqual(['A', 'a', 'id']);
  });
});

describe('--null-keys', () => {
  const NK = [`${F}/nullkeys/research.csv`, `${F}/nullkeys/production.csv`, '--key', 'region,id'];

  it('match (the default): null key parts pair with each other; equal, with an info note per side', async () => {
    for (const args of [NK, [...NK, '--null-keys', 'match']]) {
      const r = await runJson(['data', ...args]);
      expect(r.code).toBe(0);
      expect(causes(r.json)).toEqual(['info:null_keys', 'info:null_keys']);
      expect(r.json.stages[0].summary.rows).toMatchObject({ matched: 8, nullKeysMatchedResearch: 3, nullKeysMatchedProduction: 3 });
      assertValidReport(r.json);
    }
  });

  it('drop: the null-key rows are left out and said so (warning, exit 1)', async () => {
    const r = await runJson(['data', ...NK, '--null-keys', 'drop']);
    expect(r.code).toBe(1);
    expect(causes(r.json)).toEqual(['warning:null_keys', 'warning:null_keys']);
    expect(find(r.json, 'null_keys')[0].rowsAffected).toBe(3);
    expect(r.json.stages[0].summary.rows.matched).toBe(5);
  });

  it('match never hides a change on a null-key row', async () => {
    const r = await runJson(['data', NK[0]!, `${F}/nullkeys/production_changed.csv`, '--key', 'region,id']);
    expect(r.code).toBe(1);
    const changed = r.json.findings.filter((f: any) => f.columns.includes('value') && f.severity === 'error');
    expect(changed).toHaveLength(1);
    expect(changed[0].rowsAffected).toBe(1);
  });
});

describe('Parquet against CSV (research written by DuckDB, production by pandas)', () => {
  it("text, column case and null keys give the CSV pair's answers", async () => {
    const text = await runJson(['data', `${F}/text/research.parquet`, TEXT[1]!, '--key', 'code', ...BOTH]);
    expect(text.code).toBe(0);
    expect((await runJson(['data', `${F}/text/research.parquet`, TEXT[1]!, '--key', 'code'])).code).toBe(1);
    const named = await runJson(['data', `${F}/colcase/research.parquet`, `${F}/colcase/production.csv`, '--key', 'id']);
    expect(causes(named.json)).toEqual(['error:value_changed', 'info:column_name_case']);
    const nulls = await runJson(['data', `${F}/nullkeys/research.parquet`, `${F}/nullkeys/production.csv`, '--key', 'region,id']);
    expect(nulls.code).toBe(0);
    expect(causes(nulls.json)).toEqual(['info:null_keys', 'info:null_keys']);
  });
});

describe('the same through check', () => {
  const dir = mkdtempSync(join(tmpdir(), 'reprodiff-normalise-'));
  const config = (name: string, extra: string) => {
    const path = join(dir, name);
    writeFileSync(path, `key: code\n${extra}research:\n  data: ${resolve(ROOT, TEXT[0]!)}\nproduction:\n  data: ${resolve(ROOT, TEXT[1]!)}\n`);
    return path;
  };

  it('reprodiff.yml without the settings: different', async () => {
    const r = await runJson(['check', config('plain.yml', '')]);
    expect(r.code).toBe(1);
  });

  it('reprodiff.yml, global settings: equal', async () => {
    const r = await runJson(['check', config('global.yml', 'ignoreSpaces: true\nignoreCase: true\n')]);
    expect(r.code).toBe(0);
    expect(r.json.verdict).toBe('equal');
  });

  it("reprodiff.yml, the data stage's own settings: equal", async () => {
    const r = await runJson(['check', config('stage.yml', 'stages:\n  data:\n    ignoreSpaces: true\n    ignoreCase: true\n')]);
    expect(r.code).toBe(0);
  });

  it('check flags over a plain reprodiff.yml: equal', async () => {
    const r = await runJson(['check', config('flags.yml', ''), ...BOTH]);
    expect(r.code).toBe(0);
    expect(r.json.verdict).toBe('equal');
  });

  it('nullKeys: drop in reprodiff.yml and --null-keys drop on check give the warning', async () => {
    const nk = (extra: string) => {
      const path = join(dir, `nk${extra.length}.yml`);
      writeFileSync(path, `key: [region, id]\n${extra}research:\n  data: ${resolve(ROOT, F, 'nullkeys/research.csv')}\nproduction:\n  data: ${resolve(ROOT, F, 'nullkeys/production.csv')}\n`);
      return path;
    };
    const matched = await runJson(['check', nk('')]);
    expect(matched.code).toBe(0);
    const dropped = await runJson(['check', nk('nullKeys: drop\n')]);
    expect(dropped.code).toBe(1);
    expect(find(dropped.json, 'null_keys')[0].severity).toBe('warning');
    const flagged = await runJson(['check', nk(''), '--null-keys', 'drop']);
    expect(flagged.code).toBe(1);
  });

  it('a setting outside the schema is refused with exit 2', async () => {
    const r = await runCli(['check', config('bad.yml', 'nullKeys: sometimes\n')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/nullKeys/);
  });
});
