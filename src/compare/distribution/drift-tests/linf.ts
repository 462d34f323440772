/** L∞ distance of the category shares: a reported figure, not a selectable test. */

import { stableFloat } from '../../shared/values.js';
import { linfDistance } from '../../../stats/index.js';
import type { DriftTestModule } from './types.js';

export const linf: DriftTestModule = {
  name: 'linf',
  aliases: [],
  label: 'L∞ distance',
  description: 'largest difference of category shares',
  columns: ['categorical'],
  needs: 'counts',
  direction: 'distance',
  threshold: 0.1,
  standing: ['categorical'],
  selectable: false,
  compute: (g) => ({ linf: stableFloat(linfDistance(g.counts.a, g.counts.b))! }),
  value: (t) => t.linf,
};
