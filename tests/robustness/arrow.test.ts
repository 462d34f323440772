/**
 * apache/arrow-testing, in-process through dist/ (the Arrow decoder runs in its timed worker thread
 * only there; see helpers.ts), one comparison at a time:
 * - integration: the file (.arrow_file) and stream (.stream) forms of each generated dataset compare
 *   equal, except the datasets apache-arrow cannot decode, which are refused in one line naming them;
 * - big-endian files equal their little-endian twins, or are refused in one line saying big-endian;
 * - fuzzer files (clusterfuzz-*, crash-*) are refused in one line naming them within the time limit;
 * never a hang or an untyped error (what the CLI would print as E_INTERNAL / a stack trace).
 * One end-to-end spawn of the CLI on a fuzzer file covers exit 2 and the one-line stderr.
 */
import { existsSync, readdirSync } from 'node:fs';
import { basename, join, relative } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CORPORA, Timings, compareInProcess, expectCliOneLineFailure, expectNoProblems, explain, filesUnder, hasCorpora, notEqual, notEqualOrRefused, notRefused, runCli } from './helpers.js';

const ARROW = join(CORPORA, 'arrow-testing');
const INTEGRATION = join(ARROW, 'arrow-ipc-stream/integration');

/** A fuzzer file must be refused within this (the decoder gives up after 4 s without progress). */
const FUZZ_LIMIT_MS = 15_000;

/**
 * Integration datasets apache-arrow (JS) cannot decode: compressed bodies (no LZ4/ZSTD codec is
 * registered), ListView and RunEndEncoded types, and pre-1.0 unions (which had a validity bitmap).
 * Both forms must then be refused in one line, never compared wrongly.
 */
const UNSUPPORTED = [/^2\.0\.0-compression\//, /\/generated_list_view$/, /\/generated_run_end_encoded$/, /^0\.17\.1\/generated_union$/];

function integrationPairs(version: string): string[] {
  const dir = join(INTEGRATION, version);
  return readdirSync(dir)
    .filter((f) => f.endsWith('.arrow_file') && existsSync(join(dir, f.replace(/\.arrow_file$/, '.stream'))))
    .map((f) => join(dir, f.replace(/\.arrow_file$/, '')))
    .sort();
}

function fuzzFiles(): string[] {
  return [...filesUnder(join(ARROW, 'arrow-ipc-file')), ...filesUnder(join(ARROW, 'arrow-ipc-stream'))].filter((f) => /^(clusterfuzz-|crash-)/.test(basename(f)));
}

describe.skipIf(!hasCorpora)('arrow-testing corpus', () => {
  const timings = new Timings('arrow');
  afterAll(() => timings.print());

  it('integration: .arrow_file and .stream of each dataset compare equal', { timeout: 300_000 }, async () => {
    const versions = readdirSync(INTEGRATION)
      .filter((v) => v !== '1.0.0-bigendian')
      .sort();
    const stems = versions.flatMap(integrationPairs);
    expect(stems.length).toBeGreaterThan(50);
    const problems: (string | undefined)[] = [];
    for (const s of stems) {
      const o = timings.add(await compareInProcess(`${s}.arrow_file`, `${s}.stream`));
      const stem = relative(INTEGRATION, s);
      problems.push(UNSUPPORTED.some((re) => re.test(stem)) ? notRefused(o, basename(stem)) : notEqual(o));
    }
    expectNoProblems(problems, 'arrow integration pairs');
  });

  it('big-endian files equal their little-endian twins or are refused in one line', { timeout: 300_000 }, async () => {
    const pairs = integrationPairs('1.0.0-bigendian').flatMap((be) => {
      const le = be.replace('1.0.0-bigendian', '1.0.0-littleendian');
      return ['.arrow_file', '.stream'].filter((ext) => existsSync(le + ext)).map((ext) => [be + ext, le + ext] as const);
    });
    expect(pairs.length).toBeGreaterThan(20);
    const problems: (string | undefined)[] = [];
    for (const [be, le] of pairs) {
      const o = timings.add(await compareInProcess(be, le));
      problems.push(notEqualOrRefused(o) ?? (o.kind === 'refused' && !/big-endian/.test(o.line) ? `${explain(o)} (a refusal must say big-endian)` : undefined));
    }
    expectNoProblems(problems, 'big-endian vs little-endian');
  });

  it('fuzzer files are refused in one line within the time limit', { timeout: 600_000 }, async () => {
    const files = fuzzFiles();
    expect(files.length).toBeGreaterThan(50);
    const problems: (string | undefined)[] = [];
    for (const f of files) {
      // Fuzzer files have no extension: --format arrow.
      const o = timings.add(await compareInProcess(f, f, { format: 'arrow' }, FUZZ_LIMIT_MS));
      problems.push(notRefused(o, basename(f)));
    }
    expectNoProblems(problems, 'arrow fuzzer files');
  });
});

describe.skipIf(!hasCorpora)('arrow-testing end to end (CLI spawn)', () => {
  it('a fuzzer file: exit 2 within a few seconds, exactly one stderr line naming it', { timeout: 60_000 }, async () => {
    const f = join(ARROW, 'arrow-ipc-stream/clusterfuzz-testcase-arrow-ipc-stream-fuzz-4561555323944960');
    const r = await runCli(f, f, ['--format', 'arrow'], 30_000);
    expectCliOneLineFailure(r, basename(f));
    // The decoder gives up after 4 s without progress; allow for process start-up on a busy machine.
    expect(r.ms).toBeLessThan(FUZZ_LIMIT_MS);
  });
});
