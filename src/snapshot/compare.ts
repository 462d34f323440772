/**
 * A snapshot artifact (research) against a production dataset: every check a snapshot can answer without rows.
 *   exact:        schema, row counts, key health, per-column statistics, content fingerprint equality,
 *                 PSI and Jensen–Shannon (stored bins), category tests when the stored list is complete,
 *                 KS and Wasserstein for columns with at most `categoryCap` distinct values (stored exactly).
 *   approximate:  KS and Wasserstein of other numeric columns, from the research quantile sketch against
 *                 production's exact ECDF (bounds in `sketchBounds`); category tests when research had more
 *                 categories than the cap (the rest pooled as one "other" category).
 *   skipped:      the keyed or keyless row diff and everything that needs matched rows.
 */
import type { DataColumnSummary, SkippedCheck, SnapshotSummary } from '../findings/summaries.js';
import type { Engine } from '../engine/engine.js';
import { ident } from '../engine/quote.js';
import { finding } from '../findings/report.js';
import type { Finding, Stage, StageOutcome } from '../findings/types.js';
import { formatCount } from '../text/format.js';
import type { Dataset } from '../sources/register.js';
import { aggregationPrecision, schemaFindings, statisticFindings } from '../compare/data/causes.js';
import { canonicalType, isNumericKind, isTemporalKind, matchSchemas } from '../compare/data/columns.js';
import type { ColumnPair, SchemaMatch } from '../compare/data/columns.js';
import { publicProfile, schemaSummary } from '../compare/data/index.js';
import type { DataCompareOptions, DataStage } from '../compare/data/index.js';
import { keyHealth } from '../compare/data/keyed.js';
import { categoryCounts, profileTable } from '../compare/data/profile.js';
import type { ColumnProfile, TableProfile } from '../compare/data/profile.js';
import { stableFloat, toNumber } from '../compare/shared/values.js';
import { DRIFT_DEFAULTS, categoricalColumn, identifierLikeCounts, distributionFindings, distributionSummary, mergedNumeric, numericTests, summariseDrift } from '../compare/distribution/index.js';
import type { ColumnDistribution, DistributionComparison, DriftOptions, NumericExtras } from '../compare/distribution/index.js';
import { extraAggregate } from '../compare/distribution/drift-tests/registry.js';
import { extraAggregates } from '../compare/distribution/rank-sql.js';
import { finiteValuesSql, rawWeightedSql, sidesSql } from '../compare/distribution/sql.js';
import { binAggregates, binCounts, countsRelation, sketchStatsSql, valueExpr } from './sql.js';
import type { Knot } from './sql.js';
import type { CategoricalDistribution, NumericDistribution, SnapshotArtifact } from './types.js';

export interface SnapshotCompareOptions extends DataCompareOptions {
  /** A snapshot stands in for the research side of data or features. */
  readonly stage?: DataStage;
  /** How the research side is named in messages and the summary (default: the artifact's label). */
  readonly label?: string;
}

/** A check the snapshot could not answer, and why (listed in the stage summary). */
export type { SkippedCheck } from '../findings/summaries.js';

export interface SnapshotComparison {
  readonly outcome: StageOutcome;
  readonly schema: SchemaMatch;
  readonly distributions: DistributionComparison;
  /** True / false when the fingerprints could be compared, null when not. */
  readonly contentEqual: boolean | null;
  readonly skipped: readonly SkippedCheck[];
}

/**
 * Bounds of the sketch approximation, m evenly spaced quantiles of n research values (numpy linear):
 * |D − D̂| < 1/(m−1) + 1/n and |W − Ŵ| ≤ (max − min)·(1/(m−1) + 1/n). See docs in tests/snapshot/sketch.test.ts.
 */
export function sketchBounds(m: number, n: number, min: number, max: number): { ks: number; wasserstein: number } {
  const e = 1 / (m - 1) + 1 / Math.max(1, n);
  return { ks: e, wasserstein: Math.max(0, max - min) * e };
}

/** Compares one snapshot artifact (research) with a production dataset; the summary has the shape of compareDatasets'. */
export async function compareSnapshotToDataset(engine: Engine, artifact: SnapshotArtifact, production: Dataset, options: SnapshotCompareOptions = {}): Promise<SnapshotComparison> {
  const stage = options.stage ?? 'data';
  const progress = options.onProgress ?? (() => {});
  const label = options.label ?? artifact.label;
  const skipped: SkippedCheck[] = [];
  const schema = matchSchemas(artifact.columns, production.columns, options);
  const findings: Finding[] = schemaFindings(stage, schema);

  progress(`profiling ${production.label}`);
  const prodProfile = await profileProduction(engine, production, schema.pairs);
  const research = researchProfile(artifact);

  // Row counts: without rows, only the difference is known, a lower bound on what is missing or extra.
  const rowsA = artifact.rows;
  const rowsB = prodProfile.rows;
  if (rowsA > rowsB) {
    findings.push(
      finding({
        stage,
        severity: 'error',
        cause: 'rows_missing',
        rowsAffected: rowsA - rowsB,
        message: `production has ${formatCount(rowsA - rowsB)} fewer rows than the research snapshot (${formatCount(rowsA)} → ${formatCount(rowsB)}): at least that many rows lost`,
        evidence: { researchRows: rowsA, productionRows: rowsB, lowerBound: true },
      }),
    );
  } else if (rowsB > rowsA) {
    findings.push(
      finding({
        stage,
        severity: 'error',
        cause: 'rows_extra',
        rowsAffected: rowsB - rowsA,
        message: `production has ${formatCount(rowsB - rowsA)} more rows than the research snapshot (${formatCount(rowsA)} → ${formatCount(rowsB)})`,
        evidence: { researchRows: rowsA, productionRows: rowsB, lowerBound: true },
      }),
    );
  }

  if (options.key && options.key.length) findings.push(...(await keyFindings(engine, stage, artifact, production, schema, options.key, skipped)));
  skipped.push(options.key && options.key.length ? { check: 'keyed row diff', reason: 'the snapshot holds no rows' } : { check: 'keyless row diff', reason: 'the snapshot holds no rows' });
  skipped.push({ check: 'value cause probes (precision, float32, time zone, null fill, clipping)', reason: 'they need matched rows; statistics and drift tests are compared instead' });

  // Statistics, then sums that moved with every count equal (at the 12 digits the snapshot stores).
  const stats = statisticFindings(stage, research, prodProfile, schema.pairs);
  findings.push(...stats);
  if (rowsA === rowsB) {
    const named = new Set(stats.flatMap((f) => f.columns));
    for (const p of schema.pairs) {
      if (named.has(p.name)) continue;
      const f = storedAggregationPrecision(stage, p.name, research.columns[p.name], prodProfile.columns[p.productionName]);
      if (f) findings.push(f);
    }
  }

  // Content: equal fingerprints over the same columns in the same canonical types mean equal row multisets.
  const contentEqual = fingerprintComparable(artifact, schema, options, skipped) ? artifact.fingerprint === prodProfile.fingerprint : null;

  const distributions = await snapshotDistributions(engine, artifact, production, schema.pairs, prodProfile, { ...options.drift, onProgress: progress }, skipped);
  findings.push(...distributionFindings(stage, distributions));

  const broken = () => findings.some((f) => f.severity !== 'info');
  if (contentEqual === false && !broken()) {
    findings.push(
      finding({
        stage,
        severity: 'error',
        cause: 'value_changed',
        rowsAffected: null,
        message: `content differs from the research snapshot (fingerprint ${artifact.fingerprint} → ${prodProfile.fingerprint}) though counts, statistics and distributions agree: compare against the research data to find the rows`,
        evidence: { researchFingerprint: artifact.fingerprint, productionFingerprint: prodProfile.fingerprint },
      }),
    );
  }

  const summary = buildSummary({ artifact, label, production, schema, research, prodProfile, contentEqual, skipped, key: options.key ?? null, distributions });
  const bad = findings.filter((f) => f.severity !== 'info');
  const reason = bad.length === 0 ? 'no difference beyond tolerance' : `${bad.length} finding${bad.length === 1 ? '' : 's'}: ${[...new Set(bad.map((f) => f.cause))].join(', ')}`;
  return {
    outcome: { result: { stage, status: bad.length ? 'different' : 'equal', reason, summary }, findings },
    schema,
    distributions,
    contentEqual,
    skipped,
  };
}

/**
 * Profiles production through a projection of the matched columns renamed to their research names, so its
 * fingerprint covers the same columns under the same names as the snapshot's. One profile, keyed back by production name.
 */
async function profileProduction(engine: Engine, production: Dataset, pairs: readonly ColumnPair[]): Promise<TableProfile> {
  if (pairs.length === 0) return profileTable(engine, production.relation, []);
  const relation = `(SELECT ${pairs.map((p) => `${ident(p.productionName)} AS ${ident(p.name)}`).join(', ')} FROM ${production.relation})`;
  const profile = await profileTable(
    engine,
    relation,
    pairs.map((p) => ({ name: p.name, type: p.production.type })),
  );
  return { ...profile, columns: Object.fromEntries(pairs.map((p) => [p.productionName, profile.columns[p.name]!])) };
}

/** The stored profiles as a TableProfile; the stored sum (12 significant digits) stands in for the exact one. */
function researchProfile(a: SnapshotArtifact): TableProfile {
  const columns: Record<string, ColumnProfile> = {};
  for (const [name, p] of Object.entries(a.profiles)) {
    const sum = typeof p.sum === 'number' ? p.sum : typeof p.sum === 'string' ? Number(p.sum) : null;
    columns[name] = { ...p, exactSum: p.kind === 'integer' || p.kind === 'float' || p.kind === 'decimal' ? sum : undefined } as ColumnProfile;
  }
  return { rows: a.rows, fingerprint: a.fingerprint, columns };
}

/**
 * aggregationPrecision on a stored sum: the snapshot keeps 12 significant digits, so a difference within one unit
 * of the 12th digit (≤ 1e-11 relative) is rounding, not a finding.
 */
function storedAggregationPrecision(stage: Stage, column: string, a: ColumnProfile | undefined, b: ColumnProfile | undefined): Finding | null {
  if (!a || !b || typeof a.exactSum !== 'number' || typeof b.exactSum !== 'number') return null;
  const rounded = stableFloat(b.exactSum)!;
  // n·max|x| bounds Σ|x| (not stored): a sum near zero has no meaningful relative error.
  const magnitude = (p: ColumnProfile) => p.count * Math.max(Math.abs(Number(p.min ?? 0)), Math.abs(Number(p.max ?? 0)));
  const scale = Math.max(Math.abs(a.exactSum), Math.abs(rounded), magnitude(a), magnitude(b));
  if (scale === 0 || Math.abs(a.exactSum - rounded) <= 1e-11 * scale) return null;
  return aggregationPrecision(stage, column, { ...a, absSum: scale }, b);
}

function fingerprintComparable(a: SnapshotArtifact, schema: SchemaMatch, options: SnapshotCompareOptions, skipped: SkippedCheck[]): boolean {
  const ignored = (options.ignore ?? []).filter((c) => a.columns.some((x) => x.name === c));
  let reason: string | null = null;
  if (ignored.length) reason = `--ignore ${ignored.join(', ')}: the snapshot's fingerprint covers every research column`;
  else if (schema.onlyResearch.length) reason = `research columns missing from production (${schema.onlyResearch.map((c) => c.name).join(', ')})`;
  else {
    const changed = schema.pairs.filter((p) => canonicalType(p.research.type) !== canonicalType(p.production.type));
    if (changed.length) reason = `column types differ beyond width (${changed.map((p) => p.name).join(', ')}), so values hash differently`;
  }
  if (reason) skipped.push({ check: 'content fingerprint', reason });
  return reason === null;
}

/** Key health on both sides: duplicate and null keys, as the keyed diff reports them (the diff itself is skipped). */
async function keyFindings(engine: Engine, stage: Stage, artifact: SnapshotArtifact, production: Dataset, schema: SchemaMatch, key: readonly string[], skipped: SkippedCheck[]): Promise<Finding[]> {
  const stored = artifact.key;
  if (!stored || stored.columns.join('\u0000') !== key.join('\u0000')) {
    skipped.push({ check: 'key health', reason: stored ? `the snapshot was made with --key ${stored.columns.join(',')}` : 'the snapshot was made without --key' });
    return [];
  }
  const names = key.map((k) => schema.pairs.find((p) => p.name === k)?.productionName);
  if (names.some((n) => n === undefined)) {
    skipped.push({ check: 'key health', reason: `key column(s) not in production: ${key.filter((_k, i) => !names[i]).join(', ')}` });
    return [];
  }
  const b = await keyHealth(engine, production.relation, names as string[], 0);
  const a = stored;
  const out: Finding[] = [];
  const same = a.duplicateRows === b.duplicateRows && a.duplicateKeys === b.duplicateKeys;
  for (const [side, h] of [
    ['research', a],
    ['production', b],
  ] as const) {
    if (h.duplicateRows > 0) {
      out.push(
        finding({
          stage,
          severity: same ? 'info' : 'error',
          cause: 'duplicate_keys',
          columns: [...key],
          rowsAffected: h.duplicateRows,
          message: `${formatCount(h.duplicateKeys)} keys appear more than once in ${side} (${formatCount(h.duplicateRows)} extra rows)${same ? ', the same on both sides' : ': duplication in load'}`,
          evidence: { side, duplicateKeys: h.duplicateKeys, extraRows: h.duplicateRows, researchDuplicateRows: a.duplicateRows, productionDuplicateRows: b.duplicateRows },
        }),
      );
    }
    if (h.nullKeyRows > 0) {
      out.push(
        finding({
          stage,
          severity: 'warning',
          cause: 'null_keys',
          columns: [...key],
          rowsAffected: h.nullKeyRows,
          message: `${formatCount(h.nullKeyRows)} ${side} rows have a null key and cannot be matched`,
          evidence: { side, rows: side === 'research' ? artifact.rows : b.rows },
        }),
      );
    }
  }
  return out;
}

/** The drift tests from the stored aggregates against production's exact counts. */
async function snapshotDistributions(
  engine: Engine,
  artifact: SnapshotArtifact,
  production: Dataset,
  pairs: readonly ColumnPair[],
  prodProfile: TableProfile,
  options: DriftOptions,
  skipped: SkippedCheck[],
): Promise<DistributionComparison> {
  const bins = options.bins ?? DRIFT_DEFAULTS.bins;
  const candidates = pairs.filter((p) => p.compatibility !== 'breaking' && (isNumericKind(p.kind) || isTemporalKind(p.kind) || p.kind === 'string' || p.kind === 'boolean'));
  const numeric = candidates.filter((p) => (isNumericKind(p.kind) || isTemporalKind(p.kind)) && options.kinds?.[p.name] !== 'categorical');
  const categorical = candidates.filter((p) => !numeric.includes(p));
  if (options.binStrategy && options.binStrategy !== 'quantile') skipped.push({ check: `--bin-strategy ${options.binStrategy}`, reason: "the snapshot stores research's decile bins; those are used" });
  if (bins !== DRIFT_DEFAULTS.bins) skipped.push({ check: `PSI / Jensen–Shannon with --bins ${bins}`, reason: `the snapshot stores research's ${DRIFT_DEFAULTS.bins} decile bins; those are used` });
  const columns: ColumnDistribution[] = [];
  const lowCardinality: ColumnPair[] = [];
  const sketched = numeric.filter((p) => artifact.distributions[p.name]?.numeric && !artifact.distributions[p.name]!.numeric!.values);
  const prodBins = await productionBins(engine, production, sketched, artifact);
  for (const p of numeric) {
    const stored = artifact.distributions[p.name]?.numeric;
    if (!stored) {
      skipped.push({ check: `drift tests of ${p.name}`, reason: 'the snapshot holds no numeric distribution for it' });
      continue;
    }
    options.onProgress?.(`distribution of ${p.name}`);
    const result = stored.values ? await exactNumeric(engine, production, p, stored, options) : await sketchNumeric(engine, production, p, stored, prodBins.get(p.name)!, options);
    if (!stored.values && extraAggregate(p.name, options)) {
      skipped.push({ check: `the chosen drift test of ${p.name}`, reason: 'it needs every value of research, and the snapshot keeps a quantile sketch of this column; its default test is used' });
    }
    if (result === 'categorical') lowCardinality.push(p);
    else columns.push(result);
  }
  columns.push(...(await categoricalColumns(engine, artifact, production, [...categorical, ...lowCardinality], prodProfile, options, skipped)));
  return summariseDrift(columns, options);
}

interface ProdBins {
  readonly counts: number[];
  readonly lo: number | null;
  readonly hi: number | null;
}

/** One production scan: counts in the stored bins, and the range, of every sketched numeric column. */
async function productionBins(engine: Engine, production: Dataset, pairs: readonly ColumnPair[], artifact: SnapshotArtifact): Promise<Map<string, ProdBins>> {
  const out = new Map<string, ProdBins>();
  if (pairs.length === 0) return out;
  const aggs = pairs.flatMap((p, i) => {
    const x = valueExpr(p.productionName, isTemporalKind(p.kind));
    return [...binAggregates(x, i, artifact.distributions[p.name]!.numeric!.edges), `min(${x}) FILTER (WHERE isfinite(${x})) AS lo${i}`, `max(${x}) FILTER (WHERE isfinite(${x})) AS hi${i}`];
  });
  const row = await engine.one(`SELECT ${aggs.join(',\n  ')}\nFROM ${production.relation}`);
  pairs.forEach((p, i) => {
    const edges = artifact.distributions[p.name]!.numeric!.edges;
    out.set(p.name, { counts: binCounts(row, i, edges), lo: toNumber(row[`lo${i}`]), hi: toNumber(row[`hi${i}`]) });
  });
  return out;
}

function emptySide(p: ColumnPair, n1: number, n2: number): ColumnDistribution {
  return { column: p.name, type: 'numeric', researchCount: n1, productionCount: n2, tests: {}, unseen: [], gone: [] };
}

/** Stored exact values: the merged ECDF is the one file-vs-file builds, so every test is exact. */
async function exactNumeric(engine: Engine, production: Dataset, p: ColumnPair, stored: NumericDistribution, options: DriftOptions): Promise<ColumnDistribution | 'categorical'> {
  const sides = sidesSql(countsRelation(stored.values!), rawWeightedSql(finiteValuesSql(production.relation, p.productionName, isTemporalKind(p.kind))));
  const m = await mergedNumeric(engine, sides, { weighted: true, bins: stored.edges.length + 1, edges: stored.edges, forceNumeric: options.kinds?.[p.name] === 'numeric' });
  if (m === 'categorical') return m;
  if (!m.d) return emptySide(p, m.n1, m.n2);
  const extras = await extraAggregates(engine, extraAggregate(p.name, options), sides, { n1: m.n1, n2: m.n2, lo: m.d.lo, hi: m.d.hi }, true);
  return numericResult(p, m.n1, m.n2, m.d.d, m.d.w, m.d.stdA, stored.edges, m.d.a, m.d.b, m.d.lo, m.d.hi, options, extras);
}

/** The quantile sketch against production's exact ECDF: KS and Wasserstein within `sketchBounds`, PSI and JS exact. */
async function sketchNumeric(engine: Engine, production: Dataset, p: ColumnPair, stored: NumericDistribution, bins: ProdBins, options: DriftOptions): Promise<ColumnDistribution> {
  const n1 = stored.n;
  const n2 = bins.counts.reduce((x, y) => x + y, 0);
  if (n1 === 0 || n2 === 0) return emptySide(p, n1, n2);
  const s = await engine.one(sketchStatsSql(knotsOf(stored.quantiles), finiteValuesSql(production.relation, p.productionName, isTemporalKind(p.kind))));
  const d = toNumber(s.d) ?? 0;
  const w = toNumber(s.w) ?? 0;
  const lo = Math.min(stored.min ?? 0, bins.lo ?? stored.min ?? 0);
  const hi = Math.max(stored.max ?? 0, bins.hi ?? stored.max ?? 0);
  return numericResult(p, n1, n2, d, w, stored.stdPop ?? 0, stored.edges, [...stored.counts], bins.counts, lo, hi, options);
}

function numericResult(
  p: ColumnPair,
  n1: number,
  n2: number,
  d: number,
  w: number,
  stdA: number,
  edges: readonly number[],
  a: number[],
  b: number[],
  lo: number,
  hi: number,
  options: DriftOptions,
  extras: NumericExtras = {},
): ColumnDistribution {
  const tests = numericTests(p.name, n1, n2, { d, w, stdA, a, b, ...extras }, options);
  // Chart bins: the decile bins, the outer ones closed at the overall range.
  return {
    column: p.name,
    type: 'numeric',
    researchCount: n1,
    productionCount: n2,
    tests,
    histogram: { edges: [Math.min(lo, edges[0] ?? lo), ...edges, Math.max(hi, edges[edges.length - 1] ?? hi)], research: a, production: b },
    unseen: [],
    gone: [],
  };
}

/** Sketch quantiles at levels j/(m−1) as knots of a piecewise-linear CDF; tied quantiles form one knot. */
export function knotsOf(quantiles: readonly number[]): Knot[] {
  const m = quantiles.length;
  const out: Knot[] = [];
  for (let j = 0; j < m; j++) {
    const v = quantiles[j]!;
    const level = m === 1 ? 1 : j / (m - 1);
    const last = out[out.length - 1];
    if (last && last.v === v) out[out.length - 1] = { v, pmin: last.pmin, pmax: level };
    else out.push({ v, pmin: level, pmax: level });
  }
  return out;
}

/** Categorical tests from the stored frequencies against production's exact counts (one production scan). */
async function categoricalColumns(
  engine: Engine,
  artifact: SnapshotArtifact,
  production: Dataset,
  pairs: readonly ColumnPair[],
  prodProfile: TableProfile,
  options: DriftOptions,
  skipped: SkippedCheck[],
): Promise<ColumnDistribution[]> {
  const usable = pairs.filter((p) => {
    if (artifact.distributions[p.name]?.categorical) return true;
    skipped.push({ check: `category tests of ${p.name}`, reason: 'the snapshot holds no category frequencies for it' });
    return false;
  });
  if (usable.length === 0) return [];
  options.onProgress?.('category frequencies');
  const cb = await categoryCounts(
    engine,
    production.relation,
    usable.map((p) => ({ name: p.productionName, type: p.production.type })),
    DRIFT_DEFAULTS.categoryCap,
  );
  return usable.map((p) => {
    const a = artifact.distributions[p.name]!.categorical!;
    const b = cb.get(p.productionName);
    if (isIdentifierLike(a, options.kinds?.[p.name])) return textColumn(p, a);
    if (a.values.length === 0 && a.otherCount > 0) {
      // An identifier-like column forced categorical here: the snapshot kept none of its values (see write.ts).
      skipped.push({
        check: `category tests of ${p.name}`,
        reason: `the snapshot lists no values of ${p.name}: it looked like an identifier or free text (${formatCount(a.distinct)} distinct values) when the snapshot was written`,
      });
      return textColumn(p, a);
    }
    const complete = a.otherCount === 0 && a.values.length === a.distinct;
    if (complete) return categoricalColumn(p, a.values, b?.values ?? [], options, { other: OTHER });
    skipped.push({
      check: `unseen categories of ${p.name}`,
      reason: `research has ${formatCount(a.distinct)} categories and the snapshot keeps the ${formatCount(a.cap)} most frequent; the rest are pooled as "other" in the tests`,
    });
    const prodTotal = prodProfile.columns[p.productionName]?.count ?? b?.values.reduce((x, y) => x + y.count, 0) ?? 0;
    const listed = new Set(a.values.map((v) => v.value));
    const bListed = (b?.values ?? []).filter((v) => listed.has(v.value));
    const bOther = prodTotal - bListed.reduce((x, y) => x + y.count, 0);
    const prodComplete = (b?.distinct ?? 0) <= DRIFT_DEFAULTS.categoryCap;
    return categoricalColumn(p, [...a.values, { value: OTHER, count: a.otherCount }], [...bListed, { value: OTHER, count: bOther }], options, { unseen: false, gone: prodComplete, other: OTHER });
  });
}

/** The pooled category of values beyond the cap (a value no column holds: it has a NUL byte). */
const OTHER = '\u0000other';

function isIdentifierLike(a: CategoricalDistribution, forced: string | undefined): boolean {
  if (forced === 'categorical') return false;
  return identifierLikeCounts(a.distinct, a.values.reduce((x, y) => x + y.count, 0) + a.otherCount);
}

function textColumn(p: ColumnPair, a: CategoricalDistribution): ColumnDistribution {
  const n = a.values.reduce((x, y) => x + y.count, 0) + a.otherCount;
  return { column: p.name, type: 'categorical', researchCount: n, productionCount: 0, tests: {}, unseen: [], gone: [] };
}

function buildSummary(c: {
  artifact: SnapshotArtifact;
  label: string;
  production: Dataset;
  schema: SchemaMatch;
  research: TableProfile;
  prodProfile: TableProfile;
  contentEqual: boolean | null;
  skipped: readonly SkippedCheck[];
  key: readonly string[] | null;
  distributions: DistributionComparison;
}): SnapshotSummary {
  const columns: Record<string, DataColumnSummary> = {};
  const perColumn = distributionSummary(c.distributions);
  for (const p of c.schema.pairs) {
    const stored = c.artifact.distributions[p.name]?.numeric;
    const approximate = stored && !stored.values && stored.n > 0 && c.distributions.columns.some((d) => d.column === p.name && d.type === 'numeric' && d.tests.ks);
    columns[p.name] = {
      researchType: p.research.type,
      productionType: p.production.type,
      typeChange: p.compatibility,
      research: publicProfile(c.research.columns[p.name]),
      production: publicProfile(c.prodProfile.columns[p.productionName]),
      ...perColumn[p.name],
      ...(approximate
        ? { approximation: { method: `quantile sketch (${stored.quantiles.length} levels)`, bounds: sketchBounds(stored.quantiles.length, stored.n, stored.min ?? 0, stored.max ?? 0) } }
        : {}),
    };
  }
  const dist = c.distributions;
  return {
    mode: 'snapshot',
    key: c.key && c.key.length ? c.key : null,
    research: { label: c.label, format: 'snapshot', rows: c.artifact.rows, columns: c.artifact.columns.length, fingerprint: c.artifact.fingerprint },
    production: { label: c.production.label, format: c.production.format, rows: c.prodProfile.rows, columns: c.production.columns.length, fingerprint: c.prodProfile.fingerprint },
    rows: { research: c.artifact.rows, production: c.prodProfile.rows },
    contentEqual: c.contentEqual,
    schema: schemaSummary(c.schema),
    columns,
    drift: { drifted: dist.drifted, share: dist.datasetDrift.share, threshold: dist.datasetDrift.threshold, datasetDrift: dist.datasetDrift.drifted, columnsTested: dist.datasetDrift.columns },
    skipped: c.skipped,
  };
}
