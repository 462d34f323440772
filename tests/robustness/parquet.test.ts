/**
 * apache/parquet-testing: every data/ file reads and equals itself or fails in one line (exit 2);
 * bad_data/ fails in one line or reads, never a stack trace, hang or crash; each delta_*.parquet has
 * no value difference from its delta_*_expect.csv.
 */
import { readFileSync } from 'node:fs';
import { basename, join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CONCURRENCY, CORPORA, ROOT, describeRun, expectCleanFailure, expectEqualOrCleanFailure, filesUnder, hasCorpora, mapLimit, report, runData } from './helpers.js';

const PARQUET = join(CORPORA, 'parquet-testing');
const rel = (p: string) => relative(ROOT, p);

describe.skipIf(!hasCorpora)('parquet-testing corpus', () => {
  it('data/: each file equals itself, or is refused in one line', { timeout: 480_000 }, async () => {
    const files = filesUnder(join(PARQUET, 'data'));
    const results = await mapLimit(files, CONCURRENCY, (f) => runData(rel(f), rel(f), [], 60_000));
    const refused: string[] = [];
    for (const [i, r] of results.entries()) {
      if (expectEqualOrCleanFailure(r, basename(files[i]!)) === 'refused') refused.push(basename(files[i]!));
    }
    // Most of the corpus is ordinary Parquet: a reader that refuses everything must not pass.
    const parquetFiles = files.filter((f) => f.endsWith('.parquet'));
    expect(refused.filter((f) => f.endsWith('.parquet')).length).toBeLessThan(parquetFiles.length / 2);
  });

  it('bad_data/: one line and exit 2 (or a result), never a stack trace, hang or crash', { timeout: 240_000 }, async () => {
    const files = filesUnder(join(PARQUET, 'bad_data'));
    const results = await mapLimit(files, CONCURRENCY, (f) => runData(rel(f), rel(f), [], 60_000));
    for (const [i, r] of results.entries()) {
      if (r.code === 0 || r.code === 1) {
        // DuckDB read a malformed file without error: a result is fine, as long as it is a report.
        expect(report(r).verdict, describeRun(r)).toMatch(/^(equal|different)$/);
      } else {
        expectCleanFailure(r, basename(files[i]!));
      }
    }
  });

  it('delta_*.parquet has no value difference from delta_*_expect.csv', { timeout: 240_000 }, async () => {
    const files = filesUnder(join(PARQUET, 'data')).filter((f) => /\/delta_[^/]*_expect\.csv$/.test(f));
    expect(files.length).toBeGreaterThan(0);
    const results = await mapLimit(files, CONCURRENCY, (csv) => {
      const parquet = csv.replace(/_expect\.csv$/, '.parquet');
      // delta_encoding_required_column.parquet names its columns `c_customer_sk:` (a trailing colon)
      // where the CSV says `c_customer_sk`: map them. (The CSV header with a leading space is trimmed by the reader.)
      const header = readFileSync(csv, 'utf8').split(/\r?\n/, 1)[0]!;
      const maps = basename(parquet) === 'delta_encoding_required_column.parquet'
        ? header.split(',').map((h) => h.replace(/^"|"$/g, '').trim()).flatMap((h) => ['--map', `${h}:=${h}`])
        : [];
      return runData(rel(parquet), rel(csv), maps, 120_000);
    });
    const allowed = new Set(['type_change', 'type_widening', 'schema_order']);
    for (const r of results) {
      const what = describeRun(r);
      expect(r.code, what).not.toBe(2);
      expect(r.timedOut, what).toBe(false);
      const valueFindings = report(r).findings.filter((f) => (f.severity === 'warning' || f.severity === 'error') && !allowed.has(f.cause));
      expect(valueFindings, what).toEqual([]);
    }
  });
});
