import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli, runJson } from '../helpers/cli.js';
import { assertValidError, assertValidReport } from '../helpers/schema.js';
import { adminSql, pgServer, pgUrl } from './helpers.js';

const s = pgServer();
const dir = mkdtempSync(join(tmpdir(), 'rd-pg-inputs-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Every text a run produced: stdout, stderr and the report files. */
function outputs(r: { stdout: string; stderr: string }, files: readonly string[] = []): string {
  return [r.stdout, r.stderr, ...files.map((f) => readFileSync(f, 'utf8'))].join('\n');
}

function expectOneLineError(r: { code: number; stdout: string; stderr: string }, code: string, pattern: RegExp): void {
  expect(r.code, r.stderr).toBe(2);
  const lines = r.stderr.trim().split('\n');
  expect(lines, r.stderr).toHaveLength(1);
  expect(lines[0]).toMatch(new RegExp(`^reprodiff: ${code}: `));
  expect(lines[0]).toMatch(pattern);
  expect(r.stderr).not.toContain(s!.password);
  expect(r.stdout).not.toContain(s!.password);
}

describe.skipIf(!s)('PostgreSQL inputs, downloaded into the local engine (--pushdown never)', () => {
  it('finds the planted breaks between two tables, with the same causes as on files; no output holds the password', async () => {
    const files = ['r.json', 'r.md', 'r.xml', 'r.html'].map((f) => join(dir, f));
    const r = await runJson([
      'data',
      pgUrl(s!, 'sales_research'),
      pgUrl(s!, 'public.sales_production'),
      '--key',
      'id',
      '--pushdown',
      'never',
      '-o',
      files[0]!,
      '--markdown',
      files[1]!,
      '--junit',
      files[2]!,
      '--html',
      files[3]!,
      '--verbose',
    ]);
    expect(r.code).toBe(1);
    assertValidReport(r.json);
    const f = (cause: string, column?: string) => r.json.findings.find((x: any) => x.cause === cause && (!column || x.columns.includes(column)));
    expect(f('rows_missing').sampleKeys).toEqual([7, 8]);
    expect(f('rows_extra').sampleKeys).toEqual([1005]);
    expect(f('value_changed', 'amount').rowsAffected).toBe(3);
    expect(f('new_category', 'region').sampleKeys).toEqual([41]);
    expect(f('null_vs_nan', 'score').sampleKeys).toEqual([100]);
    expect(r.json.findings.filter((x: any) => x.severity !== 'info')).toHaveLength(5);
    expect(r.json.stages[0].summary.research.label).toBe(`postgres://${s!.user}@${s!.host}:${s!.port}/${s!.database}#sales_research`);
    expect(r.json.stages[0].summary.research.format).toBe('postgres');
    expect(outputs(r, files)).not.toContain(s!.password);
    // The terminal report too.
    const t = await runCli(['data', pgUrl(s!, 'sales_research'), pgUrl(s!, 'sales_production'), '--key', 'id', '--pushdown', 'never', '--verbose']);
    expect(t.code).toBe(1);
    expect(outputs(t)).not.toContain(s!.password);
  });

  it('types map so that a copy is equal: another schema, a quoted name, and a query', async () => {
    const a = await runJson(['data', pgUrl(s!, 'sales_research'), pgUrl(s!, 'audit."Sales Copy"'), '--key', 'id', '--pushdown', 'never']);
    expect(a.code, a.stderr).toBe(0);
    expect(a.json.verdict).toBe('equal');
    const types = Object.fromEntries(Object.entries(a.json.stages[0].summary.columns).map(([k, v]: [string, any]) => [k, v.researchType]));
    expect(types).toEqual({
      id: 'BIGINT',
      amount: 'DECIMAL(12,2)',
      score: 'DOUBLE',
      ratio: 'FLOAT',
      qty: 'INTEGER',
      tier: 'SMALLINT',
      region: 'VARCHAR',
      active: 'BOOLEAN',
      day: 'DATE',
      updated_at: 'TIMESTAMP WITH TIME ZONE',
      seen_at: 'TIMESTAMP',
    });
    const q = await runJson([
      'data',
      pgUrl(s!, 'SELECT id, amount, score FROM sales_research WHERE id <= 150'),
      pgUrl(s!, '(SELECT id, amount, score FROM "audit"."Sales Copy" WHERE id <= 150)'),
      '--key',
      'id',
    ]);
    expect(q.code, q.stderr).toBe(0);
    expect(q.json.stages[0].summary.rows.research).toBe(150);
  });

  it('reads PG* variables and the password file, as psql does', async () => {
    const noPw = pgUrl(s!, 'sales_research', { password: false });
    const env = await runJson(['data', noPw, noPw, '--key', 'id', '--no-stats'], { env: { PGPASSWORD: s!.password } });
    expect(env.code, env.stderr).toBe(0);
    const bare = `postgres:///${s!.database}#sales_research`;
    const vars = await runJson(['data', bare, bare, '--key', 'id', '--no-stats'], { env: { PGHOST: s!.host, PGPORT: String(s!.port), PGUSER: s!.user, PGPASSWORD: s!.password } });
    expect(vars.code, vars.stderr).toBe(0);
    const passfile = join(dir, 'pgpass');
    writeFileSync(passfile, `# comment\nother:1:*:*:nope\n${s!.host}:${s!.port}:*:${s!.user}:${s!.password}\n`, { mode: 0o600 });
    const file = await runJson(['data', noPw, noPw, '--key', 'id', '--no-stats'], { env: { PGPASSFILE: passfile, PGPASSWORD: '' } });
    expect(file.code, file.stderr).toBe(0);
    expect(outputs(env) + outputs(vars) + outputs(file)).not.toContain(s!.password);
  });

  it('bad input is one line and exit 2, never with the password', async () => {
    const good = pgUrl(s!, 'sales_research');
    const cases: [string[], string, RegExp][] = [
      [[pgUrl(s!, 'sales_research', { port: 1 }), good], 'E_DATABASE', /cannot reach the PostgreSQL server at 127\.0\.0\.1:1/],
      [[`postgres://${s!.user}:wrong-${s!.password}@${s!.host}:${s!.port}/${s!.database}#sales_research`, good], 'E_DATABASE', /authentication failed/],
      [[pgUrl(s!, 'no_such_table'), good], 'E_DATABASE', /no such table: relation "no_such_table" does not exist/],
      [[pgUrl(s!, 'SELECT nope FROM sales_research'), good], 'E_DATABASE', /no such column/],
      [[pgUrl(s!, 'SELECT id FROM sales_research WHERE'), good], 'E_DATABASE', /the query failed: syntax error/],
      [[pgUrl(s!, 'SELECT 1 AS id FROM pg_sleep(3)'), good, '--timeout', '1'], 'E_TIMEOUT', /timed out/],
      [[pgUrl(s!, 'odd_types'), good], 'E_DATABASE', /column 'tags' is integer\[\], a type reprodiff cannot compare/],
      [[pgUrl(s!, 'secret_table'), good], 'E_DATABASE', /permission denied/],
      [[pgUrl(s!, "SELECT nextval('tick') AS id"), good], 'E_DATABASE', /tries to write, and reprodiff only reads: cannot execute nextval\(\) in a read-only transaction/],
      [[`postgres://${s!.user}:${s!.password}@${s!.host}:${s!.port}/${s!.database}`, good], 'E_USAGE', /no table or query after '#'/],
    ];
    for (const [args, code, pattern] of cases) {
      const r = await runCli(['data', ...args, '--key', 'id', '--no-stats']);
      expectOneLineError(r, code, pattern);
      const j = await runJson(['data', ...args, '--key', 'id', '--no-stats']);
      assertValidError(j.json);
      expect(j.json.error.code).toBe(code);
      expect(j.stdout + j.stderr).not.toContain(s!.password);
    }
    // Nothing was written: nextval() above ran in a read-only transaction.
    expect((await adminSql(s!, 'SELECT is_called FROM tick')).rows[0].is_called).toBe(false);
  });

  it('features, splits and predictions read tables and queries through the download', async () => {
    const f = await runJson(['features', pgUrl(s!, 'sales_research'), pgUrl(s!, 'sales_production'), '--key', 'id']);
    expect(f.code, f.stderr).toBe(1);
    assertValidReport(f.json);
    expect(f.json.findings.find((x: any) => x.cause === 'new_category' && x.columns[0] === 'region').sampleKeys).toEqual([41]);
    const split = (m: number) => pgUrl(s!, `SELECT id, CASE WHEN id % 10 < ${m} THEN 'train' ELSE 'test' END AS split FROM sales_research`);
    const sp = await runJson(['splits', split(8), split(7), '--key', 'id']);
    expect(sp.code, sp.stderr).toBe(1);
    expect(sp.json.findings.find((x: any) => x.cause === 'split_membership').rowsAffected).toBe(30);
    const score = (changed: string) => pgUrl(s!, `SELECT id, CASE WHEN id = 9 THEN ${changed} ELSE (qty % 100) / 100.0::float8 END AS score FROM sales_research`);
    const p = await runJson(['predictions', score('0.27::float8'), score('0.5'), '--key', 'id', '--score-col', 'score']);
    expect(p.code, p.stderr).toBe(1);
    expect(p.json.findings.find((x: any) => x.cause === 'prediction_mismatch').sampleKeys).toEqual([9]);
    expect(outputs(f) + outputs(sp) + outputs(p)).not.toContain(s!.password);
  });

  it('check reads postgres:// artifacts and queries from reprodiff.yml; snapshot reads a table', async () => {
    const config = join(dir, 'reprodiff.yml');
    writeFileSync(
      config,
      ['version: 1', 'key: id', 'research:', `  data: "${pgUrl(s!, 'sales_research')}"`, 'production:', `  data: "${pgUrl(s!, 'SELECT * FROM sales_research WHERE id <> 3')}"`, ''].join('\n'),
    );
    const c = await runJson(['check', config]);
    expect(c.code, c.stderr).toBe(1);
    assertValidReport(c.json);
    expect(c.json.firstBrokenStage).toBe('data');
    expect(c.json.findings.find((f: any) => f.cause === 'rows_missing').sampleKeys).toEqual([3]);
    expect(c.stdout + c.stderr).not.toContain(s!.password);
    // --write-config saves the database inputs without their password (the file may be committed); the password
    // then comes from PGPASSWORD, as psql's would, and the saved config gives the same findings.
    const saved = join(dir, 'saved.yml');
    const w0 = await runCli(['check', config, '--write-config', saved]);
    expect(w0.code, w0.stderr).toBe(1);
    const text = readFileSync(saved, 'utf8');
    expect(text).not.toContain(s!.password);
    expect(text).toContain('#sales_research');
    const again = await runJson(['check', saved], { env: { PGPASSWORD: s!.password } });
    expect(again.code, again.stderr).toBe(1);
    expect(again.json.findings.find((f: any) => f.cause === 'rows_missing').sampleKeys).toEqual([3]);
    const snap = join(dir, 'pg.snapshot.json');
    const w = await runCli(['snapshot', `raw=${pgUrl(s!, 'sales_research')}`, '--key', 'id', '-o', snap]);
    expect(w.code, w.stderr).toBe(0);
    expect(readFileSync(snap, 'utf8')).not.toContain(s!.password);
    const back = await runJson(['data', `${snap}#raw`, pgUrl(s!, 'audit."Sales Copy"'), '--key', 'id']);
    expect(back.code, back.stderr).toBe(0);
    expect(back.stdout + back.stderr).not.toContain(s!.password);
  });
});
