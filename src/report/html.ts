import type { EvidenceValue, Finding, Report, StageResult } from '../findings/types.js';
import type { RenderOptions } from './index.js';
import { lastPopulated, verdictLine } from './terminal.js';
import { nextActions } from '../findings/catalogue.js';
import { ladderSteps } from './markdown.js';
import type { LadderStep } from './markdown.js';
import { formatCount, formatNumber, formatValue } from '../text/format.js';
import {
  categoryChart,
  differenceChart,
  escapeXml as esc,
  histogramChart,
  readColumns,
  readDifferences,
  readScoreSample,
  readTransitions,
  scoreScatter,
  sharesDiffer,
  transitionHeatmap,
} from './charts.js';
import type { ColumnSummary, StatisticValue } from './charts.js';

/** The report's Content-Security-Policy: no script, no request of any kind, inline styles only. */
export const CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'";

/** Charts per stage are capped so a wide table cannot turn the report into megabytes of SVG. */
const MAX_COLUMN_CHARTS = 24;

const STYLE = `
:root{color-scheme:light;--fg:#0f172a;--muted:#64748b;--line:#e2e8f0;--bg:#f8fafc;--card:#fff;
--ok:#16a34a;--ok-bg:#f0fdf4;--bad:#dc2626;--bad-bg:#fef2f2;--warn:#d97706;--warn-bg:#fffbeb;--info:#64748b;--info-bg:#f1f5f9}
*{box-sizing:border-box}
body{margin:0;background:var(--bg);color:var(--fg);font:14px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif}
main{max-width:1080px;margin:0 auto;padding:28px 24px 48px}
code,.mono{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:12.5px}
.top{display:flex;justify-content:space-between;align-items:baseline;margin-bottom:14px;color:var(--muted)}
.brand{font-weight:700;font-size:15px;color:var(--fg);letter-spacing:.2px}
.verdict{display:flex;gap:16px;align-items:flex-start;padding:18px 20px;border-radius:10px;border:1px solid;margin-bottom:16px}
.verdict.equal{background:var(--ok-bg);border-color:#bbf7d0}
.verdict.different{background:var(--bad-bg);border-color:#fecaca}
.verdict .icon{flex:none;width:34px;height:34px;border-radius:50%;display:grid;place-items:center;color:#fff;font-weight:700;font-size:18px}
.verdict.equal .icon{background:var(--ok)}.verdict.different .icon{background:var(--bad)}
.verdict h1{margin:0 0 2px;font-size:19px;line-height:1.35}
.verdict p{margin:0;color:#334155;overflow-wrap:anywhere}
.ladder{display:flex;flex-wrap:wrap;gap:6px;align-items:center;list-style:none;padding:0;margin:0 0 10px}
.ladder li{display:flex;align-items:center;gap:6px}
.ladder li+li::before{content:"→";color:#cbd5e1;margin-right:2px}
.ladder a{display:inline-flex;gap:6px;align-items:center;padding:5px 11px;border-radius:999px;border:1px solid var(--line);background:var(--card);text-decoration:none;color:var(--fg);font-weight:600}
.ladder .mark{font-weight:700}
.ladder .equal a{border-color:#bbf7d0;background:var(--ok-bg)}.ladder .equal .mark{color:var(--ok)}
.ladder .first-break a{border-color:var(--bad);background:var(--bad);color:#fff}
.ladder .different a{border-color:#fecaca;background:var(--bad-bg)}.ladder .different .mark{color:var(--bad)}
.ladder .propagated a{border-color:#fde68a;background:var(--warn-bg)}.ladder .propagated .mark{color:var(--warn)}
.ladder .skipped a{color:var(--muted);border-style:dashed;font-weight:500}
.counts{color:var(--muted);margin:0 0 22px}
.stage{background:var(--card);border:1px solid var(--line);border-radius:10px;padding:18px 20px;margin-bottom:16px}
.stage>h2{margin:0;font-size:16px;display:flex;gap:10px;align-items:center}
.stage .reason{color:var(--muted);margin:4px 0 0}
.tag{font-size:11.5px;font-weight:600;padding:2px 8px;border-radius:999px;text-transform:uppercase;letter-spacing:.4px}
.tag.equal{background:var(--ok-bg);color:var(--ok)}.tag.different,.tag.first-break{background:var(--bad-bg);color:var(--bad)}
.tag.propagated{background:var(--warn-bg);color:var(--warn)}.tag.skipped{background:var(--info-bg);color:var(--info)}
.finding{border:1px solid var(--line);border-left:4px solid var(--info);border-radius:8px;padding:10px 14px;margin-top:12px}
.finding.error{border-left-color:var(--bad)}.finding.warning{border-left-color:var(--warn)}
.finding header{display:flex;flex-wrap:wrap;gap:8px;align-items:center}
.sev{font-size:11px;font-weight:700;text-transform:uppercase;padding:1px 7px;border-radius:4px;letter-spacing:.4px}
.sev.error{background:var(--bad-bg);color:var(--bad)}.sev.warning{background:var(--warn-bg);color:var(--warn)}.sev.info{background:var(--info-bg);color:var(--info)}
.cause{font-weight:600}
.cols code{background:var(--info-bg);padding:1px 6px;border-radius:4px;overflow-wrap:anywhere}
.rows,.from{color:var(--muted);font-size:13px}
.finding .message{margin:6px 0 0;overflow-wrap:anywhere}
details{margin-top:8px}
summary{cursor:pointer;color:#334155;font-size:13px}
table{border-collapse:collapse;width:100%;margin-top:8px;font-size:13px}
th,td{text-align:left;padding:5px 8px;border-bottom:1px solid var(--line);vertical-align:top;overflow-wrap:anywhere}
th{color:var(--muted);font-weight:600;font-size:12px;background:#f8fafc}
td.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
tr.changed td{background:#fffbeb}
table.evidence{width:auto;min-width:min(100%,420px)}
.evidence td:first-child{padding-right:28px}
.evidence code{white-space:pre-wrap}
h3{font-size:13.5px;margin:20px 0 4px;color:#334155}
.charts{display:grid;align-items:start;grid-template-columns:repeat(auto-fill,minmax(420px,1fr));gap:14px;margin-top:8px}
figure{margin:0;border:1px solid var(--line);border-radius:8px;padding:10px 10px 6px;background:#fff}
figcaption{font-size:12.5px;color:#334155;margin-bottom:4px;overflow-wrap:anywhere}
figcaption .note{color:var(--muted)}
svg.chart{display:block;width:100%;height:auto;margin:0 auto}
.muted{color:var(--muted)}
.next ul{margin:4px 0 0;padding-left:20px}.next li{margin:2px 0}
footer{color:var(--muted);font-size:12px;margin-top:26px;text-align:center}
@media print{body{background:#fff}.stage,.finding,figure{break-inside:avoid}}
`;

const LADDER_MARK: Record<LadderStep['kind'], string> = { equal: '✔', skipped: '–', 'first-break': '✘', propagated: '↳', different: '✘' };
const LADDER_TAG: Record<LadderStep['kind'], string> = {
  equal: 'equal',
  skipped: 'skipped',
  'first-break': 'first break',
  propagated: 'propagated',
  different: 'different',
};

function ladder(steps: readonly LadderStep[]): string {
  const items = steps.map((s) => `<li class="${s.kind}"><a href="#stage-${s.stage}" title="${esc(s.label)}">${s.stage} <span class="mark">${LADDER_MARK[s.kind]}</span></a></li>`);
  return `<ol class="ladder" aria-label="Stage ladder">${items.join('')}</ol>`;
}

function evidenceValue(v: EvidenceValue): string {
  if (typeof v === 'number') return esc(formatNumber(v));
  if (typeof v === 'string') return esc(v);
  if (v === null || typeof v === 'boolean') return `<code>${String(v)}</code>`;
  return `<code>${esc(JSON.stringify(v, null, 1).replace(/\n\s*/g, ' '))}</code>`;
}

function evidenceTable(f: Finding): string {
  const entries = Object.entries(f.evidence);
  if (entries.length === 0 && f.sampleKeys.length === 0) return '';
  const rows = entries.map(([k, v]) => `<tr><td class="mono">${esc(k)}</td><td${typeof v === 'number' ? ' class="num"' : ''}>${evidenceValue(v)}</td></tr>`);
  if (f.sampleKeys.length) rows.push(`<tr><td>sample keys</td><td>${evidenceValue(f.sampleKeys)}</td></tr>`);
  return `<details><summary>Evidence</summary><table class="evidence"><tbody>${rows.join('')}</tbody></table></details>`;
}

function findingCard(f: Finding): string {
  const cols = f.columns.length ? `<span class="cols">${f.columns.map((c) => `<code>${esc(c)}</code>`).join(' ')}</span>` : '';
  const rows = f.rowsAffected !== null ? `<span class="rows">${formatCount(f.rowsAffected)} row${f.rowsAffected === 1 ? '' : 's'}</span>` : '';
  const from = f.propagatedFrom ? `<span class="from">↳ propagated from <a href="#stage-${f.propagatedFrom}">${f.propagatedFrom}</a></span>` : '';
  return (
    `<article class="finding ${f.severity}"><header><span class="sev ${f.severity}">${f.severity}</span>` +
    `<span class="cause mono">${f.cause}</span>${cols}${rows}${from}</header>` +
    `<p class="message">${esc(f.message)}</p>${evidenceTable(f)}</article>`
  );
}

function figure(caption: string, svg: string, note = ''): string {
  return `<figure><figcaption>${caption}${note ? ` <span class="note">${note}</span>` : ''}</figcaption>${svg}</figure>`;
}

/** Columns worth a picture: drifted, named by a warning or error, or with a different share of rows somewhere. */
function chartedColumns(columns: readonly ColumnSummary[], findings: readonly Finding[]): ColumnSummary[] {
  const named = new Set(findings.filter((f) => f.severity !== 'info').flatMap((f) => f.columns));
  return columns.filter((c) => {
    if (!c.histogram && !c.categories) return false;
    if (c.drift?.drifted || named.has(c.name)) return true;
    if (c.histogram && sharesDiffer(c.histogram.research, c.histogram.production)) return true;
    return c.categories !== undefined && sharesDiffer(c.categories.research, c.categories.production);
  });
}

function driftNote(c: ColumnSummary): string {
  if (!c.drift) return '';
  const d = c.drift;
  return esc(`${d.test} ${formatNumber(d.value)} (threshold ${formatNumber(d.threshold)})${d.drifted ? ' — drifted' : ''}`);
}

function columnCharts(columns: readonly ColumnSummary[], findings: readonly Finding[]): string {
  const charted = chartedColumns(columns, findings);
  if (charted.length === 0) return '';
  const figures = charted.slice(0, MAX_COLUMN_CHARTS).map((c) => {
    const svg = c.histogram ? histogramChart(c.name, c.histogram) : categoryChart(c.name, c.categories!);
    return figure(`<code>${esc(c.name)}</code>`, svg, driftNote(c));
  });
  const more = charted.length - figures.length;
  const tail = more > 0 ? `<p class="muted">${more} more column${more === 1 ? '' : 's'} differ; the JSON report has every histogram.</p>` : '';
  return `<h3>Distributions: research vs production</h3><div class="charts">${figures.join('')}</div>${tail}`;
}

function statistic(v: StatisticValue): string {
  return typeof v === 'string' ? esc(v) : typeof v === 'boolean' ? String(v) : esc(formatNumber(v));
}

function statisticsTable(columns: readonly ColumnSummary[]): string {
  const rows: string[] = [];
  for (const c of columns) {
    const drift = c.drift
      ? `<tr${c.drift.drifted ? ' class="changed"' : ''}><td class="mono">${esc(c.name)}</td><td>${esc(c.drift.test)}${c.drift.drifted ? ' (drifted)' : ''}</td><td class="num">${statistic(c.drift.value)}</td><td class="num">threshold ${statistic(c.drift.threshold)}</td></tr>`
      : '';
    rows.push(drift);
    for (const [name, r, p] of c.statistics) {
      rows.push(`<tr${r === p ? '' : ' class="changed"'}><td class="mono">${esc(c.name)}</td><td>${esc(name)}</td><td class="num">${statistic(r)}</td><td class="num">${statistic(p)}</td></tr>`);
    }
  }
  const body = rows.join('');
  if (!body) return '';
  return (
    `<details><summary>Column statistics (${columns.length} column${columns.length === 1 ? '' : 's'}; differing values highlighted)</summary>` +
    `<table class="stats"><thead><tr><th>Column</th><th>Statistic</th><th>Research</th><th>Production</th></tr></thead><tbody>${body}</tbody></table></details>`
  );
}

/** `--time-col`: the last time each feature was populated, per side; rows that differ highlighted. */
function lastPopulatedTable(stage: StageResult): string {
  const rows = lastPopulated(stage);
  if (rows.length === 0) return '';
  const differ = rows.filter((r) => r.research !== r.production).length;
  const body = rows
    .map(
      (r) =>
        `<tr${r.research === r.production ? '' : ' class="changed"'}><td class="mono">${esc(r.column)}</td><td class="num">${esc(formatValue(r.research))}</td><td class="num">${esc(formatValue(r.production))}</td></tr>`,
    )
    .join('');
  return `<h3>Last time each feature was populated</h3><p class="muted">${differ ? `${formatCount(differ)} of ${formatCount(rows.length)} differ` : 'the same on both sides'}</p><table class="stats"><thead><tr><th>Column</th><th>Research</th><th>Production</th></tr></thead><tbody>${body}</tbody></table>`;
}

function stageCharts(stage: StageResult, findings: readonly Finding[]): string {
  if (stage.stage === 'data' || stage.stage === 'features') {
    const columns = readColumns(stage.summary);
    return columnCharts(columns, findings) + lastPopulatedTable(stage) + statisticsTable(columns);
  }
  const figures: string[] = [];
  if (stage.stage === 'splits') {
    const t = readTransitions(stage.summary);
    const svg = t && transitionHeatmap(t);
    if (svg) figures.push(figure('Split transitions', svg, 'rows per research split (rows) and production split (columns)'));
  }
  if (stage.stage === 'predictions') {
    const d = readDifferences(stage.summary);
    if (d) figures.push(figure('Score differences', differenceChart(d), 'production − research'));
    const s = readScoreSample(stage.summary);
    if (s) figures.push(figure('Research vs production scores', scoreScatter(s), `${formatCount(s.length)} sampled rows`));
  }
  return figures.length ? `<h3>Charts</h3><div class="charts">${figures.join('')}</div>` : '';
}

function stageSection(stage: StageResult, step: LadderStep, findings: readonly Finding[]): string {
  const reason = stage.reason ? `<p class="reason">${esc(stage.reason)}</p>` : '';
  const cards = findings.length ? findings.map(findingCard).join('') : stage.status === 'skipped' ? '' : '<p class="muted">No findings.</p>';
  const next = nextActions(findings);
  const nextList = next.length ? `<div class="next"><h3>What to check next</h3><ul>${next.map((x) => `<li><code>${x.cause}</code> ${esc(x.next)}</li>`).join('')}</ul></div>` : '';
  return (
    `<section class="stage" id="stage-${stage.stage}"><h2>${stage.stage}<span class="tag ${step.kind}">${LADDER_TAG[step.kind]}</span></h2>` +
    `${reason}${cards}${nextList}${stage.status === 'skipped' ? '' : stageCharts(stage, findings)}</section>`
  );
}

function severityCounts(report: Report): string {
  const count = (s: Finding['severity']) => report.findings.filter((f) => f.severity === s).length;
  const plural = (k: number, word: string) => `${formatCount(k)} ${word}${k === 1 ? '' : 's'}`;
  return `${plural(count('error'), 'error')} · ${plural(count('warning'), 'warning')} · ${plural(count('info'), 'informational finding')}`;
}

/** One self-contained HTML page (inline CSS and SVG, no scripts, no network): verdict, ladder, findings with evidence, charts. */
export function renderHtml(report: Report, _options: RenderOptions): string {
  const steps = ladderSteps(report);
  const line = verdictLine(report);
  const [headline, ...rest] = line.split(' — ');
  const detail = rest.join(' — ');
  const sections = report.stages.map((s, i) =>
    stageSection(
      s,
      steps[i]!,
      report.findings.filter((f) => f.stage === s.stage),
    ),
  );
  return [
    '<!DOCTYPE html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    // Nothing loads, nothing runs: only the inline stylesheet and the inline SVG's style attributes are allowed.
    `<meta http-equiv="Content-Security-Policy" content="${CSP}">`,
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>reprodiff ${report.command}: ${esc(headline!)}</title>`,
    `<style>${STYLE}</style>`,
    '</head>',
    '<body>',
    '<main>',
    `<div class="top"><span class="brand">reprodiff</span><span>${esc(report.tool.version)} · ${report.command} · report schema ${report.schemaVersion}</span></div>`,
    `<section class="verdict ${report.verdict}"><div class="icon">${report.verdict === 'equal' ? '✔' : '✘'}</div>` +
      `<div><h1>${esc(capitalise(headline!))}</h1>${detail ? `<p>${esc(detail)}</p>` : ''}</div></section>`,
    ladder(steps),
    `<p class="counts">${severityCounts(report)}</p>`,
    ...sections,
    `<footer>Made by reprodiff ${esc(report.tool.version)} from the JSON report (schema version ${report.schemaVersion}).</footer>`,
    '</main>',
    '</body>',
    '</html>',
    '',
  ].join('\n');
}

function capitalise(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}
