/**
 * The findings contract: the JSON document users script against (see ../shared/PRODUCT.md).
 * Everything here is plain, readonly, serialisable data. Renderers only ever read a `Report`.
 */
import type { StageSummaries } from './summaries.js';

/** Stages in checklist order: a break upstream pollutes everything downstream. */
export const STAGES = ['data', 'features', 'splits', 'predictions', 'env'] as const;
export type Stage = (typeof STAGES)[number];

export type Command = Stage | 'check';
export type Severity = 'info' | 'warning' | 'error';
export type StageStatus = 'equal' | 'different' | 'skipped';
export type Verdict = 'equal' | 'different';

/** Cause codes are a public contract: extend the list, never rename an entry. */
export const CAUSES = {
  data: [
    'rows_missing',
    'rows_extra',
    'duplicate_rows',
    'duplicate_keys',
    'value_changed',
    'precision_loss',
    'float32_cast',
    'aggregation_precision',
    'type_change',
    'type_widening',
    'timezone_shift',
    'column_missing',
    'column_extra',
    'new_category',
    'category_gone',
    'distribution_drift',
    'schema_order',
    'null_vs_nan',
    'statistic_changed',
    'no_common_rows',
    'null_keys',
    'null_spelling',
    'encoding_change',
    'rescaled',
    'sampling_unseeded',
    'key_format',
    'column_name_case',
  ],
  features: ['null_handling', 'clipping_differs', 'unseen_category', 'infrequent_variable'],
  splits: ['split_unseeded', 'split_order_dependent', 'split_leakage', 'group_split_broken', 'split_proportions', 'split_membership', 'label_balance', 'split_stratification', 'split_conflict'],
  predictions: ['prediction_nan', 'prediction_missing', 'prediction_mismatch', 'label_flip', 'numeric_noise', 'model_nondeterminism', 'performance_drop', 'performance_requirement'],
  env: ['library_version', 'interpreter_version', 'package_missing', 'package_extra', 'platform_change'],
  /** Any stage: what was pointed at but not (fully) compared, so "equal" cannot be promised for it. */
  any: ['not_compared', 'artifact_unpaired', 'stage_required'],
} as const;

export type CauseCode = (typeof CAUSES)[keyof typeof CAUSES][number];

export const ALL_CAUSES: readonly CauseCode[] = Object.values(CAUSES).flat() as CauseCode[];

/** Evidence values are numbers, strings, booleans, null, or nested records/arrays of them. */
export type EvidenceValue = number | string | boolean | null | readonly EvidenceValue[] | { readonly [k: string]: EvidenceValue };
export type Evidence = { readonly [k: string]: EvidenceValue };

export interface Finding {
  readonly stage: Stage;
  readonly severity: Severity;
  readonly cause: CauseCode;
  readonly columns: readonly string[];
  readonly rowsAffected: number | null;
  readonly message: string;
  readonly evidence: Evidence;
  readonly sampleKeys: readonly EvidenceValue[];
  readonly propagatedFrom: Stage | null;
}

/** One stage's entry in the report; the shape of its summary follows from its stage (src/findings/summaries.ts). */
export interface StageEntry<S extends Stage> {
  readonly stage: S;
  readonly status: StageStatus;
  readonly reason: string;
  readonly summary: StageSummaries[S];
}

/** A stage entry of any stage: a union discriminated by `stage`. */
export type StageResult = { readonly [S in Stage]: StageEntry<S> }[Stage];

export interface Report {
  readonly schemaVersion: '1';
  readonly tool: { readonly name: 'reprodiff'; readonly version: string };
  readonly command: Command;
  readonly verdict: Verdict;
  readonly firstBrokenStage: Stage | null;
  readonly stages: readonly StageResult[];
  readonly findings: readonly Finding[];
}

/** What one stage comparator returns: its stage entry and its findings. */
export interface StageOutcome {
  readonly result: StageResult;
  readonly findings: readonly Finding[];
}

/** A comparator's outcome whose summary type is known (it never returns a skipped stage's). */
export type OutcomeWith<T> = StageOutcome & { readonly result: { readonly summary: T } };

/** Which severities make a stage "broken". */
export type FailOn = 'warning' | 'error';
