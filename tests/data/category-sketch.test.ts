/**
 * Without statistics, whether a changed text column is a category column (new_category) is decided by DuckDB's
 * distinct-count sketch first: a column it puts far past the cap is an identifier, and only the rest are counted
 * exactly. Identifiers edited stay value_changed, a category column's unseen value is new_category, with and
 * without statistics alike.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rmSync } from 'node:fs';
import { runData } from '../../src/run/data.js';
import { duck, tempDir } from '../snapshot/helpers.js';

const dir = tempDir('reprodiff-category-sketch-');
const path = (f: string) => join(dir, f);
const ROWS = 60_000;

beforeAll(async () => {
  const table = (edit: boolean) => `SELECT range AS id,
    ${edit ? `CASE WHEN range % 9000 = 7 THEN 'edited-' || range ELSE 'user-' || range END` : `'user-' || range`} AS login,
    ${edit ? `CASE WHEN range % 15000 = 11 THEN 'brand new' ELSE 'c' || (range % 40) END` : `'c' || (range % 40)`} AS cat
    FROM range(${ROWS})`;
  await duck(`COPY (${table(false)}) TO '${path('research.parquet')}' (FORMAT parquet)`, `COPY (${table(true)}) TO '${path('production.parquet')}' (FORMAT parquet)`);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('new_category without statistics: the sketch decides identifiers, exact counts decide the rest', () => {
  for (const stats of [false, true]) {
    it(`${stats ? 'with' : 'without'} statistics: an edited identifier is value_changed, an unseen category new_category`, async () => {
      const report = await runData(path('research.parquet'), path('production.parquet'), { key: ['id'], stats });
      const causes = report.findings.map((f) => `${f.cause}:${f.columns.join(',')}:${f.rowsAffected}`).sort();
      expect(causes).toEqual(['new_category:cat:4', 'value_changed:login:7']);
    });
  }
});
