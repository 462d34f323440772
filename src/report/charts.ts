import { printable, truncate as cut } from '../text/escape.js';
/**
 * Inline SVG charts for the HTML report, and the readers that pull chart data out of a stage summary.
 * Everything here is a pure function of its arguments: coordinates are rounded so output is byte-stable,
 * and no chart references anything outside the document (no fonts, no images, no xmlns needed inline).
 */
import { formatCount, formatNumber } from '../text/format.js';
import { comparedSummary } from '../findings/summaries.js';
import type { CategoriesSummary, DataColumnSummary, HistogramSummary, ProfileSummary, StageSummaries } from '../findings/summaries.js';

// ---------------------------------------------------------------------------------------------
// Markup text
// ---------------------------------------------------------------------------------------------

// printable (src/text/escape.ts): control characters, non-characters, lone surrogates, bidi overrides.
export { printable };

/**
 * Escapes text for HTML/SVG/XML text nodes and quoted attribute values. Line breaks in data become character
 * references, so no line of the file starts with text from the data (a CI log printing it reads no command).
 */
export function escapeXml(text: string): string {
  return printable(cut(text)).replace(/[&<>"'\n\r]/g, (ch) => XML_ENTITIES[ch]!);
}

const XML_ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;', '\n': '&#10;', '\r': '&#13;' };

// ---------------------------------------------------------------------------------------------
// What the charts draw, read from the typed stage summaries (a chart is skipped when it has nothing to draw)
// ---------------------------------------------------------------------------------------------

export interface Histogram {
  readonly edges: readonly number[];
  readonly research: readonly number[];
  readonly production: readonly number[];
}

export interface Categories {
  readonly values: readonly string[];
  readonly research: readonly number[];
  readonly production: readonly number[];
}

export interface DriftTest {
  readonly test: string;
  readonly value: number | string | null;
  readonly threshold: number | string | null;
  readonly drifted: boolean;
}

export type StatisticValue = number | string | boolean | null;

/** One statistic of one column: name, research value, production value. */
export type StatisticRow = readonly [name: string, research: StatisticValue, production: StatisticValue];

export interface ColumnSummary {
  readonly name: string;
  readonly histogram?: Histogram;
  readonly categories?: Categories;
  readonly drift?: DriftTest;
  readonly statistics: readonly StatisticRow[];
}

export interface Transitions {
  readonly research: readonly string[];
  readonly production: readonly string[];
  readonly counts: readonly (readonly number[])[];
}

export interface Differences {
  readonly edges: readonly number[];
  readonly counts: readonly number[];
}

function finiteArray(v: readonly unknown[]): v is number[] {
  return v.every((x) => typeof x === 'number' && Number.isFinite(x));
}

/** Counts a chart can draw: finite, not negative, one per bin or category. */
function countArray(v: readonly unknown[], length: number): v is number[] {
  return finiteArray(v) && v.length === length && v.every((x) => x >= 0);
}

function statisticValue(v: unknown): v is StatisticValue {
  return v === null || typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean';
}

/** A histogram the chart can draw: at least one bin, edges finite and ascending, one count per bin on each side. */
function drawableHistogram(h: HistogramSummary | undefined): Histogram | undefined {
  if (!h || !finiteArray(h.edges) || h.edges.length < 2) return undefined;
  const edges = h.edges;
  const k = edges.length - 1;
  if (!countArray(h.research, k) || !countArray(h.production, k)) return undefined;
  if (edges.some((e, i) => i > 0 && e < edges[i - 1]!)) return undefined;
  return { edges, research: h.research, production: h.production };
}

/** Categories the chart can draw: at least one, one count per category on each side. */
function drawableCategories(c: CategoriesSummary | undefined): Categories | undefined {
  if (!c || c.values.length === 0) return undefined;
  if (!countArray(c.research, c.values.length) || !countArray(c.production, c.values.length)) return undefined;
  return { values: c.values, research: c.research, production: c.production };
}

/** Whether a profile's distinct count is an estimate (its `distinctEstimate` marker). */
function estimated(profile: ProfileSummary | null | undefined): boolean {
  return profile?.distinctEstimate?.approximate === true;
}

/** An estimated figure as every report shows it: `≈` before the number. */
export function approximately(v: number): string {
  return `≈${formatCount(v)}`;
}

/**
 * Scalar entries of a profile, with one level of nesting flattened (`quantiles.p50`); lists (top values) are
 * left out. Generic over the entries, so a statistic added to the profile is listed without a change here. An
 * estimated distinct count reads `≈…`, and its marker is not a statistic of its own.
 */
function flatProfile(profile: ProfileSummary): Map<string, StatisticValue> {
  const out = new Map<string, StatisticValue>();
  const approx = estimated(profile);
  for (const [k, v] of Object.entries(profile) as [string, unknown][]) {
    if (k === 'distinctEstimate') continue;
    if (k === 'distinct' && approx && typeof v === 'number') out.set(k, approximately(v));
    else if (statisticValue(v)) out.set(k, v);
    else if (typeof v === 'object' && !Array.isArray(v)) for (const [k2, v2] of Object.entries(v as object) as [string, unknown][]) if (statisticValue(v2)) out.set(`${k}.${k2}`, v2);
  }
  return out;
}

/**
 * Statistics of one column: its type on each side, then every statistic of either side's profile (a side is
 * empty when the column exists on the other side only).
 */
function readStatistics(col: DataColumnSummary): StatisticRow[] {
  const rows: StatisticRow[] = [['type', col.researchType, col.productionType]];
  const research = col.research ? flatProfile(col.research) : new Map<string, StatisticValue>();
  const production = col.production ? flatProfile(col.production) : new Map<string, StatisticValue>();
  for (const name of new Set([...research.keys(), ...production.keys()])) rows.push([name, research.get(name) ?? null, production.get(name) ?? null]);
  return rows;
}

/** Per-column summaries of a data/features stage, in the report's order (none for a skipped stage). */
export function readColumns(summary: StageSummaries['data'] | StageSummaries['features']): ColumnSummary[] {
  const s = comparedSummary<'data' | 'features'>(summary);
  if (!s) return [];
  return Object.entries(s.columns).map(([name, col]) => {
    const histogram = drawableHistogram(col.histogram);
    const categories = drawableCategories(col.categories);
    const d = col.tests?.drift;
    const drift: DriftTest | undefined = d && { test: d.test, value: d.value, threshold: d.threshold, drifted: d.drifted };
    return { name, statistics: readStatistics(col), ...(histogram && { histogram }), ...(categories && { categories }), ...(drift && { drift }) };
  });
}

/** Columns of a data/features stage whose distinct count is an estimate on either side, in the report's order. */
export function estimatedColumns(summary: StageSummaries['data'] | StageSummaries['features']): string[] {
  const s = comparedSummary<'data' | 'features'>(summary);
  if (!s) return [];
  return Object.entries(s.columns).flatMap(([name, col]) => (estimated(col.research) || estimated(col.production) ? [name] : []));
}

/** Split transition matrix of a splits stage (research split → production split), when there is one to draw. */
export function readTransitions(summary: StageSummaries['splits']): Transitions | undefined {
  const t = comparedSummary<'splits'>(summary)?.transitions;
  if (!t || t.research.length === 0 || t.production.length === 0 || t.counts.length !== t.research.length) return undefined;
  if (!t.counts.every((row) => countArray(row, t.production.length))) return undefined;
  return t;
}

/** Histogram of production − research scores of a predictions stage, when there is one to draw. */
export function readDifferences(summary: StageSummaries['predictions']): Differences | undefined {
  const d = comparedSummary<'predictions'>(summary)?.differences;
  if (!d || !finiteArray(d.edges) || d.edges.length < 2 || !countArray(d.counts, d.edges.length - 1)) return undefined;
  return d;
}

/** Sampled (research, production) score pairs of a predictions stage; non-finite pairs are dropped. */
export function readScoreSample(summary: StageSummaries['predictions']): (readonly [number, number])[] | undefined {
  const sample = comparedSummary<'predictions'>(summary)?.scoreSample;
  if (!sample) return undefined;
  const points = sample.filter((p): p is readonly [number, number] => finiteArray(p));
  return points.length > 0 ? points : undefined;
}

/** True when research and production put a different share of rows in some bin or category. */
export function sharesDiffer(research: readonly number[], production: readonly number[]): boolean {
  const rs = shares(research);
  const ps = shares(production);
  return rs.some((r, i) => Math.abs(r - ps[i]!) > 1e-12);
}

// ---------------------------------------------------------------------------------------------
// Drawing
// ---------------------------------------------------------------------------------------------

export const COLORS = {
  research: '#2563eb',
  production: '#ea580c',
  axis: '#94a3b8',
  grid: '#e2e8f0',
  text: '#475569',
  difference: '#7c3aed',
  agree: '#16a34a',
  disagree: '#dc2626',
} as const;

const WIDTH = 560;
const HEIGHT = 260;
const MARGIN = { top: 34, right: 18, bottom: 44, left: 58 } as const;
/** Width of one character of an 11px tick label, a little over the widest digits, for fitting labels. */
const CHAR_WIDTH = 6.5;
const FONT = 'font-family="system-ui, -apple-system, Segoe UI, Roboto, sans-serif" font-size="11"';

/** A coordinate with one decimal, never "-0": keeps the SVG byte-stable. */
function n(x: number): string {
  const r = Math.round(x * 10) / 10;
  return String(r === 0 ? 0 : r);
}

function shares(counts: readonly number[]): number[] {
  const total = counts.reduce((a, b) => a + b, 0);
  return counts.map((c) => (total > 0 ? c / total : 0));
}

function percentTick(v: number): string {
  return `${Number((v * 100).toPrecision(3))}%`;
}

/** Round tick values covering [min, max] (about `count` of them). */
export function niceTicks(min: number, max: number, count = 5): number[] {
  if (!(max > min)) return [min];
  const step = niceStep(min, max, count);
  const ticks: number[] = [];
  // Multiples of the step, not a running sum: a sum drifts (0 would print as -2.776e-17).
  const first = Math.ceil(min / step - 1e-9);
  for (let k = first; k * step <= max + step * 1e-9; k++) ticks.push(k === 0 ? 0 : Number((k * step).toPrecision(12)));
  return ticks;
}

function niceStep(min: number, max: number, count: number): number {
  const raw = (max - min) / count;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  return [1, 2, 2.5, 5, 10].map((m) => m * magnitude).find((s) => s >= raw) ?? raw;
}

/** [min, max] widened to whole tick steps, with ends within 1e-9 of the span of zero read as zero, so the axis ends on a labelled value. */
export function niceDomain(min: number, max: number, count = 6): [number, number] {
  const span = max - min;
  const snap = (v: number) => (Math.abs(v) <= span * 1e-9 ? 0 : v);
  const [lo, hi] = [snap(min), snap(max)];
  if (!(hi > lo)) return [lo, hi];
  const step = niceStep(lo, hi, count);
  return [Number((Math.floor(lo / step + 1e-9) * step).toPrecision(12)), Number((Math.ceil(hi / step - 1e-9) * step).toPrecision(12))];
}

interface Scale {
  (v: number): number;
  readonly domain: readonly [number, number];
}

function linear(d0: number, d1: number, r0: number, r1: number): Scale {
  const [lo, hi] = d1 > d0 ? [d0, d1] : [d0 - 0.5, d0 + 0.5];
  const f = (v: number) => r0 + ((v - lo) / (hi - lo)) * (r1 - r0);
  return Object.assign(f, { domain: [lo, hi] as const });
}

function svgOpen(title: string, width: number, height: number, description: string): string {
  return (
    `<svg class="chart" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" style="max-width:${width}px" role="img" ${FONT}>` +
    `<title>${escapeXml(title)}</title><desc>${escapeXml(description)}</desc>`
  );
}

function text(x: number, y: number, content: string, attrs = '', fill: string = COLORS.text): string {
  return `<text x="${n(x)}" y="${n(y)}" fill="${fill}"${attrs ? ` ${attrs}` : ''}>${escapeXml(content)}</text>`;
}

/** Cartesian frame: grid lines, tick labels and axis titles. */
function frame(x: Scale, y: Scale, xLabel: string, yLabel: string, yFormat: (v: number) => string, width = WIDTH, height = HEIGHT): string {
  const parts: string[] = ['<g class="axes">'];
  const [x0, x1] = [MARGIN.left, width - MARGIN.right];
  const [y0, y1] = [height - MARGIN.bottom, MARGIN.top];
  for (const t of niceTicks(y.domain[0], y.domain[1], 4)) {
    parts.push(`<line x1="${n(x0)}" x2="${n(x1)}" y1="${n(y(t))}" y2="${n(y(t))}" stroke="${COLORS.grid}"/>`);
    parts.push(text(x0 - 6, y(t) + 3.5, yFormat(t), 'text-anchor="end"'));
  }
  for (const t of niceTicks(x.domain[0], x.domain[1], 6)) {
    parts.push(`<line x1="${n(x(t))}" x2="${n(x(t))}" y1="${n(y0)}" y2="${n(y0 + 4)}" stroke="${COLORS.axis}"/>`);
    // A label wider than the room to the chart's edge is anchored inside it instead of being cut off.
    const label = formatNumber(t);
    const half = (label.length * CHAR_WIDTH) / 2;
    const anchor = x(t) + half > width - 2 ? 'end' : x(t) - half < 2 ? 'start' : 'middle';
    parts.push(text(x(t), y0 + 16, label, `text-anchor="${anchor}"`));
  }
  parts.push(`<line x1="${n(x0)}" x2="${n(x1)}" y1="${n(y0)}" y2="${n(y0)}" stroke="${COLORS.axis}"/>`);
  parts.push(text((x0 + x1) / 2, height - 8, xLabel, 'text-anchor="middle"'));
  parts.push(text(14, (y0 + y1) / 2, yLabel, `text-anchor="middle" transform="rotate(-90 14 ${n((y0 + y1) / 2)})"`));
  parts.push('</g>');
  return parts.join('');
}

function legend(items: readonly (readonly [label: string, color: string])[], width = WIDTH): string {
  const parts: string[] = ['<g class="legend">'];
  let x = width - MARGIN.right;
  for (const [label, color] of [...items].reverse()) {
    x -= label.length * 6 + 8;
    parts.push(text(x, 16, label));
    x -= 16;
    parts.push(`<rect x="${n(x)}" y="7" width="11" height="11" rx="2" fill="${color}" fill-opacity="0.55" stroke="${color}"/>`);
    x -= 14;
  }
  parts.push('</g>');
  return parts.join('');
}

/** Overlaid research/production histograms of one numeric column, as shares of rows per bin. */
export function histogramChart(column: string, h: Histogram): string {
  const rs = shares(h.research);
  const ps = shares(h.production);
  const x = linear(h.edges[0]!, h.edges[h.edges.length - 1]!, MARGIN.left, WIDTH - MARGIN.right);
  const y = linear(0, Math.max(...rs, ...ps, 1e-12) * 1.08, HEIGHT - MARGIN.bottom, MARGIN.top);
  const parts = [svgOpen(`${column}: research vs production distribution`, WIDTH, HEIGHT, `Share of rows per bin over ${h.edges.length - 1} bins.`)];
  parts.push(frame(x, y, column, 'share of rows', percentTick));
  for (const [series, values] of [
    ['research', rs],
    ['production', ps],
  ] as const) {
    const color = COLORS[series];
    const bars = values.map((v, i) => {
      const left = x(h.edges[i]!);
      const w = Math.max(x(h.edges[i + 1]!) - left - 1, 0.5);
      return `<rect x="${n(left + 0.5)}" y="${n(y(v))}" width="${n(w)}" height="${n(y(0) - y(v))}"/>`;
    });
    parts.push(`<g class="${series}" fill="${color}" fill-opacity="0.38">${bars.join('')}</g>`);
    const step = values.map((v, i) => `L${n(x(h.edges[i]!))} ${n(y(v))}L${n(x(h.edges[i + 1]!))} ${n(y(v))}`).join('');
    parts.push(`<path d="M${n(x(h.edges[0]!))} ${n(y(0))}${step}L${n(x(h.edges[h.edges.length - 1]!))} ${n(y(0))}" fill="none" stroke="${color}" stroke-width="1.5"/>`);
  }
  parts.push(
    legend([
      ['research', COLORS.research],
      ['production', COLORS.production],
    ]),
    '</svg>',
  );
  return parts.join('');
}

const MAX_CATEGORIES = 20;

function truncate(label: string, max: number): string {
  const chars = [...label];
  return chars.length > max ? `${chars.slice(0, max - 1).join('')}…` : label;
}

/** Grouped horizontal bars of category shares (the largest categories first, at most 20). */
export function categoryChart(column: string, c: Categories): string {
  const rs = shares(c.research);
  const ps = shares(c.production);
  const order = c.values
    .map((_, i) => i)
    .sort((a, b) => Math.max(rs[b]!, ps[b]!) - Math.max(rs[a]!, ps[a]!) || a - b)
    .slice(0, MAX_CATEGORIES);
  const rowHeight = 22;
  const left = 130;
  const height = MARGIN.top + order.length * rowHeight + MARGIN.bottom;
  const x = linear(0, Math.max(...rs, ...ps, 1e-12) * 1.08, left, WIDTH - MARGIN.right);
  const hidden = c.values.length - order.length;
  const desc = `Share of rows per category${hidden > 0 ? `; ${hidden} smaller categories not drawn` : ''}.`;
  const parts = [svgOpen(`${column}: research vs production categories`, WIDTH, height, desc), '<g class="axes">'];
  const base = height - MARGIN.bottom;
  for (const t of niceTicks(x.domain[0], x.domain[1], 5)) {
    parts.push(`<line x1="${n(x(t))}" x2="${n(x(t))}" y1="${MARGIN.top}" y2="${n(base)}" stroke="${COLORS.grid}"/>`);
    parts.push(text(x(t), base + 16, percentTick(t), 'text-anchor="middle"'));
  }
  parts.push(text((left + WIDTH - MARGIN.right) / 2, height - 8, hidden > 0 ? `share of rows (top ${order.length} of ${c.values.length})` : 'share of rows', 'text-anchor="middle"'));
  parts.push('</g><g class="bars">');
  order.forEach((i, row) => {
    const top = MARGIN.top + row * rowHeight;
    parts.push(text(left - 8, top + rowHeight / 2 + 4, truncate(c.values[i]!, 20), 'text-anchor="end"'));
    parts.push(`<rect class="research" x="${left}" y="${n(top + 2)}" width="${n(x(rs[i]!) - left)}" height="8" fill="${COLORS.research}" fill-opacity="0.75"/>`);
    parts.push(`<rect class="production" x="${left}" y="${n(top + 11)}" width="${n(x(ps[i]!) - left)}" height="8" fill="${COLORS.production}" fill-opacity="0.75"/>`);
  });
  parts.push(`</g><line x1="${left}" x2="${left}" y1="${MARGIN.top}" y2="${n(base)}" stroke="${COLORS.axis}"/>`);
  parts.push(
    legend([
      ['research', COLORS.research],
      ['production', COLORS.production],
    ]),
    '</svg>',
  );
  return parts.join('');
}

const MAX_SPLIT_LABELS = 40;

/** Heatmap of rows moving from each research split to each production split; the diagonal (same split) is green. */
export function transitionHeatmap(t: Transitions): string | undefined {
  if (t.research.length > MAX_SPLIT_LABELS || t.production.length > MAX_SPLIT_LABELS) return undefined;
  const cell = Math.max(30, Math.min(64, Math.floor(380 / Math.max(t.research.length, t.production.length))));
  const left = 120;
  const top = 64;
  const width = Math.max(left + t.production.length * cell + 24, 340);
  const height = top + t.research.length * cell + 40;
  const max = Math.max(...t.counts.flat(), 1);
  const parts = [svgOpen('Split transitions: research split → production split', width, height, 'Rows per (research split, production split) pair; the diagonal is agreement.')];
  parts.push(text(left + (t.production.length * cell) / 2, 18, 'production split', 'text-anchor="middle" font-weight="600"'));
  parts.push(text(16, top + (t.research.length * cell) / 2, 'research split', `text-anchor="middle" font-weight="600" transform="rotate(-90 16 ${n(top + (t.research.length * cell) / 2)})"`));
  t.production.forEach((label, j) => parts.push(text(left + j * cell + cell / 2, top - 10, truncate(label, Math.max(4, Math.floor(cell / 7))), 'text-anchor="middle"')));
  t.research.forEach((label, i) => {
    parts.push(text(left - 8, top + i * cell + cell / 2 + 4, truncate(label, 16), 'text-anchor="end"'));
    t.production.forEach((col, j) => {
      const count = t.counts[i]![j]!;
      const same = label === col;
      const intensity = count > 0 ? 0.12 + 0.88 * Math.sqrt(count / max) : 0;
      const fill = count === 0 ? '#f8fafc' : same ? COLORS.agree : COLORS.disagree;
      const x = left + j * cell;
      const y = top + i * cell;
      parts.push(
        `<rect class="cell" x="${x}" y="${y}" width="${cell - 2}" height="${cell - 2}" rx="3" fill="${fill}" fill-opacity="${count === 0 ? 1 : n(intensity)}" stroke="${COLORS.grid}">` +
          `<title>${escapeXml(`${label} → ${col}: ${formatCount(count)} rows`)}</title></rect>`,
      );
      parts.push(text(x + (cell - 2) / 2, y + (cell - 2) / 2 + 4, compactCount(count), 'text-anchor="middle"', intensity > 0.6 ? '#ffffff' : '#0f172a'));
    });
  });
  parts.push(text(16, height - 12, `${formatCount(t.counts.flat().reduce((a, b) => a + b, 0))} rows · green: same split · red: moved`));
  parts.push('</svg>');
  return parts.join('');
}

function compactCount(c: number): string {
  if (c < 1000) return String(c);
  if (c < 1e6) return `${Number((c / 1e3).toPrecision(3))}k`;
  if (c < 1e9) return `${Number((c / 1e6).toPrecision(3))}M`;
  return `${Number((c / 1e9).toPrecision(3))}B`;
}

/** Histogram of production − research score differences, with zero marked. */
export function differenceChart(d: Differences): string {
  const [lo, hi] = niceDomain(Math.min(d.edges[0]!, 0), Math.max(d.edges[d.edges.length - 1]!, 0));
  const x = linear(lo, hi, MARGIN.left, WIDTH - MARGIN.right);
  const y = linear(0, Math.max(...d.counts, 1) * 1.08, HEIGHT - MARGIN.bottom, MARGIN.top);
  const total = d.counts.reduce((a, b) => a + b, 0);
  const parts = [svgOpen('Score differences: production − research', WIDTH, HEIGHT, `${formatCount(total)} rows over ${d.counts.length} bins.`)];
  parts.push(frame(x, y, 'production − research score', 'rows', (v) => formatNumber(v)));
  const bars = d.counts.map((c, i) => {
    const left = x(d.edges[i]!);
    const w = Math.max(x(d.edges[i + 1]!) - left - 1, 0.5);
    return `<rect x="${n(left + 0.5)}" y="${n(y(c))}" width="${n(w)}" height="${n(y(0) - y(c))}"><title>${escapeXml(`[${formatNumber(d.edges[i]!)}, ${formatNumber(d.edges[i + 1]!)}): ${formatCount(c)} rows`)}</title></rect>`;
  });
  parts.push(`<g class="differences" fill="${COLORS.difference}" fill-opacity="0.7">${bars.join('')}</g>`);
  parts.push(`<line class="zero" x1="${n(x(0))}" x2="${n(x(0))}" y1="${MARGIN.top - 4}" y2="${n(y(0))}" stroke="#0f172a" stroke-dasharray="4 3"/>`);
  const zero = x(0);
  const half = ('no difference'.length * CHAR_WIDTH) / 2;
  parts.push(text(zero, MARGIN.top - 8, 'no difference', `text-anchor="${zero + half > WIDTH - 2 ? 'end' : zero - half < 2 ? 'start' : 'middle'}"`), '</svg>');
  return parts.join('');
}

/** Scatter of sampled research vs production scores, with the line where they agree. */
export function scoreScatter(points: readonly (readonly [number, number])[]): string {
  const size = 300;
  const values = points.flat();
  const lo = Math.min(...values);
  const hi = Math.max(...values);
  const pad = hi > lo ? (hi - lo) * 0.04 : 0.5;
  const width = size + MARGIN.left + MARGIN.right;
  const height = size + MARGIN.top + MARGIN.bottom;
  const x = linear(lo - pad, hi + pad, MARGIN.left, MARGIN.left + size);
  const y = linear(lo - pad, hi + pad, MARGIN.top + size, MARGIN.top);
  const parts = [svgOpen('Research vs production scores', width, height, `${points.length} sampled rows; points off the diagonal differ.`)];
  parts.push(frame(x, y, 'research score', 'production score', (v) => formatNumber(v), width, height));
  parts.push(`<line class="diagonal" x1="${n(x(x.domain[0]))}" y1="${n(y(y.domain[0]))}" x2="${n(x(x.domain[1]))}" y2="${n(y(y.domain[1]))}" stroke="${COLORS.axis}" stroke-dasharray="4 3"/>`);
  const dots = points.map(([r, p]) => `<circle cx="${n(x(r))}" cy="${n(y(p))}" r="2.4"/>`);
  parts.push(`<g class="points" fill="${COLORS.difference}" fill-opacity="0.45">${dots.join('')}</g>`, '</svg>');
  return parts.join('');
}
