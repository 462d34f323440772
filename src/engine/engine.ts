import { type DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
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
  /**
   * Share of memoryLimit kept outside DuckDB's buffer pool (default OUTSIDE_POOL_SHARE): more for runs whose joins
   * allocate much outside it (ATTRIBUTION_OUTSIDE_POOL_SHARE).
   */
  readonly outsidePoolShare?: number;
  /** Parent folder for the temporary spill directory (default: the OS temp folder). */
  readonly tempDir?: string;
  /** Worker threads (default: DuckDB's, one per core). */
  readonly threads?: number;
  /** Files DuckDB may read. Everything else on disk is refused once the engine is locked. */
  readonly readableFiles?: readonly string[];
  /**
   * Exact files DuckDB may write outside its spill folder: the fresh temporary names of `--diff-rows` outputs
   * (renamed into place afterwards). Nothing else beside them becomes writable.
   */
  readonly writableFiles?: readonly string[];
  /** Directories DuckDB may read (globs, partitioned datasets). */
  readonly readableDirs?: readonly string[];
  /** How database inputs (postgres://) are read: statement timeout and pushdown. */
  readonly database?: DatabaseOptions;
  /**
   * Called about twice a second while a query runs, with DuckDB's own progress (rows its sources have read of
   * the rows they will read). Only for a progress display: turning it on enables DuckDB's progress tracking.
   */
  readonly onQueryProgress?: (progress: QueryProgress) => void;
}

/** How far the running query is, as DuckDB's progress bar tracks it. */
export interface QueryProgress {
  readonly rowsDone: number;
  readonly rowsTotal: number;
  /** 0–100. */
  readonly percent: number;
}

/** How often a running query's progress is read. */
const PROGRESS_POLL_MS = 500;

/** Options of database inputs: every statement's timeout (`--timeout`) and whether comparisons run in the database (`--pushdown`). */
export interface DatabaseOptions {
  /** statement_timeout of every query, in ms (0 or absent: none). */
  readonly timeoutMs?: number;
  readonly pushdown?: 'auto' | 'always' | 'never';
}

export type Row = Record<string, unknown>;

/** Spill folders of engines still open, removed on Ctrl-C so nothing is left behind. */
const liveSpillDirs = new Set<string>();
/** Temporary output files (writableFiles) of engines still open: removed on Ctrl-C and on close when not renamed away. */
const liveTempFiles = new Set<string>();

/**
 * On SIGINT/SIGTERM: remove every open engine's spill folder, say so in one line, exit 130.
 * (DuckDB cannot be closed from a signal handler while a query runs; the process exit ends it.)
 */
export function removeSpillOnInterrupt(write: (line: string) => void = (l) => process.stderr.write(l)): void {
  const handler = (signal: NodeJS.Signals) => {
    for (const dir of liveSpillDirs) rmSync(dir, { recursive: true, force: true });
    for (const file of liveTempFiles) rmSync(file, { force: true });
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
    /** The temporary output names it may write (removed on close if still there). */
    private readonly tempFiles: readonly string[] = [],
    private readonly onQueryProgress?: (progress: QueryProgress) => void,
  ) {}

  static async open(options: EngineOptions = {}): Promise<Engine> {
    const memoryLimit = options.memoryLimit === undefined ? undefined : duckdbMemoryLimit(options.memoryLimit, options.outsidePoolShare);
    const parent = spillParent(options.tempDir);
    removeStaleSpillDirs(parent);
    let spillDir: string;
    try {
      // The pid in the name lets a later run remove the folder of a process that died without cleaning up.
      spillDir = mkdtempSync(join(parent, `reprodiff-${process.pid}-`));
    } catch (e) {
      throw new ReprodiffError(
        'E_USAGE',
        `cannot create a temporary folder in ${parent}: ${(e as NodeJS.ErrnoException).code === 'EACCES' || (e as NodeJS.ErrnoException).code === 'EROFS' ? 'not writable' : firstLine(e)}`,
        {
          suggestion: 'point --temp-dir at a writable folder',
        },
      );
    }
    liveSpillDirs.add(spillDir);
    let instance: DuckDBInstance | undefined;
    try {
      const config: Record<string, string> = { temp_directory: spillDir };
      if (options.threads) config.threads = String(options.threads);
      if (memoryLimit) config.memory_limit = memoryLimit;
      // Give freed memory back to the OS soon: cached free pages otherwise count in the RSS the limit promises.
      // The bulk threshold (default 512 MB) covers a query that frees much at once, as spilling joins do: at
      // 32 MB the predictions attribution at 10M peaked ~100 MB lower, no slower.
      config.allocator_flush_threshold = '16MB';
      config.allocator_bulk_deallocation_flush_threshold = '32MB';
      config.allocator_background_threads = 'true';
      instance = await DuckDBInstance.create(':memory:', config);
      const connection = await instance.connect();
      const tempFiles = (options.writableFiles ?? []).map((f) => resolve(f));
      for (const f of tempFiles) liveTempFiles.add(f);
      const engine = new Engine(instance, connection, spillDir, options.database, tempFiles, options.onQueryProgress);
      await engine.lockDown(options);
      return engine;
    } catch (e) {
      rmSync(spillDir, { recursive: true, force: true });
      liveSpillDirs.delete(spillDir);
      for (const f of options.writableFiles ?? []) liveTempFiles.delete(resolve(f));
      if (e instanceof ReprodiffError) throw e;
      throw new ReprodiffError('E_USAGE', `cannot start the engine: ${firstLine(e)}`, {
        suggestion: 'check --memory-limit (e.g. 2GB), --threads and --temp-dir',
      });
    }
  }

  private async lockDown(options: EngineOptions): Promise<void> {
    // A DuckDB database is attached with its write-ahead log (`db.duckdb.wal`), which ATTACH opens (read-only) when present.
    const files = [
      ...(options.readableFiles ?? []).map((f) => resolve(f)).flatMap((f) => (/\.(duckdb|ddb|db)$/i.test(f) ? [f, `${f}.wal`] : [f])),
      ...(options.writableFiles ?? []).map((f) => resolve(f)),
    ];
    const dirs = [...(options.readableDirs ?? []).map((d) => withSlash(resolve(d))), withSlash(this.spillDir)];
    await this.run(`SET allowed_paths = ${listLiteral(files)}`);
    await this.run(`SET allowed_directories = ${listLiteral(dirs)}`);
    await this.run('SET enable_external_access = false');
    await this.run('SET autoinstall_known_extensions = false');
    await this.run('SET autoload_known_extensions = false');
    // Row order of results must never depend on thread scheduling.
    await this.run('SET preserve_insertion_order = true');
    await this.run("SET TimeZone = 'UTC'");
    if (options.onQueryProgress) {
      // Track progress from the first second (the default waits 2 s) but never print DuckDB's own bar.
      await this.run('SET enable_progress_bar = true');
      await this.run('SET enable_progress_bar_print = false');
      await this.run('SET progress_bar_time = 1000');
    }
    await this.run('SET lock_configuration = true');
  }

  /** Runs a statement for its effect. */
  async run(sql: string): Promise<void> {
    this.assertOpen();
    try {
      await this.watched(this.connection.run(sql));
    } catch (e) {
      throw translateEngineError(e);
    }
  }

  /** Runs a query and returns its rows as plain JS objects (BIGINT as bigint, timestamps as Date). */
  async all(sql: string): Promise<Row[]> {
    this.assertOpen();
    try {
      const reader = await this.watched(this.connection.runAndReadAll(sql));
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
      for (const f of this.tempFiles) {
        rmSync(f, { force: true });
        liveTempFiles.delete(f);
      }
    }
  }

  /** Reports the progress of a running query to onQueryProgress while it runs (DuckDB runs it off the main thread). */
  private async watched<T>(query: Promise<T>): Promise<T> {
    const report = this.onQueryProgress;
    if (!report) return query;
    const timer = setInterval(() => {
      const p = this.connection.progress;
      const rowsTotal = Number(p.total_rows_to_process);
      const rowsDone = Number(p.rows_processed);
      if (rowsTotal > 0 && rowsDone > 0 && p.percentage >= 0) report({ rowsDone: Math.min(rowsDone, rowsTotal), rowsTotal, percent: Math.min(100, p.percentage) });
    }, PROGRESS_POLL_MS);
    timer.unref();
    try {
      return await query;
    } finally {
      clearInterval(timer);
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
 * The share for `predictions` with features and for `check`. The attribution joins both sides' feature columns onto
 * every matched key, and at 10M × 20 its allocations outside the pool came to 290 MB (predictions, 3,055 MB peak
 * under 3 GB) and 470 MB in `check` (3,232 MB) with the default share. A smaller pool spills sooner: those runs are
 * long (80 s, 4 min) and their joins a small part of them, so they keep the budget instead (docs/decisions.md).
 */
export const ATTRIBUTION_OUTSIDE_POOL_SHARE = 0.18;

/**
 * DuckDB's memory_limit for a process budget. The pool is not all the process holds: Node and DuckDB's code
 * (~95 MB), the Parquet reader's and the hash join's allocations outside the pool and the allocator's free pages
 * came to 200–230 MB on top of a full pool in a 10M-row join (with the allocator settings above; up to 550 MB
 * without), so the pool gets 92% of the budget (at most 1 GiB less): at 93% that join peaked at 3.00–3.02 GB
 * under a 3 GB budget. Not less: DuckDB takes the slower external join path earlier the smaller the pool (the
 * bench's data pair: 6.2–7.4 s at a 2.74–2.76 GB pool, 9 s at 2.73 GB).
 * Anything but a positive size (a percentage, a typo, a negative, zero or empty value) is E_USAGE.
 */
export function duckdbMemoryLimit(limit: string, outsideShare = OUTSIDE_POOL_SHARE): string {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$/i.exec(limit);
  const unit = m ? SIZE_UNITS[(m[2] || 'b').toLowerCase()] : undefined;
  const bytes = m && unit !== undefined ? Number(m[1]) * unit : Number.NaN;
  // A budget is a positive size: '', '-5GB', '10%' or 'abc' would otherwise run without the limit asked for.
  if (!(bytes > 0)) {
    throw new ReprodiffError('E_USAGE', `--memory-limit must be a size such as 2GB, 512MB or 1.5GiB; got '${limit}'`, { suggestion: 'units: B, KB, MB, GB, TB, KiB, MiB, GiB, TiB' });
  }
  return `${Math.round(bytes - Math.min(bytes * outsideShare, OUTSIDE_POOL_MAX))}B`;
}

/** The folder the spill folder is made in: --temp-dir, which must be an existing, writable folder, or the OS's. */
function spillParent(tempDir: string | undefined): string {
  if (tempDir === undefined) return tmpdir();
  const dir = resolve(tempDir);
  let isDir = false;
  try {
    isDir = statSync(dir).isDirectory();
  } catch {
    throw new ReprodiffError('E_USAGE', `--temp-dir ${tempDir}: no such folder`, { suggestion: 'create it, or point --temp-dir at an existing folder' });
  }
  if (!isDir) throw new ReprodiffError('E_USAGE', `--temp-dir ${tempDir} is not a folder`, { suggestion: 'point --temp-dir at a folder' });
  return dir;
}

/**
 * Removes `reprodiff-<pid>-*` spill folders left in `parent` by processes that no longer run (killed by
 * SIGKILL, SIGHUP, a crash). A folder whose pid is alive, or that is not ours to remove, is left alone.
 */
export function removeStaleSpillDirs(parent: string, isAlive: (pid: number) => boolean = processAlive): number {
  let removed = 0;
  let names: string[];
  try {
    names = readdirSync(parent);
  } catch {
    return 0;
  }
  for (const name of names) {
    const m = /^reprodiff-(\d+)-[A-Za-z0-9]{6}$/.exec(name);
    if (!m) continue;
    const pid = Number(m[1]);
    if (pid === process.pid || isAlive(pid)) continue;
    try {
      const dir = join(parent, name);
      const st = statSync(dir);
      if (!st.isDirectory() || (typeof process.getuid === 'function' && st.uid !== process.getuid())) continue;
      rmSync(dir, { recursive: true, force: true });
      removed++;
    } catch {
      // another run removed it first, or it is not ours: leave it
    }
  }
  return removed;
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function withSlash(dir: string): string {
  return dir.endsWith('/') ? dir : `${dir}/`;
}

/** Out-of-memory and full-disk failures are the user's to fix (a limit, a temp dir): give them a code. */
export function translateEngineError(e: unknown): unknown {
  const line = firstLine(e);
  const text = e instanceof Error ? e.message : String(e);
  // DuckDB says "Out of Memory" when the spill folder's disk is full too: that is a disk to free, not memory to add.
  if (/failed to offload|max_temp_directory_size|No space left on device|disk is full|ENOSPC/i.test(text)) {
    return new ReprodiffError('E_DISK', `no space left for the temporary files: ${line.replace(/^Out of Memory Error:\s*/i, '')}`, {
      suggestion: 'point --temp-dir at a disk with more free space',
      cause: e,
    });
  }
  if (/Out of Memory Error|could not allocate|failed to allocate/i.test(line)) {
    return new ReprodiffError('E_MEMORY', `out of memory: ${line.replace(/^Out of Memory Error:\s*/i, '')}`, {
      suggestion: 'raise --memory-limit or point --temp-dir at a disk with free space so DuckDB can spill',
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
