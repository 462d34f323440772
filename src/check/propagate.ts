import type { Engine } from '../engine/engine.js';
import { ident, literal } from '../engine/quote.js';
import type { CauseCode, Finding, Stage } from '../findings/types.js';
import { STAGES } from '../findings/types.js';
import { formatPercent } from '../text/format.js';
import { toNumber } from '../compare/shared/values.js';
import { derivedFrom } from '../findings/headline.js';
import { stageGraph } from './graph.js';
import type { StageGraph } from './graph.js';

/** A stage's keyed diff table, as the propagation step reads it. */
export interface KeyedTable {
  /** Temp table: key columns k0…k(n−1), flags in_a / in_b, and d<i> per value column. */
  readonly table: string;
  readonly keyCount: number;
  readonly valueColumns: readonly string[];
}

export interface StageTables {
  readonly stage: Stage;
  readonly keyed: KeyedTable | null;
  readonly findings: readonly Finding[];
  readonly broken: boolean;
}

/** Share of a downstream finding's keys that must be broken upstream for it to count as a consequence. */
export const PROPAGATION_SHARE = 0.95;

/** The rows of a diff table that a finding is about, as a WHERE clause; null when the finding has no rows. */
export function findingRowsWhere(f: Finding, t: KeyedTable): string | null {
  if (f.cause === 'rows_missing') return 'in_b IS NULL';
  if (f.cause === 'rows_extra') return 'in_a IS NULL';
  if (f.columns.length === 0 || f.rowsAffected === null || f.rowsAffected === 0) return null;
  const idx = f.columns.map((c) => t.valueColumns.indexOf(c));
  if (idx.some((i) => i < 0)) return null;
  return `in_a AND in_b AND (${idx.map((i) => `d${i}`).join(' OR ')})`;
}

function keyText(alias: string, n: number): string {
  return Array.from({ length: n }, (_v, i) => `CAST(${alias}.k${i} AS VARCHAR)`).join(", '\u0001', ");
}

/** Share of the finding's keys that also differ (or are missing) upstream. */
async function shareBrokenUpstream(engine: Engine, down: KeyedTable, where: string, up: KeyedTable): Promise<{ share: number; rows: number }> {
  if (down.keyCount !== up.keyCount) return { share: 0, rows: 0 };
  const dk = down.keyCount === 1 ? keyText('d', 1) : `concat(${keyText('d', down.keyCount)})`;
  const uk = up.keyCount === 1 ? keyText('u', 1) : `concat(${keyText('u', up.keyCount)})`;
  const row = await engine.one(
    `SELECT count(*) AS n, count(*) FILTER (WHERE ${dk} IN (SELECT ${uk} FROM ${ident(up.table)} u)) AS hit FROM ${ident(down.table)} d WHERE ${where.replace(/\b(in_a|in_b|d\d+)\b/g, 'd.$1')}`,
  );
  const n = toNumber(row.n) ?? 0;
  return { share: n ? (toNumber(row.hit) ?? 0) / n : 0, rows: n };
}

/**
 * Marks downstream findings that upstream breaks explain, following the stage graph (reprodiff.yml
 * `pipeline:`, the usual scikit-learn order by default):
 * 1. rows: their keys are missing or differ in an input stage (≥ 95%), or an input stage already reported
 *    the same column or the column it is derived from (`age_z` from `age`);
 * 2. refits: a transform or model fitted on training rows that changed upstream (rows lost or duplicated
 *    in data, another split) changes wholesale — a per-column rescale, a moved fill value, every prediction;
 * 3. the environment: predictions that differ while every input stage is equal follow a numerical
 *    library or interpreter change.
 * The most upstream explaining stage wins, so users see one root and its consequences.
 */
export async function markPropagation(engine: Engine, stages: readonly StageTables[], graph: StageGraph = stageGraph(undefined)): Promise<Map<Stage, Finding[]>> {
  const out = new Map<Stage, Finding[]>();
  const byStage = new Map(stages.map((s) => [s.stage, s]));
  const current = (u: StageTables): StageTables => ({ ...u, findings: out.get(u.stage) ?? u.findings });
  for (const stage of graph.order) {
    const s = byStage.get(stage);
    if (!s) continue;
    if (stage === 'env') {
      out.set(stage, [...s.findings]);
      continue;
    }
    const inputs = inputStages(graph, stage)
      .map((u) => byStage.get(u))
      .filter((u): u is StageTables => Boolean(u?.broken))
      .map(current);
    const fitted = graph
      .upstream(stage)
      .map((u) => byStage.get(u))
      .filter((u): u is StageTables => Boolean(u?.broken))
      .map(current);
    const env = byStage.get('env');
    const marked: Finding[] = [];
    for (const f of s.findings) {
      if (f.severity === 'info' || isOwnRoot(f)) {
        marked.push(f);
        continue;
      }
      let m = inputs.length ? await explainByUpstream(engine, f, s, inputs) : f;
      if (m.propagatedFrom === null) m = refitFrom(m, fitted);
      if (m.propagatedFrom === null && env?.broken && fitted.length === 0) m = environmentFrom(m, env);
      marked.push(m);
    }
    out.set(
      stage,
      aggregatesFollow(marked).map((f) => throughToRoot(f, out)),
    );
  }
  return out;
}

/**
 * A finding traced to a stage that has no root of its own (all of its findings come from further up) is
 * traced on to that stage's origin, so users see one root: predictions that differ where the refitted
 * features differ come from the split the features were refitted on.
 */
function throughToRoot(f: Finding, marked: ReadonlyMap<Stage, Finding[]>): Finding {
  let from = f.propagatedFrom;
  const seen = new Set<Stage>();
  while (from && !seen.has(from)) {
    seen.add(from);
    const breaking = (marked.get(from) ?? []).filter((g) => g.severity !== 'info');
    if (breaking.length === 0 || breaking.some((g) => g.propagatedFrom === null)) break;
    const rows = new Map<Stage, number>();
    for (const g of breaking) rows.set(g.propagatedFrom!, (rows.get(g.propagatedFrom!) ?? 0) + (g.rowsAffected ?? 0) + 1);
    from = [...rows.entries()].sort((a, b) => b[1] - a[1] || STAGES.indexOf(a[0]) - STAGES.indexOf(b[0]))[0]![0];
  }
  if (!from || from === f.propagatedFrom) return f;
  const propagation = f.evidence.propagation;
  const via = typeof propagation === 'object' && propagation !== null && !Array.isArray(propagation) ? propagation : {};
  return { ...f, propagatedFrom: from, evidence: { ...f.evidence, propagation: { ...via, from, via: f.propagatedFrom! } } };
}

/** Stages whose rows a stage reads, transitively (dependsOn edges only), in walk order. */
function inputStages(graph: StageGraph, stage: Stage): Stage[] {
  const seen = new Set<Stage>();
  const visit = (s: Stage) => {
    for (const u of graph.dependsOn(s)) {
      if (!seen.has(u)) {
        seen.add(u);
        visit(u);
      }
    }
  };
  visit(stage);
  return graph.order.filter((s) => seen.has(s));
}

/** Data findings that change which rows a split is drawn over and a transform or model is fitted on. */
const ROW_SET_CAUSES: ReadonlySet<CauseCode> = new Set(['rows_missing', 'rows_extra', 'duplicate_keys', 'duplicate_rows', 'sampling_unseeded']);
/** Split findings that change which rows are training rows. */
const MEMBERSHIP_CAUSES: ReadonlySet<CauseCode> = new Set(['split_unseeded', 'split_order_dependent', 'split_membership', 'split_stratification', 'group_split_broken', 'split_conflict']);
/** Findings of a model's output: a model trained on other rows or columns shows them all. */
const MODEL_CAUSES: ReadonlySet<CauseCode> = new Set(['prediction_mismatch', 'label_flip', 'numeric_noise', 'model_nondeterminism', 'performance_drop', 'performance_requirement']);

/**
 * A performance requirement that research fails, or that could not be checked, is a root wherever it stands:
 * no difference between the environments explains research's own metric or a missing ground truth. One that
 * only production fails follows its stage's propagation like any other model finding.
 */
function isOwnRoot(f: Finding): boolean {
  if (f.cause !== 'performance_requirement') return false;
  const failed = f.evidence.failed;
  const missing = f.evidence.missing;
  return (Array.isArray(failed) && failed.includes('research')) || (Array.isArray(missing) && missing.length > 0);
}

/** A finding that a refit on other training rows produces: its stage's own comparator cannot tell. */
function isRefit(f: Finding): boolean {
  if (f.stage === 'predictions') return MODEL_CAUSES.has(f.cause);
  if (f.stage === 'splits') return (MEMBERSHIP_CAUSES.has(f.cause) && f.cause !== 'group_split_broken') || f.cause === 'split_proportions' || f.cause === 'label_balance';
  return f.cause === 'rescaled' || (f.cause === 'null_handling' && f.evidence.fittedConstant === true);
}

/** True when an upstream stage's own (root) findings change the training rows or inputs of `f`'s stage. */
function changesTraining(u: StageTables, f: Finding): boolean {
  const roots = u.findings.filter((g) => g.severity !== 'info' && g.propagatedFrom === null);
  if (u.stage === 'data') return roots.some((g) => ROW_SET_CAUSES.has(g.cause)) || (f.stage === 'predictions' && roots.length > 0);
  if (u.stage === 'splits') return f.stage !== 'splits' && roots.some((g) => MEMBERSHIP_CAUSES.has(g.cause));
  // A model reads every feature column: any break of the features it was trained on retrains it.
  return f.stage === 'predictions' && roots.length > 0;
}

function refitFrom(f: Finding, upstream: readonly StageTables[]): Finding {
  if (!isRefit(f)) return f;
  const u = upstream.find((x) => changesTraining(x, f));
  if (!u) return f;
  const what = u.stage === 'data' ? 'rows' : u.stage === 'splits' ? 'training split' : 'feature columns';
  const reason = f.stage === 'splits' ? `drawn over ${what} that changed upstream` : `fitted on a ${what} that changed upstream`;
  return retrained({ ...f, propagatedFrom: u.stage, evidence: { ...f.evidence, propagation: { from: u.stage, reason } } }, `the model was retrained on other ${what} (${u.stage} differs)`);
}

/** Numerical libraries and the interpreter: what changes a model's output when its inputs are equal. */
function environmentFrom(f: Finding, env: StageTables): Finding {
  if (f.stage !== 'predictions' || !MODEL_CAUSES.has(f.cause)) return f;
  const change = env.findings.find((g) => g.severity === 'error' && (g.cause === 'library_version' || g.cause === 'interpreter_version'));
  if (!change) return f;
  const what = `${change.columns.join(', ')} changed`;
  return retrained({ ...f, propagatedFrom: 'env', evidence: { ...f.evidence, propagation: { from: 'env', reason: `every input stage is equal; ${what}` } } }, `every input is equal and ${what} (env)`);
}

/** "Unseeded or nondeterministic model" and "random split without a fixed seed" are said only when everything upstream is equal. */
function retrained(f: Finding, why: string): Finding {
  if (f.cause === 'split_unseeded') {
    const cut = f.message.indexOf(' while every split keeps');
    return {
      ...f,
      cause: 'split_membership',
      message: `${cut > 0 ? f.message.slice(0, cut) : f.message}: the split was drawn over rows that changed upstream (${f.propagatedFrom} differs), so whether it is seeded cannot be told`,
    };
  }
  if (f.cause !== 'model_nondeterminism') return f;
  const cut = f.message.search(/, in both directions|: unseeded/);
  return { ...f, cause: 'prediction_mismatch', message: `${cut > 0 ? f.message.slice(0, cut) : f.message}: ${why}` };
}

async function explainByUpstream(engine: Engine, f: Finding, s: StageTables, upstream: readonly StageTables[]): Promise<Finding> {
  for (const u of upstream) {
    const reported = (g: Finding) => g.severity !== 'info' && g.columns.length > 0 && !isKeyFinding(g);
    const same = f.columns.length > 0 && u.findings.some((g) => reported(g) && f.columns.every((c) => g.columns.includes(c)));
    if (same && !isKeyFinding(f)) return { ...f, propagatedFrom: u.stage, evidence: { ...f.evidence, propagation: { from: u.stage, reason: 'same column reported upstream' } } };
    const source =
      f.columns.length > 0 && !isKeyFinding(f)
        ? u.findings
            .filter(reported)
            .flatMap((g) => g.columns)
            .find((c) => f.columns.every((x) => derivedFrom(x, c)))
        : undefined;
    if (source !== undefined) return { ...f, propagatedFrom: u.stage, evidence: { ...f.evidence, propagation: { from: u.stage, reason: `derived from ${source}, reported upstream` } } };
    const where = s.keyed && u.keyed ? findingRowsWhere(f, s.keyed) : null;
    // The predicate must describe exactly this finding's rows; otherwise its sample keys speak for it.
    const measured = where ? await shareBrokenUpstream(engine, s.keyed!, where, u.keyed!) : null;
    if (measured && measured.rows === f.rowsAffected) {
      if (measured.share >= PROPAGATION_SHARE) {
        return {
          ...f,
          propagatedFrom: u.stage,
          message: `${f.message} (${formatPercent(measured.share)} of these rows already differ or are missing in ${u.stage})`,
          evidence: { ...f.evidence, propagation: { from: u.stage, share: measured.share, reason: 'keys differ or are missing upstream' } },
        };
      }
    } else if (u.keyed && (await sampleKeysBrokenUpstream(engine, f, u.keyed))) {
      return { ...f, propagatedFrom: u.stage, evidence: { ...f.evidence, propagation: { from: u.stage, reason: 'its keys differ or are missing upstream' } } };
    }
  }
  return f;
}

/**
 * Findings about the whole stage (a metric, a proportion: no rows) follow the stage's keyed findings: when
 * every finding that names rows is a consequence of the same upstream stage, so are they.
 */
function aggregatesFollow(findings: Finding[]): Finding[] {
  const keyed = findings.filter((f) => f.severity !== 'info' && f.rowsAffected !== null && f.rowsAffected > 0);
  if (keyed.length === 0 || keyed.some((f) => f.propagatedFrom === null)) return findings;
  // The upstream stage behind the most rows carries the stage-level consequences.
  const rows = new Map<Stage, number>();
  for (const f of keyed) rows.set(f.propagatedFrom!, (rows.get(f.propagatedFrom!) ?? 0) + (f.rowsAffected ?? 0));
  const from = [...rows.entries()].sort((a, b) => b[1] - a[1] || STAGES.indexOf(a[0]) - STAGES.indexOf(b[0]))[0]![0];
  return findings.map((f) =>
    f.severity !== 'info' && f.propagatedFrom === null && (f.rowsAffected === null || f.rowsAffected === 0) && !isOwnRoot(f)
      ? { ...f, propagatedFrom: from, evidence: { ...f.evidence, propagation: { from, reason: 'every row-level difference of this stage comes from upstream' } } }
      : f,
  );
}

/** Keys a finding names, when no row predicate is known: all of its sample keys must be broken upstream. */
async function sampleKeysBrokenUpstream(engine: Engine, f: Finding, up: KeyedTable): Promise<boolean> {
  if (f.sampleKeys.length === 0 || f.rowsAffected === null) return false;
  const keys = f.sampleKeys.map((k) => (Array.isArray(k) ? k : [k]));
  if (keys.some((k) => k.length !== up.keyCount)) return false;
  const text = (k: readonly unknown[]) => k.map((v) => String(v)).join('\u0001');
  const uk = up.keyCount === 1 ? keyText('u', 1) : `concat(${keyText('u', up.keyCount)})`;
  // Keys come from the data: quoted by the one helper; a key holding a NUL cannot be a literal, so it proves nothing.
  if (keys.some((k) => text(k).includes('\u0000'))) return false;
  const list = keys.map((k) => literal(text(k))).join(', ');
  const row = await engine.one(`SELECT count(DISTINCT ${uk}) AS hit FROM ${ident(up.table)} u WHERE ${uk} IN (${list})`);
  const brokenUpstream = await engine.one(`SELECT count(*) AS n FROM ${ident(up.table)}`);
  return (toNumber(row.hit) ?? 0) === keys.length && f.rowsAffected <= (toNumber(brokenUpstream.n) ?? 0);
}

/** Row presence findings name the key columns; they never explain a column by name. */
function isKeyFinding(f: Finding): boolean {
  return f.cause === 'rows_missing' || f.cause === 'rows_extra' || f.cause === 'duplicate_keys' || f.cause === 'null_keys' || f.cause === 'no_common_rows';
}
