/** Jensen–Shannon distance over the PSI bins (numeric) or categories. */

import { stableFloat } from '../../shared/values.js';
import { jensenShannon } from '../../../stats/index.js';
import type { DriftTestModule } from './types.js';

export const jensenshannon: DriftTestModule = {
  name: 'jensenshannon',
  aliases: ['js', 'jensenshannondistance'],
  label: 'Jensen–Shannon distance',
  description: 'Jensen–Shannon distance (natural log) over the same bins or categories',
  columns: ['numeric', 'categorical'],
  needs: 'counts',
  direction: 'distance',
  threshold: 0.1,
  standing: ['numeric', 'categorical'],
  compute: (g) => ({ jensenShannon: stableFloat(jensenShannon(g.counts.a, g.counts.b))! }),
  value: (t) => t.jensenShannon,
};
