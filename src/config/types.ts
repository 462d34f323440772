import type { Stage } from '../findings/types.js';

/** Tolerance for numbers: |a − b| ≤ abs + rel·|a|. */
export interface ToleranceConfig {
  readonly abs?: number;
  readonly rel?: number;
  /** Per-column overrides. */
  readonly columns?: Readonly<Record<string, { readonly abs?: number; readonly rel?: number }>>;
}

/** Options shared by the table stages (data, features, predictions). */
export interface TableStageConfig {
  readonly key?: string | readonly string[];
  readonly ignore?: readonly string[];
  /** research column → production column. */
  readonly rename?: Readonly<Record<string, string>>;
  readonly tolerance?: ToleranceConfig;
  /** Leading/trailing whitespace of text values and text keys is not a difference (datacompy ignore_spaces). */
  readonly ignoreSpaces?: boolean;
  /** Letter case of text values is not a difference (datacompy ignore_case); keys keep their case. */
  readonly ignoreCase?: boolean;
  /** Rows with a null key part: `match` the other side's (default) or `drop` them (null_keys warning). */
  readonly nullKeys?: 'match' | 'drop';
  /** Match rows by their position in file order instead of a key (datacompy on_index; data and features). */
  readonly byPosition?: boolean;
  /** Every distinct count exact (`--exact-stats`); by default text and timestamp columns with many values are estimated. */
  readonly exactStats?: boolean;
}

/** How text inputs (CSV, JSON) are read, on both sides. */
export interface ReadConfig {
  /** Text that means missing (e.g. NA, null, ""); replaces the recognised writer spellings. */
  readonly nullValues?: readonly string[];
  readonly decimal?: '.' | ',';
  /** true/false: CSV files have a header row or none; default: sniffed. */
  readonly header?: boolean;
  readonly delimiter?: string;
  /** Text encoding of CSV files (default utf-8). */
  readonly encoding?: 'utf-8' | 'utf-16' | 'latin-1';
}

export interface DriftConfig {
  /** column → a registered drift test (ks, wasserstein, psi, jensenshannon, chisquare, anderson, …; see the README) */
  readonly tests?: Readonly<Record<string, string>>;
  readonly thresholds?: Readonly<Record<string, number>>;
  /** The test for every column without its own. */
  readonly test?: string;
  /** The threshold for every column without its own. */
  readonly threshold?: number;
  /** Numeric columns' PSI bins: quantile (default) | width | values. */
  readonly binStrategy?: 'quantile' | 'width' | 'values';
  /** The fraction an empty bin or category takes in PSI and KL (default 1e-4). */
  readonly psiFloor?: number;
  readonly bins?: number;
  readonly categorical?: readonly string[];
  readonly numeric?: readonly string[];
  readonly datasetShare?: number;
}

export interface StagesConfig {
  readonly data?: TableStageConfig;
  readonly features?: TableStageConfig & { readonly drift?: DriftConfig; readonly timeColumn?: string };
  readonly splits?: {
    readonly key?: string | readonly string[];
    readonly ignore?: readonly string[];
    readonly rename?: Readonly<Record<string, string>>;
    readonly splitColumn?: string;
    readonly labelColumn?: string;
    readonly groupColumn?: string;
  };
  readonly predictions?: Omit<TableStageConfig, 'tolerance'> & {
    /** The scores' tolerance (one score column: no per-column tolerances). */
    readonly tolerance?: Omit<ToleranceConfig, 'columns'>;
    readonly scoreColumn?: string;
    readonly labelColumn?: string;
    readonly truthColumn?: string;
    readonly threshold?: number;
    /** Allowed metric drop before `performance_drop` (absolute; relative for RMSE/MAE), as `predictions --metric-tol`; default 0.01. */
    readonly metricTolerance?: number;
    /** Performance requirements each environment must meet: metric → ">=0.85" (accuracy, precision, recall, f1, auc) or "<=3.5" (rmse, mae). */
    readonly require?: Readonly<Partial<Record<'accuracy' | 'precision' | 'recall' | 'f1' | 'auc' | 'rmse' | 'mae', string>>>;
  };
  readonly env?: { readonly numericPackages?: readonly string[] };
}

/** How one stage is made from the others (reprodiff.yml `pipeline:`). */
export interface StageDependency {
  /** Stages whose rows this stage reads (its inputs). */
  readonly dependsOn?: readonly Stage[];
  /** The stage whose training rows its transforms or model are fitted on; `none` when nothing is fitted. */
  readonly fittedOn?: Stage | 'none';
}

export type PipelineConfig = Partial<Record<Exclude<Stage, 'env'>, StageDependency>>;

/** The artifact of each stage on one side: a path (any input format, or `file.snapshot.json#name`). */
export type SideConfig = Partial<Record<Stage, string>>;

/** reprodiff.yml: what to compare, and how. Paths are relative to the config file. */
export interface ReprodiffConfig {
  readonly version?: 1;
  readonly key?: string | readonly string[];
  readonly failOn?: 'warning' | 'error';
  readonly ignore?: readonly string[];
  readonly rename?: Readonly<Record<string, string>>;
  readonly tolerance?: ToleranceConfig;
  readonly ignoreSpaces?: boolean;
  readonly ignoreCase?: boolean;
  readonly nullKeys?: 'match' | 'drop';
  readonly byPosition?: boolean;
  readonly exactStats?: boolean;
  readonly read?: ReadConfig;
  /** Differing rows (keys) shown per finding (default 5). */
  readonly sample?: number;
  /** Stages that must be compared: a stage without an artifact on both sides is an error (`stage_required`). */
  readonly requireStages?: readonly Stage[];
  readonly research: SideConfig;
  readonly production: SideConfig;
  readonly stages?: StagesConfig;
  /** Which stage feeds which; the usual order (split first, fitted on the training split) by default. */
  readonly pipeline?: PipelineConfig;
  /** Sensitive columns whose values never appear in any report (keys and counts still do). */
  readonly mask?: readonly string[];
}

/** Typed helper for configs written in code (`reprodiff.config.ts` style), returning its argument. */
export function defineConfig(config: ReprodiffConfig): ReprodiffConfig {
  return config;
}
