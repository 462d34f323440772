import { compareDatasets, toOutcome } from '../compare/data/index.js';
import type { DataCompareOptions } from '../compare/data/index.js';
import type { EngineOptions } from '../engine/engine.js';
import { buildReport } from '../findings/report.js';
import type { FailOn, Report } from '../findings/types.js';
import type { ReadOptions } from '../sources/resolve.js';
import { withInputs } from './inputs.js';

export interface DataRunOptions extends DataCompareOptions {
  readonly engine?: EngineOptions;
  readonly read?: ReadOptions;
  readonly failOn?: FailOn;
}

/** `reprodiff data A B`: opens both inputs and compares them as the data stage. */
export async function runData(research: string, production: string, options: DataRunOptions = {}): Promise<Report> {
  const inputs = [
    { path: research, read: options.read },
    { path: production, read: options.read },
  ];
  return withInputs(inputs, options.engine ?? {}, async (engine, open) => {
    options.onProgress?.('opening inputs');
    const a = await open(0, 'research');
    const b = await open(1, 'production');
    const comparison = await compareDatasets(engine, a, b, options, 'data');
    return buildReport('data', [toOutcome(comparison)], options.failOn);
  });
}
