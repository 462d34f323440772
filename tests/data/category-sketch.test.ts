/**
 * Without statistics, whether a changed text column is a category column (new_category) is decided by the distinct
 * values of a prefix first (a lower bound: more than the cap there proves an identifier), and the rest are counted
 * exactly, so an identifier whose first rows repeat a few values is still one. Identifiers edited stay
 * value_changed, a category column's unseen value is new_category, with and without statistics alike.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rmSync } from 'node:fs';
import { runData } from '../../src/run/data.js';
import { duck, tempDir } from '../snapshot/helpers.js';

const dir = tempDir('reprodiff-category-sketch-');
const path = (f: string) => join(dir, f);
const ROWS = 100_000;

beforeAll(async () => {
  const table = (edit: boolean) => `SELECT range AS id,
    ${edit ? `CASE WHEN range % 9000 = 7 THEN 'edited-' || range ELSE 'user-' || range END` : `'user-' || range`} AS login,
    ${edit ? `CASE WHEN range % 15000 = 11 THEN 'brand new' ELSE 'c' || (range % 40) END` : `'c' || (range % 40)`} AS cat,
    ${edit ? `CASE WHEN range >= 70000 AND range % 9000 = 5 THEN 'moved-' || range WHEN range < 70000 THEN 'x' || (range % 3) ELSE 'late-' || range END` : `CASE WHEN range < 70000 THEN 'x' || (range % 3) ELSE 'late-' || range END`} AS late
    FROM range(${ROWS})`;
  await duck(`COPY (${table(false)}) TO '${path('research.parquet')}' (FORMAT parquet)`, `COPY (${table(true)}) TO '${path('production.parquet')}' (FORMAT parquet)`);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('new_category without statistics: a prefix decides identifiers, exact counts decide the rest', () => {
  for (const stats of [false, true]) {
    it(`${stats ? 'with' : 'without'} statistics: an edited identifier is value_changed, an unseen category new_category`, async () => {
      const report = await runData(path('research.parquet'), path('production.parquet'), { key: ['id'], stats });
      const causes = report.findings.map((f) => `${f.cause}:${f.columns.join(',')}:${f.rowsAffected}`).sort();
      expect(causes).toEqual(['new_category:cat:7', 'value_changed:late:4', 'value_changed:login:12']);
    });
  }
});
