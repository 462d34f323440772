/** Hellinger distance over the PSI bins (numeric) or categories. */

import { stableFloat } from '../../shared/values.js';
import { hellinger as hellingerDistance } from '../../../stats/index.js';
import type { DriftTestModule } from './types.js';

export const hellinger: DriftTestModule = {
  name: 'hellinger',
  aliases: ['hellingerdistance'],
  label: 'Hellinger distance',
  description: 'Hellinger distance over the bins or categories',
  columns: ['numeric', 'categorical'],
  needs: 'counts',
  direction: 'distance',
  threshold: 0.1,
  compute: (g) => ({ hellinger: stableFloat(hellingerDistance(g.counts.a, g.counts.b))! }),
  value: (t) => t.hellinger,
};
