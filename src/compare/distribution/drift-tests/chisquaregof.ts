/** Chi-square goodness of fit of production's category counts against research's proportions. */

import { stableFloat } from '../../shared/values.js';
import { chiSquareGoodnessOfFit } from '../../../stats/index.js';
import type { DriftTestModule } from './types.js';

export const chisquaregof: DriftTestModule = {
  name: 'chisquaregof',
  aliases: ['gof', 'chi2gof', 'goodnessoffit'],
  label: 'chi-square goodness-of-fit p-value',
  description: "chi-square goodness of fit of production against research's proportions (scipy chisquare)",
  columns: ['categorical'],
  needs: 'counts',
  direction: 'pvalue',
  threshold: 0.05,
  compute: (g) => {
    const r = chiSquareGoodnessOfFit(g.counts.a, g.counts.b);
    return { chiSquareGof: { statistic: r.statistic === null ? null : stableFloat(r.statistic)!, pvalue: r.pvalue, dof: r.dof } };
  },
  value: (t) => t.chiSquareGof?.pvalue,
};
