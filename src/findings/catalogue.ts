/**
 * The cause catalogue: for every cause code, the checklist step of the product brief it belongs to and
 * the one thing to check next. Renderers print the line under each root cause (terminal, Markdown, HTML).
 */
import { SYMPTOMS } from './headline.js';
import type { CauseCode, Finding } from './types.js';

export type ChecklistStep = 'raw data' | 'feature engineering' | 'splits' | 'predictions' | 'performance' | 'variables' | 'environment' | 'coverage';

export interface CatalogueEntry {
  readonly step: ChecklistStep;
  /** One line: what to check or change next. */
  readonly next: string;
}

const e = (step: ChecklistStep, next: string): CatalogueEntry => ({ step, next });

/** Every cause code (tests/check/catalogue.test.ts checks that none is missing). */
export const CATALOGUE: Readonly<Partial<Record<CauseCode, CatalogueEntry>>> = {
  rows_missing: e('raw data', 'compare the extract/load job logs for the missing keys; look for filters, failed partitions or inner joins in the ETL'),
  rows_extra: e('raw data', 'find where the extra keys come from: a wider extract window, another source, or a join that adds rows'),
  duplicate_rows: e('raw data', 'look for a load that ran twice or an append that should be an upsert; deduplicate before the pipeline reads the table'),
  duplicate_keys: e('raw data', 'look for a load that ran twice or a one-to-many join; deduplicate on the key before the split'),
  null_keys: e('raw data', 'find the rows whose key is empty and fix the key in the export'),
  value_changed: e('raw data', 'open the sample keys on both sides and trace the column back to the query or transform that writes it'),
  precision_loss: e('raw data', 'check the column type and the writer’s float format (DECIMAL scale, %.6g, JSON/Excel digits); keep full precision'),
  float32_cast: e('raw data', 'find the FLOAT/float32 cast (warehouse column type, dtype="float32", Arrow schema) and keep DOUBLE'),
  aggregation_precision: e('raw data', 'compare how the sums are computed (order, float32 accumulators, DECIMAL scale)'),
  type_change: e('raw data', 'pin the column type in the export or the reader (dtype=, schema); cast back before features are built'),
  type_widening: e('raw data', 'nothing to fix: values compare equal after widening'),
  timezone_shift: e('raw data', 'convert both sides to one time zone (UTC) when reading; check tz_localize/tz_convert and the session time zone'),
  column_missing: e('variables', 'find where the column was dropped or renamed; map it with rename: or restore it in the export'),
  column_extra: e('variables', 'decide whether the new column should be there; ignore: it if it is not used'),
  new_category: e('raw data', 'map the new values to research’s categories, or retrain with them; check handle_unknown in the encoder'),
  category_gone: e('raw data', 'find why the category no longer appears: a filter, a recode, or a source change'),
  distribution_drift: e('performance', 'compare the periods and populations the two sides cover; recompute the features on the same window'),
  schema_order: e('raw data', 'nothing to fix: columns are matched by name'),
  null_vs_nan: e('raw data', 'read missing values the same way on both sides (NaN vs NULL: to_parquet/Arrow vs CSV); fill or keep them consistently'),
  statistic_changed: e('raw data', 'give a --key to compare rows, then trace the changed statistics to their rows'),
  no_common_rows: e('raw data', 'check that both sides cover the same period and entities, and that the key is the same'),
  null_spelling: e('raw data', 'declare the missing-value spellings (--null-values) or write missing values the same way on both sides'),
  encoding_change: e('raw data', 'read both files with one encoding (UTF-8) and one boolean spelling'),
  rescaled: e('feature engineering', 'check what the scaler was fitted on (same training rows?), std ddof (pandas 1 vs scikit-learn 0) and the unit of the column'),
  sampling_unseeded: e('raw data', 'seed the sample (random_state / SAMPLE … REPEATABLE) or take it by key'),
  key_format: e('raw data', 'write the key one way on both sides (zero padding, case, int vs text)'),
  column_name_case: e('raw data', 'write the column names with the same case on both sides'),
  null_handling: e('feature engineering', 'pin the imputer: the same strategy, fill value and training rows on both sides'),
  clipping_differs: e('feature engineering', 'use the same clipping bounds or outlier rule on both sides (fitted on the same rows)'),
  unseen_category: e('feature engineering', 'fit the encoder on the same categories; set handle_unknown and map new values explicitly'),
  infrequent_variable: e('variables', 'find why the feature is rarely populated in production (a source retired or renamed)'),
  split_unseeded: e('splits', 'set random_state in the split (train_test_split, KFold(shuffle=True), GroupShuffleSplit)'),
  split_order_dependent: e('splits', 'sort the rows (ORDER BY the key) before splitting'),
  split_leakage: e('splits', 'make each id (or duplicate row) belong to exactly one split'),
  group_split_broken: e('splits', 'split by group (GroupKFold / GroupShuffleSplit with groups=) so a group stays in one split'),
  split_proportions: e('splits', 'use the same test_size / fold count on both sides'),
  split_membership: e('splits', 'compare how the split is drawn (function, seed, stratify, groups, row order)'),
  label_balance: e('splits', 'stratify the split on the label the same way on both sides'),
  split_stratification: e('splits', 'pass the same stratify= (the label) to the split on both sides'),
  split_conflict: e('splits', 'make each split file list each id once; resolve the ids assigned twice'),
  prediction_nan: e('predictions', 'find the inputs behind the NaN scores (nulls, unseen categories) and handle them before predict'),
  prediction_missing: e('predictions', 'find why the scoring job skipped these ids'),
  prediction_mismatch: e('predictions', 'compare the model inputs of the mismatched ids (features, model file, version) side by side'),
  label_flip: e('predictions', 'compare the threshold and the scores near it; fix the score difference first'),
  numeric_noise: e('predictions', 'accept it with --rel-tol 1e-6, or pin the BLAS/numerical library versions'),
  model_nondeterminism: e('predictions', 'set random_state on the model (and n_jobs/threads for reproducible order)'),
  performance_drop: e('performance', 'check the live data for drift and the labels for a changed meaning'),
  performance_requirement: e('performance', 'compare the metric with its requirement on the same data; retrain or recalibrate'),
  library_version: e('environment', 'pin the library to research’s version in production (requirements / lock file)'),
  interpreter_version: e('environment', 'run production on research’s Python version'),
  package_missing: e('environment', 'install the package in production, pinned to research’s version'),
  package_extra: e('environment', 'check whether the extra packages change defaults; remove the ones not needed'),
  platform_change: e('environment', 'compare OS/CPU/BLAS between the environments; pin the numerical stack'),
  not_compared: e('coverage', 'make the skipped part comparable (key, format, snapshot) so it can be checked'),
  artifact_unpaired: e('coverage', 'give both sides the artifact, or name it in reprodiff.yml'),
  stage_required: e('coverage', 'provide the stage’s artifacts on both sides'),
};

/** The "what to check next" line of a finding's cause, if the catalogue has one. */
export function nextStep(f: Finding): string | undefined {
  return CATALOGUE[f.cause]?.next;
}

/**
 * One "what to check next" line per root cause among `findings` (breaking, not propagated), in their order.
 * A symptom (drift, a changed value) gets a line only when no more specific cause is there.
 */
export function nextActions(findings: readonly Finding[]): { readonly cause: CauseCode; readonly next: string }[] {
  const roots = findings.filter((f) => f.severity !== 'info' && f.propagatedFrom === null);
  const specific = roots.filter((f) => !SYMPTOMS.has(f.cause));
  const causes = [...new Set((specific.length ? specific : roots).map((f) => f.cause))];
  return causes.flatMap((cause) => {
    const next = CATALOGUE[cause]?.next;
    return next ? [{ cause, next }] : [];
  });
}
