import fc from 'fast-check';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, describe, expect, it } from 'vitest';
import { runData } from '../../src/run/data.js';

/**
 * Invariants of the data comparison on generated tables (ints, doubles with NaN/±inf/-0.0, odd strings,
 * nulls, timestamps): equivalent inputs never warn; one changed cell is always found where it is;
 * removing k rows always reports exactly k.
 */

const dir = mkdtempSync(join(tmpdir(), 'reprodiff-prop-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let fileNo = 0;

interface Row {
  id: number;
  n: number | null;
  x: number | null;
  s: string | null;
  t: string | null;
}

const double = fc.oneof(
  { weight: 8, arbitrary: fc.double({ noNaN: true, noDefaultInfinity: true, min: -1e12, max: 1e12 }) },
  { weight: 1, arbitrary: fc.constantFrom(Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, -0, 0.1, 1e-300) },
);
const text = fc.string({ unit: fc.constantFrom('a', 'b', 'é', ' ', '"', "'", ',', ';', '\\', '日', 'x'), maxLength: 8 });
const rowArb = fc.record({
  n: fc.option(fc.integer({ min: -1_000_000, max: 1_000_000 }), { nil: null, freq: 6 }),
  x: fc.option(double, { nil: null, freq: 6 }),
  s: fc.option(text, { nil: null, freq: 6 }),
  t: fc.option(
    fc.integer({ min: 0, max: 2_000_000_000 }).map((sec) => new Date(sec * 1000).toISOString().replace('T', ' ').replace('.000Z', '')),
    { nil: null, freq: 6 },
  ),
});
const tableArb = fc.array(rowArb, { minLength: 1, maxLength: 40 }).map((rows) => rows.map((r, i) => ({ id: i + 1, ...r }) as Row));

/** Float text as another writer would print it: shortest round-trip, or 17 significant digits. */
function floatText(x: number, style: 'short' | 'long'): string {
  if (Number.isNaN(x)) return style === 'short' ? 'NaN' : 'nan';
  if (!Number.isFinite(x)) return x > 0 ? (style === 'short' ? 'inf' : 'Infinity') : style === 'short' ? '-inf' : '-Infinity';
  if (Object.is(x, -0)) return style === 'short' ? '-0.0' : '-0';
  return style === 'short' ? String(x) : x.toPrecision(17);
}

function csvCell(v: string | null): string {
  if (v === null) return '';
  return /[",\n\r]|^\s|\s$/.test(v) || v === '' ? `"${v.replaceAll('"', '""')}"` : v;
}

function writeCsv(rows: readonly Row[], columns: readonly (keyof Row)[], style: 'short' | 'long'): string {
  const path = join(dir, `t${++fileNo}.csv`);
  const cell = (r: Row, c: keyof Row) => {
    const v = r[c];
    if (v === null) return '';
    if (c === 'x') return floatText(v as number, style);
    if (c === 's') return csvCell(v as string) === '' ? '""' : csvCell(v as string);
    return String(v);
  };
  writeFileSync(path, `${columns.join(',')}\n${rows.map((r) => columns.map((c) => cell(r, c)).join(',')).join('\n')}\n`);
  return path;
}

/** Parquet written by DuckDB from the CSV, with explicit types (a different format of the same data). */
async function toParquet(csv: string): Promise<string> {
  const path = join(dir, `t${++fileNo}.parquet`);
  const db = await DuckDBInstance.create(':memory:');
  const con = await db.connect();
  const q = (s: string) => `'${s.replaceAll("'", "''")}'`;
  await con.run(
    `COPY (SELECT * FROM read_csv(${q(csv)}, header = true, columns = {'id': 'INTEGER', 'n': 'INTEGER', 'x': 'DOUBLE', 's': 'VARCHAR', 't': 'TIMESTAMP'}, quote = '"', escape = '"', nullstr = '', allow_quoted_nulls = false)) TO ${q(path)} (FORMAT parquet)`,
  );
  con.closeSync();
  db.closeSync();
  return path;
}

const COLUMNS: (keyof Row)[] = ['id', 'n', 'x', 's', 't'];
const read = { header: true } as const;
const breaking = (r: Awaited<ReturnType<typeof runData>>) => r.findings.filter((f) => f.severity !== 'info');

describe('data: equivalence properties', () => {
  it('shuffled rows and columns, other float text, CSV vs Parquet: no warning, with or without a key', async () => {
    await fc.assert(
      fc.asyncProperty(tableArb, fc.integer(), async (rows, seed) => {
        const shuffled = fc.sample(fc.shuffledSubarray(rows, { minLength: rows.length, maxLength: rows.length }), { seed, numRuns: 1 })[0]!;
        const cols = fc.sample(fc.shuffledSubarray(COLUMNS, { minLength: COLUMNS.length, maxLength: COLUMNS.length }), { seed, numRuns: 1 })[0]!;
        const a = writeCsv(rows, COLUMNS, 'short');
        const b = writeCsv(shuffled, cols, 'long');
        const pa = await toParquet(a);
        for (const [x, y] of [
          [a, b],
          [pa, b],
        ] as const) {
          const keyed = await runData(x, y, { key: ['id'], read });
          expect(breaking(keyed), JSON.stringify(breaking(keyed))).toEqual([]);
          const keyless = await runData(x, y, { read });
          expect(breaking(keyless), JSON.stringify(breaking(keyless))).toEqual([]);
        }
      }),
      { numRuns: 12, seed: Number(process.env.PROP_SEED ?? 4242) },
    );
  });

  it('a single changed cell is found in the right column and key', async () => {
    await fc.assert(
      fc.asyncProperty(tableArb, fc.nat(), fc.constantFrom<keyof Row>('n', 'x', 's', 't'), async (rows, pick, column) => {
        const i = pick % rows.length;
        const changed = rows.map((r) => ({ ...r }));
        const old = changed[i]![column];
        changed[i]![column] = (
          column === 'n'
            ? old === null
              ? 7
              : (old as number) + 1
            : column === 'x'
              ? old === null || !Number.isFinite(old as number)
                ? 0.5
                : (old as number) + 1 + Math.abs(old as number)
              : column === 's'
                ? `${old ?? ''}!`
                : old === null
                  ? '2001-01-01 00:00:00'
                  : '1999-12-31 23:59:59'
        ) as never;
        if (column === 't' && old === '1999-12-31 23:59:59') changed[i]!.t = '1999-12-31 23:59:58';
        const report = await runData(writeCsv(rows, COLUMNS, 'short'), writeCsv(changed, COLUMNS, 'short'), { key: ['id'], read });
        const found = breaking(report);
        expect(found.length, JSON.stringify(found)).toBeGreaterThanOrEqual(1);
        expect(found.every((f) => f.columns.includes(column))).toBe(true);
        expect(found.flatMap((f) => f.sampleKeys)).toContain(rows[i]!.id);
      }),
      { numRuns: 15, seed: Number(process.env.PROP_SEED ?? 99) },
    );
  });

  it('removing k rows reports exactly k missing rows (keyed and keyless)', async () => {
    await fc.assert(
      fc.asyncProperty(tableArb, fc.nat(), async (rows, seed) => {
        const k = seed % rows.length;
        const kept = rows.filter((_r, j) => j % rows.length >= k);
        const a = writeCsv(rows, COLUMNS, 'short');
        const b = writeCsv(kept.length ? kept : rows.slice(0, 0), COLUMNS, 'long');
        const keyed = await runData(a, b, { key: ['id'], read });
        const missing = keyed.findings.find((f) => f.cause === 'rows_missing');
        expect(missing?.rowsAffected ?? 0).toBe(k);
        const keyless = await runData(a, b, { read });
        expect(keyless.findings.find((f) => f.cause === 'rows_missing')?.rowsAffected ?? 0).toBe(k);
      }),
      { numRuns: 10, seed: Number(process.env.PROP_SEED ?? 7) },
    );
  });
});
