import { ALL_CAUSES, STAGES } from './types.js';
import type { Command, EvidenceValue, FailOn, Finding, Report, Severity, Stage, StageOutcome, StageResult } from './types.js';
import { TOOL_VERSION } from '../version.js';

const SEVERITY_RANK: Record<Severity, number> = { info: 0, warning: 1, error: 2 };

/** True when a finding is at or above the failOn threshold. */
export function isBreaking(finding: Finding, failOn: FailOn = 'warning'): boolean {
  return SEVERITY_RANK[finding.severity] >= SEVERITY_RANK[failOn];
}

/** Builds a finding with defaults for the optional parts, so comparators stay terse. */
export function finding(f: Pick<Finding, 'stage' | 'severity' | 'cause' | 'message'> & Partial<Omit<Finding, 'stage' | 'severity' | 'cause' | 'message'>>): Finding {
  return {
    stage: f.stage,
    severity: f.severity,
    cause: f.cause,
    columns: f.columns ?? [],
    rowsAffected: f.rowsAffected ?? null,
    message: f.message,
    evidence: f.evidence ?? {},
    sampleKeys: f.sampleKeys ?? [],
    propagatedFrom: f.propagatedFrom ?? null,
  };
}

/** Sort findings so output is deterministic: stage order, severity (worst first), cause, columns, message. */
export function sortFindings(findings: readonly Finding[]): Finding[] {
  const stageIndex = (s: Stage) => STAGES.indexOf(s);
  return [...findings].sort(
    (a, b) =>
      stageIndex(a.stage) - stageIndex(b.stage) ||
      SEVERITY_RANK[b.severity] - SEVERITY_RANK[a.severity] ||
      ALL_CAUSES.indexOf(a.cause) - ALL_CAUSES.indexOf(b.cause) ||
      compareStrings(a.columns.join('\u0000'), b.columns.join('\u0000')) ||
      compareStrings(a.message, b.message),
  );
}

function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Status of a stage derived from its findings; skipped stays skipped unless a finding says why that breaks (an artifact on one side only). */
export function stageStatus(result: StageResult, findings: readonly Finding[], failOn: FailOn): StageResult {
  const broken = findings.some((f) => f.stage === result.stage && isBreaking(f, failOn));
  if (result.status === 'skipped') return broken ? { ...result, status: 'different' } : result;
  return { ...result, status: broken ? 'different' : 'equal' };
}

/**
 * Assembles the versioned report from stage outcomes: verdict and first broken stage follow from the findings.
 * The first broken stage is the first, in `order` (the walk's), with a breaking finding of its own (not
 * propagated from upstream).
 */
export function buildReport(command: Command, outcomes: readonly StageOutcome[], failOn: FailOn = 'warning', order: readonly Stage[] = STAGES): Report {
  const findings = sortFindings(outcomes.flatMap((o) => o.findings));
  const stages = [...outcomes].map((o) => stageStatus(withSummary(o.result, jsonSafe(o.result.summary)), o.findings, failOn)).sort((a, b) => STAGES.indexOf(a.stage) - STAGES.indexOf(b.stage));
  const different = stages.filter((s) => s.status === 'different').sort((a, b) => order.indexOf(a.stage) - order.indexOf(b.stage));
  const rooted = (s: StageResult) => findings.some((f) => f.stage === s.stage && f.propagatedFrom === null && isBreaking(f, failOn));
  const firstBroken = (different.find(rooted) ?? different[0])?.stage ?? null;
  return {
    schemaVersion: '1',
    tool: { name: 'reprodiff', version: TOOL_VERSION },
    command,
    verdict: firstBroken ? 'different' : 'equal',
    firstBrokenStage: firstBroken,
    stages,
    findings,
  };
}

/** The entry with another summary of the same stage (a stage's summary type follows from its stage). */
export function withSummary<S extends StageResult>(result: S, summary: S['summary']): S {
  return { ...result, summary };
}

/** A summary made JSON-safe by toEvidence: the same shape, non-finite numbers as strings, bigints as numbers. */
function jsonSafe<T extends object>(summary: T): T {
  return toEvidence(summary) as unknown as T;
}

/** Exit status contract: 0 equal within tolerance, 1 differences found. (2 is for input errors.) */
export function exitCodeFor(report: Report): 0 | 1 {
  return report.verdict === 'equal' ? 0 : 1;
}

/** Converts a value into something JSON can carry deterministically (bigint → number or string, NaN → "NaN"). */
export function toEvidence(value: unknown): EvidenceValue {
  if (value === null || value === undefined) return null;
  if (typeof value === 'bigint') {
    return value <= BigInt(Number.MAX_SAFE_INTEGER) && value >= BigInt(Number.MIN_SAFE_INTEGER) ? Number(value) : value.toString();
  }
  if (typeof value === 'number') return Number.isFinite(value) ? value : String(value);
  if (typeof value === 'string' || typeof value === 'boolean') return value;
  if (Array.isArray(value)) return value.map(toEvidence);
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'object') {
    const out: Record<string, EvidenceValue> = {};
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) out[k] = toEvidence(v);
    return out;
  }
  return String(value);
}
