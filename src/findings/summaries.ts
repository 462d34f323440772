/**
 * The `summary` of each stage entry in the report: one interface per stage, a union by stage (StageSummaries).
 * Comparators build these, the renderers read them. They describe the values as built; `buildReport` then
 * makes them JSON-safe (`toEvidence`: a non-finite number becomes the string "NaN"/"Infinity", bigint a number).
 * Key order in the JSON is the order in which a comparator sets the fields, not the order listed here.
 */

/** check: which artifact of the plan each side was (present on every stage entry of a `check` report). */
export interface InputsSummary {
  readonly research: string | null;
  readonly production: string | null;
}

/** Fields every stage summary may carry. */
export interface SummaryBase {
  /** Set by `check` only. */
  readonly inputs?: InputsSummary;
}

/** A stage `check` did not compare (no artifact on one side or both): its summary names the inputs only. */
export interface SkippedSummary {
  readonly inputs: InputsSummary;
}

// ---------------------------------------------------------------------------------------------
// data and features (and a research snapshot standing in for them)

/** One side of a data comparison: where it came from and what it holds. */
export interface SideSummary {
  readonly label: string;
  readonly format: string;
  readonly rows: number | null;
  readonly columns: number;
  readonly fingerprint: string | null;
}

export interface SchemaSummary {
  readonly common: number;
  readonly onlyResearch: readonly string[];
  readonly onlyProduction: readonly string[];
  readonly typeChanges: readonly { readonly column: string; readonly research: string; readonly production: string; readonly kind: TypeChange }[];
  readonly orderDiffers: boolean;
  /** Columns paired although their names differ in letter case. */
  readonly nameCase?: readonly { readonly research: string; readonly production: string }[];
}

/** How a column's type changed between the sides. */
export type TypeChange = 'same' | 'widening' | 'breaking';

/** Rows of a keyed comparison. */
export interface KeyedRowsSummary {
  readonly research: number;
  readonly production: number;
  readonly matched: number;
  readonly onlyResearch: number;
  readonly onlyProduction: number;
  readonly changed: number;
  readonly duplicateKeysResearch: number;
  readonly duplicateKeysProduction: number;
  readonly nullKeysResearch: number;
  readonly nullKeysProduction: number;
  /** With null key parts matched to each other (--null-keys match) and some present. */
  readonly nullKeysMatchedResearch?: number;
  readonly nullKeysMatchedProduction?: number;
}

/** Rows of a keyless (row multiset) comparison. */
export interface KeylessRowsSummary {
  readonly research: number;
  readonly production: number;
  readonly common: number;
  readonly onlyResearch: number;
  readonly onlyProduction: number;
  readonly duplicateRowsResearch: number;
  readonly duplicateRowsProduction: number;
}

/**
 * A column's profile as the report shows it (src/compare/data/profile.ts's ColumnProfile without its internal
 * sums). Renderers list its entries generically, so a statistic added to the profile shows without a change here.
 */
/** The marker of a distinct count that is a HyperLogLog estimate, with its documented error. */
export interface DistinctEstimate {
  readonly approximate: true;
  readonly method: 'hyperloglog';
  readonly registers: number;
  /** Relative standard error of the estimate (1.04/√registers); 3 of them bound it in the tests. */
  readonly relativeError: number;
}

export interface ProfileSummary {
  readonly type: string;
  readonly kind: string;
  readonly rows: number;
  readonly count: number;
  readonly nulls: number;
  readonly distinct: number;
  /** Present when `distinct` is a HyperLogLog estimate (src/compare/shared/distinct.ts). */
  readonly distinctEstimate?: DistinctEstimate;
  readonly nan?: number;
  readonly posInf?: number;
  readonly negInf?: number;
  readonly zeros?: number;
  readonly min?: number | string | boolean | null;
  readonly max?: number | string | boolean | null;
  readonly mean?: number | null;
  readonly std?: number | null;
  readonly sum?: number | string | null;
  readonly quantiles?: Readonly<Record<string, number | null>>;
  readonly minLength?: number | null;
  readonly maxLength?: number | null;
  readonly meanLength?: number | null;
  readonly empty?: number;
  readonly trues?: number;
  readonly top?: readonly { readonly value: string; readonly count: number }[];
}

/** A statistic with its p-value. */
export interface TestResult {
  readonly statistic: number;
  readonly pvalue: number;
}

/** A drift test's verdict on one column. */
export interface DriftVerdict {
  readonly test: string;
  readonly value: number;
  readonly threshold: number;
  readonly drifted: boolean;
  /**
   * The row comparison found every value of the column equal within the tolerances: the test's verdict is
   * set to "not drifted" (the distributions differ only by tolerated amounts), and this says so.
   */
  readonly equalWithinTolerance?: boolean;
}

/** Every test figure of one column, as stages[].summary.columns.<name>.tests (key order is the drift-test registry's). */
export interface ColumnTests {
  ks?: { statistic: number; pvalue: number };
  wasserstein?: number;
  wassersteinNormed?: number;
  chiSquare?: { statistic: number; pvalue: number; dof: number };
  psi?: number;
  jensenShannon?: number;
  linf?: number;
  hellinger?: number;
  kl?: number;
  tvd?: number;
  andersonDarling?: TestResult;
  cramerVonMises?: TestResult & { method: 'exact' | 'asymptotic' };
  energy?: number;
  mannWhitney?: TestResult & { method: 'exact' | 'asymptotic' };
  welch?: TestResult & { df: number };
  twoProportionZ?: TestResult;
  fisher?: { oddsRatio: number | null; pvalue: number };
  gTest?: TestResult & { dof: number };
  cramersV?: number;
  chiSquareGof?: { statistic: number | null; pvalue: number; dof: number };
  drift?: DriftVerdict;
}

/** Per-side counts in shared bins (PSI bins of a numeric column): `edges` has one more entry than each count list. */
export interface HistogramSummary {
  readonly edges: readonly number[];
  readonly research: readonly number[];
  readonly production: readonly number[];
}

/** Per-side counts of the most frequent categories (aligned with `values`). */
export interface CategoriesSummary {
  readonly values: readonly string[];
  readonly research: readonly number[];
  readonly production: readonly number[];
}

/** The distribution tests of one column (drift tests; features, or data when rows cannot be matched). */
export interface ColumnDistributionSummary {
  readonly tests: ColumnTests;
  readonly histogram?: HistogramSummary;
  readonly categories?: CategoriesSummary;
}

/** One column of a data, features or snapshot comparison. */
export interface DataColumnSummary extends Partial<ColumnDistributionSummary> {
  readonly researchType: string;
  readonly productionType: string;
  readonly typeChange: TypeChange;
  /** Keyed comparisons only. */
  readonly differingRows?: number;
  readonly maxAbsDiff?: number | null;
  readonly maxRelDiff?: number | null;
  readonly research: ProfileSummary | null;
  readonly production: ProfileSummary | null;
  /** Snapshot: the research side's distribution is a quantile sketch, with these error bounds. */
  readonly approximation?: { readonly method: string; readonly bounds: { readonly ks: number; readonly wasserstein: number } };
}

/** The drift tests over the whole table. */
export interface DriftSummary {
  readonly drifted: readonly string[];
  readonly share: number;
  readonly threshold: number;
  readonly datasetDrift: boolean;
  readonly columnsTested: number;
}

/** How a data comparison ran when a database input was involved (src/sources/postgres). */
export interface EngineSummary {
  readonly mode: 'pushdown' | 'bisection' | 'download';
  readonly database: string;
  /** Rows that crossed the network into reprodiff. */
  readonly rowsTransferred?: number;
  readonly segmentsCompared?: number;
  /** Why the comparison did not run in the database. */
  readonly reason?: string;
}

/** The `data` stage (and the part of `features` it shares). */
export interface DataSummary extends SummaryBase {
  readonly mode: 'keyed' | 'keyless' | 'unmatched';
  readonly key: readonly string[] | null;
  readonly research: SideSummary;
  readonly production: SideSummary;
  readonly rows: KeyedRowsSummary | KeylessRowsSummary | null;
  readonly schema: SchemaSummary;
  readonly columns: Readonly<Record<string, DataColumnSummary>>;
  /** --ignore-spaces / --ignore-case, present only when on. */
  readonly textNormalisation?: { readonly ignoreSpaces: boolean; readonly ignoreCase: boolean };
  /** --by-position: the synthetic key (row numbers in file order). */
  readonly byPosition?: { readonly key: string | null; readonly order: string };
  readonly drift?: DriftSummary;
  readonly engine?: EngineSummary;
}

/** Null, NaN, zero rates, infinities and range of one side of one column. */
export interface HandlingSide {
  readonly nullRate: number | null;
  readonly nanRate: number | null;
  readonly infCount: number | null;
  readonly zeroRate: number | null;
  readonly min: number | string | boolean | null;
  readonly max: number | string | boolean | null;
}

/** The `features` stage: the data summary plus the handling checks. */
export interface FeaturesSummary extends DataSummary {
  readonly handling: Readonly<Record<string, { readonly research: HandlingSide; readonly production: HandlingSide }>>;
  /** --time-col: the last event time at which each feature had a value, per side. */
  readonly lastPopulated?: Readonly<Record<string, { readonly research: number | string | boolean | null; readonly production: number | string | boolean | null }>>;
}

/** A check a snapshot cannot answer (it holds no rows), and why. */
export interface SkippedCheck {
  readonly check: string;
  readonly reason: string;
}

/** data or features against a research snapshot: what a fingerprint can be compared on. */
export interface SnapshotSummary extends SummaryBase {
  readonly mode: 'snapshot';
  readonly key: readonly string[] | null;
  readonly research: SideSummary;
  readonly production: SideSummary;
  readonly rows: { readonly research: number; readonly production: number };
  /** Same content hash; null when the fingerprints cannot be compared. */
  readonly contentEqual: boolean | null;
  readonly schema: SchemaSummary;
  readonly columns: Readonly<Record<string, DataColumnSummary>>;
  readonly drift: DriftSummary;
  readonly skipped: readonly SkippedCheck[];
}

// ---------------------------------------------------------------------------------------------
// splits

export interface ChiSquareSummary {
  readonly statistic: number | null;
  readonly pvalue: number;
  readonly dof: number;
}

/** Per-split counts, by split name. */
export type SplitCounts = Readonly<Record<string, number>>;

/** Ids (or raw rows) in more than one split, by combination of splits (`train + test`). */
export interface LeakageSide {
  readonly ids: number;
  readonly combinations: SplitCounts;
}

export interface RawDuplicatesSide {
  readonly duplicateGroups: number;
  readonly rows: number;
  readonly combinations: SplitCounts;
}

export interface SplitAgreement {
  readonly inBoth: number;
  readonly onlyResearch: number;
  readonly onlyProduction: number;
  readonly jaccard: number | null;
}

/** Research split (rows) → production split (columns); `(none)` for ids absent on a side. */
export interface TransitionsSummary {
  readonly research: readonly string[];
  readonly production: readonly string[];
  readonly counts: readonly (readonly number[])[];
}

export interface SplitsSummary extends SummaryBase {
  readonly columns: { readonly split: string; readonly label: string | null; readonly group: string | null };
  /** Columns the comparator chose itself (split, label, group), by role. */
  readonly inferred: Readonly<Record<string, string>>;
  readonly groupInference?: { readonly column: string; readonly groups: number; readonly expectedBrokenIfRowLevel: number | null };
  readonly splits?: readonly string[];
  readonly sizes?: { readonly research: SplitCounts; readonly production: SplitCounts };
  readonly proportions?: { readonly research: readonly number[]; readonly production: readonly number[]; readonly chiSquare: ChiSquareSummary; readonly maxShareDiff: number | null };
  readonly labels?:
    | { readonly note: string }
    | {
        readonly values: readonly string[];
        readonly bySplit: Readonly<Record<string, { readonly research: readonly number[]; readonly production: readonly number[]; readonly chiSquare: ChiSquareSummary }>>;
      };
  readonly keyConflicts?: Readonly<Record<string, { readonly keys: number; readonly rows: number; readonly byColumn: Readonly<Record<string, number>> }>>;
  readonly leakage?: Readonly<Record<string, LeakageSide>>;
  readonly rawDuplicates?: Readonly<Record<string, RawDuplicatesSide>>;
  readonly transitions?: TransitionsSummary;
  readonly agreement?: Readonly<Record<string, SplitAgreement>>;
  readonly ids?: { readonly shared: number; readonly moved: number; readonly onlyResearch: number; readonly onlyProduction: number };
  /** The orders (file order or a column) under which both sides give the same split sequence. */
  readonly orderMatch?: { readonly research: string; readonly production: string };
  readonly groupOrder?: {
    readonly groupsIntact: true;
    readonly sameGroupCounts: boolean;
    readonly orderMatch: boolean;
    readonly groupsPerSplit: { readonly research: SplitCounts; readonly production: SplitCounts };
  };
  readonly groups?: Readonly<Record<string, { readonly groups: number; readonly brokenGroups: number; readonly rows: number }>>;
  readonly mode: 'keyed' | 'proportions';
  readonly key: readonly string[] | null;
  /** Proportions mode: why membership was not compared. */
  readonly note?: string;
}

// ---------------------------------------------------------------------------------------------
// predictions

/** Per-side metrics against the ground truth. */
export interface SideMetrics {
  readonly rows: number;
  readonly accuracy?: number;
  readonly precision?: number;
  readonly recall?: number;
  readonly f1?: number;
  readonly rocAuc?: number | null;
  readonly rmse?: number;
  readonly mae?: number;
}

export interface MetricsSummary {
  readonly research: SideMetrics;
  readonly production: SideMetrics;
  /** production − research, per metric both sides have. */
  readonly difference: Readonly<Record<string, number | null>>;
}

/** The upstream conditions the explain engine checks. */
export type Condition = 'differs' | 'null' | 'nan' | 'unseen_category' | 'out_of_range' | 'missing_upstream';

/** One candidate cause and how often it holds on the differing and on the matching keys. */
export interface Explanation {
  /** The upstream relation's name (a stage or artifact, e.g. "features"). */
  readonly source: string;
  /** The upstream column (research name); null for `missing_upstream`, which concerns the whole row. */
  readonly column: string | null;
  readonly condition: Condition;
  /** Which side (`research` / `production`) for null, nan and missing_upstream; the research range for out_of_range. */
  readonly detail: string | null;
  readonly differingRows: number;
  readonly differingShare: number;
  readonly matchingRows: number;
  readonly matchingShare: number;
  /** differingShare − matchingShare: how much more often the condition holds where the downstream differs. */
  readonly lift: number;
}

/** Which upstream conditions go with the mismatched and the non-finite predictions (--features-research/-production). */
export interface AttributionSummary {
  readonly mismatched: readonly Explanation[];
  readonly nonFiniteProduction: readonly Explanation[];
  readonly nonFiniteResearch: readonly Explanation[];
}

/** A `--require` performance requirement checked against both environments' metrics. */
export interface RequirementResult {
  readonly metric: string;
  readonly requirement: string;
  readonly research: number | null;
  readonly production: number | null;
  readonly met: boolean;
  /** Sides below (or above) the requirement. */
  readonly failed: readonly ('research' | 'production')[];
  /** Sides where the metric could not be computed. */
  readonly missing: readonly ('research' | 'production')[];
}

export interface NonFiniteCounts {
  readonly null: number;
  readonly nan: number;
  readonly inf: number;
}

export interface MatchSummary {
  readonly differingRows: number;
  readonly rate: number | null;
  readonly scoreDiffering?: number;
  readonly noiseRows?: number;
  readonly largeRows?: number;
  readonly exactlyEqual?: number;
  readonly maxAbsDiff?: number | null;
  readonly meanAbsDiff?: number | null;
  readonly maxRelDiff?: number | null;
}

/** Histogram of production − research scores: `edges` has one more entry than `counts`. */
export interface DifferencesSummary {
  readonly edges: readonly number[];
  readonly counts: readonly number[];
}

export interface PredictionsSummary extends SummaryBase {
  readonly columns: { readonly score: string | null; readonly label: string | null; readonly truth: string | null };
  /** Columns the comparator chose itself (score, label, truth), by role. */
  readonly inferred: Readonly<Record<string, string>>;
  readonly task: 'classification' | 'regression';
  readonly threshold: number | null;
  readonly positiveClass: string | null;
  readonly tolerance: { readonly abs: number; readonly rel: number };
  readonly metrics?: MetricsSummary;
  readonly requirements?: readonly RequirementResult[];
  readonly mode: 'keyed' | 'distribution';
  readonly key: readonly string[] | null;
  /** Keyed: matched and unmatched rows. Distribution: each side's rows. */
  readonly rows?:
    | { readonly research: number; readonly production: number; readonly matched: number; readonly onlyResearch: number; readonly onlyProduction: number }
    | { readonly research: number; readonly production: number };
  readonly nonFinite?: {
    readonly research: NonFiniteCounts;
    readonly production: NonFiniteCounts;
    readonly newInProduction?: number;
    readonly newInResearch?: number;
    readonly both?: number;
  };
  readonly match?: MatchSummary;
  readonly differences?: DifferencesSummary;
  /** Sampled (research, production) score pairs, for the scatter plot. */
  readonly scoreSample?: readonly (readonly [number | null, number | null])[];
  readonly rank?: { readonly spearman: number | null; readonly topK: readonly { readonly k: number; readonly overlap: number | null }[] };
  /** Research label (rows) × production label (columns) on matched ids. */
  readonly labels?: { readonly values: readonly string[]; readonly counts: readonly (readonly number[])[] };
  readonly labelFlips?: number;
  readonly thresholdCrossings?: number;
  readonly attribution?: AttributionSummary;
  /** Distribution mode: why rows were not matched. */
  readonly note?: string;
  readonly distributions?: Readonly<Record<string, ColumnDistributionSummary>>;
}

// ---------------------------------------------------------------------------------------------
// env

export interface EnvSideSummary {
  readonly file: string;
  readonly format: string;
  readonly ecosystem: string;
  readonly packages: number;
  readonly interpreter: string | null;
  readonly platform: Readonly<Record<string, string>> | null;
}

export interface EnvSummary extends SummaryBase {
  readonly research: EnvSideSummary;
  readonly production: EnvSideSummary;
  readonly packagesCompared: number;
  readonly unchanged: number;
  readonly changed: number;
  /** Changed packages by the part of the version that moved. */
  readonly changes: { readonly major: number; readonly minor: number; readonly patch: number; readonly other: number };
  readonly onlyInResearch: number;
  readonly onlyInProduction: number;
  /** Packages left out of the comparison (conda build artefacts, …). */
  readonly notComparable: readonly string[];
  readonly numericalPackages: readonly string[];
}

// ---------------------------------------------------------------------------------------------

/** What each stage's entry may hold as its summary. */
export interface StageSummaries {
  readonly data: DataSummary | SnapshotSummary | SkippedSummary;
  readonly features: FeaturesSummary | SnapshotSummary | SkippedSummary;
  readonly splits: SplitsSummary | SkippedSummary;
  readonly predictions: PredictionsSummary | SkippedSummary;
  readonly env: EnvSummary | SkippedSummary;
}

/** The summary of a stage that was compared, or undefined for one `check` skipped (its summary names only the inputs). */
export function comparedSummary<S extends keyof StageSummaries>(summary: StageSummaries[S]): Exclude<StageSummaries[S], SkippedSummary> | undefined {
  return isSkipped(summary) ? undefined : (summary as Exclude<StageSummaries[S], SkippedSummary>);
}

function isSkipped(summary: object): summary is SkippedSummary {
  const keys = Object.keys(summary);
  return keys.length === 1 && keys[0] === 'inputs';
}
