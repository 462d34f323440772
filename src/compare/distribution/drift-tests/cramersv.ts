/** Cramér's V of the 2×k table of category counts. */

import { stableFloat } from '../../shared/values.js';
import { cramersV as cramersVOf } from '../../../stats/index.js';
import type { DriftTestModule } from './types.js';

export const cramersv: DriftTestModule = {
  name: 'cramersv',
  aliases: ['cramerv', 'cramer'],
  label: "Cramér's V",
  description: "Cramér's V of the side × category table (scipy contingency.association)",
  columns: ['categorical'],
  needs: 'counts',
  direction: 'distance',
  threshold: 0.1,
  compute: (g) => ({ cramersV: stableFloat(cramersVOf(g.counts.a, g.counts.b))! }),
  value: (t) => t.cramersV,
};
