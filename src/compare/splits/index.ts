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
import type { Engine } from '../../engine/engine.js';
import { ident } from '../../engine/quote.js';
import { ReprodiffError } from '../../errors.js';
import { finding } from '../../findings/report.js';
import type { EvidenceValue, Finding, OutcomeWith } from '../../findings/types.js';
import type { SplitsSummary } from '../../findings/summaries.js';
import { formatCount, formatNumber, formatPercent } from '../../text/format.js';
import type { Dataset } from '../../sources/register.js';
import { chiSquareHomogeneity } from '../../stats/index.js';
import { matchSchemas } from '../data/columns.js';
import type { ColumnPair } from '../data/columns.js';
import { keyPairs } from '../data/keyed.js';
import { stableFloat, toNumber } from '../shared/values.js';
import { SPLIT_NAMES, TRUTH_NAMES, inferColumn, requirePair } from '../predictions/infer.js';
import { stratificationCause } from './stratification.js';
import { inferGroup, keyConflicts } from './groups.js';
import { keyedAnalysis } from './membership.js';
import { sortSplits } from './model.js';
import type { Columns, Part, Side, SplitCompareOptions, Writable } from './model.js';

export { ABSENT, sortSplits } from './model.js';
export type { SplitCompareOptions } from './model.js';

/** At most this many distinct labels are tested for balance (more looks like a regression target). */
const MAX_LABELS = 50;

/** The summary while the stage builds it: fields are set in report order; mode, key and note come last. */
type SplitsDraft = Writable<Omit<SplitsSummary, 'mode' | 'key' | 'note'>>;

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
  for (const [name, d] of [
    ['research', research],
    ['production', production],
  ] as const) {
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
    const done: SplitsSummary = keyed ? { ...summary, mode: 'keyed', key: keys.map((k) => k.name) } : { ...summary, mode: 'proportions', key: keys.length ? keys.map((k) => k.name) : null, note };
    const labels = done.labels && 'bySplit' in done.labels ? done.labels.bySplit : undefined;
    findings = stratificationCause(findings, labels, cols.label?.name);
    const broken = findings.filter((f) => f.severity !== 'info');
    const reason =
      (note ? `${note}; ` : '') +
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
      research: shares(ra, na),
      production: shares(rb, nb),
      chiSquare: { statistic: stableFloat(chi.statistic), pvalue: chi.pvalue, dof: chi.dof },
      maxShareDiff: stableFloat(maxShareDiff),
    },
  };
  const onlyOne = splits.filter((_s, i) => (ra[i]! === 0) !== (rb[i]! === 0));
  if (!(chi.pvalue < alpha && maxShareDiff > 0.001) && onlyOne.length === 0) return { findings: [], summary };
  const text = splits.map((s, i) => `${s} ${formatPercent(na ? ra[i]! / na : 0)} → ${formatPercent(nb ? rb[i]! / nb : 0)}`).join(', ');
  return {
    summary,
    findings: [
      finding({
        stage: 'splits',
        severity: 'warning',
        cause: 'split_proportions',
        columns: [cols.split.name],
        rowsAffected: null,
        message: `split proportions differ (research → production): ${text}${onlyOne.length ? `; only one side has ${onlyOne.join(', ')}` : ''} (chi-square p = ${formatNumber(chi.pvalue)})`,
        evidence: { splits: [...splits], research: ra, production: rb, statistic: stableFloat(chi.statistic), pvalue: chi.pvalue, dof: chi.dof },
      }),
    ],
  };
}

/** Label counts per split on each side, and a chi-square test per split. */
async function labelBalance(engine: Engine, sides: readonly Side[], splits: readonly string[], cols: Columns, sp: (s: Side) => string, alpha: number): Promise<Part<'labels'>> {
  const label = cols.label!;
  const per = await Promise.all(
    sides.map(async (s) => engine.all(`SELECT ${sp(s)} AS s, CAST(CAST(${ident(s.nameOf(label))} AS ${label.compareType}) AS VARCHAR) AS l, count(*) AS n FROM ${s.table} GROUP BY ALL ORDER BY 1, 2`)),
  );
  const labels = [...new Set(per.flat().map((r) => (r.l === null ? '(null)' : String(r.l))))].sort();
  if (labels.length > MAX_LABELS) {
    return { findings: [], summary: { labels: { note: `${labels.length} distinct values in ${label.name}: not a class label, balance not tested` } } };
  }
  const table = (rows: (typeof per)[number], split: string) => labels.map((l) => toNumber(rows.find((r) => String(r.s) === split && (r.l === null ? '(null)' : String(r.l)) === l)?.n) ?? 0);
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
    out.push(
      finding({
        stage: 'splits',
        severity: 'warning',
        cause: 'label_balance',
        columns: [cols.split.name, label.name],
        rowsAffected: null,
        message: `${split}: label balance of ${label.name} differs (research → production): ${text} (chi-square p = ${formatNumber(chi.pvalue)})`,
        evidence: { split, labels, research: a, production: b, statistic: stableFloat(chi.statistic), pvalue: chi.pvalue, dof: chi.dof },
      }),
    );
  }
  return { findings: out, summary: { labels: { values: labels, bySplit } } };
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
    groupsPerSplit.push(
      [...(await countsBy(engine, `SELECT ${sp(s)} AS s, count(DISTINCT ${g}) AS n FROM ${s.table} WHERE ${ident(s.nameOf(group))} IS NOT NULL GROUP BY 1`)).entries()].sort().join(),
    );
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
    if (f.evidence.sameSizes === true)
      findings[membership] = { ...f, cause: 'split_unseeded', message: `${f.message} while every split keeps its size on both sides: random split without a fixed seed` };
    // Group splits move whole groups, so sizes follow the groups drawn; the number of groups per split is what a seed keeps.
    else if (a.brokenGroups === 0 && b.brokenGroups === 0 && groupsPerSplit[0] === groupsPerSplit[1])
      findings[membership] = {
        ...f,
        cause: 'split_unseeded',
        message: `${f.message} while every ${group.name} group stays whole and each split keeps its number of groups on both sides: random group split without a fixed seed`,
        evidence: { ...f.evidence, sameGroupCounts: true },
      };
    else findings[membership] = { ...f, message: `${f.message}, and split sizes differ` };
  }
  for (const [name, g] of Object.entries(groups)) {
    if (g.brokenGroups === 0) continue;
    const other = name === 'research' ? b : a;
    out.push(
      finding({
        stage: 'splits',
        severity: g.brokenGroups > other.brokenGroups ? 'error' : 'warning',
        cause: 'group_split_broken',
        columns: [cols.split.name, group.name],
        rowsAffected: g.rows,
        message: `${name}: ${formatCount(g.brokenGroups)} of ${formatCount(g.groups)} ${group.name} groups (${formatCount(g.rows)} rows) are in more than one split: group leakage`,
        evidence: { side: name, brokenGroups: g.brokenGroups, groupRows: g.rows, groups: g.groups, sampleGroups: g.sample },
      }),
    );
  }
  return { findings: [...findings, ...out], summary };
}

/**
 * Keys present several times in one assignment table with copies that disagree (another split, another
 * label or value): an upsert or append that did not deduplicate. An error when the other side has fewer
 * such keys; info when both sides have as many (the same data either way, not a difference between them). Sides made of one file per split are left to the
 * leakage check (an id in two split files is leakage, not a duplicate row).
 */
async function conflictFindings(
  engine: Engine,
  sides: readonly Side[],
  keys: readonly ColumnPair[],
  pairs: readonly ColumnPair[],
  cols: Columns,
  options: SplitCompareOptions,
  sample: number,
): Promise<Part<'keyConflicts'>> {
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
    out.push(
      finding({
        stage: 'splits',
        severity: c.keys > other ? 'error' : 'info',
        cause: 'split_conflict',
        columns,
        rowsAffected: c.rows,
        message: `${name}: ${formatCount(c.keys)} ids appear more than once with conflicting rows (${parts.join(', ')}; ${formatCount(c.rows)} rows): duplicate keys from an upsert or append that did not deduplicate`,
        evidence: { side: name, keys: c.keys, rows: c.rows, byColumn: c.byColumn, otherSideKeys: other },
        sampleKeys: c.sample,
      }),
    );
  }
  return { findings: out, summary };
}
