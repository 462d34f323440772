/**
 * An estimated distinct count in every report (#22): `≈` before the figure in Markdown and HTML, its marker not a
 * statistic of its own, the estimated columns named in the terminal (also for a stage shown in brief by `check`),
 * and nothing of it in JUnit, which shows no statistics.
 */
import { describe, expect, it } from 'vitest';
import { buildReport, finding } from '../../src/findings/report.js';
import type { Command, Report, StageOutcome } from '../../src/findings/types.js';
import { estimatedColumns, readColumns } from '../../src/report/charts.js';
import { renderReport } from '../../src/report/index.js';
import { DISTINCT_ESTIMATE } from '../../src/compare/data/profile.js';
import type { DataSummary } from '../../src/findings/summaries.js';
import { column, dataSummary, featuresSummary, profile as profileOf } from '../helpers/summaries.js';
import { OPTIONS } from './fixtures.js';

const profile = (distinct: number, estimated: boolean) => profileOf({ count: 60_000, nulls: 0, distinct, ...(estimated ? { distinctEstimate: DISTINCT_ESTIMATE } : {}), minLength: 6, maxLength: 10 });

function report(command: Command, equal: boolean): Report {
  const data: StageOutcome = {
    result: {
      stage: 'data',
      status: equal ? 'equal' : 'different',
      reason: equal ? 'no difference beyond tolerance' : '1 finding: value_changed',
      summary: dataSummary({
        columns: {
          u: column({ researchType: 'VARCHAR', productionType: 'VARCHAR', research: profile(60_412, true), production: profile(59_871, true) }),
          cat: column({ researchType: 'VARCHAR', productionType: 'VARCHAR', research: profile(9, false), production: profile(9, false) }),
        },
      }),
    },
    findings: equal ? [] : [finding({ stage: 'data', severity: 'error', cause: 'value_changed', columns: ['cat'], rowsAffected: 1, message: 'cat: 1 row has a different value', evidence: {} })],
  };
  const features: StageOutcome = {
    result: { stage: 'features', status: 'different', reason: '1 finding', summary: featuresSummary() },
    findings: [finding({ stage: 'features', severity: 'error', cause: 'value_changed', columns: ['f'], rowsAffected: 1, message: 'f: 1 row has a different value', evidence: {} })],
  };
  return { ...buildReport(command, command === 'check' ? [data, features] : [data], 'warning'), tool: { name: 'reprodiff' as const, version: '0.0.0-fixture' } };
}

describe('estimated distinct counts in reports', () => {
  it('read as ≈N, with the marker left out of the statistics', () => {
    const dataOf = (r: Report) => r.stages[0]!.summary as DataSummary;
    const [u, cat] = readColumns(dataOf(report('data', false)));
    expect(u!.statistics.find(([n]) => n === 'distinct')).toEqual(['distinct', '≈60,412', '≈59,871']);
    expect(u!.statistics.some(([n]) => n.startsWith('distinctEstimate'))).toBe(false);
    expect(cat!.statistics.find(([n]) => n === 'distinct')).toEqual(['distinct', 9, 9]);
    expect(estimatedColumns(dataOf(report('data', false)))).toEqual(['u']);
  });

  it('show ≈ in Markdown and HTML, name the columns in the terminal, and leave JUnit alone', () => {
    const r = report('data', false);
    expect(renderReport('markdown', r, OPTIONS)).toContain('| u | distinct | ≈60,412 | ≈59,871 |');
    expect(renderReport('html', r, OPTIONS)).toContain('<td class="num">≈60,412</td>');
    expect(renderReport('terminal', r, OPTIONS)).toContain('≈ distinct counts estimated (HyperLogLog, ±1.6% standard error; never a finding) for 1 column: u; --exact-stats counts them');
    expect(renderReport('junit', r, OPTIONS)).not.toContain('≈');
  });

  it('name them in the terminal for a stage check shows in brief', () => {
    const text = renderReport('terminal', report('check', true), OPTIONS);
    expect(text).toMatch(/data: equal\n {2}≈ distinct counts estimated .* for 1 column: u;/);
  });
});
