import { createWriteStream } from 'node:fs';
import pg from 'pg';
import type { DatabaseOptions } from '../../engine/engine.js';
import { ReprodiffError } from '../../errors.js';
import type { RemoteColumn } from './dialect.js';
import { postgresDialect } from './postgres-dialect.js';
import { passwordFromFile } from './pgpass.js';
import type { DatabaseTarget } from './url.js';

/**
 * One session on a PostgreSQL server, inside ONE read-only transaction (REPEATABLE READ: every query of the
 * run sees the same snapshot). Nothing reprodiff sends can write: the server refuses it. Every error comes out
 * as a one-line ReprodiffError naming the input by its credential-free label, with any secret scrubbed.
 */
export class PgSession {
  private constructor(
    private readonly client: pg.Client,
    readonly target: DatabaseTarget,
    private readonly secrets: string[],
  ) {}

  /**
   * `snapshot`: a snapshot another session of the run exported (exportSnapshot), which this session's transaction
   * then reads, so that two sessions can work at once on the very same data.
   */
  static async open(target: DatabaseTarget, options: DatabaseOptions = {}, snapshot?: string): Promise<PgSession> {
    const secrets: string[] = [];
    const password = async (params: { host: string; port: number; database: string; user: string }) => {
      const p = process.env.PGPASSWORD || passwordFromFile({ host: params.host ?? '', port: String(params.port ?? ''), database: params.database ?? '', user: params.user ?? '' });
      if (p) secrets.push(p);
      return p;
    };
    const fromUrl = safePassword(target.connectionString);
    if (fromUrl) secrets.push(fromUrl);
    if (process.env.PGPASSWORD) secrets.push(process.env.PGPASSWORD);
    const timeout = options.timeoutMs && options.timeoutMs > 0 ? options.timeoutMs : 0;
    const client = new pg.Client({
      connectionString: target.connectionString,
      application_name: 'reprodiff',
      connectionTimeoutMillis: timeout || 30_000,
    });
    // Without a password in the URL: PGPASSWORD, then the password file, looked up by us (pg's own pgpass
    // lookup prints a deprecation warning). Set after construction: the parsed URL would override it.
    if (!fromUrl) (client as unknown as { password: unknown }).password = password;
    // A dropped connection emits 'error' on the client; the query in flight rejects with it too.
    client.on('error', () => {});
    const session = new PgSession(client, target, secrets);
    try {
      await client.connect();
    } catch (e) {
      await client.end().catch(() => {});
      throw session.translate(e, 'connect');
    }
    try {
      await client.query("SET TimeZone = 'UTC'");
      await client.query("SET DateStyle = 'ISO, YMD'");
      await client.query("SET IntervalStyle = 'iso_8601'");
      await client.query('SET extra_float_digits = 1');
      await client.query("SET client_encoding = 'UTF8'");
      await client.query(`SET statement_timeout = ${Math.round(timeout)}`);
      // JIT compilation of the pushed-down diff's few hundred probe expressions took 15-25 s at 1M rows (the
      // query itself ~5 s): the expressions run over the few differing rows only, so compiling never pays.
      await client.query('SET jit = off');
      await client.query('BEGIN TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY');
      if (snapshot) await client.query(`SET TRANSACTION SNAPSHOT ${postgresDialect.literal(snapshot)}`);
    } catch (e) {
      await session.close();
      throw session.translate(e, 'connect');
    }
    return session;
  }

  /** Runs a query (values bound as parameters) and returns its rows. */
  async query(sql: string, params: readonly unknown[] = []): Promise<Record<string, unknown>[]> {
    try {
      return (await this.client.query(sql, params as unknown[])).rows;
    } catch (e) {
      throw this.translate(e, 'query');
    }
  }

  /**
   * Exports this transaction's snapshot for another session (open(…, snapshot)); valid while this transaction is
   * open. Null on a standby in recovery, which is not asked (the export cannot be tried in a savepoint: PostgreSQL
   * refuses to export from a subtransaction, and a refusal outside one would abort the run's transaction).
   */
  async exportSnapshot(): Promise<string | null> {
    if ((await this.query('SELECT pg_is_in_recovery() AS r'))[0]!.r === true) return null;
    return String((await this.query('SELECT pg_export_snapshot() AS s'))[0]!.s);
  }

  /** The columns of a relation or query (no row is read), with their types resolved through domains. */
  async describe(relationSql: string): Promise<RemoteColumn[]> {
    let fields: pg.FieldDef[];
    try {
      fields = (await this.client.query(`SELECT * FROM ${relationSql} AS q LIMIT 0`)).fields;
    } catch (e) {
      throw this.translate(e, 'query');
    }
    if (fields.length === 0) return [];
    const rows = await this.query(
      `SELECT f.i, format_type(f.oid, f.typmod) AS type, bt.typname AS base, bt.typcategory AS category,
              CASE WHEN t.typtype = 'd' THEN t.typtypmod ELSE f.typmod END AS typmod
       FROM unnest($1::oid[], $2::int4[]) WITH ORDINALITY AS f(oid, typmod, i)
       JOIN pg_type t ON t.oid = f.oid
       JOIN pg_type bt ON bt.oid = CASE WHEN t.typtype = 'd' THEN t.typbasetype ELSE t.oid END
       ORDER BY f.i`,
      [fields.map((f) => f.dataTypeID), fields.map((f) => f.dataTypeModifier)],
    );
    return fields.map((f, i) => ({ name: f.name, type: String(rows[i]!.type), base: String(rows[i]!.base), typmod: Number(rows[i]!.typmod), category: String(rows[i]!.category) }));
  }

  /**
   * Streams `COPY (select) TO STDOUT (FORMAT csv)` into a file, chunk by chunk, pausing the socket while the
   * file catches up: the table never sits in JavaScript memory. Returns the row count the server reports.
   */
  async copyToFile(selectSql: string, file: string): Promise<number> {
    try {
      return await new Promise<number>((resolve, reject) => {
        this.client.query(new CopyToFile(`COPY (${selectSql}) TO STDOUT WITH (FORMAT csv)`, file, (err, rows) => (err ? reject(err) : resolve(rows))) as never);
      });
    } catch (e) {
      throw this.translate(e, 'query');
    }
  }

  /** Ends the transaction (nothing to commit: it is read-only) and the connection. */
  async close(): Promise<void> {
    try {
      await this.client.query('ROLLBACK');
    } catch {
      // already failed or closed
    }
    await this.client.end().catch(() => {});
  }

  /** A database error as one line naming the input; never a password (scrubbed even if a server echoed one). */
  translate(e: unknown, during: 'connect' | 'query'): ReprodiffError {
    if (e instanceof ReprodiffError) return e;
    const err = e as Error & { code?: string; errno?: number; address?: string; port?: number };
    const label = this.target.label;
    const where = `${this.target.server.host || process.env.PGHOST || 'localhost'}${this.target.server.port || process.env.PGPORT ? `:${this.target.server.port || process.env.PGPORT}` : ''}`;
    const raw = (err?.message ?? String(e)).split('\n')[0]!;
    const msg = this.scrub(raw);
    const make = (code: 'E_DATABASE' | 'E_TIMEOUT', text: string, suggestion: string) => new ReprodiffError(code, this.scrub(`${label}: ${text}`), { suggestion, cause: undefined });
    switch (err?.code) {
      case 'ECONNREFUSED':
      case 'ENOTFOUND':
      case 'EHOSTUNREACH':
      case 'ECONNRESET':
      case 'ETIMEDOUT':
      case 'EAI_AGAIN':
      case 'ENOENT':
        return make('E_DATABASE', `cannot reach the PostgreSQL server at ${where} (${err.code})`, 'check the host and port, and that the server is running');
      case '28P01':
      case '28000':
        return make('E_DATABASE', `authentication failed: ${msg}`, 'check the user and the password (PGPASSWORD or the password file)');
      case '3D000':
        return make('E_DATABASE', msg, 'check the database name in the URL');
      case '42P01':
        return make('E_DATABASE', `no such table: ${msg}`, 'check the schema and table name after #; names are case-sensitive as written');
      case '3F000':
        return make('E_DATABASE', `no such schema: ${msg}`, 'check the schema name after #');
      case '42703':
        return make('E_DATABASE', `no such column: ${msg}`, 'check the column names');
      case '42501':
        return make('E_DATABASE', `permission denied: ${msg}`, 'the user needs SELECT on the table');
      case '57014':
        return make('E_TIMEOUT', 'the statement timed out (--timeout)', 'raise --timeout, or compare a smaller query');
      case '25006':
        return make('E_DATABASE', `the query tries to write, and reprodiff only reads: ${msg}`, 'give a SELECT');
      default:
        if (/timeout/i.test(raw) && during === 'connect')
          return make('E_DATABASE', `cannot reach the PostgreSQL server at ${where} (timed out)`, 'check the host and port, and that the server is running');
        if (err?.code && /^[0-9A-Z]{5}$/.test(err.code)) return make('E_DATABASE', `${during === 'connect' ? 'cannot connect' : 'the query failed'}: ${msg}`, 'check the URL, the table or the query');
        if (during === 'connect') return make('E_DATABASE', `cannot connect: ${msg}`, 'check the URL (postgres://user@host:5432/database#table)');
        return make('E_DATABASE', `the database read failed: ${msg}`, 'check the server and the query');
    }
  }

  private scrub(text: string): string {
    let out = text;
    for (const s of this.secrets) if (s) out = out.split(s).join('***');
    return out;
  }
}

function safePassword(connectionString: string): string | undefined {
  try {
    const u = new URL(connectionString.replace(/^postgres(ql)?:/i, 'postgres:'));
    return (u.password ? decodeURIComponent(u.password) : undefined) ?? u.searchParams.get('password') ?? undefined;
  } catch {
    return undefined;
  }
}

const BATCH_BYTES = 1 << 20;

/**
 * A pg "submittable" that runs one COPY … TO STDOUT and writes the CopyData chunks to a file, with
 * backpressure (the socket is paused while the file stream is full). pg's client hands every protocol
 * message of the active query to these handlers.
 */
class CopyToFile {
  private rows = 0;
  private error: Error | null = null;
  private readonly out;
  private finished = false;
  private batch = Buffer.allocUnsafe(BATCH_BYTES);
  private used = 0;

  constructor(
    readonly text: string,
    file: string,
    private readonly callback: (err: Error | null, rows: number) => void,
  ) {
    this.out = createWriteStream(file);
    this.out.on('error', (e) => {
      this.error ??= e;
    });
  }

  submit(connection: { query(text: string): void; stream: NodeJS.ReadableStream }): void {
    connection.query(this.text);
    this.out.on('drain', () => connection.stream.resume());
  }

  /**
   * Each CopyData message is one row, and its chunk is a view into pg's read buffer, which is reused: the bytes
   * are copied at once into a 1 MiB batch, written when full (a write keeps a reference until it is flushed).
   */
  handleCopyData(msg: { chunk: Buffer }, connection: { stream: NodeJS.ReadableStream }): void {
    const chunk = msg.chunk;
    if (this.used + chunk.length > this.batch.length) this.flush(connection);
    if (chunk.length > this.batch.length) {
      if (!this.out.write(Buffer.from(chunk))) connection.stream.pause();
      return;
    }
    chunk.copy(this.batch, this.used);
    this.used += chunk.length;
  }

  private flush(connection: { stream: NodeJS.ReadableStream }): void {
    if (this.used === 0) return;
    const full = this.batch.subarray(0, this.used);
    this.batch = Buffer.allocUnsafe(BATCH_BYTES);
    this.used = 0;
    if (!this.out.write(full)) connection.stream.pause();
  }

  handleCommandComplete(msg: { text?: string }): void {
    const n = /COPY (\d+)/.exec(msg.text ?? '');
    if (n) this.rows = Number(n[1]);
  }

  /** pg's client drops the active query on an error (no ReadyForQuery reaches it), so an error ends the copy here. */
  handleError(e: Error, connection: { stream: NodeJS.ReadableStream }): void {
    this.error ??= e;
    this.handleReadyForQuery(connection);
  }

  handleReadyForQuery(connection: { stream: NodeJS.ReadableStream }): void {
    if (this.finished) return;
    this.finished = true;
    // The socket may still be paused for the last chunks ('drain' is not emitted once the file is ending).
    if (!this.error) this.flush(connection);
    connection.stream.resume();
    this.out.end(() => this.callback(this.error, this.rows));
  }

  // Messages a COPY does not produce; present so pg's client can call them.
  handleRowDescription(): void {}
  handleDataRow(): void {}
  handleEmptyQuery(): void {}
  handlePortalSuspended(): void {}
  handleCopyInResponse(connection: { sendCopyFail(msg: string): void }): void {
    connection.sendCopyFail('reprodiff only reads');
  }
}

export { postgresDialect };
