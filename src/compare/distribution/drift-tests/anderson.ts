/** Anderson–Darling k-sample test of the two sides' values, from the rank sums. */

import { stableFloat } from '../../data/values.js';
import { andersonDarling } from '../../../stats/index.js';
import type { DriftTestModule } from './types.js';

export const anderson: DriftTestModule = {
  name: 'anderson',
  aliases: ['andersondarling', 'ad', 'andersonksamp'],
  label: 'Anderson–Darling p-value',
  description: 'Anderson–Darling k-sample p-value (scipy anderson_ksamp: interpolated, capped at 0.25, floored at 0.001)',
  columns: ['numeric'],
  needs: 'ranks',
  direction: 'pvalue',
  threshold: 0.1,
  compute: (g) => {
    const r = andersonDarling(g.ranks!);
    return { andersonDarling: { statistic: stableFloat(r.statistic)!, pvalue: r.pvalue } };
  },
  value: (t) => t.andersonDarling?.pvalue,
};
