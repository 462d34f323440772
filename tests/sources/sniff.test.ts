/**
 * CSV types from DuckDB's default sniff (#22: a 100,000-row sniff cost 0.4 s per side), proved by the load: a late
 * value the sniffed types cannot read, or a column empty among the sniffed rows and filled later, loads the file
 * again with the wider sniff, so the types are those the wider sniff always gave.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { Engine } from '../../src/engine/engine.js';
import { SNIFF_ROWS, WIDE_SNIFF_ROWS, openDataset } from '../../src/sources/register.js';
import { resolveInput } from '../../src/sources/resolve.js';
import { runData } from '../../src/run/data.js';

let dir: string;
const ROWS = 60_000;

/** A CSV as pandas' to_csv writes it (no index, empty for missing), with one column's cells chosen per row. */
function csv(name: string, cell: (i: number) => string): string {
  const lines = ['id,plain,odd'];
  for (let i = 0; i < ROWS; i++) lines.push(`${i},${i * 3},${cell(i)}`);
  const file = join(dir, name);
  writeFileSync(file, `${lines.join('\n')}\n`);
  return file;
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'rd-sniff-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function typesAndSniffs(file: string): Promise<{ types: Record<string, string>; sniffs: number[] }> {
  const engine = await Engine.open({ readableDirs: [dir] });
  const spy = vi.spyOn(engine, 'run');
  try {
    const ds = await openDataset(engine, resolveInput(file), 'sniff');
    const sniffs = spy.mock.calls.flatMap(([sql]) => [...sql.matchAll(/sample_size = (\d+)/g)].map((m) => Number(m[1])));
    return { types: Object.fromEntries(ds.columns.map((c) => [c.name, c.type])), sniffs };
  } finally {
    spy.mockRestore();
    engine.close();
  }
}

describe('CSV sniff', () => {
  it('reads an ordinary file with the default sniff only', async () => {
    const { types, sniffs } = await typesAndSniffs(csv('plain.csv', (i) => String(i % 17)));
    expect(types).toEqual({ id: 'BIGINT', plain: 'BIGINT', odd: 'BIGINT' });
    expect(sniffs).toEqual([SNIFF_ROWS]);
  });

  const cases: [string, (i: number) => string, string, number[]][] = [
    ['a word after the sniffed rows', (i) => (i === SNIFF_ROWS + 9000 ? 'n/k' : String(i)), 'VARCHAR', [SNIFF_ROWS, WIDE_SNIFF_ROWS]],
    ['a column filled only after the sniffed rows', (i) => (i < SNIFF_ROWS + 4000 ? '' : String(i)), 'BIGINT', [SNIFF_ROWS, WIDE_SNIFF_ROWS]],
    // Integer columns are parsed as DOUBLE and proved whole: no second read, and no rounding.
    ['a fraction after the sniffed rows', (i) => (i === SNIFF_ROWS + 9000 ? '2.5' : String(i)), 'DOUBLE', [SNIFF_ROWS]],
  ];
  for (const [what, cell, type, expected] of cases) {
    it(`reads ${what} as the wider sniff does (${type})`, async () => {
      const { types, sniffs } = await typesAndSniffs(csv(`${type}.csv`, cell));
      expect(types.odd).toBe(type);
      expect(sniffs).toEqual(expected);
    });
  }

  it('never rounds a fraction the widest sniff does not see (DuckDB casts "2.5" to the BIGINT 3)', async () => {
    const at = WIDE_SNIFF_ROWS + 5000;
    const rows = 110_000;
    const lines = ['id,x'];
    for (let i = 0; i < rows; i++) lines.push(`${i},${i === at ? '2.5' : String(i % 1000)}`);
    const file = join(dir, 'late-fraction.csv');
    writeFileSync(file, `${lines.join('\n')}\n`);
    const engine = await Engine.open({ readableDirs: [dir] });
    try {
      const ds = await openDataset(engine, resolveInput(file), 'late');
      expect(ds.columns.find((c) => c.name === 'x')?.type).toBe('DOUBLE');
      expect(await engine.one(`SELECT x FROM ${ds.relation} WHERE id = ${at}`)).toEqual({ x: 2.5 });
    } finally {
      engine.close();
    }
  });

  it('keeps every digit of integers beyond 2^53 (read again as text, then BIGINT)', async () => {
    const { types } = await typesAndSniffs(csv('wide.csv', (i) => (i === 7 ? '9007199254740993' : String(i))));
    expect(types.odd).toBe('BIGINT');
    const engine = await Engine.open({ readableDirs: [dir] });
    try {
      const ds = await openDataset(engine, resolveInput(join(dir, 'wide.csv')), 'wide');
      expect(await engine.one(`SELECT CAST(odd AS VARCHAR) AS v FROM ${ds.relation} WHERE id = 7`)).toEqual({ v: '9007199254740993' });
    } finally {
      engine.close();
    }
  });

  it('reads a field that opens a quote it never closes, after the widest sniff, as the sniffer does (text kept)', async () => {
    // A sniff that met no quote reads with RFC 4180's `"` (late quoted fields, writers/late_quotes.csv.gz); a file that
    // cannot be read so is read with the sniffer's own choice, as before. 110,000 rows: past the wider sniff too.
    const rows = 110_000;
    const lines = ['id,note,n'];
    for (let i = 0; i < rows; i++) lines.push(`${i},${i === 104_000 ? '"open not closed' : `w${i % 7}`},${i % 3}`);
    const file = join(dir, 'unclosed.csv');
    writeFileSync(file, `${lines.join('\n')}\n`);
    const engine = await Engine.open({ readableDirs: [dir] });
    try {
      const ds = await openDataset(engine, resolveInput(file), 'unclosed');
      expect(ds.columns.map((c) => c.name)).toEqual(['id', 'note', 'n']);
      expect(await engine.one(`SELECT count(*) AS n FROM ${ds.relation}`)).toEqual({ n: BigInt(rows) });
      expect(await engine.one(`SELECT note FROM ${ds.relation} WHERE id = 104000`)).toEqual({ note: '"open not closed' });
    } finally {
      engine.close();
    }
  });

  it('a late 2.5 against 2.7 is a changed value, never "equal" (both rounded to 3 before)', async () => {
    // As R's write.csv writes a numeric column: whole values without a decimal point, others with one.
    const write = (name: string, late: string) => {
      const lines = ['"id","amount"'];
      for (let i = 0; i < 110_000; i++) lines.push(`${i},${i === 105_000 ? late : String(i % 500)}`);
      writeFileSync(join(dir, name), `${lines.join('\n')}\n`);
      return join(dir, name);
    };
    const report = await runData(write('r-research.csv', '2.5'), write('r-production.csv', '2.7'), { key: ['id'], stats: false });
    expect(report.verdict).not.toBe('equal');
    expect(report.findings.map((f) => `${f.cause}:${f.columns.join(',')}:${f.rowsAffected}`)).toContain('value_changed:amount:1');
  });
});

describe('NDJSON integers', () => {
  it('a late 2.6 against 2.7 in a field sampled as integers is a changed value (both read as the BIGINT 3 before)', async () => {
    const write = (name: string, late: number) => {
      const lines: string[] = [];
      for (let i = 0; i < 30_000; i++) lines.push(JSON.stringify({ id: i, x: i === 29_000 ? late : i % 100 }));
      writeFileSync(join(dir, name), `${lines.join('\n')}\n`);
      return join(dir, name);
    };
    const research = write('int-research.ndjson', 2.6);
    const report = await runData(research, write('int-production.ndjson', 2.7), { key: ['id'], stats: false });
    expect(report.findings.map((f) => `${f.cause}:${f.columns.join(',')}:${f.rowsAffected}`)).toContain('value_changed:x:1');
    // A field of whole numbers is still an integer column.
    const engine = await Engine.open({ readableDirs: [dir] });
    try {
      const ds = await openDataset(engine, resolveInput(research), 'json');
      expect(Object.fromEntries(ds.columns.map((c) => [c.name, c.type]))).toEqual({ id: 'BIGINT', x: 'DOUBLE' });
    } finally {
      engine.close();
    }
  });
});

describe('--decimal , with a fraction after the widest sniff', () => {
  it('reads it as the number it is (the load casts integer columns itself, with the decimal comma)', async () => {
    const write = (name: string, late: string) => {
      const lines = ['id;x'];
      for (let i = 0; i < 110_000; i++) lines.push(`${i};${i === 105_000 ? late : String(i % 100)}`);
      writeFileSync(join(dir, name), `${lines.join('\n')}\n`);
      return join(dir, name);
    };
    const report = await runData(write('comma-a.csv', '2,5'), write('comma-b.csv', '2,7'), { key: ['id'], stats: false, read: { decimal: ',' } });
    expect(report.findings.map((f) => `${f.cause}:${f.columns.join(',')}:${f.rowsAffected}`)).toContain('value_changed:x:1');
  });
});
