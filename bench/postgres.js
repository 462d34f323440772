#!/usr/bin/env node
// Pushdown vs the server's floor (issue 21): two keyed tables in one PostgreSQL database, 0.01% of rows changed,
// timed as (1) one bare FULL OUTER JOIN count on the server, (2) `reprodiff data … --key id --no-stats`
// (pushdown), (3) the same with --pushdown never (both tables streamed into DuckDB); and across engines, the
// production table's Parquet twin (bench/data/, git-ignored) against the research table: (4) one bare checksum
// scan of the table on the server plus one of the Parquet file in DuckDB (the canonical row hash summed), and
// (5) `reprodiff data pg#a twin.parquet --key id --no-stats` (checksum bisection). Each run is its own process;
// the tables are made once (deterministic SQL) and reused.
//
//   node bench/postgres.js --url postgres://admin:…@127.0.0.1:5432/db [--rows 1000000] [--repeat 3] [--rebuild]
//                          [--only floor,pushdown,download,checksum,bisection]
//
// The URL's user must be able to create tables (the benchmark writes its own fixtures; reprodiff only reads).
import { DuckDBInstance } from '@duckdb/node-api';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import pg from 'pg';

const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : dflt;
};
const url = opt('url', process.env.REPRODIFF_BENCH_PG);
if (!url) {
  console.error('bench/postgres.js: pass --url postgres://user:password@host:port/db (a user that may create tables)');
  process.exit(2);
}
const rows = Number(opt('rows', '1000000'));
const repeat = Number(opt('repeat', '3'));
const only = new Set(opt('only', 'floor,pushdown,download,checksum,bisection').split(','));
const a = `bench_pg_a_${rows}`;
const b = `bench_pg_b_${rows}`;
const VALUE_COLUMNS = ['i1', 'i2', 'd1', 'd2', 'n1', 's1', 's2', 't1', 'f1'];

const client = new pg.Client({ connectionString: url });
await client.connect();
const exists = (await client.query('SELECT to_regclass($1) IS NOT NULL AS x', [b])).rows[0].x;
if (!exists || args.includes('--rebuild')) {
  console.error(`making ${a}, ${b} (${rows.toLocaleString('en-US')} rows)…`);
  await client.query(`DROP TABLE IF EXISTS ${a}; DROP TABLE IF EXISTS ${b}`);
  await client.query(`CREATE TABLE ${a} AS
    SELECT i::bigint AS id, (i::bigint * 7919 % 100000)::int AS i1, (i % 97)::bigint AS i2,
           (i * 0.618033988749895) % 1000 AS d1, sqrt(i::float8) AS d2, round((i % 100000) / 100.0, 2)::numeric(12,2) AS n1,
           'cat_' || (i % 50) AS s1, md5(i::text) AS s2,
           TIMESTAMPTZ '2024-01-01 00:00:00+00' + i::bigint * INTERVAL '1 second' AS t1, i % 3 = 0 AS f1
    FROM generate_series(1, ${rows}) AS g(i)`);
  // Production: the same rows, 0.01% of them with one changed value.
  await client.query(`CREATE TABLE ${b} AS SELECT id, CASE WHEN id % 10000 = 17 THEN i1 + 1 ELSE i1 END AS i1, i2, d1, d2, n1, s1, s2, t1, f1 FROM ${a}`);
  await client.query(`ALTER TABLE ${a} ADD PRIMARY KEY (id); ALTER TABLE ${b} ADD PRIMARY KEY (id); ANALYZE ${a}; ANALYZE ${b}`);
  await client.query(`GRANT SELECT ON ${a}, ${b} TO PUBLIC`).catch(() => {});
}

const distinct = VALUE_COLUMNS.map((c) => `a.${c} IS DISTINCT FROM b.${c}`).join(' OR ');
const floorSql = `SELECT count(*) FROM ${a} a FULL OUTER JOIN ${b} b ON a.id = b.id WHERE a.id IS NULL OR b.id IS NULL OR ${distinct}`;
const floorRun = async () => {
  const t = performance.now();
  const n = (await client.query(floorSql)).rows[0].count;
  return { s: (performance.now() - t) / 1000, n: Number(n) };
};

const cli = (extra) => {
  const t = performance.now();
  let out;
  try {
    out = execFileSync(process.execPath, ['bin/run.js', 'data', `${url}#${a}`, `${url}#${b}`, '--key', 'id', '--no-stats', '--json', ...extra], { encoding: 'utf8', maxBuffer: 1 << 26 });
  } catch (e) {
    if (e.status !== 1) throw e;
    out = e.stdout;
  }
  const json = JSON.parse(out);
  return { s: (performance.now() - t) / 1000, changed: json.stages[0].summary.rows.changed, engine: json.stages[0].summary.engine };
};

// The Parquet twin of the production table, written by DuckDB from the server's CSV export.
const { PgSession } = await import('../dist/src/sources/postgres/client.js');
const { parseDatabaseInput } = await import('../dist/src/sources/postgres/url.js');
const { segmentSumsSql, postgresHash, duckdbHash } = await import('../dist/src/sources/postgres/bisect-sql.js');
const { matchSchemas } = await import('../dist/src/compare/data/columns.js');
mkdirSync('bench/data', { recursive: true });
const twin = `bench/data/pg-twin-${rows}.parquet`;
const db = await DuckDBInstance.create(':memory:');
const duck = await db.connect();
await duck.run("SET TimeZone = 'UTC'");
const TYPES = { id: 'BIGINT', i1: 'INTEGER', i2: 'BIGINT', d1: 'DOUBLE', d2: 'DOUBLE', n1: 'DECIMAL(12,2)', s1: 'VARCHAR', s2: 'VARCHAR', t1: 'TIMESTAMPTZ', f1: 'BOOLEAN' };
if ((only.has('checksum') || only.has('bisection')) && (!existsSync(twin) || args.includes('--rebuild'))) {
  const session = await PgSession.open(parseDatabaseInput(`${url}#${b}`));
  await session.copyToFile(`SELECT * FROM ${b}`, `${twin}.csv`);
  await session.close();
  const cols = Object.entries(TYPES)
    .map(([k, t]) => `'${k}': '${t}'`)
    .join(', ');
  await duck.run(`COPY (SELECT * FROM read_csv('${twin}.csv', columns = {${cols}}, header = false, auto_detect = false, allow_quoted_nulls = false)) TO '${twin}' (FORMAT parquet)`);
  execFileSync('rm', ['-f', `${twin}.csv`]);
}
const columns = Object.entries(TYPES).map(([name, type]) => ({ name, type }));
const pairs = matchSchemas(columns, columns, {}).pairs;
const checksum = async () => {
  let t = performance.now();
  await client.query(segmentSumsSql(postgresHash, b, 'id', pairs, 'production', 1n, BigInt(rows), 1));
  const server = (performance.now() - t) / 1000;
  t = performance.now();
  await duck.run(`CREATE OR REPLACE VIEW twin AS SELECT * FROM read_parquet('${twin}')`);
  await duck.runAndReadAll(segmentSumsSql(duckdbHash, 'twin', 'id', pairs, 'production', 1n, BigInt(rows), 1));
  return { server, parquet: (performance.now() - t) / 1000 };
};
const crossCli = () => {
  const t = performance.now();
  let out;
  try {
    out = execFileSync(process.execPath, ['bin/run.js', 'data', `${url}#${a}`, twin, '--key', 'id', '--no-stats', '--json'], { encoding: 'utf8', maxBuffer: 1 << 26 });
  } catch (e) {
    if (e.status !== 1) throw e;
    out = e.stdout;
  }
  const json = JSON.parse(out);
  return { s: (performance.now() - t) / 1000, changed: json.stages[0].summary.rows.changed, engine: json.stages[0].summary.engine };
};

const median = (xs) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)];
const runs = { floor: [], pushdown: [], download: [], checksumServer: [], checksumParquet: [], bisection: [] };
let last = {};
const none = { s: Number.NaN, n: null, changed: null, engine: null, server: Number.NaN, parquet: Number.NaN };
for (let r = 0; r < repeat; r++) {
  const f = only.has('floor') ? await floorRun() : none;
  runs.floor.push(f.s);
  const p = only.has('pushdown') ? cli([]) : none;
  runs.pushdown.push(p.s);
  const d = only.has('download') ? cli(['--pushdown', 'never']) : none;
  runs.download.push(d.s);
  const c = only.has('checksum') ? await checksum() : none;
  runs.checksumServer.push(c.server);
  runs.checksumParquet.push(c.parquet);
  const x = only.has('bisection') ? crossCli() : none;
  runs.bisection.push(x.s);
  last = { floorRows: f.n, pushdownChanged: p.changed, downloadChanged: d.changed, bisectionChanged: x.changed, engine: p.engine, bisectionEngine: x.engine };
}
duck.closeSync();
db.closeSync();
await client.end();
const floor = median(runs.floor);
const scans = median(runs.checksumServer) + median(runs.checksumParquet);
console.log(
  JSON.stringify(
    {
      rows,
      repeat,
      medians: {
        floor,
        pushdown: median(runs.pushdown),
        download: median(runs.download),
        checksumServer: median(runs.checksumServer),
        checksumParquet: median(runs.checksumParquet),
        bisection: median(runs.bisection),
      },
      ratios: { pushdown: median(runs.pushdown) / floor, download: median(runs.download) / floor, bisectionOverScans: median(runs.bisection) / scans },
      runs,
      ...last,
    },
    null,
    2,
  ),
);
