import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { githubAnnotations, ladderSteps, mdText, renderMarkdown } from '../../src/report/markdown.js';
import { publishToGithub } from '../../src/report/github.js';
import { checkReport, equalReport, nastyReport, NASTY, OPTIONS, VERBOSE } from './fixtures.js';

describe('renderMarkdown', () => {
  it('matches the snapshots', async () => {
    await expect(renderMarkdown(equalReport(), OPTIONS)).toMatchFileSnapshot('./__snapshots__/equal.md');
    await expect(renderMarkdown(checkReport(), OPTIONS)).toMatchFileSnapshot('./__snapshots__/check.md');
    await expect(renderMarkdown(checkReport(), VERBOSE)).toMatchFileSnapshot('./__snapshots__/check.verbose.md');
    await expect(renderMarkdown(nastyReport(), OPTIONS)).toMatchFileSnapshot('./__snapshots__/nasty.md');
  });

  it('is deterministic', () => {
    for (const build of [equalReport, checkReport, nastyReport]) expect(renderMarkdown(build(), OPTIONS)).toBe(renderMarkdown(build(), OPTIONS));
  });

  it('starts with the verdict line, then the ladder', () => {
    const [verdict, , ladder] = renderMarkdown(checkReport(), OPTIONS).split('\n');
    expect(verdict).toMatch(/^\*\*✘ different: first break at features/);
    expect(ladder).toBe('data ✔ · **features ✘ first break** · splits ↳ propagated · predictions ↳ propagated · _env – skipped_');
    expect(renderMarkdown(equalReport(), OPTIONS).split('\n')[0]).toMatch(/^\*\*✔ equal: /);
  });

  it('reads the ladder the way the terminal does', () => {
    expect(ladderSteps(checkReport()).map((s) => s.kind)).toEqual(['equal', 'first-break', 'propagated', 'propagated', 'skipped']);
    expect(ladderSteps(equalReport()).every((s) => s.kind === 'equal')).toBe(true);
  });

  it('hides informational findings unless verbose', () => {
    expect(renderMarkdown(checkReport(), OPTIONS)).not.toContain('numeric_noise');
    expect(renderMarkdown(checkReport(), OPTIONS)).toContain('1 informational finding not shown');
    expect(renderMarkdown(checkReport(), VERBOSE)).toContain('`numeric_noise`');
  });

  it('puts evidence in a collapsible block and column statistics for data/features', () => {
    const md = renderMarkdown(checkReport(), OPTIONS);
    expect(md).toContain('<details>\n<summary>Evidence (3 findings)</summary>');
    expect(md).toContain('"productionFillValue": -1.7412');
    expect(md).toContain('| income\\_scaled | ks | 0.2113 | 0.05 | **yes** |');
    expect(md).toContain('| income\\_scaled | mean | 0 | -0.4187 |');
    expect(md).toContain('<summary>Column statistics that differ (7 of 10)</summary>');
    expect(md).not.toContain('| age | mean |');
  });

  it('keeps hostile text inert: no raw HTML, no broken table rows, no escaped fences', () => {
    const md = renderMarkdown(nastyReport(), OPTIONS);
    const outsideFences = md.replace(/(`{3,})json\n[\s\S]*?\n\1/g, '');
    expect(outsideFences).not.toMatch(/<(script|img)/i);
    expect(outsideFences).not.toMatch(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/);
    const cells = (row: string) => row.split(/(?<!\\)\|/).length;
    let header = 0;
    for (const line of md.split('\n')) {
      if (!line.startsWith('|')) header = 0;
      else if (header === 0) header = cells(line);
      else expect(cells(line), line).toBe(header);
    }
    expect(md).toContain('````json');
    expect(mdText(NASTY.quotes)).toBe('"double" &amp; \'single\' \\| pipe \\`tick\\` \\*star\\* \\_under\\_ \\[link\\](javascript:alert(1))');
  });
});

describe('githubAnnotations', () => {
  it('emits one workflow command per error or warning finding', () => {
    expect(githubAnnotations(checkReport()).split('\n')).toEqual([
      '::error title=reprodiff features/null_handling::income_scaled differs on 4,812 rows; all of them have null income in raw data (research keeps null, production fills 0 before scaling)',
      '::warning title=reprodiff features/distribution_drift::income_scaled distribution moved (KS 0.2113 > 0.05)',
      "::warning title=reprodiff features/unseen_category::region has a category production produces and research never does: 'unknown' (480 rows)",
      '::error title=reprodiff splits/split_membership::260 rows are in a different split; the stratification column region gained a category',
      '::error title=reprodiff predictions/prediction_mismatch::score differs beyond 1e-6 on 4,931 rows; 4,812 of them are the rows whose income_scaled differs',
    ]);
    expect(githubAnnotations(equalReport())).toBe('');
  });

  it('escapes %, CR and LF so every annotation stays on one line', () => {
    const lines = githubAnnotations(nastyReport()).split('\n');
    expect(lines).toHaveLength(5);
    expect(lines[0]).toContain('line one%0D%0Aline two%0Aline three / 100%25 of rows :: changed');
    for (const l of lines) expect(l).toMatch(/^::(error|warning) title=reprodiff features\/value_changed::/);
  });
});

describe('publishToGithub', () => {
  const dirs: string[] = [];
  afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

  it('appends the Markdown to GITHUB_STEP_SUMMARY and returns the annotations', () => {
    const dir = mkdtempSync(join(tmpdir(), 'reprodiff-gh-'));
    dirs.push(dir);
    const file = join(dir, 'summary.md');
    writeFileSync(file, 'earlier step\n');
    const annotations = publishToGithub(checkReport(), { GITHUB_STEP_SUMMARY: file });
    expect(annotations).toBe(githubAnnotations(checkReport()));
    expect(readFileSync(file, 'utf8')).toBe(`earlier step\n${renderMarkdown(checkReport(), OPTIONS)}\n`);
  });

  it('writes nothing without GITHUB_STEP_SUMMARY', () => {
    expect(publishToGithub(checkReport(), {})).toBe(githubAnnotations(checkReport()));
  });
});
