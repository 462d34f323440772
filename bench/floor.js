// The floor: one bare DuckDB query, full outer join on the key, counting rows that are unmatched or differ
// in any value column (Parquet or CSV inputs). Run as its own process by bench/run.js, with the same engine settings as reprodiff.
//   node bench/floor.js A B [--memory-limit 3GB] [--temp-dir DIR] [--threads N] [--key id] [--per-column]
import { DuckDBInstance } from '@duckdb/node-api';
import { mkdtempSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { tmpdir } from 'node:os';

const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(name);
  return i >= 0 ? args.splice(i, 2)[1] : dflt;
};
const memoryLimit = opt('--memory-limit');
const tempParent = opt('--temp-dir', tmpdir());
const threads = opt('--threads');
const key = opt('--key', 'id');
const perColumnAt = args.indexOf('--per-column');
const perColumn = perColumnAt >= 0 && Boolean(args.splice(perColumnAt, 1));
const [a, b] = args.map((p) => resolve(p));
if (!a || !b) {
  process.stderr.write('usage: node bench/floor.js A B [--memory-limit X] [--temp-dir D] [--threads N] [--key id]\n');
  process.exit(2);
}

const q = (s) => `'${s.replaceAll("'", "''")}'`;
const id = (s) => `"${s.replaceAll('"', '""')}"`;
const spill = mkdtempSync(join(resolve(tempParent), 'floor-'));
const config = { temp_directory: spill };
if (memoryLimit) config.memory_limit = memoryLimit;
if (threads) config.threads = String(threads);
const instance = await DuckDBInstance.create(':memory:', config);
const con = await instance.connect();
try {
  const started = performance.now();
  // Parquet, or CSV read with DuckDB's own sniffer (no type refinement): the bare cost of reading both files.
  const read = (p) => (/\.(csv|tsv)(\.gz)?$/i.test(p) ? `read_csv(${q(p)})` : `read_parquet(${q(p)})`);
  const cols = (await con.runAndReadAll(`DESCRIBE SELECT * FROM ${read(a)}`))
    .getRowObjectsJS()
    .map((r) => String(r.column_name))
    .filter((c) => c !== key);
  const differs = cols.map((c) => `a.${id(c)} IS DISTINCT FROM b.${id(c)}`).join(' OR ');
  const sql = `SELECT count(*) AS n FROM ${read(a)} a FULL OUTER JOIN ${read(b)} b ON a.${id(key)} = b.${id(key)}
WHERE a.${id(key)} IS NULL OR b.${id(key)} IS NULL OR ${differs}`;
  let n;
  let byColumn;
  if (perColumn) {
    // The CSV floor (issue 22): the same join, also counting the differing rows of each column.
    const miss = `a.${id(key)} IS NULL OR b.${id(key)} IS NULL`;
    const counts = cols.map((c, i) => `count(*) FILTER (WHERE a.${id(key)} IS NOT NULL AND b.${id(key)} IS NOT NULL AND a.${id(c)} IS DISTINCT FROM b.${id(c)}) AS c${i}`);
    const row = (
      await con.runAndReadAll(`SELECT count(*) FILTER (WHERE ${miss} OR ${differs}) AS n, ${counts.join(', ')}
FROM ${read(a)} a FULL OUTER JOIN ${read(b)} b ON a.${id(key)} = b.${id(key)}`)
    ).getRowObjectsJS()[0];
    n = row.n;
    byColumn = Object.fromEntries(cols.map((c, i) => [c, Number(row[`c${i}`])]));
  } else {
    n = (await con.runAndReadAll(sql)).getRowObjectsJS()[0].n;
  }
  process.stdout.write(`${JSON.stringify({ differingRows: Number(n), querySeconds: (performance.now() - started) / 1000, columns: cols.length + 1, ...(byColumn ? { byColumn } : {}) })}\n`);
} finally {
  con.closeSync();
  instance.closeSync();
  rmSync(spill, { recursive: true, force: true });
}
