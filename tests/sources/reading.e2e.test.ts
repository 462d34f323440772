import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { breaking, runCli, runJson } from '../helpers/cli.js';
import { assertValidReport } from '../helpers/schema.js';

const W = (f: string) => `tests/fixtures/writers/${f}`;
type F = { cause: string; severity: string; columns: string[]; rowsAffected: number | null; message: string; evidence: Record<string, unknown>; sampleKeys: unknown[] };
const of = (json: { findings: F[] }, cause: string) => json.findings.filter((f) => f.cause === cause);

const dir = mkdtempSync(join(tmpdir(), 'reprodiff-reading-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('reading: null spellings', () => {
  it('NA written for missing values is read as null, per column, and named as info', async () => {
    const r = await runJson(['data', W('base.csv'), W('na_NA.csv'), '--key', 'id']);
    assertValidReport(r.json);
    expect(r.code).toBe(0);
    const notes = of(r.json, 'null_spelling');
    // qty (Int64 with 9 missing), amount (7), score (5) are typed columns; name (6) is text with nulls on the other side.
    expect(Object.fromEntries(notes.map((f) => [f.columns[0], f.rowsAffected]))).toEqual({ qty: 9, amount: 7, score: 5, name: 6 });
    for (const f of notes) {
      expect(f.severity).toBe('info');
      expect(f.message).toContain('as NA');
      expect(f.evidence).toMatchObject({ side: 'production', spellings: ['NA'] });
    }
    expect(r.json.stages[0].summary.columns.qty.productionType).toBe('BIGINT');
    expect(r.json.stages[0].summary.schema.typeChanges).toEqual([]);
  });

  it('without a key the same rows are matched, none reported missing', async () => {
    const r = await runJson(['data', W('base.csv'), W('na_hashNA.csv')]);
    expect(r.code).toBe(0);
    expect(r.json.stages[0].summary.rows).toMatchObject({ common: 240, onlyResearch: 0, onlyProduction: 0 });
  });

  it('a text value that merely looks like a spelling stays a value when the other side has no null there', async () => {
    const a = join(dir, 'country_a.csv');
    const b = join(dir, 'country_b.csv');
    writeFileSync(a, 'id,country\n1,NA\n2,FR\n3,DE\n');
    writeFileSync(b, 'id,country\n1,NA\n2,FR\n3,\n');
    const r = await runJson(['data', a, b, '--key', 'id']);
    expect(r.code).toBe(1);
    expect(of(r.json, 'null_spelling')).toEqual([]);
    expect(breaking(r.json).map((f) => f.cause)).toContain('value_changed');
  });

  it('NaN spellings stay NaN unless declared: --null-values nan makes them missing', async () => {
    const undeclared = await runJson(['data', W('base.csv'), W('na_nan.csv'), '--key', 'id']);
    expect(undeclared.code).toBe(1);
    expect(of(undeclared.json, 'null_vs_nan').length).toBeGreaterThan(0);
    const declared = await runJson(['data', W('base.csv'), W('na_nan.csv'), '--key', 'id', '--null-values', 'nan']);
    expect(declared.code).toBe(0);
    expect(declared.json.stages[0].summary.columns.name).toMatchObject({ researchType: 'VARCHAR', productionType: 'VARCHAR' });
  });

  it('the config file declares null values for check (read.nullValues)', async () => {
    const cfg = join(dir, 'reprodiff.yml');
    writeFileSync(cfg, `research:\n  data: ${resolve(W('base.csv'))}\nproduction:\n  data: ${resolve(W('na_nan.csv'))}\nkey: id\nread:\n  nullValues: [nan]\n`);
    const r = await runJson(['check', cfg]);
    expect(r.json.stages.find((s: { stage: string }) => s.stage === 'data').status).toBe('equal');
    writeFileSync(cfg, `research:\n  data: ${resolve(W('base.csv'))}\nproduction:\n  data: ${resolve(W('na_nan.csv'))}\nkey: id\n`);
    const without = await runJson(['check', cfg]);
    expect(without.json.stages.find((s: { stage: string }) => s.stage === 'data').status).toBe('different');
  });
});

describe('reading: one type per column from both sides', () => {
  it('booleans 1/0 against True/False: encoding_change (info), compared as truth values', async () => {
    const r = await runJson(['data', W('base.csv'), W('bool_01.csv'), '--key', 'id']);
    expect(r.code).toBe(0);
    const [f] = of(r.json, 'encoding_change');
    expect(f).toMatchObject({ severity: 'info', columns: ['flag'], evidence: { side: 'production', encoding: '1/0' } });
  });

  it('a flipped boolean under another encoding is still a value change', async () => {
    const a = join(dir, 'flags_a.csv');
    const b = join(dir, 'flags_b.csv');
    writeFileSync(a, 'id,ok\n1,True\n2,False\n3,True\n');
    writeFileSync(b, 'id,ok\n1,1\n2,1\n3,1\n');
    const r = await runJson(['data', a, b, '--key', 'id']);
    expect(r.code).toBe(1);
    const changed = breaking(r.json) as unknown as F[];
    expect(changed.find((f) => f.columns[0] === 'ok')).toMatchObject({ cause: 'value_changed', rowsAffected: 1, sampleKeys: [2] });
  });

  it('epoch milliseconds against timestamps: the unit is named, the instants compared', async () => {
    const r = await runJson(['data', W('base.csv'), W('epoch_ms.csv'), '--key', 'id']);
    expect(r.code).toBe(0);
    expect(of(r.json, 'encoding_change')[0]).toMatchObject({ columns: ['ts'], evidence: { unit: 'milliseconds' } });
    const shifted = join(dir, 'epoch_shifted.csv');
    writeFileSync(shifted, 'id,ts\n1,1579342404025\n');
    const one = join(dir, 'ts_one.csv');
    writeFileSync(one, 'id,ts\n1,2020-01-18 10:13:24.024\n');
    const s = await runJson(['data', one, shifted, '--key', 'id']);
    expect(s.code).toBe(1);
  });

  it('yes/no text in NDJSON against a boolean CSV column: compared as booleans, the text side named', async () => {
    const a = join(dir, 'yn.csv');
    const b = join(dir, 'yn.ndjson');
    writeFileSync(a, 'id,active\n1,true\n2,false\n3,true\n');
    writeFileSync(b, '{"id":1,"active":"yes"}\n{"id":2,"active":"no"}\n{"id":3,"active":"yes"}\n');
    const r = await runJson(['data', a, b, '--key', 'id']);
    expect(r.code).toBe(0);
    expect(of(r.json, 'encoding_change')[0]).toMatchObject({ columns: ['active'], evidence: { encoding: 'no/yes' } });
  });

  it("yes/no on both sides stays the files' text: a changed row shows the written values", async () => {
    const a = join(dir, 'yn_a.csv');
    const b = join(dir, 'yn_b.ndjson');
    writeFileSync(a, 'id,active\n1,yes\n2,no\n3,yes\n');
    writeFileSync(b, '{"id":1,"active":"yes"}\n{"id":2,"active":"yes"}\n{"id":3,"active":"yes"}\n');
    const r = await runJson(['data', a, b, '--key', 'id']);
    expect(r.code).toBe(1);
    const f = (breaking(r.json) as unknown as F[]).find((x) => x.columns[0] === 'active')!;
    expect(JSON.stringify(f.evidence)).toContain('"no"');
    expect(JSON.stringify(f.evidence)).not.toContain('false');
  });

  it('a decimal comma: a hint without --decimal, equal with it', async () => {
    const hint = await runJson(['data', W('base.csv'), W('decimal_comma.csv'), '--key', 'id']);
    expect(hint.code).toBe(1);
    const notes = of(hint.json, 'encoding_change');
    expect(notes.map((f) => f.columns[0]).sort()).toEqual(['amount', 'score']);
    expect(notes[0]!.message).toContain('--decimal ,');
    const ok = await runJson(['data', W('base.csv'), W('decimal_comma.csv'), '--key', 'id', '--decimal', ',']);
    expect(ok.code).toBe(0);
  });

  it('ISO-8601 with T and fractional seconds equals the space form', async () => {
    const r = await runJson(['data', W('base.csv'), W('iso_t.csv'), '--key', 'id']);
    expect(r.code).toBe(0);
    expect(r.json.stages[0].summary.columns.ts.differingRows).toBe(0);
  });
});

describe('reading: integers wider than 64 bits stay exact', () => {
  it('keys and values are HUGEINT: no collapsed keys, a change in the 22nd digit is found', async () => {
    const same = await runJson(['data', W('wide_base.csv'), W('wide_shuffled.csv'), '--key', 'acct']);
    expect(same.code).toBe(0);
    expect(of(same.json, 'duplicate_keys')).toEqual([]);
    expect(same.json.stages[0].summary.columns.acct.researchType).toBe('HUGEINT');
    const r = await runJson(['data', W('wide_base.csv'), W('wide_changed.csv'), '--key', 'acct']);
    expect(r.code).toBe(1);
    const [f] = breaking(r.json) as unknown as F[];
    expect(f).toMatchObject({ cause: 'value_changed', columns: ['balance'], rowsAffected: 1 });
    expect(String(f!.sampleKeys[0])).toMatch(/^1000012345678901\d{6}$/);
  });
});

describe("reading: headers and names are the file's", () => {
  it('--header forces a header made of numbers; --key 0 then works', async () => {
    const sniffed = await runCli(['data', W('numhead_a.csv'), W('numhead_b.csv'), '--key', '0']);
    expect(sniffed.code).toBe(2);
    const r = await runJson(['data', W('numhead_a.csv'), W('numhead_b.csv'), '--key', '0', '--header']);
    expect(r.code).toBe(0);
    expect(Object.keys(r.json.stages[0].summary.columns).sort()).toEqual(['0', '1', '2']);
  });

  it('--no-header reads the first line as data', async () => {
    const r = await runJson(['data', W('numhead_a.csv'), W('numhead_b.csv'), '--no-header']);
    expect(r.json.stages[0].summary.rows.research).toBe(51);
  });

  it('names differing only in case keep their own names, and pair by them', async () => {
    const same = await runJson(['data', W('case_a.csv'), W('case_b.csv'), '--key', 'id']);
    expect(same.code).toBe(0);
    expect(Object.keys(same.json.stages[0].summary.columns)).toEqual(['id', 'emb_S', 'emb_s']);
    const a = join(dir, 'case_1.csv');
    const b = join(dir, 'case_2.csv');
    const c = join(dir, 'case_3.csv');
    writeFileSync(a, 'id,emb_S,emb_s\n1,0.5,0.25\n2,1.5,1.25\n');
    writeFileSync(b, 'id,emb_s,emb_S\n2,1.25,1.5\n1,0.25,0.75\n');
    writeFileSync(c, 'id,emb_s\n1,0.25\n2,1.25\n');
    const swapped = await runJson(['data', a, b, '--key', 'id']);
    expect((breaking(swapped.json) as unknown as F[]).map((f) => [f.columns, f.rowsAffected])).toEqual([[['emb_S'], 1]]);
    const one = await runJson(['data', a, c, '--key', 'id']);
    expect((breaking(one.json) as unknown as F[]).map((f) => [f.cause, f.columns])).toEqual([['column_missing', ['emb_S']]]);
    expect(JSON.stringify([swapped.json, one.json])).not.toMatch(/emb_s_1|emb_S_1/);
    // The file's names work in options too.
    const byKey = await runJson(['data', a, b, '--key', 'emb_s']);
    expect(byKey.json.stages[0].summary.key).toEqual(['emb_s']);
    expect((breaking(byKey.json) as unknown as F[]).map((f) => f.columns)).toEqual([['emb_S']]);
    const ignored = await runJson(['data', a, b, '--key', 'id', '--ignore', 'emb_S']);
    expect(ignored.code).toBe(0);
    expect(Object.keys(ignored.json.stages[0].summary.columns)).toEqual(['id', 'emb_s']);
  });

  it('an index written without a name is an unnamed index column: left out when it only numbers the rows', async () => {
    const r = await runJson(['data', W('base.csv'), W('index_unnamed.csv'), '--key', 'id']);
    expect(r.code).toBe(0);
    const [f] = of(r.json, 'column_extra');
    expect(f).toMatchObject({ severity: 'info', columns: ['(unnamed index)'] });
    expect(JSON.stringify(r.json)).not.toMatch(/column0/);
    const both = await runJson(['data', W('index_unnamed.csv'), W('index_unnamed.csv'), '--key', 'id']);
    expect(Object.keys(both.json.stages[0].summary.columns)).toContain('(unnamed index)');
  });
});
