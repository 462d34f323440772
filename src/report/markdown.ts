import type { Finding, Report, Stage, StageResult } from '../findings/types.js';
import type { RenderOptions } from './index.js';
import { verdictLine } from './terminal.js';
import { nextActions } from '../findings/catalogue.js';
import { formatCount, formatNumber } from '../text/format.js';
import { readColumns } from './charts.js';
import { printable, truncate } from '../text/escape.js';
import type { StatisticValue } from './charts.js';

/** Where a stage sits on the ladder; the same reading as the terminal's ladder. */
export type LadderKind = 'equal' | 'skipped' | 'first-break' | 'propagated' | 'different';

export interface LadderStep {
  readonly stage: Stage;
  readonly kind: LadderKind;
  /** "data ✔", "features ✘ first break", "splits ↳ propagated", "env – skipped". */
  readonly label: string;
}

/** The stage ladder: equal, skipped, the first break, and downstream stages whose findings all propagate from upstream. */
export function ladderSteps(report: Report): LadderStep[] {
  return report.stages.map((s) => {
    const kind = ladderKind(report, s);
    const suffix = { equal: '✔', skipped: '– skipped', 'first-break': '✘ first break', propagated: '↳ propagated', different: '✘' }[kind];
    return { stage: s.stage, kind, label: `${s.stage} ${suffix}` };
  });
}

function ladderKind(report: Report, s: StageResult): LadderKind {
  if (s.status === 'skipped') return 'skipped';
  if (s.status === 'equal') return 'equal';
  if (s.stage === report.firstBrokenStage) return 'first-break';
  const allPropagated = report.findings.filter((f) => f.stage === s.stage && f.severity !== 'info').every((f) => f.propagatedFrom);
  return allPropagated ? 'propagated' : 'different';
}

/** Escapes text for inline Markdown (table cells included): HTML, emphasis, links, pipes, line breaks. */
export function mdText(text: string): string {
  return printable(truncate(text))
    .replace(/[\\`*_[\]~|]/g, (ch) => `\\${ch}`)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/\r\n|\r|\n/g, ' ');
}

/** A fenced code block whose fence is longer than any backtick run inside, so content cannot close it. */
function fenced(content: string, lang: string): string {
  const longest = Math.max(2, ...[...content.matchAll(/`+/g)].map((m) => m[0].length));
  const fence = '`'.repeat(longest + 1);
  return `${fence}${lang}\n${content}\n${fence}`;
}

function ladderLine(report: Report): string {
  return ladderSteps(report)
    .map((s) => (s.kind === 'first-break' ? `**${s.label}**` : s.kind === 'skipped' ? `_${s.label}_` : s.label))
    .join(' · ');
}

const SEVERITY_LABEL = { error: '✘ error', warning: '! warning', info: 'i info' } as const;

function findingsTable(findings: readonly Finding[]): string[] {
  const rows = findings.map((f) =>
    [
      f.severity === 'error' ? `**${SEVERITY_LABEL.error}**` : SEVERITY_LABEL[f.severity],
      `\`${f.cause}\``,
      f.columns.map(mdText).join(', ') || '–',
      f.rowsAffected === null ? '–' : formatCount(f.rowsAffected),
      mdText(f.message),
      f.propagatedFrom ?? '–',
    ].join(' | '),
  );
  return ['| Severity | Cause | Columns | Rows | Message | Propagated from |', '| --- | --- | --- | ---: | --- | --- |', ...rows.map((r) => `| ${r} |`)];
}

/** Longest evidence block shown in Markdown (the JSON report keeps it whole). */
const MAX_EVIDENCE = 8000;

function evidenceBlock(findings: readonly Finding[]): string[] {
  const withEvidence = findings.filter((f) => Object.keys(f.evidence).length > 0 || f.sampleKeys.length > 0);
  if (withEvidence.length === 0) return [];
  const lines = ['<details>', `<summary>Evidence (${withEvidence.length} finding${withEvidence.length === 1 ? '' : 's'})</summary>`, ''];
  for (const f of withEvidence) {
    const cols = f.columns.length ? ` — ${f.columns.map(mdText).join(', ')}` : '';
    const body = f.sampleKeys.length ? { evidence: f.evidence, sampleKeys: f.sampleKeys } : f.evidence;
    lines.push(`**\`${f.cause}\`**${cols}`, '', fenced(printable(truncate(JSON.stringify(body, null, 2), MAX_EVIDENCE)), 'json'), '');
  }
  lines.push('</details>');
  return lines;
}

function statistic(v: StatisticValue): string {
  return typeof v === 'string' ? mdText(v) : typeof v === 'boolean' ? String(v) : formatNumber(v);
}

function columnTables(stage: StageResult): string[] {
  if (stage.stage !== 'data' && stage.stage !== 'features') return [];
  const columns = readColumns(stage.summary);
  const lines: string[] = [];
  const drift = columns.filter((c) => c.drift);
  if (drift.length > 0) {
    lines.push('| Column | Drift test | Value | Threshold | Drifted |', '| --- | --- | ---: | ---: | --- |');
    for (const c of drift) {
      const d = c.drift!;
      lines.push(`| ${mdText(c.name)} | ${mdText(d.test)} | ${statistic(d.value)} | ${statistic(d.threshold)} | ${d.drifted ? '**yes**' : 'no'} |`);
    }
    lines.push('');
  }
  // Only statistics that differ: an equal stage with wide tables would otherwise flood a PR summary.
  const changed = columns.flatMap((c) => c.statistics.filter(([, r, p]) => r !== p).map((row) => [c.name, ...row] as const));
  const total = columns.reduce((a, c) => a + c.statistics.length, 0);
  if (changed.length > 0) {
    lines.push('<details>', `<summary>Column statistics that differ (${changed.length} of ${total})</summary>`, '');
    lines.push('| Column | Statistic | Research | Production |', '| --- | --- | ---: | ---: |');
    for (const [column, name, r, p] of changed) lines.push(`| ${mdText(column)} | ${mdText(name)} | ${statistic(r)} | ${statistic(p)} |`);
    lines.push('', '</details>', '');
  }
  return lines;
}

const HEADING: Record<LadderKind, string> = {
  equal: '✔ %s: equal',
  skipped: '– %s: skipped',
  'first-break': '✘ %s: different — first break',
  propagated: '↳ %s: different — propagated from upstream',
  different: '✘ %s: different',
};

function stageSection(report: Report, stage: StageResult, step: LadderStep, verbose: boolean): string[] {
  const all = report.findings.filter((f) => f.stage === stage.stage);
  const shown = verbose ? all : all.filter((f) => f.severity !== 'info');
  const lines = [`### ${HEADING[step.kind]}`.replace('%s', stage.stage), ''];
  if (stage.reason) lines.push(`Reason: ${mdText(stage.reason)}`, '');
  if (shown.length > 0) lines.push(...findingsTable(shown), '');
  else if (stage.status !== 'skipped') lines.push('No findings.', '');
  const next = nextActions(shown);
  if (next.length > 0) lines.push('What to check next:', '', ...next.map((x) => `- \`${x.cause}\`: ${mdText(x.next)}`), '');
  const hidden = all.length - shown.length;
  if (hidden > 0) lines.push(`_${hidden} informational finding${hidden === 1 ? '' : 's'} not shown (--verbose shows them)._`, '');
  const evidence = evidenceBlock(shown);
  if (evidence.length > 0) lines.push(...evidence, '');
  lines.push(...columnTables(stage));
  return lines;
}

/** Markdown report (for PR comments and `$GITHUB_STEP_SUMMARY`): verdict, ladder, then per stage a findings table, evidence and column statistics. */
export function renderMarkdown(report: Report, options: RenderOptions): string {
  const mark = report.verdict === 'equal' ? '✔' : '✘';
  const lines = [
    `**${mark} ${mdText(verdictLine(report))}**`,
    '',
    ladderLine(report),
    '',
    `<sub>reprodiff ${mdText(report.tool.version)} · \`${report.command}\` · report schema ${report.schemaVersion}</sub>`,
    '',
  ];
  const steps = ladderSteps(report);
  report.stages.forEach((stage, i) => lines.push(...stageSection(report, stage, steps[i]!, options.verbose)));
  return `${lines.join('\n').trimEnd()}\n`;
}

/** Escaping for a workflow-command message (`::error ...::<message>`). */
function escapeData(s: string): string {
  return s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

/** Escaping for a workflow-command property value (`title=...`). */
function escapeProperty(s: string): string {
  return escapeData(s).replace(/:/g, '%3A').replace(/,/g, '%2C');
}

/** GitHub Actions annotations: one `::error` or `::warning` line per error or warning finding (info findings are left out). */
export function githubAnnotations(report: Report): string {
  return report.findings
    .filter((f) => f.severity !== 'info')
    .map((f) => `::${f.severity} title=${escapeProperty(`reprodiff ${f.stage}/${f.cause}`)}::${escapeData(truncate(f.message))}`)
    .join('\n');
}
