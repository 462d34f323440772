/**
 * apache/parquet-testing, in-process through dist/ (see helpers.ts), one comparison at a time:
 * - data/: every file equals itself, or is refused in one line naming it (and fewer than half of the
 *   .parquet files may be refused);
 * - bad_data/: refused in one line naming the file, or (DuckDB reads some malformed files) a report;
 * - each delta_*.parquet has no value difference from its delta_*_expect.csv;
 * never a hang or an untyped error (what the CLI would print as E_INTERNAL / a stack trace).
 * Two end-to-end spawns of the CLI cover the exit codes and the one-line stderr.
 */
import { readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  CORPORA,
  Timings,
  compareInProcess,
  expectCliEqual,
  expectCliOneLineFailure,
  expectNoProblems,
  explain,
  fatal,
  filesUnder,
  hasCorpora,
  notEqualOrRefused,
  notRefused,
  runCli,
} from './helpers.js';

const PARQUET = join(CORPORA, 'parquet-testing');

/**
 * Files too heavy for the time-boxed bulk, run end to end only with REPRODIFF_HEAVY_CORPUS=1.
 * large_string_map.brotli.parquet: 4 KB on disk, two rows each holding a 1 GiB map key (2 GiB of
 * strings); DuckDB alone needs ~45 s to scan it on two cores, a full comparison 45–120 s.
 */
const HEAVY = new Set(['large_string_map.brotli.parquet']);
const heavy = process.env.REPRODIFF_HEAVY_CORPUS === '1';

describe.skipIf(!hasCorpora)('parquet-testing corpus', () => {
  const timings = new Timings('parquet');
  afterAll(() => timings.print());

  it('data/: each file equals itself, or is refused in one line', { timeout: 300_000 }, async () => {
    const files = filesUnder(join(PARQUET, 'data')).filter((f) => !HEAVY.has(basename(f)));
    expect(files.length).toBeGreaterThan(80);
    const problems: (string | undefined)[] = [];
    const refused: string[] = [];
    for (const f of files) {
      const o = timings.add(await compareInProcess(f, f));
      problems.push(notEqualOrRefused(o, basename(f)));
      if (o.kind === 'refused') refused.push(basename(f));
    }
    expectNoProblems(problems, 'parquet-testing/data');
    // Most of the corpus is ordinary Parquet: a reader that refuses everything must not pass.
    const parquetFiles = files.filter((f) => f.endsWith('.parquet'));
    expect(refused.filter((f) => f.endsWith('.parquet')).length, `refused: ${refused.join(', ')}`).toBeLessThan(parquetFiles.length / 2);
  });

  it('bad_data/: refused in one line naming the file (or a report), never a hang or an untyped error', { timeout: 120_000 }, async () => {
    const files = filesUnder(join(PARQUET, 'bad_data'));
    expect(files.length).toBeGreaterThan(3);
    const problems: (string | undefined)[] = [];
    for (const f of files) {
      const o = timings.add(await compareInProcess(f, f));
      if (o.kind === 'report') {
        // DuckDB read a malformed file without error: a result is fine, as long as it is a report.
        if (!/^(equal|different)$/.test(o.report.verdict)) problems.push(explain(o));
      } else {
        problems.push(fatal(o) ?? notRefused(o, basename(f)));
      }
    }
    expectNoProblems(problems, 'parquet-testing/bad_data');
  });

  it('delta_*.parquet has no value difference from delta_*_expect.csv', { timeout: 180_000 }, async () => {
    const files = filesUnder(join(PARQUET, 'data')).filter((f) => /\/delta_[^/]*_expect\.csv$/.test(f));
    expect(files.length).toBeGreaterThan(0);
    const allowed = new Set(['type_change', 'type_widening', 'schema_order']);
    const problems: (string | undefined)[] = [];
    for (const csv of files) {
      const parquet = csv.replace(/_expect\.csv$/, '.parquet');
      // delta_encoding_required_column.parquet names its columns `c_customer_sk:` (a trailing colon)
      // where the CSV says `c_customer_sk`: map them. (The CSV header with a leading space is trimmed by the reader.)
      const header = readFileSync(csv, 'utf8').split(/\r?\n/, 1)[0]!;
      const map =
        basename(parquet) === 'delta_encoding_required_column.parquet'
          ? header
              .split(',')
              .map((h) => h.replace(/^"|"$/g, '').trim())
              .map((h) => `${h}:=${h}`)
          : [];
      const o = timings.add(await compareInProcess(parquet, csv, { map }, 60_000));
      if (o.kind !== 'report') {
        problems.push(fatal(o) ?? `${explain(o)} (expected a report)`);
        continue;
      }
      const valueFindings = o.report.findings.filter((f) => (f.severity === 'warning' || f.severity === 'error') && !allowed.has(f.cause));
      if (valueFindings.length > 0) problems.push(`${explain(o)} (value differences)`);
    }
    expectNoProblems(problems, 'delta_*.parquet vs delta_*_expect.csv');
  });

  it.skipIf(!heavy)('heavy files (REPRODIFF_HEAVY_CORPUS=1): equal or refused in one line, end to end', { timeout: 400_000 }, async () => {
    for (const name of HEAVY) {
      const f = join(PARQUET, 'data', name);
      const r = await runCli(f, f, ['--json'], 180_000);
      if (r.code === 0) expectCliEqual(r);
      else expectCliOneLineFailure(await runCli(f, f, [], 180_000), name);
    }
  });
});

describe.skipIf(!hasCorpora)('parquet-testing end to end (CLI spawns)', () => {
  it('a good file: exit 0 and a JSON report with no finding', { timeout: 60_000 }, async () => {
    const f = join(PARQUET, 'data/alltypes_plain.parquet');
    expectCliEqual(await runCli(f, f, ['--json'], 30_000));
  });

  it('a malformed file: exit 2 and exactly one stderr line naming it', { timeout: 60_000 }, async () => {
    const f = join(PARQUET, 'bad_data/PARQUET-1481.parquet');
    expectCliOneLineFailure(await runCli(f, f, [], 30_000), 'PARQUET-1481.parquet');
  });
});
