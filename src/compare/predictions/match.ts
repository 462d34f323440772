/**
 * Predictions matched on the key in one FULL OUTER JOIN (a temporary table the later steps read): missing ids,
 * NaN/±inf/null scores, score differences within and beyond tolerance, rank agreement, label flips, and the
 * summary of all of it. One aggregate query counts everything; samples and histograms are small queries after it.
 */
import type { Engine } from '../../engine/engine.js';
import { ident } from '../../engine/quote.js';
import { finding } from '../../findings/report.js';
import type { PredictionsSummary } from '../../findings/summaries.js';
import type { EvidenceValue, Finding } from '../../findings/types.js';
import { formatCount, formatNumber, formatPercent } from '../../text/format.js';
import type { Dataset } from '../../sources/register.js';
import type { ColumnPair } from '../data/columns.js';
import { keyHealth, keyPairs, keyValue } from '../data/keyed.js';
import type { Tolerance } from '../data/tolerance.js';
import { stableFloat, toNumber } from '../shared/values.js';
import { num } from '../distribution/sql.js';
import { labelExpr, predictionColumns } from './task.js';
import type { Columns, Task } from './task.js';

/** Differences at most this large are floating-point noise (library version, BLAS, threads). */
export const NOISE = { rel: 1e-6, abs: 1e-12 } as const;
/** Score points kept for the research-vs-production scatter plot. */
export const SCORE_SAMPLE = 500;
const HISTOGRAM_BINS = 20;

let counter = 0;

/** The summary fields of matched predictions (rows, non-finite counts, match, differences, ranks, labels). */
type KeyedSummary = Pick<PredictionsSummary, 'rows' | 'nonFinite' | 'match' | 'differences' | 'scoreSample' | 'rank' | 'labels' | 'labelFlips' | 'thresholdCrossings'>;

/** The matched table and what the join counted: the later steps (attribution, causes) read it. */
export interface KeyedPredictions {
  readonly table: string;
  readonly keyCount: number;
  readonly matched: number;
  readonly findings: Finding[];
  /** The keyed part of the stage summary. */
  readonly summary: KeyedSummary;
  readonly stats: Record<string, number | null>;
  /** SQL predicate (over the joined table) of a matched row whose prediction differs. */
  readonly differsExpr: string;
  readonly keyCols: string;
  readonly samples: { readonly noise: EvidenceValue[]; readonly large: EvidenceValue[] };
}

/** SQL: the score expression is null, NaN or infinite. */
export const bad = (s: string) => `(${s} IS NULL OR NOT isfinite(${s}))`;

/** How predictions are matched: on `key`, over the paired columns, the score within `tolerance`. */
export interface JoinOptions {
  readonly pairs: readonly ColumnPair[];
  readonly key: readonly string[];
  readonly cols: Columns;
  readonly task: Task;
  /** Decision threshold on the score. */
  readonly threshold: number;
  readonly tolerance: Tolerance;
  /** Sample keys kept per finding. */
  readonly sample: number;
}

/** Joins the predictions on the key into a temporary table (dropped by the caller) and counts what differs. */
export async function joinPredictions(engine: Engine, research: Dataset, production: Dataset, options: JoinOptions): Promise<KeyedPredictions> {
  const { pairs, key, cols, task, threshold, tolerance: tol, sample } = options;
  const keys = keyPairs(pairs, key, research, production);
  const findings: Finding[] = [];
  const ha = await keyHealth(
    engine,
    research.relation,
    keys.map((k) => k.name),
    sample,
  );
  const hb = await keyHealth(
    engine,
    production.relation,
    keys.map((k) => k.productionName),
    sample,
  );
  for (const [h, side] of [
    [ha, 'research'],
    [hb, 'production'],
  ] as const) {
    if (h.duplicateRows > 0) {
      findings.push(
        finding({
          stage: 'predictions',
          severity: 'warning',
          cause: 'duplicate_keys',
          columns: [...predictionColumns(cols), ...key],
          rowsAffected: h.duplicateRows,
          message: `${formatCount(h.duplicateKeys)} ids have more than one ${side} prediction (${formatCount(h.duplicateRows)} extra rows); the first by score is compared`,
          evidence: { side, duplicateKeys: h.duplicateKeys, duplicateRows: h.duplicateRows },
          sampleKeys: h.sampleDuplicateKeys.map((k) => k as EvidenceValue),
        }),
      );
    }
  }
  const table = ident(`rd_pred_${++counter}`);
  const side = (d: Dataset, s: 'research' | 'production', dup: boolean) => {
    const name = (p: ColumnPair) => (s === 'research' ? p.name : p.productionName);
    const parts = [
      ...keys.map((p, i) => `CAST(${ident(name(p))} AS ${p.compareType}) AS k${i}`),
      cols.score ? `CAST(${ident(name(cols.score))} AS DOUBLE) AS s` : 'CAST(NULL AS DOUBLE) AS s',
      cols.label ? `${labelExpr(cols.label, s)} AS l` : 'CAST(NULL AS VARCHAR) AS l',
      cols.truth ? `${labelExpr(cols.truth, s)} AS t` : 'CAST(NULL AS VARCHAR) AS t',
      'true AS _in',
    ];
    const notNull = keys.map((p) => `${ident(name(p))} IS NOT NULL`).join(' AND ');
    const inner = `SELECT ${parts.join(', ')} FROM ${d.relation} WHERE ${notNull}`;
    return dup ? `(SELECT * FROM (${inner}) QUALIFY row_number() OVER (PARTITION BY ${keys.map((_p, i) => `k${i}`).join(', ')} ORDER BY s, l) = 1)` : `(${inner})`;
  };
  const on = keys.map((_p, i) => `a.k${i} = b.k${i}`).join(' AND ');
  const keyCols = keys.map((_p, i) => `k${i}`).join(', ');
  const useScoreLabel = !cols.label && cols.score && task.kind === 'classification';
  const labelA = useScoreLabel ? `CASE WHEN a.s >= ${num(threshold)} THEN '1' WHEN isfinite(a.s) THEN '0' END` : 'a.l';
  const labelB = useScoreLabel ? `CASE WHEN b.s >= ${num(threshold)} THEN '1' WHEN isfinite(b.s) THEN '0' END` : 'b.l';
  await engine.run(`CREATE TEMP TABLE ${table} AS
SELECT ${keys.map((_p, i) => `coalesce(a.k${i}, b.k${i}) AS k${i}`).join(', ')}, a._in AS in_a, b._in AS in_b, a.s AS sa, b.s AS sb, ${labelA} AS la, ${labelB} AS lb, a.t AS ta, b.t AS tb
FROM ${side(research, 'research', ha.duplicateRows > 0)} a FULL OUTER JOIN ${side(production, 'production', hb.duplicateRows > 0)} b ON ${on}`);
  const both = 'in_a AND in_b';
  const fin = `${both} AND isfinite(sa) AND isfinite(sb)`;
  const d = '(sb - sa)';
  const withinTol = `abs(${d}) <= ${num(tol.abs)} + ${num(tol.rel)} * abs(sa)`;
  const tiny = `(abs(${d}) <= ${num(NOISE.abs)} OR abs(${d}) <= ${num(NOISE.rel)} * greatest(abs(sa), abs(sb)))`;
  const scoreDiffers = `(${fin} AND sa <> sb AND NOT (${withinTol}))`;
  const badDiffers = `(${both} AND (${bad('sa')} <> ${bad('sb')}))`;
  const labelDiffers = `(${both} AND la IS NOT NULL AND lb IS NOT NULL AND la <> lb)`;
  const hasScore = Boolean(cols.score);
  const differsExpr = `(${hasScore ? `${scoreDiffers} OR ${badDiffers} OR ` : ''}${labelDiffers} OR (${both} AND (la IS NULL) <> (lb IS NULL)))`;
  const s = await engine.one(`SELECT
  count(*) FILTER (WHERE in_b IS NULL) AS only_a, count(*) FILTER (WHERE in_a IS NULL) AS only_b, count(*) FILTER (WHERE ${both}) AS matched,
  count(*) FILTER (WHERE ${differsExpr}) AS differing,
  count(*) FILTER (WHERE in_a AND sa IS NULL) AS a_null, count(*) FILTER (WHERE in_a AND isnan(sa)) AS a_nan, count(*) FILTER (WHERE in_a AND isinf(sa)) AS a_inf,
  count(*) FILTER (WHERE in_b AND sb IS NULL) AS b_null, count(*) FILTER (WHERE in_b AND isnan(sb)) AS b_nan, count(*) FILTER (WHERE in_b AND isinf(sb)) AS b_inf,
  count(*) FILTER (WHERE ${both} AND ${bad('sb')} AND NOT ${bad('sa')}) AS new_bad_b,
  count(*) FILTER (WHERE ${both} AND ${bad('sa')} AND NOT ${bad('sb')}) AS new_bad_a,
  count(*) FILTER (WHERE ${both} AND ${bad('sa')} AND ${bad('sb')}) AS both_bad,
  count(*) FILTER (WHERE ${fin}) AS finite_pairs,
  count(*) FILTER (WHERE ${fin} AND sa <> sb) AS raw_differ,
  count(*) FILTER (WHERE ${scoreDiffers}) AS score_differ,
  count(*) FILTER (WHERE ${scoreDiffers} AND ${tiny}) AS noise,
  count(*) FILTER (WHERE ${scoreDiffers} AND NOT ${tiny}) AS large,
  count(*) FILTER (WHERE ${scoreDiffers} AND NOT ${tiny} AND sb > sa) AS large_up,
  count(*) FILTER (WHERE ${scoreDiffers} AND NOT ${tiny} AND sb < sa) AS large_down,
  max(abs(${d})) FILTER (WHERE ${fin}) AS max_abs, avg(abs(${d})) FILTER (WHERE ${fin}) AS mean_abs,
  max(abs(${d}) / abs(sa)) FILTER (WHERE ${fin} AND sa <> 0) AS max_rel,
  max(abs(${d}) / greatest(abs(sa), abs(sb))) FILTER (WHERE ${scoreDiffers} AND ${tiny}) AS noise_max_rel,
  max(abs(${d})) FILTER (WHERE ${scoreDiffers} AND ${tiny}) AS noise_max_abs,
  min(${d}) FILTER (WHERE ${fin}) AS min_d, max(${d}) FILTER (WHERE ${fin}) AS max_d,
  count(*) FILTER (WHERE ${labelDiffers}) AS flips,
  count(*) FILTER (WHERE ${both} AND ta IS DISTINCT FROM tb) AS truth_changed,
  count(*) FILTER (WHERE ${fin} AND ((sa >= ${num(threshold)}) <> (sb >= ${num(threshold)}))) AS crossings
FROM ${table}`);
  const st: Record<string, number | null> = {};
  for (const [k, v] of Object.entries(s)) st[k] = toNumber(v);
  const n = (k: string) => st[k] ?? 0;
  const matched = n('matched');
  const sampleOf = async (where: string) =>
    (await engine.all(`SELECT ${keyCols} FROM ${table} WHERE ${where} ORDER BY ${keyCols} LIMIT ${sample}`)).map((r) => keyValue(keys.map((_p, i) => r[`k${i}`])) as EvidenceValue);
  const columns = [cols.score?.name, cols.label?.name].filter((x): x is string => Boolean(x));

  // Ids scored on one side only: the side without a prediction is named in the evidence.
  const oneSided = [
    { count: n('only_a'), scored: 'research', side: 'production', where: 'in_b IS NULL', rows: { researchRows: ha.rows } },
    { count: n('only_b'), scored: 'production', side: 'research', where: 'in_a IS NULL', rows: { productionRows: hb.rows } },
  ] as const;
  for (const o of oneSided) {
    if (o.count === 0) continue;
    findings.push(
      finding({
        stage: 'predictions',
        severity: 'error',
        cause: 'prediction_missing',
        columns,
        rowsAffected: o.count,
        message: `${formatCount(o.count)} ids scored in ${o.scored} have no ${o.side} prediction`,
        evidence: { side: o.side, missing: o.count, ...o.rows },
        sampleKeys: await sampleOf(o.where),
      }),
    );
  }

  const nonFinite = {
    research: { null: n('a_null'), nan: n('a_nan'), inf: n('a_inf') },
    production: { null: n('b_null'), nan: n('b_nan'), inf: n('b_inf') },
    newInProduction: n('new_bad_b'),
    newInResearch: n('new_bad_a'),
    both: n('both_bad'),
  };
  const summary: { -readonly [K in keyof KeyedSummary]: KeyedSummary[K] } = {
    rows: { research: ha.rows, production: hb.rows, matched, onlyResearch: n('only_a'), onlyProduction: n('only_b') },
    nonFinite,
    match: {
      differingRows: n('differing'),
      rate: matched ? stableFloat(1 - n('differing') / matched) : null,
      ...(hasScore
        ? {
            scoreDiffering: n('score_differ'),
            noiseRows: n('noise'),
            largeRows: n('large'),
            exactlyEqual: n('finite_pairs') - n('raw_differ'),
            maxAbsDiff: stableFloat(st.max_abs ?? null),
            meanAbsDiff: stableFloat(st.mean_abs ?? null),
            maxRelDiff: stableFloat(st.max_rel ?? null),
          }
        : {}),
    },
  };
  if (hasScore) {
    summary.differences = await differenceHistogram(engine, table, fin, st.min_d ?? null, st.max_d ?? null);
    summary.scoreSample = (await engine.all(`SELECT sa, sb FROM ${table} WHERE ${fin} ORDER BY hash(${keyCols}), ${keyCols} LIMIT ${SCORE_SAMPLE}`)).map(
      (r) => [toNumber(r.sa), toNumber(r.sb)] as const,
    );
    summary.rank = await rankAgreement(engine, table, fin, keyCols, n('finite_pairs'));
  }
  if (task.kind === 'classification') {
    summary.labels = await labelConfusion(engine, table, both);
    summary.labelFlips = n('flips');
    if (hasScore) summary.thresholdCrossings = n('crossings');
  }

  // NaN / ±inf / null predictions.
  if (hasScore) {
    for (const [sideName, newKey, bothCount] of [
      ['production', 'new_bad_b', n('both_bad')],
      ['research', 'new_bad_a', 0],
    ] as const) {
      const rows = n(newKey);
      if (rows === 0) continue;
      const col = sideName === 'production' ? 'sb' : 'sa';
      const other = sideName === 'production' ? 'sa' : 'sb';
      findings.push(
        finding({
          stage: 'predictions',
          severity: 'error',
          cause: 'prediction_nan',
          columns: [cols.score!.name],
          rowsAffected: rows,
          message: `${formatCount(rows)} ${sideName} predictions are NaN, ±inf or null where ${sideName === 'production' ? 'research' : 'production'} has a number`,
          evidence: { side: sideName, ...nonFinite[sideName], alsoNonFiniteOnOtherSide: bothCount },
          sampleKeys: await sampleOf(`${both} AND ${bad(col)} AND NOT ${bad(other)}`),
        }),
      );
    }
    if (n('both_bad') > 0) {
      findings.push(
        finding({
          stage: 'predictions',
          severity: 'info',
          cause: 'prediction_nan',
          columns: [cols.score!.name],
          rowsAffected: n('both_bad'),
          message: `${formatCount(n('both_bad'))} ids have no finite prediction in either environment`,
          evidence: { both: n('both_bad') },
          sampleKeys: await sampleOf(`${both} AND ${bad('sa')} AND ${bad('sb')}`),
        }),
      );
    }
  }
  // The ground truth itself differs on matched ids: the metrics of the two sides are not measured against the same targets.
  if (cols.truth && n('truth_changed') > 0) {
    findings.push(
      finding({
        stage: 'predictions',
        severity: 'error',
        cause: 'value_changed',
        columns: [cols.truth.name, ...columns],
        rowsAffected: n('truth_changed'),
        message: `${cols.truth.name}: the ground truth differs on ${formatCount(n('truth_changed'))} of ${formatCount(matched)} matched ids (${formatPercent(n('truth_changed') / Math.max(1, matched))}): the targets no longer mean the same thing, so metrics are not comparable`,
        evidence: { column: cols.truth.name, changed: n('truth_changed'), matched },
        sampleKeys: await sampleOf(`${both} AND ta IS DISTINCT FROM tb`),
      }),
    );
  }
  // Label flips and threshold crossings.
  if (task.kind === 'classification' && n('flips') > 0) {
    const labels = summary.labels as unknown as EvidenceValue;
    const byScore = !cols.label;
    findings.push(
      finding({
        stage: 'predictions',
        severity: 'error',
        cause: 'label_flip',
        columns,
        rowsAffected: n('flips'),
        message: byScore
          ? `${formatCount(n('flips'))} scores crossed the decision threshold ${formatNumber(threshold)} (${formatPercent(n('flips') / Math.max(1, matched))} of matched ids): the predicted class flips`
          : `${formatCount(n('flips'))} predicted labels differ (${formatPercent(n('flips') / Math.max(1, matched))} of matched ids)${hasScore ? `; ${formatCount(n('crossings'))} scores crossed the threshold ${formatNumber(threshold)}` : ''}`,
        evidence: { flips: n('flips'), matched, confusion: labels, ...(hasScore ? { thresholdCrossings: n('crossings'), threshold } : {}) },
        sampleKeys: await sampleOf(labelDiffers),
      }),
    );
  }
  const samples = {
    noise: hasScore && n('noise') ? await sampleOf(`${scoreDiffers} AND ${tiny}`) : [],
    large: hasScore && n('large') ? await sampleOf(`${scoreDiffers} AND NOT ${tiny}`) : [],
  };
  return { table, keyCount: keys.length, matched, findings, summary, stats: st, differsExpr, keyCols, samples };
}

async function differenceHistogram(engine: Engine, table: string, fin: string, lo: number | null, hi: number | null): Promise<{ edges: number[]; counts: number[] }> {
  if (lo === null || hi === null) return { edges: [], counts: [] };
  if (!(hi > lo)) {
    const r = await engine.one(`SELECT count(*) AS n FROM ${table} WHERE ${fin}`);
    return { edges: [lo, hi], counts: [toNumber(r.n) ?? 0] };
  }
  const width = (hi - lo) / HISTOGRAM_BINS;
  const rows = await engine.all(
    `SELECT least(${HISTOGRAM_BINS - 1}, CAST(floor(((sb - sa) - ${num(lo)}) / ${num(width)}) AS INTEGER)) AS bin, count(*) AS n FROM ${table} WHERE ${fin} GROUP BY 1 ORDER BY 1`,
  );
  const counts = new Array<number>(HISTOGRAM_BINS).fill(0);
  for (const r of rows) counts[Math.max(0, toNumber(r.bin) ?? 0)]! += toNumber(r.n) ?? 0;
  const edges = Array.from({ length: HISTOGRAM_BINS + 1 }, (_v, i) => (i === HISTOGRAM_BINS ? hi : lo + width * i));
  return { edges, counts };
}

/**
 * Spearman's rho (= scipy.stats.spearmanr: Pearson correlation of average ranks) and top-k overlap
 * (k = 1% of rows and 100 rows; ties broken by key), all in DuckDB.
 */
export function spearmanSql(table: string, where: string): string {
  return `WITH p AS (SELECT sa, sb FROM ${table} WHERE ${where}),
r AS (SELECT rank() OVER (ORDER BY sa) + (count(*) OVER (PARTITION BY sa) - 1) / 2.0 AS ra, rank() OVER (ORDER BY sb) + (count(*) OVER (PARTITION BY sb) - 1) / 2.0 AS rb FROM p)
SELECT corr(ra, rb) AS rho, count(*) AS n FROM r`;
}

async function rankAgreement(engine: Engine, table: string, fin: string, keyCols: string, n: number): Promise<NonNullable<PredictionsSummary['rank']>> {
  if (n === 0) return { spearman: null, topK: [] };
  const r = await engine.one(spearmanSql(table, fin));
  const ks = [...new Set([Math.max(1, Math.ceil(0.01 * n)), Math.min(100, n)])].sort((x, y) => x - y);
  const o = await engine.one(`SELECT ${ks.map((k, i) => `count(*) FILTER (WHERE ra <= ${k} AND rb <= ${k}) AS o${i}`).join(', ')}
FROM (SELECT row_number() OVER (ORDER BY sa DESC, ${keyCols}) AS ra, row_number() OVER (ORDER BY sb DESC, ${keyCols}) AS rb FROM ${table} WHERE ${fin})`);
  const rho = toNumber(r.rho);
  return {
    spearman: rho === null || Number.isNaN(rho) ? null : stableFloat(rho),
    topK: ks.map((k, i) => ({ k, overlap: stableFloat((toNumber(o[`o${i}`]) ?? 0) / k) })),
  };
}

async function labelConfusion(engine: Engine, table: string, both: string): Promise<{ values: string[]; counts: number[][] }> {
  const rows = await engine.all(`SELECT coalesce(la, '(none)') AS a, coalesce(lb, '(none)') AS b, count(*) AS n FROM ${table} WHERE ${both} GROUP BY ALL ORDER BY a, b`);
  const values = [...new Set(rows.flatMap((r) => [String(r.a), String(r.b)]))].sort().slice(0, 50);
  const counts = values.map(() => values.map(() => 0));
  for (const r of rows) {
    const i = values.indexOf(String(r.a));
    const j = values.indexOf(String(r.b));
    if (i >= 0 && j >= 0) counts[i]![j] = toNumber(r.n) ?? 0;
  }
  return { values, counts };
}
