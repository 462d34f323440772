import type { Finding, Report } from './types.js';

/** The finding the verdict line names: a root (not propagated) of the first broken stage. */
export function headlineFinding(report: Report): Finding | undefined {
  const stage = report.firstBrokenStage;
  if (!stage) return undefined;
  return report.findings.find((f) => f.stage === stage && f.severity !== 'info' && f.propagatedFrom === null);
}
