/**
 * Vitest global setup: one throwaway PostgreSQL server for every test file under tests/postgres/ (started
 * only when the run includes them), with the fixture database loaded, removed at the end of the run.
 *
 * When no server can be started, the run says so in ONE line and the PostgreSQL tests are skipped; under
 * CI (`CI=true`) the run fails instead, so a CI image without PostgreSQL cannot pass by skipping them
 * (docs/decisions.md, "Databases").
 */
import { readFileSync } from 'node:fs';
import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { DATABASE, READER_PASSWORD, READER_USER, startServer, stopServer } from './server.js';
import type { PgServer } from './server.js';

export interface PgTestServer {
  readonly host: string;
  readonly port: number;
  readonly socketDir: string;
  readonly database: string;
  readonly adminUser: string;
  readonly adminPassword: string;
  readonly user: string;
  readonly password: string;
}

declare module 'vitest' {
  export interface ProvidedContext {
    pg: PgTestServer | { skip: string };
  }
}

/** True when this run includes the PostgreSQL tests (no path filter, or a filter naming them). */
function runsPostgresTests(): boolean {
  const args = process.argv.slice(2).filter((a) => !a.startsWith('-') && a !== 'run' && a !== 'watch' && !/vitest/.test(a));
  return args.length === 0 || args.some((a) => /postgres/i.test(a));
}

let server: PgServer | undefined;

export async function setup(project: TestProject): Promise<void> {
  if (!runsPostgresTests()) {
    project.provide('pg', { skip: 'not in this run' });
    return;
  }
  try {
    server = await startServer();
    await loadFixtures(server);
  } catch (e) {
    if (server) stopServer(server);
    server = undefined;
    const line = (e as Error).message.split('\n')[0];
    if (process.env.CI === 'true' || process.env.CI === '1') {
      throw new Error(`PostgreSQL tests cannot run under CI: ${line}`);
    }
    process.stderr.write(`\nreprodiff tests: PostgreSQL tests SKIPPED — ${line}\n\n`);
    project.provide('pg', { skip: line });
    return;
  }
  project.provide('pg', {
    host: server.host,
    port: server.port,
    socketDir: server.socketDir,
    database: DATABASE,
    adminUser: server.adminUser,
    adminPassword: server.adminPassword,
    user: READER_USER,
    password: READER_PASSWORD,
  });
}

export async function teardown(): Promise<void> {
  if (server) stopServer(server);
}

async function loadFixtures(s: PgServer): Promise<void> {
  const admin = new pg.Client({ host: s.host, port: s.port, user: s.adminUser, password: s.adminPassword, database: 'postgres' });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${DATABASE}`);
    await admin.query(`CREATE ROLE ${READER_USER} LOGIN PASSWORD '${READER_PASSWORD}'`);
  } finally {
    await admin.end();
  }
  const db = new pg.Client({ host: s.host, port: s.port, user: s.adminUser, password: s.adminPassword, database: DATABASE });
  await db.connect();
  try {
    // The reader may read whatever the tests load, and nothing else.
    await db.query(`GRANT USAGE ON SCHEMA public TO ${READER_USER}`);
    await db.query(`ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT ON TABLES TO ${READER_USER}`);
    await db.query(readFileSync(new URL('../fixtures/postgres/fixtures.sql', import.meta.url), 'utf8'));
  } finally {
    await db.end();
  }
}
