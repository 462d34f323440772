/**
 * apache/arrow-testing: the file (.arrow_file) and stream (.stream) forms of each generated
 * integration dataset compare equal; big-endian files equal their little-endian twins or are refused
 * in one line; fuzzer files (clusterfuzz-*, crash-*) fail in one line within a few seconds.
 */
import { existsSync, readdirSync } from 'node:fs';
import { basename, join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CONCURRENCY, CORPORA, ROOT, describeRun, expectCleanFailure, expectEqual, expectEqualOrCleanFailure, filesUnder, hasCorpora, mapLimit, runData } from './helpers.js';

const ARROW = join(CORPORA, 'arrow-testing');
const INTEGRATION = join(ARROW, 'arrow-ipc-stream/integration');
const rel = (p: string) => relative(ROOT, p);

/**
 * Integration datasets apache-arrow (JS) cannot decode: compressed bodies (no LZ4/ZSTD codec is
 * registered), ListView and RunEndEncoded types, and pre-1.0 unions (which had a validity bitmap).
 * Both forms must then be refused in one line, never compared wrongly.
 */
const UNSUPPORTED = [
  /^2\.0\.0-compression\//,
  /\/generated_list_view$/,
  /\/generated_run_end_encoded$/,
  /^0\.17\.1\/generated_union$/,
];

function integrationPairs(version: string): string[] {
  const dir = join(INTEGRATION, version);
  return readdirSync(dir)
    .filter((f) => f.endsWith('.arrow_file') && existsSync(join(dir, f.replace(/\.arrow_file$/, '.stream'))))
    .map((f) => join(dir, f.replace(/\.arrow_file$/, '')))
    .sort();
}

describe.skipIf(!hasCorpora)('arrow-testing corpus', () => {
  it('integration: .arrow_file and .stream of each dataset compare equal', { timeout: 480_000 }, async () => {
    const versions = readdirSync(INTEGRATION).filter((v) => v !== '1.0.0-bigendian').sort();
    const stems = versions.flatMap(integrationPairs);
    expect(stems.length).toBeGreaterThan(50);
    const results = await mapLimit(stems, CONCURRENCY, (s) => runData(rel(`${s}.arrow_file`), rel(`${s}.stream`), [], 60_000));
    for (const [i, r] of results.entries()) {
      const stem = relative(INTEGRATION, stems[i]!);
      if (UNSUPPORTED.some((re) => re.test(stem))) expectCleanFailure(r, basename(stem));
      else expectEqual(r);
    }
  });

  it('big-endian files equal their little-endian twins or are refused in one line', { timeout: 480_000 }, async () => {
    const pairs = integrationPairs('1.0.0-bigendian').flatMap((be) => {
      const le = be.replace('1.0.0-bigendian', '1.0.0-littleendian');
      return ['.arrow_file', '.stream'].filter((ext) => existsSync(le + ext)).map((ext) => [be + ext, le + ext] as const);
    });
    expect(pairs.length).toBeGreaterThan(20);
    const results = await mapLimit(pairs, CONCURRENCY, ([be, le]) => runData(rel(be), rel(le), [], 60_000));
    for (const r of results) {
      if (expectEqualOrCleanFailure(r) === 'refused') expect(r.stdout + r.stderr, describeRun(r)).toMatch(/big-endian/);
    }
  });

  it('fuzzer files fail in one line within a few seconds', { timeout: 480_000 }, async () => {
    const files = [...filesUnder(join(ARROW, 'arrow-ipc-file')), ...filesUnder(join(ARROW, 'arrow-ipc-stream'))].filter((f) =>
      /^(clusterfuzz-|crash-)/.test(basename(f)),
    );
    expect(files.length).toBeGreaterThan(50);
    const results = await mapLimit(files, CONCURRENCY, (f) => runData(rel(f), rel(f), ['--format', 'arrow'], 30_000));
    for (const [i, r] of results.entries()) {
      expectCleanFailure(r, basename(files[i]!));
      // The decoder gives up after 4 s without progress; allow for process start-up on a busy machine.
      expect(r.ms, describeRun(r)).toBeLessThan(15_000);
    }
  });
});
