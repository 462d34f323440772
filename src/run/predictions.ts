import { ATTRIBUTION_OUTSIDE_POOL_SHARE } from '../engine/engine.js';
import { comparePredictions } from '../compare/predictions/index.js';
import type { PredictionCompareOptions } from '../compare/predictions/index.js';
import { buildReport } from '../findings/report.js';
import type { Report } from '../findings/types.js';
import type { PairRunOptions } from './data.js';
import { withInputs } from '../sources/open.js';
import { reconcilePair } from '../sources/reconcile.js';

export interface PredictionRunOptions extends Omit<PredictionCompareOptions, 'features'>, PairRunOptions {
  /** Feature files of each environment, keyed like the predictions, for attribution. */
  readonly featuresResearch?: string;
  readonly featuresProduction?: string;
  /** Key of the feature files when it is named differently (default: the predictions' key). */
  readonly featuresKey?: readonly string[];
}

/** `reprodiff predictions A B`: opens the predictions (and features, for attribution) and compares them. */
export async function runPredictions(research: string, production: string, options: PredictionRunOptions = {}): Promise<Report> {
  const withFeatures = Boolean(options.featuresResearch && options.featuresProduction);
  const paths = [research, production, ...(withFeatures ? [options.featuresResearch!, options.featuresProduction!] : [])];
  const inputs = paths.map((path) => ({ path, read: options.read }));
  // The attribution's join over both feature tables allocates much outside DuckDB's pool: the pool is kept smaller.
  const engineOptions = withFeatures ? { outsidePoolShare: ATTRIBUTION_OUTSIDE_POOL_SHARE, ...options.engine } : (options.engine ?? {});
  return withInputs(inputs, engineOptions, async (engine, open) => {
    options.onProgress?.('opening inputs');
    const [a, b] = await reconcilePair(engine, await open(0, 'research'), await open(1, 'production'), options.rename);
    const pair = withFeatures ? await reconcilePair(engine, await open(2, 'features_research'), await open(3, 'features_production')) : undefined;
    const features = pair ? { research: pair[0], production: pair[1], key: options.featuresKey } : undefined;
    return buildReport('predictions', [await comparePredictions(engine, a, b, { ...options, features })], options.failOn);
  });
}
