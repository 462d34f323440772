/** Chi-square test of homogeneity of the category counts. */

import { stableFloat } from '../../shared/values.js';
import { chiSquareHomogeneity } from '../../../stats/index.js';
import type { DriftTestModule } from './types.js';

export const chisquare: DriftTestModule = {
  name: 'chisquare',
  aliases: ['chi2', 'chisq', 'chisquared'],
  label: 'chi-square p-value',
  description: 'chi-square test of homogeneity p-value (no Yates correction)',
  columns: ['categorical'],
  needs: 'counts',
  direction: 'pvalue',
  threshold: 0.05,
  standing: ['categorical'],
  compute: (g) => {
    const chi = chiSquareHomogeneity(g.counts.a, g.counts.b);
    return { chiSquare: { statistic: stableFloat(chi.statistic)!, pvalue: chi.pvalue, dof: chi.dof } };
  },
  value: (t) => t.chiSquare?.pvalue,
};
