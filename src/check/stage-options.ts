/**
 * The comparison options of each stage inside `check`, from reprodiff.yml (global settings, then the
 * stage's own), so that `check` reaches the comparators with the same options the stage commands build
 * from their flags.
 */
import type { DataCompareOptions } from '../compare/data/index.js';
import type { Tolerance, Tolerances } from '../compare/data/tolerance.js';
import type { DriftOptions, DriftTest } from '../compare/distribution/index.js';
import { ReprodiffError } from '../errors.js';
import { requirementsFromMap } from '../compare/predictions/requirements.js';
import type { PredictionCompareOptions } from '../compare/predictions/index.js';
import type { SplitCompareOptions } from '../compare/splits/model.js';
import type { ReadOptions } from '../sources/resolve.js';
import type { ReprodiffConfig, TableStageConfig, ToleranceConfig } from '../config/types.js';
import { matchingOptions } from '../stages/registry.js';
import type { MatchingOption } from '../stages/registry.js';

export function tolerances(global: ToleranceConfig | undefined, local: ToleranceConfig | undefined): Tolerances {
  const base = { abs: local?.abs ?? global?.abs ?? 0, rel: local?.rel ?? global?.rel ?? 0 };
  const perColumn: Record<string, { abs: number; rel: number }> = {};
  for (const [col, t] of Object.entries({ ...global?.columns, ...local?.columns })) perColumn[col] = { abs: t.abs ?? base.abs, rel: t.rel ?? base.rel };
  return { default: base, perColumn };
}

/** Columns left out and renamed for a stage: the global lists, then the stage's own. */
export function schemaOptions(
  config: ReprodiffConfig,
  local: { ignore?: readonly string[]; rename?: Readonly<Record<string, string>> } | undefined,
): { ignore: string[]; rename: Record<string, string> } {
  return { ignore: [...(config.ignore ?? []), ...(local?.ignore ?? [])], rename: { ...config.rename, ...local?.rename } };
}

/**
 * The predictions stage's score tolerance, field by field as the table stages merge theirs (the stage's `abs` or
 * `rel`, else the global one), or undefined for exact when neither sets one.
 */
export function predictionTolerance(config: ReprodiffConfig): Tolerance | undefined {
  const local = config.stages?.predictions?.tolerance;
  const global = config.tolerance;
  if (!local && !global) return undefined;
  return { abs: local?.abs ?? global?.abs ?? 0, rel: local?.rel ?? global?.rel ?? 0 };
}

/** The data/features options for a stage: global settings, then the stage's own. */
export function tableOptions(config: ReprodiffConfig, stage: 'data' | 'features', key: readonly string[] | undefined): DataCompareOptions {
  const local = config.stages?.[stage] as (TableStageConfig & { drift?: NonNullable<NonNullable<ReprodiffConfig['stages']>['features']>['drift'] }) | undefined;
  const drift = local?.drift;
  const driftOptions: DriftOptions | undefined = drift
    ? {
        tests: drift.tests as Record<string, DriftTest> | undefined,
        thresholds: drift.thresholds,
        ...(drift.test !== undefined ? { test: drift.test } : {}),
        ...(drift.threshold !== undefined ? { threshold: drift.threshold } : {}),
        ...(drift.binStrategy !== undefined ? { binStrategy: drift.binStrategy } : {}),
        ...(drift.psiFloor !== undefined ? { psiFloor: drift.psiFloor } : {}),
        bins: drift.bins,
        datasetShare: drift.datasetShare,
        kinds: Object.fromEntries([...(drift.categorical ?? []).map((c) => [c, 'categorical']), ...(drift.numeric ?? []).map((c) => [c, 'numeric'])]),
      }
    : undefined;
  const settings = comparisonSettings(config, local);
  // --by-position stages match rows by position: the shared (or inferred) key is for the other stages; a key the
  // stage itself names contradicts it.
  if (settings.byPosition && local?.key !== undefined && (typeof local.key === 'string' || local.key.length > 0)) {
    throw new ReprodiffError('E_USAGE', `reprodiff.yml: stages.${stage} has both key and byPosition: give one of them`, {
      suggestion: "remove the stage's key to compare rows by position, or byPosition to match them on the key",
    });
  }
  return {
    key: settings.byPosition ? undefined : key,
    keepDiffTable: true,
    ...schemaOptions(config, local),
    tolerances: tolerances(config.tolerance, local?.tolerance),
    drift: driftOptions,
    ...(config.sample !== undefined ? { sample: config.sample } : {}),
    ...settings,
  };
}

/** --ignore-spaces, --ignore-case, --null-keys, --by-position, --exact-stats: the stage's own setting, else the global one; left out when neither says. */
export function comparisonSettings(config: ReprodiffConfig, local: TableStageConfig | undefined): Pick<DataCompareOptions, MatchingOption> {
  return matchingOptions((o) => local?.[o.option] ?? config[o.option]);
}

/** The column overrides `check` takes as flags (--split-col, --score-col…), over the config. */
export interface ColumnOverrides {
  readonly truthColumn?: string;
  readonly scoreColumn?: string;
  readonly labelColumn?: string;
  readonly splitColumn?: string;
  readonly groupColumn?: string;
}

/** The splits options inside `check`: global then stage settings, the flags over both. */
export function splitsOptions(config: ReprodiffConfig, key: readonly string[] | undefined, overrides: ColumnOverrides = {}): SplitCompareOptions {
  const s = config.stages?.splits;
  return {
    key,
    ...schemaOptions(config, s),
    splitColumn: overrides.splitColumn ?? s?.splitColumn,
    labelColumn: s?.labelColumn,
    groupColumn: overrides.groupColumn ?? s?.groupColumn,
    ...(config.sample !== undefined ? { sample: config.sample } : {}),
  };
}

/** The predictions options inside `check` (all but the features to attribute to): the same renames and exclusions `reprodiff predictions --map/--ignore` applies. */
export function predictionsOptions(config: ReprodiffConfig, key: readonly string[] | undefined, overrides: ColumnOverrides = {}): PredictionCompareOptions & { tolerance: Tolerance | undefined } {
  const p = config.stages?.predictions;
  return {
    key,
    ...schemaOptions(config, p),
    ...(config.sample !== undefined ? { sample: config.sample } : {}),
    scoreColumn: overrides.scoreColumn ?? p?.scoreColumn,
    labelColumn: overrides.labelColumn ?? p?.labelColumn,
    truthColumn: overrides.truthColumn ?? p?.truthColumn,
    threshold: p?.threshold,
    tolerance: predictionTolerance(config),
    requirements: requirementsFromMap(p?.require, 'stages.predictions.require'),
    ...(p?.metricTolerance !== undefined ? { metricTolerance: p.metricTolerance } : {}),
  };
}

/** How `check` reads text inputs: reprodiff.yml's `read:` (both sides, every stage). */
export function readSettings(config: ReprodiffConfig): ReadOptions {
  const read = config.read;
  return read ? { header: read.header, delimiter: read.delimiter, decimal: read.decimal, nullValues: read.nullValues, encoding: read.encoding } : {};
}

/** What the features stage adds to the table options inside `check`. */
export function featuresOptions(config: ReprodiffConfig): { timeColumn: string | undefined } {
  return { timeColumn: config.stages?.features?.timeColumn };
}

/** The env stage's options inside `check`. */
export function envOptions(config: ReprodiffConfig): { numericPackages: readonly string[] | undefined } {
  return { numericPackages: config.stages?.env?.numericPackages };
}
