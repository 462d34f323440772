import { describe, expect, it } from 'vitest';
import { failThreshold, renderJunit } from '../../src/report/junit.js';
import { printable } from '../../src/report/charts.js';
import { checkReport, equalReport, nastyReport, NASTY, OPTIONS, warningOnlyReport } from './fixtures.js';
import { findAll, parseXml } from './xml.js';

describe('renderJunit', () => {
  it('matches the snapshots', async () => {
    await expect(renderJunit(equalReport(), OPTIONS)).toMatchFileSnapshot('./__snapshots__/equal.junit.xml');
    await expect(renderJunit(checkReport(), OPTIONS)).toMatchFileSnapshot('./__snapshots__/check.junit.xml');
    await expect(renderJunit(nastyReport(), OPTIONS)).toMatchFileSnapshot('./__snapshots__/nasty.junit.xml');
  });

  it('is deterministic and well-formed XML for every fixture', () => {
    for (const build of [equalReport, checkReport, nastyReport, warningOnlyReport]) {
      const xml = renderJunit(build(), OPTIONS);
      expect(renderJunit(build(), OPTIONS)).toBe(xml);
      expect(() => parseXml(xml)).not.toThrow();
    }
  });

  it('has one suite per stage, a case per finding, failures at the threshold, skipped and passing stages', () => {
    const root = parseXml(renderJunit(checkReport(), OPTIONS));
    expect(root.name).toBe('testsuites');
    expect(root.attrs).toMatchObject({ name: 'reprodiff', tests: '8', failures: '5', skipped: '1', errors: '0' });
    expect(root.children.map((s) => [s.attrs.name, s.attrs.tests, s.attrs.failures, s.attrs.skipped])).toEqual([
      ['data', '1', '0', '0'],
      ['features', '3', '3', '0'],
      ['splits', '1', '1', '0'],
      ['predictions', '2', '1', '0'],
      ['env', '1', '0', '1'],
    ]);
    const cases = findAll(root, 'testcase');
    expect(cases.map((c) => `${c.attrs.classname} | ${c.attrs.name}`)).toEqual([
      'reprodiff.data | data reproduces',
      'reprodiff.features | null_handling income_scaled',
      'reprodiff.features | distribution_drift income_scaled',
      'reprodiff.features | unseen_category region',
      'reprodiff.splits | split_membership split',
      'reprodiff.predictions | prediction_mismatch score',
      'reprodiff.predictions | numeric_noise score',
      'reprodiff.env | env skipped',
    ]);
    const failures = findAll(root, 'failure');
    expect(failures.map((f) => f.attrs.type)).toEqual(['null_handling', 'distribution_drift', 'unseen_category', 'split_membership', 'prediction_mismatch']);
    expect(failures[3]!.text).toContain('propagated from: features');
    expect(findAll(root, 'skipped')[0]!.attrs.message).toBe('no environment files were given (env: in reprodiff.yml)');
    expect(findAll(root, 'system-out')[0]!.text).toContain('info: 119 rows differ');
  });

  it('passes every stage of an equal report', () => {
    const root = parseXml(renderJunit(equalReport(), OPTIONS));
    expect(root.attrs.failures).toBe('0');
    expect(findAll(root, 'testcase').filter((c) => / reproduces$/.test(c.attrs.name!))).toHaveLength(5);
  });

  it('follows the threshold the report was built with', () => {
    expect(failThreshold(checkReport())).toBe('warning');
    expect(failThreshold(warningOnlyReport())).toBe('error');
    expect(failThreshold({ ...warningOnlyReport(), failOn: 'warning' } as never)).toBe('warning');
    const root = parseXml(renderJunit(warningOnlyReport(), OPTIONS));
    expect(root.attrs).toMatchObject({ tests: '2', failures: '0' });
  });

  it('carries hostile text through escaping intact (control characters made visible)', () => {
    const xml = renderJunit(nastyReport(), OPTIONS);
    expect(xml).not.toMatch(/[\u0000-\u0008\u000B\u000C\u000E-\u001F]/);
    const failures = findAll(parseXml(xml), 'failure');
    expect(failures).toHaveLength(5);
    const messages = failures.map((f) => f.attrs.message);
    expect(messages).toContain(printable([NASTY.lines, NASTY.percent, NASTY.surrogate, NASTY.script].join(' / ')));
    expect(messages).toContain(printable([NASTY.lines, NASTY.percent, NASTY.surrogate, NASTY.cdata].join(' / ')));
    const names = findAll(parseXml(xml), 'testcase').map((c) => c.attrs.name);
    expect(names).toContain(`value_changed ${printable(NASTY.unicode)}, ${NASTY.quotes}`);
  });
});
