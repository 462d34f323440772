import { existsSync, statSync } from 'node:fs';
import { basename } from 'node:path';
import { compareSplits } from '../compare/splits/index.js';
import type { SplitCompareOptions } from '../compare/splits/index.js';
import type { Engine } from '../engine/engine.js';
import { ident, literal } from '../engine/quote.js';
import { ReprodiffError } from '../errors.js';
import { buildReport } from '../findings/report.js';
import type { Report } from '../findings/types.js';
import type { Dataset } from '../sources/register.js';
import { isDatabaseInput } from '../sources/postgres/index.js';
import { resolveInput } from '../sources/resolve.js';
import type { ReadOptions } from '../sources/resolve.js';
import type { PairRunOptions } from './data.js';
import { withInputs } from '../sources/open.js';

export interface SplitRunOptions extends Omit<SplitCompareOptions, 'raw' | 'fileOrder'>, PairRunOptions {
  readonly rawResearch?: string;
  readonly rawProduction?: string;
}

/** One side of the splits command: a single assignment table, or one file per split (name = file stem). */
export interface SplitInput {
  readonly label: string;
  /** Present when the side is one file per split. */
  readonly perSplit?: readonly { readonly split: string; readonly path: string }[];
  readonly path?: string;
}

/**
 * Reads what the user typed for one side: a comma-separated list of files or a folder of files (not
 * hive-partitioned) is one file per split; anything else is one assignment table.
 */
export function parseSplitInput(input: string, read: ReadOptions = {}): SplitInput {
  // A database input (postgres://…#SELECT a, b …) holds commas but is one table.
  if (!isDatabaseInput(input) && !existsSync(input) && input.includes(',')) {
    const paths = input
      .split(',')
      .map((p) => p.trim())
      .filter(Boolean);
    return { label: input, perSplit: named(paths) };
  }
  if (existsSync(input) && statSync(input).isDirectory()) {
    const spec = resolveInput(input, read);
    if (!spec.hive && spec.files.length > 1) return { label: input, perSplit: named(spec.files) };
  }
  return { label: input, path: input };
}

function named(paths: readonly string[]): { split: string; path: string }[] {
  const out = paths.map((path) => ({
    split: basename(path)
      .replace(/\.(gz|zst)$/i, '')
      .replace(/\.[^.]+$/, ''),
    path,
  }));
  const seen = new Set<string>();
  for (const o of out) {
    if (seen.has(o.split)) throw new ReprodiffError('E_USAGE', `two split files are named '${o.split}'`, { suggestion: 'name each split file after its split: train.csv, val.csv, test.csv' });
    seen.add(o.split);
  }
  return out;
}

/** `reprodiff splits A B`. */
export async function runSplits(research: string, production: string, options: SplitRunOptions = {}): Promise<Report> {
  const sides = [parseSplitInput(research, options.read), parseSplitInput(production, options.read)];
  const paths: string[] = [];
  for (const s of sides) paths.push(...(s.perSplit ? s.perSplit.map((p) => p.path) : [s.path!]));
  const rawAt = paths.length;
  if (options.rawResearch) paths.push(options.rawResearch);
  if (options.rawProduction) paths.push(options.rawProduction);
  return withInputs(
    paths.map((path) => ({ path, read: options.read })),
    options.engine ?? {},
    async (engine, open) => {
      options.onProgress?.('opening inputs');
      let next = 0;
      const datasets: Dataset[] = [];
      for (const [i, s] of sides.entries()) {
        const role = i === 0 ? 'research' : 'production';
        if (!s.perSplit) {
          datasets.push(await open(next++, role));
          continue;
        }
        const parts: { split: string; data: Dataset }[] = [];
        for (const p of s.perSplit) parts.push({ split: p.split, data: await open(next++, `${role}_${p.split}`) });
        datasets.push(await unionSplits(engine, s.label, role, parts, options.splitColumn ?? 'split'));
      }
      let r = rawAt;
      const raw = {
        research: options.rawResearch ? await open(r++, 'raw_research') : undefined,
        production: options.rawProduction ? await open(r++, 'raw_production') : undefined,
      };
      const fileOrder = { research: !sides[0]!.perSplit, production: !sides[1]!.perSplit };
      const splitColumn = options.splitColumn ?? (sides.some((s) => s.perSplit) && sides.every((s) => s.perSplit) ? 'split' : options.splitColumn);
      return buildReport('splits', [await compareSplits(engine, datasets[0]!, datasets[1]!, { ...options, splitColumn, raw, fileOrder })], options.failOn);
    },
  );
}

let counter = 0;

/** One view over the per-split files, with the file's split name in `splitColumn`. */
async function unionSplits(engine: Engine, label: string, role: string, parts: readonly { split: string; data: Dataset }[], splitColumn: string): Promise<Dataset> {
  const view = ident(`${role}_splits_${++counter}`);
  const selects = parts.map((p) => {
    const has = p.data.columns.some((c) => c.name === splitColumn);
    return `SELECT * ${has ? `EXCLUDE (${ident(splitColumn)}) ` : ''}, ${literal(p.split)} AS ${ident(splitColumn)} FROM ${p.data.relation}`;
  });
  await engine.run(`CREATE VIEW ${view} AS ${selects.join('\nUNION ALL BY NAME\n')}`);
  return { label, format: parts[0]!.data.format, relation: view, columns: await engine.describe(view) };
}
