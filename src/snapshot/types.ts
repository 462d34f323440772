/**
 * The snapshot file: a compact, deterministic, versioned fingerprint of named artifacts (schema, row count,
 * content hash, column profiles, what the drift tests need) and, optionally, the environment.
 * A change to this shape is a new `snapshotVersion`.
 */
import type { ColumnProfile } from '../compare/data/profile.js';
import type { ColumnInfo } from '../sources/register.js';
import type { Environment } from '../sources/env/model.js';

export const SNAPSHOT_VERSION = '1';

/** Defaults of `reprodiff snapshot`. */
export const SNAPSHOT_DEFAULTS = {
  /** Category frequencies kept per column (most frequent first); also the most distinct numeric values stored exactly. */
  categoryCap: 1000,
  /** Evenly spaced quantile levels of the numeric sketch (0, 1/(m−1), …, 1). */
  quantiles: 1001,
} as const;

/** A numeric (or temporal, as epoch seconds) column: finite values only, as the drift tests read them. */
export interface NumericDistribution {
  readonly type: 'numeric';
  /** Finite values. */
  readonly n: number;
  readonly mean: number | null;
  /** Population standard deviation (the normaliser of the Wasserstein distance). */
  readonly stdPop: number | null;
  readonly min: number | null;
  readonly max: number | null;
  /** PSI / Jensen–Shannon bin edges: research quantiles at i/bins (numpy linear), duplicates removed. */
  readonly edges: readonly number[];
  /** Research counts in the right-closed bins (−∞, e0], (e0, e1], …, (e_last, ∞): edges.length + 1 entries. */
  readonly counts: readonly number[];
  /** Quantiles at `quantileLevels` evenly spaced levels (numpy linear): the sketch KS and Wasserstein use; empty when `values` are stored. */
  readonly quantiles: readonly number[];
  /** Every distinct finite value with its count, when there are at most `categoryCap` of them: exact KS and Wasserstein. */
  readonly values?: readonly (readonly [number, number])[];
}

/** A column's value frequencies as text (the way categories are compared across types). */
export interface CategoricalDistribution {
  readonly type: 'categorical';
  /** At most this many values are listed. */
  readonly cap: number;
  /** Most frequent first, ties by value. */
  readonly values: readonly { readonly value: string; readonly count: number }[];
  /** Non-null rows whose value is not listed (0 when the list is complete). */
  readonly otherCount: number;
  /** Distinct non-null values in all. */
  readonly distinct: number;
}

/** What the drift tests of one column need; a numeric column with few values carries both. */
export interface ColumnDistributions {
  readonly numeric?: NumericDistribution;
  readonly categorical?: CategoricalDistribution;
}

export interface KeyHealthSnapshot {
  readonly columns: readonly string[];
  readonly nullKeyRows: number;
  /** Keys that occur more than once. */
  readonly duplicateKeys: number;
  /** Rows beyond the first of each duplicated key. */
  readonly duplicateRows: number;
}

export interface SnapshotArtifact {
  readonly label: string;
  readonly format: string;
  readonly rows: number;
  /** In file order. */
  readonly columns: readonly ColumnInfo[];
  /** Order-independent content hash (see fingerprintExpr in compare/data/profile.ts), over all columns. */
  readonly fingerprint: string;
  readonly key?: KeyHealthSnapshot;
  /** The statistics of `reprodiff data`, by column name. */
  readonly profiles: Readonly<Record<string, Omit<ColumnProfile, 'exactSum' | 'absSum'>>>;
  readonly distributions: Readonly<Record<string, ColumnDistributions>>;
}

export interface Snapshot {
  readonly snapshotVersion: typeof SNAPSHOT_VERSION;
  readonly tool: { readonly name: 'reprodiff'; readonly version: string };
  /** Settings every artifact was made with. */
  readonly settings: { readonly categoryCap: number; readonly quantileLevels: number; readonly bins: number };
  readonly artifacts: Readonly<Record<string, SnapshotArtifact>>;
  readonly env?: Environment;
}
