import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import type { DuckDBConnection } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, runJson } from '../helpers/cli.js';

/**
 * --diff-rows FILE (#20): every differing row of the keyed comparison, written by DuckDB. The pair (made here with
 * DuckDB COPY, 6 rows a side) has three changed rows (ids 2, 3, 4), a row missing in production (5) and an extra
 * one (7); its value columns include hostile names: `side` and `key.id` (the file's own column names) and one with
 * quotes, a comma, a semicolon and SQL.
 */
const HOSTILE = `x"y,z'; DROP TABLE t; --`;
const work = mkdtempSync(join(tmpdir(), 'reprodiff-diffrows-'));
const R = join(work, 'research.parquet');
const P = join(work, 'production.parquet');
let db: DuckDBConnection;

const q = (name: string) => `"${name.replaceAll('"', '""')}"`;
const s = (text: string) => `'${text.replaceAll("'", "''")}'`;

async function rows(sql: string): Promise<Record<string, unknown>[]> {
  // Integer columns are compared (and written) as BIGINT: numbers here, so the expectations read plainly.
  const plain = (v: unknown): unknown => (typeof v === 'bigint' ? Number(v) : Array.isArray(v) ? v.map(plain) : v);
  return (await db.runAndReadAll(sql)).getRowObjectsJS().map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, plain(v)])));
}

/** The written file as rows of plain JSON values, in the file's order. */
async function readBack(file: string): Promise<Record<string, unknown>[]> {
  if (file.endsWith('.parquet')) return rows(`SELECT * FROM read_parquet(${s(file)})`);
  if (file.endsWith('.csv')) return rows(`SELECT * FROM read_csv(${s(file)}, header = true, all_varchar = true)`);
  return rows(`SELECT * FROM read_json(${s(file)}, format = 'newline_delimited')`);
}

beforeAll(async () => {
  db = await (await DuckDBInstance.create(':memory:')).connect();
  const table = (values: string) => `SELECT * REPLACE (CAST(amount AS DOUBLE) AS amount) FROM (VALUES ${values}) t(id, name, amount, email, ${q('side')}, ${q('key.id')}, ${q(HOSTILE)})`;
  await db.run(
    `COPY (${table(`
    (1, 'ann', 1.5, 'ann@secret.example', 'L', 10, 'p'),
    (2, 'bob', 2.5, 'bob@secret.example', 'L', 20, 'q'),
    (3, 'cy', 3.5, 'cy@secret.example', 'R', 30, 'r'),
    (4, 'di', 4.5, 'di@secret.example', 'R', 40, 's'),
    (5, 'ed', 5.5, 'ed@secret.example', 'L', 50, 't'),
    (6, 'fay', 6.5, 'fay@secret.example', 'R', 60, 'u')`)}) TO ${s(R)} (FORMAT parquet)`,
  );
  await db.run(
    `COPY (${table(`
    (6, 'fay', 6.5, 'fay@secret.example', 'R', 60, 'u'),
    (1, 'ann', 1.5, 'ann@secret.example', 'L', 10, 'p'),
    (2, 'BOB', 2.5, 'bob@secret.example', 'L', 20, 'q'),
    (3, 'cy', 3.75, 'cy@secret.example', 'R', 30, 'r'),
    (4, 'di', 4.5, 'di2@secret.example', 'L', 40, 's2'),
    (7, 'gus', 7.5, 'gus@secret.example', 'R', 70, 'v')`)}) TO ${s(P)} (FORMAT parquet)`,
  );
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** What every format must hold, as text: side, differing columns, key, then research/production per value column. */
const EXPECTED = [
  { side: 'both', differing: ['name'], id: 2, cells: { name: ['bob', 'BOB'] } },
  { side: 'both', differing: ['amount'], id: 3, cells: { amount: [3.5, 3.75] } },
  { side: 'both', differing: ['email', 'side', HOSTILE], id: 4, cells: { email: ['di@secret.example', 'di2@secret.example'], side: ['R', 'L'], [HOSTILE]: ['s', 's2'] } },
  {
    side: 'research_only',
    differing: [],
    id: 5,
    cells: { name: ['ed', null], amount: [5.5, null], email: ['ed@secret.example', null], side: ['L', null], 'key.id': [50, null], [HOSTILE]: ['t', null] },
  },
  {
    side: 'production_only',
    differing: [],
    id: 7,
    cells: { name: [null, 'gus'], amount: [null, 7.5], email: [null, 'gus@secret.example'], side: [null, 'R'], 'key.id': [null, 70], [HOSTILE]: [null, 'v'] },
  },
] as const;
const VALUE_COLUMNS = ['name', 'amount', 'email', 'side', 'key.id', HOSTILE];
const HEADER = ['side', 'differing_columns', 'key.id', ...VALUE_COLUMNS.flatMap((c) => [`research.${c}`, `production.${c}`])];

/** The expected rows in the file's shape; `text` for CSV (every cell read back as text). */
function expectedRows(options: { text?: boolean; masked?: readonly string[] } = {}): Record<string, unknown>[] {
  const cell = (v: unknown) => (v === null ? null : options.text ? String(v) : v);
  return EXPECTED.map((e) => {
    const row: Record<string, unknown> = { side: e.side, differing_columns: options.text ? JSON.stringify(e.differing) : [...e.differing], 'key.id': cell(e.id) };
    for (const c of VALUE_COLUMNS) {
      const [a, b] = (e.cells as Record<string, readonly unknown[]>)[c] ?? [null, null];
      const masked = options.masked?.includes(c);
      row[`research.${c}`] = masked && a !== null ? '[masked]' : cell(a);
      row[`production.${c}`] = masked && b !== null ? '[masked]' : cell(b);
    }
    return row;
  });
}

describe('--diff-rows', () => {
  it.each([
    ['parquet', {}],
    ['csv', { text: true }],
    ['ndjson', {}],
  ] as const)('data --key id --diff-rows out.%s: exactly the differing rows and values, exit 1', async (ext, shape) => {
    const out = join(work, `out-${ext}.${ext}`);
    const r = await runCli(['data', R, P, '--key', 'id', '--diff-rows', out]);
    expect(r.code).toBe(1);
    const back = await readBack(out);
    expect(Object.keys(back[0]!)).toEqual(HEADER);
    expect(back).toEqual(expectedRows(shape));
    // Nothing but the file is left in its folder (the temporary name is renamed away).
    expect(readdirSync(work).filter((f) => f.includes('.reprodiff-'))).toEqual([]);
  });

  it('the JSON report is the same with and without the flag', async () => {
    const plain = await runJson(['data', R, P, '--key', 'id']);
    const withFile = await runJson(['data', R, P, '--key', 'id', '--diff-rows', join(work, 'same.parquet')]);
    expect(withFile.code).toBe(plain.code);
    expect(withFile.stdout).toBe(plain.stdout);
  });

  it('a composite key with duplicated keys: the unpaired copies, in a stable order; the same bytes on a second run', async () => {
    const a = join(work, 'dup-research.csv');
    const b = join(work, 'dup-production.csv');
    await db.run(`COPY (SELECT * FROM (VALUES (1, 'x', 1.0), (1, 'x', 2.0), (1, 'y', 3.0), (2, 'x', 4.0)) t(a, b, v)) TO ${s(a)} (FORMAT csv)`);
    await db.run(`COPY (SELECT * FROM (VALUES (1, 'x', 1.0), (1, 'x', 2.5), (1, 'y', 3.0), (2, 'x', 4.0), (2, 'x', 4.0)) t(a, b, v)) TO ${s(b)} (FORMAT csv)`);
    const out = [join(work, 'dup-1.csv'), join(work, 'dup-2.csv')];
    for (const o of out) expect((await runCli(['data', a, b, '--key', 'a,b', '--diff-rows', o])).code).toBe(1);
    expect(readFileSync(out[0]!, 'utf8')).toBe('side,differing_columns,key.a,key.b,research.v,production.v\nboth,"[""v""]",1,x,2.0,2.5\nproduction_only,[],2,x,,4.0\n');
    expect(readFileSync(out[1]!).equals(readFileSync(out[0]!))).toBe(true);
  });

  it('features writes the same rows', async () => {
    const out = join(work, 'features.ndjson');
    const r = await runCli(['features', R, P, '--key', 'id', '--diff-rows', out]);
    expect(r.code).toBe(1);
    expect(await readBack(out)).toEqual(expectedRows());
  });

  it("--mask: a masked column's cells are [masked] where a value would be; the secrets are not in the file", async () => {
    const out = join(work, 'masked.csv');
    const r = await runCli(['data', R, P, '--key', 'id', '--diff-rows', out, '--mask', 'email', '--mask', HOSTILE]);
    expect(r.code).toBe(1);
    expect(await readBack(out)).toEqual(expectedRows({ text: true, masked: ['email', HOSTILE] }));
    expect(readFileSync(out, 'utf8')).not.toMatch(/secret\.example/);
  });

  it('refuses to overwrite an input: exit 2, one line, the input untouched', async () => {
    const before = readFileSync(R);
    const r = await runCli(['data', R, P, '--key', 'id', '--diff-rows', R]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/^reprodiff: E_USAGE: --diff-rows .* would overwrite the input/);
    expect(readFileSync(R).equals(before)).toBe(true);
  });

  it('refuses the same file as another output, another extension, a missing folder and a keyless comparison, in one line', async () => {
    const same = join(work, 'both.parquet');
    for (const args of [
      ['--key', 'id', '--diff-rows', same, '--output', same],
      ['--key', 'id', '--diff-rows', join(work, 'out.txt')],
      ['--key', 'id', '--diff-rows', join(work, 'no', 'such', 'out.parquet')],
      ['--diff-rows', join(work, 'keyless.parquet')],
    ]) {
      const r = await runCli(['data', R, P, ...args]);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr.trim().split('\n'), args.join(' ')).toHaveLength(1);
      expect(r.stderr).toMatch(/^reprodiff: E_USAGE: /);
    }
    expect(readdirSync(work).filter((f) => /both|out\.txt|keyless/.test(f))).toEqual([]);
  });

  it('--help shows the flag and an example', async () => {
    const r = await runCli(['data', '--help']);
    expect(r.stdout).toMatch(/--diff-rows=<value>/);
    expect(r.stdout).toMatch(/--diff-rows differences\.parquet/);
  });
});

describe('check --diff-rows-dir', () => {
  it('writes data.parquet and features.parquet, one per keyed table stage', async () => {
    const research = join(work, 'check-research');
    const production = join(work, 'check-production');
    mkdirSync(research);
    mkdirSync(production);
    await db.run(`COPY (SELECT * FROM read_parquet(${s(R)})) TO ${s(join(research, 'raw_data.parquet'))} (FORMAT parquet)`);
    await db.run(`COPY (SELECT * FROM read_parquet(${s(P)})) TO ${s(join(production, 'raw_data.parquet'))} (FORMAT parquet)`);
    await db.run(`COPY (SELECT CAST(range AS INTEGER) AS id, CAST(range * 0.5 AS DOUBLE) AS score_feature FROM range(1, 9)) TO ${s(join(research, 'features.parquet'))} (FORMAT parquet)`);
    await db.run(
      `COPY (SELECT CAST(range AS INTEGER) AS id, CAST(CASE WHEN range = 8 THEN 99.0 ELSE range * 0.5 END AS DOUBLE) AS score_feature FROM range(1, 9)) TO ${s(join(production, 'features.parquet'))} (FORMAT parquet)`,
    );
    const dir = join(work, 'diffs');
    const r = await runJson(['check', research, production, '--key', 'id', '--diff-rows-dir', dir]);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe((await runJson(['check', research, production, '--key', 'id'])).stdout);
    expect(readdirSync(dir).sort()).toEqual(['data.parquet', 'features.parquet']);
    expect(await readBack(join(dir, 'data.parquet'))).toEqual(expectedRows());
    expect(await readBack(join(dir, 'features.parquet'))).toEqual([{ side: 'both', differing_columns: ['score_feature'], 'key.id': 8, 'research.score_feature': 4, 'production.score_feature': 99 }]);
  });

  it('refuses a folder whose stage file is an input (exit 2, one line)', async () => {
    const research = join(work, 'check-research');
    const r = await runCli(['check', research, join(work, 'check-production'), '--key', 'id', '--diff-rows-dir', research]);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/^reprodiff: E_USAGE: --diff-rows-dir .* would overwrite the input/);
  });
});
