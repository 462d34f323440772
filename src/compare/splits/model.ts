/**
 * What every step of the splits stage shares: its options, the columns it compares, a side's private copy of
 * the assignments, what a step returns, and the order of split names.
 */
import type { SplitsSummary } from '../../findings/summaries.js';
import type { Finding } from '../../findings/types.js';
import type { Dataset } from '../../sources/register.js';
import type { ColumnPair, SchemaOptions } from '../data/columns.js';

export interface SplitCompareOptions extends SchemaOptions {
  readonly key?: readonly string[];
  readonly splitColumn?: string;
  readonly labelColumn?: string;
  readonly groupColumn?: string;
  /** Raw datasets keyed like the assignments: duplicate rows that straddle splits are leakage. */
  readonly raw?: { readonly research?: Dataset; readonly production?: Dataset };
  /** False when a side was assembled from one file per split: its row order says nothing. */
  readonly fileOrder?: { readonly research: boolean; readonly production: boolean };
  readonly sample?: number;
  /** p-value below which split sizes or label balance differ (default 0.05). */
  readonly alpha?: number;
  readonly onProgress?: (message: string) => void;
}

/** Label of ids absent from one side in the transition matrix. */
export const ABSENT = '(none)';
/** Conventional order of split names; others follow alphabetically. */
const SPLIT_ORDER = ['train', 'training', 'fit', 'dev', 'val', 'valid', 'validation', 'eval', 'calibration', 'test', 'testing', 'holdout', 'oot'];

/** Sorts split names train → validation → test, then alphabetically. */
export function sortSplits(names: Iterable<string>): string[] {
  const rank = (s: string) => {
    const i = SPLIT_ORDER.indexOf(s.toLowerCase());
    return i < 0 ? SPLIT_ORDER.length : i;
  };
  return [...new Set(names)].sort((a, b) => rank(a) - rank(b) || (a < b ? -1 : a > b ? 1 : 0));
}

/** The compared columns: the split, and the label and group when named or inferred (`inferred`: the ones the stage chose). */
export interface Columns {
  split: ColumnPair;
  label?: ColumnPair;
  group?: ColumnPair;
  inferred: Record<string, string>;
}

/** One side's private copy of its assignments (its rowid is the input's row order), and its name for a paired column. */
export interface Side {
  readonly name: 'research' | 'production';
  readonly table: string;
  readonly dataset: Dataset;
  readonly nameOf: (p: ColumnPair) => string;
}

/** What one step of the stage adds: its findings and its part of the summary. */
export interface Part<K extends keyof SplitsSummary> {
  readonly findings: readonly Finding[];
  readonly summary: Pick<SplitsSummary, K>;
}

/** A type with its fields writable: a summary part while a step builds it. */
export type Writable<T> = { -readonly [K in keyof T]: T[K] };
