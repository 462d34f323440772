/**
 * The `--diff-rows` output file, decided before the engine starts: its lock names the one temporary file it may
 * write. The rows themselves are written by src/compare/data/diff-rows.ts.
 */
import { statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { diffRowsFormat } from '../compare/data/diff-rows.js';
import type { DiffRowsTarget } from '../compare/data/diff-rows.js';
import { ReprodiffError } from '../errors.js';
import { shown } from '../text/escape.js';
import { canonicalPath } from './write.js';

/** Checks the target's folder and picks the temporary name, before the engine starts (its lock needs the name). */
export function diffRowsTarget(path: string, options: { mask?: readonly string[]; flag?: string } = {}): DiffRowsTarget {
  const flag = options.flag ?? '--diff-rows';
  const format = diffRowsFormat(path, flag);
  const target = canonicalPath(path);
  const folder = dirname(target);
  let dir = false;
  try {
    dir = statSync(folder).isDirectory();
  } catch {
    // reported below
  }
  if (!dir) throw new ReprodiffError('E_USAGE', `${flag} ${shown(path)}: no such folder`, { suggestion: 'create the folder first, or write the file elsewhere' });
  try {
    if (statSync(target).isDirectory()) throw new ReprodiffError('E_USAGE', `${flag} ${shown(path)} is a folder`, { suggestion: 'name a file, e.g. differences.parquet' });
  } catch (e) {
    if (e instanceof ReprodiffError) throw e;
  }
  const temp = join(folder, `.${basename(target)}.reprodiff-${process.pid}-${Math.random().toString(36).slice(2, 10)}.tmp`);
  return { path, target, temp, format, flag, ...(options.mask ? { mask: options.mask } : {}) };
}
