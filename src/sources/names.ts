import { closeSync, openSync, readSync } from 'node:fs';
import type { StageOutcome } from '../findings/types.js';
import type { ColumnInfo, Dataset } from './register.js';
import type { InputSpec } from './resolve.js';

/** The first line of an uncompressed text file (BOM removed), or null. */
export function firstLine(path: string): string | null {
  if (/\.(gz|zst)$/i.test(path)) return null;
  const fd = openSync(path, 'r');
  try {
    const buf = Buffer.alloc(65536);
    const n = readSync(fd, buf, 0, buf.length, 0);
    const text = buf.subarray(0, n).toString('utf8').replace(/^\uFEFF/, '');
    const end = text.search(/\r?\n/);
    return end < 0 ? text : text.slice(0, end);
  } finally {
    closeSync(fd);
  }
}

/** Splits one CSV line on a delimiter, honouring double quotes. */
export function splitCsvLine(line: string, delimiter: string): string[] {
  const out: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (quoted) {
      if (c === '"' && line[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (line.startsWith(delimiter, i)) {
      out.push(cell);
      cell = '';
      i += delimiter.length - 1;
    } else cell += c;
  }
  out.push(cell);
  return out;
}

/**
 * DuckDB's names are case-insensitive, so a file with `emb_S` and `emb_s` gets `emb_S` and `emb_s_1`. The
 * file's own names are read from its header (CSV) or first record (NDJSON); a column DuckDB renamed this
 * way maps back to its name in the file (internal name → file name). Empty when nothing was renamed.
 */
export function fileNames(spec: InputSpec, columns: readonly ColumnInfo[]): Record<string, string> {
  if (spec.read.header === false || spec.files.length === 0) return {};
  const line = firstLine(spec.files[0]!);
  if (line === null) return {};
  let names: string[] | null = null;
  if (spec.format === 'ndjson') {
    try {
      const first = JSON.parse(line) as unknown;
      if (first && typeof first === 'object' && !Array.isArray(first)) names = Object.keys(first);
    } catch {
      return {};
    }
  } else if (spec.format === 'csv' || spec.format === 'tsv') {
    const delimiters = spec.read.delimiter !== undefined ? [spec.read.delimiter] : spec.format === 'tsv' ? ['\t'] : [',', ';', '\t', '|'];
    names = delimiters.map((d) => splitCsvLine(line, d)).find((cells) => cells.length === columns.length) ?? null;
  }
  if (!names || names.length !== columns.length) return {};
  const lower = new Map<string, number>();
  for (const n of names) lower.set(n.toLowerCase(), (lower.get(n.toLowerCase()) ?? 0) + 1);
  const out: Record<string, string> = {};
  columns.forEach((c, i) => {
    const name = names![i]!;
    if (c.name !== name && (lower.get(name.toLowerCase()) ?? 0) > 1) out[c.name] = name;
  });
  return out;
}

/** A column's name in the file. */
export function displayName(d: Dataset, internal: string): string {
  return d.fileNames?.[internal] ?? internal;
}

/**
 * Puts the files' own names back into a stage outcome (finding columns, messages, evidence, summary),
 * for the columns DuckDB had to rename (see fileNames).
 */
export function withFileNames(outcome: StageOutcome, research: Dataset, production: Dataset): StageOutcome {
  const map = { ...(production.fileNames ?? {}), ...(research.fileNames ?? {}) };
  const internal = Object.keys(map);
  if (internal.length === 0) return outcome;
  const token = new RegExp(`(?<![\\w])(${internal.map((n) => n.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).sort((a, b) => b.length - a.length).join('|')})(?![\\w])`, 'g');
  const walk = (v: unknown, text: boolean): unknown => {
    if (typeof v === 'string') return map[v] ?? (text ? v.replace(token, (m) => map[m] ?? m) : v);
    if (Array.isArray(v)) return v.map((x) => walk(x, text));
    if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [map[k] ?? k, walk(x, text)]));
    return v;
  };
  return {
    result: { ...outcome.result, summary: walk(outcome.result.summary, false) as StageOutcome['result']['summary'] },
    findings: outcome.findings.map((f) => ({
      ...f,
      columns: f.columns.map((c) => map[c] ?? c),
      message: f.message.replace(token, (m) => map[m] ?? m),
      evidence: walk(f.evidence, false) as typeof f.evidence,
    })),
  };
}
