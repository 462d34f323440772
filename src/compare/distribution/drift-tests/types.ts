import type { RankSums } from '../../../stats/index.js';
import type { ColumnTests } from '../../../findings/summaries.js';

/** How a column is tested: numbers (merged ECDF, bins, ranks, moments) or categories (counts per category). */
export type ColumnType = 'numeric' | 'categorical';

/**
 * What a test reads: `ecdf` the merged sort's KS statistic, Wasserstein-1 and research's std; `counts` the PSI
 * bins (numeric) or the category counts (categorical); `ranks` sums over the distinct values with per-side
 * counts (rank-sql.ts, one more query, only when a column's test needs it); `moments` each side's mean and
 * variance (one more pair of passes, likewise).
 */
export type Aggregate = 'ecdf' | 'counts' | 'ranks' | 'moments';

/** Each side's size, mean and sample variance (ddof 1) of its finite values. */
export interface Moments {
  readonly n1: number;
  readonly mean1: number;
  readonly var1: number;
  readonly n2: number;
  readonly mean2: number;
  readonly var2: number;
}

/** The aggregates of one column the tests compute from: never the column's values themselves. */
export interface DriftAggregates {
  readonly type: ColumnType;
  readonly n1: number;
  readonly n2: number;
  /** Per-side counts in the PSI bins (numeric) or per category (categorical, aligned, sorted by value). */
  readonly counts: { readonly a: readonly number[]; readonly b: readonly number[] };
  /** The fraction an empty bin or category takes in PSI and KL (default PSI_FLOOR). */
  readonly floor?: number;
  readonly ecdf?: { readonly d: number; readonly w: number; readonly stdA: number };
  readonly ranks?: RankSums;
  readonly moments?: Moments;
}

/** The figures a test writes: part of the report's stage summaries (src/findings/summaries.ts). */
export type { ColumnTests, DriftVerdict, TestResult } from '../../../findings/summaries.js';

/**
 * One drift test: adding a test is one module exporting this, listed in registry.ts, plus its reference
 * values (tests/reference/make_drift_reference.py) and a test against them.
 */
export interface DriftTestModule {
  /** The name users select it by (--test COL=name, --drift-test name, drift.tests in reprodiff.yml). */
  readonly name: string;
  /** Other accepted spellings, compared after lower-casing and dropping everything but letters and digits. */
  readonly aliases: readonly string[];
  /** How findings name its value. */
  readonly label: string;
  /** One line for --help and the README. */
  readonly description: string;
  readonly columns: readonly ColumnType[];
  readonly needs: Aggregate;
  /** p-values drift when below the threshold; distances when at or above it. */
  readonly direction: 'pvalue' | 'distance';
  readonly threshold: number;
  /** Column types for which it is computed on every column, selected or not (the report's standing figures). */
  readonly standing?: readonly ColumnType[];
  /** False for a figure that is reported but not a drift test. */
  readonly selectable?: boolean;
  /** Whether the column's aggregates admit the test (e.g. exactly two categories). */
  readonly applies?: (agg: DriftAggregates) => boolean;
  /** Its figures, under the keys of ColumnTests it owns. */
  readonly compute: (agg: DriftAggregates) => ColumnTests;
  /** The figure the verdict compares with the threshold. */
  readonly value: (tests: ColumnTests) => number | undefined;
}
