import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { diffRowsCopySql, diffRowsFormat, diffRowsSql } from '../../src/compare/data/diff-rows.js';
import { diffRowsTarget } from '../../src/report/diff-rows.js';
import { withEngine } from '../../src/engine/engine.js';

const work = mkdtempSync(join(tmpdir(), 'reprodiff-diffrows-unit-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('diffRowsSql', () => {
  it('quotes every output name and every column name literal; masked cells are a constant', () => {
    const sql = diffRowsSql(
      'rd_diff_1',
      ['id'],
      [
        { name: `a"b'c`, masked: false },
        { name: 'email', masked: true },
      ],
      'parquet',
    );
    expect(sql).toBe(`SELECT CASE WHEN (in_a IS NOT NULL AND in_b IS NOT NULL) THEN 'both' WHEN in_a IS NOT NULL THEN 'research_only' ELSE 'production_only' END AS "side",
  flatten([CASE WHEN (in_a IS NOT NULL AND in_b IS NOT NULL) AND d0 THEN ['a"b''c'] ELSE []::VARCHAR[] END, CASE WHEN (in_a IS NOT NULL AND in_b IS NOT NULL) AND d1 THEN ['email'] ELSE []::VARCHAR[] END]) AS "differing_columns",
  k0 AS "key.id",
  CASE WHEN ((in_a IS NOT NULL AND in_b IS NOT NULL) AND d0) OR (in_a IS NOT NULL AND NOT (in_a IS NOT NULL AND in_b IS NOT NULL)) THEN a0 END AS "research.a""b'c",
  CASE WHEN ((in_a IS NOT NULL AND in_b IS NOT NULL) AND d0) OR (in_b IS NOT NULL AND NOT (in_a IS NOT NULL AND in_b IS NOT NULL)) THEN b0 END AS "production.a""b'c",
  CASE WHEN ((in_a IS NOT NULL AND in_b IS NOT NULL) AND d1) OR (in_a IS NOT NULL AND NOT (in_a IS NOT NULL AND in_b IS NOT NULL)) THEN '[masked]' END AS "research.email",
  CASE WHEN ((in_a IS NOT NULL AND in_b IS NOT NULL) AND d1) OR (in_b IS NOT NULL AND NOT (in_a IS NOT NULL AND in_b IS NOT NULL)) THEN '[masked]' END AS "production.email"
FROM "rd_diff_1"
ORDER BY k0, in_a NULLS LAST, in_b NULLS LAST, a0, b0, a1, b1`);
  });

  it('CSV writes differing_columns as a JSON array text', () => {
    expect(diffRowsSql('t', ['id'], [{ name: 'x', masked: false }], 'csv')).toContain(
      `CAST(to_json(flatten([CASE WHEN (in_a IS NOT NULL AND in_b IS NOT NULL) AND d0 THEN ['x'] ELSE []::VARCHAR[] END])) AS VARCHAR) AS "differing_columns"`,
    );
  });

  it('the COPY statement quotes the path', () => {
    expect(diffRowsCopySql('SELECT 1', "/tmp/it's.csv", 'csv')).toBe("COPY (SELECT 1) TO '/tmp/it''s.csv' (FORMAT csv, HEADER true, USE_TMP_FILE false)");
    expect(diffRowsCopySql('SELECT 1', '/x.ndjson', 'ndjson')).toBe("COPY (SELECT 1) TO '/x.ndjson' (FORMAT json, USE_TMP_FILE false)");
  });
});

describe('diffRowsFormat / diffRowsTarget', () => {
  it('chooses the format by extension and refuses others', () => {
    expect(diffRowsFormat('a.PARQUET')).toBe('parquet');
    expect(diffRowsFormat('a.csv')).toBe('csv');
    expect(diffRowsFormat('a.ndjson')).toBe('ndjson');
    expect(() => diffRowsFormat('a.jsonl')).toThrow(/must end in/);
    expect(() => diffRowsFormat('a.json')).toThrow(/must end in \.parquet, \.csv or \.ndjson/);
  });

  it('picks a fresh hidden temporary name in the target folder', () => {
    const t = diffRowsTarget(join(work, 'out.parquet'));
    expect(t.temp.startsWith(join(work, '.out.parquet.reprodiff-'))).toBe(true);
    expect(() => diffRowsTarget(join(work, 'missing', 'out.parquet'))).toThrow(/no such folder/);
    mkdirSync(join(work, 'dir.parquet'));
    expect(() => diffRowsTarget(join(work, 'dir.parquet'))).toThrow(/is a folder/);
  });
});

describe('the locked engine writes the temporary name only', () => {
  it('COPY to the allowed temporary file works; any other file in that folder is refused; the temporary file goes on close', async () => {
    const t = diffRowsTarget(join(work, 'locked.csv'));
    await withEngine({ writableFiles: [t.temp] }, async (engine) => {
      await engine.run(diffRowsCopySql('SELECT 1 AS x', t.temp, 'csv'));
      expect(existsSync(t.temp)).toBe(true);
      await expect(engine.run(diffRowsCopySql('SELECT 1 AS x', join(work, 'other.csv'), 'csv'))).rejects.toThrow(/Permission|disabled/);
      await expect(engine.run(`SELECT * FROM read_csv('${join(work, 'other.csv')}')`)).rejects.toThrow();
    });
    // A temporary file not renamed away (a failed run) is removed when the engine closes.
    expect(existsSync(t.temp)).toBe(false);
    expect(existsSync(join(work, 'other.csv'))).toBe(false);
  });
});
