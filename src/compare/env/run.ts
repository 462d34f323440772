/** `reprodiff env A B` as a library call: read both environment files, compare, build the report. */
import { buildReport } from '../../findings/report.js';
import type { FailOn, Report } from '../../findings/types.js';
import { readEnvironment } from '../../sources/env/detect.js';
import { compareEnv } from './compare.js';
import type { EnvCompareOptions } from './compare.js';

export interface RunEnvOptions extends EnvCompareOptions {
  readonly failOn?: FailOn;
}

/** Reads research and production environment descriptions and returns the `env` report. */
export function runEnv(research: string, production: string, options: RunEnvOptions = {}): Report {
  const a = readEnvironment(research);
  const b = readEnvironment(production);
  return buildReport('env', [compareEnv(a, b, options)], options.failOn ?? 'warning');
}
