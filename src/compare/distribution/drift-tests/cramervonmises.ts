/** Cramér–von Mises two-sample test, from the rank sums. */

import { stableFloat } from '../../shared/values.js';
import { cramerVonMises as cvm } from '../../../stats/index.js';
import type { DriftTestModule } from './types.js';

export const cramervonmises: DriftTestModule = {
  name: 'cramervonmises',
  aliases: ['cvm', 'cramervonmises2samp'],
  label: 'Cramér–von Mises p-value',
  description: 'Cramér–von Mises two-sample p-value (scipy cramervonmises_2samp, method auto)',
  columns: ['numeric'],
  needs: 'ranks',
  direction: 'pvalue',
  threshold: 0.1,
  // scipy needs two observations per side.
  applies: (g) => g.n1 >= 2 && g.n2 >= 2,
  compute: (g) => {
    const r = cvm(g.ranks!);
    return { cramerVonMises: { statistic: stableFloat(r.statistic)!, pvalue: r.pvalue, method: r.method } };
  },
  value: (t) => t.cramerVonMises?.pvalue,
};
