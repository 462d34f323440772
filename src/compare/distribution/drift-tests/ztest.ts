/** Two-proportion z-test of a binary column (two categories over both sides). */

import { stableFloat } from '../../shared/values.js';
import { twoProportionZ } from '../../../stats/index.js';
import type { DriftTestModule } from './types.js';
import { twoCategories } from './binary.js';

export const ztest: DriftTestModule = {
  name: 'ztest',
  aliases: ['z', 'twoproportion', 'proportionz', 'twoproportionz'],
  label: 'two-proportion z-test p-value',
  description: 'two-proportion z-test p-value, two-sided (binary columns)',
  columns: ['categorical'],
  needs: 'counts',
  direction: 'pvalue',
  threshold: 0.05,
  applies: (g) => twoCategories(g) !== undefined,
  compute: (g) => {
    const [a, b, c, d] = twoCategories(g)!;
    const r = twoProportionZ(a, a + b, c, c + d);
    return { twoProportionZ: { statistic: stableFloat(r.statistic)!, pvalue: r.pvalue } };
  },
  value: (t) => t.twoProportionZ?.pvalue,
};
