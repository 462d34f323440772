import type { Engine } from '../../engine/engine.js';
import { finding } from '../../findings/report.js';
import type { Finding, Stage, StageOutcome, StageStatus } from '../../findings/types.js';
import type { DataColumnSummary, DataSummary, FeaturesSummary, KeyedRowsSummary, KeylessRowsSummary, ProfileSummary, SchemaSummary, SideSummary } from '../../findings/summaries.js';
import { formatCount } from '../../text/format.js';
import type { Dataset } from '../../sources/register.js';
import { readingFindings } from '../../sources/reconcile.js';
import {
  aggregationPrecision,
  columnsExplainingRows,
  keyedRowFindings,
  keylessRowFindings,
  oneColumnFindings,
  samplingFinding,
  schemaFindings,
  statisticFindings,
  valueFindings,
  withinToleranceFinding,
} from './causes.js';
import { newCategories, newCategoryFindings, withNewCategory } from './categories.js';
import type { NewCategories } from './categories.js';
import { toleranceFor } from './tolerance.js';
import { canonicalType, isNumericKind, isTemporalKind, kindOf, matchSchemas } from './columns.js';
import { ident } from '../../engine/quote.js';
import type { ColumnPair, SchemaMatch, SchemaOptions } from './columns.js';
import { keyedDiff } from './keyed.js';
import { textTypedColumns } from './text-typed.js';
import { byPosition } from './position.js';
import { affineFits, withAffine } from './affine.js';
import type { AffineFit } from './affine.js';
import { refutedClippings } from './column-wide.js';
import type { KeyCounts, KeyedDiff } from './keyed.js';
import { keylessDiff } from './keyless.js';
import { keylessDiffRowsError, writeDiffRows } from './diff-rows.js';
import type { DiffRowsTarget } from './diff-rows.js';
import type { KeylessDiff } from './keyless.js';
import { categoryCounts, completeOrderStats, profileTable } from './profile.js';
import type { ColumnProfile, SuppliedOrderStats, TableProfile } from './profile.js';
import type { Tolerances } from './tolerance.js';
import { compareDistributions, distributionFindings, distributionSummary, profileCounts, summariseDrift } from '../distribution/index.js';
import type { DistributionComparison, DriftOptions } from '../distribution/index.js';
import type { SideRanks } from '../distribution/sql.js';
import type { NullKeys, TextNormalisation } from '../shared/normalise.js';
import { normalises } from '../shared/normalise.js';

export interface DataCompareOptions extends SchemaOptions, TextNormalisation {
  readonly key?: readonly string[];
  /** Null key parts: match each other (default) or leave their rows out (`null_keys` warning). */
  readonly nullKeys?: NullKeys;
  readonly tolerances?: Tolerances;
  /** Differing rows shown per finding. */
  readonly sample?: number;
  /** Column statistics (one scan per side); off with --no-stats. */
  readonly stats?: boolean;
  /**
   * `--exact-stats`: every distinct count exact. By default a text or temporal column with many values gets a
   * HyperLogLog estimate, marked approximate (docs/decisions.md, "Approximate distinct counts").
   */
  readonly exactStats?: boolean;
  /** Without a key, below this share of common rows the sides are different populations: compare distributions instead. */
  readonly unmatchedShare?: number;
  readonly onProgress?: (message: string) => void;
  /**
   * Keep the keyed diff table for later steps (check's propagation and explanations). Otherwise it is dropped
   * once read: on a pair with many differing rows it holds hundreds of MB the statistics' sorts can use.
   */
  readonly keepDiffTable?: boolean;
  /** `--diff-rows`: write every differing row of the keyed diff there (a key is required). */
  readonly diffRows?: DiffRowsTarget;
  /** Distribution tests: always with `always: true` (features), otherwise only when rows cannot be matched. */
  readonly drift?: DriftOptions & { readonly always?: boolean };
  /** `--by-position`: rows matched by their position in file order, through a synthetic key (position.ts). */
  readonly byPosition?: boolean;
}

/** Everything the data comparison learned; later stages (features, predictions, explain) reuse it. */
export interface DataComparison {
  readonly stage: DataStage;
  readonly research: Dataset;
  readonly production: Dataset;
  readonly schema: SchemaMatch;
  readonly profiles: { readonly research: TableProfile; readonly production: TableProfile } | null;
  readonly keyed: KeyedDiff | null;
  readonly keyless: KeylessDiff | null;
  /** True when the sides share (almost) no rows: row findings are replaced by distribution tests. */
  readonly unmatched: boolean;
  readonly distributions: DistributionComparison | null;
  readonly findings: Finding[];
  readonly summary: DataSummary;
  /** --ignore-spaces / --ignore-case as compared (for check's explanations of downstream stages). */
  readonly textNormalisation?: TextNormalisation;
}

/** The stages the data comparison runs under: `data`, and `features` (which adds its own checks). */
export type DataStage = 'data' | 'features';

/** Sides with fewer matched rows than this share are treated as different populations. */
export const DEFAULT_UNMATCHED_SHARE = 0.01;

/**
 * The `data` comparison: schema, row counts, keyed or keyless row diff, per-column statistics, and the
 * causes recognisable from the data. `stage` lets `features` run the same comparison under its own name.
 */
export async function compareDatasets(engine: Engine, researchInput: Dataset, productionInput: Dataset, optionsInput: DataCompareOptions = {}, stage: DataStage = 'data'): Promise<DataComparison> {
  let research = researchInput;
  let production = productionInput;
  let options = optionsInput;
  if (options.byPosition) {
    const positioned = await byPosition(engine, research, production, options.key);
    ({ research, production } = positioned);
    options = { ...options, key: [positioned.key] };
  }
  const progress = options.onProgress ?? (() => {});
  const sample = options.sample ?? 5;
  if (options.diffRows && !options.key?.length) throw keylessDiffRowsError(options.diffRows.flag);
  const matched = await untypedEmptyColumns(
    engine,
    research,
    production,
    matchSchemas(research.columns, production.columns, options, { research: research.fileNames, production: production.fileNames }),
  );
  const schema = await textTypedColumns(engine, research, production, matched, new Set(options.key ?? []));
  const findings: Finding[] = [...readingFindings(stage, research, production), ...schemaFindings(stage, schema)];
  // Keys identify rows; their distribution says nothing about the data.
  const keySet = new Set(options.key ?? []);
  const driftPairs = schema.pairs.filter((p) => !keySet.has(p.name));
  let profiles: DataComparison['profiles'] = null;
  let distributions: DistributionComparison | null = null;
  // features: the drift tests, run once the row diff is done (its join wants the memory), complete the profiles.
  let earlyDrift: EarlyDrift | null = null;
  const runEarlyDrift = async () => {
    if (!earlyDrift) return;
    const input = earlyDrift;
    earlyDrift = null;
    ({ distributions, profiles } = await driftCompletingProfiles(engine, research, production, schema, input, { ...options.drift, normalise: textOptions(options), onProgress: progress }));
  };
  const stats = options.stats !== false;
  // Exports usually come in key order: the key's distinct count and quantiles then need no sort.
  const leadKey = options.key?.[0];
  const leadKeyProduction = schema.pairs.find((p) => p.name === leadKey)?.productionName;
  // features: the drift tests sort both sides of each numeric column together; that sort also gives each
  // side's distinct count and quantiles, so the profiles leave those columns to it (docs/decisions.md).
  const sorted = stats && options.drift?.always ? driftPairs.filter((p) => sortedByDrift(p, options.drift)) : [];
  const profileColumns = (d: Dataset) => d.columns.filter((c) => !ignored(c.name, options));
  /**
   * Both sides' profiles. `identical`: columns the keyed diff proved identical on every row, whose statistics
   * are computed once, exactly (research's), and copied to production; `early`: the key profiles taken before it.
   */
  const profileSides = async (identical: ReadonlySet<string>, early: DataComparison['profiles']): Promise<NonNullable<DataComparison['profiles']>> => {
    const keys = options.key ?? [];
    const side = (d: Dataset, which: 'research' | 'production', reuse: ReadonlyMap<string, ColumnProfile>) => {
      const names = sorted.map((p) => (which === 'research' ? p.name : p.productionName));
      const lead = which === 'research' ? leadKey : leadKeyProduction;
      const before = early?.[which];
      const known = new Map([...Object.entries(before?.columns ?? {}), ...reuse]);
      const exactDistinct = [...keys, ...identical].map((n) => (which === 'research' ? n : (schema.pairs.find((p) => p.name === n)?.productionName ?? n)));
      return profileTable(engine, d.relation, profileColumns(d), {
        likelySorted: lead ? [lead] : [],
        deferOrderStats: names,
        epochTotals: names,
        approxDistinct: options.exactStats !== true,
        exactDistinct,
        known,
        ...(before ? { head: { rows: before.rows, fingerprint: before.fingerprint } } : {}),
      });
    };
    progress(`profiling ${research.label}`);
    const a = await side(research, 'research', new Map());
    // Identical columns have research's statistics: same type, same value on every row.
    const copies = new Map(schema.pairs.filter((p) => identical.has(p.name) && a.columns[p.name]).map((p) => [p.productionName, a.columns[p.name]!]));
    progress(`profiling ${production.label}`);
    return { research: a, production: await side(production, 'production', copies) };
  };
  const keyedStats = stats && !!options.key?.length;
  if (stats && !keyedStats) {
    profiles = await profileSides(new Set(), null);
    if (options.drift?.always) earlyDrift = { pairs: driftPairs, sorted, profiles };
  }
  const share = options.unmatchedShare ?? DEFAULT_UNMATCHED_SHARE;
  let keyed: KeyedDiff | null = null;
  let keyless: KeylessDiff | null = null;
  let unmatched = false;
  // Columns whose every row is equal within tolerance: a drift test on them can only see the tolerated differences.
  let equalWithinTolerance = new Set<string>();
  if (options.key && options.key.length > 0) {
    // The key's profile first: the diff reads its health from it (keyCountsFromProfiles); the other columns are
    // profiled once the diff has said which of them are identical on both sides.
    const early = keyedStats && options.key.length === 1 ? await keyProfiles(engine, research, production, leadKey!, leadKeyProduction, profileColumns) : null;
    progress('joining on the key');
    keyed = await keyedDiff(engine, research, production, schema.pairs, {
      key: options.key,
      tolerances: options.tolerances,
      sample,
      keyCounts: keyCountsFromProfiles(early, schema, options.key),
      normalise: textOptions(options),
      nullKeys: options.nullKeys,
    });
    const affine = await affineFits(engine, keyed, schema.pairs, sample);
    const clippingRefuted = await refutedClippings(engine, keyed, schema.pairs, production);
    if (keyedStats) {
      // features: a column its drift tests sort keeps both sides' own profiles (the sort completes each side's).
      const drifted = new Set(sorted.map((p) => p.name));
      profiles = await profileSides(new Set([...identicalColumns(keyed, schema.pairs, options)].filter((n) => !drifted.has(n))), early);
      if (options.drift?.always) earlyDrift = { pairs: driftPairs, sorted, profiles };
    }
    const categories = await newCategories(engine, keyed, schema.pairs, research, textOptions(options), profiles?.research);
    if (options.diffRows) {
      progress('writing the differing rows');
      await writeDiffRows(engine, keyed, schema.pairs, research, production, options.diffRows);
    }
    if (!options.keepDiffTable && keyed.diffTable) {
      await engine.run(`DROP TABLE ${ident(keyed.diffTable)}`);
      keyed = { ...keyed, diffTable: null };
    }
    await runEarlyDrift();
    // With a key the user named, unmatched rows are the break itself, however many: never "different populations".
    findings.push(...keyedRowFindings(stage, keyed));
    const sampling = samplingFinding(
      stage,
      keyed.onlyResearch,
      keyed.onlyProduction,
      keyed.research.rows - keyed.research.nullKeyRows,
      keyed.production.rows - keyed.production.nullKeyRows,
      keyed.matched,
      [...options.key],
      keyed.keyFormat === null,
    );
    if (sampling) findings.push(sampling);
    findings.push(...keyedColumnFindings(stage, keyed, schema.pairs, { affine, categories, clippingRefuted, researchProfile: profiles?.research }));
    // With rows missing on one side, sums differ for a reason already reported.
    const sameRows = keyed.onlyResearch === 0 && keyed.onlyProduction === 0;
    if (sameRows) equalWithinTolerance = toleratedColumns(schema.pairs, options, new Set(keyed.columns.map((c) => c.column)));
    if (profiles && sameRows) findings.push(...aggregationFindings(stage, schema.pairs, profiles, new Set([...options.key, ...keyed.columns.map((c) => c.column)]), options.tolerances));
  } else if (schema.pairs.length > 0) {
    progress('comparing row multisets');
    keyless = await keylessDiff(engine, research, production, schema.pairs, sample, options.tolerances, textOptions(options));
    await runEarlyDrift();
    const rowsA = keyless.common + keyless.onlyResearch;
    const rowsB = keyless.common + keyless.onlyProduction;
    // Rows that match on every column but one are the same rows with that column changed, not another population.
    const explaining = columnsExplainingRows(keyless);
    const oneColumn = explaining.length > 0;
    unmatched = !oneColumn && isUnmatched(keyless.common, rowsA, rowsB, share);
    const rowFindings = keylessRowFindings(stage, keyless);
    findings.push(...(unmatched ? rowFindings.filter((f) => f.cause === 'duplicate_rows') : rowFindings));
    findings.push(...oneColumnFindings(stage, keyless, explaining));
    if (keyless.withinTolerance > 0) findings.push(withinToleranceFinding(stage, keyless));
    const sampling = oneColumn ? null : samplingFinding(stage, keyless.onlyResearch, keyless.onlyProduction, rowsA, rowsB, keyless.common, [], keyless.common > 0);
    if (sampling) findings.push(sampling);
    const sameRows = keyless.onlyResearch === 0 && keyless.onlyProduction === 0;
    if (sameRows) equalWithinTolerance = toleratedColumns(schema.pairs, options, new Set());
    if (profiles && !unmatched && !sameRows) {
      findings.push(...statisticFindings(stage, profiles.research, profiles.production, schema.pairs, options.tolerances));
    } else if (profiles) {
      findings.push(...aggregationFindings(stage, schema.pairs, profiles, new Set(), options.tolerances));
    }
  }
  await runEarlyDrift();
  if (!distributions && (unmatched || options.drift?.always)) {
    distributions = await compareDistributions(engine, research, production, driftPairs, {
      ...options.drift,
      countCategories: categoryCounts,
      normalise: textOptions(options),
      onProgress: progress,
      ...(profiles ? driftCounts(profiles, schema) : {}),
    });
  }
  if (distributions && equalWithinTolerance.size > 0) distributions = snapToTolerance(distributions, equalWithinTolerance, options.drift ?? {});
  if (unmatched) {
    const matched = keyless!.common;
    const untested = distributions ? distributions.columns.filter((c) => !c.tests.drift).map((c) => c.column) : [];
    const notTested = [...driftPairs.filter((p) => !distributions?.columns.some((c) => c.column === p.name)).map((p) => p.name), ...untested].sort();
    // Rows were not compared, only distributions: a later period without a key is legitimate, but "equal" would
    // promise more than was checked.
    findings.push(
      finding({
        stage,
        severity: 'warning',
        cause: 'no_common_rows',
        columns: notTested,
        rowsAffected: null,
        message: `the sides share ${formatCount(matched)} rows and no column explains it: different periods or populations, so distributions are compared instead of rows${notTested.length ? ` (not tested: ${notTested.slice(0, 5).join(', ')}${notTested.length > 5 ? ', …' : ''})` : ''}`,
        evidence: { matched, researchRows: keyless!.common + keyless!.onlyResearch, productionRows: keyless!.common + keyless!.onlyProduction, notTested },
      }),
    );
  }
  if (distributions) findings.push(...distributionFindings(stage, distributions));
  else if (profiles && options.stats !== false) {
    // A column the keyed diff already called new_category is not reported twice: the category counts join its evidence.
    for (const found of await newCategoryFindings(engine, research, production, driftPairs, profiles, stage, textOptions(options))) {
      const i = findings.findIndex((f) => f.cause === 'new_category' && f.columns[0] === found.columns[0]);
      if (i < 0) findings.push(found);
      else findings[i] = { ...findings[i]!, evidence: { ...findings[i]!.evidence, categories: found.evidence.categories ?? null } };
    }
  }
  findings.push(...ignoredFindings(stage, research, production, options));
  const built = buildSummary({ research, production, schema, profiles, keyed, keyless, unmatched, key: options.key ?? null });
  const summary: DataSummary = {
    ...built,
    // Present only when on, so reports without the options stay byte-identical.
    ...(normalises(options) ? { textNormalisation: { ignoreSpaces: options.ignoreSpaces === true, ignoreCase: options.ignoreCase === true } } : {}),
    // --by-position: the key is the synthetic row position (1-based, file order).
    ...(options.byPosition ? { byPosition: { key: options.key?.[0] ?? null, order: 'row position in file order (1-based)' } } : {}),
    ...(distributions ? withDistributions(built.columns, distributions) : {}),
  };
  const text = textOptions(options);
  return { stage, research, production, schema, profiles, keyed, keyless, unmatched, distributions, findings, summary, ...(text ? { textNormalisation: text } : {}) };
}

/** The schema part of a stage summary: shared columns, columns on one side only, type changes, order. */
export function schemaSummary(schema: SchemaMatch): SchemaSummary {
  return {
    common: schema.pairs.length,
    onlyResearch: schema.onlyResearch.map((x) => x.name),
    onlyProduction: schema.onlyProduction.map((x) => x.name),
    typeChanges: schema.pairs.filter((p) => p.compatibility !== 'same').map((p) => ({ column: p.name, research: p.research.type, production: p.production.type, kind: p.compatibility })),
    orderDiffers: schema.orderDiffers,
    ...(schema.caseOnly ? { nameCase: schema.caseOnly.map((c) => ({ research: c.research, production: c.production })) } : {}),
  };
}

/** Both profiles' counts by research column name, for the drift tests (DriftOptions). */
function driftCounts(profiles: NonNullable<DataComparison['profiles']>, schema: SchemaMatch): Pick<DriftOptions, 'researchCounts' | 'productionCounts'> {
  const byName = (profile: TableProfile, nameOf: (p: ColumnPair) => string) =>
    Object.fromEntries(
      schema.pairs.flatMap((p) => {
        const c = profile.columns[nameOf(p)];
        return c ? [[p.name, profileCounts(c, profile.epoch?.get(nameOf(p)))]] : [];
      }),
    );
  return {
    researchCounts: byName(profiles.research, (p) => p.name),
    productionCounts: byName(profiles.production, (p) => p.productionName),
  };
}

/** What the drift tests of `features` start from: the pairs to test, those they sort, and the profiles to complete. */
interface EarlyDrift {
  readonly pairs: readonly ColumnPair[];
  readonly sorted: readonly ColumnPair[];
  readonly profiles: NonNullable<DataComparison['profiles']>;
}

/**
 * The drift tests, handing each pending profile column the figures their merged sort read (completeOrderStats
 * sorts what is left), so that no column is sorted twice.
 */
async function driftCompletingProfiles(engine: Engine, research: Dataset, production: Dataset, schema: SchemaMatch, input: EarlyDrift, drift: DriftOptions) {
  const { research: a, production: b } = input.profiles;
  const supplied = { research: new Map<string, SuppliedOrderStats>(), production: new Map<string, SuppliedOrderStats>() };
  const productionName = new Map(schema.pairs.map((p) => [p.name, p.productionName]));
  const distributions = await compareDistributions(engine, research, production, input.pairs, {
    ...drift,
    countCategories: categoryCounts,
    ...driftCounts(input.profiles, schema),
    sideRanks: pendingRanks(input.sorted, a, b),
    onSideOrderStats: (column, stats) => {
      supplied.research.set(column, stats.research);
      supplied.production.set(productionName.get(column)!, stats.production);
    },
  });
  const profiles = {
    research: await completeOrderStats(engine, research.relation, a, supplied.research),
    production: await completeOrderStats(engine, production.relation, b, supplied.production),
  };
  return { distributions, profiles };
}

/** Whether the drift tests sort this pair's values (numeric or temporal, tested as numbers): see compareDistributions. */
function sortedByDrift(p: ColumnPair, drift: DriftOptions | undefined): boolean {
  return p.compatibility !== 'breaking' && (isNumericKind(p.kind) || isTemporalKind(p.kind)) && drift?.kinds?.[p.name] !== 'categorical';
}

/** The ranks each side's pending profile columns need from the drift tests' merged sort, by research column name. */
function pendingRanks(pairs: readonly ColumnPair[], a: TableProfile, b: TableProfile): Map<string, SideRanks> {
  const out = new Map<string, SideRanks>();
  for (const p of pairs) {
    const ra = a.pending?.get(p.name);
    const rb = b.pending?.get(p.productionName);
    if (ra || rb) out.set(p.name, { research: ra?.ranks ?? [], production: rb?.ranks ?? [] });
  }
  return out;
}

/**
 * Both sides' profiles of the single key column alone (with each side's row count and fingerprint), taken before
 * the keyed diff so that it reads the key's health from them; null when the key is not profiled (left out).
 */
async function keyProfiles(
  engine: Engine,
  research: Dataset,
  production: Dataset,
  key: string,
  productionKey: string | undefined,
  columnsOf: (d: Dataset) => Dataset['columns'],
): Promise<DataComparison['profiles']> {
  const one = (d: Dataset, name: string | undefined) => {
    const all = columnsOf(d);
    const column = all.find((c) => c.name === name);
    return column ? profileTable(engine, d.relation, [column], { likelySorted: [column.name], fingerprintColumns: all }) : null;
  };
  const a = await one(research, key);
  const b = a ? await one(production, productionKey) : null;
  return a && b ? { research: a, production: b } : null;
}

/**
 * Columns the keyed diff proved identical on every row, so that both sides have the same statistics: every row
 * matched one to one (no row on one side only, no null key left out, no duplicate key), and the column has the
 * same type on both sides and was compared with IS NOT DISTINCT FROM on its values — no tolerance, no text
 * normalisation, not a decimal (compared as DOUBLE) — with no differing row.
 */
export function identicalColumns(keyed: KeyedDiff, pairs: readonly ColumnPair[], options: Pick<DataCompareOptions, 'key' | 'tolerances' | 'ignoreSpaces' | 'ignoreCase'>): Set<string> {
  const sides = [keyed.research, keyed.production];
  const oneToOne = keyed.onlyResearch === 0 && keyed.onlyProduction === 0 && sides.every((h) => h.nullKeyRows === 0 && h.duplicateRows === 0 && h.rows === keyed.matched);
  if (!oneToOne) return new Set();
  const differing = new Set(keyed.columns.map((c) => c.column));
  const compared = new Set(keyed.valueColumns);
  const keys = new Set(options.key ?? []);
  return new Set(
    pairs
      .filter((p) => compared.has(p.name) && !keys.has(p.name) && !differing.has(p.name))
      .filter((p) => p.compatibility === 'same' && p.research.type === p.production.type && p.kind !== 'decimal')
      .filter((p) => !(p.kind === 'string' && normalises(options)) && !hasTolerance(toleranceFor(options.tolerances, p.name)))
      .map((p) => p.name),
  );
}

/** A single key column's null and distinct counts are in the profiles already: no extra scan for key health. */
function keyCountsFromProfiles(profiles: DataComparison['profiles'], schema: SchemaMatch, key: readonly string[]): [KeyCounts | undefined, KeyCounts | undefined] | undefined {
  if (!profiles || key.length !== 1) return undefined;
  const pair = schema.pairs.find((p) => p.name === key[0]);
  const a = profiles.research.columns[key[0]!];
  const b = pair ? profiles.production.columns[pair.productionName] : undefined;
  const counts = (p: ColumnProfile | undefined, rows: number) =>
    p ? { rows, nulls: p.nulls, distinct: p.distinct, ...(typeof p.min === 'number' && typeof p.max === 'number' ? { min: p.min, max: p.max } : {}) } : undefined;
  return [counts(a, profiles.research.rows), counts(b, profiles.production.rows)];
}

/** The summary's columns with their distribution tests, and the table's drift. */
function withDistributions(columns: DataSummary['columns'], dist: DistributionComparison): Pick<DataSummary, 'columns' | 'drift'> {
  const merged: Record<string, DataColumnSummary> = { ...columns };
  for (const [name, extra] of Object.entries(distributionSummary(dist))) merged[name] = { ...merged[name]!, ...extra };
  return {
    columns: merged,
    drift: { drifted: dist.drifted, share: dist.datasetDrift.share, threshold: dist.datasetDrift.threshold, datasetDrift: dist.datasetDrift.drifted, columnsTested: dist.datasetDrift.columns },
  };
}

/**
 * A text column that is null on every row says nothing about its type (a CSV writer cannot tell an empty
 * number column from an empty text column): such a pair is compared in the other side's type, not as drift.
 */
async function untypedEmptyColumns(engine: Engine, research: Dataset, production: Dataset, schema: SchemaMatch): Promise<SchemaMatch> {
  const suspects = schema.pairs.filter((p) => p.compatibility === 'breaking' && (p.research.type === 'VARCHAR' || p.production.type === 'VARCHAR'));
  if (suspects.length === 0) return schema;
  const count = async (d: Dataset, names: string[]) => engine.one(`SELECT ${names.map((n, i) => `count(${ident(n)}) AS c${i}`).join(', ')} FROM ${d.relation}`);
  const a = await count(
    research,
    suspects.map((p) => p.name),
  );
  const b = await count(
    production,
    suspects.map((p) => p.productionName),
  );
  const empty = new Map<string, 'research' | 'production'>();
  suspects.forEach((p, i) => {
    if (p.research.type === 'VARCHAR' && Number(a[`c${i}`]) === 0) empty.set(p.name, 'research');
    else if (p.production.type === 'VARCHAR' && Number(b[`c${i}`]) === 0) empty.set(p.name, 'production');
  });
  if (empty.size === 0) return schema;
  const pairs = schema.pairs.map((p) => {
    const side = empty.get(p.name);
    if (!side) return p;
    const typed = side === 'research' ? p.production.type : p.research.type;
    return { ...p, compatibility: 'widening' as const, compareType: canonicalType(typed), kind: kindOf(typed), typeNote: `${side} column is empty (no type)` };
  });
  return { ...schema, pairs };
}

/** The text options alone (the comparators take only these). */
function textOptions(options: TextNormalisation): TextNormalisation | undefined {
  return normalises(options) ? { ignoreSpaces: options.ignoreSpaces === true, ignoreCase: options.ignoreCase === true } : undefined;
}

function ignored(name: string, options: SchemaOptions): boolean {
  return (options.ignore ?? []).includes(name);
}

export function isUnmatched(matched: number, rowsA: number, rowsB: number, share: number): boolean {
  const smaller = Math.min(rowsA, rowsB);
  return smaller > 0 && matched <= share * smaller;
}

function aggregationFindings(stage: Stage, pairs: readonly ColumnPair[], profiles: NonNullable<DataComparison['profiles']>, explained: Set<string>, tolerances: Tolerances | undefined): Finding[] {
  const out: Finding[] = [];
  for (const p of pairs) {
    if (explained.has(p.name)) continue;
    const a = profiles.research.columns[p.name];
    const b = profiles.production.columns[p.productionName];
    if (!a || !b) continue;
    const f = aggregationPrecision(stage, p.name, a, b, toleranceFor(tolerances, p.name));
    if (f) out.push(f);
  }
  return out;
}

/** A profile as the report shows it (internal sums left out). */
export function publicProfile(p: ColumnProfile | undefined): ProfileSummary | null {
  if (!p) return null;
  const { exactSum: _exact, absSum: _abs, ...rest } = p;
  return rest;
}

export function buildSummary(c: {
  research: Dataset;
  production: Dataset;
  schema: SchemaMatch;
  profiles: DataComparison['profiles'];
  keyed: KeyedDiff | null;
  keyless: KeylessDiff | null;
  unmatched: boolean;
  key: readonly string[] | null;
}): DataSummary {
  const side = (d: Dataset, p: TableProfile | undefined, rows: number | undefined): SideSummary => ({
    label: d.label,
    format: d.format,
    rows: p?.rows ?? rows ?? null,
    columns: d.columns.length,
    fingerprint: p?.fingerprint ?? null,
  });
  const columns: Record<string, DataColumnSummary> = {};
  for (const p of c.schema.pairs) {
    const diff = c.keyed?.columns.find((d) => d.column === p.name);
    columns[p.name] = {
      researchType: p.research.type,
      productionType: p.production.type,
      typeChange: p.compatibility,
      ...(c.keyed ? { differingRows: diff?.differing ?? 0, maxAbsDiff: diff?.maxAbsDiff ?? null, maxRelDiff: diff?.maxRelDiff ?? null } : {}),
      research: publicProfile(c.profiles?.research.columns[p.name]),
      production: publicProfile(c.profiles?.production.columns[p.productionName]),
    };
  }
  const rows: KeyedRowsSummary | KeylessRowsSummary | null = c.keyed
    ? {
        research: c.keyed.research.rows,
        production: c.keyed.production.rows,
        matched: c.keyed.matched,
        onlyResearch: c.keyed.onlyResearch,
        onlyProduction: c.keyed.onlyProduction,
        changed: c.keyed.changedRows,
        duplicateKeysResearch: c.keyed.research.duplicateKeys,
        duplicateKeysProduction: c.keyed.production.duplicateKeys,
        nullKeysResearch: c.keyed.research.nullKeyRows,
        nullKeysProduction: c.keyed.production.nullKeyRows,
        ...(c.keyed.research.nullKeysMatched || c.keyed.production.nullKeysMatched
          ? { nullKeysMatchedResearch: c.keyed.research.nullKeysMatched ?? 0, nullKeysMatchedProduction: c.keyed.production.nullKeysMatched ?? 0 }
          : {}),
      }
    : c.keyless
      ? {
          research: c.keyless.common + c.keyless.onlyResearch,
          production: c.keyless.common + c.keyless.onlyProduction,
          common: c.keyless.common,
          onlyResearch: c.keyless.onlyResearch,
          onlyProduction: c.keyless.onlyProduction,
          duplicateRowsResearch: c.keyless.duplicateRowsResearch,
          duplicateRowsProduction: c.keyless.duplicateRowsProduction,
        }
      : null;
  return {
    mode: c.unmatched ? 'unmatched' : c.keyed ? 'keyed' : 'keyless',
    key: c.key && c.key.length ? c.key : null,
    research: side(c.research, c.profiles?.research, c.keyed?.research.rows),
    production: side(c.production, c.profiles?.production, c.keyed?.production.rows),
    rows,
    schema: schemaSummary(c.schema),
    columns,
  };
}

/** What is added after the comparison's own summary: the engine note of a database input, or the features stage's checks. */
export type SummaryExtra = Pick<DataSummary, 'engine'> & Partial<Pick<FeaturesSummary, 'handling' | 'lastPopulated'>>;

/** Wraps a comparison as the stage outcome of the findings contract. */
/** What a keyed diff's causes were refined with, beyond its own probes (all optional but the rescales and new categories). */
export interface KeyedColumnCauses {
  readonly affine: ReadonlyMap<string, AffineFit>;
  readonly categories: ReadonlyMap<string, NewCategories>;
  readonly clippingRefuted?: ReadonlySet<string>;
  readonly researchProfile?: TableProfile;
}

/** Each differing column's findings: its value causes, with a rescale or a new category in their place when found. */
export function keyedColumnFindings(stage: DataStage, diff: KeyedDiff, pairs: readonly ColumnPair[], causes: KeyedColumnCauses): Finding[] {
  return diff.columns.flatMap((d) => {
    const pair = pairs.find((p) => p.name === d.column)!;
    const values = valueFindings(d, pair, { stage, researchProfile: causes.researchProfile?.columns[pair.name], clippingRefuted: causes.clippingRefuted?.has(d.column) ?? false });
    return withNewCategory(withAffine(values, d, causes.affine.get(d.column), stage), d, causes.categories.get(d.column), stage);
  });
}

/**
 * The outcome of a keyed comparison made on the differing rows only, with the whole tables' row totals in `diff`
 * (the PostgreSQL pushdown and bisection): no statistics, no drift tests; the same findings as the local path.
 */
export function partialKeyedOutcome(
  c: { stage: DataStage; research: Dataset; production: Dataset; schema: SchemaMatch; key: readonly string[]; diff: KeyedDiff; causes: KeyedColumnCauses; options: DataCompareOptions },
  engineNote: NonNullable<SummaryExtra['engine']>,
): StageOutcome {
  const { stage, research, production, schema, diff, key } = c;
  const findings = [
    ...schemaFindings(stage, schema),
    ...keyedRowFindings(stage, diff),
    ...keyedColumnFindings(stage, diff, schema.pairs, c.causes),
    ...ignoredFindings(stage, research, production, c.options),
  ];
  const parts = { research, production, schema, profiles: null, keyed: diff, keyless: null, unmatched: false, key: [...key] };
  const comparison: DataComparison = { ...parts, stage, distributions: null, findings, summary: buildSummary(parts) };
  return toOutcome(comparison, [], { engine: engineNote });
}

export function toOutcome(c: DataComparison, extra: Finding[] = [], summaryExtra: SummaryExtra = {}): StageOutcome {
  const findings = [...c.findings, ...extra];
  const broken = findings.filter((f) => f.severity !== 'info');
  const reason = broken.length === 0 ? 'no difference beyond tolerance' : `${broken.length} finding${broken.length === 1 ? '' : 's'}: ${[...new Set(broken.map((f) => f.cause))].join(', ')}`;
  const status: StageStatus = broken.length ? 'different' : 'equal';
  const summary = { ...c.summary, ...summaryExtra };
  // features always passes its handling checks (compareFeatures); data never does.
  const result = c.stage === 'features' ? { stage: c.stage, status, reason, summary: summary as FeaturesSummary } : { stage: c.stage, status, reason, summary };
  return { result, findings };
}

/** Numeric columns compared within a tolerance that no row differs on beyond it (the rows all matched). */
function toleratedColumns(pairs: readonly ColumnPair[], options: DataCompareOptions, differing: Set<string>): Set<string> {
  const keys = new Set(options.key ?? []);
  return new Set(pairs.filter((p) => isNumericKind(p.kind) && !keys.has(p.name) && !differing.has(p.name) && hasTolerance(toleranceFor(options.tolerances, p.name))).map((p) => p.name));
}

function hasTolerance(t: { abs: number; rel: number }): boolean {
  return t.abs > 0 || t.rel > 0;
}

/**
 * Tolerances reach the drift tests: a column whose every row matched within them can differ in distribution only
 * by tolerated amounts, which a KS test on thousands of rows still calls drift. Its verdict is set to "not drifted"
 * and marked `equalWithinTolerance`; the test values stay in the summary.
 */
function snapToTolerance(dist: DistributionComparison, columns: Set<string>, drift: DriftOptions): DistributionComparison {
  if (!dist.columns.some((c) => columns.has(c.column) && c.tests.drift?.drifted)) return dist;
  const snapped = dist.columns.map((c) => (columns.has(c.column) && c.tests.drift ? { ...c, tests: { ...c.tests, drift: { ...c.tests.drift, drifted: false, equalWithinTolerance: true } } } : c));
  return summariseDrift(snapped, drift);
}

/** Columns the user left out with --ignore: not compared, and the report says so (info: the user chose it). */
export function ignoredFindings(stage: Stage, research: Dataset, production: Dataset, options: DataCompareOptions): Finding[] {
  const present = new Set([...research.columns, ...production.columns].map((c) => c.name));
  return [...new Set(options.ignore ?? [])]
    .filter((n) => present.has(n))
    .sort()
    .map((n) =>
      finding({
        stage,
        severity: 'info',
        cause: 'not_compared',
        columns: [n],
        rowsAffected: null,
        message: `${n}: left out by --ignore, not compared`,
        evidence: { reason: 'ignored' },
      }),
    );
}
