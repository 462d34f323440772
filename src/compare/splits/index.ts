/**
 * The `splits` stage: train/validation/test assignments of the two environments. With a key: per-split
 * agreement (Jaccard), the research→production transition matrix, leakage inside each environment (an
 * id, a group, or a duplicate raw row in more than one split), and the likely cause of a membership
 * difference. Always: split sizes and label balance per split, with chi-square tests. All counting runs
 * in DuckDB; JavaScript handles the per-split counts only.
 *
 * Cause rules, in order of precedence, when shared ids changed split:
 * 1. split_order_dependent: production's sequence of split names, position by position, equals
 *    research's when each side is read in file order or sorted by one of its columns (the sequence must
 *    not simply be sorted by split): the split depends on row order (an unordered database read).
 * 2. group_split_broken: with --group-col, production puts one group in several splits and research
 *    does not: a group split was expected.
 * 3. split_unseeded: every split keeps its size on both sides (within the difference in row counts, plus one
 *    for rounding): an unseeded random split.
 * 4. split_membership: anything else.
 */
import type { Engine, Row } from '../../engine/engine.js';
import { ident } from '../../engine/quote.js';
import { ReprodiffError } from '../../errors.js';
import { finding } from '../../findings/report.js';
import type { Evidence, EvidenceValue, Finding, OutcomeWith } from '../../findings/types.js';
import type { SplitsSummary } from '../../findings/summaries.js';
import { formatCount, formatNumber, formatPercent } from '../../text/format.js';
import type { Dataset } from '../../sources/register.js';
import { chiSquareHomogeneity } from '../../stats/index.js';
import { matchSchemas } from '../data/columns.js';
import type { ColumnPair, SchemaOptions } from '../data/columns.js';
import { keyPairs, keyValue } from '../data/keyed.js';
import { rowHashSql } from '../data/keyless.js';
import { stableFloat, toNumber } from '../data/values.js';
import { SPLIT_NAMES, TRUTH_NAMES, inferColumn, requirePair } from '../predictions/infer.js';
import { stratificationCause } from './stratification.js';
import { groupOrder, inferGroup, keyConflicts } from './groups.js';

export interface SplitCompareOptions extends SchemaOptions {
  readonly key?: readonly string[];
  readonly splitColumn?: string;
  readonly labelColumn?: string;
  readonly groupColumn?: string;
  /** Raw datasets keyed like the assignments: duplicate rows that straddle splits are leakage. */
  readonly raw?: { readonly research?: Dataset; readonly production?: Dataset };
  /** False when a side was assembled from one file per split: its row order says nothing. */
  readonly fileOrder?: { readonly research: boolean; readonly production: boolean };
  readonly sample?: number;
  /** p-value below which split sizes or label balance differ (default 0.05). */
  readonly alpha?: number;
  readonly onProgress?: (message: string) => void;
}

/** Label of ids absent from one side in the transition matrix. */
export const ABSENT = '(none)';
/** At most this many distinct labels are tested for balance (more looks like a regression target). */
const MAX_LABELS = 50;
/** At most this many columns are tried as a sort order for the order-dependence check. */
const MAX_ORDER_COLUMNS = 20;
/** Conventional order of split names; others follow alphabetically. */
const SPLIT_ORDER = ['train', 'training', 'fit', 'dev', 'val', 'valid', 'validation', 'eval', 'calibration', 'test', 'testing', 'holdout', 'oot'];

/** Sorts split names train → validation → test, then alphabetically. */
export function sortSplits(names: Iterable<string>): string[] {
  const rank = (s: string) => {
    const i = SPLIT_ORDER.indexOf(s.toLowerCase());
    return i < 0 ? SPLIT_ORDER.length : i;
  };
  return [...new Set(names)].sort((a, b) => rank(a) - rank(b) || (a < b ? -1 : a > b ? 1 : 0));
}

interface Columns {
  split: ColumnPair;
  label?: ColumnPair;
  group?: ColumnPair;
  inferred: Record<string, string>;
}

interface Side {
  readonly name: 'research' | 'production';
  readonly table: string;
  readonly dataset: Dataset;
  readonly nameOf: (p: ColumnPair) => string;
}

/** The summary while the stage builds it: fields are set in report order; mode, key and note come last. */
type SplitsDraft = Writable<Omit<SplitsSummary, 'mode' | 'key' | 'note'>>;
type Writable<T> = { -readonly [K in keyof T]: T[K] };

/** What one step of the stage adds: its findings and its part of the summary. */
interface Part<K extends keyof SplitsSummary> {
  readonly findings: readonly Finding[];
  readonly summary: Pick<SplitsSummary, K>;
}

let counter = 0;

/** Compares the split assignments of two environments; returns the `splits` stage outcome. */
export async function compareSplits(engine: Engine, research: Dataset, production: Dataset, options: SplitCompareOptions = {}): Promise<OutcomeWith<SplitsSummary>> {
  const progress = options.onProgress ?? (() => {});
  const alpha = options.alpha ?? 0.05;
  const sample = options.sample ?? 5;
  const schema = matchSchemas(research.columns, production.columns, options);
  const cols = resolveColumns(schema.pairs, options);
  const keys = options.key?.length ? keyPairs(schema.pairs, options.key, research, production) : [];
  let findings: Finding[] = [];
  const summary: SplitsDraft = {
    columns: { split: cols.split.name, label: cols.label?.name ?? null, group: cols.group?.name ?? null },
    inferred: cols.inferred,
  };
  const sides: Side[] = [];
  for (const [name, d] of [['research', research], ['production', production]] as const) {
    // A private copy: its rowid is the input's row order (insertion order is preserved by the engine).
    const table = ident(`rd_split_${name}_${++counter}`);
    await engine.run(`CREATE TEMP TABLE ${table} AS SELECT * FROM ${d.relation}`);
    sides.push({ name, table, dataset: d, nameOf: (p) => (name === 'research' ? p.name : p.productionName) });
  }
  try {
    progress('split sizes and label balance');
    const sp = (s: Side) => `CAST(${ident(s.nameOf(cols.split))} AS VARCHAR)`;
    if (keys.length && !cols.group) {
      // No --group-col: the column research's splits are grouped by, when the evidence is strong.
      const g = await inferGroup(engine, sides[0]!, schema.pairs, keys, [cols.split.name, ...(cols.label ? [cols.label.name] : [])], sp(sides[0]!));
      if (g) {
        cols.group = g.pair;
        cols.inferred.group = g.pair.name;
        summary.columns = { ...summary.columns, group: g.pair.name };
        summary.groupInference = { column: g.pair.name, groups: g.groups, expectedBrokenIfRowLevel: stableFloat(g.expectedBroken) };
      }
    }
    const sizes = await Promise.all(sides.map(async (s) => countsBy(engine, `SELECT ${sp(s)} AS s, count(*) AS n FROM ${s.table} GROUP BY 1`)));
    const splits = sortSplits([...sizes[0]!.keys(), ...sizes[1]!.keys()]);
    summary.splits = splits;
    summary.sizes = { research: Object.fromEntries(splits.map((s) => [s, sizes[0]!.get(s) ?? 0])), production: Object.fromEntries(splits.map((s) => [s, sizes[1]!.get(s) ?? 0])) };
    const add = <K extends keyof SplitsSummary>(part: Part<K>) => {
      findings.push(...part.findings);
      Object.assign(summary, part.summary);
    };
    add(proportionTest(splits, sizes[0]!, sizes[1]!, cols, alpha));
    if (cols.label) add(await labelBalance(engine, sides, splits, cols, sp, alpha));

    if (keys.length) add(await conflictFindings(engine, sides, keys, schema.pairs, cols, options, sample));
    let keyed = false;
    if (keys.length) {
      progress('joining assignments on the key');
      const membership = await keyedAnalysis(engine, { sides, keys, cols, splits, sizes, options, sample, sp });
      add(membership);
      keyed = membership.sharedIds > 0;
    }
    if (cols.group) {
      // May re-label the membership finding of keyedAnalysis (a group split explains it), so it returns them all.
      const groups = await groupFindings(engine, sides, cols, sp, findings, sample);
      findings = [...groups.findings];
      summary.groups = groups.summary.groups;
    }
    const note = keyed
      ? undefined
      : keys.length
        ? 'the sides share no ids: split proportions and label balance were compared instead of membership'
        : 'no --key: split proportions and label balance were compared instead of membership';
    const done: SplitsSummary = keyed
      ? { ...summary, mode: 'keyed', key: keys.map((k) => k.name) }
      : { ...summary, mode: 'proportions', key: keys.length ? keys.map((k) => k.name) : null, note };
    const labels = done.labels && 'bySplit' in done.labels ? done.labels.bySplit : undefined;
    findings = stratificationCause(findings, labels, cols.label?.name);
    const broken = findings.filter((f) => f.severity !== 'info');
    const reason = (note ? `${note}; ` : '') +
      (broken.length === 0 ? 'no difference beyond tolerance' : `${broken.length} finding${broken.length === 1 ? '' : 's'}: ${[...new Set(broken.map((f) => f.cause))].join(', ')}`);
    return { result: { stage: 'splits', status: broken.length ? 'different' : 'equal', reason, summary: done }, findings };
  } finally {
    for (const s of sides) await engine.run(`DROP TABLE IF EXISTS ${s.table}`);
  }
}

function resolveColumns(pairs: readonly ColumnPair[], options: SplitCompareOptions): Columns {
  const inferred: Record<string, string> = {};
  let split = options.splitColumn ? requirePair(pairs, options.splitColumn, '--split-col') : undefined;
  if (!split) {
    const name = inferColumn(pairs, SPLIT_NAMES, () => true, options.key ?? []);
    if (!name) {
      throw new ReprodiffError('E_COLUMN_UNKNOWN', 'no split column could be inferred', {
        suggestion: `pass --split-col (looked for ${SPLIT_NAMES.join(', ')}), or give one file per split`,
      });
    }
    split = pairs.find((p) => p.name === name)!;
    inferred.split = name;
  }
  const group = options.groupColumn ? requirePair(pairs, options.groupColumn, '--group-col') : undefined;
  let label = options.labelColumn ? requirePair(pairs, options.labelColumn, '--label-col') : undefined;
  if (!label && !options.labelColumn) {
    const name = inferColumn(pairs, TRUTH_NAMES, () => true, [...(options.key ?? []), split.name, ...(group ? [group.name] : [])]);
    if (name) {
      label = pairs.find((p) => p.name === name);
      inferred.label = name;
    }
  }
  return { split, label, group, inferred };
}

async function countsBy(engine: Engine, sql: string): Promise<Map<string, number>> {
  const rows = await engine.all(sql);
  return new Map(rows.map((r) => [r.s === null ? '(null)' : String(r.s), toNumber(r.n) ?? 0]));
}

/** Split sizes as shares of each side, and the chi-square test of their difference. */
function proportionTest(splits: readonly string[], a: Map<string, number>, b: Map<string, number>, cols: Columns, alpha: number): Part<'proportions'> {
  const ra = splits.map((s) => a.get(s) ?? 0);
  const rb = splits.map((s) => b.get(s) ?? 0);
  const na = ra.reduce((x, y) => x + y, 0);
  const nb = rb.reduce((x, y) => x + y, 0);
  const chi = chiSquareHomogeneity(ra, rb);
  const shares = (r: number[], n: number) => r.map((x) => (n ? stableFloat(x / n)! : 0));
  const maxShareDiff = Math.max(0, ...splits.map((_s, i) => Math.abs((na ? ra[i]! / na : 0) - (nb ? rb[i]! / nb : 0))));
  const summary = {
    proportions: {
      research: shares(ra, na), production: shares(rb, nb),
      chiSquare: { statistic: stableFloat(chi.statistic), pvalue: chi.pvalue, dof: chi.dof },
      maxShareDiff: stableFloat(maxShareDiff),
    },
  };
  const onlyOne = splits.filter((_s, i) => (ra[i]! === 0) !== (rb[i]! === 0));
  if (!(chi.pvalue < alpha && maxShareDiff > 0.001) && onlyOne.length === 0) return { findings: [], summary };
  const text = splits.map((s, i) => `${s} ${formatPercent(na ? ra[i]! / na : 0)} → ${formatPercent(nb ? rb[i]! / nb : 0)}`).join(', ');
  return { summary, findings: [finding({
    stage: 'splits', severity: 'warning', cause: 'split_proportions', columns: [cols.split.name], rowsAffected: null,
    message: `split proportions differ (research → production): ${text}${onlyOne.length ? `; only one side has ${onlyOne.join(', ')}` : ''} (chi-square p = ${formatNumber(chi.pvalue)})`,
    evidence: { splits: [...splits], research: ra, production: rb, statistic: stableFloat(chi.statistic), pvalue: chi.pvalue, dof: chi.dof },
  })] };
}

/** Label counts per split on each side, and a chi-square test per split. */
async function labelBalance(engine: Engine, sides: readonly Side[], splits: readonly string[], cols: Columns, sp: (s: Side) => string, alpha: number): Promise<Part<'labels'>> {
  const label = cols.label!;
  const per = await Promise.all(
    sides.map(async (s) =>
      engine.all(`SELECT ${sp(s)} AS s, CAST(CAST(${ident(s.nameOf(label))} AS ${label.compareType}) AS VARCHAR) AS l, count(*) AS n FROM ${s.table} GROUP BY ALL ORDER BY 1, 2`),
    ),
  );
  const labels = [...new Set(per.flat().map((r) => (r.l === null ? '(null)' : String(r.l))))].sort();
  if (labels.length > MAX_LABELS) {
    return { findings: [], summary: { labels: { note: `${labels.length} distinct values in ${label.name}: not a class label, balance not tested` } } };
  }
  const table = (rows: typeof per[number], split: string) => labels.map((l) => toNumber(rows.find((r) => String(r.s) === split && (r.l === null ? '(null)' : String(r.l)) === l)?.n) ?? 0);
  const out: Finding[] = [];
  const bySplit: Record<string, { research: number[]; production: number[]; chiSquare: { statistic: number | null; pvalue: number; dof: number } }> = {};
  for (const split of splits) {
    const a = table(per[0]!, split);
    const b = table(per[1]!, split);
    const chi = chiSquareHomogeneity(a, b);
    bySplit[split] = { research: a, production: b, chiSquare: { statistic: stableFloat(chi.statistic), pvalue: chi.pvalue, dof: chi.dof } };
    const na = a.reduce((x, y) => x + y, 0);
    const nb = b.reduce((x, y) => x + y, 0);
    if (na === 0 || nb === 0 || !(chi.pvalue < alpha)) continue;
    const text = labels.map((l, i) => `${l} ${formatPercent(a[i]! / na)} → ${formatPercent(b[i]! / nb)}`).join(', ');
    out.push(finding({
      stage: 'splits', severity: 'warning', cause: 'label_balance', columns: [cols.split.name, label.name], rowsAffected: null,
      message: `${split}: label balance of ${label.name} differs (research → production): ${text} (chi-square p = ${formatNumber(chi.pvalue)})`,
      evidence: { split, labels, research: a, production: b, statistic: stableFloat(chi.statistic), pvalue: chi.pvalue, dof: chi.dof },
    }));
  }
  return { findings: out, summary: { labels: { values: labels, bySplit } } };
}

/** What the keyed analysis reads: both sides' assignments, the key, the columns, and the split sizes already counted. */
interface MembershipInput {
  readonly sides: readonly Side[];
  readonly keys: readonly ColumnPair[];
  readonly cols: Columns;
  readonly splits: readonly string[];
  readonly sizes: readonly Map<string, number>[];
  readonly options: SplitCompareOptions;
  readonly sample: number;
  /** A side's split column as text. */
  readonly sp: (s: Side) => string;
}

/** The keyed analysis' findings and summary part; `sharedIds` 0 when the sides share no ids (membership not compared). */
interface Membership extends Part<'leakage' | 'rawDuplicates' | 'transitions' | 'agreement' | 'ids' | 'orderMatch' | 'groupOrder'> {
  readonly sharedIds: number;
}

/** Membership agreement, transitions, leakage and the likely cause. */
async function keyedAnalysis(engine: Engine, input: MembershipInput): Promise<Membership> {
  const { sides, keys, cols, splits, sizes, options, sample, sp } = input;
  const findings: Finding[] = [];
  const summary: Writable<Membership['summary']> = {};
  const kc = keys.map((_k, i) => `k${i}`);
  const kSel = (s: Side) => keys.map((k, i) => `CAST(${ident(s.nameOf(k))} AS ${k.compareType}) AS k${i}`).join(', ');
  const notNull = (s: Side) => keys.map((k) => `${ident(s.nameOf(k))} IS NOT NULL`).join(' AND ');
  const assignments = (s: Side) => `(SELECT ${kSel(s)}, ${sp(s)} AS sp FROM ${s.table} WHERE ${notNull(s)})`;
  const pairsOf = (s: Side) => `(SELECT DISTINCT * FROM ${assignments(s)})`;
  const sameKey = (a: string, b: string) => kc.map((k) => `${a}.${k} = ${b}.${k}`).join(' AND ');
  const keyOut = (r: Row) => keyValue(kc.map((k) => r[k])) as EvidenceValue;

  // Leakage inside each environment: an id in more than one split.
  const leakage: Record<string, { ids: number; combinations: Record<string, number> }> = {};
  for (const s of sides) {
    // min ≠ max finds the ids in several splits in one plain hash aggregate; the DISTINCT aggregates that
    // name their combination then run on those ids only (grouped DISTINCT aggregates over 10M ids took 22 s).
    const multi = `SELECT ${kc.join(', ')} FROM ${assignments(s)} GROUP BY ALL HAVING min(sp) <> max(sp)`;
    const base = `SELECT ${kc.map((k) => `r.${k}`).join(', ')}, string_agg(DISTINCT r.sp, ' + ' ORDER BY r.sp) AS combo
FROM ${assignments(s)} r SEMI JOIN (${multi}) m ON ${sameKey('r', 'm')} GROUP BY ALL`;
    const combos = await engine.all(`SELECT combo, count(*) AS n FROM (${base}) GROUP BY combo ORDER BY combo`);
    const ids = combos.reduce((x, r) => x + (toNumber(r.n) ?? 0), 0);
    leakage[s.name] = { ids, combinations: Object.fromEntries(combos.map((r) => [String(r.combo), toNumber(r.n) ?? 0])) };
    if (ids > 0) {
      const samples = (await engine.all(`SELECT ${kc.join(', ')} FROM (${base}) ORDER BY ${kc.join(', ')} LIMIT ${sample}`)).map(keyOut);
      findings.push(finding({
        stage: 'splits', severity: 'error', cause: 'split_leakage', columns: [cols.split.name], rowsAffected: ids,
        message: `${s.name}: ${formatCount(ids)} ids are in more than one split (${combos.map((r) => `${String(r.combo)}: ${formatCount(toNumber(r.n) ?? 0)}`).join(', ')}): leakage between splits`,
        evidence: { side: s.name, ids, combinations: Object.fromEntries(combos.map((r) => [String(r.combo), toNumber(r.n) ?? 0])) }, sampleKeys: samples,
      }));
    }
  }
  summary.leakage = leakage;
  const rawDup = await rawDuplicates(engine, sides, keys, kSel, notNull, sp, options, sample, cols);
  if (rawDup) {
    summary.rawDuplicates = rawDup.summary;
    findings.push(...rawDup.findings);
  }

  // Transition matrix over distinct (id, split) pairs.
  const on = kc.map((k) => `a.${k} = b.${k}`).join(' AND ');
  // The same (id, split) pair on both sides is agreement, whatever else the id holds (an id in two splits
  // on both sides agrees twice); only the memberships left over are matched by id into transitions.
  const onPair = `${on} AND a.sp = b.sp`;
  const rows = await engine.all(`WITH a0 AS ${pairsOf(sides[0]!)}, b0 AS ${pairsOf(sides[1]!)},
ra AS (SELECT * FROM a0 a ANTI JOIN b0 b ON ${onPair}), rb AS (SELECT * FROM b0 b ANTI JOIN a0 a ON ${onPair})
SELECT ra, rb, count(*) AS n FROM (
  SELECT a.sp AS ra, b.sp AS rb FROM a0 a JOIN b0 b ON ${onPair}
  UNION ALL SELECT a.sp AS ra, b.sp AS rb FROM ra a FULL OUTER JOIN rb b ON ${on}
) GROUP BY ALL`);
  const shared = await engine.one(`SELECT count(*) AS n FROM (SELECT DISTINCT ${kc.join(', ')} FROM ${assignments(sides[0]!)}) a SEMI JOIN (SELECT DISTINCT ${kc.join(', ')} FROM ${assignments(sides[1]!)}) b ON ${on}`);
  const sharedIds = toNumber(shared.n) ?? 0;
  if (sharedIds === 0) return { findings, summary, sharedIds };
  const label = (v: unknown) => (v === null || v === undefined ? ABSENT : String(v));
  const rNames = sortSplits(rows.filter((r) => r.ra !== null).map((r) => String(r.ra)));
  const pNames = sortSplits(rows.filter((r) => r.rb !== null).map((r) => String(r.rb)));
  const hasAbsentR = rows.some((r) => r.ra === null);
  const hasAbsentP = rows.some((r) => r.rb === null);
  const rLabels = [...rNames, ...(hasAbsentR ? [ABSENT] : [])];
  const pLabels = [...pNames, ...(hasAbsentP ? [ABSENT] : [])];
  const counts = rLabels.map(() => pLabels.map(() => 0));
  let moved = 0;
  for (const r of rows) {
    const i = rLabels.indexOf(label(r.ra));
    const j = pLabels.indexOf(label(r.rb));
    const n = toNumber(r.n) ?? 0;
    counts[i]![j]! += n;
  }
  // Ids that changed split: one split on each side, not the same. (Ids in several splits are leakage, reported above.)
  // One split ⟺ min = max over the id's non-null assignments (count(DISTINCT) grouped by id is far slower).
  const single = (x: Side) => `(SELECT ${kc.join(', ')}, min(sp) AS sp FROM ${assignments(x)} GROUP BY ALL HAVING min(sp) = max(sp))`;
  moved = toNumber((await engine.one(`SELECT count(*) AS n FROM ${single(sides[0]!)} a JOIN ${single(sides[1]!)} b ON ${on} WHERE a.sp <> b.sp`)).n) ?? 0;
  summary.transitions = { research: rLabels, production: pLabels, counts };
  const agreement: Record<string, { inBoth: number; onlyResearch: number; onlyProduction: number; jaccard: number | null }> = {};
  for (const s of splits) {
    const i = rLabels.indexOf(s);
    const j = pLabels.indexOf(s);
    const inR = i < 0 ? 0 : counts[i]!.reduce((x, y) => x + y, 0);
    const inP = j < 0 ? 0 : counts.reduce((x, row) => x + row[j]!, 0);
    const both = i < 0 || j < 0 ? 0 : counts[i]![j]!;
    agreement[s] = { inBoth: both, onlyResearch: inR - both, onlyProduction: inP - both, jaccard: inR + inP - both ? stableFloat(both / (inR + inP - both)) : null };
  }
  summary.agreement = agreement;
  // Ids in no split of the other side (a leftover membership of an id the other side has is a transition to "(none)", not a missing id).
  const idsOf = (x: Side) => `(SELECT DISTINCT ${kc.join(', ')} FROM ${assignments(x)})`;
  const onlyR = hasAbsentP ? toNumber((await engine.one(`SELECT count(*) AS n FROM ${idsOf(sides[0]!)} a ANTI JOIN ${idsOf(sides[1]!)} b ON ${on}`)).n) ?? 0 : 0;
  const onlyP = hasAbsentR ? toNumber((await engine.one(`SELECT count(*) AS n FROM ${idsOf(sides[1]!)} b ANTI JOIN ${idsOf(sides[0]!)} a ON ${on}`)).n) ?? 0 : 0;
  summary.ids = { shared: sharedIds, moved, onlyResearch: onlyR, onlyProduction: onlyP };

  for (const [n, side, other] of [[onlyR, 'research', 'production'], [onlyP, 'production', 'research']] as const) {
    if (n === 0) continue;
    const [a, b] = side === 'research' ? ['a', 'b'] : ['b', 'a'];
    const samples = (await engine.all(`SELECT ${kc.map((k) => `${a}.${k}`).join(', ')} FROM ${pairsOf(sides[0]!)} a FULL OUTER JOIN ${pairsOf(sides[1]!)} b ON ${on} WHERE ${b}.${kc[0]} IS NULL ORDER BY ${kc.map((k) => `${a}.${k}`).join(', ')} LIMIT ${sample}`)).map(keyOut);
    findings.push(finding({
      stage: 'splits', severity: 'warning', cause: 'split_membership', columns: [cols.split.name], rowsAffected: n,
      message: `${formatCount(n)} ids assigned in ${side} are in no ${other} split`,
      evidence: { side, ids: n }, sampleKeys: samples,
    }));
  }
  if (moved === 0) return { findings, summary, sharedIds };

  // Why did shared ids change split?
  const movedSamples = (await engine.all(`SELECT ${kc.map((k) => `a.${k}`).join(', ')} FROM ${single(sides[0]!)} a JOIN ${single(sides[1]!)} b ON ${on} WHERE a.sp <> b.sp ORDER BY ${kc.map((k) => `a.${k}`).join(', ')} LIMIT ${sample}`)).map(keyOut);
  const offDiag: Record<string, number> = {};
  rLabels.forEach((r, i) => pLabels.forEach((p, j) => {
    if (r !== ABSENT && p !== ABSENT && r !== p && counts[i]![j]! > 0) offDiag[`${r} → ${p}`] = counts[i]![j]!;
  }));
  // Same proportions: a split re-run on a few more or fewer rows (rows lost upstream) moves each size by at
  // most the difference in row counts, plus one for rounding.
  const rowsA = [...sizes[0]!.values()].reduce((x, y) => x + y, 0);
  const rowsB = [...sizes[1]!.values()].reduce((x, y) => x + y, 0);
  const sameSizes = splits.every((s) => Math.abs((sizes[0]!.get(s) ?? 0) - (sizes[1]!.get(s) ?? 0)) <= Math.abs(rowsA - rowsB) + 1);
  // Under independent random splits with these proportions, the expected share of ids keeping their split.
  const n0 = [...sizes[0]!.values()].reduce((x, y) => x + y, 0);
  const n1 = [...sizes[1]!.values()].reduce((x, y) => x + y, 0);
  const expectedAgreement = stableFloat(splits.reduce((x, s) => x + ((sizes[0]!.get(s) ?? 0) / Math.max(1, n0)) * ((sizes[1]!.get(s) ?? 0) / Math.max(1, n1)), 0));
  const evidence = { moved, sharedIds, share: stableFloat(moved / sharedIds), transitions: offDiag, sameSizes, expectedAgreementIfIndependent: expectedAgreement, observedAgreement: stableFloat(1 - moved / sharedIds) };
  const what = `${formatCount(moved)} of ${formatCount(sharedIds)} shared ids (${formatPercent(moved / sharedIds)}) are in another split in production`;
  const order = sameSizes || n0 === n1 ? await orderDependence(engine, sides, keys, cols, splits.length, sp, options) : null;
  if (order) summary.orderMatch = order;
  // With groups kept whole on both sides, the evidence is at group level: groups per split, and the split sequence by first appearance.
  const groups = !order && cols.group ? await groupOrder(engine, sides, cols.group, sp, splits.length, { research: options.fileOrder?.research ?? true, production: options.fileOrder?.production ?? true }) : null;
  if (groups) summary.groupOrder = { groupsIntact: true, sameGroupCounts: groups.sameGroupCounts, orderMatch: groups.orderMatch, groupsPerSplit: groups.groupsPerSplit };
  const groupEvidence: Evidence = groups ? { groupColumn: cols.group!.name, groupsIntact: true, sameGroupCounts: groups.sameGroupCounts, groupsPerSplit: groups.groupsPerSplit } : {};
  if (order) {
    findings.push(finding({
      stage: 'splits', severity: 'error', cause: 'split_order_dependent', columns: [cols.split.name], rowsAffected: moved,
      message: `${what}, yet production's split sequence equals research's position by position (research ${order.research}, production ${order.production}): the split depends on row order (unordered database read); sort the rows before splitting`,
      evidence: { ...evidence, researchOrder: order.research, productionOrder: order.production }, sampleKeys: movedSamples,
    }));
  } else if (groups?.orderMatch) {
    findings.push(finding({
      stage: 'splits', severity: 'error', cause: 'split_order_dependent', columns: [cols.split.name, cols.group!.name], rowsAffected: moved,
      message: `${what}, yet every ${cols.group!.name} group stays whole on both sides and, listed in order of first appearance in each file, the groups get the same split sequence: the groups are numbered by first appearance and the rows were read in another order (unordered database read); sort the rows (or number the groups by value) before splitting`,
      evidence: { ...evidence, ...groupEvidence, orderedBy: `first appearance of ${cols.group!.name}` }, sampleKeys: movedSamples,
    }));
  } else if (groups?.sameGroupCounts) {
    findings.push(finding({
      stage: 'splits', severity: 'error', cause: 'split_unseeded', columns: [cols.split.name, cols.group!.name], rowsAffected: moved,
      message: `${what} while every ${cols.group!.name} group stays whole on both sides and every split keeps its number of groups: a group split without a fixed seed`,
      evidence: { ...evidence, ...groupEvidence }, sampleKeys: movedSamples,
    }));
  } else if (cols.group) {
    // Group analysis runs after; it decides (see groupFindings) — keep the membership finding for it.
    findings.push(finding({ stage: 'splits', severity: 'error', cause: 'split_membership', columns: [cols.split.name], rowsAffected: moved, message: `${what}`, evidence, sampleKeys: movedSamples }));
  } else if (sameSizes) {
    findings.push(finding({
      stage: 'splits', severity: 'error', cause: 'split_unseeded', columns: [cols.split.name], rowsAffected: moved,
      message: `${what} while every split keeps its size on both sides: random split without a fixed seed`,
      evidence, sampleKeys: movedSamples,
    }));
  } else {
    findings.push(finding({ stage: 'splits', severity: 'error', cause: 'split_membership', columns: [cols.split.name], rowsAffected: moved, message: `${what}, and split sizes differ`, evidence, sampleKeys: movedSamples }));
  }
  return { findings, summary, sharedIds };
}

/**
 * Groups in more than one split, per side. When production breaks groups that research kept whole, the
 * membership difference is re-labelled group_split_broken; otherwise each breaking side gets a finding.
 * Returns every finding: `before` with the membership finding re-labelled, then its own.
 */
async function groupFindings(engine: Engine, sides: readonly Side[], cols: Columns, sp: (s: Side) => string, before: readonly Finding[], sample: number): Promise<Part<'groups'>> {
  const findings = [...before];
  const group = cols.group!;
  const groups: Record<string, { brokenGroups: number; rows: number; groups: number; sample: EvidenceValue[] }> = {};
  const groupsPerSplit: string[] = [];
  for (const s of sides) {
    const g = `CAST(${ident(s.nameOf(group))} AS VARCHAR)`;
    // A group is in several splits when its smallest and largest split differ (cheaper than count(DISTINCT) per group).
    const base = `SELECT ${g} AS g, min(${sp(s)}) <> max(${sp(s)}) AS several, count(*) AS n FROM ${s.table} WHERE ${ident(s.nameOf(group))} IS NOT NULL GROUP BY 1`;
    const r = await engine.one(`SELECT count(*) AS groups, count(*) FILTER (WHERE several) AS broken, coalesce(sum(n) FILTER (WHERE several), 0) AS rows FROM (${base})`);
    const samples = (await engine.all(`SELECT g FROM (${base}) WHERE several ORDER BY g LIMIT ${sample}`)).map((x) => String(x.g));
    groups[s.name] = { groups: toNumber(r.groups) ?? 0, brokenGroups: toNumber(r.broken) ?? 0, rows: toNumber(r.rows) ?? 0, sample: samples };
    groupsPerSplit.push([...(await countsBy(engine, `SELECT ${sp(s)} AS s, count(DISTINCT ${g}) AS n FROM ${s.table} WHERE ${ident(s.nameOf(group))} IS NOT NULL GROUP BY 1`)).entries()].sort().join());
  }
  const summary = { groups: Object.fromEntries(Object.entries(groups).map(([k, v]) => [k, { groups: v.groups, brokenGroups: v.brokenGroups, rows: v.rows }])) };
  const out: Finding[] = [];
  const a = groups.research!;
  const b = groups.production!;
  const membership = findings.findIndex((f) => f.cause === 'split_membership' && f.evidence.moved !== undefined);
  if (b.brokenGroups > 0 && a.brokenGroups === 0) {
    const message = `production puts ${formatCount(b.brokenGroups)} of ${formatCount(b.groups)} ${group.name} groups (${formatCount(b.rows)} rows) in more than one split, research none: a group split (GroupKFold / GroupShuffleSplit) was expected`;
    const extra = { brokenGroups: b.brokenGroups, groupRows: b.rows, groups: b.groups, sampleGroups: b.sample };
    if (membership >= 0) {
      const f = findings[membership]!;
      findings[membership] = { ...f, cause: 'group_split_broken', columns: [cols.split.name, group.name], message: `${f.message}; ${message}`, evidence: { ...f.evidence, ...extra } };
    } else {
      out.push(finding({ stage: 'splits', severity: 'error', cause: 'group_split_broken', columns: [cols.split.name, group.name], rowsAffected: b.rows, message, evidence: extra }));
    }
    return { findings: [...findings, ...out], summary };
  }
  if (membership >= 0) {
    // No group explanation: fall back to the size rule.
    const f = findings[membership]!;
    if (f.evidence.sameSizes === true) findings[membership] = { ...f, cause: 'split_unseeded', message: `${f.message} while every split keeps its size on both sides: random split without a fixed seed` };
    // Group splits move whole groups, so sizes follow the groups drawn; the number of groups per split is what a seed keeps.
    else if (a.brokenGroups === 0 && b.brokenGroups === 0 && groupsPerSplit[0] === groupsPerSplit[1]) findings[membership] = { ...f, cause: 'split_unseeded', message: `${f.message} while every ${group.name} group stays whole and each split keeps its number of groups on both sides: random group split without a fixed seed`, evidence: { ...f.evidence, sameGroupCounts: true } };
    else findings[membership] = { ...f, message: `${f.message}, and split sizes differ` };
  }
  for (const [name, g] of Object.entries(groups)) {
    if (g.brokenGroups === 0) continue;
    const other = name === 'research' ? b : a;
    out.push(finding({
      stage: 'splits', severity: g.brokenGroups > other.brokenGroups ? 'error' : 'warning', cause: 'group_split_broken', columns: [cols.split.name, group.name], rowsAffected: g.rows,
      message: `${name}: ${formatCount(g.brokenGroups)} of ${formatCount(g.groups)} ${group.name} groups (${formatCount(g.rows)} rows) are in more than one split: group leakage`,
      evidence: { side: name, brokenGroups: g.brokenGroups, groupRows: g.rows, groups: g.groups, sampleGroups: g.sample },
    }));
  }
  return { findings: [...findings, ...out], summary };
}

/**
 * Keys present several times in one assignment table with copies that disagree (another split, another
 * label or value): an upsert or append that did not deduplicate. An error when the other side has fewer
 * such keys; info when both sides have as many (the same data either way, not a difference between them). Sides made of one file per split are left to the
 * leakage check (an id in two split files is leakage, not a duplicate row).
 */
async function conflictFindings(engine: Engine, sides: readonly Side[], keys: readonly ColumnPair[], pairs: readonly ColumnPair[], cols: Columns, options: SplitCompareOptions, sample: number): Promise<Part<'keyConflicts'>> {
  const found = new Map<string, Awaited<ReturnType<typeof keyConflicts>>>();
  for (const s of sides) {
    if (options.fileOrder?.[s.name] === false) continue;
    found.set(s.name, await keyConflicts(engine, s, keys, pairs, sample));
  }
  const summary = [...found.values()].some((v) => v.keys > 0) ? { keyConflicts: Object.fromEntries([...found].map(([k, v]) => [k, { keys: v.keys, rows: v.rows, byColumn: v.byColumn }])) } : {};
  const out: Finding[] = [];
  for (const [name, c] of found) {
    if (c.keys === 0) continue;
    const other = found.get(name === 'research' ? 'production' : 'research')?.keys ?? 0;
    const columns = Object.keys(c.byColumn).sort((x, y) => (x === cols.split.name ? -1 : y === cols.split.name ? 1 : x < y ? -1 : 1));
    const parts = columns.map((col) => (col === cols.split.name ? `${formatCount(c.byColumn[col]!)} in different splits` : `${formatCount(c.byColumn[col]!)} with different ${col}`));
    out.push(finding({
      stage: 'splits', severity: c.keys > other ? 'error' : 'info', cause: 'split_conflict', columns, rowsAffected: c.rows,
      message: `${name}: ${formatCount(c.keys)} ids appear more than once with conflicting rows (${parts.join(', ')}; ${formatCount(c.rows)} rows): duplicate keys from an upsert or append that did not deduplicate`,
      evidence: { side: name, keys: c.keys, rows: c.rows, byColumn: c.byColumn, otherSideKeys: other }, sampleKeys: c.sample,
    }));
  }
  return { findings: out, summary };
}

/** With a raw dataset: rows with the same content (all non-key columns) assigned to different splits. */
async function rawDuplicates(
  engine: Engine,
  sides: readonly Side[],
  keys: readonly ColumnPair[],
  kSel: (s: Side) => string,
  notNull: (s: Side) => string,
  sp: (s: Side) => string,
  options: SplitCompareOptions,
  sample: number,
  cols: Columns,
): Promise<{ summary: NonNullable<SplitsSummary['rawDuplicates']>; findings: Finding[] } | null> {
  if (!options.raw?.research && !options.raw?.production) return null;
  const out: Record<string, { duplicateGroups: number; rows: number; combinations: Record<string, number> }> = {};
  const findings: Finding[] = [];
  for (const s of sides) {
    const raw = options.raw[s.name];
    if (!raw) continue;
    const keyNames = keys.map((k) => s.nameOf(k));
    const missing = keyNames.filter((k) => !raw.columns.some((c) => c.name === k));
    if (missing.length) throw new ReprodiffError('E_KEY_UNKNOWN', `key column '${missing[0]}' is not in the raw ${s.name} dataset ${raw.label}`, { suggestion: 'the raw dataset must carry the same key as the split assignments' });
    const content = raw.columns.filter((c) => !keyNames.includes(c.name));
    if (!content.length) continue;
    const pairs = matchSchemas(content, content).pairs;
    const rawSel = `SELECT ${keys.map((k, i) => `CAST(${ident(s.nameOf(k))} AS ${k.compareType}) AS k${i}`).join(', ')}, ${rowHashSql(pairs, 'research')} AS h FROM ${raw.relation}`;
    const on = keys.map((_k, i) => `r.k${i} = a.k${i}`).join(' AND ');
    const joined = `SELECT r.h, a.sp, ${keys.map((_k, i) => `r.k${i}`).join(', ')} FROM (${rawSel}) r JOIN (SELECT DISTINCT ${kSel(s)}, ${sp(s)} AS sp FROM ${s.table} WHERE ${notNull(s)}) a ON ${on}`;
    const base = `SELECT h, count(*) AS n, string_agg(DISTINCT sp, ' + ' ORDER BY sp) AS combo FROM (${joined}) GROUP BY h HAVING min(sp) <> max(sp)`;
    const r = await engine.one(`SELECT count(*) AS groups, coalesce(sum(n), 0) AS rows FROM (${base})`);
    const combos = await engine.all(`SELECT combo, count(*) AS n FROM (${base}) GROUP BY combo ORDER BY combo`);
    const groups = toNumber(r.groups) ?? 0;
    const rows = toNumber(r.rows) ?? 0;
    out[s.name] = { duplicateGroups: groups, rows, combinations: Object.fromEntries(combos.map((c) => [String(c.combo), toNumber(c.n) ?? 0])) };
    if (groups === 0) continue;
    const samples = (await engine.all(`SELECT ${keys.map((_k, i) => `k${i}`).join(', ')} FROM (${joined}) WHERE h IN (SELECT h FROM (${base})) ORDER BY ${keys.map((_k, i) => `k${i}`).join(', ')} LIMIT ${sample}`)).map(
      (x) => keyValue(keys.map((_k, i) => x[`k${i}`])) as EvidenceValue,
    );
    findings.push(finding({
      stage: 'splits', severity: 'error', cause: 'split_leakage', columns: [cols.split.name], rowsAffected: rows,
      message: `${s.name}: ${formatCount(groups)} duplicated raw rows (${formatCount(rows)} rows) straddle splits (${combos.map((c) => `${String(c.combo)}: ${formatCount(toNumber(c.n) ?? 0)}`).join(', ')}): the same example is trained and evaluated on`,
      evidence: { side: s.name, kind: 'duplicate_rows', duplicateGroups: groups, rows, raw: raw.label }, sampleKeys: samples,
    }));
  }
  return { summary: out, findings };
}

/**
 * Order dependence: the sequence of split names when a side is read in file order or sorted by one of
 * its columns (ties by key, then file order), fingerprinted as the sum of hash('position:split') (hash of
 * one string: DuckDB's multi-argument hash combines by xor, which would lose the pairing). Returns the
 * first pair of orders (file order first) under which both sides give the same sequence, unless that
 * sequence is simply sorted by split.
 */
async function orderDependence(engine: Engine, sides: readonly Side[], keys: readonly ColumnPair[], cols: Columns, splitCount: number, sp: (s: Side) => string, options: SplitCompareOptions): Promise<{ research: string; production: string } | null> {
  const prints: { label: string; hash: string; changes: number; n: number }[][] = [];
  for (const s of sides) {
    const fileOrder = options.fileOrder?.[s.name] ?? true;
    const tie = [...keys.map((k) => ident(s.nameOf(k))), 'rowid'].join(', ');
    const candidates = s.dataset.columns
      .filter((c) => c.name !== s.nameOf(cols.split) && !/^(STRUCT|MAP|LIST|UNION)/i.test(c.type) && !c.type.endsWith('[]'))
      .map((c) => c.name)
      .sort()
      .slice(0, MAX_ORDER_COLUMNS);
    const orders = [...(fileOrder ? [{ label: 'file order', by: 'rowid' }] : []), ...candidates.map((c) => ({ label: `sorted by ${c}`, by: `${ident(c)}, ${tie}` }))];
    if (!orders.length) return null;
    // A stratified split draws each label's positions apart: its sequence repeats within each label.
    const lab = cols.label ? `CAST(${ident(s.nameOf(cols.label))} AS VARCHAR)` : null;
    const inner = orders.map((o, i) => `row_number() OVER (ORDER BY ${o.by}) AS r${i}, (${sp(s)} IS DISTINCT FROM lag(${sp(s)}) OVER (ORDER BY ${o.by})) AS x${i}${lab ? `, row_number() OVER (PARTITION BY ${lab} ORDER BY ${o.by}) AS q${i}` : ''}`).join(', ');
    const outer = orders.map((_o, i) => `CAST(sum(hash(CAST(r${i} AS VARCHAR) || ':' || coalesce(s, ''))) AS VARCHAR) AS h${i}, count(*) FILTER (WHERE x${i}) - 1 AS c${i}${lab ? `, CAST(sum(hash(CAST(q${i} AS VARCHAR) || ':' || coalesce(l, '') || ':' || coalesce(s, ''))) AS VARCHAR) AS g${i}` : ''}`).join(', ');
    const row = await engine.one(`SELECT count(*) AS n, ${outer} FROM (SELECT ${sp(s)} AS s, ${lab ? `${lab} AS l, ` : ''}${inner} FROM ${s.table})`);
    const print = (o: { label: string }, i: number, h: string, within: string) => ({ label: `${o.label}${within}`, hash: String(row[`${h}${i}`]), changes: toNumber(row[`c${i}`]) ?? 0, n: toNumber(row.n) ?? 0 });
    prints.push([...orders.map((o, i) => print(o, i, 'h', '')), ...(lab ? orders.map((o, i) => print(o, i, 'g', ` within each ${cols.label!.name}`)) : [])]);
  }
  for (const a of prints[0]!) {
    for (const b of prints[1]!) {
      if (a.n === b.n && a.hash === b.hash && a.changes >= splitCount) return { research: a.label, production: b.label };
    }
  }
  return null;
}
