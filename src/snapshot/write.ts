/**
 * `makeSnapshot`: profiles each artifact and stores what later comparisons need, in few scans per artifact:
 *   1–2. profileTable: one aggregate scan for the statistics and fingerprint, one GROUPING SETS scan for category
 *        frequencies (asked with topK = the category cap, so it doubles as the drift tests' frequencies);
 *   3.   one scan, sorted per column, for the order statistics behind the quantile grid and the decile edges;
 *   4.   one aggregate scan for research counts in the decile bins, mean and population std, and exact value
 *        counts of low-cardinality columns;
 *   5.   with --key only: key health (null and duplicate keys).
 */
import type { Engine, Row } from '../engine/engine.js';
import { ReprodiffError } from '../errors.js';
import { isNumericKind, isTemporalKind, kindOf } from '../compare/data/columns.js';
import { keyHealth } from '../compare/data/keyed.js';
import { profileTable } from '../compare/data/profile.js';
import type { ColumnProfile } from '../compare/data/profile.js';
import { stableFloat, toNumber } from '../compare/shared/values.js';
import { DRIFT_DEFAULTS, identifierLikeCounts } from '../compare/distribution/index.js';
import type { ColumnInfo, Dataset } from '../sources/register.js';
import type { Environment } from '../sources/env/model.js';
import { binEdges, binLevels, linearQuantile, ranksFor } from '../stats/quantile.js';
import { TOOL_VERSION } from '../version.js';
import { binAggregates, binCounts, exactValuesAggregate, momentAggregates, orderStatisticsSql, textValuesAggregate, valueExpr } from './sql.js';
import { SNAPSHOT_DEFAULTS, SNAPSHOT_VERSION } from './types.js';
import type { CategoricalDistribution, ColumnDistributions, NumericDistribution, Snapshot, SnapshotArtifact } from './types.js';

export interface SnapshotOptions {
  /** Key column(s): their health (null and duplicate keys) is stored. */
  readonly key?: readonly string[];
  readonly categoryCap?: number;
  /** Evenly spaced quantile levels of the numeric sketch (at least 3). */
  readonly quantiles?: number;
  readonly env?: Environment;
  readonly onProgress?: (message: string) => void;
}

/** Top values kept in a stored profile, as `reprodiff data` lists them. */
const PROFILE_TOP = 10;

/** Evenly spaced levels 0, 1/(m−1), …, 1. */
export function sketchLevels(m: number): number[] {
  return Array.from({ length: m }, (_v, j) => j / (m - 1));
}

/** Builds the snapshot of named, opened datasets (see the file comment for the scans). */
export async function makeSnapshot(engine: Engine, artifacts: readonly { name: string; dataset: Dataset }[], options: SnapshotOptions = {}): Promise<Snapshot> {
  const cap = Math.floor(options.categoryCap ?? SNAPSHOT_DEFAULTS.categoryCap);
  const m = Math.floor(options.quantiles ?? SNAPSHOT_DEFAULTS.quantiles);
  if (!(cap >= DRIFT_DEFAULTS.categoricalMaxDistinct)) throw new ReprodiffError('E_USAGE', `--category-cap must be at least ${DRIFT_DEFAULTS.categoricalMaxDistinct}, got ${options.categoryCap}`);
  if (!(m >= 3)) throw new ReprodiffError('E_USAGE', `the quantile sketch needs at least 3 levels, got ${options.quantiles}`);
  const names = new Set<string>();
  for (const a of artifacts) {
    if (!/^[A-Za-z0-9_.-]+$/.test(a.name)) throw new ReprodiffError('E_USAGE', `bad artifact name '${a.name}'`, { suggestion: 'use letters, digits, _ . - (write name=path)' });
    if (names.has(a.name)) throw new ReprodiffError('E_USAGE', `artifact name '${a.name}' is given twice`, { suggestion: 'name each input once: name=path' });
    names.add(a.name);
  }
  const out: Record<string, SnapshotArtifact> = {};
  for (const a of artifacts) {
    options.onProgress?.(`snapshot of ${a.name}`);
    out[a.name] = await snapshotArtifact(engine, a.dataset, { cap, m, bins: DRIFT_DEFAULTS.bins, key: options.key });
  }
  return {
    snapshotVersion: SNAPSHOT_VERSION,
    tool: { name: 'reprodiff', version: TOOL_VERSION },
    settings: { categoryCap: cap, quantileLevels: m, bins: DRIFT_DEFAULTS.bins },
    artifacts: out,
    ...(options.env ? { env: options.env } : {}),
  };
}

interface ArtifactSettings {
  readonly cap: number;
  readonly m: number;
  readonly bins: number;
  readonly key?: readonly string[];
}

async function snapshotArtifact(engine: Engine, d: Dataset, s: ArtifactSettings): Promise<SnapshotArtifact> {
  const profile = await profileTable(engine, d.relation, d.columns, { topK: s.cap, topMaxDistinct: Number.POSITIVE_INFINITY });
  const numeric = d.columns.filter((c) => isNumericKind(kindOf(c.type)) || isTemporalKind(kindOf(c.type)));
  const sketches = await numericSketches(engine, d.relation, numeric, profile.columns, s);
  const few = (c: ColumnInfo) => profile.columns[c.name]!.distinct <= s.cap;
  const second = await binsAndValues(engine, d.relation, numeric, sketches, few, (c) => !profile.columns[c.name]!.top);
  const distributions: Record<string, ColumnDistributions> = {};
  const profiles: Record<string, Omit<ColumnProfile, 'exactSum' | 'absSum'>> = {};
  for (const c of d.columns) {
    const p = profile.columns[c.name]!;
    const { exactSum: _exact, absSum: _abs, top, ...rest } = p;
    profiles[c.name] = top ? { ...rest, top: top.slice(0, PROFILE_TOP) } : rest;
    const entry: { numeric?: NumericDistribution; categorical?: CategoricalDistribution } = {};
    const sketch = sketches.get(c.name);
    if (sketch) {
      const values = second.values.get(c.name);
      // Exact values supersede the sketch: it is left empty then.
      entry.numeric = { ...sketch, ...second.moments.get(c.name), counts: second.counts.get(c.name) ?? [sketch.n], ...(values ? { quantiles: [], values } : {}) };
    }
    const text = top ?? second.text.get(c.name);
    if (text) entry.categorical = categorical(text, p, s.cap);
    if (entry.numeric || entry.categorical) distributions[c.name] = entry;
  }
  let key: SnapshotArtifact['key'];
  if (s.key && s.key.length) {
    for (const k of s.key) {
      if (!d.columns.some((c) => c.name === k)) {
        throw new ReprodiffError('E_KEY_UNKNOWN', `key column '${k}' is not in ${d.label}`, {
          suggestion: `columns there: ${d.columns
            .slice(0, 12)
            .map((c) => c.name)
            .join(', ')}${d.columns.length > 12 ? ', …' : ''}`,
        });
      }
    }
    const h = await keyHealth(engine, d.relation, s.key, 0);
    key = { columns: [...s.key], nullKeyRows: h.nullKeyRows, duplicateKeys: h.duplicateKeys, duplicateRows: h.duplicateRows };
  }
  return {
    label: d.label,
    format: d.format,
    rows: profile.rows,
    columns: d.columns.map((c) => ({ name: c.name, type: c.type })),
    fingerprint: profile.fingerprint,
    ...(key ? { key } : {}),
    profiles,
    distributions,
  };
}

/**
 * A column's category frequencies, most frequent first, at most `cap` of them. An identifier or free text
 * (identifierLikeCounts: the rule the comparison uses to skip frequency tests) keeps none: its top values
 * are mostly counts of 1, which no test reads, and they were most of a snapshot's size (48 KB of a 50,000-row
 * table's 163 KB for one e-mail column).
 */
function categorical(values: readonly { value: string; count: number }[], p: ColumnProfile, cap: number): CategoricalDistribution {
  const kept = identifierLikeCounts(p.distinct, p.count) ? [] : values.slice(0, cap).map((v) => ({ value: v.value, count: v.count }));
  const listed = kept.reduce((x, y) => x + y.count, 0);
  return { type: 'categorical', cap, values: kept, otherCount: p.count - listed, distinct: p.distinct };
}

type Sketch = Omit<NumericDistribution, 'counts' | 'values'>;

/** Finite values of a numeric or temporal column, from its profile (temporal values are always finite as epoch seconds). */
function finiteCount(p: ColumnProfile): number {
  return p.count - (p.nan ?? 0) - (p.posInf ?? 0) - (p.negInf ?? 0);
}

/** Scan 3: the order statistics behind the quantile grid and the decile edges of every numeric column (one sort per column, one scan). */
async function numericSketches(engine: Engine, relation: string, columns: readonly ColumnInfo[], profiles: Readonly<Record<string, ColumnProfile>>, s: ArtifactSettings): Promise<Map<string, Sketch>> {
  const out = new Map<string, Sketch>();
  if (columns.length === 0) return out;
  const grid = sketchLevels(s.m);
  const deciles = binLevels(s.bins);
  const ns = columns.map((c) => finiteCount(profiles[c.name]!));
  const ranks = ns.map((n) => ranksFor(n, [...grid, ...deciles]));
  const exprs = columns.map((c) => valueExpr(c.name, isTemporalKind(kindOf(c.type))));
  const at = columns.map(() => new Map<number, number>());
  const live = columns.map((_c, i) => i).filter((i) => ns[i]! > 0);
  if (live.length) {
    const rows = await engine.all(
      orderStatisticsSql(
        relation,
        live.map((i) => exprs[i]!),
        live.map((i) => ranks[i]!),
      ),
    );
    for (const r of rows) {
      const i = live[Number(r.c)]!;
      if (toNumber(r.n) !== ns[i]) throw new Error(`snapshot: ${columns[i]!.name} has ${String(r.n)} finite values, its profile ${ns[i]}`);
      at[i]!.set(toNumber(r.rk)!, toNumber(r.v)!);
    }
  }
  columns.forEach((c, i) => {
    const n = ns[i]!;
    const value = (rank: number) => at[i]!.get(rank)!;
    const q = (levels: number[]) => (n > 0 ? levels.map((l) => linearQuantile(value, n, l)) : []);
    out.set(c.name, {
      type: 'numeric',
      n,
      mean: null,
      stdPop: null,
      min: n > 0 ? at[i]!.get(0)! : null,
      max: n > 0 ? at[i]!.get(n - 1)! : null,
      edges: n > 0 ? binEdges(value, n, s.bins) : [],
      quantiles: q(grid),
    });
  });
  return out;
}

interface SecondPass {
  readonly counts: Map<string, number[]>;
  readonly values: Map<string, [number, number][]>;
  readonly text: Map<string, { value: string; count: number }[]>;
  readonly moments: Map<string, { mean: number | null; stdPop: number | null }>;
}

/**
 * Scan 4: research counts in the decile bins; every distinct finite value of columns with at most `cap` distinct
 * values (so KS and Wasserstein are exact for them); and their values as text when profileTable listed none.
 */
async function binsAndValues(
  engine: Engine,
  relation: string,
  columns: readonly ColumnInfo[],
  sketches: Map<string, Sketch>,
  few: (c: ColumnInfo) => boolean,
  needsText: (c: ColumnInfo) => boolean,
): Promise<SecondPass> {
  const out: SecondPass = { counts: new Map(), values: new Map(), text: new Map(), moments: new Map() };
  const aggs: string[] = [];
  columns.forEach((c, i) => {
    const sketch = sketches.get(c.name)!;
    if (sketch.n === 0) return;
    const x = valueExpr(c.name, isTemporalKind(kindOf(c.type)));
    aggs.push(...binAggregates(x, i, sketch.edges), ...momentAggregates(x, i));
    if (few(c)) {
      aggs.push(exactValuesAggregate(x, i));
      if (needsText(c)) aggs.push(textValuesAggregate(c.name, i));
    }
  });
  if (aggs.length === 0) return out;
  const row = await engine.one(`SELECT ${aggs.join(',\n  ')}\nFROM ${relation}`);
  columns.forEach((c, i) => {
    const sketch = sketches.get(c.name)!;
    if (sketch.n === 0) return;
    out.counts.set(c.name, binCounts(row, i, sketch.edges));
    const variance = toNumber(row[`s${i}_var`]);
    out.moments.set(c.name, { mean: stableFloat(toNumber(row[`s${i}_mean`])), stdPop: variance === null ? null : stableFloat(Math.sqrt(Math.max(0, variance))) });
    const values = mapEntries(row, `v${i}_values`);
    if (values)
      out.values.set(
        c.name,
        values.map(([k, n]) => [toNumber(k)!, n] as [number, number]).sort((a, b) => a[0] - b[0]),
      );
    const text = mapEntries(row, `v${i}_text`);
    if (text) out.text.set(c.name, text.map(([k, n]) => ({ value: String(k), count: n })).sort(byFrequency));
  });
  return out;
}

/** Most frequent first, ties by value (the order categoryCounts returns). */
function byFrequency(a: { value: string; count: number }, b: { value: string; count: number }): number {
  return b.count - a.count || (a.value < b.value ? -1 : a.value > b.value ? 1 : 0);
}

function mapEntries(row: Row, name: string): [unknown, number][] | null {
  if (!(name in row)) return null;
  const v = row[name];
  if (v === null || v === undefined) return [];
  return (v as { key: unknown; value: unknown }[]).map((e) => [e.key, toNumber(e.value) ?? 0]);
}
