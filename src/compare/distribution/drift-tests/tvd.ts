/** Total variation distance over the PSI bins (numeric) or categories. */

import { stableFloat } from '../../shared/values.js';
import { totalVariation } from '../../../stats/index.js';
import type { DriftTestModule } from './types.js';

export const tvd: DriftTestModule = {
  name: 'tvd',
  aliases: ['totalvariation', 'totalvariationdistance'],
  label: 'total variation distance',
  description: 'total variation distance ½Σ|p − q| over the bins or categories',
  columns: ['numeric', 'categorical'],
  needs: 'counts',
  direction: 'distance',
  threshold: 0.1,
  compute: (g) => ({ tvd: stableFloat(totalVariation(g.counts.a, g.counts.b))! }),
  value: (t) => t.tvd,
};
