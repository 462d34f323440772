/** Kullback–Leibler divergence KL(research ‖ production) over the PSI bins (numeric) or categories. */

import { stableFloat } from '../../shared/values.js';
import { klDivergence } from '../../../stats/index.js';
import type { DriftTestModule } from './types.js';

export const kl: DriftTestModule = {
  name: 'kl',
  aliases: ['kldiv', 'kullbackleibler', 'kldivergence'],
  label: 'Kullback–Leibler divergence',
  description: 'KL(research ‖ production) in nats over the bins or categories, empty fraction 1e-4',
  columns: ['numeric', 'categorical'],
  needs: 'counts',
  direction: 'distance',
  threshold: 0.1,
  compute: (g) => ({ kl: stableFloat(klDivergence(g.counts.a, g.counts.b, g.floor))! }),
  value: (t) => t.kl,
};
