import { Flags } from '@oclif/core';
import { ReprodiffError } from '../errors.js';
import { checkTolerance, parseColumnTolerance } from '../compare/data/tolerance.js';
import type { Tolerance, Tolerances } from '../compare/data/tolerance.js';
import { CSV_ENCODINGS, FORMATS } from '../sources/resolve.js';
import type { CsvEncoding, ReadOptions } from '../sources/resolve.js';
import { DRIFT_TESTS } from '../compare/distribution/index.js';
import type { DriftOptions, DriftTest } from '../compare/distribution/index.js';
import { findDriftTest } from '../compare/distribution/drift-tests/registry.js';
import { BIN_STRATEGIES } from '../compare/distribution/bins.js';
import type { DataCompareOptions } from '../compare/data/index.js';
import { NULL_KEYS } from '../compare/shared/normalise.js';
import type { NullKeys } from '../compare/shared/normalise.js';
import { matchingOptions } from '../stages/registry.js';
import type { MatchingOption } from '../stages/registry.js';

/** Flags shared by every command that compares two tables (data, features, predictions…). */
export const tableFlags = {
  key: Flags.string({ char: 'k', summary: 'Key column(s) to match rows on, comma-separated for a composite key.' }),
  ignore: Flags.string({ summary: 'Leave this column out on both sides (repeatable).', multiple: true }),
  map: Flags.string({ summary: 'Rename: research column a is production column b, as a=b (repeatable).', multiple: true }),
  'abs-tol': Flags.string({ summary: 'Absolute tolerance for numbers (default 0).' }),
  'rel-tol': Flags.string({ summary: 'Relative tolerance for numbers, relative to the research value (default 0).' }),
  tol: Flags.string({ summary: 'Per-column tolerance, e.g. price=abs:0.01 or price=rel:1e-6 (repeatable).', multiple: true }),
  sample: Flags.integer({ summary: 'Differing rows (keys and both values) shown per finding.', default: 5, min: 0 }),
  stats: Flags.boolean({ summary: 'Column statistics (--no-stats skips them: row diff only).', default: true, allowNo: true }),
  format: Flags.option({ options: FORMATS, summary: 'Input format, when the file name does not tell.' })(),
  delimiter: Flags.string({ summary: 'CSV delimiter (default: sniffed).' }),
  header: Flags.boolean({ summary: 'CSV files have a header row (--no-header: they have none). Default: sniffed.', allowNo: true }),
  'null-values': Flags.string({ summary: 'Text that means missing in CSV/JSON, comma-separated, e.g. NA,null,"" (default: the common writer spellings where a column is otherwise typed).' }),
  decimal: Flags.option({ options: ['.', ','] as const, summary: 'Decimal separator of CSV numbers (default: .).' })(),
  encoding: Flags.option({ options: CSV_ENCODINGS, summary: 'Text encoding of CSV files on both sides (default: utf-8), e.g. --encoding latin-1 for an Excel export.' })(),
  mask: Flags.string({ summary: 'Sensitive column whose values never appear in any report or sample; keys and counts still do (repeatable), e.g. --mask email.', multiple: true }),
};

/** `data` and `features`: every differing row of the keyed comparison, written to a file (#20). */
export const diffRowsFlags = {
  'diff-rows': Flags.string({
    summary: 'Write every differing row of the keyed comparison to this file (.parquet, .csv or .ndjson): side, differing_columns, key.<k>, research.<c>, production.<c>. Needs --key.',
    helpGroup: 'OUTPUT',
  }),
};

/** datacompy's comparison options (data, features, check): how text values, keys and null keys compare; and how exact the statistics are. */
export const comparisonFlags = {
  'ignore-spaces': Flags.boolean({ summary: 'Leading/trailing whitespace of text values and text keys is not a difference (datacompy ignore_spaces), e.g. "Paris " = "Paris".' }),
  'ignore-case': Flags.boolean({ summary: 'Letter case of text values is not a difference (datacompy ignore_case), e.g. "PARIS" = "Paris"; keys keep their case.' }),
  'null-keys': Flags.option({
    options: NULL_KEYS,
    summary: "Rows whose key has a null part: match the other side's null keys (default, as pandas/datacompy) or drop them with a null_keys warning.",
  })(),
  'by-position': Flags.boolean({
    summary:
      'Without a key, match rows by their position in file order (datacompy on_index): row 1 with row 1…; sample keys are row numbers (key row#), extra rows are rows_missing/rows_extra. Not with --key or a database query. E.g. data a.csv b.parquet --by-position.',
  }),
  'exact-stats': Flags.boolean({
    summary:
      'Count every distinct value exactly. By default a text or timestamp column with more than 20,000 distinct values gets a HyperLogLog estimate (±1.6% standard error), marked approximate and shown as ≈; an estimate never decides a finding.',
  }),
};

export interface ComparisonFlagValues {
  'ignore-spaces'?: boolean;
  'ignore-case'?: boolean;
  'null-keys'?: NullKeys;
  'by-position'?: boolean;
  'exact-stats'?: boolean;
}

/** The comparison flags as options; a flag left out leaves the option out (the config or the default decides). */
export function comparisonOptions(flags: ComparisonFlagValues): Pick<DataCompareOptions, MatchingOption> {
  return matchingOptions((o) => flags[o.flag]);
}

export interface TableFlagValues {
  key?: string;
  ignore?: string[];
  map?: string[];
  'abs-tol'?: string;
  'rel-tol'?: string;
  tol?: string[];
  sample: number;
  stats: boolean;
  format?: (typeof FORMATS)[number];
  delimiter?: string;
  header?: boolean;
  'null-values'?: string;
  decimal?: string;
  encoding?: CsvEncoding;
  mask?: string[];
}

export function parseKey(key: string | undefined): string[] | undefined {
  if (key === undefined) return undefined;
  const parts = key.split(',').map((k) => k.trim());
  // An empty key would silently fall back to the keyless comparison: say so instead.
  if (parts.some((p) => p === ''))
    throw new ReprodiffError('E_USAGE', `--key '${key}' names an empty column`, { suggestion: 'write --key id or --key a,b (leave --key out for a keyless comparison)' });
  return parts;
}

export function parseRenames(maps: readonly string[] | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of maps ?? []) {
    const eq = m.indexOf('=');
    if (eq <= 0 || eq === m.length - 1 || m.indexOf('=', eq + 1) >= 0)
      throw new ReprodiffError('E_USAGE', `bad --map '${m}'`, { suggestion: 'write --map research_name=production_name (one = sign)' });
    out[m.slice(0, eq)] = m.slice(eq + 1);
  }
  return out;
}

function parseNumber(text: string | undefined, flag: string): number | undefined {
  if (text === undefined) return undefined;
  const n = text.trim() === '' ? Number.NaN : Number(text);
  if (!Number.isFinite(n)) throw new ReprodiffError('E_USAGE', `${flag} must be a number ≥ 0, got '${text}'`, { suggestion: `e.g. ${flag} 1e-9` });
  return checkTolerance(n, flag);
}

export function parseTolerances(flags: Pick<TableFlagValues, 'abs-tol' | 'rel-tol' | 'tol'>): Tolerances {
  const base: Tolerance = { abs: parseNumber(flags['abs-tol'], '--abs-tol') ?? 0, rel: parseNumber(flags['rel-tol'], '--rel-tol') ?? 0 };
  return { default: base, perColumn: Object.fromEntries((flags.tol ?? []).map((t) => parseColumnTolerance(t, base))) };
}

export function readOptions(flags: Pick<TableFlagValues, 'format' | 'delimiter' | 'header' | 'null-values' | 'decimal' | 'encoding'>): ReadOptions {
  return { format: flags.format, delimiter: flags.delimiter, header: flags.header, nullValues: parseNullValues(flags['null-values']), decimal: flags.decimal, encoding: flags.encoding };
}

/** `NA,null,""` → ['NA', 'null', '']: a quoted "" (or an empty item) is the empty string. */
export function parseNullValues(text: string | undefined): string[] | undefined {
  if (text === undefined) return undefined;
  return [
    ...new Set(
      text
        .split(',')
        .map((s) => s.trim())
        .map((s) => (s === '""' || s === "''" ? '' : s)),
    ),
  ];
}

/** Flags of the distribution tests (features, and data when rows cannot be matched). */
export const driftFlags = {
  test: Flags.string({ summary: `Drift test for a column, COL=TEST (repeatable). TEST: ${DRIFT_TESTS.join(', ')}.`, multiple: true }),
  threshold: Flags.string({ summary: 'Drift threshold for a column, COL=value (repeatable).', multiple: true }),
  'drift-test': Flags.string({ summary: 'Drift test for every column without its own --test, e.g. --drift-test anderson (a test that does not fit a column leaves it its default).' }),
  'drift-threshold': Flags.string({ summary: "Drift threshold for every column without its own --threshold (default: the test's own)." }),
  bins: Flags.integer({ summary: 'PSI / Jensen–Shannon bins (edges at research quantiles).', default: 10, min: 2, max: 1000 }),
  'bin-strategy': Flags.option({
    options: BIN_STRATEGIES,
    summary: "Numeric columns' PSI bins: research quantiles (default), equal width over both sides' range, or one bin per value (columns of ≤ 100 distinct values).",
  })(),
  'psi-floor': Flags.string({ summary: 'Fraction an empty bin or category takes in PSI and KL (default 1e-4).' }),
  categorical: Flags.string({ summary: 'Treat this numeric column as categorical (repeatable).', multiple: true }),
  numeric: Flags.string({ summary: 'Treat this low-cardinality numeric column as numeric (repeatable).', multiple: true }),
  'drift-share': Flags.string({ summary: 'Share of drifted columns that makes the dataset drifted (default 0.5).' }),
};

export interface DriftFlagValues {
  test?: string[];
  threshold?: string[];
  'drift-test'?: string;
  'drift-threshold'?: string;
  'bin-strategy'?: (typeof BIN_STRATEGIES)[number];
  'psi-floor'?: string;
  bins: number;
  categorical?: string[];
  numeric?: string[];
  'drift-share'?: string;
}

function pairsOf(specs: readonly string[] | undefined, flag: string): [string, string][] {
  return (specs ?? []).map((s) => {
    const eq = s.lastIndexOf('=');
    if (eq <= 0 || eq === s.length - 1) throw new ReprodiffError('E_USAGE', `bad ${flag} '${s}'`, { suggestion: `write ${flag} COLUMN=VALUE` });
    return [s.slice(0, eq), s.slice(eq + 1)];
  });
}

export function parseDrift(flags: DriftFlagValues): DriftOptions {
  const tests: Record<string, DriftTest> = {};
  for (const [col, t] of pairsOf(flags.test, '--test')) tests[col] = driftTestName(t, `for ${col}`);
  const thresholds: Record<string, number> = {};
  for (const [col, v] of pairsOf(flags.threshold, '--threshold')) thresholds[col] = driftThreshold(v, `--threshold for ${col}`);
  const kinds: Record<string, 'categorical' | 'numeric'> = {};
  for (const c of flags.categorical ?? []) kinds[c] = 'categorical';
  for (const c of flags.numeric ?? []) kinds[c] = 'numeric';
  const share = flags['drift-share'] === undefined ? undefined : Number(flags['drift-share']);
  if (share !== undefined && !(share > 0 && share <= 1)) throw new ReprodiffError('E_USAGE', `--drift-share must be in (0, 1], got ${flags['drift-share']}`);
  const test = flags['drift-test'] === undefined ? undefined : driftTestName(flags['drift-test'], 'in --drift-test');
  const threshold = flags['drift-threshold'] === undefined ? undefined : driftThreshold(flags['drift-threshold'], '--drift-threshold');
  const floor = flags['psi-floor'] === undefined ? undefined : Number(flags['psi-floor']);
  if (floor !== undefined && !(floor > 0 && floor < 1)) throw new ReprodiffError('E_USAGE', `--psi-floor must be in (0, 1), got ${flags['psi-floor']}`);
  return {
    tests,
    thresholds,
    kinds,
    bins: flags.bins,
    datasetShare: share,
    ...(test ? { test } : {}),
    ...(threshold !== undefined ? { threshold } : {}),
    ...(flags['bin-strategy'] ? { binStrategy: flags['bin-strategy'] } : {}),
    ...(floor !== undefined ? { psiFloor: floor } : {}),
  };
}

/** A registered drift test's name from a user's spelling (`Mann-Whitney`, `kl_div`, `chi2`). */
export function driftTestName(spelling: string, where: string): DriftTest {
  const t = findDriftTest(spelling);
  if (!t) throw new ReprodiffError('E_USAGE', `unknown drift test '${spelling}' ${where}`, { suggestion: `one of ${DRIFT_TESTS.join(', ')}` });
  return t.name;
}

function driftThreshold(v: string, flag: string): number {
  const n = Number(v);
  if (v.trim() === '' || !Number.isFinite(n) || n < 0) throw new ReprodiffError('E_USAGE', `bad ${flag}: ${v}`, { suggestion: 'a number ≥ 0' });
  return n;
}

/** The comparison options that `data` and `features` read from the same flags. */
export function tableCompareOptions(flags: TableFlagValues & DriftFlagValues & ComparisonFlagValues): DataCompareOptions & { read: ReadOptions; mask?: readonly string[] } {
  return {
    ...comparisonOptions(flags),
    key: parseKey(flags.key),
    ignore: flags.ignore,
    rename: parseRenames(flags.map),
    tolerances: parseTolerances(flags),
    sample: flags.sample,
    stats: flags.stats,
    drift: parseDrift(flags),
    read: readOptions(flags),
    mask: flags.mask,
  };
}
