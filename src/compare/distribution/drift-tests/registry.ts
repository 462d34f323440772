/**
 * The drift-test registry: every test a column can be judged by, in the order their figures appear in a
 * report. Adding a test = one module here (see types.ts) plus its scipy reference values.
 */

import { anderson } from './anderson.js';
import { chisquare } from './chisquare.js';
import { chisquaregof } from './chisquaregof.js';
import { cramersv } from './cramersv.js';
import { cramervonmises } from './cramervonmises.js';
import { energy } from './energy.js';
import { fisher } from './fisher.js';
import { gtest } from './gtest.js';
import { hellinger } from './hellinger.js';
import { jensenshannon } from './jensenshannon.js';
import { kl } from './kl.js';
import { ks } from './ks.js';
import { linf } from './linf.js';
import { mannwhitney } from './mannwhitney.js';
import { psiTest } from './psi.js';
import { ttest } from './ttest.js';
import { tvd } from './tvd.js';
import type { Aggregate, ColumnTests, ColumnType, DriftAggregates, DriftTestModule, DriftVerdict } from './types.js';
import { wasserstein } from './wasserstein.js';
import { ztest } from './ztest.js';

/** Registry order is report order: the standing figures first, as reports have always listed them. */
export const DRIFT_TEST_MODULES: readonly DriftTestModule[] = [
  ks,
  wasserstein,
  chisquare,
  psiTest,
  jensenshannon,
  linf,
  hellinger,
  kl,
  tvd,
  anderson,
  cramervonmises,
  energy,
  mannwhitney,
  ttest,
  ztest,
  fisher,
  gtest,
  cramersv,
  chisquaregof,
];

/** The names users can select. */
export const DRIFT_TEST_NAMES: readonly string[] = DRIFT_TEST_MODULES.filter((t) => t.selectable !== false).map((t) => t.name);

const BY_NAME = new Map<string, DriftTestModule>();
for (const t of DRIFT_TEST_MODULES) {
  if (t.selectable === false) continue;
  for (const n of [t.name, ...t.aliases]) BY_NAME.set(n, t);
}

/** The test a user's spelling names (case, '-', '_' and spaces ignored: `Mann-Whitney`, `kl_div`), or undefined. */
export function findDriftTest(spelling: string): DriftTestModule | undefined {
  return BY_NAME.get(spelling.toLowerCase().replace(/[^a-z0-9]/g, ''));
}

/** The registered test of this name (throws on an unknown one: names come from findDriftTest). */
export function driftTest(name: string): DriftTestModule {
  const t = DRIFT_TEST_MODULES.find((m) => m.name === name);
  if (!t) throw new Error(`unknown drift test ${name}`);
  return t;
}

/** Up to this many research rows a sample is "small": p-value tests; above, effect sizes (as the leading drift tool). */
export const SMALL_SAMPLE = 1000;

/** The default test per column: small samples use p-values, large ones effect sizes. */
export function defaultTest(type: ColumnType, researchCount: number): string {
  const small = researchCount <= SMALL_SAMPLE;
  if (type === 'numeric') return small ? 'ks' : 'wasserstein';
  return small ? 'chisquare' : 'jensenshannon';
}

/** What the selection rules below read of the drift options. */
export interface DriftSelection {
  /** Per column (research name): test name. */
  readonly tests?: Readonly<Record<string, string>>;
  readonly thresholds?: Readonly<Record<string, number>>;
  /** For every column without its own. */
  readonly test?: string;
  readonly threshold?: number;
  /** The fraction an empty bin or category takes in PSI and KL. */
  readonly psiFloor?: number;
}

/** The test a user asked for on this column (its own, else the one for every column), if any. */
function requested(column: string, options: DriftSelection): DriftTestModule | undefined {
  const name = options.tests?.[column] ?? options.test;
  return name === undefined ? undefined : findDriftTest(name);
}

/**
 * The aggregate beyond the merged sort and the bins that this numeric column's requested test needs, if any:
 * the caller computes it (rank-sql.ts) only then.
 */
export function extraAggregate(column: string, options: DriftSelection): Aggregate | undefined {
  const t = requested(column, options);
  if (!t || !t.columns.includes('numeric')) return undefined;
  return t.needs === 'ranks' || t.needs === 'moments' ? t.needs : undefined;
}

function available(t: DriftTestModule, g: DriftAggregates): boolean {
  if (!t.columns.includes(g.type)) return false;
  if (t.needs === 'ecdf' && !g.ecdf) return false;
  if (t.needs === 'ranks' && !g.ranks) return false;
  if (t.needs === 'moments' && !g.moments) return false;
  return t.applies ? t.applies(g) : true;
}

/**
 * The column's test: the requested one when it applies to the column (its type, its aggregates, e.g. two
 * categories for Fisher), else the default. Then the threshold: the column's own, else the one for every
 * column, else the test's default.
 */
export function chooseTest(column: string, g: DriftAggregates, options: DriftSelection): DriftTestModule {
  const asked = requested(column, options);
  return asked && available(asked, g) ? asked : driftTest(defaultTest(g.type, g.n1));
}

/**
 * Every figure of a column: the standing tests of its type, and its chosen test, in registry order; then the
 * verdict of the chosen test.
 */
export function runDriftTests(column: string, aggregates: DriftAggregates, options: DriftSelection): ColumnTests {
  const g = options.psiFloor === undefined ? aggregates : { ...aggregates, floor: options.psiFloor };
  const chosen = chooseTest(column, g, options);
  let tests: ColumnTests = {};
  for (const t of DRIFT_TEST_MODULES) {
    if (t === chosen || (t.standing?.includes(g.type) && available(t, g))) tests = { ...tests, ...t.compute(g) };
  }
  tests.drift = verdictOf(chosen, tests, options.thresholds?.[column] ?? options.threshold);
  return tests;
}

function verdictOf(t: DriftTestModule, tests: ColumnTests, threshold: number | undefined): DriftVerdict {
  const limit = threshold ?? t.threshold;
  const value = t.value(tests)!;
  // p-value tests drift when p falls below the threshold; distances when they reach it.
  const drifted = t.direction === 'pvalue' ? value < limit : value >= limit;
  return { test: t.name, value, threshold: limit, drifted };
}

/** How a finding names a verdict: '<label> <value> < threshold' for p-values, '≥' for distances. */
export function verdictWording(test: string): { label: string; operator: '<' | '≥' } {
  const t = driftTest(test);
  return { label: t.label, operator: t.direction === 'pvalue' ? '<' : '≥' };
}
