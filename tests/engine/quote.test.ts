/**
 * src/engine/quote.ts is the one place names and values from data become SQL text. Checked against DuckDB
 * itself: any string (no NUL) quoted as a literal comes back unchanged, and any name quoted as an identifier
 * names exactly that column — so no data can end a literal or an identifier early.
 */
import { DuckDBInstance } from '@duckdb/node-api';
import type { DuckDBConnection } from '@duckdb/node-api';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { col, ident, listLiteral, literal } from '../../src/engine/quote.js';

let db: DuckDBInstance;
let c: DuckDBConnection;
beforeAll(async () => {
  db = await DuckDBInstance.create(':memory:');
  c = await db.connect();
});
afterAll(() => {
  c.closeSync();
  db.closeSync();
});

const noNul = fc.string({ unit: 'binary', maxLength: 40 }).filter((s) => !s.includes('\u0000'));
const HOSTILE = ["it's", 'a"b', "'; DROP TABLE t; --", '"); SELECT 1; --', '\\', '\n\r\t', '😀 \u202E', '$$', '', ' '];

describe('quote', () => {
  it('exact text', () => {
    expect(ident('a"b')).toBe('"a""b"');
    expect(literal("it's")).toBe("'it''s'");
    expect(listLiteral(['a', "b'c"])).toBe("['a', 'b''c']");
    expect(col('t', 'x"y')).toBe('t."x""y"');
    expect(() => literal('a\u0000b')).toThrow(/NUL/);
  });

  it('a literal comes back from DuckDB unchanged, for hostile and arbitrary strings', async () => {
    for (const s of HOSTILE) {
      const r = await c.runAndReadAll(`SELECT ${literal(s)} AS v`);
      expect(r.getRowObjectsJS()[0]!.v).toBe(s);
    }
    await fc.assert(
      fc.asyncProperty(noNul, async (s) => {
        const r = await c.runAndReadAll(`SELECT ${literal(s)} AS v, ${listLiteral([s, s])} AS l`);
        const row = r.getRowObjectsJS()[0]!;
        expect(row.v).toBe(s);
        expect(row.l).toEqual([s, s]);
      }),
      { numRuns: 200 },
    );
  });

  it('an identifier names exactly that column, for hostile and arbitrary names', async () => {
    const names = fc.uniqueArray(
      noNul.filter((s) => s.length > 0),
      { minLength: 1, maxLength: 4, comparator: (a, b) => a.toLowerCase() === b.toLowerCase() },
    );
    for (const list of [HOSTILE.filter((s) => s !== ''), ...fc.sample(names, 100)]) {
      await c.run('DROP TABLE IF EXISTS q');
      await c.run(`CREATE TABLE q (${list.map((n) => `${ident(n)} INTEGER`).join(', ')})`);
      await c.run(`INSERT INTO q VALUES (${list.map((_n, i) => i).join(', ')})`);
      const described = (await c.runAndReadAll('DESCRIBE q')).getRowObjectsJS().map((r) => r.column_name);
      expect(described).toEqual(list);
      const row = (await c.runAndReadAll(`SELECT ${list.map((n, i) => `${col('q', n)} AS c${i}`).join(', ')} FROM q`)).getRowObjectsJS()[0]!;
      list.forEach((_n, i) => expect(row[`c${i}`]).toBe(i));
    }
  });
});
