import { describe, expect, it } from 'vitest';
import { renderHtml } from '../../src/report/html.js';
import { checkReport, equalReport, nastyReport, OPTIONS } from './fixtures.js';

/** Every attribute that could make a browser fetch something, and every CSS hook for it. */
function externalReferences(html: string): string[] {
  const refs = [...html.matchAll(/\b(?:src|href|xlink:href|action|poster|srcset|data)\s*=\s*"([^"]*)"/gi)].map((m) => m[1]!).filter((v) => !v.startsWith('#'));
  const css = [...html.matchAll(/url\(\s*['"]?(?!#)([^)'"]*)/gi), ...html.matchAll(/@import[^;]*/gi)].map((m) => m[0]);
  return [...refs, ...css];
}

/** Walks the tags and returns what does not nest (an empty list when every element is closed in order). */
function unbalancedTags(html: string): string[] {
  const stack: string[] = [];
  const problems: string[] = [];
  for (const [, closing, name, selfClosing] of html.matchAll(/<(\/?)([a-zA-Z][a-zA-Z0-9]*)\b[^>]*?(\/?)>/g)) {
    if (['meta', 'br'].includes(name!) || selfClosing) continue;
    if (!closing) stack.push(name!);
    else if (stack.pop() !== name) problems.push(`</${name}>`);
  }
  return [...problems, ...stack];
}

describe('renderHtml', () => {
  it('matches the snapshots', async () => {
    await expect(renderHtml(equalReport(), OPTIONS)).toMatchFileSnapshot('./__snapshots__/equal.html');
    await expect(renderHtml(checkReport(), OPTIONS)).toMatchFileSnapshot('./__snapshots__/check.html');
    await expect(renderHtml(nastyReport(), OPTIONS)).toMatchFileSnapshot('./__snapshots__/nasty.html');
  });

  it('is deterministic', () => {
    for (const build of [equalReport, checkReport, nastyReport]) expect(renderHtml(build(), OPTIONS)).toBe(renderHtml(build(), OPTIONS));
  });

  it('is self-contained: no network references, no scripts', () => {
    for (const build of [equalReport, checkReport, nastyReport]) {
      const html = renderHtml(build(), OPTIONS);
      expect(externalReferences(html)).toEqual([]);
      expect(html).not.toMatch(/<script|<link|<iframe|<object|<embed|<img/i);
    }
    expect(renderHtml(checkReport(), OPTIONS)).not.toMatch(/https?:\/\//);
  });

  it('shows verdict, ladder, every finding and the charts the summaries allow', () => {
    const html = renderHtml(checkReport(), OPTIONS);
    expect(html).toContain('<h1>Different: first break at features</h1>');
    expect(html.match(/<li class="(equal|first-break|propagated|skipped|different)">/g)).toEqual([
      '<li class="equal">',
      '<li class="first-break">',
      '<li class="propagated">',
      '<li class="propagated">',
      '<li class="skipped">',
    ]);
    expect(html.match(/<article class="finding /g)).toHaveLength(checkReport().findings.length);
    // income_scaled and region differ (histogram + categories); age_bucket and the equal data columns do not.
    expect(html.match(/<svg class="chart"/g)).toHaveLength(2 + 1 + 2);
    expect(html).toContain('<title>income_scaled: research vs production distribution</title>');
    expect(html).toContain('<title>region: research vs production categories</title>');
    expect(html).toContain('Split transitions: research split → production split');
    expect(html).toContain('Score differences: production − research');
    expect(html).toContain('Research vs production scores');
    expect(html).not.toContain('age_bucket: research vs production');
    // Identical distributions (named only by an informational finding) are not worth a picture.
    expect(renderHtml(equalReport(), OPTIONS)).not.toContain('<svg');
  });

  it('escapes hostile text everywhere', () => {
    const html = renderHtml(nastyReport(), OPTIONS);
    expect(html).not.toMatch(/<script|<img|onerror="/i);
    expect(html).toContain('&lt;script&gt;window.__pwned = 1&lt;/script&gt;');
    expect(html).toContain('\\u0007');
    expect(html).not.toMatch(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F\u202E]/);
    for (const build of [equalReport, checkReport, nastyReport]) expect(unbalancedTags(renderHtml(build(), OPTIONS))).toEqual([]);
  });
});
