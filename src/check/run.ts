import { compareDatasets, toOutcome } from '../compare/data/index.js';
import type { DataComparison } from '../compare/data/index.js';
import { compareEnv } from '../compare/env/compare.js';
import { describeExplanation, explainDifferences, isExplaining } from '../compare/explain/index.js';
import type { UpstreamRelation } from '../compare/explain/index.js';
import { compareFeatures } from '../compare/features/index.js';
import type { ReprodiffConfig, TableStageConfig } from '../config/types.js';
import { ATTRIBUTION_OUTSIDE_POOL_SHARE, withEngine } from '../engine/engine.js';
import type { Engine, EngineOptions } from '../engine/engine.js';
import { ident, literal } from '../engine/quote.js';
import { buildReport, withSummary } from '../findings/report.js';
import type { InputsSummary } from '../findings/summaries.js';
import type { FailOn, Finding, Report, Stage, StageOutcome } from '../findings/types.js';
import { STAGES } from '../findings/types.js';
import { openDataset } from '../sources/register.js';
import { reconcilePair } from '../sources/reconcile.js';
import { withFileNames } from '../sources/names.js';
import { asDataError } from '../sources/readable.js';
import type { Dataset } from '../sources/register.js';
import { resolveInput } from '../sources/resolve.js';
import type { InputSpec } from '../sources/resolve.js';
import type { CheckPlan } from './plan.js';
import { planFindings } from './plan.js';
import { compareSnapshotStage, readEnvironmentSide, snapshotArtifacts } from './snapshot-stage.js';
import { envOptions, featuresOptions, readSettings, tableOptions } from './stage-options.js';
import { markPropagation } from './propagate.js';
import { stageGraph } from './graph.js';
import type { KeyedTable, StageTables } from './propagate.js';
import { inferKey } from './infer.js';
import { runPredictionsStage, runSplitsStage } from './model-stages.js';
import { checkRequirements, requirementsFromMap } from '../compare/predictions/requirements.js';
import { inputLabel } from '../sources/resolve.js';
import type { DiffRowsTarget } from '../compare/data/diff-rows.js';

/** The data/features options of a stage (kept exported here for the library API). */
export { tableOptions } from './stage-options.js';

export interface CheckOptions {
  readonly engine?: EngineOptions;
  readonly failOn?: FailOn;
  /** Flag overrides: --key, --truth-col, … */
  readonly overrides?: { key?: readonly string[]; truthColumn?: string; scoreColumn?: string; labelColumn?: string; splitColumn?: string; groupColumn?: string };
  readonly onProgress?: (message: string) => void;
  /** --diff-rows-dir: where each table stage's differing rows go (stages compared by key only). */
  readonly diffRows?: Partial<Record<'data' | 'features', DiffRowsTarget>>;
}

export interface CheckResult {
  readonly report: Report;
  /** What was inferred (key, columns), for --write-config. */
  readonly inferred: Partial<ReprodiffConfig>;
}

const TABLE_STAGES: readonly Stage[] = ['data', 'features', 'splits', 'predictions'];

/** Walks the stages in checklist order, marks propagation and explains roots, and builds the report. */
export async function runCheck(plan: CheckPlan, options: CheckOptions = {}): Promise<CheckResult> {
  const specs = new Map<Stage, { research: InputSpec; production: InputSpec }>();
  const read = readSettings(plan.config);
  const snapshots = snapshotArtifacts(plan);
  const productionOnly = new Map<Stage, InputSpec>();
  for (const stage of TABLE_STAGES) {
    const a = plan.artifacts[stage];
    if (a.research && a.production && snapshots.has(stage)) productionOnly.set(stage, resolveInput(a.production, read));
    else if (a.research && a.production) specs.set(stage, { research: resolveInput(a.research, read), production: resolveInput(a.production, read) });
  }
  const all = [...[...specs.values()].flatMap((s) => [s.research, s.production]), ...productionOnly.values()];
  const writableFiles = [...(options.engine?.writableFiles ?? []), ...Object.values(options.diffRows ?? {}).map((t) => t.temp)];
  // Several stages in one process, the predictions attribution among them: the pool is kept smaller (engine.ts).
  const engineOptions = { outsidePoolShare: ATTRIBUTION_OUTSIDE_POOL_SHARE, ...options.engine, readableFiles: all.flatMap((s) => s.files), readableDirs: all.flatMap((s) => s.dirs), writableFiles };
  return withEngine(engineOptions, async (engine) => {
    const datasets = new Map<Stage, { research: Dataset; production: Dataset }>();
    try {
      return await walk(engine, plan, options, specs, datasets, { snapshots, productionOnly });
    } catch (e) {
      throw await asDataError(
        engine,
        [...datasets.values()].flatMap((d) => [d.research, d.production]),
        e,
      );
    }
  });
}

async function walk(
  engine: Engine,
  plan: CheckPlan,
  options: CheckOptions,
  specs: Map<Stage, { research: InputSpec; production: InputSpec }>,
  datasets: Map<Stage, { research: Dataset; production: Dataset }>,
  snap: { snapshots: ReturnType<typeof snapshotArtifacts>; productionOnly: Map<Stage, InputSpec> },
): Promise<CheckResult> {
  const progress = options.onProgress ?? (() => {});
  for (const [stage, s] of specs) {
    progress(`opening ${stage}`);
    const local = plan.config.stages?.[stage] as TableStageConfig | undefined;
    const rename = { ...(plan.config.rename ?? {}), ...(local?.rename ?? {}) };
    const [research, production] = await reconcilePair(engine, await openDataset(engine, s.research, `${stage}_r`), await openDataset(engine, s.production, `${stage}_p`), rename);
    datasets.set(stage, { research, production });
  }
  const config = plan.config;
  const key = options.overrides?.key ?? asList(config.key) ?? inferKey([...datasets.values()].flatMap((d) => [d.research, d.production]));
  const inferred: Partial<ReprodiffConfig> = key && !config.key ? { key: key.length === 1 ? key[0]! : key } : {};
  const runs: StageTables[] = [];
  const outcomes = new Map<Stage, StageOutcome>();
  const comparisons = new Map<Stage, DataComparison>();
  for (const stage of STAGES) {
    const skipped = skipReason(plan, stage);
    const inputs = { inputs: { research: inputLabel(plan.artifacts[stage].research) ?? null, production: inputLabel(plan.artifacts[stage].production) ?? null } };
    if (skipped) {
      outcomes.set(stage, { result: { stage, status: 'skipped', reason: skipped, summary: inputs }, findings: [] });
      continue;
    }
    progress(`comparing ${stage}`);
    if (stage === 'env') {
      const quoted = (path: string) => !plan.unquoted?.includes(path);
      const outcome = compareEnv(
        readEnvironmentSide(plan.artifacts.env.research!, quoted(plan.artifacts.env.research!)),
        readEnvironmentSide(plan.artifacts.env.production!, quoted(plan.artifacts.env.production!)),
        envOptions(config),
      );
      outcomes.set(stage, withInputs(outcome, inputs));
      runs.push({ stage, keyed: null, findings: outcome.findings, broken: isBroken(outcome, options.failOn) });
      continue;
    }
    const d = datasets.get(stage)!;
    const stageKey = asList(stageConfig(config, stage)?.key) ?? key;
    let outcome: StageOutcome;
    let keyed: KeyedTable | null = null;
    const snapshot = snap.snapshots.get(stage);
    if (snapshot && (stage === 'data' || stage === 'features')) {
      const production = await openDataset(engine, snap.productionOnly.get(stage)!, `${stage}_p`);
      outcome = await compareSnapshotStage(engine, stage, snapshot, production, { ...tableOptions(config, stage, stageKey), keepDiffTable: false });
    } else if (stage === 'data' || stage === 'features') {
      const target = options.diffRows?.[stage];
      const opts = { ...tableOptions(config, stage, stageKey), ...(target ? { diffRows: target } : {}) };
      let c: DataComparison;
      if (stage === 'data') {
        c = await compareDatasets(engine, d.research, d.production, opts, 'data');
        outcome = toOutcome(c);
      } else {
        const f = await compareFeatures(engine, d.research, d.production, { ...opts, ...featuresOptions(config) });
        c = f.comparison;
        outcome = { result: f.result, findings: f.findings };
      }
      comparisons.set(stage, c);
      if (c.keyed?.diffTable) keyed = { table: c.keyed.diffTable, keyCount: c.keyed.key.length, valueColumns: c.keyed.valueColumns };
    } else if (stage === 'splits') {
      ({ outcome, keyed } = await runSplitsStage(engine, d.research, d.production, { key: stageKey, config, overrides: options.overrides }));
    } else {
      const features = datasets.get('features');
      ({ outcome, keyed } = await runPredictionsStage(engine, d.research, d.production, { key: stageKey, config, overrides: options.overrides, features }));
    }
    outcomes.set(stage, withInputs(outcome, inputs));
    runs.push({ stage, keyed, findings: outcome.findings, broken: isBroken(outcome, options.failOn) });
  }
  progress('tracing propagation');
  const graph = stageGraph(config.pipeline);
  const marked = await markPropagation(engine, runs, graph);
  const explained = await explainRoots(engine, marked, comparisons, datasets, key);
  // Files left out, stages with an artifact on one side only, required stages missing: never a silent "equal".
  const gaps = planFindings(plan, config.requireStages);
  // Performance requirements on a stage that was not compared are unchecked: a failure, never a silent pass.
  const predictionsSkipped = skipReason(plan, 'predictions');
  if (predictionsSkipped) {
    const unchecked = checkRequirements(requirementsFromMap(config.stages?.predictions?.require, 'stages.predictions.require'), null, {
      columns: [],
      task: 'predictions',
      unavailable: `the predictions stage was not compared (${predictionsSkipped})`,
    });
    if (unchecked.findings.length) gaps.set('predictions', [...(gaps.get('predictions') ?? []), ...unchecked.findings]);
  }
  const final = STAGES.map((s) => {
    const o = { result: outcomes.get(s)!.result, findings: [...(explained.get(s) ?? outcomes.get(s)!.findings), ...(gaps.get(s) ?? [])] };
    const d = datasets.get(s);
    return d ? withFileNames(o, d.research, d.production) : o;
  });
  const stagesInferred = inferredColumns(config, outcomes);
  if (stagesInferred) Object.assign(inferred, { stages: stagesInferred });
  return { report: buildReport('check', final, options.failOn ?? config.failOn ?? 'warning', graph.order), inferred };
}

/** The finding's own rows among a column's differing rows, when it covers only some of them (a moved fill value). */
function ownRows(f: Finding, i: number): string {
  const e = f.evidence;
  if (e.fittedConstant !== true || typeof e.researchValue !== 'number' || typeof e.productionValue !== 'number') return '';
  const x = (v: number) => `CAST(${literal(String(v))} AS DOUBLE)`;
  return ` AND CAST(a${i} AS DOUBLE) = ${x(e.researchValue)} AND CAST(b${i} AS DOUBLE) = ${x(e.productionValue)}`;
}

/** Which summary entries of `inferred` become which stage option in reprodiff.yml. */
const INFERRED_OPTIONS: Partial<Record<Stage, Record<string, string>>> = {
  splits: { split: 'splitColumn', label: 'labelColumn', group: 'groupColumn' },
  predictions: { score: 'scoreColumn', label: 'labelColumn', truth: 'truthColumn' },
};

/** The config's stages with the columns the comparators inferred added, so a saved config reproduces the run; undefined when nothing was inferred. */
function inferredColumns(config: ReprodiffConfig, outcomes: Map<Stage, StageOutcome>): ReprodiffConfig['stages'] | undefined {
  const stages: Record<string, Record<string, unknown>> = Object.fromEntries(Object.entries(config.stages ?? {}).map(([k, v]) => [k, { ...(v as object) }]));
  let added = false;
  for (const [stage, names] of Object.entries(INFERRED_OPTIONS) as [Stage, Record<string, string>][]) {
    const summary = outcomes.get(stage)?.result.summary;
    const found = summary && 'inferred' in summary ? summary.inferred : undefined;
    if (!found) continue;
    for (const [what, option] of Object.entries(names)) {
      const column = found[what];
      if (typeof column !== 'string' || stages[stage]?.[option] !== undefined) continue;
      stages[stage] = { ...stages[stage], [option]: column };
      added = true;
    }
  }
  return added ? (stages as ReprodiffConfig['stages']) : undefined;
}

function isBroken(o: StageOutcome, failOn: FailOn | undefined): boolean {
  return o.findings.some((f) => f.severity === 'error' || (failOn !== 'error' && f.severity === 'warning'));
}

/** The outcome with check's inputs first in its summary. */
function withInputs(o: StageOutcome, inputs: { inputs: InputsSummary }): StageOutcome {
  return { ...o, result: withSummary(o.result, { ...inputs, ...o.result.summary }) };
}

function skipReason(plan: CheckPlan, stage: Stage): string | null {
  const a = plan.artifacts[stage];
  if (!a.research && !a.production) return 'no artifact on either side';
  if (!a.research) return 'no research artifact to compare with (production only)';
  if (!a.production) return 'no production artifact to compare with (research only)';
  return null;
}

function asList(key: string | readonly string[] | undefined): readonly string[] | undefined {
  if (key === undefined) return undefined;
  return typeof key === 'string'
    ? key
        .split(',')
        .map((k) => k.trim())
        .filter(Boolean)
    : key;
}

function stageConfig(config: ReprodiffConfig, stage: Stage): { key?: string | readonly string[] } | undefined {
  return config.stages?.[stage] as { key?: string | readonly string[] } | undefined;
}

/**
 * For each root finding of the features stage that names rows, asks the explain engine which raw-data
 * condition separates those rows from the rows that match, and names the best one in the message.
 */
async function explainRoots(
  engine: Engine,
  marked: Map<Stage, Finding[]>,
  comparisons: Map<Stage, DataComparison>,
  datasets: Map<Stage, { research: Dataset; production: Dataset }>,
  key: readonly string[] | undefined,
): Promise<Map<Stage, Finding[]>> {
  const features = comparisons.get('features');
  const raw = datasets.get('data');
  const fk = features?.keyed;
  const fkTable = fk?.diffTable;
  if (!fk || !fkTable || !raw || !key) return marked;
  const text = comparisons.get('data')?.textNormalisation;
  const upstream: UpstreamRelation[] = [{ name: 'data', research: raw.research, production: raw.production, key: fk.key, ...(text ? { normalise: text } : {}) }];
  const out = new Map(marked);
  const list: Finding[] = [];
  for (const f of marked.get('features') ?? []) {
    const i = f.columns.length === 1 ? fk.valueColumns.indexOf(f.columns[0]!) : -1;
    if (f.propagatedFrom || f.severity === 'info' || i < 0 || !f.rowsAffected) {
      list.push(f);
      continue;
    }
    const keys = fk.key.map((_k, j) => `k${j}`);
    const differing = `(SELECT ${keys.map((k) => `f.${k}`).join(', ')}, coalesce(d.hit, false) AS differs FROM (SELECT ${fk.key.map((k, j) => `CAST(${ident(k)} AS VARCHAR) AS k${j}`).join(', ')} FROM ${features.research.relation}) f LEFT JOIN (SELECT DISTINCT ${keys.map((k) => `CAST(${k} AS VARCHAR) AS ${k}`).join(', ')}, true AS hit FROM ${ident(fkTable)} WHERE in_a AND in_b AND d${i}${ownRows(f, i)}) d USING (${keys.join(', ')}))`;
    try {
      const ranked = await explainDifferences(engine, { differing, keyColumns: keys, upstream });
      const best = ranked.find((e) => isExplaining(e) && !(e.condition === 'differs' && e.column === f.columns[0]));
      list.push(best ? { ...f, message: `${f.message}; raw: ${describeExplanation(best, 'these rows', 'equal rows')}`, evidence: { ...f.evidence, explanation: { ...best } } } : f);
    } catch {
      list.push(f);
    }
  }
  out.set('features', list);
  return out;
}
