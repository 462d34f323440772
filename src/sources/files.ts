/**
 * Opening files the user named, safely: every file the tool reads whole (config, environment files and their
 * includes, snapshots) must be a regular file under a size limit, and a FIFO or a device never blocks or
 * floods the process; includes stay inside the folder of the file the user named; JSON deeper than
 * MAX_JSON_DEPTH is refused before any parser sees it. Errors say what the system said (no such file,
 * permission denied, symlink loop) in one line.
 */
import { closeSync, constants, createReadStream, fstatSync, lstatSync, openSync, readSync, readdirSync, realpathSync, statSync } from 'node:fs';
import type { Stats } from 'node:fs';
import { isAbsolute, join, relative, resolve } from 'node:path';
import { createGunzip } from 'node:zlib';
import { ReprodiffError } from '../errors.js';
import { shown } from '../text/escape.js';

/** Size limits of files read whole into memory. */
export const MAX_BYTES = {
  config: 1024 * 1024,
  env: 64 * 1024 * 1024,
  snapshot: 256 * 1024 * 1024,
} as const;

/** Deepest nesting of arrays and objects accepted in a JSON input (DuckDB's reader slows down cubically beyond: 200 levels took 10 s, 400 took 43 s). */
export const MAX_JSON_DEPTH = 100;

/** One line for a failed stat or open: the system's reason, not always "no such file". */
export function fileError(e: unknown, label: string, what = 'file or folder'): ReprodiffError {
  const code = (e as NodeJS.ErrnoException)?.code;
  const name = shown(label);
  switch (code) {
    case 'ENOENT':
    case 'ENOTDIR':
      return new ReprodiffError('E_FILE_NOT_FOUND', `${name}: no such ${what}`, { suggestion: 'check the path' });
    case 'EACCES':
    case 'EPERM':
      return new ReprodiffError('E_USAGE', `${name}: permission denied`, { suggestion: 'check the file permissions' });
    case 'ELOOP':
      return new ReprodiffError('E_USAGE', `${name}: symbolic link loop`, { suggestion: 'fix the link' });
    case 'ENAMETOOLONG':
      return new ReprodiffError('E_USAGE', `${shown(label, 80)}: path too long`, { suggestion: 'check the path' });
    default:
      return new ReprodiffError('E_USAGE', `${name}: cannot open: ${shown(String((e as Error)?.message ?? e).split('\n')[0]!, 120)}`, { suggestion: 'check the path' });
  }
}

/** stat() with fileError's messages. */
export function statPath(path: string, label = path, what = 'file'): Stats {
  try {
    return statSync(path);
  } catch (e) {
    throw fileError(e, label, what);
  }
}

function kindOf(s: Stats): string {
  if (s.isDirectory()) return 'a directory';
  if (s.isFIFO()) return 'a FIFO (named pipe)';
  if (s.isCharacterDevice() || s.isBlockDevice()) return 'a device';
  if (s.isSocket()) return 'a socket';
  return 'not a regular file';
}

function formatBytes(n: number): string {
  return n >= 1024 * 1024 ? `${Math.round(n / (1024 * 1024))} MiB` : `${Math.round(n / 1024)} KiB`;
}

/**
 * Reads a whole text file the user named: a regular file (never a FIFO, device or folder, checked on the open
 * descriptor so nothing blocks), at most `maxBytes` (also for files like /proc ones whose size says 0).
 */
export function readTextFile(path: string, options: { label?: string; what: string; maxBytes: number; notFound?: () => ReprodiffError }): string {
  const label = options.label ?? path;
  let fd: number;
  try {
    // O_NONBLOCK: opening a FIFO with no writer returns at once instead of waiting forever.
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EISDIR') throw new ReprodiffError('E_FORMAT', `${shown(label)} is a directory, not ${options.what}`, { suggestion: `name ${options.what}` });
    if ((code === 'ENOENT' || code === 'ENOTDIR') && options.notFound) throw options.notFound();
    throw fileError(e, label);
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) throw new ReprodiffError('E_FORMAT', `${shown(label)} is ${kindOf(st)}, not ${options.what}`, { suggestion: `name ${options.what}` });
    const tooBig = () => new ReprodiffError('E_FORMAT', `${shown(label)} is larger than ${formatBytes(options.maxBytes)}, the limit for ${options.what}`, { suggestion: `is this ${options.what}?` });
    if (st.size > options.maxBytes) throw tooBig();
    const chunks: Buffer[] = [];
    let total = 0;
    const buffer = Buffer.alloc(Math.min(options.maxBytes + 1, Math.max(64 * 1024, st.size + 1)));
    for (;;) {
      const n = readSync(fd, buffer, 0, buffer.length, null);
      if (n === 0) break;
      total += n;
      if (total > options.maxBytes) throw tooBig();
      chunks.push(Buffer.from(buffer.subarray(0, n)));
    }
    return Buffer.concat(chunks).toString('utf8');
  } finally {
    closeSync(fd);
  }
}

/** The real path (symlinks followed) of an existing path, or the resolved path when it cannot be followed. */
function real(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return resolve(path);
  }
}

/** True when `path` (symlinks followed) lies inside the folder `root` (symlinks followed). */
export function isInside(root: string, path: string): boolean {
  const rel = relative(real(root), real(path));
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
}

/**
 * An include (`-r file` in requirements, `-r` in a conda pip section) must stay inside the folder of the file
 * the user named; anything else must be named on the command line.
 */
export function assertIncludeInside(root: string, path: string, includedFrom: string): void {
  if (isInside(root, path)) return;
  throw new ReprodiffError('E_USAGE', `${shown(includedFrom)} includes ${shown(path)}, outside ${shown(root)}`, {
    suggestion: 'includes must stay inside the folder of the file you named; pass that file on the command line instead',
  });
}

/**
 * The one symlink rule for folders (data folder inputs, check's pairing of two folders): an entry is read when
 * it is a regular file, or a symlink whose target is a regular file inside the folder named (`root`); a
 * symlink leading outside is refused in one line (it would read, and report, a file nobody named), and a
 * dangling or looping one too. Folders, FIFOs, devices and sockets are not data files: left out.
 * Returns whether the entry is a file to consider.
 */
export function isFolderFile(root: string, path: string): boolean {
  let link: ReturnType<typeof lstatSync>;
  try {
    link = lstatSync(path);
  } catch (e) {
    throw fileError(e, path);
  }
  if (!link.isSymbolicLink()) return link.isFile();
  const target = statPath(path, path);
  if (!isInside(root, path)) {
    throw new ReprodiffError('E_USAGE', `${shown(path)} is a symbolic link to ${shown(real(path))}, outside the folder ${shown(root)}`, {
      suggestion: 'name that file on the command line, or copy it into the folder',
    });
  }
  return target.isFile();
}

/** The names in a folder that isFolderFile accepts (hidden ones, starting with '.', left out), sorted. */
export function folderFiles(dir: string, root = dir): string[] {
  return readdirNames(dir)
    .filter((name) => !name.startsWith('.') && isFolderFile(root, join(dir, name)))
    .sort();
}

function readdirNames(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch (e) {
    throw fileError(e, dir, 'folder');
  }
}

/**
 * Index of the first character where `text` nests arrays/objects deeper than `limit` (outside strings), or -1.
 * `state` carries the scan across chunks.
 */
export function scanJsonDepth(text: string, limit: number, state = { depth: 0, inString: false, escaped: false }): number {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (state.inString) {
      if (state.escaped) state.escaped = false;
      else if (c === 0x5c) state.escaped = true;
      else if (c === 0x22) state.inString = false;
    } else if (c === 0x22) state.inString = true;
    else if (c === 0x5b || c === 0x7b) {
      if (++state.depth > limit) return i;
    } else if (c === 0x5d || c === 0x7d) state.depth = Math.max(0, state.depth - 1);
  }
  return -1;
}

function depthError(label: string): ReprodiffError {
  return new ReprodiffError('E_FORMAT', `${shown(label)}: JSON nested more than ${MAX_JSON_DEPTH} levels deep`, {
    suggestion: `flatten the data (at most ${MAX_JSON_DEPTH} levels of arrays and objects)`,
  });
}

/** Refuses text JSON nested deeper than MAX_JSON_DEPTH (whole documents already in memory: snapshots, lock files). */
export function assertJsonDepth(text: string, label: string): void {
  if (scanJsonDepth(text, MAX_JSON_DEPTH) >= 0) throw depthError(label);
}

/**
 * Checks data files before DuckDB reads them, in one streaming pass each: JSON (gzip too) nested deeper than
 * MAX_JSON_DEPTH is refused, and a gzip file must decompress whole (DuckDB reads a truncated or CRC-damaged
 * small .csv.gz as a partial file without an error).
 */
export async function checkDataFiles(spec: { readonly format: string; readonly files: readonly string[]; readonly label: string }): Promise<void> {
  const json = spec.format === 'json' || spec.format === 'ndjson';
  for (const file of spec.files) {
    const gz = /\.gz$/i.test(file);
    if (!json && !gz) continue;
    await scanFile(file, gz, json, spec.label);
  }
}

async function scanFile(file: string, gz: boolean, json: boolean, label: string): Promise<void> {
  {
    const state = { depth: 0, inString: false, escaped: false };
    const source = createReadStream(file);
    const stream = gz ? source.pipe(createGunzip()) : source;
    if (gz) source.on('error', (e) => stream.destroy(e));
    if (json) stream.setEncoding('utf8');
    try {
      for await (const chunk of stream as AsyncIterable<string | Buffer>) {
        if (json && scanJsonDepth(chunk as string, MAX_JSON_DEPTH, state) >= 0) throw depthError(label);
      }
    } catch (e) {
      if (e instanceof ReprodiffError) throw e;
      // A damaged compressed file: the reader reports it in its own words.
      if ((e as NodeJS.ErrnoException).code?.startsWith('Z_'))
        throw new ReprodiffError('E_FORMAT', `${shown(label)}: corrupt or truncated gzip data`, { suggestion: 'check that the export finished' });
      throw fileError(e, label);
    } finally {
      source.destroy();
    }
  }
}
