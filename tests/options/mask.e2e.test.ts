import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, runCli, runJson } from '../helpers/cli.js';
import { assertValidReport } from '../helpers/schema.js';

/**
 * --mask COL (#20, datacompy hide_sensitive_columns): the fixture (make_fixtures.py) plants the text PLANTEDSECRET
 * in every email and in one changed city, and salaries ending in 777.77; no output format may show them, while keys
 * and counts still appear.
 */
const R = 'tests/fixtures/data/mask/research.csv';
const P = 'tests/fixtures/data/mask/production.csv';
const MASK = ['--mask', 'email', '--mask', 'salary', '--mask', 'city'];
const leaks = (text: string) => /PLANTEDSECRET|777\.7|777\.8|7777/i.test(text);
const find = (json: any, cause: string, column?: string) => json.findings.find((f: any) => f.cause === cause && (column === undefined || f.columns.includes(column)));

async function everyFormat(args: string[]): Promise<{ json: any; texts: Record<string, string> }> {
  const dir = mkdtempSync(join(tmpdir(), 'reprodiff-mask-'));
  const files = { json: join(dir, 'r.json'), md: join(dir, 'r.md'), html: join(dir, 'r.html'), xml: join(dir, 'r.xml') };
  const term = await runCli([...args, '-v', '--output', files.json, '--markdown', files.md, '--html', files.html, '--junit', files.xml]);
  const stdout = await runJson(args);
  expect(term.code).toBe(1);
  expect(stdout.code).toBe(1);
  const texts: Record<string, string> = { terminal: term.stdout + term.stderr, stdout: stdout.stdout };
  for (const [k, f] of Object.entries(files)) texts[k] = readFileSync(f, 'utf8');
  return { json: stdout.json, texts };
}

describe('--mask', () => {
  it('the planted values are in the reports without --mask (so the check below can fail)', async () => {
    const { texts } = await everyFormat(['data', R, P, '--key', 'customer_id']);
    for (const [format, text] of Object.entries(texts)) expect(leaks(text), format).toBe(true);
  });

  it('keyed: no masked value in terminal, JSON, Markdown, HTML or JUnit; keys, counts and causes stay', async () => {
    const { json, texts } = await everyFormat(['data', R, P, '--key', 'customer_id', ...MASK]);
    for (const [format, text] of Object.entries(texts)) expect(leaks(text), format).toBe(false);
    assertValidReport(json);
    expect(json.verdict).toBe('different');
    expect(find(json, 'value_changed', 'email')).toMatchObject({ rowsAffected: 1, sampleKeys: [1003] });
    expect(find(json, 'value_changed', 'salary')).toMatchObject({ rowsAffected: 12 });
    expect(find(json, 'new_category', 'city')).toMatchObject({ rowsAffected: 1, sampleKeys: [1030] });
    expect(find(json, 'new_category', 'city').evidence.newValues).toEqual(['[masked]']);
    expect(find(json, 'value_changed', 'email').evidence.samples[0]).toEqual({ key: 1003, research: '[masked]', production: '[masked]' });
    expect(find(json, 'rows_missing')).toMatchObject({ rowsAffected: 1 });
    expect(find(json, 'rows_extra')).toMatchObject({ rowsAffected: 1 });
    expect(json.stages[0].summary.columns.salary.research.count).toBe(80);
    expect(json.stages[0].summary.columns.salary.research.max).toBe('[masked]');
  });

  it('keyless: sample rows and distribution findings are masked too', async () => {
    const { json, texts } = await everyFormat(['data', R, P, ...MASK]);
    for (const [format, text] of Object.entries(texts)) expect(leaks(text), format).toBe(false);
    assertValidReport(json);
    expect(json.findings.length).toBeGreaterThan(0);
  });

  it('a --mask column on neither side is refused (a typo would show the real values)', async () => {
    const r = await runJson(['data', R, P, '--key', 'customer_id', '--mask', 'e_mail']);
    expect(r.code).toBe(2);
    expect(r.json.error.code).toBe('E_COLUMN_UNKNOWN');
    expect(r.stdout).not.toMatch(/PLANTEDSECRET/);
  });

  it('check: mask: in reprodiff.yml', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'reprodiff-mask-check-'));
    const config = join(dir, 'reprodiff.yml');
    writeFileSync(config, `research:\n  data: ${join(ROOT, R)}\nproduction:\n  data: ${join(ROOT, P)}\nkey: customer_id\nmask: [email, salary, city]\n`);
    const r = await runJson(['check', config]);
    expect(r.code).toBe(1);
    expect(leaks(r.stdout)).toBe(false);
    assertValidReport(r.json);
    expect(find(r.json, 'value_changed', 'email')).toMatchObject({ rowsAffected: 1, sampleKeys: [1003] });
    const unmasked = await runJson(['check', writePlain(dir)]);
    expect(leaks(unmasked.stdout)).toBe(true);
  });
});

function writePlain(dir: string): string {
  const file = join(dir, 'plain.yml');
  writeFileSync(file, `research:\n  data: ${join(ROOT, R)}\nproduction:\n  data: ${join(ROOT, P)}\nkey: customer_id\n`);
  return file;
}
