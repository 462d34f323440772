/** What a person needs on screen: the headline root, sample values, next steps, grouped env, time column, plurals. */
import { describe, expect, it } from 'vitest';
import { ALL_CAUSES } from '../../src/findings/types.js';
import type { Finding, Stage, StageOutcome, StageResult } from '../../src/findings/types.js';
import type { StageSummaries } from '../../src/findings/summaries.js';
import { featuresSummary, summaryOf } from '../helpers/summaries.js';
import { CATALOGUE, nextActions } from '../../src/findings/catalogue.js';
import { derivedFrom, headlineFinding, rankRoots } from '../../src/findings/headline.js';
import { buildReport, finding } from '../../src/findings/report.js';
import { renderHtml } from '../../src/report/html.js';
import { renderMarkdown } from '../../src/report/markdown.js';
import { renderTerminal } from '../../src/report/terminal.js';

const OPTIONS = { verbose: false, color: false };
const f = (x: Partial<Finding> & Pick<Finding, 'stage' | 'cause'>): Finding => finding({ severity: 'error', message: `${x.cause} message`, ...x });
const outcome = <S extends Stage>(stage: S, findings: Finding[], summary: StageSummaries[S] = summaryOf(stage)): StageOutcome => ({
  result: { stage, status: 'different', reason: '', summary } as StageResult,
  findings,
});

describe('cause catalogue', () => {
  it('has a checklist step and a next action for every cause code', () => {
    for (const cause of ALL_CAUSES) expect(CATALOGUE[cause]?.next, cause).toMatch(/\w/);
  });

  it('one line per root cause; symptoms only when nothing more specific is there', () => {
    const list = nextActions([
      f({ stage: 'features', cause: 'rescaled', columns: ['a'] }),
      f({ stage: 'features', cause: 'rescaled', columns: ['b'] }),
      f({ stage: 'features', cause: 'distribution_drift', columns: ['a'] }),
      f({ stage: 'features', cause: 'null_handling', columns: ['c'], propagatedFrom: 'data' }),
    ]);
    expect(list.map((x) => x.cause)).toEqual(['rescaled']);
    expect(nextActions([f({ stage: 'data', cause: 'value_changed', columns: ['a'] })]).map((x) => x.cause)).toEqual(['value_changed']);
  });
});

describe('headline ranking', () => {
  it('a source column before the column derived from it, a cause before its symptom', () => {
    expect(derivedFrom('age_z', 'age')).toBe(true);
    expect(derivedFrom('region_north', 'region')).toBe(true);
    expect(derivedFrom('log_income', 'income')).toBe(true);
    expect(derivedFrom('agent', 'age')).toBe(false);
    const roots = rankRoots([
      f({ stage: 'features', cause: 'value_changed', columns: ['age'], rowsAffected: 900 }),
      f({ stage: 'features', cause: 'rescaled', columns: ['age_z'], rowsAffected: 1000 }),
      f({ stage: 'features', cause: 'rescaled', columns: ['age'], rowsAffected: 10 }),
    ]);
    expect(roots.map((x) => x.columns[0])).toEqual(['age', 'age_z', 'age']);
    expect(roots[2]!.cause).toBe('value_changed');
  });

  it('upstream evidence first; duplicates before the extra rows they make', () => {
    const report = buildReport('check', [
      outcome('data', [f({ stage: 'data', cause: 'rows_extra', columns: ['id'], rowsAffected: 20 }), f({ stage: 'data', cause: 'duplicate_keys', columns: ['id'], rowsAffected: 20 })]),
    ]);
    expect(headlineFinding(report)?.cause).toBe('duplicate_keys');
    const evidenced = rankRoots([
      f({ stage: 'features', cause: 'rescaled', columns: ['x'], rowsAffected: 400 }),
      f({ stage: 'features', cause: 'null_handling', columns: ['x'], rowsAffected: 40, evidence: { fittedConstant: true, explanation: { source: 'data' } } }),
    ]);
    expect(evidenced[0]!.cause).toBe('null_handling');
  });

  it('the first broken stage is the first with a root: a stage whose findings all come from upstream is not it', () => {
    const report = buildReport('check', [
      outcome('features', [f({ stage: 'features', cause: 'rescaled', columns: ['x'], rowsAffected: 9, propagatedFrom: 'splits' })]),
      outcome('splits', [f({ stage: 'splits', cause: 'split_unseeded', columns: ['split'], rowsAffected: 4 })]),
    ]);
    expect(report.firstBrokenStage).toBe('splits');
    expect(renderTerminal(report, OPTIONS).split('\n')[0]).toMatch(/first break at splits — split_unseeded/);
  });
});

describe('terminal, Markdown and HTML', () => {
  const report = buildReport('check', [
    outcome('data', [
      f({
        stage: 'data',
        cause: 'timezone_shift',
        columns: ['t'],
        rowsAffected: 1,
        sampleKeys: [17],
        evidence: { samples: [{ key: 17, research: '2019-03-23 20:27:24', production: '2019-03-23 21:27:24' }] },
      }),
    ]),
    outcome(
      'features',
      [f({ stage: 'features', cause: 'rescaled', columns: ['t_hour'], rowsAffected: 3, propagatedFrom: 'data' })],
      featuresSummary({
        lastPopulated: { a: { research: '2024-01-31', production: '2023-11-30' }, b: { research: '2024-01-31', production: '2024-01-31' } },
      }),
    ),
    outcome('env', [
      f({ stage: 'env', cause: 'library_version', columns: ['numpy'] }),
      f({ stage: 'env', cause: 'interpreter_version', columns: ['python'] }),
      ...['flask', 'werkzeug', 'gunicorn', 'jinja2', 'click'].map((p) => f({ stage: 'env', cause: 'package_extra', severity: 'warning', columns: [p] })),
    ]),
  ]);
  const text = renderTerminal(report, { verbose: true, color: false });

  it('terminal: sample values both sides, "1 row", next step, grouped packages with the interpreter first, time column', () => {
    expect(text).toMatch(/\[1 row\]/);
    expect(text).toMatch(/17: 2019-03-23 20:27:24 → 2019-03-23 21:27:24/);
    expect(text).toMatch(/→ next \(timezone_shift\): convert both sides to one time zone/);
    expect(text).toMatch(/5 packages only in production: click, flask, gunicorn, jinja2, werkzeug/);
    expect(text.indexOf('interpreter_version')).toBeLessThan(text.indexOf('library_version numpy'));
    expect(text).toMatch(/last time each feature was populated: 1 of 2 features differ\n\s+a: 2024-01-31 → 2023-11-30/);
  });

  it('Markdown and HTML: next steps per root cause, the time column table', () => {
    expect(renderMarkdown(report, OPTIONS)).toMatch(/What to check next:\n\n- `timezone_shift`: convert both sides/);
    const html = renderHtml(report, OPTIONS);
    expect(html).toMatch(/<h3>What to check next<\/h3><ul><li><code>timezone_shift<\/code> convert both sides/);
    expect(html).toMatch(/Last time each feature was populated<\/h3><p class="muted">1 of 2 differ/);
  });
});
