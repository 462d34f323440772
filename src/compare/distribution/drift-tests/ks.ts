/** Two-sample Kolmogorov–Smirnov test, from the merged ECDF's statistic. */

import { ksPValue } from '../../../stats/index.js';
import type { DriftTestModule } from './types.js';

export const ks: DriftTestModule = {
  name: 'ks',
  aliases: ['kolmogorovsmirnov'],
  label: 'KS p-value',
  description: 'two-sample Kolmogorov–Smirnov p-value (scipy ks_2samp, method auto)',
  columns: ['numeric'],
  needs: 'ecdf',
  direction: 'pvalue',
  threshold: 0.05,
  standing: ['numeric'],
  compute: (g) => ({ ks: { statistic: g.ecdf!.d, pvalue: ksPValue(g.ecdf!.d, g.n1, g.n2) } }),
  value: (t) => t.ks?.pvalue,
};
