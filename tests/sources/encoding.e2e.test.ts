/**
 * CSV files in another encoding (pandas `to_csv(encoding='latin-1')`, as Excel on Western Windows writes):
 * without `--encoding` one line says the file is not UTF-8 and how to read it; with it, the same table in
 * Latin-1 and in UTF-8 is equal, and a changed value is still found. Fixtures: tests/fixtures/encoding/make_fixtures.py.
 */
import { describe, expect, it } from 'vitest';
import { runJson } from '../helpers/cli.js';
import { assertValidReport } from '../helpers/schema.js';

const fx = (name: string) => `tests/fixtures/encoding/${name}.csv`;

describe('--encoding', () => {
  it('a Latin-1 file without --encoding: one line naming the encoding and the flag, exit 2', async () => {
    const r = await runJson(['data', fx('latin1'), fx('utf8'), '--key', 'id']);
    expect(r.code).toBe(2);
    expect(r.json.error.code).toBe('E_FORMAT');
    expect(r.json.error.message).toMatch(/latin1\.csv: is not UTF-8 text/);
    expect(r.json.error.message).toMatch(/--encoding latin-1/);
  });

  it('with --encoding latin-1 both Latin-1 files are read as written: equal, and an edited value is found', async () => {
    const same = await runJson(['data', fx('latin1'), fx('latin1'), '--key', 'id', '--encoding', 'latin-1']);
    expect(same.code).toBe(0);
    assertValidReport(same.json);
    const edited = await runJson(['data', fx('latin1'), fx('latin1-edited'), '--key', 'id', '--encoding', 'latin-1', '--sample', '1']);
    expect(edited.code).toBe(1);
    const f = edited.json.findings.find((x: any) => x.columns[0] === 'city' && x.severity !== 'info');
    expect(f.rowsAffected).toBe(1);
    expect(f.evidence.samples[0]).toMatchObject({ key: 3, research: 'Besançon', production: 'Besancon' });
  });

  it('reprodiff.yml read.encoding is validated', async () => {
    const { mkdtempSync, writeFileSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { tmpdir } = await import('node:os');
    const dir = mkdtempSync(join(tmpdir(), 'reprodiff-enc-'));
    writeFileSync(join(dir, 'reprodiff.yml'), 'research:\n  data: a.csv\nproduction:\n  data: b.csv\nread:\n  encoding: cp1252\n');
    const r = await runJson(['check', join(dir, 'reprodiff.yml')]);
    expect(r.code).toBe(2);
    expect(r.json.error.code).toBe('E_CONFIG');
  });
});
