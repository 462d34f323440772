import { mkdirSync, statSync } from 'node:fs';
import { diffRowsDirFiles } from '../compare/data/diff-rows.js';
import { diffRowsTarget } from '../report/diff-rows.js';
import { shown } from '../text/escape.js';
import { maskReport } from '../findings/mask.js';
import { dirname, resolve } from 'node:path';
import { runCheck } from '../check/run.js';
import type { CheckOptions } from '../check/run.js';
import { planFromConfig, planFromDirectories, planToYaml } from '../check/plan.js';
import type { CheckPlan } from '../check/plan.js';
import { loadConfig } from '../config/load.js';
import type { DriftConfig, ReprodiffConfig, ToleranceConfig } from '../config/types.js';
import { ReprodiffError } from '../errors.js';
import type { Report, Stage } from '../findings/types.js';
import { assertOutputsFree, writeFileAtomic } from '../report/write.js';
import type { OutputTarget } from '../report/write.js';
import { requirementText } from '../compare/predictions/requirements.js';
import type { Requirement } from '../compare/predictions/requirements.js';
import { MATCHING_STAGES, matchingOptions } from '../stages/registry.js';
import type { MatchingOption } from '../stages/registry.js';

/** Comparison settings given as flags to `check`; they apply over reprodiff.yml (or the folder plan). */
export interface CheckFlagSettings {
  readonly ignore?: readonly string[];
  readonly rename?: Readonly<Record<string, string>>;
  readonly tolerance?: ToleranceConfig;
  readonly sample?: number;
  readonly requireStages?: readonly Stage[];
  readonly drift?: Pick<DriftConfig, 'tests' | 'thresholds'>;
  /** `--require`: performance requirements, added to (and replacing per metric) `stages.predictions.require`. */
  readonly requirements?: readonly Requirement[];
  readonly ignoreSpaces?: boolean;
  readonly ignoreCase?: boolean;
  readonly nullKeys?: 'match' | 'drop';
  readonly byPosition?: boolean;
  readonly exactStats?: boolean;
}

export interface CheckRunInput {
  /** reprodiff.yml, or the research folder when `production` is given. */
  readonly first: string;
  readonly production?: string;
  /** Write what was inferred as a reprodiff.yml here. */
  readonly writeConfig?: string;
  /** Files the run will write (reports, --write-config): refused when one would replace an artifact or the config. */
  readonly outputs?: readonly OutputTarget[];
  /** Flags of the stage commands, given to `check`. */
  readonly settings?: CheckFlagSettings;
  /** --diff-rows-dir: every differing row of each keyed table stage, as `<stage>.parquet` in this folder (made when missing). */
  readonly diffRowsDir?: string;
}

/** `reprodiff check`: builds the plan (config file or two folders), walks the stages, and optionally saves the inferred config. */
export async function runCheckCommand(input: CheckRunInput, options: CheckOptions): Promise<{ report: Report; plan: CheckPlan }> {
  const made = await makePlan(input);
  const plan = { ...made, config: withSettings(made.config, input.settings ?? {}) };
  const artifacts = Object.values(plan.artifacts)
    .flatMap((a) => [a.research, a.production])
    .filter((p): p is string => typeof p === 'string');
  const dirFiles = input.diffRowsDir === undefined ? [] : diffRowsDirFiles(input.diffRowsDir).map((f) => ({ ...f, flag: '--diff-rows-dir' }));
  assertOutputsFree(
    [...(input.outputs ?? []), ...dirFiles.filter((f) => !input.outputs?.some((o) => o.path === f.path))],
    [input.first, ...(input.production === undefined ? [] : [input.production]), ...artifacts],
  );
  const diffRows = input.diffRowsDir === undefined ? undefined : diffRowsTargets(input.diffRowsDir, plan.config.mask);
  const { report, inferred } = await runCheck(plan, { ...options, ...(diffRows ? { diffRows } : {}) });
  if (input.writeConfig) {
    const target = resolve(input.writeConfig);
    writeFileAtomic(target, planToYaml(plan, dirname(target), inferred));
  }
  // `mask:` hides a sensitive column's values in every report format (keys and counts stay).
  return { report: maskReport(report, plan.config.mask), plan };
}

/** The folder of --diff-rows-dir (made when missing) and a target per table stage. */
function diffRowsTargets(dir: string, mask: readonly string[] | undefined): NonNullable<CheckOptions['diffRows']> {
  try {
    mkdirSync(dir, { recursive: true });
  } catch (e) {
    throw new ReprodiffError('E_USAGE', `--diff-rows-dir ${shown(dir)}: cannot create the folder (${(e as NodeJS.ErrnoException).code ?? 'error'})`, { suggestion: 'choose a writable folder' });
  }
  return Object.fromEntries(diffRowsDirFiles(dir).map((f) => [f.stage, diffRowsTarget(f.path, { mask, flag: '--diff-rows-dir' })]));
}

/** The matching options in the order --write-config has always written them when a flag sets them. */
const SETTINGS_ORDER: readonly MatchingOption[] = ['byPosition', 'ignoreSpaces', 'ignoreCase', 'nullKeys', 'exactStats'];

/**
 * The config with the flags applied: lists (ignore) extend it, maps (rename, per-column tolerances, drift
 * tests and thresholds, performance requirements) add to it, single values (tolerance, sample, required stages) replace it.
 */
export function withSettings(config: ReprodiffConfig, flags: CheckFlagSettings): ReprodiffConfig {
  const out: { -readonly [K in keyof ReprodiffConfig]: ReprodiffConfig[K] } = { ...config };
  if (flags.ignore?.length) out.ignore = [...(config.ignore ?? []), ...flags.ignore];
  if (flags.rename && Object.keys(flags.rename).length) out.rename = { ...config.rename, ...flags.rename };
  if (flags.tolerance) {
    const t = flags.tolerance;
    out.tolerance = { ...config.tolerance, ...(t.abs !== undefined ? { abs: t.abs } : {}), ...(t.rel !== undefined ? { rel: t.rel } : {}), columns: { ...config.tolerance?.columns, ...t.columns } };
  }
  if (flags.sample !== undefined) out.sample = flags.sample;
  // A flag is the run's choice: it replaces the global setting and any stage's own.
  const chosen = matchingOptions((o) => flags[o.option], SETTINGS_ORDER);
  if (Object.keys(chosen).length) {
    Object.assign(out, chosen);
    const stages: Record<string, unknown> = { ...config.stages };
    for (const s of MATCHING_STAGES) if (stages[s]) stages[s] = { ...stages[s], ...chosen };
    out.stages = stages as ReprodiffConfig['stages'];
  }
  if (flags.requireStages?.length) out.requireStages = [...flags.requireStages];
  const d = flags.drift;
  if (d && (Object.keys(d.tests ?? {}).length || Object.keys(d.thresholds ?? {}).length)) {
    const features = config.stages?.features;
    out.stages = {
      ...config.stages,
      features: { ...features, drift: { ...features?.drift, tests: { ...features?.drift?.tests, ...d.tests }, thresholds: { ...features?.drift?.thresholds, ...d.thresholds } } },
    };
  }
  if (flags.requirements?.length) {
    const predictions = out.stages?.predictions;
    const added = Object.fromEntries(flags.requirements.map((r) => [r.metric, requirementText(r).slice(r.metric.length)]));
    out.stages = { ...out.stages, predictions: { ...predictions, require: { ...predictions?.require, ...added } } };
  }
  return out;
}

async function makePlan(input: CheckRunInput): Promise<CheckPlan> {
  if (input.production !== undefined) return planFromDirectories(input.first, input.production);
  let isDir = false;
  try {
    isDir = statSync(input.first).isDirectory();
  } catch {
    // A missing file is reported by the config loader, with its fix.
  }
  if (isDir) throw new ReprodiffError('E_USAGE', `${input.first} is a folder: give two folders (research production) or a reprodiff.yml`, { suggestion: 'reprodiff check research/ production/' });
  return planFromConfig(loadConfig(input.first));
}
