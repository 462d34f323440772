import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, runCli } from '../helpers/cli.js';

const work = mkdtempSync(join(tmpdir(), 'reprodiff-limits-'));
const spill = join(work, 'spill');
const big = join(work, 'big.parquet');
afterAll(() => rmSync(work, { recursive: true, force: true }));

beforeAll(async () => {
  const db = await DuckDBInstance.create(':memory:');
  const con = await db.connect();
  await con.run(`COPY (SELECT i AS id, hash(i) % 1000 AS a, hash(i, 1) / 7.0 AS b, 'v' || (hash(i, 2) % 5000) AS s FROM range(3000000) t(i)) TO '${big}' (FORMAT parquet)`);
  con.closeSync();
  db.closeSync();
  mkdirSync(spill);
}, 120_000);

describe('limits: memory, interruption', () => {
  it('a memory limit too small for the work: E_MEMORY with a hint, exit 2, spill folder removed', async () => {
    const r = await runCli(['data', big, big, '--key', 'id', '--memory-limit', '8MB', '--temp-dir', spill]);
    expect(r.code).toBe(2);
    const lines = r.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^reprodiff: E_MEMORY: out of memory.*--memory-limit/);
    expect(readdirSync(spill)).toEqual([]);
  });

  it('a bad --memory-limit is a usage error', async () => {
    const r = await runCli(['data', big, big, '--memory-limit', 'lots']);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('Ctrl-C: exit 130, one line, temporary files removed, nothing in the working folder', async () => {
    const child = spawn(process.execPath, [join(ROOT, 'bin/run.js'), 'data', big, big, '--key', 'id', '--temp-dir', spill], {
      cwd: work,
      env: { ...process.env, NO_COLOR: '1', NODE_ENV: 'production' },
    });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += String(d)));
    // Interrupt once the engine has made its spill folder.
    const started = Date.now();
    while (readdirSync(spill).length === 0 && Date.now() - started < 20_000) await new Promise((r) => setTimeout(r, 50));
    child.kill('SIGINT');
    const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
    expect(code).toBe(130);
    expect(stderr.trim().split('\n')).toHaveLength(1);
    expect(stderr).toMatch(/E_INTERRUPTED/);
    expect(readdirSync(spill)).toEqual([]);
    expect(readdirSync(work).sort()).toEqual(['big.parquet', 'spill']);
  }, 60_000);
});
