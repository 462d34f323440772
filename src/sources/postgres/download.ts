import { rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Engine } from '../../engine/engine.js';
import { ident, literal } from '../../engine/quote.js';
import type { ResearchColumn } from '../../compare/data/categories.js';
import { toNumber } from '../../compare/shared/values.js';
import { ReprodiffError } from '../../errors.js';
import { PgSession } from './client.js';
import type { RemoteColumn, SqlDialect } from './dialect.js';
import { postgresDialect } from './postgres-dialect.js';
import type { DatabaseTarget } from './url.js';

/** The FROM item of a target: a quoted table name, or the user's query in parentheses. */
export function relationSql(target: DatabaseTarget, dialect: SqlDialect = postgresDialect): string {
  const r = target.relation;
  if ('query' in r) return `(${r.query})`;
  return r.schema ? `${dialect.ident(r.schema)}.${dialect.ident(r.table)}` : dialect.ident(r.table);
}

/** The local DuckDB type of each remote column, or a one-line error naming the first that cannot be compared. */
export function localColumns(target: DatabaseTarget, columns: readonly RemoteColumn[], dialect: SqlDialect = postgresDialect): { remote: RemoteColumn; type: string }[] {
  if (columns.length === 0) throw new ReprodiffError('E_EMPTY', `${target.label}: no columns`, { suggestion: 'select at least one column' });
  const seen = new Set<string>();
  for (const c of columns) {
    if (seen.has(c.name)) throw new ReprodiffError('E_DATABASE', `${target.label}: two columns are named '${c.name}'`, { suggestion: 'give each column its own name (AS …) in the query' });
    seen.add(c.name);
  }
  return columns.map((c) => {
    const type = dialect.localType(c);
    if (!type) {
      throw new ReprodiffError('E_DATABASE', `${target.label}: column '${c.name}' is ${c.type}, a type reprodiff cannot compare`, {
        suggestion: `select it cast to a comparable type in a query, e.g. #SELECT …, ${dialect.ident(c.name)}::text AS ${dialect.ident(c.name)} FROM …`,
      });
    }
    return { remote: c, type };
  });
}

/**
 * Mode "download": streams the table or query into a DuckDB temp table. COPY … TO STDOUT (CSV) goes chunk by
 * chunk into a file in the engine's private temp folder (never whole into JavaScript memory), which DuckDB
 * reads with the schema derived from the PostgreSQL types (no sniffing) and spills under --memory-limit;
 * the file is removed once loaded. Returns the rows transferred.
 */
export async function downloadTable(engine: Engine, target: DatabaseTarget, name: string): Promise<number> {
  const session = await PgSession.open(target, engine.database);
  try {
    return await downloadWith(engine, session, target, relationSql(target), name);
  } finally {
    await session.close();
  }
}

/** The download through an open session (bisection downloads its segments in the snapshot it hashed). */
export async function downloadWith(engine: Engine, session: PgSession, target: DatabaseTarget, from: string, name: string): Promise<number> {
  const columns = localColumns(target, await session.describe(from));
  const select = `SELECT ${columns.map((c) => postgresDialect.exportExpr(c.remote)).join(', ')} FROM ${from} AS q`;
  return copyRows(
    engine,
    session,
    target,
    select,
    columns.map((c) => ({ name: c.remote.name, type: c.type })),
    name,
  );
}

/**
 * Streams the rows of `select` (its columns exported as `exportExpr` exports them) into the DuckDB temp table
 * `name`, read with the given local schema, through a file in the engine's private temp folder that is removed
 * once loaded. The pushdown loads the differing rows of its join this way, so they are read exactly as a
 * download reads them. Returns the rows transferred.
 */
export async function copyRows(engine: Engine, session: PgSession, target: DatabaseTarget, select: string, columns: readonly { name: string; type: string }[], name: string): Promise<number> {
  const file = join(engine.spillDir, `${name}.csv`);
  try {
    const rows = await session.copyToFile(select, file);
    const schema = `{${columns.map((c) => `${literal(c.name)}: ${literal(c.type)}`).join(', ')}}`;
    try {
      await engine.run(
        `CREATE TEMP TABLE ${ident(name)} AS SELECT * FROM read_csv(${literal(file)}, columns = ${schema}, header = false, auto_detect = false, delim = ',', quote = '"', escape = '"', allow_quoted_nulls = false, nullstr = '')`,
      );
    } catch (e) {
      if (e instanceof ReprodiffError) throw e;
      const line = (e as Error).message.split('\n')[0]!.replace(/^[A-Za-z ]+Error:\s*/, '');
      throw new ReprodiffError('E_DATABASE', `${target.label}: a value cannot be read into DuckDB: ${line}`, {
        suggestion: 'cast the column to another type in a query (e.g. numeric holding NaN to float8)',
      });
    }
    return rows;
  } finally {
    rmSync(file, { force: true });
  }
}

/**
 * A research text column of a database table, for the new-category rule when only the differing rows were
 * fetched: its distinct values with their counts, grouped as bytes (COLLATE "C", as DuckDB compares text) in one
 * pass on the server, loaded into the DuckDB temp table `name` (the values under the column's own name). At most
 * `cap` + 1 values come back: past the cap the column is no category column whatever its count.
 */
export async function remoteResearchColumn(engine: Engine, session: PgSession, target: DatabaseTarget, from: string, column: RemoteColumn, name: string, cap: number): Promise<ResearchColumn> {
  const n = column.name === 'n' ? 'nn' : 'n';
  const value = `(${postgresDialect.exportExpr(column)})::text COLLATE "C"`;
  const select = `SELECT ${value} AS v, count(*) AS n FROM ${from} AS q WHERE ${postgresDialect.ident(column.name)} IS NOT NULL GROUP BY 1 LIMIT ${cap + 1}`;
  await copyRows(
    engine,
    session,
    target,
    select,
    [
      { name: column.name, type: 'VARCHAR' },
      { name: n, type: 'BIGINT' },
    ],
    name,
  );
  const row = await engine.one(`SELECT count(*) AS d, sum(${ident(n)}) AS c FROM ${ident(name)}`);
  return { relation: ident(name), shape: { distinct: toNumber(row.d) ?? 0, count: toNumber(row.c) ?? 0 } };
}
