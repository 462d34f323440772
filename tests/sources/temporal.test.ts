/**
 * Dates and times read from CSV text without losing a part (src/sources/temporal.ts): DuckDB's casts drop a UTC
 * offset, digits past the microsecond and a date's time of day without an error, so two files that differ there
 * read as equal. A guarded cast either keeps every value's instant or raises; the type then chosen holds every value.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../../src/engine/engine.js';
import { openDataset, SNIFF_ROWS } from '../../src/sources/register.js';
import { resolveInput } from '../../src/sources/resolve.js';
import { isLossyCast } from '../../src/sources/guarded.js';
import { guardedCast, losslessTypes } from '../../src/sources/temporal.js';
import { runData } from '../../src/run/data.js';

let engine: Engine;
let dir: string;

beforeAll(async () => {
  engine = await Engine.open();
  dir = mkdtempSync(join(tmpdir(), 'rd-temporal-'));
});
afterAll(() => {
  engine?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** A timestamp as writers spell it: ISO date, ' ' or 'T', seconds, 0–9 fraction digits, maybe an offset or Z. */
const timestampText = fc
  .record({
    day: fc.integer({ min: 0, max: 20_000 }),
    second: fc.integer({ min: 0, max: 86_399 }),
    sep: fc.constantFrom(' ', 'T'),
    digits: fc.integer({ min: 0, max: 9 }),
    fraction: fc.integer({ min: 0, max: 999_999_999 }),
    offset: fc.constantFrom('', 'Z', '+00:00', '+02:00', '-05:30', '+0100', '-03'),
  })
  .map(({ day, second, sep, digits, fraction, offset }) => {
    const d = new Date(Date.UTC(1990, 0, 1) + day * 86_400_000 + second * 1000).toISOString();
    const frac = digits ? `.${String(fraction).padStart(9, '0').slice(0, digits)}` : '';
    return `${d.slice(0, 10)}${sep}${d.slice(11, 19)}${frac}${offset}`;
  });

async function guarded(values: readonly string[], type: string): Promise<{ ok: boolean; row?: Record<string, unknown> }> {
  const list = values.map((v) => `'${v}'`).join(', ');
  try {
    const row = await engine.one(
      `SELECT bool_and(CAST(v AS TIMESTAMP_NS) IS NOT DISTINCT FROM TRY_CAST(t AS TIMESTAMP_NS)) AS same
       FROM (SELECT t, ${guardedCast('t', { type })} FROM (SELECT unnest([${list}]::VARCHAR[]) AS t)) q(t, v)`,
    );
    return { ok: true, row };
  } catch (e) {
    if (!isLossyCast(e)) throw e;
    return { ok: false };
  }
}

describe('guarded temporal casts', () => {
  it('keep every instant or raise: never a changed value (TIMESTAMP, DATE, TIMESTAMPTZ)', async () => {
    const outcomes = new Set<boolean>();
    await fc.assert(
      fc.asyncProperty(fc.array(timestampText, { minLength: 1, maxLength: 8 }), fc.constantFrom('TIMESTAMP', 'DATE', 'TIMESTAMP WITH TIME ZONE'), async (values, type) => {
        const got = await guarded(values, type);
        outcomes.add(got.ok);
        if (got.ok) expect(got.row!.same).toBe(true);
      }),
      { numRuns: 150 },
    );
    // Both ways were taken: values let through (their instants checked above) and values refused.
    expect([...outcomes].sort()).toEqual([false, true]);
  });

  it('let plain values through, as the reader read them', async () => {
    expect((await guarded(['2022-01-05 10:00:00', '2022-01-05T10:00:00.123456', '2022-01-05 10:00:00Z'], 'TIMESTAMP')).ok).toBe(true);
    expect((await guarded(['2022-01-05', '2022-1-5'], 'DATE')).ok).toBe(true);
    expect((await guarded(['2022-01-05 10:00:00+02:00'], 'TIMESTAMP WITH TIME ZONE')).ok).toBe(true);
  });

  it('raise on an offset, a tenth digit of a microsecond, a time on a date', async () => {
    expect((await guarded(['2022-01-05 10:00:00', '2022-01-05 10:00:00+02:00'], 'TIMESTAMP')).ok).toBe(false);
    expect((await guarded(['2022-01-05 10:00:00.123456789'], 'TIMESTAMP')).ok).toBe(false);
    expect((await guarded(['2022-01-05 10:00:00.123456789+01:00'], 'TIMESTAMP WITH TIME ZONE')).ok).toBe(false);
    expect((await guarded(['2022-01-05', '2022-01-05 10:00:00'], 'DATE')).ok).toBe(false);
  });
});

describe('the type a column is given when its sniffed one would change a value', () => {
  it('is the narrowest that holds every value, else text', async () => {
    await engine.run(`CREATE OR REPLACE TABLE texts AS SELECT * FROM (VALUES
      ('2022-01-05', '2022-01-05 10:00:00', '2022-01-05 10:00:00.1234567', '10:00:00', '2022-01-05 10:00:00'),
      ('2022-01-06 10:00:00', '2022-01-05 10:00:00+02:00', '2022-01-05 10:00:00', '10:00:00+05', '2022-01-05 10:00:00.1+02:00'),
      (NULL, NULL, NULL, NULL, '2022-01-05 10:00:00.123456789+02:00')) t(d, tz, ns, tm, mixed)`);
    const types = await losslessTypes(engine, 'texts', {
      d: { type: 'DATE' },
      tz: { type: 'TIMESTAMP' },
      ns: { type: 'TIMESTAMP' },
      tm: { type: 'TIME' },
      mixed: { type: 'TIMESTAMP' },
    });
    expect(Object.fromEntries([...types].map(([c, t]) => [c, t.type]))).toEqual({
      d: 'TIMESTAMP',
      tz: 'TIMESTAMP WITH TIME ZONE',
      ns: 'TIMESTAMP_NS',
      tm: 'VARCHAR',
      mixed: 'TIMESTAMP_NS',
    });
  });
});

/** A CSV whose column `v` holds `early(i)` for the sniffed rows and `late` after them. */
function lateCsv(name: string, early: (i: number) => string, late: string): string {
  const lines = ['id,v'];
  for (let i = 0; i < SNIFF_ROWS + 5000; i++) lines.push(`${i},${i >= SNIFF_ROWS + 1000 ? late : early(i)}`);
  const file = join(dir, name);
  writeFileSync(file, `${lines.join('\n')}\n`);
  return file;
}

describe('CSV columns that gain a part after the sniffed rows', () => {
  const cases: [string, (i: number) => string, string, string, string][] = [
    ['a time on a date', (i) => `2022-01-${String(1 + (i % 28)).padStart(2, '0')}`, '2022-02-01 10:00:00', '2022-02-01 23:00:00', 'TIMESTAMP'],
    ['an offset on a timestamp', (i) => `2022-01-01 ${String(i % 24).padStart(2, '0')}:00:00`, '2022-02-01 10:00:00+02:00', '2022-02-01 10:00:00+05:00', 'TIMESTAMP WITH TIME ZONE'],
    ['nanoseconds', (i) => `2022-01-01 ${String(i % 24).padStart(2, '0')}:00:00.5`, '2022-02-01 10:00:00.123456789', '2022-02-01 10:00:00.123456781', 'TIMESTAMP_NS'],
    ['an offset on a time of day', (i) => `${String(i % 24).padStart(2, '0')}:00:00`, '10:00:00+02', '10:00:00+05', 'VARCHAR'],
  ];
  for (const [what, early, a, b, type] of cases) {
    it(`${what}: read as ${type}, and a change there is never "equal"`, async () => {
      const research = lateCsv(`${type}-a.csv`, early, a);
      const production = lateCsv(`${type}-b.csv`, early, b);
      const reader = await Engine.open({ readableDirs: [dir] });
      try {
        const ds = await openDataset(reader, resolveInput(research), 'late');
        expect(ds.columns.find((c) => c.name === 'v')?.type).toBe(type);
      } finally {
        reader.close();
      }
      const report = await runData(research, production, { key: ['id'], stats: false });
      expect(report.verdict).not.toBe('equal');
      expect(report.findings.some((f) => f.columns.includes('v') && f.rowsAffected === 4000)).toBe(true);
      // Equivalent inputs stay equal: the file against itself.
      expect((await runData(research, research, { key: ['id'], stats: false })).verdict).toBe('equal');
    });
  }
});

describe('NDJSON timestamps that gain an offset after the sampled records', () => {
  it('are read (no transform error) and a changed offset is never "equal"', async () => {
    const write = (name: string, offset: string) => {
      const lines: string[] = [];
      for (let i = 0; i < SNIFF_ROWS + 5000; i++) {
        const v = i < SNIFF_ROWS + 1000 ? `2022-01-01 ${String(i % 24).padStart(2, '0')}:00:00` : `2022-02-01 10:00:00${offset}`;
        lines.push(JSON.stringify({ id: i, v }));
      }
      writeFileSync(join(dir, name), `${lines.join('\n')}\n`);
      return join(dir, name);
    };
    const research = write('a.ndjson', '+02:00');
    const report = await runData(research, write('b.ndjson', '+05:00'), { key: ['id'], stats: false });
    expect(report.verdict).not.toBe('equal');
    expect(report.findings.some((f) => f.columns.includes('v') && f.rowsAffected === 4000)).toBe(true);
    expect((await runData(research, research, { key: ['id'], stats: false })).verdict).toBe('equal');
  });
});
