import { Chalk } from 'chalk';
import type { ChalkInstance } from 'chalk';
import type { EvidenceValue, Finding, Report, Severity, StageResult } from '../findings/types.js';
import { nextActions } from '../findings/catalogue.js';
import { comparedSummary } from '../findings/summaries.js';
import { headlineFinding } from '../findings/headline.js';
import type { RenderOptions } from './index.js';
import { formatCount, formatNumber, formatValue } from '../text/format.js';
import { shown as safe } from '../text/escape.js';
import { estimatedColumns } from './charts.js';
import { HLL_STANDARD_ERROR } from '../stats/hll.js';

const SEVERITY_MARK: Record<Severity, string> = { error: '✘', warning: '!', info: 'i' };
/** Columns of a keyless sample row shown on one line. */
const MAX_ROW_COLUMNS = 8;
/** Package names listed in a grouped environment line. */
const MAX_GROUPED_NAMES = 12;

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
  const cols = f.columns.length ? ` ${c.bold(f.columns.map((x) => safe(x)).join(', '))}` : '';
  const rows = f.rowsAffected !== null ? c.dim(` [${formatCount(f.rowsAffected)} row${f.rowsAffected === 1 ? '' : 's'}]`) : '';
  const from = f.propagatedFrom ? c.dim(` (propagated from ${f.propagatedFrom})`) : '';
  return `  ${colour(SEVERITY_MARK[f.severity])} ${colour(f.cause)}${cols}${rows}: ${safe(f.message)}${from}${sampleLines(f, c)}`;
}

/** A value as the terminal shows it. */
function shown(v: EvidenceValue | undefined): string {
  return safe(formatValue(v));
}

function isRecord(v: EvidenceValue | undefined): v is { readonly [k: string]: EvidenceValue } {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A keyless row, column by column (the first few). */
function rowText(row: { readonly [k: string]: EvidenceValue }): string {
  const entries = Object.entries(row);
  const cut = entries.slice(0, MAX_ROW_COLUMNS).map(([k, v]) => `${safe(formatNumber(k))}=${shown(v)}`);
  return `${cut.join(', ')}${entries.length > MAX_ROW_COLUMNS ? ', …' : ''}`;
}

/** Sample rows under a finding: `key: research → production` when both values are known, else the keys or rows. */
function sampleLines(f: Finding, c: ChalkInstance): string {
  const samples = Array.isArray(f.evidence.samples) ? (f.evidence.samples as readonly EvidenceValue[]).filter(isRecord).filter((s) => 'key' in s) : [];
  if (samples.length > 0) return samples.map((s) => `\n      ${c.dim(`${shown(s.key)}:`)} ${shown(s.research)} ${c.dim('→')} ${shown(s.production)}`).join('');
  const rows = Array.isArray(f.evidence.sampleRows) ? (f.evidence.sampleRows as readonly EvidenceValue[]).filter(isRecord) : [];
  if (rows.length > 0) {
    const side = f.cause === 'rows_extra' ? 'production only' : 'research only';
    return rows.map((r) => `\n      ${c.dim(`${side}:`)} ${rowText(r)}`).join('');
  }
  return f.sampleKeys.length ? `\n      ${c.dim(`e.g. keys ${f.sampleKeys.map(shown).join(', ')}`)}` : '';
}

/** One "what to check next" line per root cause of a block, from the cause catalogue. */
function nextLines(findings: readonly Finding[], c: ChalkInstance): string[] {
  return nextActions(findings).map((x) => `  ${c.cyan('→')} ${c.dim(`next (${x.cause}):`)} ${x.next}`);
}

/** `--time-col`: the last time each feature was populated, per side; the features where it differs first. */
export function lastPopulatedLines(stage: StageResult, c: ChalkInstance): string[] {
  const rows = lastPopulated(stage);
  if (rows.length === 0) return [];
  const differ = rows.filter((r) => r.research !== r.production);
  const lines = [
    `  ${c.dim('last time each feature was populated:')} ${differ.length ? `${formatCount(differ.length)} of ${formatCount(rows.length)} feature${rows.length === 1 ? '' : 's'} differ` : `the same on both sides for ${formatCount(rows.length)} feature${rows.length === 1 ? '' : 's'}`}`,
  ];
  for (const r of differ.slice(0, MAX_GROUPED_NAMES)) lines.push(`      ${shown(r.column)}: ${shown(r.research)} ${c.dim('→')} ${shown(r.production)}`);
  if (differ.length > MAX_GROUPED_NAMES) lines.push(c.dim(`      … ${formatCount(differ.length - MAX_GROUPED_NAMES)} more in the JSON report`));
  return lines;
}

/** The features summary's lastPopulated entries (column, research, production), in column order. */
export function lastPopulated(stage: StageResult): { column: string; research: string | null; production: string | null }[] {
  const s = stage.stage === 'features' ? comparedSummary<'features'>(stage.summary) : undefined;
  const lp = s && 'lastPopulated' in s ? s.lastPopulated : undefined;
  if (!lp) return [];
  const text = (v: number | string | boolean | null) => (v === null ? null : String(v));
  return Object.entries(lp).map(([column, v]) => ({ column, research: text(v.research), production: text(v.production) }));
}

/** Environment findings, interpreter first; packages only on one side grouped into one line each. */
function envLines(findings: readonly Finding[], c: ChalkInstance): string[] {
  const lines: string[] = [];
  const rank = (f: Finding) => (f.cause === 'interpreter_version' ? 0 : f.cause === 'platform_change' ? 1 : f.cause === 'library_version' ? 2 : 3);
  const single = findings.filter((f) => f.cause !== 'package_extra' && f.cause !== 'package_missing').sort((a, b) => rank(a) - rank(b));
  for (const f of single) lines.push(findingLine(f, c));
  for (const [cause, side] of [
    ['package_missing', 'research'],
    ['package_extra', 'production'],
  ] as const) {
    const group = findings.filter((f) => f.cause === cause);
    if (group.length === 0) continue;
    if (group.length <= 3) {
      for (const f of group) lines.push(findingLine(f, c));
      continue;
    }
    const worst = group.some((f) => f.severity === 'error') ? 'error' : group.some((f) => f.severity === 'warning') ? 'warning' : 'info';
    const colour = worst === 'error' ? c.red : worst === 'warning' ? c.yellow : c.dim;
    const names = group.flatMap((f) => f.columns).map((n) => safe(formatNumber(n)));
    const list = names.slice(0, MAX_GROUPED_NAMES).join(', ') + (names.length > MAX_GROUPED_NAMES ? ', …' : '');
    lines.push(`  ${colour(SEVERITY_MARK[worst])} ${colour(cause)}: ${formatCount(group.length)} packages only in ${side}: ${list}`);
  }
  return lines;
}

/** `--by-position`: the sample keys below are row numbers in file order (the synthetic key's name in the summary). */
function byPositionLines(stage: StageResult, c: ChalkInstance): string[] {
  const s = stage.stage === 'data' || stage.stage === 'features' ? comparedSummary<'data' | 'features'>(stage.summary) : undefined;
  const key = s && 'byPosition' in s ? s.byPosition?.key : undefined;
  if (typeof key !== 'string') return [];
  return [c.dim(`  rows matched by position: keys are row numbers in file order (1-based, column ${safe(key)})`)];
}

/** Columns whose distinct count is an estimate: named, so that a reader knows which figures are approximate. */
function estimatedLines(stage: StageResult, c: ChalkInstance): string[] {
  const names = (stage.stage === 'data' || stage.stage === 'features' ? estimatedColumns(stage.summary) : []).map((n) => safe(n));
  if (names.length === 0) return [];
  const list = names.slice(0, MAX_GROUPED_NAMES).join(', ') + (names.length > MAX_GROUPED_NAMES ? ', …' : '');
  const error = `${(HLL_STANDARD_ERROR * 100).toFixed(1)}%`;
  return [
    c.dim(`  ≈ distinct counts estimated (HyperLogLog, ±${error} standard error; never a finding) for ${names.length} column${names.length === 1 ? '' : 's'}: ${list}; --exact-stats counts them`),
  ];
}

function stageBlock(stage: StageResult, findings: readonly Finding[], c: ChalkInstance, verbose: boolean): string[] {
  const lines = [c.bold(`${stage.stage}: ${stage.status}`) + (stage.reason ? c.dim(` — ${safe(stage.reason)}`) : ''), ...byPositionLines(stage, c)];
  const visible = verbose ? findings : findings.filter((f) => f.severity !== 'info');
  if (stage.stage === 'env') lines.push(...envLines(visible, c));
  else for (const f of visible) lines.push(findingLine(f, c));
  lines.push(...nextLines(visible, c));
  lines.push(...lastPopulatedLines(stage, c));
  lines.push(...estimatedLines(stage, c));
  const hidden = findings.length - visible.length;
  if (hidden > 0) lines.push(c.dim(`  (${hidden} informational finding${hidden === 1 ? '' : 's'}; --verbose shows them)`));
  return lines;
}

/** Performance requirements both environments met (`--require`): shown, so a reader sees they were checked. */
function requirementsMetLines(stage: StageResult, c: ChalkInstance): string[] {
  const list = stage.stage === 'predictions' ? comparedSummary<'predictions'>(stage.summary)?.requirements : undefined;
  if (!list) return [];
  const met = list.filter((r) => r.met).map((r) => safe(r.requirement));
  return met.length ? [`  ${c.green('✔')} requirement${met.length === 1 ? '' : 's'} met in both environments: ${met.join(', ')}`] : [];
}

/** A later stage in brief: its own roots in full, its consequences of upstream breaks counted. */
function rootsOnly(stage: StageResult, findings: readonly Finding[], c: ChalkInstance): string[] {
  const breaking = findings.filter((f) => f.severity !== 'info');
  const roots = breaking.filter((f) => f.propagatedFrom === null);
  const lines = [c.bold(`${stage.stage}: ${stage.status}`) + (stage.status === 'skipped' && stage.reason ? c.dim(` — ${safe(stage.reason)}`) : '')];
  if (stage.stage === 'env') lines.push(...envLines(roots, c));
  else for (const f of roots) lines.push(findingLine(f, c));
  lines.push(...nextLines(roots, c));
  lines.push(...requirementsMetLines(stage, c));
  lines.push(...estimatedLines(stage, c));
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
  const head = report.verdict === 'equal' ? c.green.bold(`✔ ${safe(verdictLine(report))}`) : c.red.bold(`✘ ${safe(verdictLine(report))}`);
  const lines = [head, ladder(report, c), ''];
  for (const stage of report.stages) {
    const findings = report.findings.filter((f) => f.stage === stage.stage);
    const fullDetail = options.verbose || stage.stage === report.firstBrokenStage || report.command !== 'check';
    if (fullDetail) lines.push(...stageBlock(stage, findings, c, options.verbose), '');
    else lines.push(...rootsOnly(stage, findings, c), '');
  }
  return lines.join('\n').trimEnd();
}
