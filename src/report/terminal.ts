import { Chalk } from 'chalk';
import type { ChalkInstance } from 'chalk';
import type { Finding, Report, Severity, StageResult } from '../findings/types.js';
import type { RenderOptions } from './index.js';
import { formatCount } from './format.js';
import { headlineFinding } from '../findings/headline.js';

const SEVERITY_MARK: Record<Severity, string> = { error: '✘', warning: '!', info: 'i' };

/** The verdict line a person reads first: equal, or where it first breaks and why. */
export function verdictLine(report: Report): string {
  if (report.verdict === 'equal') {
    const checked = report.stages.filter((s) => s.status !== 'skipped').map((s) => s.stage);
    return `equal: ${checked.join(', ') || 'nothing compared'} reproduce${checked.length === 1 ? 's' : ''} within tolerance`;
  }
  const stage = report.firstBrokenStage!;
  const root = headlineFinding(report);
  const count = report.findings.filter((f) => f.severity !== 'info').length;
  const why = root ? ` — ${root.cause}: ${root.message}` : '';
  return `different: first break at ${stage}${why} (${count} finding${count === 1 ? '' : 's'})`;
}

function ladder(report: Report, c: ChalkInstance): string {
  return report.stages
    .map((s) => {
      if (s.status === 'skipped') return c.dim(`${s.stage} – skipped`);
      if (s.status === 'equal') return c.green(`${s.stage} ✔`);
      if (s.stage === report.firstBrokenStage) return c.red.bold(`${s.stage} ✘ first break`);
      const allPropagated = report.findings.filter((f) => f.stage === s.stage && f.severity !== 'info').every((f) => f.propagatedFrom);
      return allPropagated ? c.yellow(`${s.stage} ↳ propagated`) : c.red(`${s.stage} ✘`);
    })
    .join(c.dim(' · '));
}

function findingLine(f: Finding, c: ChalkInstance): string {
  const colour = f.severity === 'error' ? c.red : f.severity === 'warning' ? c.yellow : c.dim;
  const cols = f.columns.length ? ` ${c.bold(f.columns.join(', '))}` : '';
  const rows = f.rowsAffected !== null ? c.dim(` [${formatCount(f.rowsAffected)} rows]`) : '';
  const from = f.propagatedFrom ? c.dim(` (propagated from ${f.propagatedFrom})`) : '';
  const keys = f.sampleKeys.length ? `\n      ${c.dim(`e.g. keys ${f.sampleKeys.slice(0, 5).map((k) => JSON.stringify(k)).join(', ')}`)}` : '';
  return `  ${colour(SEVERITY_MARK[f.severity])} ${colour(f.cause)}${cols}${rows}: ${f.message}${from}${keys}`;
}

function stageBlock(stage: StageResult, findings: readonly Finding[], c: ChalkInstance, verbose: boolean): string[] {
  const lines = [c.bold(`${stage.stage}: ${stage.status}`) + (stage.reason ? c.dim(` — ${stage.reason}`) : '')];
  const shown = verbose ? findings : findings.filter((f) => f.severity !== 'info');
  for (const f of shown) lines.push(findingLine(f, c));
  const hidden = findings.length - shown.length;
  if (hidden > 0) lines.push(c.dim(`  (${hidden} informational finding${hidden === 1 ? '' : 's'}; --verbose shows them)`));
  return lines;
}

/** A later stage in brief: its own roots in full, its consequences of upstream breaks counted. */
function rootsOnly(stage: StageResult, findings: readonly Finding[], c: ChalkInstance): string[] {
  const breaking = findings.filter((f) => f.severity !== 'info');
  const roots = breaking.filter((f) => f.propagatedFrom === null);
  const lines = [c.bold(`${stage.stage}: ${stage.status}`) + (stage.status === 'skipped' && stage.reason ? c.dim(` — ${stage.reason}`) : '')];
  for (const f of roots) lines.push(findingLine(f, c));
  const propagated = breaking.length - roots.length;
  if (propagated > 0) {
    const from = [...new Set(breaking.filter((f) => f.propagatedFrom).map((f) => f.propagatedFrom))].join(', ');
    lines.push(c.dim(`  ↳ ${propagated} finding${propagated === 1 ? '' : 's'} propagated from ${from} (--verbose shows them)`));
  }
  return lines;
}

/** Terminal report: verdict line, stage ladder, then findings (first broken stage in full; all with --verbose). */
export function renderTerminal(report: Report, options: RenderOptions): string {
  const c = options.color === undefined ? new Chalk() : new Chalk({ level: options.color ? 1 : 0 });
  const head = report.verdict === 'equal' ? c.green.bold(`✔ ${verdictLine(report)}`) : c.red.bold(`✘ ${verdictLine(report)}`);
  const lines = [head, ladder(report, c), ''];
  for (const stage of report.stages) {
    const findings = report.findings.filter((f) => f.stage === stage.stage);
    const fullDetail = options.verbose || stage.stage === report.firstBrokenStage || report.command !== 'check';
    if (fullDetail) lines.push(...stageBlock(stage, findings, c, options.verbose), '');
    else lines.push(...rootsOnly(stage, findings, c), '');
  }
  return lines.join('\n').trimEnd();
}
