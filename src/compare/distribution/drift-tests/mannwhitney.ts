/** Mann–Whitney U test, from the rank sums. */

import { mannWhitney as mwu } from '../../../stats/index.js';
import type { DriftTestModule } from './types.js';

export const mannwhitney: DriftTestModule = {
  name: 'mannwhitney',
  aliases: ['mannw', 'mwu', 'mannwhitneyu', 'wilcoxonranksum'],
  label: 'Mann–Whitney p-value',
  description: 'Mann–Whitney U p-value, two-sided (scipy mannwhitneyu, method auto: normal with tie and continuity corrections)',
  columns: ['numeric'],
  needs: 'ranks',
  direction: 'pvalue',
  threshold: 0.05,
  compute: (g) => ({ mannWhitney: mwu(g.ranks!) }),
  value: (t) => t.mannWhitney?.pvalue,
};
