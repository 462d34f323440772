/**
 * Writing outputs: never over an input, the config or another output of the same run, and atomically
 * (a temporary file beside the target, then a rename), so a reader or a concurrent run never sees half a report.
 */
import { closeSync, fsyncSync, openSync, realpathSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { ReprodiffError } from '../errors.js';
import { shown } from '../text/escape.js';

/** The path a name refers to once symlinks are followed (the folder's, when the file does not exist yet). */
export function canonicalPath(path: string): string {
  const abs = resolve(path);
  try {
    return realpathSync(abs);
  } catch {
    try {
      return join(realpathSync(dirname(abs)), basename(abs));
    } catch {
      return abs;
    }
  }
}

/** An output the run will write: the flag that names it, and the path. */
export interface OutputTarget {
  readonly flag: string;
  readonly path: string;
}

/**
 * Refuses (E_USAGE, exit 2) an output that would replace an input, the config, or another output of the
 * same run. `inputs` are paths the run reads (a `#table` or `#artifact` suffix is ignored).
 */
export function assertOutputsFree(outputs: readonly OutputTarget[], inputs: readonly string[]): void {
  const read = new Map<string, string>();
  for (const input of inputs) {
    for (const candidate of inputCandidates(input)) read.set(canonicalPath(candidate), input);
  }
  const written = new Map<string, string>();
  for (const o of outputs) {
    if (!o.path) continue;
    if (isSpecialFile(o.path)) continue; // /dev/stdout, /dev/null, a FIFO: written in place, never replaced
    const at = canonicalPath(o.path);
    const input = read.get(at);
    if (input !== undefined) {
      throw new ReprodiffError('E_USAGE', `${o.flag} ${shown(o.path)} would overwrite the input ${shown(input)}`, { suggestion: 'write the report to another file' });
    }
    const other = written.get(at);
    if (other !== undefined) throw new ReprodiffError('E_USAGE', `${o.flag} and ${other} both write ${shown(o.path)}`, { suggestion: 'give each output its own file' });
    written.set(at, o.flag);
  }
}

/** What an input names on disk: the path itself, and without a `#table`/`#artifact` suffix or a `name=` prefix. */
function inputCandidates(input: string): string[] {
  const out = [input];
  const hash = input.lastIndexOf('#');
  if (hash > 0) out.push(input.slice(0, hash));
  const eq = input.indexOf('=');
  if (eq > 0 && /^[A-Za-z0-9_.-]+$/.test(input.slice(0, eq))) {
    const rest = input.slice(eq + 1);
    out.push(rest);
    const h = rest.lastIndexOf('#');
    if (h > 0) out.push(rest.slice(0, h));
  }
  return out;
}

function isSpecialFile(path: string): boolean {
  try {
    const s = statSync(path);
    return !s.isFile() && !s.isDirectory();
  } catch {
    return false;
  }
}

/** Writes `text` to `path` through a temporary file in the same folder and a rename (devices and FIFOs are written in place). */
export function writeFileAtomic(path: string, text: string): void {
  try {
    if (isSpecialFile(path)) {
      const fd = openSync(path, 'w');
      try {
        writeSync(fd, text);
      } finally {
        closeSync(fd);
      }
      return;
    }
    if (statExists(path)?.isDirectory()) throw Object.assign(new Error('is a folder'), { code: 'EISDIR' });
    const target = canonicalPath(path);
    const temp = join(dirname(target), `.${basename(target)}.reprodiff-${process.pid}-${Math.random().toString(36).slice(2, 10)}.tmp`);
    try {
      const fd = openSync(temp, 'wx', Number(statExists(target)?.mode ?? 0o644) & 0o777);
      try {
        writeSync(fd, text);
        fsyncSync(fd);
      } finally {
        closeSync(fd);
      }
      renameSync(temp, target);
    } catch (e) {
      rmSync(temp, { force: true });
      throw e;
    }
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    const why =
      err.code === 'EACCES' || err.code === 'EPERM'
        ? 'permission denied'
        : err.code === 'ENOENT'
          ? 'no such folder'
          : err.code === 'EISDIR'
            ? 'is a folder'
            : err.code === 'ENOSPC'
              ? 'no space left on the disk'
              : (err.message ?? String(e)).split('\n')[0];
    throw new ReprodiffError(err.code === 'ENOSPC' ? 'E_DISK' : 'E_USAGE', `cannot write ${shown(path)}: ${why}`, { suggestion: 'choose a writable output path' });
  }
}

function statExists(path: string): ReturnType<typeof statSync> | undefined {
  try {
    return statSync(path);
  } catch {
    return undefined;
  }
}
