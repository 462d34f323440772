/** Welch's t-test of the two sides' means, from each side's moments. */

import { stableFloat } from '../../shared/values.js';
import { welchT } from '../../../stats/index.js';
import type { DriftTestModule } from './types.js';

export const ttest: DriftTestModule = {
  name: 'ttest',
  aliases: ['welch', 'welcht', 'tteststat'],
  label: "Welch's t-test p-value",
  description: "Welch's t-test p-value, two-sided (scipy ttest_ind, equal_var=False)",
  columns: ['numeric'],
  needs: 'moments',
  direction: 'pvalue',
  threshold: 0.05,
  applies: (g) => g.n1 >= 2 && g.n2 >= 2,
  compute: (g) => {
    const m = g.moments!;
    const r = welchT(m.mean1, m.var1, m.n1, m.mean2, m.var2, m.n2);
    return { welch: { statistic: stableFloat(r.statistic)!, pvalue: r.pvalue, df: stableFloat(r.df)! } };
  },
  value: (t) => t.welch?.pvalue,
};
