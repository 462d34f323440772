import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import parquet from '@dsnp/parquetjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runData } from '../../src/run/data.js';

/**
 * Parquet written by an independent writer (parquetjs, not DuckDB) reads the same: compared with the
 * CSV of the same rows, nothing differs (widening between the writers' types is informational only).
 */
const dir = mkdtempSync(join(tmpdir(), 'reprodiff-parquetjs-'));
const pq = join(dir, 'rows.parquet');
const csv = join(dir, 'rows.csv');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const rows = Array.from({ length: 300 }, (_v, i) => ({
  id: i + 1,
  amount: i % 17 === 0 ? null : Math.round(Math.sin(i) * 1e6) / 1e3,
  ratio: i / 7,
  city: ['Paris', 'Lyon', 'Zürich', 'New York, NY', ''][i % 5]!,
  active: i % 3 === 0,
  at: new Date(Date.UTC(2024, 0, 1) + i * 3_600_000),
}));

beforeAll(async () => {
  const schema = new parquet.ParquetSchema({
    id: { type: 'INT64' },
    amount: { type: 'DOUBLE', optional: true },
    ratio: { type: 'DOUBLE' },
    city: { type: 'UTF8' },
    active: { type: 'BOOLEAN' },
    at: { type: 'TIMESTAMP_MILLIS' },
  });
  const writer = await parquet.ParquetWriter.openFile(schema, pq);
  for (const r of rows) await writer.appendRow({ ...r, id: BigInt(r.id), amount: r.amount ?? undefined });
  await writer.close();
  const cell = (v: unknown) => (v === null ? '' : v instanceof Date ? v.toISOString().replace('T', ' ').replace('Z', '') : typeof v === 'string' ? `"${v.replaceAll('"', '""')}"` : String(v));
  writeFileSync(csv, `id,amount,ratio,city,active,at\n${rows.map((r) => [r.id, r.amount, r.ratio, r.city, r.active, r.at].map(cell).join(',')).join('\n')}\n`);
});

describe('an independent Parquet writer', () => {
  it('reads the same as the CSV of the same rows, keyed and not', async () => {
    for (const key of [['id'], undefined]) {
      const report = await runData(pq, csv, { key });
      const breaking = report.findings.filter((f) => f.severity !== 'info');
      expect(breaking, JSON.stringify(breaking)).toEqual([]);
      expect((report.stages[0]!.summary as { research: { rows: number } }).research.rows).toBe(300);
    }
  });

  it('a changed value in the parquetjs file is found', async () => {
    const changed = join(dir, 'changed.csv');
    const text = (await import('node:fs'))
      .readFileSync(csv, 'utf8')
      .replace('\n2,', '\n2,')
      .replace(/\n5,([^,]*),/, '\n5,999.5,');
    writeFileSync(changed, text);
    const report = await runData(pq, changed, { key: ['id'] });
    const f = report.findings.find((x) => x.severity === 'error');
    expect(f?.columns).toEqual(['amount']);
    expect(f?.sampleKeys).toEqual([5]);
  });
});
