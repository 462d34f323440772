import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { tableFromArrays, tableToIPC } from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { runCli, runJson } from '../helpers/cli.js';
import { assertValidReport } from '../helpers/schema.js';

/**
 * --by-position (#20, datacompy on_index): rows matched by their 1-based position in file order through a synthetic
 * key (row#). The pairs come from tests/fixtures/options/by-position/generate.py (pandas) and parquet.mjs (DuckDB).
 */
const DIR = 'tests/fixtures/options/by-position';
const R = `${DIR}/research.csv`;
const f = (name: string) => `${DIR}/${name}`;
const causes = (json: any) => json.findings.filter((x: any) => x.severity !== 'info').map((x: any) => x.cause);
const find = (json: any, cause: string, column?: string) => json.findings.find((x: any) => x.cause === cause && (column === undefined || x.columns.includes(column)));

describe('data --by-position', () => {
  it('the same rows in the same order are equal, and the summary names the synthetic key', async () => {
    const r = await runJson(['data', R, f('same.csv'), '--by-position']);
    expect(r.code).toBe(0);
    expect(r.json.verdict).toBe('equal');
    assertValidReport(r.json);
    expect(r.json.stages[0].summary.byPosition.key).toBe('row#');
  });

  it('one cell changed at row 7: value_changed with sample key 7, and --diff-rows writes that row', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'reprodiff-bypos-')), 'diff.csv');
    const r = await runJson(['data', R, f('changed.csv'), '--by-position', '--diff-rows', out]);
    expect(r.code).toBe(1);
    expect(causes(r.json)).toEqual(['value_changed']);
    const changed = find(r.json, 'value_changed', 'amount');
    expect(changed.sampleKeys).toEqual([7]);
    expect(changed.rowsAffected).toBe(1);
    const lines = readFileSync(out, 'utf8').trim().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toContain('"key.row#"');
    expect(lines[1]).toMatch(/^both,.*,7,.*12\.5,99\.25$/);
  });

  it('the same rows shuffled differ by position, while the keyless comparison finds them equal', async () => {
    const plain = await runJson(['data', R, f('shuffled.csv')]);
    expect(plain.json.verdict).toBe('equal');
    const r = await runJson(['data', R, f('shuffled.csv'), '--by-position']);
    expect(r.code).toBe(1);
    expect(r.json.verdict).toBe('different');
    expect(find(r.json, 'value_changed', 'name')).toBeDefined();
    expect(causes(r.json)).not.toContain('rows_missing');
    expect(causes(r.json)).not.toContain('rows_extra');
  });

  it('one row appended: rows_extra at position 13', async () => {
    const r = await runJson(['data', R, f('appended.csv'), '--by-position']);
    expect(r.code).toBe(1);
    expect(causes(r.json)).toEqual(['rows_extra']);
    expect(find(r.json, 'rows_extra').sampleKeys).toEqual([13]);
    // The other way round the extra position is missing in production.
    const back = await runJson(['data', f('appended.csv'), R, '--by-position']);
    expect(causes(back.json)).toEqual(['rows_missing']);
    expect(find(back.json, 'rows_missing').sampleKeys).toEqual([13]);
    // The terminal says the keys are row numbers.
    const term = await runCli(['data', R, f('appended.csv'), '--by-position']);
    expect(term.stdout).toContain('rows matched by position: keys are row numbers in file order (1-based, column row#)');
    expect(term.stdout).toContain('e.g. keys 13');
  });

  it('CSV against the Parquet of the same frame is equal; a shuffled Parquet is read in its file order', async () => {
    const r = await runJson(['data', R, f('research.parquet'), '--by-position']);
    expect(r.json.verdict).toBe('equal');
    const shuffled = await runJson(['data', f('research.parquet'), f('shuffled.parquet'), '--by-position']);
    expect(shuffled.json.verdict).toBe('different');
    const csvTwin = await runJson(['data', f('shuffled.csv'), f('shuffled.parquet'), '--by-position']);
    expect(csvTwin.json.verdict).toBe('equal');
  });

  it('features --by-position: the changed row 7', async () => {
    const r = await runJson(['features', R, f('changed.csv'), '--by-position']);
    expect(find(r.json, 'value_changed', 'amount').sampleKeys).toEqual([7]);
  });

  it('a column named row# leaves the synthetic key another name', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'reprodiff-bypos-'));
    writeFileSync(join(dir, 'a.csv'), 'row#,v\n1,a\n2,b\n');
    writeFileSync(join(dir, 'b.csv'), 'row#,v\n1,a\n2,c\n');
    const r = await runJson(['data', join(dir, 'a.csv'), join(dir, 'b.csv'), '--by-position']);
    expect(r.json.stages[0].summary.byPosition.key).toBe('row#2');
    expect(find(r.json, 'new_category', 'v').sampleKeys).toEqual([2]);
  });

  it('a folder of files is in file-name order, then row order; a DuckDB table and an Arrow file in insertion order', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'reprodiff-bypos-'));
    for (const side of ['a', 'b']) mkdirSync(join(dir, side));
    writeFileSync(join(dir, 'a', 'part-1.csv'), 'v\n1\n2\n');
    writeFileSync(join(dir, 'a', 'part-2.csv'), 'v\n3\n4\n');
    writeFileSync(join(dir, 'b', 'all.csv'), 'v\n1\n2\n3\n4\n');
    expect((await runJson(['data', join(dir, 'a'), join(dir, 'b', 'all.csv'), '--by-position'])).json.verdict).toBe('equal');
    // A DuckDB file's table keeps its insertion order too.
    const instance = await DuckDBInstance.create(join(dir, 'w.duckdb'));
    const db = await instance.connect();
    await db.run('CREATE TABLE t AS SELECT * FROM (VALUES (3), (1), (4), (2)) x(v)');
    db.closeSync();
    instance.closeSync();
    const r = await runJson(['data', `${join(dir, 'w.duckdb')}#t`, join(dir, 'b', 'all.csv'), '--by-position']);
    expect(r.json.verdict).toBe('different');
    expect(find(r.json, 'value_changed', 'v').sampleKeys).toEqual([1, 2, 3, 4]);
    // An Arrow IPC file: its batches' order.
    writeFileSync(join(dir, 'a.arrow'), tableToIPC(tableFromArrays({ v: Float64Array.from([3, 1, 4, 2]) }), 'file'));
    writeFileSync(join(dir, 'same.csv'), 'v\n3.0\n1.0\n4.0\n2.0\n');
    expect((await runJson(['data', join(dir, 'a.arrow'), join(dir, 'same.csv'), '--by-position'])).json.verdict).toBe('equal');
    expect((await runJson(['data', join(dir, 'a.arrow'), join(dir, 'b', 'all.csv'), '--by-position'])).json.verdict).toBe('different');
  });

  it('a PostgreSQL input is refused before it is opened: one line, exit 2, no password shown', async () => {
    const r = await runCli(['data', 'postgres://u:hunter2@127.0.0.1:1/db#SELECT * FROM t ORDER BY id', R, '--by-position']);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain('E_USAGE');
    expect(r.stderr).toContain('file order');
    expect(r.stderr).not.toContain('hunter2');
  });

  it('--key with --by-position is a one-line usage error (exit 2)', async () => {
    for (const command of ['data', 'features']) {
      const r = await runCli([command, R, f('same.csv'), '--by-position', '--key', 'name']);
      expect(r.code).toBe(2);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toContain('E_USAGE');
    }
  });
});

describe('--help', () => {
  it('data, features and check show the flag with an example', async () => {
    for (const command of ['data', 'features', 'check']) {
      const r = await runCli([command, '--help']);
      expect(r.stdout).toContain('--by-position');
      expect(r.stdout).toMatch(/--by-position\n|--by-position$/m);
    }
    expect((await runCli(['data', '--help'])).stdout).toContain('data a.csv b.parquet --by-position');
  });
});

describe('check --by-position', () => {
  it('reprodiff.yml byPosition: true (global)', async () => {
    const r = await runJson(['check', f('reprodiff.yml')]);
    expect(r.code).toBe(1);
    expect(find(r.json, 'value_changed', 'amount').sampleKeys).toEqual([7]);
  });

  it("a stage's own byPosition, and the same pair equal without it", async () => {
    expect((await runJson(['check', f('reprodiff-plain.yml')])).json.verdict).toBe('equal');
    const r = await runJson(['check', f('reprodiff-stage.yml')]);
    expect(r.json.verdict).toBe('different');
  });

  it('a global key is left to the other stages; a stage naming its own key and byPosition is refused in one line', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'reprodiff-bypos-'));
    for (const name of ['research.csv', 'shuffled.csv']) writeFileSync(join(dir, name), readFileSync(f(name)));
    writeFileSync(join(dir, 'global.yml'), 'version: 1\nkey: name\nbyPosition: true\nresearch: { data: research.csv }\nproduction: { data: shuffled.csv }\n');
    const r = await runJson(['check', join(dir, 'global.yml')]);
    expect(r.json.verdict).toBe('different');
    expect(find(r.json, 'value_changed', 'amount')).toBeDefined();
    writeFileSync(join(dir, 'stage.yml'), 'version: 1\nresearch: { data: research.csv }\nproduction: { data: shuffled.csv }\nstages:\n  data: { key: name, byPosition: true }\n');
    const bad = await runCli(['check', join(dir, 'stage.yml')]);
    expect(bad.code).toBe(2);
    expect(bad.stderr.trim().split('\n')).toHaveLength(1);
    expect(bad.stderr).toContain('byPosition');
  });

  it('check --by-position applies to the data stage; with --key it is a one-line usage error', async () => {
    const r = await runJson(['check', f('reprodiff-plain.yml'), '--by-position']);
    expect(r.json.verdict).toBe('different');
    expect(find(r.json, 'value_changed', 'name')).toBeDefined();
    const bad = await runCli(['check', f('reprodiff-plain.yml'), '--by-position', '--key', 'name']);
    expect(bad.code).toBe(2);
    expect(bad.stderr.trim().split('\n')).toHaveLength(1);
  });
});

describe('--by-position against a snapshot', () => {
  it('is refused in one line (a snapshot holds no rows, so no positions), by the command and by check', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'reprodiff-bypos-snap-'));
    const snap = join(dir, 'research.snapshot.json');
    const made = await runCli(['snapshot', `raw=${R}`, '-o', snap]);
    expect(made.code, made.stderr).toBe(0);
    const r = await runJson(['data', `${snap}#raw`, R, '--by-position']);
    expect(r.code).toBe(2);
    expect(r.json.error.code).toBe('E_USAGE');
    expect(r.json.error.message).toMatch(/snapshot/);
    const yml = join(dir, 'reprodiff.yml');
    writeFileSync(yml, `research:\n  data: ${snap}#raw\nproduction:\n  data: ${join(process.cwd(), R)}\nbyPosition: true\n`);
    const c = await runJson(['check', yml]);
    expect(c.code).toBe(2);
    expect(c.json.error.message).toMatch(/byPosition needs the research rows/);
  });
});
