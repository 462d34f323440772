import type { Engine } from '../../engine/engine.js';
import { ident } from '../../engine/quote.js';
import { finding } from '../../findings/report.js';
import type { Finding, Stage } from '../../findings/types.js';
import { formatCount, formatNumber, formatPercent } from '../../report/format.js';
import type { Dataset } from '../../sources/register.js';
import { chiSquareHomogeneity, jensenShannon, ksPValue, linfDistance, psi } from '../../stats/index.js';
import type { ColumnPair } from '../data/columns.js';
import { isNumericKind, isTemporalKind } from '../data/columns.js';
import { categoryCounts } from '../data/profile.js';
import { stableFloat, toNumber } from '../data/values.js';
import { binCountsSql, ecdfQuantilesSql, ecdfStatsSql, ecdfTableSql, finiteValuesSql, histogramSql } from './sql.js';

export const DRIFT_TESTS = ['ks', 'wasserstein', 'psi', 'jensenshannon', 'chisquare'] as const;
export type DriftTest = (typeof DRIFT_TESTS)[number];

/** Defaults as the leading drift tools pick them (documented in the README and docs/decisions.md). */
export const DRIFT_DEFAULTS = {
  /** Up to this many research rows a sample is "small": KS / chi-square p-values; above, effect sizes. */
  smallSample: 1000,
  /** Numeric columns with at most this many distinct values over both sides are treated as categorical. */
  categoricalMaxDistinct: 5,
  bins: 10,
  /** Share of drifted columns from which the whole dataset counts as drifted. */
  datasetShare: 0.5,
  thresholds: { ks: 0.05, chisquare: 0.05, wasserstein: 0.1, jensenshannon: 0.1, psi: 0.1 } as Record<DriftTest, number>,
  /** Categories kept per column before the rest is pooled as one "other" category. */
  categoryCap: 10000,
  histogramBins: 20,
} as const;

export interface DriftOptions {
  readonly tests?: Readonly<Record<string, DriftTest>>;
  readonly thresholds?: Readonly<Record<string, number>>;
  readonly bins?: number;
  /** Columns forced categorical or numeric. */
  readonly kinds?: Readonly<Record<string, 'categorical' | 'numeric'>>;
  readonly datasetShare?: number;
  readonly onProgress?: (message: string) => void;
}

export interface DriftVerdict {
  readonly test: DriftTest;
  readonly value: number;
  readonly threshold: number;
  readonly drifted: boolean;
}

/** Every test value of one column, as stages[].summary.columns.<name>.tests. */
export interface ColumnTests {
  ks?: { statistic: number; pvalue: number };
  wasserstein?: number;
  wassersteinNormed?: number;
  psi?: number;
  jensenShannon?: number;
  chiSquare?: { statistic: number; pvalue: number; dof: number };
  linf?: number;
  drift?: DriftVerdict;
}

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

let tableCounter = 0;

/** Distribution tests for every comparable column pair; one temp ECDF table per numeric column, dropped after use. */
export async function compareDistributions(
  engine: Engine,
  research: Dataset,
  production: Dataset,
  pairs: readonly ColumnPair[],
  options: DriftOptions = {},
): Promise<DistributionComparison> {
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
  columns.sort((a, b) => (a.column < b.column ? -1 : a.column > b.column ? 1 : 0));
  const tested = columns.filter((c) => c.tests.drift);
  const drifted = tested.filter((c) => c.tests.drift!.drifted).map((c) => c.column);
  const threshold = options.datasetShare ?? DRIFT_DEFAULTS.datasetShare;
  const share = tested.length ? drifted.length / tested.length : 0;
  return { columns, drifted, datasetDrift: { share, threshold, drifted: tested.length > 0 && share >= threshold, columns: tested.length } };
}

async function numericColumn(engine: Engine, research: Dataset, production: Dataset, p: ColumnPair, options: DriftOptions): Promise<ColumnDistribution | 'categorical' | null> {
  const table = ident(`rd_ecdf_${++tableCounter}`);
  const temporal = isTemporalKind(p.kind);
  await engine.run(ecdfTableSql(table, finiteValuesSql(research.relation, p.name, temporal), finiteValuesSql(production.relation, p.productionName, temporal)));
  try {
    const s = await engine.one(ecdfStatsSql(table));
    const n1 = toNumber(s.n1) ?? 0;
    const n2 = toNumber(s.n2) ?? 0;
    const distinct = toNumber(s.distinct_values) ?? 0;
    if (n1 === 0 || n2 === 0) return emptySide(p, n1, n2);
    if (options.kinds?.[p.name] !== 'numeric' && distinct <= DRIFT_DEFAULTS.categoricalMaxDistinct) return 'categorical';
    const d = toNumber(s.d) ?? 0;
    const w = toNumber(s.w) ?? 0;
    const stdA = Math.sqrt(Math.max(0, toNumber(s.var_a) ?? 0));
    const tests: ColumnTests = {
      ks: { statistic: d, pvalue: ksPValue(d, n1, n2) },
      wasserstein: stableFloat(w)!,
      wassersteinNormed: stableFloat(w / Math.max(stdA, 0.001))!,
    };
    const edges = await decileEdges(engine, table, n1, options.bins ?? DRIFT_DEFAULTS.bins);
    const counts = await engine.one(binCountsSql(table, edges));
    const a = edges.concat([0]).map((_e, i) => toNumber(counts[`a${i}`]) ?? 0);
    const b = edges.concat([0]).map((_e, i) => toNumber(counts[`b${i}`]) ?? 0);
    tests.psi = stableFloat(psi(a, b))!;
    tests.jensenShannon = stableFloat(jensenShannon(a, b))!;
    const histogram = await equalWidthHistogram(engine, table, toNumber(s.lo) ?? 0, toNumber(s.hi) ?? 0);
    tests.drift = verdict(p.name, 'numeric', n1, tests, options);
    return { column: p.name, type: 'numeric', researchCount: n1, productionCount: n2, tests, histogram, unseen: [], gone: [] };
  } finally {
    await engine.run(`DROP TABLE IF EXISTS ${table}`);
  }
}

function emptySide(p: ColumnPair, n1: number, n2: number): ColumnDistribution {
  return { column: p.name, type: 'numeric', researchCount: n1, productionCount: n2, tests: {}, unseen: [], gone: [] };
}

/** PSI bin edges: research's quantiles 0.1…0.9 (for 10 bins), linear interpolation, duplicates removed. */
async function decileEdges(engine: Engine, table: string, n: number, bins: number): Promise<number[]> {
  const levels = Array.from({ length: bins - 1 }, (_v, i) => (i + 1) / bins);
  const row = await engine.one(ecdfQuantilesSql(table, n, levels));
  const edges = levels.map((q, i) => {
    const lo = toNumber(row[`lo${i}`])!;
    const hi = toNumber(row[`hi${i}`])!;
    const h = (n - 1) * q;
    return lo + (h - Math.floor(h)) * (hi - lo);
  });
  return [...new Set(edges)].sort((x, y) => x - y);
}

async function equalWidthHistogram(engine: Engine, table: string, lo: number, hi: number): Promise<ColumnDistribution['histogram']> {
  const bins = hi > lo ? DRIFT_DEFAULTS.histogramBins : 1;
  const rows = await engine.all(histogramSql(table, lo, hi, bins));
  const research = new Array<number>(bins).fill(0);
  const production = new Array<number>(bins).fill(0);
  for (const r of rows) {
    const i = toNumber(r.bin) ?? 0;
    research[i] = toNumber(r.a) ?? 0;
    production[i] = toNumber(r.b) ?? 0;
  }
  const edges = Array.from({ length: bins + 1 }, (_v, i) => (bins === 1 && i === 1 ? hi : lo + ((hi - lo) * i) / bins));
  return { edges, research, production };
}

async function categoricalColumns(engine: Engine, research: Dataset, production: Dataset, pairs: readonly ColumnPair[], options: DriftOptions): Promise<ColumnDistribution[]> {
  if (pairs.length === 0) return [];
  options.onProgress?.('category frequencies');
  const cap = DRIFT_DEFAULTS.categoryCap;
  const ca = await categoryCounts(engine, research.relation, pairs.map((p) => ({ name: p.name, type: p.research.type })), cap);
  const cb = await categoryCounts(engine, production.relation, pairs.map((p) => ({ name: p.productionName, type: p.production.type })), cap);
  return pairs.map((p) => {
    const a = ca.get(p.name);
    const b = cb.get(p.productionName);
    if (isIdentifierLike(a, options.kinds?.[p.name])) return textColumn(p, a);
    return categoricalColumn(p, a?.values ?? [], b?.values ?? [], options);
  });
}

/**
 * Free text and identifiers (most values distinct) are not categories: frequency tests on them only say
 * that two samples hold different ids. Forcing the column categorical (kinds) overrides this.
 */
function isIdentifierLike(a: { values: readonly { count: number }[]; distinct: number } | undefined, forced: string | undefined): boolean {
  if (!a || forced === 'categorical') return false;
  const total = a.values.reduce((x, y) => x + y.count, 0);
  return a.distinct > DRIFT_DEFAULTS.categoricalMaxDistinct && (a.distinct > 0.5 * total || a.distinct > DRIFT_DEFAULTS.categoryCap);
}

function textColumn(p: ColumnPair, a: { values: readonly { count: number }[] } | undefined): ColumnDistribution {
  const n = a?.values.reduce((x, y) => x + y.count, 0) ?? 0;
  return { column: p.name, type: 'categorical', researchCount: n, productionCount: 0, tests: {}, unseen: [], gone: [] };
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
  const chi = chiSquareHomogeneity(ra, rb);
  const tests: ColumnTests = {
    chiSquare: { statistic: stableFloat(chi.statistic)!, pvalue: chi.pvalue, dof: chi.dof },
    psi: stableFloat(psi(ra, rb))!,
    jensenShannon: stableFloat(jensenShannon(ra, rb))!,
    linf: stableFloat(linfDistance(ra, rb))!,
  };
  tests.drift = verdict(p.name, 'categorical', n1, tests, options);
  const shown = values.map((v) => (v === lists.other ? '(other)' : v));
  return { column: p.name, type: 'categorical', researchCount: n1, productionCount: n2, tests, categories: { values: shown, research: ra, production: rb }, unseen, gone };
}

/** The default test per column: small samples use p-values, large ones effect sizes; overridable per column. */
export function defaultTest(type: 'numeric' | 'categorical', researchCount: number): DriftTest {
  const small = researchCount <= DRIFT_DEFAULTS.smallSample;
  if (type === 'numeric') return small ? 'ks' : 'wasserstein';
  return small ? 'chisquare' : 'jensenshannon';
}

/** The drift verdict of a column: its test (default or override), value and threshold. */
export function verdict(column: string, type: 'numeric' | 'categorical', n1: number, tests: ColumnTests, options: DriftOptions): DriftVerdict {
  let test = options.tests?.[column] ?? defaultTest(type, n1);
  if (type === 'categorical' && (test === 'ks' || test === 'wasserstein')) test = defaultTest(type, n1);
  if (type === 'numeric' && test === 'chisquare') test = defaultTest(type, n1);
  const threshold = options.thresholds?.[column] ?? DRIFT_DEFAULTS.thresholds[test];
  const value = testValue(test, tests);
  // p-value tests drift when p falls below the threshold; distances when they reach it.
  const drifted = test === 'ks' || test === 'chisquare' ? value < threshold : value >= threshold;
  return { test, value, threshold, drifted };
}

function testValue(test: DriftTest, t: ColumnTests): number {
  switch (test) {
    case 'ks':
      return t.ks!.pvalue;
    case 'chisquare':
      return t.chiSquare!.pvalue;
    case 'wasserstein':
      return t.wassersteinNormed!;
    case 'psi':
      return t.psi!;
    case 'jensenshannon':
      return t.jensenShannon!;
  }
}

const TEST_LABEL: Record<DriftTest, string> = {
  ks: 'KS p-value',
  chisquare: 'chi-square p-value',
  wasserstein: 'normalised Wasserstein',
  psi: 'PSI',
  jensenshannon: 'Jensen–Shannon distance',
};

/** Findings from the distribution tests: drifted columns (ranked by effect), unseen and vanished categories, dataset drift. */
export function distributionFindings(stage: Stage, dist: DistributionComparison): Finding[] {
  const out: Finding[] = [];
  for (const c of dist.columns) {
    const v = c.tests.drift;
    if (v?.drifted) {
      out.push(finding({
        stage, severity: 'warning', cause: 'distribution_drift', columns: [c.column], rowsAffected: null,
        message: `${c.column}: ${TEST_LABEL[v.test]} ${formatNumber(v.value)} ${v.test === 'ks' || v.test === 'chisquare' ? '<' : '≥'} ${formatNumber(v.threshold)}: distribution drifted`,
        evidence: { test: v.test, value: v.value, threshold: v.threshold, researchCount: c.researchCount, productionCount: c.productionCount, psi: c.tests.psi ?? null, jensenShannon: c.tests.jensenShannon ?? null },
      }));
    }
    const unseenRows = c.unseen.reduce((x, y) => x + y.count, 0);
    if (c.unseen.length) {
      out.push(finding({
        stage, severity: 'warning', cause: stage === 'features' ? 'unseen_category' : 'new_category', columns: [c.column], rowsAffected: unseenRows,
        message: `${c.column}: ${formatCount(c.unseen.length)} categor${c.unseen.length === 1 ? 'y' : 'ies'} never seen in research (${preview(c.unseen)}) on ${formatCount(unseenRows)} production rows (${formatPercent(unseenRows / Math.max(1, c.productionCount))})`,
        evidence: { categories: c.unseen.slice(0, 20).map((x) => ({ value: x.value, count: x.count })), rows: unseenRows },
      }));
    }
    if (c.gone.length) {
      const goneRows = c.gone.reduce((x, y) => x + y.count, 0);
      out.push(finding({
        stage, severity: 'warning', cause: 'category_gone', columns: [c.column], rowsAffected: goneRows,
        message: `${c.column}: ${formatCount(c.gone.length)} research categor${c.gone.length === 1 ? 'y is' : 'ies are'} absent from production (${preview(c.gone)}; ${formatCount(goneRows)} research rows)`,
        evidence: { categories: c.gone.slice(0, 20).map((x) => ({ value: x.value, count: x.count })), rows: goneRows },
      }));
    }
  }
  if (dist.datasetDrift.drifted) {
    const ranked = dist.columns.filter((c) => c.tests.drift?.drifted).sort((a, b) => effect(b) - effect(a)).map((c) => c.column);
    out.push(finding({
      stage, severity: 'warning', cause: 'distribution_drift', columns: ranked, rowsAffected: null,
      message: `dataset drift: ${ranked.length} of ${dist.datasetDrift.columns} columns drifted (${formatPercent(dist.datasetDrift.share)} ≥ ${formatPercent(dist.datasetDrift.threshold)}), most: ${ranked.slice(0, 5).join(', ')}`,
      evidence: { share: dist.datasetDrift.share, threshold: dist.datasetDrift.threshold, drifted: ranked },
    }));
  }
  return out;
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
export function distributionSummary(dist: DistributionComparison): Record<string, Record<string, unknown>> {
  const out: Record<string, Record<string, unknown>> = {};
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
  const order = c.values.map((_v, i) => i).sort((i, j) => c.research[j]! + c.production[j]! - (c.research[i]! + c.production[i]!) || (c.values[i]! < c.values[j]! ? -1 : 1)).slice(0, cap);
  order.sort((i, j) => (c.values[i]! < c.values[j]! ? -1 : 1));
  return { values: order.map((i) => c.values[i]!), research: order.map((i) => c.research[i]!), production: order.map((i) => c.production[i]!) };
}
