/**
 * Which upstream (features) conditions go with the mismatched and the non-finite predictions: the explain engine
 * over the matched table's differing keys.
 */
import type { Engine } from '../../engine/engine.js';
import type { AttributionSummary } from '../../findings/summaries.js';
import type { Dataset } from '../../sources/register.js';
import { explainDifferences } from '../explain/index.js';
import type { Explanation, UpstreamRelation } from '../explain/index.js';
import { bad } from './match.js';
import type { KeyedPredictions } from './match.js';

/** Features of each environment, keyed like the predictions. */
export interface PredictionFeatures {
  readonly research: Dataset;
  readonly production: Dataset;
  readonly key?: readonly string[];
  readonly rename?: Readonly<Record<string, string>>;
}

/** The upstream conditions, best first (at most 20 each, positive lift only), of mismatched, production-NaN and research-NaN predictions. */
export async function attribute(engine: Engine, keyed: KeyedPredictions, f: PredictionFeatures, key: readonly string[], predCols: readonly string[]): Promise<AttributionSummary> {
  const upstream: UpstreamRelation = {
    name: 'features',
    research: f.research,
    production: f.production,
    key: f.key ?? key,
    rename: f.rename,
    ignore: predCols.filter((c) => !(f.key ?? key).includes(c)),
  };
  const keyColumns = Array.from({ length: keyed.keyCount }, (_v, i) => `k${i}`);
  const run = async (differs: string, where: string) =>
    explainDifferences(engine, { differing: `(SELECT ${keyed.keyCols}, ${differs} AS differs FROM ${keyed.table} WHERE ${where})`, keyColumns, upstream: [upstream] });
  const top = (list: Explanation[]) => list.filter((e) => e.lift > 0).slice(0, 20);
  const n = (k: string) => keyed.stats[k] ?? 0;
  const mismatched = n('differing') > 0 ? top(await run(keyed.differsExpr, 'in_a AND in_b')) : [];
  const nonFiniteProduction = n('b_null') + n('b_nan') + n('b_inf') > 0 ? top(await run(bad('sb'), 'in_b')) : [];
  const nonFiniteResearch = n('a_null') + n('a_nan') + n('a_inf') > 0 ? top(await run(bad('sa'), 'in_a')) : [];
  return { mismatched, nonFiniteProduction, nonFiniteResearch };
}
