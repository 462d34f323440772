import { existsSync, lstatSync, readdirSync, statSync } from 'node:fs';
import { basename, dirname, extname, join, resolve } from 'node:path';
import { ReprodiffError } from '../errors.js';
import { isFolderFile, statPath } from './files.js';
import { redactInput, resolveDatabaseInput } from './postgres/index.js';
import type { DatabaseTarget } from './postgres/index.js';

export const FORMATS = ['csv', 'tsv', 'parquet', 'json', 'ndjson', 'arrow', 'duckdb'] as const;
/** How an input is read: a file format, or `postgres` for a table or query on a PostgreSQL server. */
export type Format = (typeof FORMATS)[number] | 'postgres';

/** Options that change how a text input is read. */
export interface ReadOptions {
  readonly format?: Format;
  readonly delimiter?: string;
  /** true/false force a header row or none; undefined lets the sniffer decide. */
  readonly header?: boolean;
  /** Text that means "missing" (CSV and JSON strings); replaces the recognised writer spellings. */
  readonly nullValues?: readonly string[];
  /** The decimal separator of CSV numbers ('.' or ','). */
  readonly decimal?: string;
  /** The text encoding of CSV files (DuckDB reads these three without an extension); default UTF-8. */
  readonly encoding?: CsvEncoding;
}

/** Encodings DuckDB's CSV reader decodes by itself. */
export const CSV_ENCODINGS = ['utf-8', 'utf-16', 'latin-1'] as const;
export type CsvEncoding = (typeof CSV_ENCODINGS)[number];

/** A user's input, resolved on disk before the engine starts (so the engine can be locked to exactly these paths). */
export interface InputSpec {
  /** What the user typed, for messages. */
  readonly label: string;
  readonly format: Format;
  /** Files DuckDB reads (one, or several for a directory or glob). */
  readonly files: readonly string[];
  /** A glob pattern to hand to DuckDB, when the user gave one. */
  readonly glob?: string;
  /** Directories DuckDB may read (glob or partitioned directory). */
  readonly dirs: readonly string[];
  /** Hive partition columns are read from directory names. */
  readonly hive: boolean;
  /** Table name inside a DuckDB database file. */
  readonly table?: string;
  readonly read: ReadOptions;
  /** A table or query on a database server (format `postgres`): no file is read. */
  readonly database?: DatabaseTarget;
}

const GLOB_CHARS = /[*?[]/;

/** An input as reports may show it: a database URL without its credentials, a path unchanged. */
export function inputLabel<T extends string | undefined>(input: T): T {
  return (input === undefined ? input : redactInput(input)) as T;
}

/** Format from a file name: `.csv.gz` is CSV, `.feather` is Arrow. */
export function formatFromName(path: string): Format | undefined {
  const name = basename(path)
    .toLowerCase()
    .replace(/\.(gz|zst)$/, '');
  const ext = extname(name);
  switch (ext) {
    case '.csv':
    case '.txt':
      return 'csv';
    case '.tsv':
    case '.tab':
      return 'tsv';
    case '.parquet':
    case '.pq':
    case '.parq':
      return 'parquet';
    case '.json':
      return 'json';
    case '.ndjson':
    case '.jsonl':
      return 'ndjson';
    case '.arrow':
    case '.feather':
    case '.ipc':
    case '.arrows':
    case '.stream':
    case '.arrow_file':
      return 'arrow';
    case '.duckdb':
    case '.ddb':
    case '.db':
      return 'duckdb';
    default:
      return undefined;
  }
}

/** Resolves what a user typed (file, glob, directory, `db.duckdb#table`) into an InputSpec, or a one-line error. */
export function resolveInput(input: string, read: ReadOptions = {}): InputSpec {
  const database = resolveDatabaseInput(input);
  if (database) return { label: database.label, format: 'postgres', files: [], dirs: [], hive: false, read, database };
  const hashAt = input.lastIndexOf('#');
  if (hashAt > 0) {
    const path = input.slice(0, hashAt);
    const table = input.slice(hashAt + 1);
    if (formatFromName(path) === 'duckdb' || read.format === 'duckdb') {
      const file = existingFile(path, input);
      if (!table) throw new ReprodiffError('E_USAGE', `no table named after '#' in ${input}`, { suggestion: 'write db.duckdb#table' });
      return { label: input, format: 'duckdb', files: [file], dirs: [], hive: false, table, read };
    }
  }
  if (GLOB_CHARS.test(input) && !pathExists(input)) return resolveGlob(input, read);
  if (statPath(input, input, 'file or folder').isDirectory()) return resolveDirectory(input, read);
  const file = existingFile(input, input);
  const format = read.format ?? formatFromName(file);
  if (!format) {
    throw new ReprodiffError('E_FORMAT', `${input}: cannot tell the format from the file name`, {
      suggestion: `pass --format (${FORMATS.join(', ')})`,
    });
  }
  if (statSync(file).size === 0) throw new ReprodiffError('E_EMPTY', `${input}: the file is empty`, { suggestion: 'check that the export finished' });
  return { label: input, format, files: [file], dirs: [], hive: false, read };
}

function existingFile(path: string, label: string): string {
  const abs = resolve(path);
  if (!statPath(abs, label, 'file').isFile()) throw new ReprodiffError('E_FORMAT', `${label}: not a regular file`, { suggestion: 'name a file' });
  return abs;
}

/** True when something is at `path` (a dangling or looping link counts: stat explains it). */
function pathExists(path: string): boolean {
  try {
    lstatSync(path);
    return true;
  } catch {
    return false;
  }
}

function resolveGlob(pattern: string, read: ReadOptions): InputSpec {
  const abs = resolve(pattern);
  const firstGlob = abs.search(GLOB_CHARS);
  const base = dirname(abs.slice(0, firstGlob + 1));
  if (!existsSync(base)) throw new ReprodiffError('E_FILE_NOT_FOUND', `${pattern}: folder ${base} does not exist`, { suggestion: 'check the path' });
  const format = read.format ?? formatFromName(pattern.replace(/[*?]+$/, ''));
  if (!format || format === 'duckdb' || format === 'arrow') {
    throw new ReprodiffError('E_FORMAT', `${pattern}: a glob must name Parquet, CSV or JSON files`, { suggestion: 'end the pattern with .parquet, .csv or .json, or pass --format' });
  }
  const files = listFiles(base).filter((f) => matchesGlob(abs, f));
  if (files.length === 0) throw new ReprodiffError('E_FILE_NOT_FOUND', `${pattern}: no file matches`, { suggestion: 'check the pattern' });
  return { label: pattern, format, files, glob: abs, dirs: [base], hive: hasHivePartitions(base, files), read };
}

function resolveDirectory(dir: string, read: ReadOptions): InputSpec {
  const abs = resolve(dir);
  const files = listFiles(abs).filter((f) => !basename(f).startsWith('.') && !basename(f).startsWith('_'));
  const byFormat = new Map<Format, string[]>();
  for (const f of files) {
    const fmt = formatFromName(f);
    if (fmt && fmt !== 'duckdb' && fmt !== 'arrow') byFormat.set(fmt, [...(byFormat.get(fmt) ?? []), f]);
  }
  const format = read.format ?? (['parquet', 'csv', 'tsv', 'ndjson', 'json'] as const).find((f) => byFormat.has(f));
  const chosen = format ? (byFormat.get(format) ?? []) : [];
  if (!format || chosen.length === 0) {
    throw new ReprodiffError('E_FORMAT', `${dir}: no Parquet, CSV or JSON files in this folder`, { suggestion: 'name a file, or a folder of data files' });
  }
  return { label: dir, format, files: chosen.sort(), dirs: [abs], hive: hasHivePartitions(abs, chosen), read };
}

/** Every data file under `dir` (subfolders walked, symlinked folders not); symlinked files follow isFolderFile's rule. */
function listFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const entry of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, entry.name);
      if (entry.isDirectory()) walk(p);
      else if (entry.isFile() || (entry.isSymbolicLink() && isFolderFile(dir, p))) out.push(p);
    }
  };
  walk(dir);
  return out.sort();
}

/** A minimal glob matcher for listing (`*` within a segment, `**` across segments, `?`); DuckDB does the real read. */
function matchesGlob(pattern: string, path: string): boolean {
  let re = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '*' && pattern[i + 1] === '*') {
      re += '.*';
      i++;
      if (pattern[i + 1] === '/') i++;
    } else if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else re += c.replace(/[.+^${}()|\\\]]/g, '\\$&');
  }
  return new RegExp(`^${re}$`).test(path);
}

function hasHivePartitions(base: string, files: readonly string[]): boolean {
  return files.some((f) =>
    f
      .slice(base.length)
      .split('/')
      .some((seg) => /^[^=/]+=[^/]*$/.test(seg)),
  );
}
