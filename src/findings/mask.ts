import { formatNumber } from '../text/format.js';
import type { EvidenceValue, Finding, Report, StageResult } from './types.js';
import { withSummary } from './report.js';

/** What a masked value is shown as, in every format. */
export const MASKED = '[masked]';

/** Evidence fields that hold counts, shares or keys (not a column's values): they stay visible under --mask. */
const KEPT_WORDS =
  /(^n$|count|rows|share|fraction|ratio|key|column|cause|stage|severity|^type|test|threshold|drifted|statistic$|pvalue|p_value|psi|diff|null|distinct|missing|nan|label|format|fingerprint|matched)/i;
/** `nRows`, `n_missing`: a count by its n prefix (case matters: `newValues` holds values). */
const KEPT_N_PREFIX = /^n[A-Z_]/;

function isKept(field: string): boolean {
  return KEPT_N_PREFIX.test(field) || KEPT_WORDS.test(field);
}

/**
 * `--mask COL`: a sensitive column's values never appear in any report (datacompy `hide_sensitive_columns`).
 * Keys and counts still do. Applied to the finished report, so every renderer (terminal, JSON, Markdown, HTML,
 * JUnit) reads the masked copy. In a finding that names a masked column, every evidence value that is not a
 * count/key field is masked (samples, top values, min/max, quantiles); in every finding and stage summary, a
 * field named after a masked column (a sample row's cell) is masked; the masked texts are also removed from
 * messages.
 */
export function maskReport(report: Report, columns: readonly string[] | undefined): Report {
  if (!columns || columns.length === 0) return report;
  const masked = new Set(columns);
  const seen = new Set<string>();
  const findings = report.findings.map((f) => maskFinding(f, masked, seen));
  // Masking keeps a summary's shape: it replaces values, never keys.
  const stages = report.stages.map((s): StageResult => withSummary(s, maskFields(s.summary as unknown as EvidenceValue, masked, false, seen) as unknown as StageResult['summary']));
  // Texts long enough to be recognisable, longest first so a value containing another is removed whole.
  const texts = [...seen].filter((t) => t.length >= 3).sort((a, b) => b.length - a.length);
  const scrub = (m: string) => texts.reduce((acc, t) => acc.split(t).join(MASKED), m);
  return {
    ...report,
    stages: stages.map((s) => ({ ...s, reason: scrub(s.reason) })),
    findings: findings.map((f) => ({ ...f, message: scrub(f.message) })),
  };
}

function maskFinding(f: Finding, masked: ReadonlySet<string>, seen: Set<string>): Finding {
  // Row-count findings name every column (or the key) but carry counts; their sample rows are masked by cell name.
  const names = !ROW_CAUSES.has(f.cause) && f.columns.some((c) => masked.has(c));
  // Deny by default: every evidence leaf of such a finding is masked unless its field is a count or a key, so a field
  // added later (a new value list, a fitted constant) cannot leak through an allowlist that does not know it.
  return { ...f, evidence: maskFields(f.evidence, masked, names, seen, '', names) as Finding['evidence'] };
}

const ROW_CAUSES: ReadonlySet<string> = new Set(['rows_missing', 'rows_extra', 'duplicate_rows', 'duplicate_keys', 'null_keys', 'no_common_rows']);

/** Evidence fields that carry a column's values (samples, top values, min/max, quantiles, category lists). */
const VALUES =
  /^(?=.)(research|production)?(before|after|ceiling|floor|min|max|mean|median|mode|std|sum|quantiles?|p\d+|q\d+|top|topValues|values|categories|new|gone|unseen|samples?|examples?|rows?Sample|first|last|range|levels)?$/i;

/**
 * Walks evidence. `all` (a finding naming a masked column): a leaf under a value-carrying field is masked unless its
 * own field is a count or key. Everywhere: a field named after a masked column (a sample row's cell) is masked whole.
 */
function maskFields(v: EvidenceValue, masked: ReadonlySet<string>, all: boolean, seen: Set<string>, key = '', inValue = false): EvidenceValue {
  if (v === null || typeof v === 'boolean') return v;
  if (typeof v === 'string' || typeof v === 'number') {
    if (!inValue || isKept(key)) return v;
    seen.add(String(v));
    // Messages show numbers the way the renderers format them (6 significant digits, thousands separators).
    if (typeof v === 'number') seen.add(formatNumber(v));
    return MASKED;
  }
  if (Array.isArray(v)) return v.map((x) => maskFields(x, masked, all, seen, key, inValue));
  const out: Record<string, EvidenceValue> = {};
  for (const [k, x] of Object.entries(v as Record<string, EvidenceValue>)) {
    if (masked.has(k)) out[k] = maskFields(x, masked, all, seen, '', true);
    else out[k] = maskFields(x, masked, all, seen, k, inValue || (all && VALUES.test(k)));
  }
  return out;
}
