/**
 * CSV edge cases: every csv-spectrum file equals itself, and the fixtures in tests/fixtures/csv-edge
 * (BOM, CRLF, quoted newlines, "" vs empty, gzip, header only, empty file, 2,000 columns, odd column
 * names, an all-null key) are read, or refused in one line.
 */
import { createRequire } from 'node:module';
import { readdirSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CONCURRENCY, ROOT, describeRun, expectCleanFailure, expectEqual, mapLimit, report, runData } from './helpers.js';

const FIXTURES = join(ROOT, 'tests/fixtures/csv-edge');
const fx = (name: string) => relative(ROOT, join(FIXTURES, name));
const spectrumDir = join(dirname(createRequire(import.meta.url).resolve('csv-spectrum/package.json')), 'csvs');

describe('csv-spectrum', () => {
  it('each file equals itself', { timeout: 240_000 }, async () => {
    const files = readdirSync(spectrumDir).filter((f) => f.endsWith('.csv')).sort();
    expect(files.length).toBeGreaterThan(5);
    const results = await mapLimit(files, CONCURRENCY, (f) => runData(relative(ROOT, join(spectrumDir, f)), relative(ROOT, join(spectrumDir, f))));
    for (const r of results) expectEqual(r);
  });
});

describe('CSV edge-case fixtures', () => {
  const self = ['plain.csv', 'bom.csv', 'crlf.csv', 'plain.csv.gz', 'quoted_newlines.csv', 'quotes_vs_empty.csv', 'header_only.csv', 'wide_2000.csv', 'weird_names.csv'];

  it('each fixture equals itself', { timeout: 240_000 }, async () => {
    const results = await mapLimit(self, CONCURRENCY, (f) => runData(fx(f), fx(f)));
    for (const r of results) expectEqual(r);
  });

  it('a BOM, CRLF line ends and gzip do not make a file differ', { timeout: 120_000 }, async () => {
    const results = await mapLimit(['bom.csv', 'crlf.csv', 'plain.csv.gz'], CONCURRENCY, (f) => runData(fx('plain.csv'), fx(f), ['--key', 'id']));
    for (const r of results) expectEqual(r);
  });

  it('keeps 2,000 columns', { timeout: 120_000 }, async () => {
    const r = await runData(fx('wide_2000.csv'), fx('wide_2000.csv'), ['--key', 'c0']);
    expectEqual(r);
    const summary = (JSON.parse(r.stdout) as { stages: { summary: { research?: { columns?: number } } }[] }).stages[0]?.summary;
    expect(summary?.research?.columns, describeRun(r)).toBe(2000);
  });

  it('handles column names with quotes, spaces, unicode and SQL, also as a key', { timeout: 120_000 }, async () => {
    expectEqual(await runData(fx('weird_names.csv'), fx('weird_names.csv'), ['--key', 'a;drop table x;--']));
    expectEqual(await runData(fx('weird_names.csv'), fx('weird_names.csv'), ['--key', 'col "quoted"']));
  });

  it('keeps "" and an empty field apart consistently', { timeout: 60_000 }, async () => {
    expectEqual(await runData(fx('quotes_vs_empty.csv'), fx('quotes_vs_empty.csv'), ['--key', 'id']));
  });

  it('refuses an empty file in one line naming it', { timeout: 60_000 }, async () => {
    expectCleanFailure(await runData(fx('empty.csv'), fx('plain.csv')), 'empty.csv');
  });

  it('an all-null key column is compared without a key or refused in one line', { timeout: 60_000 }, async () => {
    const r = await runData(fx('null_key.csv'), fx('null_key.csv'), ['--key', 'k']);
    if (r.code === 2) expectCleanFailure(r, 'k');
    else {
      expect(r.code, describeRun(r)).toBe(0);
      expect(report(r).verdict).toBe('equal');
    }
    expectEqual(await runData(fx('null_key.csv'), fx('null_key.csv')));
  });
});
