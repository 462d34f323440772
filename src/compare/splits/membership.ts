/**
 * The keyed part of the splits stage: leakage inside each environment (an id, or a duplicated raw row, in more
 * than one split), the research → production transition matrix, per-split agreement, and the likely cause of a
 * membership difference (rules in the header of index.ts).
 */
import type { Engine, Row } from '../../engine/engine.js';
import { ident } from '../../engine/quote.js';
import { ReprodiffError } from '../../errors.js';
import { finding } from '../../findings/report.js';
import type { SplitsSummary } from '../../findings/summaries.js';
import type { Evidence, EvidenceValue, Finding } from '../../findings/types.js';
import { formatCount, formatPercent } from '../../text/format.js';
import { matchSchemas } from '../data/columns.js';
import type { ColumnPair } from '../data/columns.js';
import { keyValue } from '../data/keyed.js';
import { rowHashSql } from '../data/keyless.js';
import { stableFloat, toNumber } from '../shared/values.js';
import { groupOrder } from './groups.js';
import { ABSENT, sortSplits } from './model.js';
import type { Columns, Part, Side, SplitCompareOptions, Writable } from './model.js';

/** At most this many columns are tried as a sort order for the order-dependence check. */
const MAX_ORDER_COLUMNS = 20;

/** What the keyed analysis reads: both sides' assignments, the key, the columns, and the split sizes already counted. */
export interface MembershipInput {
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
export interface Membership extends Part<'leakage' | 'rawDuplicates' | 'transitions' | 'agreement' | 'ids' | 'orderMatch' | 'groupOrder'> {
  readonly sharedIds: number;
}

/** Membership agreement, transitions, leakage and the likely cause. */
export async function keyedAnalysis(engine: Engine, input: MembershipInput): Promise<Membership> {
  const q = keySql(input);
  const findings: Finding[] = [];
  const summary: Writable<Membership['summary']> = {};
  const add = <K extends keyof SplitsSummary>(part: Part<K>) => {
    findings.push(...part.findings);
    Object.assign(summary, part.summary);
  };
  add(await leakage(engine, input, q));
  const raw = await rawDuplicates(engine, input, q);
  if (raw) add(raw);
  const moves = await transitions(engine, input, q);
  if (!moves) return { findings, summary, sharedIds: 0 };
  add(moves);
  if (moves.moved > 0) add(await movedCause(engine, input, q, moves));
  return { findings, summary, sharedIds: moves.sharedIds };
}

/** The SQL pieces every query of the keyed analysis is made of: key columns k0…, a side's assignments, joins on the key. */
interface KeySql {
  readonly kc: readonly string[];
  /** A side's key columns, cast to the compared type, as k0, k1… */
  readonly kSel: (s: Side) => string;
  readonly notNull: (s: Side) => string;
  /** A side's (key, split) rows with a complete key. */
  readonly assignments: (s: Side) => string;
  /** …and distinct. */
  readonly pairsOf: (s: Side) => string;
  /** Ids in exactly one split on a side, with that split (one split ⟺ min = max; count(DISTINCT) per id is far slower). */
  readonly single: (s: Side) => string;
  readonly sameKey: (a: string, b: string) => string;
  /** a.k = b.k for every key part. */
  readonly on: string;
  readonly keyOut: (r: Row) => EvidenceValue;
}

function keySql(input: MembershipInput): KeySql {
  const { keys, sp } = input;
  const kc = keys.map((_k, i) => `k${i}`);
  const kSel = (s: Side) => keys.map((k, i) => `CAST(${ident(s.nameOf(k))} AS ${k.compareType}) AS k${i}`).join(', ');
  const notNull = (s: Side) => keys.map((k) => `${ident(s.nameOf(k))} IS NOT NULL`).join(' AND ');
  const assignments = (s: Side) => `(SELECT ${kSel(s)}, ${sp(s)} AS sp FROM ${s.table} WHERE ${notNull(s)})`;
  return {
    kc,
    kSel,
    notNull,
    assignments,
    pairsOf: (s) => `(SELECT DISTINCT * FROM ${assignments(s)})`,
    single: (s) => `(SELECT ${kc.join(', ')}, min(sp) AS sp FROM ${assignments(s)} GROUP BY ALL HAVING min(sp) = max(sp))`,
    sameKey: (a, b) => kc.map((k) => `${a}.${k} = ${b}.${k}`).join(' AND '),
    on: kc.map((k) => `a.${k} = b.${k}`).join(' AND '),
    keyOut: (r) => keyValue(kc.map((k) => r[k])) as EvidenceValue,
  };
}

/** Leakage inside each environment: an id in more than one split. */
async function leakage(engine: Engine, input: MembershipInput, q: KeySql): Promise<Part<'leakage'>> {
  const { sides, cols, sample } = input;
  const { kc, assignments, sameKey, keyOut } = q;
  const findings: Finding[] = [];
  const leakage: Record<string, { ids: number; combinations: Record<string, number> }> = {};
  for (const s of sides) {
    // min ≠ max finds the ids in several splits in one plain hash aggregate; the DISTINCT aggregates that
    // name their combination then run on those ids only (grouped DISTINCT aggregates over 10M ids took 22 s).
    const multi = `SELECT ${kc.join(', ')} FROM ${assignments(s)} GROUP BY ALL HAVING min(sp) <> max(sp)`;
    const base = `SELECT ${kc.map((k) => `r.${k}`).join(', ')}, string_agg(DISTINCT r.sp, ' + ' ORDER BY r.sp) AS combo
FROM ${assignments(s)} r SEMI JOIN (${multi}) m ON ${sameKey('r', 'm')} GROUP BY ALL`;
    const combos = await engine.all(`SELECT combo, count(*) AS n FROM (${base}) GROUP BY combo ORDER BY combo`);
    const ids = combos.reduce((x, r) => x + (toNumber(r.n) ?? 0), 0);
    const combinations = splitCombinations(combos);
    leakage[s.name] = { ids, combinations: combinations.counts };
    if (ids > 0) {
      const samples = (await engine.all(`SELECT ${kc.join(', ')} FROM (${base}) ORDER BY ${kc.join(', ')} LIMIT ${sample}`)).map(keyOut);
      findings.push(
        finding({
          stage: 'splits',
          severity: 'error',
          cause: 'split_leakage',
          columns: [cols.split.name],
          rowsAffected: ids,
          message: `${s.name}: ${formatCount(ids)} ids are in more than one split (${combinations.text}): leakage between splits`,
          evidence: { side: s.name, ids, combinations: combinations.counts },
          sampleKeys: samples,
        }),
      );
    }
  }
  return { findings, summary: { leakage } };
}

/** What the transition matrix shows: the summary part, the membership findings, and what the cause rules read. */
interface Moves extends Part<'transitions' | 'agreement' | 'ids'> {
  readonly sharedIds: number;
  /** Shared ids in one split on each side, not the same. */
  readonly moved: number;
}

/** The research → production transition matrix, per-split agreement, ids on one side only; null when the sides share no ids. */
async function transitions(engine: Engine, input: MembershipInput, q: KeySql): Promise<Moves | null> {
  const { sides, cols, splits, sample } = input;
  const { kc, assignments, pairsOf, single, on, keyOut } = q;
  const findings: Finding[] = [];
  // Over distinct (id, split) pairs. The same (id, split) pair on both sides is agreement, whatever else the id holds (an id in two splits
  // on both sides agrees twice); only the memberships left over are matched by id into transitions.
  const onPair = `${on} AND a.sp = b.sp`;
  const rows = await engine.all(`WITH a0 AS ${pairsOf(sides[0]!)}, b0 AS ${pairsOf(sides[1]!)},
ra AS (SELECT * FROM a0 a ANTI JOIN b0 b ON ${onPair}), rb AS (SELECT * FROM b0 b ANTI JOIN a0 a ON ${onPair})
SELECT ra, rb, count(*) AS n FROM (
  SELECT a.sp AS ra, b.sp AS rb FROM a0 a JOIN b0 b ON ${onPair}
  UNION ALL SELECT a.sp AS ra, b.sp AS rb FROM ra a FULL OUTER JOIN rb b ON ${on}
) GROUP BY ALL`);
  const shared = await engine.one(
    `SELECT count(*) AS n FROM (SELECT DISTINCT ${kc.join(', ')} FROM ${assignments(sides[0]!)}) a SEMI JOIN (SELECT DISTINCT ${kc.join(', ')} FROM ${assignments(sides[1]!)}) b ON ${on}`,
  );
  const sharedIds = toNumber(shared.n) ?? 0;
  if (sharedIds === 0) return null;
  const label = (v: unknown) => (v === null || v === undefined ? ABSENT : String(v));
  const rNames = sortSplits(rows.filter((r) => r.ra !== null).map((r) => String(r.ra)));
  const pNames = sortSplits(rows.filter((r) => r.rb !== null).map((r) => String(r.rb)));
  const hasAbsentR = rows.some((r) => r.ra === null);
  const hasAbsentP = rows.some((r) => r.rb === null);
  const rLabels = [...rNames, ...(hasAbsentR ? [ABSENT] : [])];
  const pLabels = [...pNames, ...(hasAbsentP ? [ABSENT] : [])];
  const counts = rLabels.map(() => pLabels.map(() => 0));
  for (const r of rows) {
    const i = rLabels.indexOf(label(r.ra));
    const j = pLabels.indexOf(label(r.rb));
    const n = toNumber(r.n) ?? 0;
    counts[i]![j]! += n;
  }
  // Ids that changed split: one split on each side, not the same. (Ids in several splits are leakage, reported above.)
  const moved = toNumber((await engine.one(`SELECT count(*) AS n FROM ${single(sides[0]!)} a JOIN ${single(sides[1]!)} b ON ${on} WHERE a.sp <> b.sp`)).n) ?? 0;
  const agreement: Record<string, { inBoth: number; onlyResearch: number; onlyProduction: number; jaccard: number | null }> = {};
  for (const s of splits) {
    const i = rLabels.indexOf(s);
    const j = pLabels.indexOf(s);
    const inR = i < 0 ? 0 : counts[i]!.reduce((x, y) => x + y, 0);
    const inP = j < 0 ? 0 : counts.reduce((x, row) => x + row[j]!, 0);
    const both = i < 0 || j < 0 ? 0 : counts[i]![j]!;
    agreement[s] = { inBoth: both, onlyResearch: inR - both, onlyProduction: inP - both, jaccard: inR + inP - both ? stableFloat(both / (inR + inP - both)) : null };
  }
  // Ids in no split of the other side (a leftover membership of an id the other side has is a transition to "(none)", not a missing id).
  const idsOf = (x: Side) => `(SELECT DISTINCT ${kc.join(', ')} FROM ${assignments(x)})`;
  const onlyR = hasAbsentP ? (toNumber((await engine.one(`SELECT count(*) AS n FROM ${idsOf(sides[0]!)} a ANTI JOIN ${idsOf(sides[1]!)} b ON ${on}`)).n) ?? 0) : 0;
  const onlyP = hasAbsentR ? (toNumber((await engine.one(`SELECT count(*) AS n FROM ${idsOf(sides[1]!)} b ANTI JOIN ${idsOf(sides[0]!)} a ON ${on}`)).n) ?? 0) : 0;

  for (const [n, side, other] of [
    [onlyR, 'research', 'production'],
    [onlyP, 'production', 'research'],
  ] as const) {
    if (n === 0) continue;
    const [a, b] = side === 'research' ? ['a', 'b'] : ['b', 'a'];
    const samples = (
      await engine.all(
        `SELECT ${kc.map((k) => `${a}.${k}`).join(', ')} FROM ${pairsOf(sides[0]!)} a FULL OUTER JOIN ${pairsOf(sides[1]!)} b ON ${on} WHERE ${b}.${kc[0]} IS NULL ORDER BY ${kc.map((k) => `${a}.${k}`).join(', ')} LIMIT ${sample}`,
      )
    ).map(keyOut);
    findings.push(
      finding({
        stage: 'splits',
        severity: 'warning',
        cause: 'split_membership',
        columns: [cols.split.name],
        rowsAffected: n,
        message: `${formatCount(n)} ids assigned in ${side} are in no ${other} split`,
        evidence: { side, ids: n },
        sampleKeys: samples,
      }),
    );
  }
  return {
    findings,
    summary: { transitions: { research: rLabels, production: pLabels, counts }, agreement, ids: { shared: sharedIds, moved, onlyResearch: onlyR, onlyProduction: onlyP } },
    sharedIds,
    moved,
  };
}

/** Why shared ids changed split: row order, a group split's order or seed, an unseeded split, or (else) membership. */
async function movedCause(engine: Engine, input: MembershipInput, q: KeySql, moves: Moves): Promise<Part<'orderMatch' | 'groupOrder'>> {
  const { sides, keys, cols, splits, sizes, options, sample, sp } = input;
  const { kc, single, on, keyOut } = q;
  const { moved, sharedIds } = moves;
  const { research: rLabels, production: pLabels, counts } = moves.summary.transitions!;
  const findings: Finding[] = [];
  const summary: Writable<Pick<SplitsSummary, 'orderMatch' | 'groupOrder'>> = {};
  const movedSamples = (
    await engine.all(
      `SELECT ${kc.map((k) => `a.${k}`).join(', ')} FROM ${single(sides[0]!)} a JOIN ${single(sides[1]!)} b ON ${on} WHERE a.sp <> b.sp ORDER BY ${kc.map((k) => `a.${k}`).join(', ')} LIMIT ${sample}`,
    )
  ).map(keyOut);
  const offDiag: Record<string, number> = {};
  rLabels.forEach((r, i) =>
    pLabels.forEach((p, j) => {
      if (r !== ABSENT && p !== ABSENT && r !== p && counts[i]![j]! > 0) offDiag[`${r} → ${p}`] = counts[i]![j]!;
    }),
  );
  // Same proportions: a split re-run on a few more or fewer rows (rows lost upstream) moves each size by at
  // most the difference in row counts, plus one for rounding.
  const rowsA = [...sizes[0]!.values()].reduce((x, y) => x + y, 0);
  const rowsB = [...sizes[1]!.values()].reduce((x, y) => x + y, 0);
  const sameSizes = splits.every((s) => Math.abs((sizes[0]!.get(s) ?? 0) - (sizes[1]!.get(s) ?? 0)) <= Math.abs(rowsA - rowsB) + 1);
  // Under independent random splits with these proportions, the expected share of ids keeping their split.
  const n0 = [...sizes[0]!.values()].reduce((x, y) => x + y, 0);
  const n1 = [...sizes[1]!.values()].reduce((x, y) => x + y, 0);
  const expectedAgreement = stableFloat(splits.reduce((x, s) => x + ((sizes[0]!.get(s) ?? 0) / Math.max(1, n0)) * ((sizes[1]!.get(s) ?? 0) / Math.max(1, n1)), 0));
  const evidence = {
    moved,
    sharedIds,
    share: stableFloat(moved / sharedIds),
    transitions: offDiag,
    sameSizes,
    expectedAgreementIfIndependent: expectedAgreement,
    observedAgreement: stableFloat(1 - moved / sharedIds),
  };
  const what = `${formatCount(moved)} of ${formatCount(sharedIds)} shared ids (${formatPercent(moved / sharedIds)}) are in another split in production`;
  const order = sameSizes || n0 === n1 ? await orderDependence(engine, sides, keys, cols, splits.length, sp, options) : null;
  if (order) summary.orderMatch = order;
  // With groups kept whole on both sides, the evidence is at group level: groups per split, and the split sequence by first appearance.
  const groups =
    !order && cols.group ? await groupOrder(engine, sides, cols.group, sp, splits.length, { research: options.fileOrder?.research ?? true, production: options.fileOrder?.production ?? true }) : null;
  if (groups) summary.groupOrder = { groupsIntact: true, sameGroupCounts: groups.sameGroupCounts, orderMatch: groups.orderMatch, groupsPerSplit: groups.groupsPerSplit };
  const groupEvidence: Evidence = groups ? { groupColumn: cols.group!.name, groupsIntact: true, sameGroupCounts: groups.sameGroupCounts, groupsPerSplit: groups.groupsPerSplit } : {};
  if (order) {
    findings.push(
      finding({
        stage: 'splits',
        severity: 'error',
        cause: 'split_order_dependent',
        columns: [cols.split.name],
        rowsAffected: moved,
        message: `${what}, yet production's split sequence equals research's position by position (research ${order.research}, production ${order.production}): the split depends on row order (unordered database read); sort the rows before splitting`,
        evidence: { ...evidence, researchOrder: order.research, productionOrder: order.production },
        sampleKeys: movedSamples,
      }),
    );
  } else if (groups?.orderMatch) {
    findings.push(
      finding({
        stage: 'splits',
        severity: 'error',
        cause: 'split_order_dependent',
        columns: [cols.split.name, cols.group!.name],
        rowsAffected: moved,
        message: `${what}, yet every ${cols.group!.name} group stays whole on both sides and, listed in order of first appearance in each file, the groups get the same split sequence: the groups are numbered by first appearance and the rows were read in another order (unordered database read); sort the rows (or number the groups by value) before splitting`,
        evidence: { ...evidence, ...groupEvidence, orderedBy: `first appearance of ${cols.group!.name}` },
        sampleKeys: movedSamples,
      }),
    );
  } else if (groups?.sameGroupCounts) {
    findings.push(
      finding({
        stage: 'splits',
        severity: 'error',
        cause: 'split_unseeded',
        columns: [cols.split.name, cols.group!.name],
        rowsAffected: moved,
        message: `${what} while every ${cols.group!.name} group stays whole on both sides and every split keeps its number of groups: a group split without a fixed seed`,
        evidence: { ...evidence, ...groupEvidence },
        sampleKeys: movedSamples,
      }),
    );
  } else if (cols.group) {
    // Group analysis runs after; it decides (see groupFindings) — keep the membership finding for it.
    findings.push(finding({ stage: 'splits', severity: 'error', cause: 'split_membership', columns: [cols.split.name], rowsAffected: moved, message: `${what}`, evidence, sampleKeys: movedSamples }));
  } else if (sameSizes) {
    findings.push(
      finding({
        stage: 'splits',
        severity: 'error',
        cause: 'split_unseeded',
        columns: [cols.split.name],
        rowsAffected: moved,
        message: `${what} while every split keeps its size on both sides: random split without a fixed seed`,
        evidence,
        sampleKeys: movedSamples,
      }),
    );
  } else {
    findings.push(
      finding({
        stage: 'splits',
        severity: 'error',
        cause: 'split_membership',
        columns: [cols.split.name],
        rowsAffected: moved,
        message: `${what}, and split sizes differ`,
        evidence,
        sampleKeys: movedSamples,
      }),
    );
  }
  return { findings, summary };
}

/** With a raw dataset: rows with the same content (all non-key columns) assigned to different splits. */
async function rawDuplicates(engine: Engine, input: MembershipInput, q: KeySql): Promise<Part<'rawDuplicates'> | null> {
  const { sides, keys, sp, options, sample, cols } = input;
  const { kSel, notNull } = q;
  if (!options.raw?.research && !options.raw?.production) return null;
  const out: Record<string, { duplicateGroups: number; rows: number; combinations: Record<string, number> }> = {};
  const findings: Finding[] = [];
  for (const s of sides) {
    const raw = options.raw[s.name];
    if (!raw) continue;
    const keyNames = keys.map((k) => s.nameOf(k));
    const missing = keyNames.filter((k) => !raw.columns.some((c) => c.name === k));
    if (missing.length)
      throw new ReprodiffError('E_KEY_UNKNOWN', `key column '${missing[0]}' is not in the raw ${s.name} dataset ${raw.label}`, {
        suggestion: 'the raw dataset must carry the same key as the split assignments',
      });
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
    const combinations = splitCombinations(combos);
    out[s.name] = { duplicateGroups: groups, rows, combinations: combinations.counts };
    if (groups === 0) continue;
    const samples = (
      await engine.all(`SELECT ${keys.map((_k, i) => `k${i}`).join(', ')} FROM (${joined}) WHERE h IN (SELECT h FROM (${base})) ORDER BY ${keys.map((_k, i) => `k${i}`).join(', ')} LIMIT ${sample}`)
    ).map((x) => keyValue(keys.map((_k, i) => x[`k${i}`])) as EvidenceValue);
    findings.push(
      finding({
        stage: 'splits',
        severity: 'error',
        cause: 'split_leakage',
        columns: [cols.split.name],
        rowsAffected: rows,
        message: `${s.name}: ${formatCount(groups)} duplicated raw rows (${formatCount(rows)} rows) straddle splits (${combinations.text}): the same example is trained and evaluated on`,
        evidence: { side: s.name, kind: 'duplicate_rows', duplicateGroups: groups, rows, raw: raw.label },
        sampleKeys: samples,
      }),
    );
  }
  return { summary: { rawDuplicates: out }, findings };
}

/**
 * Order dependence: the sequence of split names when a side is read in file order or sorted by one of
 * its columns (ties by key, then file order), fingerprinted as the sum of hash('position:split') (hash of
 * one string: DuckDB's multi-argument hash combines by xor, which would lose the pairing). Returns the
 * first pair of orders (file order first) under which both sides give the same sequence, unless that
 * sequence is simply sorted by split.
 */
async function orderDependence(
  engine: Engine,
  sides: readonly Side[],
  keys: readonly ColumnPair[],
  cols: Columns,
  splitCount: number,
  sp: (s: Side) => string,
  options: SplitCompareOptions,
): Promise<{ research: string; production: string } | null> {
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
    const inner = orders
      .map(
        (o, i) =>
          `row_number() OVER (ORDER BY ${o.by}) AS r${i}, (${sp(s)} IS DISTINCT FROM lag(${sp(s)}) OVER (ORDER BY ${o.by})) AS x${i}${lab ? `, row_number() OVER (PARTITION BY ${lab} ORDER BY ${o.by}) AS q${i}` : ''}`,
      )
      .join(', ');
    const outer = orders
      .map(
        (_o, i) =>
          `CAST(sum(hash(CAST(r${i} AS VARCHAR) || ':' || coalesce(s, ''))) AS VARCHAR) AS h${i}, count(*) FILTER (WHERE x${i}) - 1 AS c${i}${lab ? `, CAST(sum(hash(CAST(q${i} AS VARCHAR) || ':' || coalesce(l, '') || ':' || coalesce(s, ''))) AS VARCHAR) AS g${i}` : ''}`,
      )
      .join(', ');
    const row = await engine.one(`SELECT count(*) AS n, ${outer} FROM (SELECT ${sp(s)} AS s, ${lab ? `${lab} AS l, ` : ''}${inner} FROM ${s.table})`);
    const print = (o: { label: string }, i: number, h: string, within: string) => ({
      label: `${o.label}${within}`,
      hash: String(row[`${h}${i}`]),
      changes: toNumber(row[`c${i}`]) ?? 0,
      n: toNumber(row.n) ?? 0,
    });
    prints.push([...orders.map((o, i) => print(o, i, 'h', '')), ...(lab ? orders.map((o, i) => print(o, i, 'g', ` within each ${cols.label!.name}`)) : [])]);
  }
  for (const a of prints[0]!) {
    for (const b of prints[1]!) {
      if (a.n === b.n && a.hash === b.hash && a.changes >= splitCount) return { research: a.label, production: b.label };
    }
  }
  return null;
}

/** Split combinations (`train + test`) and how many ids or rows hold each: as evidence counts, and as a message lists them. */
function splitCombinations(combos: readonly Row[]): { counts: Record<string, number>; text: string } {
  const entries = combos.map((c) => [String(c.combo), toNumber(c.n) ?? 0] as const);
  return { counts: Object.fromEntries(entries), text: entries.map(([combo, n]) => `${combo}: ${formatCount(n)}`).join(', ') };
}
