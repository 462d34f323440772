/**
 * Every predictions finding names the prediction column(s); rows affected are exact for a relabelled
 * ground truth and for duplicated predictions.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertValidReport } from '../helpers/schema.js';
import { ROOT, runJson } from '../helpers/cli.js';

const work = mkdtempSync(join(tmpdir(), 'reprodiff-predcols-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));
const src = join(ROOT, 'tests/fixtures/predictions/equal');
const q = (s: string) => `'${s.replaceAll("'", "''")}'`;

beforeAll(async () => {
  const db = await DuckDBInstance.create(':memory:');
  const con = await db.connect();
  const prod = `read_csv(${q(join(src, 'production.csv'))})`;
  // A relabelling job re-ran on production: the target of every id ending in 7 is flipped (40 ids).
  await con.run(`COPY (SELECT CASE WHEN id % 10 = 7 THEN 1 - y ELSE y END AS y, proba, id FROM ${prod}) TO ${q(join(work, 'relabelled.csv'))} (HEADER)`);
  // An append that re-scored 9 ids without removing the old rows.
  await con.run(`COPY (SELECT * FROM ${prod} UNION ALL SELECT y, proba + 0.01, id FROM ${prod} WHERE id <= 9) TO ${q(join(work, 'appended.csv'))} (HEADER)`);
  con.closeSync();
  db.closeSync();
});

describe('predictions findings name the prediction column and exact rows', () => {
  it('a changed ground truth: value_changed on y and the score, 40 rows exactly', async () => {
    const r = await runJson(['predictions', join(src, 'research.csv'), join(work, 'relabelled.csv'), '--key', 'id']);
    assertValidReport(r.json);
    expect(r.code).toBe(1);
    const [f] = r.json.findings.filter((x: any) => x.cause === 'value_changed');
    expect(f).toMatchObject({ severity: 'error', columns: ['y', 'proba'], rowsAffected: 40 });
    expect(f.sampleKeys).toEqual([7, 17, 27, 37, 47]);
  });

  it('duplicated predictions: duplicate_keys names the score column and the key, 9 extra rows', async () => {
    const r = await runJson(['predictions', join(src, 'research.csv'), join(work, 'appended.csv'), '--key', 'id']);
    assertValidReport(r.json);
    const [f] = r.json.findings.filter((x: any) => x.cause === 'duplicate_keys');
    expect(f).toMatchObject({ columns: ['proba', 'id'], rowsAffected: 9 });
  });

  it('every finding of both runs names a prediction column', async () => {
    for (const file of ['relabelled.csv', 'appended.csv']) {
      const r = await runJson(['predictions', join(src, 'research.csv'), join(work, file), '--key', 'id']);
      for (const f of r.json.findings) expect(f.columns, f.cause).toContain('proba');
    }
  });
});
