import pg from 'pg';
import { inject } from 'vitest';
import type { PgTestServer } from './global-setup.js';

/** The test server, or null when the global setup could not start one (the run said so in one line). */
export function pgServer(): PgTestServer | null {
  const v = inject('pg');
  return v && !('skip' in v) ? v : null;
}

/** The URL of a table or query for the read-only test user, password in the URL unless `password: false`. */
export function pgUrl(s: PgTestServer, fragment: string, options: { password?: boolean; port?: number } = {}): string {
  const auth = options.password === false ? s.user : `${s.user}:${encodeURIComponent(s.password)}`;
  return `postgres://${auth}@${s.host}:${options.port ?? s.port}/${s.database}#${fragment}`;
}

/** Runs SQL as the admin (fixtures only: the CLI never writes). */
export async function adminSql(s: PgTestServer, sql: string, params: unknown[] = []): Promise<pg.QueryResult> {
  const c = new pg.Client({ host: s.host, port: s.port, user: s.adminUser, password: s.adminPassword, database: s.database });
  await c.connect();
  try {
    return await c.query(sql, params);
  } finally {
    await c.end();
  }
}
