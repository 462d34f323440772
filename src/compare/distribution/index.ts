import type { Engine } from '../../engine/engine.js';
import type { ColumnDistributionSummary } from '../../findings/summaries.js';
import { ident } from '../../engine/quote.js';
import { finding } from '../../findings/report.js';
import type { Finding, Stage } from '../../findings/types.js';
import { formatCount, formatNumber, formatPercent } from '../../text/format.js';
import type { Dataset } from '../../sources/register.js';
import { binEdges, binLevels, ranksFor } from '../../stats/index.js';
import type { ColumnPair } from '../data/columns.js';
import { isNumericKind, isTemporalKind } from '../shared/kinds.js';
import { normalises, valueSql } from '../shared/normalise.js';
import type { TextNormalisation } from '../shared/normalise.js';
import type { CategoryCounts, ColumnProfile } from '../data/profile.js';
import { approximateDistinct, distinctAbove } from '../shared/distinct.js';
import type { DistinctEstimate } from '../shared/distinct.js';
import type { ColumnInfo } from '../../sources/register.js';
import { toNumber } from '../shared/values.js';
import { binsSql, finiteValuesSql, mergedEcdfSql, rankValues, rawWeightedSql, researchMeanSql, sideOrderStats, sidesSql, totalsSql } from './sql.js';
import type { SideOrderStats, SideRanks } from './sql.js';
import { DRIFT_TEST_MODULES, DRIFT_TEST_NAMES, SMALL_SAMPLE, extraAggregate, runDriftTests, verdictWording } from './drift-tests/registry.js';
import type { ColumnTests, DriftAggregates, Moments } from './drift-tests/types.js';
import type { RankSums } from '../../stats/index.js';
import { extraAggregates } from './rank-sql.js';
import { valueEdges, widthEdges } from './bins.js';
import type { BinStrategy } from './bins.js';

export type { ColumnTests, DriftVerdict } from './drift-tests/types.js';
export { defaultTest } from './drift-tests/registry.js';

/** The selectable drift tests, by name (the registry in drift-tests/). */
export const DRIFT_TESTS = DRIFT_TEST_NAMES;
export type DriftTest = string;

/** Defaults as the leading drift tools pick them (documented in the README and docs/decisions.md). */
export const DRIFT_DEFAULTS = {
  /** Up to this many research rows a sample is "small": KS / chi-square p-values; above, effect sizes. */
  smallSample: SMALL_SAMPLE,
  /** Numeric columns with at most this many distinct values over both sides are treated as categorical. */
  categoricalMaxDistinct: 5,
  bins: 10,
  /** Share of drifted columns from which the whole dataset counts as drifted. */
  datasetShare: 0.5,
  thresholds: Object.fromEntries(DRIFT_TEST_MODULES.map((t) => [t.name, t.threshold])) as Record<DriftTest, number>,
  /** Categories kept per column before the rest is pooled as one "other" category. */
  categoryCap: 10000,
  histogramBins: 20,
} as const;

export interface DriftOptions {
  readonly tests?: Readonly<Record<string, DriftTest>>;
  readonly thresholds?: Readonly<Record<string, number>>;
  /** The test and threshold for every column without its own (--drift-test, --drift-threshold). */
  readonly test?: DriftTest;
  readonly threshold?: number;
  /** Where numeric columns' PSI bins have their edges (bins.ts); research's quantiles by default. */
  readonly binStrategy?: BinStrategy;
  /** The fraction an empty bin or category takes in PSI and KL (default PSI_FLOOR, 1e-4). */
  readonly psiFloor?: number;
  readonly bins?: number;
  /** Columns forced categorical or numeric. */
  readonly kinds?: Readonly<Record<string, 'categorical' | 'numeric'>>;
  readonly datasetShare?: number;
  readonly onProgress?: (message: string) => void;
  /**
   * Research's distinct and non-null counts per column when a profile has them: columns with more distinct
   * values than the category cap are identifiers or free text, and need no frequency count (a hash table
   * of millions of strings per side).
   */
  readonly researchCounts?: Readonly<Record<string, ProfileCounts>>;
  /** Production's counts, by research column name, when a profile has them (see VALUE_COUNTS_SHARE). */
  readonly productionCounts?: Readonly<Record<string, ProfileCounts>>;
  /**
   * Columns (by research name) whose profiles left their order statistics to this sort: the merged sort also
   * reads each side's distinct count and values at these ranks, and hands them to onSideOrderStats.
   */
  readonly sideRanks?: ReadonlyMap<string, SideRanks>;
  readonly onSideOrderStats?: (column: string, stats: SideOrderStats) => void;
  /** --ignore-spaces / --ignore-case: text categories are counted as compared ("Paris " and "PARIS" are "paris"). */
  readonly normalise?: TextNormalisation;
}

/**
 * Exact value counts of columns in one scan, the most frequent `cap` per column (src/compare/data/profile.ts's
 * categoryCounts). The caller passes it in: the profiles are the data comparator's, which runs these tests.
 */
export type CountCategories = (engine: Engine, relation: string, columns: readonly ColumnInfo[], cap: number) => Promise<Map<string, CategoryCounts>>;

/** What a run of the drift tests needs besides the options: how to count categories. */
export interface DistributionRun extends DriftOptions {
  readonly countCategories: CountCategories;
}

/** What a side's profile already knows about a column. */
export interface ProfileCounts {
  readonly distinct: number;
  /** Present when `distinct` is an estimate (read through distinctAbove, never compared as a count). */
  readonly distinctEstimate?: DistinctEstimate;
  readonly count: number;
  /** Numbers only: finite values, and their min and max as DOUBLE (the drift tests' totals, without a pass). */
  readonly finite?: { readonly n: number; readonly min: number | null; readonly max: number | null; readonly sum?: number; readonly absSum?: number };
}

/** A column profile's counts as the drift tests take them. */
export function profileCounts(c: ColumnProfile, epoch?: ProfileCounts['finite']): ProfileCounts {
  // Temporal columns are tested as epoch seconds: their totals come with the profile only when asked for (epochTotals).
  if (!isNumericKind(c.kind)) return { distinct: c.distinct, ...(c.distinctEstimate ? { distinctEstimate: c.distinctEstimate } : {}), count: c.count, ...(epoch ? { finite: epoch } : {}) };
  const n = c.count - (c.nan ?? 0) - (c.posInf ?? 0) - (c.negInf ?? 0);
  const sums = typeof c.exactSum === 'number' && typeof c.absSum === 'number' ? { sum: c.exactSum, absSum: c.absSum } : {};
  return {
    distinct: c.distinct,
    ...(c.distinctEstimate ? { distinctEstimate: c.distinctEstimate } : {}),
    count: c.count,
    finite: { n, min: c.min as number | null, max: c.max as number | null, ...sums },
  };
}

/**
 * A numeric column whose two sides hold at most this share of distinct values per row (counts, ratings,
 * buckets, rounded amounts) is tested from its value counts: one hash aggregate, then the sort and passes
 * run over a few thousand (value, count) rows instead of every row. Same figures: the counts path is the one
 * snapshots use, tested against scipy like the raw one.
 */
export const VALUE_COUNTS_SHARE = 0.1;

export interface ColumnDistribution {
  readonly column: string;
  readonly type: 'numeric' | 'categorical';
  readonly researchCount: number;
  readonly productionCount: number;
  readonly tests: ColumnTests;
  readonly histogram?: { edges: number[]; research: number[]; production: number[] };
  readonly categories?: { values: string[]; research: number[]; production: number[] };
  readonly unseen: readonly { value: string; count: number }[];
  readonly gone: readonly { value: string; count: number }[];
}

export interface DistributionComparison {
  readonly columns: readonly ColumnDistribution[];
  readonly drifted: readonly string[];
  readonly datasetDrift: { share: number; threshold: number; drifted: boolean; columns: number };
}

/** Distribution tests for every comparable column pair: per numeric column one sort of both sides' values (mergedNumeric). */
export async function compareDistributions(engine: Engine, research: Dataset, production: Dataset, pairs: readonly ColumnPair[], options: DistributionRun): Promise<DistributionComparison> {
  const candidates = pairs.filter((p) => p.compatibility !== 'breaking' && (isNumericKind(p.kind) || isTemporalKind(p.kind) || p.kind === 'string' || p.kind === 'boolean'));
  const numeric = candidates.filter((p) => (isNumericKind(p.kind) || isTemporalKind(p.kind)) && options.kinds?.[p.name] !== 'categorical');
  const categorical = candidates.filter((p) => !numeric.includes(p));
  const columns: ColumnDistribution[] = [];
  const lowCardinality: ColumnPair[] = [];
  for (const p of numeric) {
    options.onProgress?.(`distribution of ${p.name}`);
    const result = await numericColumn(engine, research, production, p, options);
    if (result === 'categorical') lowCardinality.push(p);
    else if (result) columns.push(result);
  }
  columns.push(...(await categoricalColumns(engine, research, production, [...categorical, ...lowCardinality], options)));
  return summariseDrift(columns, options);
}

/** The columns in name order, the drifted ones, and the dataset verdict: drift when their share reaches the threshold. */
export function summariseDrift(columns: ColumnDistribution[], options: DriftOptions): DistributionComparison {
  columns.sort((a, b) => (a.column < b.column ? -1 : a.column > b.column ? 1 : 0));
  const tested = columns.filter((c) => c.tests.drift);
  const drifted = tested.filter((c) => c.tests.drift!.drifted).map((c) => c.column);
  const threshold = options.datasetShare ?? DRIFT_DEFAULTS.datasetShare;
  const share = tested.length ? drifted.length / tested.length : 0;
  return { columns, drifted, datasetDrift: { share, threshold, drifted: tested.length > 0 && share >= threshold, columns: tested.length } };
}

async function numericColumn(engine: Engine, research: Dataset, production: Dataset, p: ColumnPair, options: DriftOptions): Promise<ColumnDistribution | 'categorical' | null> {
  const temporal = isTemporalKind(p.kind);
  const sides = sidesSql(rawWeightedSql(finiteValuesSql(research.relation, p.name, temporal)), rawWeightedSql(finiteValuesSql(production.relation, p.productionName, temporal)));
  const settings = { bins: options.bins ?? DRIFT_DEFAULTS.bins, forceNumeric: options.kinds?.[p.name] === 'numeric', strategy: options.binStrategy };
  const ranks = options.sideRanks?.get(p.name);
  const side = ranks ? { ranks, found: (stats: SideOrderStats) => options.onSideOrderStats?.(p.name, stats) } : undefined;
  const center = researchCenter(p, options);
  if (!fewValues(p, options)) {
    const m = await mergedNumeric(engine, sides, { ...settings, weighted: false, totals: knownTotals(p, options), side, center });
    return numericResult(p, m, options, await driftExtras(engine, p, m, sides, false, options));
  }
  const table = ident(`rd_value_counts_${++valueCountsCounter}`);
  await engine.run(`CREATE TEMP TABLE ${table} AS SELECT v, s, sum(n) AS n FROM (${sides}) GROUP BY v, s`);
  try {
    // One row per (value, side): what the side figures read from value counts need (weightedSideAggregates).
    const relation = `SELECT v, s, n FROM ${table}`;
    const m = await mergedNumeric(engine, relation, { ...settings, weighted: true, side, center });
    return numericResult(p, m, options, await driftExtras(engine, p, m, relation, true, options));
  } finally {
    await engine.run(`DROP TABLE ${table}`);
  }
}

let valueCountsCounter = 0;

/** The rank sums or moments the column's chosen test needs beyond the merged sort (drift-tests/registry.ts). */
async function driftExtras(engine: Engine, p: ColumnPair, m: MergedNumeric | 'categorical', sides: string, weighted: boolean, options: DriftOptions): Promise<NumericExtras> {
  if (m === 'categorical' || !m.d) return {};
  return extraAggregates(engine, extraAggregate(p.name, options), sides, { n1: m.n1, n2: m.n2, lo: m.d.lo, hi: m.d.hi }, weighted);
}

/** Aggregates beyond the merged sort and the bins, computed only for a test that needs them. */
export interface NumericExtras {
  readonly ranks?: RankSums;
  readonly moments?: Moments;
}

/** Sizes and range of the finite values from both profiles, when both have them. */
function knownTotals(p: ColumnPair, options: DriftOptions): Totals | undefined {
  const a = options.researchCounts?.[p.name]?.finite;
  const b = options.productionCounts?.[p.name]?.finite;
  if (!a || !b) return undefined;
  const ends = (pick: (x: number, y: number) => number, x: number | null, y: number | null) => (x === null ? y : y === null ? x : pick(x, y));
  return { n1: a.n, n2: b.n, lo: ends(Math.min, a.min, b.min), hi: ends(Math.max, a.max, b.max) };
}

/** Research's mean and mean magnitude of its finite values, when its profile has them (mergedNumeric's centre). */
function researchCenter(p: ColumnPair, options: DriftOptions): Center | undefined {
  const a = options.researchCounts?.[p.name]?.finite;
  if (!a || a.sum === undefined || a.absSum === undefined || a.n <= 0) return undefined;
  const center = { mean: a.sum / a.n, meanAbs: a.absSum / a.n };
  return Number.isFinite(center.mean) && Number.isFinite(center.meanAbs) ? center : undefined;
}

/** Sizes of the two sides' finite values and their range over both (totalsSql's row). */
interface Totals {
  readonly n1: number;
  readonly n2: number;
  readonly lo: number | null;
  readonly hi: number | null;
}

/** Whether both profiles show few enough distinct values for the value-counts path (VALUE_COUNTS_SHARE). */
function fewValues(p: ColumnPair, options: DriftOptions): boolean {
  const a = options.researchCounts?.[p.name];
  const b = options.productionCounts?.[p.name];
  return !!a && !!b && !approximateDistinct(a, b) && a.distinct + b.distinct <= VALUE_COUNTS_SHARE * (a.count + b.count);
}

function numericResult(p: ColumnPair, m: MergedNumeric | 'categorical', options: DriftOptions, extras: NumericExtras): ColumnDistribution | 'categorical' {
  if (m === 'categorical') return m;
  if (!m.d) return emptySide(p, m.n1, m.n2);
  const tests = numericTests(p.name, m.n1, m.n2, { ...m.d, ...extras }, options);
  return { column: p.name, type: 'numeric', researchCount: m.n1, productionCount: m.n2, tests, histogram: m.d.histogram, unseen: [], gone: [] };
}

/**
 * The standing tests of a numeric column (KS, Wasserstein raw and normalised by research's population std,
 * floored at 0.001, PSI and Jensen–Shannon over the PSI bins), its chosen test, and its drift verdict, from its
 * aggregates (drift-tests/registry.ts).
 */
export function numericTests(
  column: string,
  n1: number,
  n2: number,
  s: { readonly d: number; readonly w: number; readonly stdA: number; readonly a: readonly number[]; readonly b: readonly number[] } & NumericExtras,
  options: DriftOptions,
): ColumnTests {
  const g: DriftAggregates = { type: 'numeric', n1, n2, counts: { a: s.a, b: s.b }, ecdf: { d: s.d, w: s.w, stdA: s.stdA }, ranks: s.ranks, moments: s.moments };
  return runDriftTests(column, g, options);
}

function emptySide(p: ColumnPair, n1: number, n2: number): ColumnDistribution {
  return { column: p.name, type: 'numeric', researchCount: n1, productionCount: n2, tests: {}, unseen: [], gone: [] };
}

/** What the merged ECDF of one numeric column gives; `d` is absent when a side has no finite value. */
export interface MergedNumeric {
  readonly n1: number;
  readonly n2: number;
  readonly d?: {
    readonly d: number;
    readonly w: number;
    /** Research's population standard deviation (ddof 0). */
    readonly stdA: number;
    readonly lo: number;
    readonly hi: number;
    /** PSI bin edges (research's quantiles, or the stored ones) and the per-side counts in those bins. */
    readonly edges: readonly number[];
    readonly a: number[];
    readonly b: number[];
    readonly histogram: { edges: number[]; research: number[]; production: number[] };
  };
}

/**
 * The numeric tests' aggregates over a (v, s, n) relation of both sides: a totals pass, one sort for KS,
 * Wasserstein, distinct values and research's deciles, and a bins pass (PSI/JS bins, chart, variance).
 * `edges`: fixed PSI edges (a snapshot's) instead of research's quantiles. 'categorical' when the two
 * sides hold at most DRIFT_DEFAULTS.categoricalMaxDistinct distinct values and the column is not forced numeric.
 */
export async function mergedNumeric(
  engine: Engine,
  sides: string,
  /**
   * `totals`: sizes and range when the profiles already have them (saves a pass). `side`: also read each side's
   * distinct count and values at these ranks, for the profiles; weighted rows must then be one per (value,
   * side). `center`: research's mean as its profile has it, to take research's variance in the sort's pass.
   */
  options: {
    weighted: boolean;
    bins: number;
    edges?: readonly number[];
    forceNumeric?: boolean;
    totals?: Totals;
    side?: { ranks: SideRanks; found: (stats: SideOrderStats) => void };
    center?: Center;
    strategy?: BinStrategy;
  },
): Promise<MergedNumeric | 'categorical'> {
  const t = options.totals ?? (await engine.one(totalsSql(sides)));
  const n1 = toNumber(t.n1) ?? 0;
  const n2 = toNumber(t.n2) ?? 0;
  if (n1 === 0 || n2 === 0) return { n1, n2 };
  const wanted = options.edges || options.strategy === 'width' ? [] : ranksFor(n1, binLevels(options.bins));
  const lo = toNumber(t.lo) ?? 0;
  const hi = toNumber(t.hi) ?? 0;
  // Sums are taken in units of the range (exactSum); a single value has none.
  const range = hi > lo ? hi - lo : 1;
  const center = options.center && options.center.mean >= lo && options.center.mean <= hi ? options.center : undefined;
  const e = await engine.one(mergedEcdfSql(sides, n1, n2, lo, range, wanted, options.weighted, options.side?.ranks, center?.mean));
  if (options.side) options.side.found(sideOrderStats(e, options.side.ranks));
  if (!options.forceNumeric && (toNumber(e.distinct_values) ?? 0) <= DRIFT_DEFAULTS.categoricalMaxDistinct) return 'categorical';
  // Research's linear quantiles, read off the running research counts.
  const at = rankValues(e, wanted);
  const strategy = options.edges ? undefined : options.strategy;
  const edges =
    options.edges ??
    (strategy === 'width' ? widthEdges(lo, hi, options.bins) : strategy === 'values' ? await valueEdges(engine, sides, toNumber(e.distinct_values) ?? 0) : undefined) ??
    binEdges((r) => toNumber(at.get(r))!, n1, options.bins);
  const centred = center ? centredVariance(toNumber(e.ss_center_scaled) ?? 0, center, n1, range) : undefined;
  // Without a usable centre, the bins pass sums research's squares about its exact mean: summed by the sort's
  // pass when it had no centre, else by one more pass.
  const meanRow = centred !== undefined ? undefined : center ? await engine.one(researchMeanSql(sides, lo, range, options.weighted)) : e;
  const mean = meanRow && lo + (range * (toNumber(meanRow.sum_a_scaled) ?? 0)) / n1;
  const chartBins = hi > lo ? DRIFT_DEFAULTS.histogramBins : 1;
  const a = new Array<number>(edges.length + 1).fill(0);
  const b = new Array<number>(edges.length + 1).fill(0);
  const histogram = {
    edges: Array.from({ length: chartBins + 1 }, (_v, i) => (chartBins === 1 && i === 1 ? hi : lo + ((hi - lo) * i) / chartBins)),
    research: new Array<number>(chartBins).fill(0),
    production: new Array<number>(chartBins).fill(0),
  };
  let ss = 0;
  for (const r of await engine.all(binsSql(sides, edges, lo, hi, chartBins, mean, range, options.weighted))) {
    const n = toNumber(r.n) ?? 0;
    const research = Number(r.s) === 0;
    (research ? a : b)[Number(r.bin)]! += n;
    (research ? histogram.research : histogram.production)[Number(r.chart)]! += n;
    if (research && mean !== undefined) ss += (toNumber(r.ss_scaled) ?? 0) * range * range;
  }
  const variance = centred ?? ss / n1;
  const d = { d: toNumber(e.d) ?? 0, w: (toNumber(e.w_scaled) ?? 0) * range, stdA: Math.sqrt(Math.max(0, variance)), lo, hi, edges, a, b, histogram };
  return { n1, n2, d };
}

/** Research's mean as its profile computed it (a compensated sum over the count), and its mean magnitude. */
export interface Center {
  readonly mean: number;
  readonly meanAbs: number;
}

/**
 * Research's population variance from Σ ((v − c)/range)² about the profile's mean c, which differs from the
 * exact mean m by at most ~1e-15 of the mean magnitude. The sum is exact, and about c it equals the variance
 * plus (m − c)²: used only when that excess is below 1e-13 of the variance (a mean up to ~10^8 standard
 * deviations from 0); otherwise undefined, and the variance is taken about the exact mean (one more pass).
 */
export function centredVariance(ssScaled: number, center: Center, n1: number, range: number): number | undefined {
  const aboutCenter = (ssScaled * range * range) / n1;
  const excess = (1e-15 * Math.max(center.meanAbs, Math.abs(center.mean))) ** 2;
  return aboutCenter > 0 && excess <= 1e-13 * aboutCenter ? aboutCenter : undefined;
}

async function categoricalColumns(engine: Engine, research: Dataset, production: Dataset, pairs: readonly ColumnPair[], options: DistributionRun): Promise<ColumnDistribution[]> {
  if (pairs.length === 0) return [];
  options.onProgress?.('category frequencies');
  const cap = DRIFT_DEFAULTS.categoryCap;
  const known = (p: ColumnPair) => (options.kinds?.[p.name] === 'categorical' ? undefined : options.researchCounts?.[p.name]);
  const tooMany = new Set(
    pairs
      .filter((p) => {
        const k = known(p);
        return !!k && distinctAbove(k, cap);
      })
      .map((p) => p.name),
  );
  const counted = pairs.filter((p) => !tooMany.has(p.name));
  // Under --ignore-spaces/--ignore-case each side's counted columns are read as compared, through a subquery.
  const side = (relation: string, names: readonly string[]) =>
    normalises(options.normalise) ? `(SELECT ${counted.map((p, i) => `${valueSql(ident(names[i]!), p, options.normalise)} AS ${ident(names[i]!)}`).join(', ')} FROM ${relation})` : relation;
  const ca = await options.countCategories(
    engine,
    side(
      research.relation,
      counted.map((p) => p.name),
    ),
    counted.map((p) => ({ name: p.name, type: p.research.type })),
    cap,
  );
  const cb = await options.countCategories(
    engine,
    side(
      production.relation,
      counted.map((p) => p.productionName),
    ),
    counted.map((p) => ({ name: p.productionName, type: p.production.type })),
    cap,
  );
  return pairs.map((p) => {
    if (tooMany.has(p.name)) return textColumn(p, known(p)!.count);
    const a = ca.get(p.name);
    const b = cb.get(p.productionName);
    if (isIdentifierLike(a, options.kinds?.[p.name])) return textColumn(p, a?.values.reduce((x, y) => x + y.count, 0) ?? 0);
    return categoricalColumn(p, a?.values ?? [], b?.values ?? [], options);
  });
}

/**
 * Free text and identifiers (most values distinct) are not categories: frequency tests on them only say
 * that two samples hold different ids. Forcing the column categorical (kinds) overrides this.
 */
function isIdentifierLike(a: { values: readonly { count: number }[]; distinct: number } | undefined, forced: string | undefined): boolean {
  if (!a || forced === 'categorical') return false;
  return identifierLikeCounts(
    a.distinct,
    a.values.reduce((x, y) => x + y.count, 0),
  );
}

/** The rule behind isIdentifierLike, from a column's distinct and non-null counts (snapshots decide with it what to store). */
export function identifierLikeCounts(distinct: number, total: number): boolean {
  return distinct > DRIFT_DEFAULTS.categoricalMaxDistinct && (distinct > 0.5 * total || distinct > DRIFT_DEFAULTS.categoryCap);
}

function textColumn(p: ColumnPair, researchCount: number): ColumnDistribution {
  return { column: p.name, type: 'categorical', researchCount, productionCount: 0, tests: {}, unseen: [], gone: [] };
}

/**
 * Category-frequency tests of one column. `unseen` / `gone` may be turned off when the lists are capped
 * (a snapshot), and `other` names a pooled "everything else" category that is never reported as gone.
 */
export function categoricalColumn(
  p: ColumnPair,
  a: readonly { value: string; count: number }[],
  b: readonly { value: string; count: number }[],
  options: DriftOptions,
  lists: { unseen?: boolean; gone?: boolean; other?: string } = {},
): ColumnDistribution {
  const ma = new Map(a.map((x) => [x.value, x.count]));
  const mb = new Map(b.map((x) => [x.value, x.count]));
  const values = [...new Set([...ma.keys(), ...mb.keys()])].sort();
  const ra = values.map((v) => ma.get(v) ?? 0);
  const rb = values.map((v) => mb.get(v) ?? 0);
  const n1 = ra.reduce((x, y) => x + y, 0);
  const n2 = rb.reduce((x, y) => x + y, 0);
  const unseen = lists.unseen === false ? [] : b.filter((x) => !ma.has(x.value));
  const gone = lists.gone === false ? [] : a.filter((x) => x.value !== lists.other && !mb.has(x.value));
  if (n1 === 0 || n2 === 0) return { column: p.name, type: 'categorical', researchCount: n1, productionCount: n2, tests: {}, unseen, gone };
  const tests = runDriftTests(p.name, { type: 'categorical', n1, n2, counts: { a: ra, b: rb } }, options);
  const shown = values.map((v) => (v === lists.other ? '(other)' : v));
  return { column: p.name, type: 'categorical', researchCount: n1, productionCount: n2, tests, categories: { values: shown, research: ra, production: rb }, unseen, gone };
}

/** Findings from the distribution tests: drifted columns (ranked by effect), unseen and vanished categories, dataset drift. */
export function distributionFindings(stage: Stage, dist: DistributionComparison): Finding[] {
  const out: Finding[] = [];
  for (const c of dist.columns) {
    const v = c.tests.drift;
    if (v?.drifted) {
      out.push(
        finding({
          stage,
          severity: 'warning',
          cause: 'distribution_drift',
          columns: [c.column],
          rowsAffected: null,
          message: `${c.column}: ${verdictWording(v.test).label} ${formatNumber(v.value)} ${verdictWording(v.test).operator} ${formatNumber(v.threshold)}: distribution drifted`,
          evidence: {
            test: v.test,
            value: v.value,
            threshold: v.threshold,
            researchCount: c.researchCount,
            productionCount: c.productionCount,
            psi: c.tests.psi ?? null,
            jensenShannon: c.tests.jensenShannon ?? null,
          },
        }),
      );
    }
    if (c.unseen.length) out.push(unseenCategoryFinding(stage, c.column, c.unseen, c.unseen.length, c.productionCount));
    if (c.gone.length) {
      const goneRows = c.gone.reduce((x, y) => x + y.count, 0);
      out.push(
        finding({
          stage,
          severity: 'warning',
          cause: 'category_gone',
          columns: [c.column],
          rowsAffected: goneRows,
          message: `${c.column}: ${formatCount(c.gone.length)} research categor${c.gone.length === 1 ? 'y is' : 'ies are'} absent from production (${preview(c.gone)}; ${formatCount(goneRows)} research rows)`,
          evidence: { categories: c.gone.slice(0, 20).map((x) => ({ value: x.value, count: x.count })), rows: goneRows },
        }),
      );
    }
  }
  if (dist.datasetDrift.drifted) {
    const ranked = dist.columns
      .filter((c) => c.tests.drift?.drifted)
      .sort((a, b) => effect(b) - effect(a))
      .map((c) => c.column);
    out.push(
      finding({
        stage,
        severity: 'warning',
        cause: 'distribution_drift',
        columns: ranked,
        rowsAffected: null,
        message: `dataset drift: ${ranked.length} of ${dist.datasetDrift.columns} columns drifted (${formatPercent(dist.datasetDrift.share)} ≥ ${formatPercent(dist.datasetDrift.threshold)}), most: ${ranked.slice(0, 5).join(', ')}`,
        evidence: { share: dist.datasetDrift.share, threshold: dist.datasetDrift.threshold, drifted: ranked },
      }),
    );
  }
  return out;
}

/**
 * Categories of production never seen in research: `unseen_category` in features (a model meets values it was
 * not trained on), `new_category` in the data stage. `unseen` may be the first of `distinct` such values.
 */
export function unseenCategoryFinding(
  stage: Stage,
  column: string,
  unseen: readonly { value: string; count: number }[],
  distinct: number,
  productionCount: number,
  rows = unseen.reduce((x, y) => x + y.count, 0),
): Finding {
  return finding({
    stage,
    severity: 'warning',
    cause: stage === 'features' ? 'unseen_category' : 'new_category',
    columns: [column],
    rowsAffected: rows,
    message: `${column}: ${formatCount(distinct)} categor${distinct === 1 ? 'y' : 'ies'} never seen in research (${preview(unseen)}) on ${formatCount(rows)} production rows (${formatPercent(rows / Math.max(1, productionCount))})`,
    evidence: { categories: unseen.slice(0, 20).map((x) => ({ value: x.value, count: x.count })), rows },
  });
}

/** Effect size used to rank drifted columns: Jensen–Shannon distance, comparable across column types. */
function effect(c: ColumnDistribution): number {
  return c.tests.jensenShannon ?? 0;
}

function preview(values: readonly { value: string }[]): string {
  const shown = values.slice(0, 3).map((v) => JSON.stringify(v.value));
  return shown.join(', ') + (values.length > 3 ? ', …' : '');
}

/** The per-column part of the summary: tests, histogram and categories under summary.columns.<name>. */
export function distributionSummary(dist: DistributionComparison): Record<string, ColumnDistributionSummary> {
  const out: Record<string, ColumnDistributionSummary> = {};
  for (const c of dist.columns) {
    out[c.column] = {
      tests: c.tests,
      ...(c.histogram ? { histogram: c.histogram } : {}),
      ...(c.categories ? { categories: capCategories(c.categories, 50) } : {}),
    };
  }
  return out;
}

/** Keeps the most frequent categories for the report (the tests used them all). */
function capCategories(c: NonNullable<ColumnDistribution['categories']>, cap: number): NonNullable<ColumnDistribution['categories']> {
  if (c.values.length <= cap) return c;
  const order = c.values
    .map((_v, i) => i)
    .sort((i, j) => c.research[j]! + c.production[j]! - (c.research[i]! + c.production[i]!) || (c.values[i]! < c.values[j]! ? -1 : 1))
    .slice(0, cap);
  order.sort((i, j) => (c.values[i]! < c.values[j]! ? -1 : 1));
  return { values: order.map((i) => c.values[i]!), research: order.map((i) => c.research[i]!), production: order.map((i) => c.production[i]!) };
}
