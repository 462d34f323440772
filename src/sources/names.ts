import { closeSync, openSync, readSync } from 'node:fs';
import type { Engine } from '../engine/engine.js';
import { ident } from '../engine/quote.js';
import type { StageOutcome } from '../findings/types.js';
import { withSummary } from '../findings/report.js';
import type { ColumnInfo, Dataset } from './register.js';
import type { InputSpec } from './resolve.js';

/** The first line of an uncompressed text file (BOM removed), or null. */
export function firstLine(path: string): string | null {
  return firstLines(path, 1)?.[0] ?? null;
}

/** Up to `max` complete first lines of an uncompressed text file (from its first 64 KB, BOM removed), or null. */
export function firstLines(path: string, max: number): string[] | null {
  if (/\.(gz|zst)$/i.test(path)) return null;
  const fd = openSync(path, 'r');
  try {
    const buf = Buffer.alloc(65536);
    const n = readSync(fd, buf, 0, buf.length, 0);
    const text = buf
      .subarray(0, n)
      .toString('utf8')
      .replace(/^\uFEFF/, '');
    const lines = text.split(/\r?\n/);
    // The last piece may be cut at 64 KB (unless the file ended there).
    if (n === buf.length) lines.pop();
    return lines.slice(0, max);
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
  const token = new RegExp(
    `(?<![\\w])(${internal
      .map((n) => n.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
      .sort((a, b) => b.length - a.length)
      .join('|')})(?![\\w])`,
    'g',
  );
  const walk = (v: unknown, text: boolean): unknown => {
    if (typeof v === 'string') return map[v] ?? (text ? v.replace(token, (m) => map[m] ?? m) : v);
    if (Array.isArray(v)) return v.map((x) => walk(x, text));
    if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [map[k] ?? k, walk(x, text)]));
    return v;
  };
  return {
    // Renaming keeps a summary's shape: column names are keys of maps (columns, handling…) and values, never field names.
    result: withSummary(outcome.result, walk(outcome.result.summary, false) as StageOutcome['result']['summary']),
    findings: outcome.findings.map((f) => ({
      ...f,
      columns: f.columns.map((c) => map[c] ?? c),
      message: f.message.replace(token, (m) => map[m] ?? m),
      evidence: walk(f.evidence, false) as typeof f.evidence,
    })),
  };
}

/** How a date column written as `nn/nn/yyyy` was read: day first or month first, and whether its values allow the other order. */
export interface DayMonth {
  readonly order: 'day/month' | 'month/day';
  /** Every value reads both ways (no day above 12): the order is the sniffer's guess. */
  readonly ambiguous: boolean;
}

const NUMERIC_DATE = /^\s*(\d{1,2})[/.-](\d{1,2})[/.-]\d{2,4}\b/;

/**
 * CSV date columns whose text puts day and month as numbers (`03/04/2020`). DuckDB's sniffer picks one
 * order per file (day first when both fit); which one it took is read off the first such value, and the
 * column is ambiguous when no value has a day above 12. Only the file's first 64 KB and one aggregate.
 */
export async function dayMonthOrders(engine: Engine, spec: InputSpec, relation: string, columns: readonly ColumnInfo[]): Promise<Record<string, DayMonth> | null> {
  if (spec.format !== 'csv' && spec.format !== 'tsv') return null;
  const dated = columns.map((c, i) => ({ c, i })).filter(({ c }) => c.type === 'DATE' || c.type.startsWith('TIMESTAMP'));
  if (dated.length === 0 || spec.read.header === false) return null;
  const lines = firstLines(spec.files[0]!, 200);
  if (!lines || lines.length < 2) return null;
  const header = lines[0]!;
  const delimiter = spec.read.delimiter ?? (spec.format === 'tsv' ? '\t' : [',', ';', '\t', '|'].find((d) => splitCsvLine(header, d).length === columns.length));
  if (!delimiter) return null;
  const rows = lines
    .slice(1)
    .filter((l) => l.length > 0)
    .map((l) => splitCsvLine(l, delimiter));
  const found: { name: string; row: number; first: number; second: number }[] = [];
  for (const { c, i } of dated) {
    const row = rows.findIndex((r) => r.length === columns.length && (r[i] ?? '').trim() !== '');
    const m = row >= 0 ? NUMERIC_DATE.exec(rows[row]![i]!) : null;
    if (m) found.push({ name: c.name, row, first: Number(m[1]), second: Number(m[2]) });
  }
  if (found.length === 0) return null;
  const r = await engine.one(
    `SELECT ${found
      .map((f, k) => {
        const x = ident(f.name);
        return `count(*) FILTER (WHERE day(${x}) > 12) AS over${k}, count(*) FILTER (WHERE day(${x}) <> month(${x})) AS uneq${k}, (SELECT day(${x}) FROM ${relation} LIMIT 1 OFFSET ${f.row}) AS d${k}`;
      })
      .join(', ')} FROM ${relation}`,
  );
  const out: Record<string, DayMonth> = {};
  found.forEach((f, k) => {
    const day = Number(r[`d${k}`]);
    const order = day === f.first ? 'day/month' : day === f.second ? 'month/day' : null;
    if (!order || f.first === f.second) return;
    out[f.name] = { order, ambiguous: Number(r[`over${k}`]) === 0 && Number(r[`uneq${k}`]) > 0 };
  });
  return Object.keys(out).length ? out : null;
}

/**
 * Column names the user typed (the file's, e.g. `emb_s`) as the engine's (`emb_s_1`), for the columns
 * DuckDB renamed: key, ignore and rename options.
 */
export function internalNames<T extends { key?: readonly string[]; ignore?: readonly string[]; rename?: Readonly<Record<string, string>> }>(options: T, research: Dataset, production: Dataset): T {
  const inverse = (d: Dataset) => new Map(Object.entries(d.fileNames ?? {}).map(([internal, file]) => [file, internal]));
  const ra = inverse(research);
  const rb = inverse(production);
  if (ra.size === 0 && rb.size === 0) return options;
  const a = (n: string) => ra.get(n) ?? n;
  return {
    ...options,
    ...(options.key ? { key: options.key.map(a) } : {}),
    ...(options.ignore ? { ignore: options.ignore.flatMap((n) => [...new Set([a(n), rb.get(n) ?? n])]) } : {}),
    ...(options.rename ? { rename: Object.fromEntries(Object.entries(options.rename).map(([x, y]) => [a(x), rb.get(y) ?? y])) } : {}),
  };
}
