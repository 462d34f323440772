/**
 * Stage summaries for hand-made report fixtures: every required field filled with a neutral value, so a
 * fixture states only what it is about. The shapes are src/findings/summaries.ts's.
 */
import type { DataColumnSummary, DataSummary, EnvSummary, FeaturesSummary, PredictionsSummary, ProfileSummary, SplitsSummary, StageSummaries } from '../../src/findings/summaries.js';
import type { Stage } from '../../src/findings/types.js';

const side = { label: 'fixture', format: 'csv', rows: null, columns: 0, fingerprint: null } as const;

export function dataSummary(fields: Partial<DataSummary> = {}): DataSummary {
  return {
    mode: 'keyed',
    key: null,
    research: side,
    production: side,
    rows: null,
    schema: { common: 0, onlyResearch: [], onlyProduction: [], typeChanges: [], orderDiffers: false },
    columns: {},
    ...fields,
  };
}

export function featuresSummary(fields: Partial<FeaturesSummary> = {}): FeaturesSummary {
  return { ...dataSummary(fields), handling: {}, ...fields };
}

/** A column of a data or features summary: same type on both sides, no profile unless given. */
export function column(fields: Partial<DataColumnSummary> = {}): DataColumnSummary {
  return { researchType: 'DOUBLE', productionType: 'DOUBLE', typeChange: 'same', research: null, production: null, ...fields };
}

/** A profile with only the statistics a fixture shows (renderers list a profile's entries as they are). */
export function profile(statistics: Partial<ProfileSummary>): ProfileSummary {
  return statistics as ProfileSummary;
}

export function splitsSummary(fields: Partial<SplitsSummary> = {}): SplitsSummary {
  return { columns: { split: 'split', label: null, group: null }, inferred: {}, mode: 'keyed', key: null, ...fields };
}

export function predictionsSummary(fields: Partial<PredictionsSummary> = {}): PredictionsSummary {
  return {
    columns: { score: 'score', label: null, truth: null },
    inferred: {},
    task: 'classification',
    threshold: 0.5,
    positiveClass: '1',
    tolerance: { abs: 0, rel: 0 },
    mode: 'keyed',
    key: null,
    ...fields,
  };
}

export function envSummary(fields: Partial<EnvSummary> = {}): EnvSummary {
  const env = { file: 'requirements.txt', format: 'requirements', ecosystem: 'python', packages: 0, interpreter: null, platform: null };
  return {
    research: env,
    production: env,
    packagesCompared: 0,
    unchanged: 0,
    changed: 0,
    changes: { major: 0, minor: 0, patch: 0, other: 0 },
    onlyInResearch: 0,
    onlyInProduction: 0,
    notComparable: [],
    numericalPackages: [],
    ...fields,
  };
}

/** A neutral summary of any stage. */
export function summaryOf<S extends Stage>(stage: S): StageSummaries[S] {
  const made = { data: dataSummary, features: featuresSummary, splits: splitsSummary, predictions: predictionsSummary, env: envSummary }[stage]();
  return made as StageSummaries[S];
}

/** The summary `check` gives a stage it skipped. */
export const skippedSummary = { inputs: { research: null, production: null } } as const;
