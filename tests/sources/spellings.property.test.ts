import fc from 'fast-check';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runData } from '../../src/run/data.js';

/**
 * Equivalent pairs in writers' spellings: the same table written once the way pandas' to_csv writes it
 * by default, once with another null spelling, boolean encoding and ISO-8601 form, rows shuffled. The
 * verdict is always equal, with a key and without; a changed cell is still found.
 */

const dir = mkdtempSync(join(tmpdir(), 'reprodiff-spell-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let fileNo = 0;

interface Row {
  id: number;
  n: number | null;
  x: number | null;
  b: boolean;
  t: number | null;
}

const rowArb = fc.record({
  n: fc.option(fc.integer({ min: -1_000_000, max: 1_000_000 }), { nil: null, freq: 4 }),
  x: fc.option(fc.double({ noNaN: true, noDefaultInfinity: true, min: -1e9, max: 1e9 }), { nil: null, freq: 4 }),
  b: fc.boolean(),
  // Milliseconds since 1970 (a timestamp with a fractional second).
  t: fc.option(fc.integer({ min: 0, max: 2_000_000_000_000 }), { nil: null, freq: 4 }),
});
const tableArb = fc.array(rowArb, { minLength: 2, maxLength: 40 }).map((rows) => rows.map((r, i) => ({ id: i + 1, ...r }) as Row));

interface Spelling {
  readonly na: string;
  readonly bools: readonly [string, string];
  readonly iso: 'space' | 'T';
}
const spellingArb = fc.record({
  na: fc.constantFrom('NA', 'NULL', 'None', '#N/A', '<NA>', 'null', '""'),
  bools: fc.constantFrom(['True', 'False'] as const, ['1', '0'] as const, ['yes', 'no'] as const, ['true', 'false'] as const),
  iso: fc.constantFrom('space' as const, 'T' as const),
});
const PANDAS: Spelling = { na: '', bools: ['True', 'False'], iso: 'space' };

function stamp(ms: number, iso: Spelling['iso']): string {
  const s = new Date(ms).toISOString().replace('Z', '');
  return iso === 'T' ? `${s}000` : s.replace('T', ' ');
}

function writeCsv(rows: readonly Row[], sp: Spelling): string {
  const path = join(dir, `w${++fileNo}.csv`);
  const cell = (v: string | null) => (v === null ? sp.na : v);
  const lines = rows.map((r) =>
    [String(r.id), cell(r.n === null ? null : String(r.n)), cell(r.x === null ? null : String(r.x)), r.b ? sp.bools[0] : sp.bools[1], cell(r.t === null ? null : stamp(r.t, sp.iso))].join(','),
  );
  writeFileSync(path, `id,n,x,b,t\n${lines.join('\n')}\n`);
  return path;
}

const breaking = (r: Awaited<ReturnType<typeof runData>>) => r.findings.filter((f) => f.severity !== 'info');

describe('reading: writer spellings are equivalent', () => {
  it('null spellings, boolean encodings and ISO-8601 forms never make a difference', async () => {
    await fc.assert(
      fc.asyncProperty(tableArb, spellingArb, fc.integer(), async (rows, sp, seed) => {
        const shuffled = fc.sample(fc.shuffledSubarray(rows, { minLength: rows.length, maxLength: rows.length }), { seed, numRuns: 1 })[0]!;
        const a = writeCsv(rows, PANDAS);
        const b = writeCsv(shuffled, sp);
        const keyed = await runData(a, b, { key: ['id'] });
        expect(breaking(keyed), JSON.stringify(breaking(keyed))).toEqual([]);
        const keyless = await runData(a, b);
        expect(breaking(keyless), JSON.stringify(breaking(keyless))).toEqual([]);
      }),
      { numRuns: 10, seed: Number(process.env.PROP_SEED ?? 1717) },
    );
  });

  it('a changed value under another spelling is still found on its row', async () => {
    await fc.assert(
      fc.asyncProperty(tableArb, spellingArb, fc.nat(), async (rows, sp, pick) => {
        const i = pick % rows.length;
        const changed = rows.map((r) => ({ ...r }));
        changed[i]!.b = !changed[i]!.b;
        const r = await runData(writeCsv(rows, PANDAS), writeCsv(changed, sp), { key: ['id'] });
        const found = breaking(r).filter((f) => f.columns.includes('b'));
        expect(found.length, JSON.stringify(r.findings)).toBe(1);
        expect(found[0]!.sampleKeys).toEqual([i + 1]);
      }),
      { numRuns: 8, seed: Number(process.env.PROP_SEED ?? 23) },
    );
  });
});
