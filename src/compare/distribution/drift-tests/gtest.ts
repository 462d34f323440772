/** G-test (log-likelihood ratio) of homogeneity of the category counts. */

import { stableFloat } from '../../shared/values.js';
import { gTest } from '../../../stats/index.js';
import type { DriftTestModule } from './types.js';

export const gtest: DriftTestModule = {
  name: 'gtest',
  aliases: ['g', 'loglikelihood', 'gstat'],
  label: 'G-test p-value',
  description: 'G-test of homogeneity p-value (scipy power_divergence, lambda_="log-likelihood")',
  columns: ['categorical'],
  needs: 'counts',
  direction: 'pvalue',
  threshold: 0.1,
  compute: (g) => {
    const r = gTest(g.counts.a, g.counts.b);
    return { gTest: { statistic: stableFloat(r.statistic)!, pvalue: r.pvalue, dof: r.dof } };
  },
  value: (t) => t.gTest?.pvalue,
};
