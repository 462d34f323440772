/** Fisher's exact test of a binary column's 2×2 table. */

import { stableFloat } from '../../shared/values.js';
import { fisherExact } from '../../../stats/index.js';
import type { DriftTestModule } from './types.js';
import { twoCategories } from './binary.js';

export const fisher: DriftTestModule = {
  name: 'fisher',
  aliases: ['fisherexact', 'fishers', 'fishersexact'],
  label: "Fisher's exact test p-value",
  description: "Fisher's exact test p-value, two-sided (scipy fisher_exact; binary columns)",
  columns: ['categorical'],
  needs: 'counts',
  direction: 'pvalue',
  threshold: 0.1,
  applies: (g) => twoCategories(g) !== undefined,
  compute: (g) => {
    const [a, b, c, d] = twoCategories(g)!;
    const r = fisherExact(a, b, c, d);
    return { fisher: { oddsRatio: r.oddsRatio === null ? null : stableFloat(r.oddsRatio)!, pvalue: r.pvalue } };
  },
  value: (t) => t.fisher?.pvalue,
};
