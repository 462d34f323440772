import { finding, toEvidence } from '../../findings/report.js';
import type { Finding, Stage } from '../../findings/types.js';
import { formatCount, formatNumber } from '../../report/format.js';
import type { ColumnPair, SchemaMatch } from './columns.js';
import type { ColumnDiff, KeyHealth, KeyedDiff } from './keyed.js';
import { PRECISION_DIGITS } from './keyed.js';
import type { SamplePart } from './keyed.js';
import type { KeylessDiff } from './keyless.js';
import type { ColumnProfile, TableProfile } from './profile.js';

const HOUR_US = 3_600_000_000;

/** Schema findings: missing/extra columns, breaking type changes, widening and order (info). */
export function schemaFindings(stage: Stage, schema: SchemaMatch): Finding[] {
  const out: Finding[] = [];
  for (const c of schema.onlyResearch) {
    out.push(finding({ stage, severity: 'error', cause: 'column_missing', columns: [c.name], message: `column ${c.name} (${c.type}) is in research but not in production`, evidence: { researchType: c.type } }));
  }
  for (const c of schema.onlyProduction) {
    out.push(finding({ stage, severity: 'warning', cause: 'column_extra', columns: [c.name], message: `column ${c.name} (${c.type}) is only in production`, evidence: { productionType: c.type } }));
  }
  for (const p of schema.pairs) {
    if (p.compatibility === 'same') continue;
    const evidence = { researchType: p.research.type, productionType: p.production.type, comparedAs: p.compareType };
    if (p.compatibility === 'widening') {
      out.push(finding({ stage, severity: 'info', cause: 'type_widening', columns: [p.name], message: `${p.name}: ${p.research.type} → ${p.production.type} (compatible ${p.typeNote}); values compared as ${p.compareType}`, evidence }));
    } else {
      out.push(finding({ stage, severity: 'error', cause: 'type_change', columns: [p.name], message: `${p.name}: type changed ${p.research.type} → ${p.production.type} (${p.typeNote}): schema drift`, evidence }));
    }
  }
  if (schema.orderDiffers) {
    out.push(finding({ stage, severity: 'info', cause: 'schema_order', message: 'columns are in a different order (matched by name, not a difference)' }));
  }
  return out;
}

/** Row findings of a keyed diff: missing, extra, duplicate keys, null keys. */
export function keyedRowFindings(stage: Stage, d: KeyedDiff): Finding[] {
  const key = [...d.key];
  const out: Finding[] = [];
  if (d.onlyResearch > 0) {
    out.push(finding({
      stage, severity: 'error', cause: 'rows_missing', columns: key, rowsAffected: d.onlyResearch, sampleKeys: toEvidence(d.sampleOnlyResearch) as never,
      message: `${formatCount(d.onlyResearch)} research rows have no match in production: rows lost in transfer or ETL`,
      evidence: { researchRows: d.research.rows, productionRows: d.production.rows, matched: d.matched },
    }));
  }
  if (d.onlyProduction > 0) {
    out.push(finding({
      stage, severity: 'error', cause: 'rows_extra', columns: key, rowsAffected: d.onlyProduction, sampleKeys: toEvidence(d.sampleOnlyProduction) as never,
      message: `${formatCount(d.onlyProduction)} production rows have no match in research`,
      evidence: { researchRows: d.research.rows, productionRows: d.production.rows, matched: d.matched },
    }));
  }
  out.push(...duplicateKeyFindings(stage, key, d.research, d.production));
  for (const [side, h] of [['research', d.research], ['production', d.production]] as const) {
    if (h.nullKeyRows > 0) {
      out.push(finding({
        stage, severity: 'warning', cause: 'null_keys', columns: key, rowsAffected: h.nullKeyRows,
        message: `${formatCount(h.nullKeyRows)} ${side} rows have a null key and cannot be matched`, evidence: { side, rows: h.rows },
      }));
    }
  }
  return out;
}

function duplicateKeyFindings(stage: Stage, key: string[], a: KeyHealth, b: KeyHealth): Finding[] {
  const out: Finding[] = [];
  // Duplicates that are the same on both sides reproduce; they are reported, but do not break the stage.
  const same = a.duplicateRows === b.duplicateRows && a.duplicateKeys === b.duplicateKeys;
  for (const [side, h] of [['research', a], ['production', b]] as const) {
    if (h.duplicateRows === 0) continue;
    out.push(finding({
      stage, severity: same ? 'info' : 'error', cause: 'duplicate_keys', columns: key, rowsAffected: h.duplicateRows, sampleKeys: toEvidence(h.sampleDuplicateKeys) as never,
      message: `${formatCount(h.duplicateKeys)} keys appear more than once in ${side} (${formatCount(h.duplicateRows)} extra rows)${same ? ', the same on both sides' : ': duplication in load'}`,
      evidence: { side, duplicateKeys: h.duplicateKeys, extraRows: h.duplicateRows, researchDuplicateRows: a.duplicateRows, productionDuplicateRows: b.duplicateRows },
    }));
  }
  return out;
}

/** Row findings of a keyless diff: rows only in one side (with multiplicity) and duplicate rows. */
export function keylessRowFindings(stage: Stage, d: KeylessDiff): Finding[] {
  const out: Finding[] = [];
  if (d.onlyResearch > 0) {
    out.push(finding({ stage, severity: 'error', cause: 'rows_missing', rowsAffected: d.onlyResearch, message: `${formatCount(d.onlyResearch)} research rows have no identical row in production`, evidence: { commonRows: d.common, sampleRows: toEvidence(d.sampleOnlyResearch) } }));
  }
  if (d.onlyProduction > 0) {
    out.push(finding({ stage, severity: 'error', cause: 'rows_extra', rowsAffected: d.onlyProduction, message: `${formatCount(d.onlyProduction)} production rows have no identical row in research`, evidence: { commonRows: d.common, sampleRows: toEvidence(d.sampleOnlyProduction) } }));
  }
  const same = d.duplicateRowsResearch === d.duplicateRowsProduction;
  for (const [side, n] of [['research', d.duplicateRowsResearch], ['production', d.duplicateRowsProduction]] as const) {
    if (n === 0) continue;
    out.push(finding({
      stage, severity: same ? 'info' : 'error', cause: 'duplicate_rows', rowsAffected: n,
      message: `${formatCount(n)} duplicate rows in ${side}${same ? ', the same on both sides' : ': duplication in load'}`,
      evidence: { side, research: d.duplicateRowsResearch, production: d.duplicateRowsProduction },
    }));
  }
  return out;
}

export interface ValueCauseOptions {
  readonly stage: Stage;
  /** Research statistics of the column, to recognise mean/median imputation. */
  readonly researchProfile?: ColumnProfile;
}

/**
 * Explains one column's differing rows. Sub-populations are explained separately (filled nulls, new nulls,
 * null vs NaN, and rows where both sides have a value), each with the most specific cause that covers all of it.
 */
export function valueFindings(d: ColumnDiff, pair: ColumnPair, options: ValueCauseOptions): Finding[] {
  const stage = options.stage;
  const col = [d.column];
  const part = (p: SamplePart) => ({
    keys: d.samples[p].map((s) => s.key),
    ev: (extra: Record<string, unknown>) => toEvidence({ differingRows: d.differing, ...extra, samples: d.samples[p] }) as Record<string, never>,
  });
  const out: Finding[] = [];
  if (d.nullVsNan > 0) {
    const s = part('nullnan');
    out.push(finding({ stage, severity: 'error', cause: 'null_vs_nan', columns: col, rowsAffected: d.nullVsNan, sampleKeys: s.keys as never, message: `${d.column}: ${formatCount(d.nullVsNan)} rows are null on one side and NaN on the other`, evidence: s.ev({}) }));
  }
  // Null-vs-NaN rows are also counted as filled (research null) or nulled (production null) by the probes.
  const filled = d.filledNulls - d.nanFilled;
  if (filled > 0) {
    const s = part('filled');
    out.push(nullFillFinding(d, filled, options, s.keys, s.ev));
  }
  const nulled = d.newNulls - (d.nullVsNan - d.nanFilled);
  if (nulled > 0) {
    const s = part('nulled');
    out.push(finding({ stage, severity: 'error', cause: stage === 'features' ? 'null_handling' : 'value_changed', columns: col, rowsAffected: nulled, sampleKeys: s.keys as never, message: `${d.column}: ${formatCount(nulled)} values are null in production but not in research`, evidence: s.ev({ newNulls: nulled }) }));
  }
  if (d.bothValued > 0) {
    const s = part('valued');
    out.push(valuedFinding(d, d.bothValued, pair, stage, s.keys, s.ev));
  }
  return out;
}

function nullFillFinding(d: ColumnDiff, filled: number, options: ValueCauseOptions, samples: unknown[], ev: (x: Record<string, unknown>) => Record<string, never>): Finding {
  const stage = options.stage;
  const constant = d.filledDistinct === 1 ? d.filledMin : null;
  let how = d.filledDistinct === 1 ? `filled with ${JSON.stringify(constant)}` : `filled with ${formatCount(d.filledDistinct)} different values`;
  const p = options.researchProfile;
  const value = constant === null || String(constant).trim() === '' ? NaN : Number(constant);
  if (p && Number.isFinite(value)) {
    if (p.mean !== null && p.mean !== undefined && closeTo(value, p.mean)) how = `imputed with the research mean (${formatNumber(p.mean)})`;
    else if (p.quantiles?.p50 !== null && p.quantiles?.p50 !== undefined && closeTo(value, p.quantiles.p50)) how = `imputed with the research median (${formatNumber(p.quantiles.p50)})`;
    else if (value === 0) how = 'filled with 0';
  }
  return finding({
    stage, severity: 'error', cause: stage === 'features' ? 'null_handling' : 'value_changed', columns: [d.column], rowsAffected: filled, sampleKeys: samples as never,
    message: `${d.column}: ${formatCount(filled)} rows null in research are ${how} in production: null handling differs`,
    evidence: ev({ filledNulls: filled, fillValue: constant, distinctFillValues: d.filledDistinct, fillMin: d.filledMin, fillMax: d.filledMax }),
  });
}

function closeTo(a: number, b: number): boolean {
  return Math.abs(a - b) <= 1e-6 * Math.max(1, Math.abs(b));
}

function valuedFinding(d: ColumnDiff, n: number, pair: ColumnPair, stage: Stage, samples: unknown[], ev: (x: Record<string, unknown>) => Record<string, never>): Finding {
  const col = [d.column];
  const base = { stage, columns: col, rowsAffected: n, sampleKeys: samples as never };
  const magnitude = { maxAbsDiff: d.maxAbsDiff, maxRelDiff: d.maxRelDiff };
  if (pair.kind === 'float' || pair.kind === 'decimal' || pair.kind === 'integer') {
    if (pair.kind !== 'integer' && d.finiteValued === n && d.float32Equal === n) {
      return finding({ ...base, severity: 'error', cause: 'float32_cast', message: `${d.column}: ${formatCount(n)} values differ but are equal after a float32 round-trip (max relative difference ${formatNumber(d.maxRelDiff)}): cast to float32`, evidence: ev(magnitude) });
    }
    const digits = d.finiteValued === n ? precisionDigits(d) : null;
    if (digits !== null) {
      return finding({ ...base, severity: 'error', cause: 'precision_loss', message: `${d.column}: ${formatCount(n)} values differ but are equal after rounding to ${digits} decimal${digits === 1 ? '' : 's'} (max abs difference ${formatNumber(d.maxAbsDiff)}): precision lost`, evidence: ev({ ...magnitude, decimals: digits }) });
    }
    const k = d.constants;
    if (d.finiteValued === n && n >= 3 && k.researchDistinct === 1 && k.productionDistinct === 1) {
      return finding({ ...base, severity: 'error', cause: stage === 'features' ? 'null_handling' : 'value_changed', message: `${d.column}: all ${formatCount(n)} differing rows hold one constant in each side (${formatNumber(k.research)} in research, ${formatNumber(k.production)} in production): a fill or imputation value differs`, evidence: ev({ ...magnitude, researchValue: k.research, productionValue: k.production }) });
    }
    const clip = clipping(d);
    if (clip) {
      return finding({ ...base, severity: 'error', cause: stage === 'features' ? 'clipping_differs' : 'value_changed', message: `${d.column}: ${formatCount(n)} values are ${clip.text} in production: clipping / outlier handling differs`, evidence: ev({ ...magnitude, ...clip.evidence }) });
    }
  }
  const shift = timezoneShift(d, pair);
  if (shift) {
    return finding({ ...base, severity: 'error', cause: 'timezone_shift', message: `${d.column}: all ${formatCount(n)} differing timestamps are shifted by ${shift.text}: time zone handling differs`, evidence: ev({ offsetHours: shift.hours }) });
  }
  const detail = d.maxAbsDiff !== null ? ` (max abs difference ${formatNumber(d.maxAbsDiff)}, max relative ${formatNumber(d.maxRelDiff)})` : '';
  return finding({ ...base, severity: 'error', cause: 'value_changed', message: `${d.column}: ${formatCount(n)} rows have different values${detail}`, evidence: ev(magnitude) });
}

/** The most decimals k at which every differing pair is equal after rounding; k = 0 only for integral production values. */
function precisionDigits(d: ColumnDiff): number | null {
  for (let j = PRECISION_DIGITS.length - 1; j >= 0; j--) {
    if (d.equalAtDigits[j] === d.bothValued) {
      const k = PRECISION_DIGITS[j]!;
      if (k === 0 && (d.maxAbsDiff ?? 1) >= 0.5) return null;
      return k;
    }
  }
  return null;
}

function clipping(d: ColumnDiff): { text: string; evidence: Record<string, unknown> } | null {
  const down = d.clippedDown;
  const up = d.clippedUp;
  if (down.count + up.count !== d.bothValued) return null;
  const downOk = down.count === 0 || (down.distinctTo === 1 && down.to !== null && down.minFrom !== null && down.minFrom > down.to);
  const upOk = up.count === 0 || (up.distinctTo === 1 && up.to !== null && up.maxFrom !== null && up.maxFrom < up.to);
  if (!downOk || !upOk) return null;
  // One value changed to one ceiling is as likely a typo fix as clipping: ask for a few.
  if (d.bothValued < 3) return null;
  const parts = [down.count ? `capped at ${formatNumber(down.to)}` : '', up.count ? `floored at ${formatNumber(up.to)}` : ''].filter(Boolean);
  return { text: parts.join(' and '), evidence: { clippedHigh: down.count, ceiling: down.to, clippedLow: up.count, floor: up.to } };
}

function timezoneShift(d: ColumnDiff, pair: ColumnPair): { text: string; hours: number[] } | null {
  if (!['timestamp', 'timestamptz', 'date'].includes(pair.kind) || d.offsets.length === 0 || d.offsets.length > 2) return null;
  const hours = d.offsets.map((o) => o.micros / HOUR_US);
  if (!hours.every((h) => Number.isInteger(h) && h !== 0 && Math.abs(h) <= 26)) return null;
  // Two offsets must be a daylight-saving pair, one hour apart.
  if (hours.length === 2 && Math.abs(hours[0]! - hours[1]!) !== 1) return null;
  const text = hours.map((h) => `${h > 0 ? '+' : ''}${h} h`).join(' / ');
  return { text, hours };
}

/** Numeric statistics that should match when the data does (rel. tolerance for sum-derived ones). */
const EXACT_STATS = ['rows', 'count', 'nulls', 'distinct', 'nan', 'posInf', 'negInf', 'zeros', 'min', 'max', 'minLength', 'maxLength', 'empty', 'trues'] as const;
const ROUNDED_STATS = ['mean', 'std', 'meanLength'] as const;

/** Statistics that differ between the sides for one column (for unkeyed evidence). */
export function statisticDifferences(a: ColumnProfile, b: ColumnProfile, relTol = 1e-9): Record<string, { research: unknown; production: unknown }> {
  const out: Record<string, { research: unknown; production: unknown }> = {};
  for (const s of EXACT_STATS) {
    const x = a[s];
    const y = b[s];
    if (x === undefined && y === undefined) continue;
    if (typeof x === 'number' && typeof y === 'number' ? !sameNumber(x, y, 0) : String(x) !== String(y)) out[s] = { research: x ?? null, production: y ?? null };
  }
  for (const s of ROUNDED_STATS) {
    const x = a[s];
    const y = b[s];
    if (typeof x === 'number' && typeof y === 'number' && !sameNumber(x, y, relTol)) out[s] = { research: x, production: y };
    else if ((x === null) !== (y === null)) out[s] = { research: x ?? null, production: y ?? null };
  }
  if (a.quantiles && b.quantiles) {
    for (const [q, x] of Object.entries(a.quantiles)) {
      const y = b.quantiles[q as keyof typeof b.quantiles];
      if (typeof x === 'number' && typeof y === 'number' ? !sameNumber(x, y, relTol) : x !== y) out[q] = { research: x, production: y };
    }
  }
  return out;
}

function sameNumber(x: number, y: number, rel: number): boolean {
  return x === y || Math.abs(x - y) <= rel * Math.max(Math.abs(x), Math.abs(y));
}

/** A sum that moved by more than 1e-12 (relative) while every count matched: precision lost in aggregation. */
export function aggregationPrecision(stage: Stage, column: string, a: ColumnProfile, b: ColumnProfile): Finding | null {
  if (a.exactSum === null || a.exactSum === undefined || b.exactSum === null || b.exactSum === undefined) return null;
  if (a.count !== b.count || a.nan !== b.nan || a.posInf !== b.posInf || a.negInf !== b.negInf) return null;
  // Relative to Σ|x|: a compensated sum's rounding error scales with it, and a sum near zero would
  // otherwise turn harmless last-bit differences into huge relative ones.
  const scale = Math.max(a.absSum ?? 0, b.absSum ?? 0, Math.abs(a.exactSum), Math.abs(b.exactSum));
  if (scale === 0) return null;
  const rel = Math.abs(a.exactSum - b.exactSum) / scale;
  // Beyond 1e-6 the values themselves changed: that is not a rounding effect.
  if (rel <= 1e-12 || rel > 1e-6) return null;
  return finding({
    stage, severity: 'warning', cause: 'aggregation_precision', columns: [column], rowsAffected: null,
    message: `${column}: sums differ by ${formatNumber(rel)} (relative) with the same counts: precision lost in an aggregation or a lossy cast`,
    evidence: { researchSum: a.exactSum, productionSum: b.exactSum, relativeDifference: rel },
  });
}

/** Keyless evidence per column: which statistics changed, as one finding per column. */
export function statisticFindings(stage: Stage, research: TableProfile, production: TableProfile, pairs: readonly ColumnPair[]): Finding[] {
  const out: Finding[] = [];
  for (const p of pairs) {
    const a = research.columns[p.name];
    const b = production.columns[p.productionName];
    if (!a || !b) continue;
    const diffs = statisticDifferences(a, b);
    delete diffs.rows;
    const names = Object.keys(diffs);
    if (names.length === 0) continue;
    const onlySumLike = names.every((n) => n === 'mean' || n === 'std');
    if (onlySumLike) {
      const agg = aggregationPrecision(stage, p.name, a, b);
      if (agg) out.push(agg);
      continue;
    }
    const shown = names.slice(0, 4).map((n) => `${n} ${formatNumber(diffs[n]!.research as number)} → ${formatNumber(diffs[n]!.production as number)}`);
    out.push(finding({
      stage, severity: 'warning', cause: 'statistic_changed', columns: [p.name], rowsAffected: null,
      message: `${p.name}: statistics differ (${shown.join(', ')}${names.length > 4 ? ', …' : ''})`,
      evidence: toEvidence(diffs) as Record<string, never>,
    }));
  }
  return out;
}
