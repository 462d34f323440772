/** Population stability index over the PSI bins (numeric) or categories. */

import { stableFloat } from '../../shared/values.js';
import { psi } from '../../../stats/index.js';
import type { DriftTestModule } from './types.js';

export const psiTest: DriftTestModule = {
  name: 'psi',
  aliases: ['populationstabilityindex'],
  label: 'PSI',
  description: "population stability index over the bins (research's deciles) or categories, empty fraction 1e-4",
  columns: ['numeric', 'categorical'],
  needs: 'counts',
  direction: 'distance',
  threshold: 0.1,
  standing: ['numeric', 'categorical'],
  compute: (g) => ({ psi: stableFloat(psi(g.counts.a, g.counts.b, g.floor))! }),
  value: (t) => t.psi,
};
