import { compareDatasets, toOutcome } from '../compare/data/index.js';
import type { DataCompareOptions } from '../compare/data/index.js';
import { compareFeatures } from '../compare/features/index.js';
import type { FeatureCompareOptions } from '../compare/features/index.js';
import type { Engine, EngineOptions } from '../engine/engine.js';
import { buildReport } from '../findings/report.js';
import type { Command, FailOn, Report, StageOutcome } from '../findings/types.js';
import type { Dataset } from '../sources/register.js';
import type { ReadOptions } from '../sources/resolve.js';
import { withInputs } from './inputs.js';
import { isSnapshotRef, runSnapshotComparison } from '../snapshot/index.js';
import { pushdownData } from '../sources/postgres/pushdown.js';

export interface PairRunOptions {
  readonly engine?: EngineOptions;
  readonly read?: ReadOptions;
  readonly failOn?: FailOn;
  readonly onProgress?: (message: string) => void;
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
    const a = await open(0, 'research');
    const b = await open(1, 'production');
    return buildReport(command, [await compare(engine, a, b)], options.failOn);
  });
}

/** `reprodiff data A B`. */
export async function runData(research: string, production: string, options: DataCompareOptions & PairRunOptions = {}): Promise<Report> {
  if (isSnapshotRef(research)) return runSnapshotComparison('data', research, production, options);
  // Both sides in one database: the comparison runs there when it can (src/sources/postgres/pushdown.ts).
  const pushed = await pushdownData(research, production, options);
  if ('outcome' in pushed) return buildReport('data', [pushed.outcome], options.failOn);
  const note = pushed.note ? { engine: pushed.note } : {};
  return runPair('data', research, production, options, async (engine, a, b) => toOutcome(await compareDatasets(engine, a, b, options, 'data'), [], note));
}

/** `reprodiff features A B`. */
export async function runFeatures(research: string, production: string, options: FeatureCompareOptions & PairRunOptions = {}): Promise<Report> {
  if (isSnapshotRef(research)) return runSnapshotComparison('features', research, production, options);
  return runPair('features', research, production, options, async (engine, a, b) => {
    const { result, findings } = await compareFeatures(engine, a, b, options);
    return { result, findings };
  });
}
