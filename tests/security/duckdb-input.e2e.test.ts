/**
 * `db.duckdb#table` inputs on real database files: a clean one, one whose last writes are still in its
 * write-ahead log (the writer exited without a checkpoint), and a read-only one. Inputs are never modified.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, runJson } from '../helpers/cli.js';
import { assertValidReport } from '../helpers/schema.js';
import { tempDir } from './helpers.js';

const dir = tempDir('duckdb');

/** Writes a database with DuckDB itself; with `wal`, the last insert stays in db.wal (the process exits before a checkpoint). */
function makeDatabase(file: string, rows: number, wal: boolean): void {
  const script = `
    import { DuckDBInstance } from '@duckdb/node-api';
    const inst = await DuckDBInstance.create(${JSON.stringify(file)});
    const c = await inst.connect();
    await c.run('CREATE TABLE sales AS SELECT range AS id, range * 0.5 AS amount FROM range(${rows})');
    if (${wal}) {
      await c.run('CHECKPOINT');
      await c.run("SET wal_autocheckpoint = '1GB'");
      await c.run('UPDATE sales SET amount = -1 WHERE id = 3');
      process.exit(0);
    }
    c.closeSync();
    inst.closeSync();`;
  execFileSync(process.execPath, ['--input-type=module', '-e', script], { cwd: ROOT });
}

describe('db.duckdb#table inputs', () => {
  const clean = join(dir, 'clean.duckdb');
  const withWal = join(dir, 'wal.duckdb');
  const readOnly = join(dir, 'readonly.duckdb');
  makeDatabase(clean, 50, false);
  makeDatabase(withWal, 50, true);
  makeDatabase(readOnly, 50, false);
  chmodSync(readOnly, 0o444);

  it('reads a database file and compares equal to itself', async () => {
    const r = await runJson(['data', `${clean}#sales`, `${readOnly}#sales`, '--key', 'id']);
    expect(r.code, r.stderr).toBe(0);
    assertValidReport(r.json);
  });

  it('reads the rows still in the write-ahead log, and leaves the log as it was', async () => {
    expect(existsSync(`${withWal}.wal`)).toBe(true);
    const before = readFileSync(`${withWal}.wal`);
    const mtime = statSync(withWal).mtimeMs;
    const r = await runJson(['data', `${clean}#sales`, `${withWal}#sales`, '--key', 'id']);
    expect(r.code, r.stderr).toBe(1);
    const changed = r.json.findings.find((f: { cause: string }) => f.cause === 'value_changed');
    expect(changed.columns).toEqual(['amount']);
    expect(changed.rowsAffected).toBe(1);
    expect(readFileSync(`${withWal}.wal`).equals(before)).toBe(true);
    expect(statSync(withWal).mtimeMs).toBe(mtime);
  });
});
