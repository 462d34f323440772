/**
 * The comparison options of each stage, in one table: the flag of its stage command, where it sits in
 * reprodiff.yml (under `stages.<stage>`, at the top level, or both), its type, and how `check` accepts it.
 * The entry points are checked against it (tests/stages/registry.test.ts) and derive from it what they can:
 * adding a comparison option starts here. A leaf: pure data, no imports of ours but types.
 */
import type { Stage } from '../findings/types.js';

/** What a value of the option is, as the config holds it (the flag's text is parsed into the same). */
export type OptionType =
  | 'key'
  | 'column'
  | 'columns'
  | 'renames'
  | 'boolean'
  | 'integer'
  | 'number'
  | 'text'
  | 'enum'
  | 'columnTolerances'
  | 'columnTests'
  | 'columnThresholds'
  | 'requirements'
  | 'packages';

/** How `check` takes an option: its own flag of the same name, the config key, both or neither. */
export type CheckEntry = 'flag' | 'config';

export interface StageOption {
  /** The stage command's flag, without dashes (`abs-tol`); absent for a config-only option. */
  readonly flag?: string;
  /** Dotted path under `stages.<stage>` in reprodiff.yml (`tolerance.abs`, `drift.test`). */
  readonly stageKey?: string;
  /** Dotted path at the top level of reprodiff.yml, for every stage that reads it (`read.delimiter`, `sample`). */
  readonly globalKey?: string;
  readonly type: OptionType;
  /** The values an `enum` option takes. */
  readonly values?: readonly string[];
  /** How `check` accepts it; empty: only the stage command does (see `reason`). */
  readonly check: readonly CheckEntry[];
  /** Why `check` leaves it out, when it does. */
  readonly reason?: string;
}

const both: readonly CheckEntry[] = ['flag', 'config'];
const config: readonly CheckEntry[] = ['config'];

/**
 * datacompy's matching options: a `check` flag is the run's choice and replaces the global setting and a
 * table stage's own (`withSettings`). Kept in the order the options objects have always had their keys
 * (`--write-config` writes them in this order).
 */
export const MATCHING_OPTIONS = [
  { flag: 'exact-stats', option: 'exactStats', type: 'boolean' },
  { flag: 'by-position', option: 'byPosition', type: 'boolean' },
  { flag: 'ignore-spaces', option: 'ignoreSpaces', type: 'boolean' },
  { flag: 'ignore-case', option: 'ignoreCase', type: 'boolean' },
  { flag: 'null-keys', option: 'nullKeys', type: 'enum', values: ['match', 'drop'] },
] as const;

export type MatchingOption = (typeof MATCHING_OPTIONS)[number]['option'];

const matching: readonly StageOption[] = MATCHING_OPTIONS.map((o) => ({
  flag: o.flag,
  stageKey: o.option,
  globalKey: o.option,
  type: o.type,
  ...('values' in o ? { values: o.values } : {}),
  check: both,
}));

const schema: readonly StageOption[] = [
  { flag: 'key', stageKey: 'key', globalKey: 'key', type: 'key', check: both },
  { flag: 'ignore', stageKey: 'ignore', globalKey: 'ignore', type: 'columns', check: both },
  { flag: 'map', stageKey: 'rename', globalKey: 'rename', type: 'renames', check: both },
];

const sample: StageOption = { flag: 'sample', globalKey: 'sample', type: 'integer', check: both };
const mask: StageOption = { flag: 'mask', globalKey: 'mask', type: 'columns', check: config };

/** How text inputs are read: the config's `read:` (both sides, every stage); `--format` has no config key. */
const read: readonly StageOption[] = [
  { flag: 'format', type: 'enum', check: [], reason: "check picks each artifact's format from its name or content" },
  { flag: 'delimiter', globalKey: 'read.delimiter', type: 'text', check: config },
  { flag: 'header', globalKey: 'read.header', type: 'boolean', check: config },
  { flag: 'null-values', globalKey: 'read.nullValues', type: 'columns', check: config },
  { flag: 'decimal', globalKey: 'read.decimal', type: 'enum', values: ['.', ','], check: config },
  { flag: 'encoding', globalKey: 'read.encoding', type: 'enum', values: ['utf-8', 'utf-16', 'latin-1'], check: config },
];

const tolerance: readonly StageOption[] = [
  { flag: 'abs-tol', stageKey: 'tolerance.abs', globalKey: 'tolerance.abs', type: 'number', check: both },
  { flag: 'rel-tol', stageKey: 'tolerance.rel', globalKey: 'tolerance.rel', type: 'number', check: both },
];

/** The distribution tests' options, under `stages.features.drift` (check's `--test`/`--threshold` add to it). */
const drift: readonly StageOption[] = [
  { flag: 'test', stageKey: 'drift.tests', type: 'columnTests', check: both },
  { flag: 'threshold', stageKey: 'drift.thresholds', type: 'columnThresholds', check: both },
  { flag: 'drift-test', stageKey: 'drift.test', type: 'text', check: config },
  { flag: 'drift-threshold', stageKey: 'drift.threshold', type: 'number', check: config },
  { flag: 'bins', stageKey: 'drift.bins', type: 'integer', check: config },
  { flag: 'bin-strategy', stageKey: 'drift.binStrategy', type: 'enum', values: ['quantile', 'width', 'values'], check: config },
  { flag: 'psi-floor', stageKey: 'drift.psiFloor', type: 'number', check: config },
  { flag: 'categorical', stageKey: 'drift.categorical', type: 'columns', check: config },
  { flag: 'numeric', stageKey: 'drift.numeric', type: 'columns', check: config },
  { flag: 'drift-share', stageKey: 'drift.datasetShare', type: 'number', check: config },
];

/** `data`'s drift flags (used when rows cannot be matched): reprodiff.yml has no `stages.data.drift`. */
const dataDrift: readonly StageOption[] = drift.map(({ stageKey: _stageKey, ...o }) => ({ ...o, check: [], reason: 'the drift settings of check reach the features stage only' }));

const tableCommon: readonly StageOption[] = [
  ...schema,
  ...tolerance,
  { flag: 'tol', stageKey: 'tolerance.columns', globalKey: 'tolerance.columns', type: 'columnTolerances', check: both },
  sample,
  { flag: 'stats', type: 'boolean', check: [], reason: 'check always computes column statistics' },
  ...read,
  mask,
  ...matching,
];

/** Each stage's comparison options. Flags not listed are output, engine or input flags (see the registry test). */
export const STAGE_OPTIONS: Readonly<Record<Stage, readonly StageOption[]>> = {
  data: [...tableCommon, ...dataDrift],
  features: [...tableCommon, ...drift, { flag: 'time-col', stageKey: 'timeColumn', type: 'column', check: config }],
  splits: [
    ...schema,
    sample,
    ...read,
    { flag: 'split-col', stageKey: 'splitColumn', type: 'column', check: both },
    { flag: 'label-col', stageKey: 'labelColumn', type: 'column', check: config },
    { flag: 'group-col', stageKey: 'groupColumn', type: 'column', check: both },
  ],
  predictions: [
    ...schema,
    ...tolerance,
    sample,
    ...read,
    mask,
    { flag: 'score-col', stageKey: 'scoreColumn', type: 'column', check: both },
    { flag: 'label-col', stageKey: 'labelColumn', type: 'column', check: both },
    { flag: 'truth-col', stageKey: 'truthColumn', type: 'column', check: both },
    { flag: 'threshold', stageKey: 'threshold', type: 'number', check: config },
    { flag: 'metric-tol', stageKey: 'metricTolerance', type: 'number', check: config },
    { flag: 'features-key', type: 'key', check: [], reason: 'check joins the features stage on the stage key' },
    { flag: 'require', stageKey: 'require', type: 'requirements', check: both },
  ],
  env: [{ flag: 'numeric-packages', stageKey: 'numericPackages', type: 'packages', check: config }],
};

/** The table stages whose own config takes the matching options (`stages.<stage>.ignoreSpaces`…). */
export const MATCHING_STAGES: readonly Stage[] = (Object.keys(STAGE_OPTIONS) as Stage[]).filter((s) => STAGE_OPTIONS[s].some((o) => o.stageKey === 'byPosition'));

type MatchingValues = { [K in MatchingOption]?: K extends 'nullKeys' ? 'match' | 'drop' : boolean };

/**
 * The matching options some source sets (flags, a stage's config then the global one): a value left out or
 * false leaves the option out, so the config or the default decides. `order` lists the options' keys in the
 * order the caller's output has always had them.
 */
export function matchingOptions(
  pick: (option: (typeof MATCHING_OPTIONS)[number]) => boolean | string | undefined,
  order: readonly MatchingOption[] = MATCHING_OPTIONS.map((o) => o.option),
): MatchingValues {
  const out: Record<string, unknown> = {};
  for (const name of order) {
    const value = pick(MATCHING_OPTIONS.find((o) => o.option === name)!);
    if (value) out[name] = value;
  }
  return out as MatchingValues;
}
