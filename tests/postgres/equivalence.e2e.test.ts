/**
 * Equivalence across engines: the same random pair with planted breaks, loaded into PostgreSQL and written
 * as Parquet (by DuckDB), gives the same verdict, counts, causes, columns, rows and samples whether it is
 * compared inside PostgreSQL (pushdown), downloaded from it, or read from the Parquet files. Types that
 * differ between engines are in every pair: numeric/decimal, double with NaN and null, real, timestamptz,
 * date, text (with quotes and non-ASCII), boolean.
 */
import { DuckDBInstance } from '@duckdb/node-api';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runJson } from '../helpers/cli.js';
import { assertValidReport } from '../helpers/schema.js';
import { canonicalSql, duckdbHash, postgresHash } from '../../src/sources/postgres/bisect-sql.js';
import { adminSql, pgServer, pgUrl } from './helpers.js';
import { rng } from '../helpers/rng.js';

const s = pgServer();
const dir = mkdtempSync(join(tmpdir(), 'rd-pg-eq-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const COLUMNS = [
  ['id', 'bigint', 'BIGINT'],
  ['amount', 'numeric(12,2)', 'DECIMAL(12,2)'],
  ['score', 'double precision', 'DOUBLE'],
  ['ratio', 'real', 'FLOAT'],
  ['seen', 'timestamptz', 'TIMESTAMPTZ'],
  ['day', 'date', 'DATE'],
  ['label', 'text', 'VARCHAR'],
  ['flag', 'boolean', 'BOOLEAN'],
] as const;

type Row = (string | null)[];

/** A research table and a production copy with breaks chosen by the seed, every value as its text. */
function makePair(seed: number): { a: Row[]; b: Row[]; planted: string[] } {
  const r = rng(seed);
  const n = 120 + Math.floor(r() * 80);
  const labels = ['north', 'south', "it's", 'Zürich', 'east "x"', ''];
  const a: Row[] = [];
  for (let i = 1; i <= n; i++) {
    const u = r();
    a.push([
      String(i * 3),
      (Math.round(r() * 100000) / 100).toFixed(2),
      u < 0.05 ? 'NaN' : u < 0.1 ? null : String(r() * 1000 - 500),
      String(Math.fround(Math.round(r() * 64) / 8)),
      `${new Date(Date.UTC(2024, 0, 1) + Math.floor(r() * 1e10)).toISOString().replace('Z', '') + String(Math.floor(r() * 1000)).padStart(3, '0')}+00`,
      new Date(Date.UTC(2023, 0, 1) + Math.floor(r() * 400) * 86400000).toISOString().slice(0, 10),
      r() < 0.08 ? null : labels[Math.floor(r() * labels.length)]!,
      r() < 0.05 ? null : r() < 0.5 ? 'true' : 'false',
    ]);
  }
  const b = a.map((row) => [...row]);
  const planted: string[] = [];
  const pick = () => b[Math.floor(r() * b.length)]!;
  const breaks = ['missing', 'extra', 'amount', 'score_round', 'score_f32', 'nan_null', 'fill', 'tz', 'label', 'flag', 'day', 'none', 'rescale'];
  for (const brk of breaks.filter(() => r() < 0.45)) {
    planted.push(brk);
    if (brk === 'missing') b.splice(Math.floor(r() * b.length), 1 + Math.floor(r() * 3));
    if (brk === 'extra') b.push([String(100000 + seed), '1.00', '2', '0.5', '2024-05-01 00:00:00+00', '2024-05-01', 'x', 'true']);
    if (brk === 'amount')
      for (let k = 0; k < 3; k++) {
        const x = pick();
        x[1] = (Number(x[1]) + 0.01 * (1 + k)).toFixed(2);
      }
    if (brk === 'score_round') for (const x of b) if (x[2] && x[2] !== 'NaN' && r() < 0.3) x[2] = String(Math.round(Number(x[2]) * 1000) / 1000);
    if (brk === 'score_f32') for (const x of b) if (x[2] && x[2] !== 'NaN' && r() < 0.2) x[2] = String(Math.fround(Number(x[2])));
    if (brk === 'nan_null') for (const x of b) if (x[2] === 'NaN') x[2] = null;
    if (brk === 'fill') for (const x of b) if (x[2] === null) x[2] = '0';
    if (brk === 'tz') for (const x of b) x[4] = new Date(Date.parse(`${x[4]!.slice(0, 23)}Z`) + 3600000).toISOString().slice(0, 23).replace('T', ' ') + x[4]!.slice(23);
    if (brk === 'label') for (let k = 0; k < 2; k++) pick()[6] = 'changed';
    if (brk === 'flag')
      for (let k = 0; k < 2; k++) {
        const x = pick();
        x[7] = x[7] === 'true' ? 'false' : 'true';
      }
    if (brk === 'day') pick()[5] = '2030-01-01';
    // Every amount through one scale and offset (a unit change): more than half of the matched rows move.
    if (brk === 'rescale') for (const x of b) x[1] = (Number(x[1]) * 2 + 1).toFixed(2);
  }
  return { a, b, planted };
}

type Columns = readonly (readonly [string, string, string])[];

async function loadPostgres(table: string, rows: readonly Row[], columns: Columns = COLUMNS, primaryKey = false): Promise<void> {
  await adminSql(s!, `DROP TABLE IF EXISTS ${table}`);
  await adminSql(s!, `CREATE TABLE ${table} (${columns.map(([n, t]) => `${n} ${t}`).join(', ')}${primaryKey ? `, PRIMARY KEY (${columns[0]![0]})` : ''})`);
  for (let i = 0; i < rows.length; i += 100) {
    const chunk = rows.slice(i, i + 100);
    const params = chunk.flat();
    const tuples = chunk.map((_r, j) => `(${columns.map(([, t], k) => `$${j * columns.length + k + 1}::${t}`).join(', ')})`);
    await adminSql(s!, `INSERT INTO ${table} VALUES ${tuples.join(', ')}`, params);
  }
}

async function writeParquet(file: string, rows: readonly Row[], columns: Columns = COLUMNS): Promise<void> {
  const db = await DuckDBInstance.create(':memory:');
  const c = await db.connect();
  await c.run("SET TimeZone = 'UTC'");
  await c.run(`CREATE TABLE t (${columns.map(([n, , t]) => `${n} ${t}`).join(', ')})`);
  const lit = (v: string | null) => (v === null ? 'NULL' : `'${v.replaceAll("'", "''")}'`);
  await c.run(`INSERT INTO t VALUES ${rows.map((r) => `(${r.map((v, k) => `CAST(${lit(v)} AS ${columns[k]![2]})`).join(', ')})`).join(', ')}`);
  await c.run(`COPY t TO '${file}' (FORMAT parquet)`);
  c.closeSync();
  db.closeSync();
}

/** What must agree across the ways: verdict, counts, causes, columns, rows, samples and messages. */
function essence(json: any) {
  const stage = json.stages[0];
  return {
    verdict: json.verdict,
    rows: stage.summary.rows,
    columns: stage.summary.columns,
    schema: stage.summary.schema,
    findings: json.findings,
  };
}

/** Causes seen over all seeds: the pairs must exercise the cause recognition, not only row counts. */
const seen = new Set<string>();
let bisected = 0;
let pushedDown = 0;

describe.skipIf(!s)('the same pair in PostgreSQL and in Parquet gives the same report through every way', () => {
  for (const seed of [1, 2, 3, 4, 5, 6]) {
    it(`seed ${seed}`, async () => {
      const { a, b, planted } = makePair(seed);
      const [ta, tb] = [`eq${seed}_research`, `eq${seed}_production`];
      await loadPostgres(ta, a);
      await loadPostgres(tb, b);
      const [pa, pb] = [join(dir, `${ta}.parquet`), join(dir, `${tb}.parquet`)];
      await writeParquet(pa, a);
      await writeParquet(pb, b);
      const common = ['--key', 'id', '--sample', '3'];
      const files = await runJson(['data', pa, pb, ...common, '--no-stats']);
      const pushdown = await runJson(['data', pgUrl(s!, ta), pgUrl(s!, tb), ...common, '--no-stats']);
      const download = await runJson(['data', pgUrl(s!, ta), pgUrl(s!, tb), ...common, '--no-stats', '--pushdown', 'never']);
      for (const r of [files, pushdown, download]) {
        expect(r.code, `${planted.join(',')}: ${r.stderr} ${JSON.stringify(r.json?.error)}`).toBe(files.code);
        assertValidReport(r.json);
      }
      if (planted.some((p) => ['missing', 'extra', 'amount', 'label', 'flag', 'day', 'tz', 'rescale'].includes(p))) expect(files.code).toBe(1);
      // The pushdown fetches the rows that differ and compares them locally; keys unmatched on both sides (key
      // format, unseeded samples) are compared after a download, and the summary says why.
      const bothSides = planted.includes('missing') && planted.includes('extra');
      const engine = pushdown.json.stages[0].summary.engine;
      expect(engine.mode, planted.join(',')).toBe(bothSides ? 'download' : 'pushdown');
      if (engine.mode === 'download') expect(engine.reason).toMatch(/keys unmatched on both sides/);
      else {
        // Both sides of every unmatched or differing row, and nothing else.
        const rows = pushdown.json.stages[0].summary.rows;
        expect(engine.rowsTransferred, planted.join(',')).toBe(rows.onlyResearch + rows.onlyProduction + 2 * rows.changed);
        pushedDown++;
      }
      expect(essence(pushdown.json), planted.join(',')).toEqual(essence(files.json));
      for (const f of files.json.findings) seen.add(f.cause);
      expect(essence(download.json), planted.join(',')).toEqual(essence(files.json));
      // Across engines (checksum bisection, forced: auto downloads tables this small): PostgreSQL on one side,
      // the other side's Parquet file on the other.
      // Bisection compares the differing segments locally; keys unmatched on both sides (key format, unseeded
      // samples) are refused under --pushdown always, and compared after a download under auto.
      const bisectable = !bothSides;
      for (const [x, y] of [
        [pgUrl(s!, ta), pb],
        [pa, pgUrl(s!, tb)],
      ]) {
        const cross = await runJson(['data', x!, y!, ...common, '--no-stats', '--pushdown', 'always']);
        if (!bisectable) {
          expect(cross.code, planted.join(',')).toBe(2);
          expect(cross.json.error.message).toMatch(/keys unmatched on both sides/);
          continue;
        }
        expect(cross.code, cross.stderr).toBe(files.code);
        expect(cross.json.stages[0].summary.engine.mode).toBe('bisection');
        expect(essence(cross.json), `${planted.join(',')} ${JSON.stringify(cross.json.stages[0].summary.engine)}`).toEqual(essence(files.json));
        bisected++;
      }
      // With statistics, the database side is downloaded (said so in the summary) and equals the files too.
      const stats = await runJson(['data', pgUrl(s!, ta), pgUrl(s!, tb), ...common]);
      const statsFiles = await runJson(['data', pa, pb, ...common]);
      expect(stats.json.stages[0].summary.engine).toMatchObject({ mode: 'download' });
      expect(essence(stats.json), planted.join(',')).toEqual(essence(statsFiles.json));
      expect(stats.code).toBe(statsFiles.code);
    });
  }

  it('the seeds exercised the causes that depend on how each engine computes, and the bisection ran', () => {
    expect(bisected).toBeGreaterThanOrEqual(4);
    expect(pushedDown).toBeGreaterThanOrEqual(4);
    expect([...seen].sort()).toEqual(expect.arrayContaining(['float32_cast', 'null_vs_nan', 'precision_loss', 'rows_extra', 'rows_missing', 'timezone_shift', 'value_changed']));
  });

  it('pushdown transfers only the differing rows, and --pushdown always refuses what it cannot push down', async () => {
    // Rows lost in production, values equal: the three research rows come back, nothing else.
    await adminSql(s!, 'DROP TABLE IF EXISTS sales_lost; CREATE TABLE sales_lost AS SELECT * FROM sales_research WHERE id NOT IN (7, 8, 9); ALTER TABLE sales_lost ADD PRIMARY KEY (id)');
    const lost = await runJson(['data', pgUrl(s!, 'sales_research'), pgUrl(s!, 'sales_lost'), '--key', 'id', '--no-stats', '--sample', '2']);
    expect(lost.code).toBe(1);
    expect(lost.json.stages[0].summary.engine).toEqual({ mode: 'pushdown', database: 'PostgreSQL', rowsTransferred: 3 });
    expect(lost.json.findings.find((f: any) => f.cause === 'rows_missing')).toMatchObject({ rowsAffected: 3, sampleKeys: [7, 8] });
    const same = await runJson(['data', pgUrl(s!, 'sales_research'), pgUrl(s!, 'SELECT * FROM sales_research'), '--key', 'id', '--no-stats']);
    expect(same.code).toBe(0);
    expect(same.json.stages[0].summary.engine).toEqual({ mode: 'pushdown', database: 'PostgreSQL', rowsTransferred: 0 });
    // A changed value: both sides of that row come back and the local diff names it.
    await adminSql(s!, 'DROP TABLE IF EXISTS sales_edited; CREATE TABLE sales_edited AS SELECT * FROM sales_research; UPDATE sales_edited SET qty = qty + 1 WHERE id = 5');
    const r = await runJson(['data', pgUrl(s!, 'sales_research'), pgUrl(s!, 'sales_edited'), '--key', 'id', '--no-stats', '--sample', '2']);
    expect(r.json.stages[0].summary.engine).toEqual({ mode: 'pushdown', database: 'PostgreSQL', rowsTransferred: 2 });
    expect(r.json.findings.find((f: any) => f.cause === 'value_changed')).toMatchObject({ columns: ['qty'], sampleKeys: [5] });
    const always = await runJson(['data', pgUrl(s!, 'sales_research'), pgUrl(s!, 'sales_production'), '--key', 'id', '--pushdown', 'always']);
    expect(always.code).toBe(2);
    expect(always.json.error).toMatchObject({ code: 'E_USAGE' });
    expect(always.json.error.message).toMatch(/column statistics run locally/);
  });

  it('planted causes give the same findings through pushdown, bisection, download and Parquet', async () => {
    // Changed doubles, null vs NaN, a rescaled column (every row moved), numeric, timestamptz, boolean, and in a
    // second production a text column with a category research never had.
    const cols: Columns = [
      ['id', 'bigint', 'BIGINT'],
      ['amount', 'numeric(12,2)', 'DECIMAL(12,2)'],
      ['price', 'double precision', 'DOUBLE'],
      ['scaled', 'double precision', 'DOUBLE'],
      ['seen', 'timestamptz', 'TIMESTAMPTZ'],
      ['label', 'text', 'VARCHAR'],
      ['flag', 'boolean', 'BOOLEAN'],
    ];
    const r = rng(21);
    const labels = ['north', 'south', 'east'];
    const a: Row[] = [];
    for (let i = 1; i <= 400; i++) {
      const u = r();
      a.push([
        String(i),
        (Math.round(r() * 100000) / 100).toFixed(2),
        u < 0.04 ? 'NaN' : u < 0.08 ? null : String(r() * 100),
        String(r() * 50 - 10),
        new Date(Date.UTC(2024, 0, 1) + Math.floor(r() * 1e10)).toISOString().replace('Z', '+00'),
        labels[Math.floor(r() * labels.length)]!,
        r() < 0.5 ? 'true' : 'false',
      ]);
    }
    const values = a.map((x) => [...x]);
    for (const i of [3, 50, 51, 200]) values[i]![2] = values[i]![2] === null || values[i]![2] === 'NaN' ? '1.5' : String(Number(values[i]![2]) + 0.5);
    for (const x of values) if (x[2] === 'NaN') x[2] = null;
    for (const x of values) x[3] = String(Number(x[3]) * 2.54);
    for (const i of [7, 70]) values[i]![1] = (Number(values[i]![1]) + 0.01).toFixed(2);
    for (const i of [9, 90, 190]) values[i]![6] = values[i]![6] === 'true' ? 'false' : 'true';
    for (const i of [11, 111]) values[i]![4] = new Date(Date.parse(values[i]![4]!.replace('+00', 'Z')) + 86_400_000).toISOString().replace('Z', '+00');
    const category = a.map((x) => [...x]);
    for (const i of [5, 55, 255]) category[i]![5] = 'west';
    await loadPostgres('planted_research', a, cols, true);
    await loadPostgres('planted_values', values, cols, true);
    await loadPostgres('planted_category', category, cols, true);
    const file = (t: string) => join(dir, `${t}.parquet`);
    for (const [t, rows] of [
      ['planted_research', a],
      ['planted_values', values],
      ['planted_category', category],
    ] as const)
      await writeParquet(file(t), rows, cols);
    const common = ['--key', 'id', '--sample', '3', '--no-stats'];
    for (const production of ['planted_values', 'planted_category']) {
      const files = await runJson(['data', file('planted_research'), file(production), ...common]);
      expect(files.code).toBe(1);
      const pushdown = await runJson(['data', pgUrl(s!, 'planted_research'), pgUrl(s!, production), ...common]);
      const download = await runJson(['data', pgUrl(s!, 'planted_research'), pgUrl(s!, production), ...common, '--pushdown', 'never']);
      // Across engines, bisection forced (auto downloads tables this small), the database on either side.
      const bisectA = await runJson(['data', pgUrl(s!, 'planted_research'), file(production), ...common, '--pushdown', 'always']);
      const bisectB = await runJson(['data', file('planted_research'), pgUrl(s!, production), ...common, '--pushdown', 'always']);
      for (const [way, x] of Object.entries({ pushdown, download, bisectA, bisectB })) {
        expect(x.code, `${production} ${way}: ${x.stderr}`).toBe(1);
        expect(essence(x.json), `${production} ${way}`).toEqual(essence(files.json));
      }
      for (const x of [bisectA, bisectB]) expect(x.json.stages[0].summary.engine).toMatchObject({ mode: 'bisection' });
      const causes = files.json.findings.map((f: any) => `${f.cause}:${f.columns.join(',')}`);
      if (production === 'planted_values') {
        expect(causes).toEqual(expect.arrayContaining(['rescaled:scaled', 'null_vs_nan:price', 'value_changed:price', 'value_changed:amount', 'value_changed:flag', 'timezone_shift:seen']));
        expect(pushdown.json.stages[0].summary.engine).toEqual({ mode: 'pushdown', database: 'PostgreSQL', rowsTransferred: 800 });
      } else {
        expect(causes).toEqual(['new_category:label']);
        // research's label values come from one grouped query on the server; the three changed rows, both sides.
        expect(pushdown.json.stages[0].summary.engine).toEqual({ mode: 'pushdown', database: 'PostgreSQL', rowsTransferred: 6 });
      }
    }
  });

  it('values lowered to one number below larger ones: no way calls it a clipping; the partial ways compare locally', async () => {
    // Whether the differing rows are a clipping needs every row (column-wide.ts): the pushdown and the bisection,
    // which hold only the differing rows, compare locally and say why; forced, they refuse in one line.
    const cols: Columns = [
      ['id', 'bigint', 'BIGINT'],
      ['price', 'double precision', 'DOUBLE'],
    ];
    const r = rng(33);
    const a: Row[] = [];
    for (let i = 1; i <= 600; i++) a.push([String(i), (Math.round(r() * 10000) / 100).toFixed(2)]);
    const byPrice = a.map((x, i) => [Number(x[1]), i] as const).sort((x, y) => y[0] - x[0]);
    const lowered = a.map((x) => [...x]);
    for (const [, i] of byPrice.slice(4, 7)) lowered[i]![1] = a[byPrice[9]![1]]![1]!;
    const clipped = a.map((x) => [x[0]!, String(Math.min(Number(x[1]), byPrice[9]![0]))]);
    const file = (t: string) => join(dir, `${t}.parquet`);
    for (const [t, rows] of [
      ['clip_research', a],
      ['clip_lowered', lowered],
      ['clip_real', clipped],
    ] as const) {
      await loadPostgres(t, rows, cols, true);
      await writeParquet(file(t), rows, cols);
    }
    const common = ['--key', 'id', '--sample', '3', '--no-stats'];
    for (const [production, message] of [
      ['clip_lowered', /3 rows have different values/],
      ['clip_real', /capped at/],
    ] as const) {
      const files = await runJson(['data', file('clip_research'), file(production), ...common]);
      expect(files.json.findings.map((f: any) => f.message).join('\n')).toMatch(message);
      const ways = {
        pushdown: await runJson(['data', pgUrl(s!, 'clip_research'), pgUrl(s!, production), ...common]),
        download: await runJson(['data', pgUrl(s!, 'clip_research'), pgUrl(s!, production), ...common, '--pushdown', 'never']),
      };
      for (const [way, x] of Object.entries(ways)) expect(essence(x.json), `${production} ${way}`).toEqual(essence(files.json));
      expect(ways.pushdown.json.stages[0].summary.engine).toMatchObject({ mode: 'download', reason: expect.stringMatching(/look like a clipping of the whole column/) });
      for (const args of [
        [pgUrl(s!, 'clip_research'), file(production)],
        [pgUrl(s!, 'clip_research'), pgUrl(s!, production)],
      ]) {
        const forced = await runJson(['data', ...args, ...common, '--pushdown', 'always']);
        expect(forced.code).toBe(2);
        expect(forced.json.error.message).toMatch(/look like a clipping of the whole column/);
      }
    }
  });

  it('pushdown: text columns past the category cap, identifiers edited, a large differing share and text against a number', async () => {
    const n = 20_000;
    // `code` has a distinct value per row (past the category cap of 10,000: no category column); `cat` has 40.
    // Analysed primary keys: the row counts run in a second session on the join's snapshot, the bound from estimates.
    const make = (t: string, code: string, cat: string, qty: string) =>
      `DROP TABLE IF EXISTS ${t}; CREATE TABLE ${t} AS SELECT i::bigint AS id, ${code} AS code, ${cat} AS cat, ${qty} AS qty FROM generate_series(1, ${n}) AS g(i); ALTER TABLE ${t} ADD PRIMARY KEY (id); ANALYZE ${t}`;
    await adminSql(s!, make('wide_research', 'md5(i::text)', "'c' || (i % 40)", 'i % 1000'));
    await adminSql(s!, make('wide_edited', "CASE WHEN i % 700 = 3 THEN 'edited-' || i ELSE md5(i::text) END", "CASE WHEN i % 4000 = 9 THEN 'brand new' ELSE 'c' || (i % 40) END", 'i % 1000'));
    await adminSql(s!, make('wide_many', 'md5(i::text)', "'c' || (i % 40)", 'CASE WHEN i % 3 = 0 THEN i % 1000 + 1 ELSE i % 1000 END'));
    const common = ['--key', 'id', '--no-stats', '--sample', '3'];
    const both = async (a: string, b: string) => ({
      pushdown: await runJson(['data', pgUrl(s!, a), pgUrl(s!, b), ...common]),
      download: await runJson(['data', pgUrl(s!, a), pgUrl(s!, b), ...common, '--pushdown', 'never']),
    });
    const edited = await both('wide_research', 'wide_edited');
    expect(edited.pushdown.json.stages[0].summary.engine).toEqual({ mode: 'pushdown', database: 'PostgreSQL', rowsTransferred: 2 * (29 + 5) });
    expect(essence(edited.pushdown.json)).toEqual(essence(edited.download.json));
    expect(edited.download.json.findings.map((f: any) => `${f.cause}:${f.columns.join(',')}:${f.rowsAffected}`)).toEqual(['value_changed:code:29', 'new_category:cat:5']);
    // A third of the rows differ: one download is cheaper, and said so.
    const many = await both('wide_research', 'wide_many');
    expect(many.pushdown.json.stages[0].summary.engine).toMatchObject({ mode: 'download', reason: expect.stringMatching(/more than 10% of the rows differ/) });
    expect(essence(many.pushdown.json)).toEqual(essence(many.download.json));
    expect(many.download.json.findings.find((f: any) => f.cause === 'value_changed').rowsAffected).toBe(n / 3 - ((n / 3) % 1));
    // Text against a number is read as a whole column (does every value read as a number?): downloaded.
    const typed = await both('sales_research', 'SELECT id, amount, score, ratio, qty::text AS qty, tier, region, active, day, updated_at, seen_at FROM sales_research');
    expect(typed.pushdown.json.stages[0].summary.engine).toMatchObject({ mode: 'download', reason: expect.stringMatching(/column 'qty' is text on one side/) });
    expect(essence(typed.pushdown.json)).toEqual(essence(typed.download.json));
  });

  it('pushdown compares text by its bytes, as the local diff does, whatever the column collation says', async () => {
    // Under a case-insensitive collation 'North' = 'north' in PostgreSQL; the local diff (and a file) says they differ.
    await adminSql(
      s!,
      `CREATE COLLATION IF NOT EXISTS rd_ci (provider = icu, locale = 'und-u-ks-level2', deterministic = false);
      DROP TABLE IF EXISTS ci_research; DROP TABLE IF EXISTS ci_production;
      CREATE TABLE ci_research (id integer PRIMARY KEY, name text COLLATE rd_ci);
      INSERT INTO ci_research SELECT i, 'name ' || i FROM generate_series(1, 50) AS g(i);
      CREATE TABLE ci_production AS SELECT id, CASE WHEN id IN (4, 40) THEN upper(name) ELSE name END AS name FROM ci_research`,
    );
    const common = ['--key', 'id', '--no-stats'];
    const pushdown = await runJson(['data', pgUrl(s!, 'ci_research'), pgUrl(s!, 'ci_production'), ...common]);
    const download = await runJson(['data', pgUrl(s!, 'ci_research'), pgUrl(s!, 'ci_production'), ...common, '--pushdown', 'never']);
    expect(pushdown.json.stages[0].summary.engine).toEqual({ mode: 'pushdown', database: 'PostgreSQL', rowsTransferred: 4 });
    expect(essence(pushdown.json)).toEqual(essence(download.json));
    expect(download.json.findings.find((f: any) => f.cause === 'value_changed')).toMatchObject({ columns: ['name'], rowsAffected: 2, sampleKeys: [4, 40] });
  });

  it('pushdown bounds the fetched rows by the planner estimate of tables grown since their last ANALYZE', async () => {
    // Analysed at 1,000 rows, then grown to 21,000: 600 changed rows are under 10% of the table, so they are fetched.
    await adminSql(
      s!,
      `DROP TABLE IF EXISTS grown_research; DROP TABLE IF EXISTS grown_production;
      CREATE TABLE grown_research (id bigint PRIMARY KEY, v integer) WITH (autovacuum_enabled = false);
      CREATE TABLE grown_production (id bigint PRIMARY KEY, v integer) WITH (autovacuum_enabled = false);
      INSERT INTO grown_research SELECT i, i FROM generate_series(1, 1000) AS g(i);
      INSERT INTO grown_production SELECT i, i FROM generate_series(1, 1000) AS g(i);
      ANALYZE grown_research; ANALYZE grown_production;
      INSERT INTO grown_research SELECT i, i FROM generate_series(1001, 21000) AS g(i);
      INSERT INTO grown_production SELECT i, CASE WHEN i % 35 = 0 THEN -i ELSE i END FROM generate_series(1001, 21000) AS g(i)`,
    );
    const r = await runJson(['data', pgUrl(s!, 'grown_research'), pgUrl(s!, 'grown_production'), '--key', 'id', '--no-stats']);
    expect(r.json.stages[0].summary.engine).toEqual({ mode: 'pushdown', database: 'PostgreSQL', rowsTransferred: 2 * 572 });
    expect(r.json.findings.find((f: any) => f.cause === 'value_changed').rowsAffected).toBe(572);
  });

  it('canonical values are the same text in both engines: doubles are their IEEE bits, timestamps UTC microseconds', async () => {
    const r = rng(99);
    const doubles: number[] = [0.1, 1, 2, 0.5, 3, 1e308, 5e-324, -5e-324, 2.2250738585072014e-308, 2.225073858507201e-308, -0, 1 / 3, 2 ** 53, 2 ** -1022, 1.7976931348623157e308];
    for (let i = 0; i < 2000; i++) doubles.push((r() - 0.5) * 10 ** (Math.floor(r() * 620) - 310));
    const text = (v: number) => (Object.is(v, -0) ? '-0' : String(v));
    const pgDoubles = (
      await adminSql(s!, `SELECT ${canonicalSql(postgresHash, 'x', { compareType: 'DOUBLE' } as never)} AS t FROM unnest($1::float8[]) WITH ORDINALITY AS u(x, i) ORDER BY i`, [
        [...doubles.map(text), 'NaN', 'Infinity', '-Infinity', null],
      ])
    ).rows.map((x) => x.t);
    const stamps = ['2024-03-01 00:37:12.345678+00', '1969-12-31 23:59:59.999999+00', 'infinity', '-infinity', '0044-03-15 00:00:00+00'];
    const pgStamps = (
      await adminSql(s!, `SELECT ${canonicalSql(postgresHash, 'x', { compareType: 'TIMESTAMP WITH TIME ZONE' } as never)} AS t FROM unnest($1::timestamptz[]) WITH ORDINALITY AS u(x, i) ORDER BY i`, [
        stamps,
      ])
    ).rows.map((x) => x.t);
    const db = await DuckDBInstance.create(':memory:');
    const c = await db.connect();
    await c.run("SET TimeZone = 'UTC'");
    const list = [...doubles.map((v) => `CAST('${text(v)}' AS DOUBLE)`), "CAST('nan' AS DOUBLE)", "CAST('inf' AS DOUBLE)", "CAST('-inf' AS DOUBLE)", 'CAST(NULL AS DOUBLE)'];
    const duckDoubles = (await c.runAndReadAll(`SELECT ${canonicalSql(duckdbHash, 'x', { compareType: 'DOUBLE' } as never)} AS t FROM (SELECT unnest([${list.join(', ')}]) AS x)`))
      .getRowObjectsJS()
      .map((x) => x.t);
    const duckStamps = (
      await c.runAndReadAll(
        `SELECT ${canonicalSql(duckdbHash, 'x', { compareType: 'TIMESTAMP WITH TIME ZONE' } as never)} AS t FROM (SELECT unnest([${stamps.map((v) => `CAST('${v}' AS TIMESTAMPTZ)`).join(', ')}]) AS x)`,
      )
    )
      .getRowObjectsJS()
      .map((x) => x.t);
    c.closeSync();
    db.closeSync();
    expect(duckDoubles).toEqual(pgDoubles);
    expect(duckStamps).toEqual(pgStamps);
    expect(pgStamps).toEqual(['1709253432345678', '-1', 'inf', '-inf', '-60772291200000000']);
    const bits = (v: number) => {
      const b = Buffer.alloc(8);
      b.writeDoubleBE(v);
      return b.toString('hex');
    };
    doubles.forEach((v, i) => expect(pgDoubles[i]).toBe(v === 0 ? '0' : Number.isFinite(v) ? bits(v) : v > 0 ? 'inf' : '-inf'));
    expect(pgDoubles.slice(-4)).toEqual(['nan', 'inf', '-inf', 'N']);
  });

  it('bisection recurses into differing segments and transfers only their rows; a large differing share downloads', async () => {
    const n = 150_000;
    const formula = (id: string, sqrt: string) => `${id} AS id, ${id} * 7 % 1000 AS qty, ${sqrt} AS root, 'v' || (${id} % 97) AS tag`;
    await adminSql(
      s!,
      `DROP TABLE IF EXISTS big_research; CREATE TABLE big_research AS SELECT ${formula('i::bigint', 'sqrt(i::float8)')} FROM generate_series(1, ${n}) AS g(i); ALTER TABLE big_research ADD PRIMARY KEY (id)`,
    );
    const db = await DuckDBInstance.create(':memory:');
    const c = await db.connect();
    const changed = [17, 40_000, 40_001, 99_999, 149_998];
    const big = join(dir, 'big.parquet');
    const many = join(dir, 'many.parquet');
    await c.run(`CREATE TABLE t AS SELECT ${formula('CAST(i AS BIGINT)', 'sqrt(CAST(i AS DOUBLE))')} FROM range(1, ${n + 1}) AS g(i)`);
    await c.run(`COPY (SELECT id, CASE WHEN id IN (${changed.join(', ')}) THEN qty + 1 ELSE qty END AS qty, root, tag FROM t WHERE id <> 123 ORDER BY id) TO '${big}' (FORMAT parquet)`);
    await c.run(`COPY (SELECT id, CASE WHEN id % 5 = 0 THEN qty + 1 ELSE qty END AS qty, root, tag FROM t) TO '${many}' (FORMAT parquet)`);
    c.closeSync();
    db.closeSync();
    const cross = await runJson(['data', pgUrl(s!, 'big_research'), big, '--key', 'id', '--no-stats']);
    const down = await runJson(['data', pgUrl(s!, 'big_research'), big, '--key', 'id', '--no-stats', '--pushdown', 'never']);
    expect(cross.code, cross.stderr).toBe(1);
    const engine = cross.json.stages[0].summary.engine;
    expect(engine.mode).toBe('bisection');
    expect(engine.segmentsCompared).toBeGreaterThanOrEqual(n / 50); // segments of ~50 rows
    expect(engine.rowsTransferred).toBeGreaterThanOrEqual(changed.length + 1);
    expect(engine.rowsTransferred).toBeLessThan(n / 100);
    expect(essence(cross.json)).toEqual(essence(down.json));
    expect(cross.json.findings.find((f: any) => f.cause === 'value_changed').rowsAffected).toBe(changed.length);
    expect(cross.json.findings.find((f: any) => f.cause === 'rows_missing').sampleKeys).toEqual([123]);
    const small = await runJson(['data', pgUrl(s!, 'sales_research'), big, '--key', 'id', '--no-stats']);
    expect(small.json.stages[0].summary.engine).toMatchObject({ mode: 'download', reason: expect.stringMatching(/a small table \(300 rows\)/) });
    const spread = await runJson(['data', pgUrl(s!, 'big_research'), many, '--key', 'id', '--no-stats']);
    expect(spread.json.stages[0].summary.engine).toMatchObject({ mode: 'download', reason: expect.stringMatching(/one download is cheaper/) });
    expect(spread.json.findings.find((f: any) => f.cause === 'value_changed').rowsAffected).toBe(n / 5);
  });
});
