/**
 * CSV edge cases, in-process through dist/ (see helpers.ts), one comparison at a time: every
 * csv-spectrum file equals itself, and the fixtures in tests/fixtures/csv-edge (BOM, CRLF, quoted
 * newlines, "" vs empty, gzip, header only, empty file, 2,000 columns, odd column names, an all-null
 * key) are read, or refused in one line; never a hang or an untyped error (E_INTERNAL / a stack trace).
 * One end-to-end spawn of the CLI (the empty file) covers exit 2 and the one-line stderr.
 */
import { createRequire } from 'node:module';
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT, Timings, compareInProcess, expectCliOneLineFailure, expectNoProblems, explain, fatal, notEqual, notRefused, runCli } from './helpers.js';
import type { DataFlags, Outcome } from './helpers.js';

const FIXTURES = join(ROOT, 'tests/fixtures/csv-edge');
const fx = (name: string) => join(FIXTURES, name);
const spectrumDir = join(dirname(createRequire(import.meta.url).resolve('csv-spectrum/package.json')), 'csvs');

/** The 2,000-column file is being made faster (src/compare/data/profile-wide.ts): a wider limit. */
const WIDE_LIMIT_MS = 120_000;

const timings = new Timings('csv');
afterAll(() => timings.print());
const compare = async (a: string, b: string, flags: DataFlags = {}, limitMs?: number): Promise<Outcome> => timings.add(await compareInProcess(a, b, flags, limitMs));

describe('csv-spectrum', () => {
  it('each file equals itself', { timeout: 120_000 }, async () => {
    const files = readdirSync(spectrumDir)
      .filter((f) => f.endsWith('.csv'))
      .sort();
    expect(files.length).toBeGreaterThan(5);
    const problems: (string | undefined)[] = [];
    for (const f of files) problems.push(notEqual(await compare(join(spectrumDir, f), join(spectrumDir, f))));
    expectNoProblems(problems, 'csv-spectrum');
  });
});

describe('CSV edge-case fixtures', () => {
  const self = ['plain.csv', 'bom.csv', 'crlf.csv', 'plain.csv.gz', 'quoted_newlines.csv', 'quotes_vs_empty.csv', 'header_only.csv', 'weird_names.csv'];

  it('each fixture equals itself', { timeout: 60_000 }, async () => {
    const problems: (string | undefined)[] = [];
    for (const f of self) problems.push(notEqual(await compare(fx(f), fx(f))));
    expectNoProblems(problems, 'csv-edge fixtures');
  });

  it('a BOM, CRLF line ends and gzip do not make a file differ', { timeout: 60_000 }, async () => {
    const problems: (string | undefined)[] = [];
    for (const f of ['bom.csv', 'crlf.csv', 'plain.csv.gz']) problems.push(notEqual(await compare(fx('plain.csv'), fx(f), { key: 'id' })));
    expectNoProblems(problems, 'plain.csv vs its variants');
  });

  it('handles column names with quotes, spaces, unicode and SQL, also as a key', { timeout: 60_000 }, async () => {
    const problems = [
      notEqual(await compare(fx('weird_names.csv'), fx('weird_names.csv'), { key: 'a;drop table x;--' })),
      notEqual(await compare(fx('weird_names.csv'), fx('weird_names.csv'), { key: 'col "quoted"' })),
    ];
    expectNoProblems(problems, 'weird_names.csv');
  });

  it('keeps "" and an empty field apart consistently', { timeout: 60_000 }, async () => {
    expectNoProblems([notEqual(await compare(fx('quotes_vs_empty.csv'), fx('quotes_vs_empty.csv'), { key: 'id' }))], 'quotes_vs_empty.csv');
  });

  it('refuses an empty file in one line naming it', { timeout: 60_000 }, async () => {
    expectNoProblems([notRefused(await compare(fx('empty.csv'), fx('plain.csv')), 'empty.csv')], 'empty.csv');
  });

  it('an all-null key column is compared without a key or refused in one line', { timeout: 60_000 }, async () => {
    const keyed = await compare(fx('null_key.csv'), fx('null_key.csv'), { key: 'k' });
    const problems = [
      keyed.kind === 'refused' ? notRefused(keyed, 'k') : (fatal(keyed) ?? (keyed.kind === 'report' && keyed.report.verdict === 'equal' ? undefined : `${explain(keyed)} (expected equal)`)),
      notEqual(await compare(fx('null_key.csv'), fx('null_key.csv'))),
    ];
    expectNoProblems(problems, 'null_key.csv');
  });

  it('keeps 2,000 columns (equal to itself, with and without a key)', { timeout: 2 * WIDE_LIMIT_MS + 10_000 }, async () => {
    const keyless = await compare(fx('wide_2000.csv'), fx('wide_2000.csv'), {}, WIDE_LIMIT_MS);
    const keyed = await compare(fx('wide_2000.csv'), fx('wide_2000.csv'), { key: 'c0' }, WIDE_LIMIT_MS);
    const columns = keyed.kind === 'report' ? keyed.report.stages[0]?.summary?.research?.columns : undefined;
    expectNoProblems(
      [notEqual(keyless), notEqual(keyed), keyed.kind === 'report' && columns !== 2000 ? `${explain(keyed)}: research summary has ${columns} columns, not 2000` : undefined],
      'wide_2000.csv',
    );
  });
});

describe('CSV end to end (CLI spawn)', () => {
  it('an empty file: exit 2 and exactly one stderr line naming it', { timeout: 60_000 }, async () => {
    expectCliOneLineFailure(await runCli(fx('empty.csv'), fx('plain.csv'), [], 30_000), 'empty.csv');
  });
});
