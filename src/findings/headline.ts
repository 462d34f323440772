/**
 * Which root the verdict line names. Inside the first broken stage, roots are ranked by how much they
 * explain: a specific cause before the symptom it produces (`type_change` before `value_changed`,
 * `duplicate_keys` before `rows_extra`, `model_nondeterminism` before `label_flip`), a finding backed by
 * upstream evidence (an explanation the explain engine found) before one without, a source column before
 * the columns derived from it (`age` before `age_z`), then by rows covered.
 */
import type { CauseCode, Finding, Report } from './types.js';

/** Causes that describe what differs rather than why: named only when nothing more specific is there. */
export const SYMPTOMS: ReadonlySet<CauseCode> = new Set([
  'value_changed',
  'statistic_changed',
  'distribution_drift',
  'label_flip',
  'split_membership',
  'split_proportions',
  'label_balance',
  'numeric_noise',
  'aggregation_precision',
  'column_extra',
  'performance_drop',
]);

/**
 * True when column `derived` is named after `source` the way feature code names what it makes of a column:
 * `age` → `age_z`, `age_scaled`, `log_age`, `region_north` (one-hot), `temp_c` → `temp_c_z`.
 */
export function derivedFrom(derived: string, source: string): boolean {
  if (derived === source || source.length < 2) return derived === source;
  const d = derived.toLowerCase();
  const s = source.toLowerCase();
  const sep = /[_.\-: ]/;
  return (d.startsWith(s) && sep.test(d.charAt(s.length))) || (d.endsWith(s) && sep.test(d.charAt(d.length - s.length - 1)));
}

/** The roots of a stage (breaking findings not propagated from upstream), strongest first. */
export function rankRoots(findings: readonly Finding[]): Finding[] {
  const roots = findings.filter((f) => f.severity !== 'info' && f.propagatedFrom === null);
  const causes = new Set(roots.map((f) => f.cause));
  const symptom = (f: Finding) =>
    SYMPTOMS.has(f.cause) ||
    // Values of a column whose type changed differ because of the type change.
    (f.cause !== 'type_change' && f.columns.length > 0 && roots.some((g) => g.cause === 'type_change' && f.columns.every((c) => g.columns.includes(c)))) ||
    // Extra rows that are duplicate copies: the duplication is the cause.
    (f.cause === 'rows_extra' && (causes.has('duplicate_keys') || causes.has('duplicate_rows'))) ||
    // A rescale next to a moved fill value in the same column: the scaler was refitted on the new fill.
    (f.cause === 'rescaled' && roots.some((g) => g.evidence.fittedConstant === true && g.columns.join() === f.columns.join() && hasEvidence(g)));
  const derived = (f: Finding) => f.columns.length > 0 && roots.some((g) => g !== f && g.columns.length > 0 && f.columns.every((c) => g.columns.some((s) => s !== c && derivedFrom(c, s))));
  const rank = (f: Finding): number[] => [f.severity === 'error' ? 0 : 1, symptom(f) ? 1 : 0, hasEvidence(f) ? 0 : 1, derived(f) ? 1 : 0, -(f.rowsAffected ?? 0)];
  const order = new Map(roots.map((f, i) => [f, i]));
  return [...roots].sort((a, b) => {
    const ra = rank(a);
    const rb = rank(b);
    for (let i = 0; i < ra.length; i++) if (ra[i] !== rb[i]) return ra[i]! - rb[i]!;
    return order.get(a)! - order.get(b)!;
  });
}

/** Evidence from outside the finding's own columns: an upstream explanation or an attribution. */
function hasEvidence(f: Finding): boolean {
  const e = f.evidence.explanation;
  return typeof e === 'object' && e !== null && !Array.isArray(e);
}

/** The finding the verdict line names: the strongest root of the first broken stage. */
export function headlineFinding(report: Report): Finding | undefined {
  const stage = report.firstBrokenStage;
  if (!stage) return undefined;
  return rankRoots(report.findings.filter((f) => f.stage === stage))[0];
}
