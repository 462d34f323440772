/** Energy distance between the two sides' values, from ∫ (F_a − F_b)² over the merged ECDF. */

import { stableFloat } from '../../shared/values.js';
import { energyDistance } from '../../../stats/index.js';
import type { DriftTestModule } from './types.js';

export const energy: DriftTestModule = {
  name: 'energy',
  aliases: ['energydistance'],
  label: 'energy distance',
  description: 'energy distance (scipy energy_distance; in the units of the column)',
  columns: ['numeric'],
  needs: 'ranks',
  direction: 'distance',
  threshold: 0.1,
  compute: (g) => ({ energy: stableFloat(energyDistance(g.ranks!.ecdfSquared))! }),
  value: (t) => t.energy,
};
