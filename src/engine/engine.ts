import { DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { ReprodiffError, firstLine } from '../errors.js';
import { listLiteral, literal } from './quote.js';

export interface EngineOptions {
  /**
   * The process's memory budget, e.g. "2GB". DuckDB's buffer pool gets most of it (duckdbMemoryLimit) and
   * spills to the temp directory beyond that; the rest is left for memory outside the pool.
   */
  readonly memoryLimit?: string;
  /** Parent folder for the temporary spill directory (default: the OS temp folder). */
  readonly tempDir?: string;
  /** Worker threads (default: DuckDB's, one per core). */
  readonly threads?: number;
  /** Files DuckDB may read. Everything else on disk is refused once the engine is locked. */
  readonly readableFiles?: readonly string[];
  /** Directories DuckDB may read (globs, partitioned datasets). */
  readonly readableDirs?: readonly string[];
  /** How database inputs (postgres://) are read: statement timeout and pushdown. */
  readonly database?: DatabaseOptions;
}

/** Options of database inputs: every statement's timeout (`--timeout`) and whether comparisons run in the database (`--pushdown`). */
export interface DatabaseOptions {
  /** statement_timeout of every query, in ms (0 or absent: none). */
  readonly timeoutMs?: number;
  readonly pushdown?: 'auto' | 'always' | 'never';
}

export type Row = Record<string, unknown>;

/** Spill folders of engines still open, removed on Ctrl-C so nothing is left behind. */
const liveSpillDirs = new Set<string>();

/**
 * On SIGINT/SIGTERM: remove every open engine's spill folder, say so in one line, exit 130.
 * (DuckDB cannot be closed from a signal handler while a query runs; the process exit ends it.)
 */
export function removeSpillOnInterrupt(write: (line: string) => void = (l) => process.stderr.write(l)): void {
  const handler = (signal: NodeJS.Signals) => {
    for (const dir of liveSpillDirs) rmSync(dir, { recursive: true, force: true });
    write(`\nreprodiff: E_INTERRUPTED: interrupted by ${signal}; temporary files removed\n`);
    process.exit(130);
  };
  process.once('SIGINT', handler);
  process.once('SIGTERM', handler);
}

/**
 * The only code that talks to DuckDB. One in-memory database per run, its own temporary folder
 * (removed on close), and file access limited to the inputs: no code path can write beside them.
 */
export class Engine {
  private closed = false;

  private constructor(
    private readonly instance: DuckDBInstance,
    private readonly connection: DuckDBConnection,
    readonly spillDir: string,
    /** Options of database inputs (postgres://), read when one is opened. */
    readonly database: DatabaseOptions = {},
  ) {}

  static async open(options: EngineOptions = {}): Promise<Engine> {
    const spillDir = mkdtempSync(join(options.tempDir ? resolve(options.tempDir) : tmpdir(), 'reprodiff-'));
    liveSpillDirs.add(spillDir);
    let instance: DuckDBInstance | undefined;
    try {
      const config: Record<string, string> = { temp_directory: spillDir };
      if (options.threads) config.threads = String(options.threads);
      if (options.memoryLimit) config.memory_limit = duckdbMemoryLimit(options.memoryLimit);
      // Give freed memory back to the OS soon: cached free pages otherwise count in the RSS the limit promises.
      // The bulk threshold (default 512 MB) covers a query that frees much at once, as spilling joins do: at
      // 32 MB the predictions attribution at 10M peaked ~100 MB lower, no slower.
      config.allocator_flush_threshold = '16MB';
      config.allocator_bulk_deallocation_flush_threshold = '32MB';
      config.allocator_background_threads = 'true';
      instance = await DuckDBInstance.create(':memory:', config);
      const connection = await instance.connect();
      const engine = new Engine(instance, connection, spillDir, options.database);
      await engine.lockDown(options);
      return engine;
    } catch (e) {
      rmSync(spillDir, { recursive: true, force: true });
      liveSpillDirs.delete(spillDir);
      if (e instanceof ReprodiffError) throw e;
      throw new ReprodiffError('E_USAGE', `cannot start the engine: ${firstLine(e)}`, {
        suggestion: 'check --memory-limit (e.g. 2GB), --threads and --temp-dir',
      });
    }
  }

  private async lockDown(options: EngineOptions): Promise<void> {
    const files = (options.readableFiles ?? []).map((f) => resolve(f));
    const dirs = [...(options.readableDirs ?? []).map((d) => withSlash(resolve(d))), withSlash(this.spillDir)];
    await this.run(`SET allowed_paths = ${listLiteral(files)}`);
    await this.run(`SET allowed_directories = ${listLiteral(dirs)}`);
    await this.run('SET enable_external_access = false');
    await this.run('SET autoinstall_known_extensions = false');
    await this.run('SET autoload_known_extensions = false');
    // Row order of results must never depend on thread scheduling.
    await this.run('SET preserve_insertion_order = true');
    await this.run("SET TimeZone = 'UTC'");
    await this.run('SET lock_configuration = true');
  }

  /** Runs a statement for its effect. */
  async run(sql: string): Promise<void> {
    this.assertOpen();
    try {
      await this.connection.run(sql);
    } catch (e) {
      throw translateEngineError(e);
    }
  }

  /** Runs a query and returns its rows as plain JS objects (BIGINT as bigint, timestamps as Date). */
  async all(sql: string): Promise<Row[]> {
    this.assertOpen();
    try {
      const reader = await this.connection.runAndReadAll(sql);
      return reader.getRowObjectsJS() as Row[];
    } catch (e) {
      throw translateEngineError(e);
    }
  }

  /** Runs a query expected to return exactly one row. */
  async one(sql: string): Promise<Row> {
    const rows = await this.all(sql);
    if (rows.length !== 1) throw new Error(`expected one row, got ${rows.length}: ${sql.slice(0, 200)}`);
    return rows[0]!;
  }

  /** The column names and DuckDB types of a relation (view, table or query). */
  async describe(relation: string): Promise<{ name: string; type: string }[]> {
    const rows = await this.all(`DESCRIBE ${relation}`);
    return rows.map((r) => ({ name: String(r.column_name), type: String(r.column_type) }));
  }

  /** Gives access to the raw connection for the few things SQL cannot do (appenders). */
  get rawConnection(): DuckDBConnection {
    this.assertOpen();
    return this.connection;
  }

  /** Closes DuckDB and removes the temporary folder, whatever happened before. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    try {
      this.connection.closeSync();
      this.instance.closeSync();
    } finally {
      rmSync(this.spillDir, { recursive: true, force: true });
      liveSpillDirs.delete(this.spillDir);
    }
  }

  private assertOpen(): void {
    if (this.closed) throw new Error('engine is closed');
  }
}

/** The size units DuckDB's memory_limit reads (decimal and binary), by their lower-case spellings. */
const SIZE_UNITS: Record<string, number> = Object.fromEntries(
  (
    [
      [1, ['b', 'byte', 'bytes']],
      [1e3, ['k', 'kb', 'kilobyte', 'kilobytes']],
      [1e6, ['m', 'mb', 'megabyte', 'megabytes']],
      [1e9, ['g', 'gb', 'gigabyte', 'gigabytes']],
      [1e12, ['t', 'tb', 'terabyte', 'terabytes']],
      [2 ** 10, ['kib']],
      [2 ** 20, ['mib']],
      [2 ** 30, ['gib']],
      [2 ** 40, ['tib']],
    ] as const
  ).flatMap(([size, names]) => names.map((n) => [n, size])),
);

/** Share of --memory-limit left outside DuckDB's buffer pool, and the most that is left. */
export const OUTSIDE_POOL_SHARE = 0.08;
export const OUTSIDE_POOL_MAX = 2 ** 30;

/**
 * DuckDB's memory_limit for a process budget. The pool is not all the process holds: Node and DuckDB's code
 * (~95 MB), the Parquet reader's and the hash join's allocations outside the pool and the allocator's free pages
 * came to 200–230 MB on top of a full pool in a 10M-row join (with the allocator settings above; up to 550 MB
 * without), so the pool gets 92% of the budget (at most 1 GiB less): at 93% that join peaked at 3.00–3.02 GB
 * under a 3 GB budget. Not less: DuckDB takes the slower external join path earlier the smaller the pool (the
 * bench's data pair: 6.2–7.4 s at a 2.74–2.76 GB pool, 9 s at 2.73 GB).
 * A size DuckDB would read differently (a percentage, a typo) is passed through for DuckDB to accept or refuse.
 */
export function duckdbMemoryLimit(limit: string): string {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$/i.exec(limit);
  const unit = m ? SIZE_UNITS[(m[2] || 'b').toLowerCase()] : undefined;
  if (!m || unit === undefined) return limit;
  const bytes = Number(m[1]) * unit;
  return `${Math.round(bytes - Math.min(bytes * OUTSIDE_POOL_SHARE, OUTSIDE_POOL_MAX))}B`;
}

function withSlash(dir: string): string {
  return dir.endsWith('/') ? dir : `${dir}/`;
}

/** Out-of-memory and full-disk failures are the user's to fix (a limit, a temp dir): give them a code. */
export function translateEngineError(e: unknown): unknown {
  const line = firstLine(e);
  if (/Out of Memory Error|could not allocate|failed to allocate/i.test(line)) {
    return new ReprodiffError('E_MEMORY', `out of memory: ${line.replace(/^Out of Memory Error:\s*/i, '')}`, {
      suggestion: 'raise --memory-limit or point --temp-dir at a disk with free space so DuckDB can spill',
      cause: e,
    });
  }
  if (/No space left on device|disk is full|ENOSPC/i.test(line)) {
    return new ReprodiffError('E_DISK', `disk full while spilling to the temporary directory: ${line}`, {
      suggestion: 'point --temp-dir at a disk with more free space',
      cause: e,
    });
  }
  if (/INTERRUPT/i.test(line)) return new ReprodiffError('E_INTERRUPTED', 'interrupted', { exitCode: 130, cause: e });
  return e;
}

/** Runs `work` with an engine that is always closed (temp folder removed) afterwards. */
export async function withEngine<T>(options: EngineOptions, work: (engine: Engine) => Promise<T>): Promise<T> {
  const engine = await Engine.open(options);
  try {
    return await work(engine);
  } finally {
    engine.close();
  }
}

export { literal };
