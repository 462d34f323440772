import { matchSchemas } from '../compare/data/columns.js';
import type { SchemaOptions } from '../compare/data/columns.js';
import { keyedDiff } from '../compare/data/keyed.js';
import type { Tolerance } from '../compare/data/tolerance.js';
import { comparePredictions } from '../compare/predictions/index.js';
import { compareSplits } from '../compare/splits/index.js';
import type { ReprodiffConfig } from '../config/types.js';
import type { Engine } from '../engine/engine.js';
import type { StageOutcome } from '../findings/types.js';
import type { Dataset } from '../sources/register.js';
import type { KeyedTable } from './propagate.js';
import { predictionsOptions, splitsOptions } from './stage-options.js';

interface ModelStageInput {
  readonly key: readonly string[] | undefined;
  readonly config: ReprodiffConfig;
  readonly overrides?: { truthColumn?: string; scoreColumn?: string; labelColumn?: string; splitColumn?: string; groupColumn?: string };
}

/**
 * The keyed rows of a stage that differ in the given columns, as a diff table the propagation step can
 * join to upstream stages. Narrow (key + a few columns), so the extra join is cheap.
 */
async function keyedTable(
  engine: Engine,
  a: Dataset,
  b: Dataset,
  key: readonly string[] | undefined,
  columns: readonly (string | undefined)[],
  tolerance?: Tolerance,
  schema?: SchemaOptions,
): Promise<KeyedTable | null> {
  if (!key || key.length === 0) return null;
  const wanted = new Set([...key, ...columns.filter((c): c is string => Boolean(c))]);
  const pairs = matchSchemas(a.columns, b.columns, schema).pairs.filter((p) => wanted.has(p.name));
  if (!key.every((k) => pairs.some((p) => p.name === k))) return null;
  // The stage's own tolerance: rows it calls equal must not count as differing when tracing propagation.
  const tolerances = tolerance ? { default: tolerance, perColumn: {} } : undefined;
  const sharedKeys = await keyedDiff(engine, a, b, pairs, { key, sample: 0, tolerances });
  if (sharedKeys.matched === 0) return null;
  return { table: sharedKeys.diffTable, keyCount: key.length, valueColumns: sharedKeys.valueColumns };
}

/** The splits stage inside `check`: the splits comparator, plus the keyed table for propagation. */
export async function runSplitsStage(engine: Engine, a: Dataset, b: Dataset, input: ModelStageInput): Promise<{ outcome: StageOutcome; keyed: KeyedTable | null }> {
  const s = input.config.stages?.splits;
  const options = splitsOptions(input.config, input.key, input.overrides);
  const outcome = await compareSplits(engine, a, b, options);
  const split = input.overrides?.splitColumn ?? s?.splitColumn ?? outcome.result.summary.columns.split;
  return { outcome, keyed: await keyedTable(engine, a, b, input.key, [split], undefined, { ignore: options.ignore, rename: options.rename }) };
}

/** The predictions stage inside `check`: attribution against the features stage when both sides have it. */
export async function runPredictionsStage(
  engine: Engine,
  a: Dataset,
  b: Dataset,
  input: ModelStageInput & { features?: { research: Dataset; production: Dataset } },
): Promise<{ outcome: StageOutcome; keyed: KeyedTable | null }> {
  const p = input.config.stages?.predictions;
  const options = predictionsOptions(input.config, input.key, input.overrides);
  const outcome = await comparePredictions(engine, a, b, { ...options, features: input.features && input.key ? { ...input.features, key: input.key } : undefined });
  const score = input.overrides?.scoreColumn ?? p?.scoreColumn ?? outcome.result.summary.columns.score ?? undefined;
  const label = input.overrides?.labelColumn ?? p?.labelColumn ?? outcome.result.summary.columns.label ?? undefined;
  return { outcome, keyed: await keyedTable(engine, a, b, input.key, [score, label], options.tolerance, { ignore: options.ignore, rename: options.rename }) };
}
