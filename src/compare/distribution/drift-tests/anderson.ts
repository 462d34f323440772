/** Anderson–Darling k-sample test of the two sides' values, from the rank sums. */

import { stableFloat } from '../../shared/values.js';
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
  // scipy needs two distinct values, and the variance's (N − 1)(N − 2)(N − 3) a fourth observation.
  applies: (g) => g.n1 + g.n2 >= 4 && (g.ranks?.distinct ?? 0) >= 2,
  compute: (g) => {
    const r = andersonDarling(g.ranks!);
    return { andersonDarling: { statistic: stableFloat(r.statistic)!, pvalue: r.pvalue } };
  },
  value: (t) => t.andersonDarling?.pvalue,
};
