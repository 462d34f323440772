import { statSync } from 'node:fs';
import { maskReport } from '../findings/mask.js';
import { dirname, resolve } from 'node:path';
import { runCheck } from '../check/run.js';
import type { CheckOptions } from '../check/run.js';
import { planFromConfig, planFromDirectories, planToYaml } from '../check/plan.js';
import type { CheckPlan } from '../check/plan.js';
import { loadConfig } from '../config/load.js';
import { ReprodiffError } from '../errors.js';
import type { Report } from '../findings/types.js';
import { assertOutputsFree, writeFileAtomic } from '../report/write.js';
import type { OutputTarget } from '../report/write.js';

export interface CheckRunInput {
  /** reprodiff.yml, or the research folder when `production` is given. */
  readonly first: string;
  readonly production?: string;
  /** Write what was inferred as a reprodiff.yml here. */
  readonly writeConfig?: string;
  /** Files the run will write (reports, --write-config): refused when one would replace an artifact or the config. */
  readonly outputs?: readonly OutputTarget[];
}

/** `reprodiff check`: builds the plan (config file or two folders), walks the stages, and optionally saves the inferred config. */
export async function runCheckCommand(input: CheckRunInput, options: CheckOptions): Promise<{ report: Report; plan: CheckPlan }> {
  const plan = makePlan(input);
  const artifacts = Object.values(plan.artifacts).flatMap((a) => [a.research, a.production]).filter((p): p is string => typeof p === 'string');
  assertOutputsFree(input.outputs ?? [], [input.first, ...(input.production === undefined ? [] : [input.production]), ...artifacts]);
  const { report, inferred } = await runCheck(plan, options);
  if (input.writeConfig) {
    const target = resolve(input.writeConfig);
    writeFileAtomic(target, planToYaml(plan, dirname(target), inferred));
  }
  // `mask:` hides a sensitive column's values in every report format (keys and counts stay).
  return { report: maskReport(report, plan.config.mask), plan };
}

function makePlan(input: CheckRunInput): CheckPlan {
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
