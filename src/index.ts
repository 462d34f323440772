/**
 * reprodiff as a library: every command is one function returning the versioned report
 * (the findings contract), and the stage comparators are exported for custom pipelines.
 */
export { runData, runFeatures, runPair } from './run/data.js';
export type { PairRunOptions } from './run/data.js';
export { runCheckCommand } from './run/check.js';
export { runCheck } from './check/run.js';
export type { CheckOptions, CheckResult } from './check/run.js';
export { planFromConfig, planFromDirectories } from './check/plan.js';
export { loadConfig } from './config/load.js';
export { defineConfig } from './config/types.js';
export type { ReprodiffConfig } from './config/types.js';
export { runEnv } from './compare/env/run.js';
export { compareEnv } from './compare/env/compare.js';
export { compareDatasets } from './compare/data/index.js';
export type { DataCompareOptions, DataComparison } from './compare/data/index.js';
export { compareFeatures } from './compare/features/index.js';
export { compareDistributions } from './compare/distribution/index.js';
export { comparePredictions } from './compare/predictions/index.js';
export { explainDifferences } from './compare/explain/index.js';
export { Engine, withEngine } from './engine/engine.js';
export { openDataset } from './sources/register.js';
export { resolveInput } from './sources/resolve.js';
export { buildReport, exitCodeFor } from './findings/report.js';
export * from './findings/types.js';
export * from './findings/summaries.js';
export { ReprodiffError } from './errors.js';
export { renderReport } from './report/index.js';
