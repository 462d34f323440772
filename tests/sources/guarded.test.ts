/**
 * Integer text with a leading zero is a code (zip, account, product), not a number (src/sources/guarded.ts): read as
 * an integer, `00501` equalled a production `501` whose zeros an ETL had lost. Such a column stays text, wherever in
 * the file the padded values are; plain integers are read as before.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../../src/engine/engine.js';
import { guardedInteger, isLossyCast, paddedSql } from '../../src/sources/guarded.js';
import { openDataset, SNIFF_ROWS } from '../../src/sources/register.js';
import { resolveInput } from '../../src/sources/resolve.js';
import { runData } from '../../src/run/data.js';

let engine: Engine;
let dir: string;
beforeAll(async () => {
  engine = await Engine.open();
  dir = mkdtempSync(join(tmpdir(), 'rd-padded-'));
});
afterAll(() => {
  engine?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('padded integer text', () => {
  it('is a leading zero before another digit, with or without a sign', async () => {
    const values = ['00501', '-007', '+01', '00', '0', '0.5', '-0', '10', '100', '+5', '-12', '0e5'];
    const row = await engine.one(`SELECT list(${paddedSql('v')} ORDER BY i) AS p FROM (SELECT unnest([${values.map((v) => `'${v}'`).join(', ')}]) AS v, unnest(range(${values.length})) AS i)`);
    expect((row.p as { items: boolean[] }).items ?? row.p).toEqual([true, true, true, true, false, false, false, false, false, false, false, false]);
  });

  it('makes the guarded cast raise; plain integers are cast', async () => {
    const cast = (v: string) => engine.one(`SELECT ${guardedInteger('x', 'DOUBLE')} FROM (SELECT '${v}' AS x)`);
    expect(await cast('501')).toEqual({ x: 501 });
    await expect(cast('00501')).rejects.toSatisfy(isLossyCast);
    // Another error quotes the guard's SQL in its message: it is not the guard's.
    await expect(cast('n/k')).rejects.toSatisfy((e: unknown) => !isLossyCast(e));
  });
});

describe('a CSV integer column with zero-padded codes', () => {
  const write = (name: string, cell: (i: number) => string, rows: number) => {
    const lines = ['id,zip'];
    for (let i = 0; i < rows; i++) lines.push(`${i},${cell(i)}`);
    writeFileSync(join(dir, name), `${lines.join('\n')}\n`);
    return join(dir, name);
  };
  const typeOf = async (file: string) => {
    const reader = await Engine.open({ readableDirs: [dir] });
    try {
      return (await openDataset(reader, resolveInput(file), 'z')).columns.find((c) => c.name === 'zip')?.type;
    } finally {
      reader.close();
    }
  };

  it('stays text, padded early (a file the sniff reads whole) or only after the sniffed rows', async () => {
    expect(await typeOf(write('small.csv', (i) => String(500 + i).padStart(5, '0'), 50))).toBe('VARCHAR');
    expect(await typeOf(write('late.csv', (i) => (i < SNIFF_ROWS + 100 ? String(90_000 - i) : String(i % 9000).padStart(5, '0')), SNIFF_ROWS + 3000))).toBe('VARCHAR');
    expect(await typeOf(write('plain.csv', (i) => String(90_000 - i), SNIFF_ROWS + 3000))).toBe('BIGINT');
  });

  it('against the same codes without their zeros is never "equal"', async () => {
    const codes = write('codes.csv', (i) => String(100 + i * 37).padStart(5, '0'), 400);
    const numbers = write('numbers.csv', (i) => String(100 + i * 37), 400);
    const report = await runData(codes, numbers, { key: ['id'], stats: false });
    expect(report.verdict).not.toBe('equal');
    expect(report.findings.map((f) => f.cause)).toContain('value_changed');
    expect((await runData(codes, codes, { key: ['id'], stats: false })).verdict).toBe('equal');
  });
});

describe('a wide CSV (more guarded columns than one query checks)', () => {
  it('proves each column as a narrow one does: codes stay text, a late offset widens its column', async () => {
    // Past the sniffed rows: the codes' zeros (ids below 10,000 come last) and the offsets come late.
    const numbers = Array.from({ length: 70 }, (_, k) => `n${k}`);
    const rows = SNIFF_ROWS + 200;
    const lines = [['id', ...numbers, 'code', 'seen'].join(',')];
    for (let i = 0; i < rows; i++) {
      const seen = i < SNIFF_ROWS + 100 ? `2022-01-01 ${String(i % 24).padStart(2, '0')}:00:00` : '2022-02-01 10:00:00+02:00';
      lines.push([i, ...numbers.map((_n, k) => (i * k) % 1000), String(rows - i + 9_000).padStart(5, '0'), seen].join(','));
    }
    const file = join(dir, 'wide.csv');
    writeFileSync(file, `${lines.join('\n')}\n`);
    const reader = await Engine.open({ readableDirs: [dir] });
    try {
      const ds = await openDataset(reader, resolveInput(file), 'wide');
      const types = Object.fromEntries(ds.columns.map((c) => [c.name, c.type]));
      expect(types.n7).toBe('BIGINT');
      expect(types.code).toBe('VARCHAR');
      expect(types.seen).toBe('TIMESTAMP WITH TIME ZONE');
      expect(await reader.one(`SELECT code, CAST(seen AS VARCHAR) AS seen FROM ${ds.relation} WHERE id = ${rows - 1}`)).toEqual({ code: '09001', seen: '2022-02-01 08:00:00+00' });
    } finally {
      reader.close();
    }
  });
});
