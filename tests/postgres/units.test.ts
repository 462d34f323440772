/** Pure pieces of the PostgreSQL module: URL parsing and redaction, the password file, type mapping, SQL text. */
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { matchSchemas } from '../../src/compare/data/columns.js';
import type { ColumnPair } from '../../src/compare/data/columns.js';
import { passwordFromFile } from '../../src/sources/postgres/pgpass.js';
import { numericTypmod, postgresDialect } from '../../src/sources/postgres/postgres-dialect.js';
import { differingRowsSql, differsSql, keyCountsSql, sideSql } from '../../src/sources/postgres/pushdown-sql.js';
import { isDatabaseInput, parseDatabaseInput, redactUrl } from '../../src/sources/postgres/url.js';
import { inputLabel, resolveInput } from '../../src/sources/resolve.js';

const dir = mkdtempSync(join(tmpdir(), 'rd-pg-units-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('postgres:// inputs', () => {
  it('parses tables, quoted names and queries; the label never holds the password', () => {
    const t = parseDatabaseInput('postgresql://ann:s3cr%23t@db.example:6543/sales?sslmode=require&password=zz#audit."My ""T"".x"');
    expect(t.label).toBe('postgresql://ann@db.example:6543/sales?sslmode=require#audit."My ""T"".x"');
    expect(t.relation).toEqual({ schema: 'audit', table: 'My "T".x' });
    expect(t.server).toEqual({ host: 'db.example', port: '6543', database: 'sales', user: 'ann' });
    expect(parseDatabaseInput('postgres://h/db#orders').relation).toEqual({ table: 'orders' });
    expect(parseDatabaseInput("postgres://h/db#SELECT * FROM t WHERE s = 'a#b'").relation).toEqual({ query: "SELECT * FROM t WHERE s = 'a#b'" });
    expect(parseDatabaseInput('postgres://h/db#(with x as (select 1) select * from x)').relation).toEqual({ query: 'with x as (select 1) select * from x' });
    expect(parseDatabaseInput('postgres://h/db#selection').relation).toEqual({ table: 'selection' });
    expect(isDatabaseInput('POSTGRES://h/db#t')).toBe(true);
    expect(isDatabaseInput('data/postgres.csv')).toBe(false);
  });

  it('refuses what it cannot read in one line, without the password', () => {
    for (const bad of ['postgres://u:pw-XYZ@h/db', 'postgres://u:pw-XYZ@h/db#a.b.c', 'postgres://u:pw-XYZ@h/db#"open', 'postgres://u:pw-XYZ@h/db#a..b']) {
      expect(() => parseDatabaseInput(bad), bad).toThrow(/^(?!.*pw-XYZ)/);
      try {
        parseDatabaseInput(bad);
      } catch (e) {
        expect((e as { code: string }).code).toBe('E_USAGE');
        expect((e as Error).message).not.toContain('pw-XYZ');
      }
    }
    expect(() => parseDatabaseInput('postgres://u:pw#XYZ@h:1/db#t')).toThrow(/the password seems to contain '#'/);
    expect(() => parseDatabaseInput('postgres://u:pw#XYZ@h:1/db#t')).not.toThrow(/XYZ/);
    expect(redactUrl('postgres://u:pw-XYZ@h:1/db')).toBe('postgres://u@h:1/db');
    expect(redactUrl('postgres://u:pw-XYZ@[bad')).not.toContain('pw-XYZ');
    expect(inputLabel('postgres://u:pw-XYZ@h/db#t')).toBe('postgres://u@h/db#t');
    expect(inputLabel('research/raw.csv')).toBe('research/raw.csv');
  });

  it('resolves to a database spec before any engine exists (no file to check)', () => {
    const spec = resolveInput('postgres://u@h/db#public.t');
    expect(spec).toMatchObject({ format: 'postgres', files: [], dirs: [], label: 'postgres://u@h/db#public.t' });
    expect(spec.database?.relation).toEqual({ schema: 'public', table: 't' });
  });
});

describe('the password file', () => {
  it('matches host, port, database and user with wildcards and escapes; ignores a file others may read', () => {
    const f = join(dir, 'pgpass');
    writeFileSync(f, ['# comment', 'other:5432:*:*:no', 'db.example:5432:sales:ann:first', '*:*:*:ann:pa\\:ss\\\\word', ''].join('\n'), { mode: 0o600 });
    const env = { PGPASSFILE: f };
    expect(passwordFromFile({ host: 'db.example', port: '5432', database: 'sales', user: 'ann' }, env)).toBe('first');
    expect(passwordFromFile({ host: 'elsewhere', port: '1', database: 'x', user: 'ann' }, env)).toBe('pa:ss\\word');
    expect(passwordFromFile({ host: 'elsewhere', port: '1', database: 'x', user: 'bob' }, env)).toBeUndefined();
    chmodSync(f, 0o644);
    expect(passwordFromFile({ host: 'db.example', port: '5432', database: 'sales', user: 'ann' }, env)).toBeUndefined();
    expect(passwordFromFile({ host: 'h', port: '1', database: 'd', user: 'u' }, { PGPASSFILE: join(dir, 'none') })).toBeUndefined();
  });
});

describe('PostgreSQL types', () => {
  const col = (base: string, typmod = -1, category = 'N') => ({ name: 'x', type: base, base, typmod, category });
  it('map to the DuckDB types a file of the same data has', () => {
    expect(numericTypmod(786438)).toEqual({ precision: 12, scale: 2 });
    expect(numericTypmod(-1)).toBeNull();
    const m = postgresDialect.localType;
    expect([m(col('int2')), m(col('int4')), m(col('int8')), m(col('float4')), m(col('float8'))]).toEqual(['SMALLINT', 'INTEGER', 'BIGINT', 'FLOAT', 'DOUBLE']);
    expect([m(col('numeric', 786438)), m(col('numeric')), m(col('numeric', ((40 << 16) | 2) + 4))]).toEqual(['DECIMAL(12,2)', 'DOUBLE', 'DOUBLE']);
    expect([m(col('bool')), m(col('date')), m(col('timestamp')), m(col('timestamptz')), m(col('text')), m(col('uuid')), m(col('mood', -1, 'E'))]).toEqual([
      'BOOLEAN',
      'DATE',
      'TIMESTAMP',
      'TIMESTAMP WITH TIME ZONE',
      'VARCHAR',
      'VARCHAR',
      'VARCHAR',
    ]);
    expect([m(col('_int4', -1, 'A')), m(col('interval')), m(col('bytea'))]).toEqual([null, null, null]);
  });
});

describe('pushed-down SQL', () => {
  const [pair] = matchSchemas([{ name: 'a"b', type: 'INTEGER' }], [{ name: 'a"b', type: 'BIGINT' }]).pairs;
  it('quotes every identifier and casts only what is not of its comparison type', () => {
    expect(sideSql(postgresDialect, '"t"', 'research', [{ pair: pair!, remoteType: 'bigint' }], [])).toBe('SELECT CAST("a""b" AS bigint) AS k0 FROM "t" AS q WHERE "a""b" IS NOT NULL');
    expect(sideSql(postgresDialect, '"t"', 'production', [{ pair: pair!, remoteType: 'bigint' }], [])).toBe('SELECT "a""b" AS k0 FROM "t" AS q WHERE "a""b" IS NOT NULL');
    expect(keyCountsSql(postgresDialect, '"t"', ['a', 'b'])).toBe(
      'SELECT count(*) AS n, count(*) FILTER (WHERE "a" IS NULL OR "b" IS NULL) AS nulls, count(DISTINCT ("a", "b")) FILTER (WHERE NOT ("a" IS NULL OR "b" IS NULL)) AS d FROM "t" AS q',
    );
    expect(differsSql(postgresDialect, 'x', 'y', pair!, { default: { abs: 0.5, rel: 0 }, perColumn: {} })).toBe(
      '(x IS DISTINCT FROM y AND NOT coalesce(abs((x)::float8 - (y)::float8) <= 0.5 + 0 * abs((x)::float8), false))',
    );
  });

  it('the differing-rows join returns both sides as a download exports them, bounded, with no value in the SQL', () => {
    const { pairs } = matchSchemas(
      [
        { name: 'id', type: 'BIGINT' },
        { name: 'mood', type: 'VARCHAR' },
      ],
      [
        { name: 'id', type: 'BIGINT' },
        { name: 'mood', type: 'VARCHAR' },
      ],
    );
    const [id, mood] = pairs as [ColumnPair, ColumnPair];
    const remote = (name: string, base: string, category = 'N') => ({ name, type: base, base, typmod: -1, category });
    const exports = [remote('id', 'int8'), remote('mood', 'mood', 'E')];
    const sql = differingRowsSql(
      postgresDialect,
      { research: '"r"', production: '(SELECT 1)' },
      [{ pair: id, remoteType: 'bigint' }],
      [{ pair: mood, remoteType: 'text' }],
      { research: exports, production: exports },
      undefined,
      501,
    );
    expect(sql).toBe(`SELECT a.k0 IS NOT NULL AS in_a, b.k0 IS NOT NULL AS in_b, a.x0 AS a0, a.x1 AS a1, b.x0 AS b0, b.x1 AS b1
FROM (SELECT "id" AS k0, CAST("mood" AS text) COLLATE "C" AS v0, "id" AS x0, "mood"::text AS x1 FROM "r" AS q WHERE "id" IS NOT NULL) AS a
FULL OUTER JOIN (SELECT "id" AS k0, CAST("mood" AS text) COLLATE "C" AS v0, "id" AS x0, "mood"::text AS x1 FROM (SELECT 1) AS q WHERE "id" IS NOT NULL) AS b ON a.k0 = b.k0
WHERE a.k0 IS NULL
    OR b.k0 IS NULL
    OR (a.v0 IS DISTINCT FROM b.v0)
LIMIT 501`);
  });
});
