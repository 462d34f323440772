/** Wasserstein-1 distance from the merged ECDF, normalised by research's population std. */

import { stableFloat } from '../../shared/values.js';
import type { DriftTestModule } from './types.js';

export const wasserstein: DriftTestModule = {
  name: 'wasserstein',
  aliases: ['wassersteindistance', 'wassersteinnorm', 'emd'],
  label: 'normalised Wasserstein',
  description: "Wasserstein-1 over research's population std (floored at 0.001)",
  columns: ['numeric'],
  needs: 'ecdf',
  direction: 'distance',
  threshold: 0.1,
  standing: ['numeric'],
  compute: (g) => ({ wasserstein: stableFloat(g.ecdf!.w)!, wassersteinNormed: stableFloat(g.ecdf!.w / Math.max(g.ecdf!.stdA, 0.001))! }),
  value: (t) => t.wassersteinNormed,
};
