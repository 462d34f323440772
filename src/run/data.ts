import { compareDatasets, toOutcome } from '../compare/data/index.js';
import type { DataCompareOptions } from '../compare/data/index.js';
import { compareFeatures } from '../compare/features/index.js';
import type { FeatureCompareOptions } from '../compare/features/index.js';
import type { Engine, EngineOptions } from '../engine/engine.js';
import { buildReport } from '../findings/report.js';
import type { Command, FailOn, Report, StageOutcome } from '../findings/types.js';
import type { Dataset } from '../sources/register.js';
import type { ReadOptions } from '../sources/resolve.js';
import { withInputs } from '../sources/open.js';
import { reconcilePair } from '../sources/reconcile.js';
import { internalNames, withFileNames } from '../sources/names.js';
import { isSnapshotRef, runSnapshotComparison } from '../snapshot/index.js';
import { pushdownData } from '../sources/postgres/pushdown.js';
import type { SchemaOptions } from '../compare/data/columns.js';
import { ReprodiffError } from '../errors.js';
import { shown } from '../text/escape.js';
import { keylessDiffRowsError } from '../compare/data/diff-rows.js';
import { noFileOrderError, positionWithKeyError } from '../compare/data/position.js';
import { isDatabaseInput, redactUrl } from '../sources/postgres/url.js';
import type { DiffRowsTarget } from '../compare/data/diff-rows.js';
import { diffRowsTarget } from '../report/diff-rows.js';

/**
 * --ignore and --map name columns: one that is on neither side (a typo) would silently change nothing, so it is
 * refused. (Config-level `ignore:` is shared by every table stage of `check` and is not checked here.)
 */
export function assertNamedColumns(a: Dataset, b: Dataset, options: SchemaOptions): void {
  const research = new Set(a.columns.map((c) => c.name));
  const production = new Set(b.columns.map((c) => c.name));
  const unknown = (name: string, where: string, side: Set<string>) =>
    new ReprodiffError('E_COLUMN_UNKNOWN', `${where} names column '${shown(name, 80)}', which is not in ${side === research ? 'research' : side === production ? 'production' : 'either input'}`, {
      suggestion: `columns: ${[...(side.size ? side : research)]
        .slice(0, 10)
        .map((c) => shown(c, 40))
        .join(', ')}`,
    });
  for (const name of options.ignore ?? []) if (!research.has(name) && !production.has(name)) throw unknown(name, '--ignore', new Set([...research, ...production]));
  for (const [from, to] of Object.entries(options.rename ?? {})) {
    if (!research.has(from)) throw unknown(from, `--map ${from}=${to}`, research);
    if (!production.has(to)) throw unknown(to, `--map ${from}=${to}`, production);
  }
}

/** --mask names a column of either side, as the file spells it: a typo would leave the real column's values shown. */
export function assertMaskedColumns(a: Dataset, b: Dataset, mask: readonly string[] | undefined): void {
  if (!mask || mask.length === 0) return;
  const names = new Set([a, b].flatMap((d) => d.columns.map((c) => d.fileNames?.[c.name] ?? c.name)));
  for (const name of mask) {
    if (!names.has(name)) {
      throw new ReprodiffError('E_COLUMN_UNKNOWN', `--mask names column '${shown(name, 80)}', which is not in either input`, {
        suggestion: `columns: ${[...names]
          .slice(0, 10)
          .map((c) => shown(c, 40))
          .join(', ')}`,
      });
    }
  }
}

export interface PairRunOptions {
  readonly engine?: EngineOptions;
  readonly read?: ReadOptions;
  readonly failOn?: FailOn;
  readonly onProgress?: (message: string) => void;
  /** research column → production column, so the sides' columns are paired when their types are decided. */
  readonly rename?: Readonly<Record<string, string>>;
  /** --mask: columns whose values the report hides (checked here: a typo would silently show the values). */
  readonly mask?: readonly string[];
  /** --diff-rows: write every differing row of the keyed comparison to this .parquet, .csv or .ndjson file. */
  readonly diffRowsFile?: string;
}

/**
 * The --diff-rows target, checked before any input is opened (format, folder, a key), with the engine options that
 * let the locked engine write its one temporary file. Snapshots hold no rows, so they are refused too.
 */
function diffRowsSetup(research: string, options: DataCompareOptions & PairRunOptions): { diffRows?: DiffRowsTarget; engine?: EngineOptions } {
  if (options.diffRowsFile === undefined) return { engine: options.engine };
  if (isSnapshotRef(research)) {
    throw new ReprodiffError('E_USAGE', '--diff-rows needs the research rows: a snapshot holds only their fingerprint', { suggestion: 'compare the research data itself to write the differing rows' });
  }
  if (options.byPosition && options.key?.length) throw positionWithKeyError();
  if (!options.key?.length && !options.byPosition) throw keylessDiffRowsError();
  const diffRows = diffRowsTarget(options.diffRowsFile, { mask: options.mask });
  return { diffRows, engine: { ...options.engine, writableFiles: [...(options.engine?.writableFiles ?? []), diffRows.temp] } };
}

/** --by-position, before any input is opened (a database input would otherwise be downloaded first): not with --key, nor a database input. */
function assertPositionInputs(inputs: readonly string[], key: readonly string[] | undefined): void {
  if (key && key.length > 0) throw positionWithKeyError();
  for (const input of inputs) if (isDatabaseInput(input)) throw noFileOrderError(redactUrl(input.split('#')[0]!));
  // A snapshot holds no rows, so it has no positions: the option would be dropped without a word.
  if (isSnapshotRef(inputs[0]!)) {
    throw new ReprodiffError('E_USAGE', '--by-position needs the research rows: a snapshot holds only their fingerprint', { suggestion: 'compare the research data itself, or give a --key' });
  }
}

/** Opens two inputs in a locked-down engine, runs one stage comparison on them, and builds the report. */
export async function runPair(
  command: Command,
  research: string,
  production: string,
  options: PairRunOptions,
  compare: (engine: Engine, a: Dataset, b: Dataset) => Promise<StageOutcome>,
): Promise<Report> {
  const inputs = [
    { path: research, read: options.read },
    { path: production, read: options.read },
  ];
  return withInputs(inputs, options.engine ?? {}, async (engine, open) => {
    options.onProgress?.('opening inputs');
    const [a, b] = await reconcilePair(engine, await open(0, 'research'), await open(1, 'production'), options.rename);
    assertMaskedColumns(a, b, options.mask);
    return buildReport(command, [withFileNames(await compare(engine, a, b), a, b)], options.failOn);
  });
}

/** `reprodiff data A B`. */
export async function runData(research: string, production: string, options: DataCompareOptions & PairRunOptions = {}): Promise<Report> {
  if (options.byPosition) assertPositionInputs([research, production], options.key);
  const { diffRows, engine: engineOptions } = diffRowsSetup(research, options);
  if (isSnapshotRef(research)) return runSnapshotComparison('data', research, production, options);
  // Both sides in one database: the comparison runs there when it can (src/sources/postgres/pushdown.ts). The
  // differing rows are written from the local engine's diff table, so --diff-rows downloads.
  // --by-position reads rows in file order: locally, where a database query is refused (position.ts).
  const pushed = diffRows || options.byPosition ? { note: null } : await pushdownData(research, production, options);
  if ('outcome' in pushed) return buildReport('data', [pushed.outcome], options.failOn);
  const note = pushed.note ? { engine: pushed.note } : {};
  return runPair('data', research, production, { ...options, engine: engineOptions }, async (engine, a, b) => {
    // Names as the files spell them (emb_S beside emb_s) map to the engine's names before they are checked.
    const named = { ...internalNames(options, a, b), ...(diffRows ? { diffRows } : {}) };
    assertNamedColumns(a, b, named);
    return toOutcome(await compareDatasets(engine, a, b, named, 'data'), [], note);
  });
}

/** `reprodiff features A B`. */
export async function runFeatures(research: string, production: string, options: FeatureCompareOptions & PairRunOptions = {}): Promise<Report> {
  if (options.byPosition) assertPositionInputs([research, production], options.key);
  const { diffRows, engine: engineOptions } = diffRowsSetup(research, options);
  if (isSnapshotRef(research)) return runSnapshotComparison('features', research, production, options);
  return runPair('features', research, production, { ...options, engine: engineOptions }, async (engine, a, b) => {
    const named = { ...internalNames(options, a, b), ...(diffRows ? { diffRows } : {}) };
    assertNamedColumns(a, b, named);
    const { result, findings } = await compareFeatures(engine, a, b, named);
    return { result, findings };
  });
}
