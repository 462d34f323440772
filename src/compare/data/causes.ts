import { finding, toEvidence } from '../../findings/report.js';
import type { Finding, Stage } from '../../findings/types.js';
import { formatCount, formatNumber } from '../../text/format.js';
import type { ColumnPair, SchemaMatch } from './columns.js';
import type { ColumnDiff, KeyFormat, KeyHealth, KeyedDiff } from './keyed.js';
import { NOISE_REL, PRECISION_DIGITS, SIGNIFICANT_DIGITS } from './keyed.js';

/** The most decimals, and significant digits, a rounding is named at (beyond, the text is a double's own). */
const MAX_DECIMALS = PRECISION_DIGITS[PRECISION_DIGITS.length - 1]!;
const MAX_SIGNIFICANT = SIGNIFICANT_DIGITS[SIGNIFICANT_DIGITS.length - 1]!;
import type { SamplePart } from './keyed.js';
import type { KeylessDiff } from './keyless.js';
import { isNumericKind } from './columns.js';
import { EXACT, toleranceFor } from './tolerance.js';
import type { Tolerance, Tolerances } from './tolerance.js';
import type { ColumnProfile, TableProfile } from './profile.js';
import { approximateDistinct } from './profile.js';

const HOUR_US = 3_600_000_000;

/** What the type_change message says of text that does or does not read as the other side's type (#20). */
function textParseNote(p: ColumnPair): string {
  const t = p.textParse;
  if (!t) return '';
  const typed = t.textSide === 'research' ? p.production.type : p.research.type;
  if (t.leadingZeros) return `; ${formatCount(t.leadingZeros)} of ${formatCount(t.textValues)} ${t.textSide} values have leading zeros (a code, not a number): values compared as text`;
  if (t.unparsed > 0) return `; ${formatCount(t.unparsed)} of ${formatCount(t.textValues)} ${t.textSide} text values do not read as ${typed}: values compared as text`;
  return `; every ${t.textSide} text value reads as ${typed}: values compared as ${p.compareType}`;
}

/** Schema findings: missing/extra columns, breaking type changes, widening and order (info). */
export function schemaFindings(stage: Stage, schema: SchemaMatch): Finding[] {
  const out: Finding[] = [];
  for (const c of schema.onlyResearch) {
    out.push(
      finding({
        stage,
        severity: 'error',
        cause: 'column_missing',
        columns: [c.name],
        message: `column ${c.name} (${c.type}) is in research but not in production`,
        evidence: { researchType: c.type },
      }),
    );
  }
  for (const c of schema.onlyProduction) {
    out.push(finding({ stage, severity: 'warning', cause: 'column_extra', columns: [c.name], message: `column ${c.name} (${c.type}) is only in production`, evidence: { productionType: c.type } }));
  }
  for (const p of schema.pairs) {
    if (p.compatibility === 'same') continue;
    const evidence = { researchType: p.research.type, productionType: p.production.type, comparedAs: p.compareType };
    if (p.compatibility === 'widening') {
      out.push(
        finding({
          stage,
          severity: 'info',
          cause: 'type_widening',
          columns: [p.name],
          message: `${p.name}: ${p.research.type} → ${p.production.type} (compatible ${p.typeNote}); values compared as ${p.compareType}`,
          evidence,
        }),
      );
    } else {
      out.push(
        finding({
          stage,
          severity: 'error',
          cause: 'type_change',
          columns: [p.name],
          message: `${p.name}: type changed ${p.research.type} → ${p.production.type} (${p.typeNote}): schema drift${textParseNote(p)}`,
          evidence: p.textParse ? { ...evidence, ...p.textParse } : evidence,
        }),
      );
    }
  }
  for (const c of schema.caseOnly ?? []) {
    out.push(
      finding({
        stage,
        severity: 'info',
        cause: 'column_name_case',
        columns: [c.research],
        message: `column ${c.research} is ${c.production} in production: names differ only in letter case, so they are compared as one column`,
        evidence: { researchName: c.research, productionName: c.production },
      }),
    );
  }
  for (const g of schema.caseAmbiguous ?? []) {
    const names = [...g.research, ...g.production];
    out.push(
      finding({
        stage,
        severity: 'info',
        cause: 'column_name_case',
        columns: names,
        message: `columns ${names.join(', ')} differ only in letter case, but ${g.research.length > 1 ? 'research' : 'production'} holds more than one of them: not paired by case (use --map to pair them)`,
        evidence: { researchNames: [...g.research], productionNames: [...g.production], ambiguous: true },
      }),
    );
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
    out.push(
      finding({
        stage,
        severity: 'error',
        cause: 'rows_missing',
        columns: key,
        rowsAffected: d.onlyResearch,
        sampleKeys: toEvidence(d.sampleOnlyResearch) as never,
        // Lost rows are the likely story only when nothing else is: keys written differently, or rows replaced one for one.
        message: `${formatCount(d.onlyResearch)} research rows have no match in production${d.keyFormat ? ': see key_format' : d.onlyProduction === d.onlyResearch ? '' : ': rows lost in transfer or ETL'}`,
        evidence: { researchRows: d.research.rows, productionRows: d.production.rows, matched: d.matched },
      }),
    );
  }
  if (d.onlyProduction > 0) {
    out.push(
      finding({
        stage,
        severity: 'error',
        cause: 'rows_extra',
        columns: key,
        rowsAffected: d.onlyProduction,
        sampleKeys: toEvidence(d.sampleOnlyProduction) as never,
        message: `${formatCount(d.onlyProduction)} production rows have no match in research`,
        evidence: { researchRows: d.research.rows, productionRows: d.production.rows, matched: d.matched },
      }),
    );
  }
  if (d.keyFormat) out.push(keyFormatFinding(stage, key, d.keyFormat));
  out.push(...duplicateKeyFindings(stage, key, d.research, d.production, d.duplicateKeysChanged));
  for (const [side, h] of [
    ['research', d.research],
    ['production', d.production],
  ] as const) {
    if (h.nullKeyRows > 0) {
      out.push(
        finding({
          stage,
          severity: 'warning',
          cause: 'null_keys',
          columns: key,
          rowsAffected: h.nullKeyRows,
          message: `${formatCount(h.nullKeyRows)} ${side} rows have a null key and cannot be matched`,
          evidence: { side, rows: h.rows },
        }),
      );
    }
    if (h.nullKeysMatched) {
      // --null-keys match: compared like any key, so not a break; said so that nobody is surprised by null = null.
      out.push(
        finding({
          stage,
          severity: 'info',
          cause: 'null_keys',
          columns: key,
          rowsAffected: h.nullKeysMatched,
          message: `${formatCount(h.nullKeysMatched)} ${side} rows have a null key part, paired with the other side's null keys (--null-keys match)`,
          evidence: { side, rows: h.rows, nullKeys: 'match' },
        }),
      );
    }
  }
  return out;
}

/** Keys that would match after a normalisation: the key's format changed between the sides. */
function keyFormatFinding(stage: Stage, key: string[], k: KeyFormat): Finding {
  const how = k.normalisation === 'constant offset' ? `shifted by a constant ${formatNumber(k.offset ?? null)}` : `that differs only in ${k.normalisation}`;
  const example = k.examples[0] ? ` (e.g. ${JSON.stringify(k.examples[0].research)} vs ${JSON.stringify(k.examples[0].production)})` : '';
  return finding({
    stage,
    severity: 'error',
    cause: 'key_format',
    columns: key,
    rowsAffected: k.wouldMatch,
    sampleKeys: toEvidence(k.examples.map((e) => e.research)) as never,
    message: `${formatCount(k.wouldMatch)} of ${formatCount(k.unmatchedResearchKeys)} unmatched research keys have a production key ${how}${example}: the key is written differently`,
    evidence: toEvidence({
      normalisation: k.normalisation,
      wouldMatch: k.wouldMatch,
      unmatchedResearchKeys: k.unmatchedResearchKeys,
      unmatchedProductionKeys: k.unmatchedProductionKeys,
      examples: k.examples,
      tried: k.tried,
      ...(k.offset !== undefined ? { offset: k.offset } : {}),
    }) as Record<string, never>,
  });
}

function duplicateKeyFindings(stage: Stage, key: string[], a: KeyHealth, b: KeyHealth, changedKeys: number): Finding[] {
  const out: Finding[] = [];
  // Duplicates that are the same on both sides (every duplicated key has as many rows on each) reproduce: info.
  const same = changedKeys === 0;
  for (const [side, h] of [
    ['research', a],
    ['production', b],
  ] as const) {
    if (h.duplicateRows === 0) continue;
    out.push(
      finding({
        stage,
        severity: same ? 'info' : 'error',
        cause: 'duplicate_keys',
        columns: key,
        rowsAffected: h.duplicateRows,
        sampleKeys: toEvidence(h.sampleDuplicateKeys) as never,
        message: `${formatCount(h.duplicateKeys)} keys appear more than once in ${side} (${formatCount(h.duplicateRows)} extra rows)${same ? ', the same on both sides' : ': duplication in load'}`,
        evidence: {
          side,
          duplicateKeys: h.duplicateKeys,
          extraRows: h.duplicateRows,
          researchDuplicateRows: a.duplicateRows,
          productionDuplicateRows: b.duplicateRows,
          keysWithChangedCount: changedKeys,
        },
      }),
    );
  }
  return out;
}

/** Row findings of a keyless diff: rows only in one side (with multiplicity) and duplicate rows. */
export function keylessRowFindings(stage: Stage, d: KeylessDiff): Finding[] {
  const out: Finding[] = [];
  for (const [cause, n, side, other, sample] of [
    ['rows_missing', d.onlyResearch, 'research', 'production', d.sampleOnlyResearch],
    ['rows_extra', d.onlyProduction, 'production', 'research', d.sampleOnlyProduction],
  ] as const) {
    if (n === 0) continue;
    out.push(
      finding({
        stage,
        severity: 'error',
        cause,
        rowsAffected: n,
        message: `${formatCount(n)} ${side} rows have no identical row in ${other}`,
        evidence: { commonRows: d.common, sampleRows: toEvidence(sample) },
      }),
    );
  }
  // Identical rows that occur as often on both sides reproduce (info); a copy that appears or changes count breaks.
  const same = d.duplicatesChanged === 0;
  for (const [side, n] of [
    ['research', d.duplicateRowsResearch],
    ['production', d.duplicateRowsProduction],
  ] as const) {
    if (n === 0) continue;
    out.push(
      finding({
        stage,
        severity: same ? 'info' : 'error',
        cause: 'duplicate_rows',
        rowsAffected: n,
        message: `${formatCount(n)} duplicate rows in ${side}${same ? ', the same on both sides' : ': duplication in load'}`,
        evidence: { side, research: d.duplicateRowsResearch, production: d.duplicateRowsProduction, rowsWithChangedCount: d.duplicatesChanged },
      }),
    );
  }
  return out;
}

export interface ValueCauseOptions {
  readonly stage: Stage;
  /** Research statistics of the column, to recognise mean/median imputation. */
  readonly researchProfile?: ColumnProfile;
  /** The column's values beyond the clipping its differing rows suggest (column-wide.ts): no clipping then. */
  readonly clippingRefuted?: boolean;
}

/**
 * A clipping says the whole column went through one threshold, but the probes read only the differing rows:
 * three values lowered to one number look "capped" even when larger values were left as they were. The
 * ceiling and floor the differing rows suggest, for column-wide.ts to check on every row.
 */
export function clippingClaim(d: ColumnDiff, pair: ColumnPair): { readonly ceiling: number | null; readonly floor: number | null } | null {
  if (d.bothValued === 0 || !(pair.kind === 'float' || pair.kind === 'decimal' || pair.kind === 'integer') || !clipping(d)) return null;
  return { ceiling: d.clippedDown.count ? d.clippedDown.to : null, floor: d.clippedUp.count ? d.clippedUp.to : null };
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
    out.push(
      finding({
        stage,
        severity: 'error',
        cause: 'null_vs_nan',
        columns: col,
        rowsAffected: d.nullVsNan,
        sampleKeys: s.keys as never,
        message: `${d.column}: ${formatCount(d.nullVsNan)} rows are null on one side and NaN on the other`,
        evidence: s.ev({}),
      }),
    );
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
    out.push(
      finding({
        stage,
        severity: 'error',
        cause: stage === 'features' ? 'null_handling' : 'value_changed',
        columns: col,
        rowsAffected: nulled,
        sampleKeys: s.keys as never,
        message: `${d.column}: ${formatCount(nulled)} values are null in production but not in research`,
        evidence: s.ev({ newNulls: nulled }),
      }),
    );
  }
  if (d.bothValued > 0) {
    const s = part('valued');
    out.push(valuedFinding(d, d.bothValued, pair, stage, s.keys, s.ev, options.clippingRefuted ?? false));
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
    stage,
    severity: 'error',
    cause: stage === 'features' ? 'null_handling' : 'value_changed',
    columns: [d.column],
    rowsAffected: filled,
    sampleKeys: samples as never,
    message: `${d.column}: ${formatCount(filled)} rows null in research are ${how} in production: null handling differs`,
    evidence: ev({ filledNulls: filled, fillValue: constant, distinctFillValues: d.filledDistinct, fillMin: d.filledMin, fillMax: d.filledMax }),
  });
}

function closeTo(a: number, b: number): boolean {
  return Math.abs(a - b) <= 1e-6 * Math.max(1, Math.abs(b));
}

function valuedFinding(d: ColumnDiff, n: number, pair: ColumnPair, stage: Stage, samples: unknown[], ev: (x: Record<string, unknown>) => Record<string, never>, clippingRefuted: boolean): Finding {
  const col = [d.column];
  const base = { stage, columns: col, rowsAffected: n, sampleKeys: samples as never };
  const magnitude = { maxAbsDiff: d.maxAbsDiff, maxRelDiff: d.maxRelDiff };
  if (pair.kind === 'float' || pair.kind === 'decimal' || pair.kind === 'integer') {
    const allFinite = d.finiteValued === n;
    const rounding = allFinite ? precisionRounding(d) : null;
    // A float32 written as its shortest text carries 6 to 9 significant digits, and over a few values nearly
    // always 8 or 9: a side that never carries more than 7 was rounded as text (%.7g), even when every pair is
    // also equal as float32.
    const textRounding = rounding !== null && (d.digits[rounding.side].significant ?? Infinity) <= FLOAT32_TEXT_DIGITS;
    if (pair.kind !== 'integer' && allFinite && !textRounding && isFloat32Cast(d, n)) {
      return finding({
        ...base,
        severity: 'error',
        cause: 'float32_cast',
        message: `${d.column}: ${formatCount(n)} values differ but are equal after a float32 round-trip (max relative difference ${formatNumber(d.maxRelDiff)}, float32 epsilon ${formatNumber(FLOAT32_EPSILON)}): cast to float32`,
        evidence: ev({ ...magnitude, float32Exact: d.float32Exact }),
      });
    }
    if (rounding) {
      const what = rounding.kind === 'decimals' ? `${rounding.digits} decimal${rounding.digits === 1 ? '' : 's'}` : `${rounding.digits} significant digit${rounding.digits === 1 ? '' : 's'}`;
      return finding({
        ...base,
        severity: 'error',
        cause: 'precision_loss',
        message: `${d.column}: ${formatCount(n)} values differ but are equal after rounding to ${what} (${rounding.side} holds ${what}; max abs difference ${formatNumber(d.maxAbsDiff)}, max relative ${formatNumber(d.maxRelDiff)}): precision lost`,
        evidence: ev({ ...magnitude, roundedSide: rounding.side, ...(rounding.kind === 'decimals' ? { decimals: rounding.digits } : { significantDigits: rounding.digits }) }),
      });
    }
    // Checked after the rounding grids: Excel's 15 digits move values by up to ~20 ulps, but onto a grid.
    // A few ulps of a double (summation order, BLAS, compiler): noise, never more than a warning.
    if (pair.kind !== 'integer' && allFinite && d.noise === n) {
      return finding({
        ...base,
        severity: 'warning',
        cause: 'numeric_noise',
        message: `${d.column}: ${formatCount(n)} values differ by at most ${formatNumber(d.maxRelDiff)} (relative): a few ulps of a double, floating-point noise (summation order, BLAS, compiler)`,
        evidence: ev({ ...magnitude, noiseBound: NOISE_REL }),
      });
    }
    const k = d.constants;
    if (d.finiteValued === n && n >= 3 && k.researchDistinct === 1 && k.productionDistinct === 1) {
      return finding({
        ...base,
        severity: 'error',
        cause: stage === 'features' ? 'null_handling' : 'value_changed',
        message: `${d.column}: all ${formatCount(n)} differing rows hold one constant in each side (${formatNumber(k.research)} in research, ${formatNumber(k.production)} in production): a fill or imputation value differs`,
        evidence: ev({ ...magnitude, researchValue: k.research, productionValue: k.production }),
      });
    }
    const clip = clippingRefuted ? null : clipping(d);
    if (clip) {
      return finding({
        ...base,
        severity: 'error',
        cause: stage === 'features' ? 'clipping_differs' : 'value_changed',
        message: `${d.column}: ${formatCount(n)} values are ${clip.text} in production: clipping / outlier handling differs`,
        evidence: ev({ ...magnitude, ...clip.evidence }),
      });
    }
  }
  const shift = timezoneShift(d, pair);
  if (shift) {
    return finding({
      ...base,
      severity: 'error',
      cause: 'timezone_shift',
      message: `${d.column}: all ${formatCount(n)} differing timestamps are shifted by ${shift.text}: time zone handling differs`,
      evidence: ev({ offsetHours: shift.hours }),
    });
  }
  const detail = d.maxAbsDiff !== null ? ` (max abs difference ${formatNumber(d.maxAbsDiff)}, max relative ${formatNumber(d.maxRelDiff)})` : '';
  return finding({ ...base, severity: 'error', cause: 'value_changed', message: `${d.column}: ${formatCount(n)} rows have different values${detail}`, evidence: ev(magnitude) });
}

/**
 * float32's epsilon (2^-23): a round-to-nearest cast moves a value by at most half of it (relative), and a float32
 * written as its shortest text and read back as a double by up to half more.
 */
const FLOAT32_EPSILON = 2 ** -23;
/** The largest relative difference of a float32 cast over a few rows is rarely below this (a 1e-9 rescale is not a cast). */
const FLOAT32_NEAR = 1e-8;
/** Significant digits a column of float32 shortest texts exceeds (see valuedFinding). */
const FLOAT32_TEXT_DIGITS = 7;

/**
 * A float32 cast: every pair is equal as float32 and the differences are float32-sized: at most float32's epsilon
 * (relative) and, at the largest, near it. Values that happen to be float32-representable (25.25) with a 1e-9
 * difference are not a cast. `float32Exact` (one side exactly the other's float32) goes in the evidence: a
 * float32 written as its shortest text is no longer exactly a float32 when read back as a double.
 */
function isFloat32Cast(d: ColumnDiff, n: number): boolean {
  if (d.float32Equal !== n || d.maxRelDiff === null) return false;
  if (d.maxRelDiff > FLOAT32_EPSILON * (1 + 1e-6)) return false;
  if (d.maxRelDiff < FLOAT32_NEAR) return false;
  // The cast side holds float32 values: exactly (one side is the other's float32 on every row), or as a float32's
  // shortest text read back, which never needs more than 9 significant digits. A double nudged by a float32-sized
  // amount (a 1e-9 edit of 0.056) carries 15 to 17 digits on both sides: a changed value, not a cast.
  const digits = Math.min(d.digits.production.significant ?? Infinity, d.digits.research.significant ?? Infinity);
  return d.float32Exact === n || digits <= FLOAT32_SHORTEST_DIGITS;
}

/** Significant digits that always suffice to print a float32 so that it reads back the same. */
const FLOAT32_SHORTEST_DIGITS = 9;

/**
 * How one side was rounded, when every differing pair says the same: that side carries at most k decimals (or k
 * significant digits), counted exactly from its values' shortest round-trip text, and the other side is within
 * one unit of that digit. k is the most any value carries (the fewest that hold them all); decimals come first
 * (the usual `round(x, 2)`), then significant digits (`%.6g`, 10-digit JSON, Excel's 15 digits), production side
 * first. The message's figures then agree with its claim: the max difference is at most one unit.
 */
function precisionRounding(d: ColumnDiff): { kind: 'decimals' | 'significant'; digits: number; side: 'production' | 'research' } | null {
  const abs = d.maxAbsDiff ?? 0;
  // A rounding moves some value by a good part of a unit: differences far below it (a rescale by 1 + 1e-9 of
  // values written with 4 decimals) are not a rounding to that digit.
  const part = 0.05;
  // Rounding to k digits leaves the other side carrying more than k: two values one unit apart in their
  // last digit (1234 vs 1235, 0.12 vs 0.13) are a changed value, not a rounding.
  const other = (side: 'production' | 'research') => d.digits[side === 'production' ? 'research' : 'production'];
  for (const side of ['production', 'research'] as const) {
    const k = d.digits[side].decimals;
    const more = other(side).decimals;
    if (k !== null && more !== null && more > k && k <= MAX_DECIMALS && abs <= 10 ** -k * (1 + 1e-9) && abs >= part * 10 ** -k) return { kind: 'decimals', digits: k, side };
  }
  for (const side of ['production', 'research'] as const) {
    const { significant: k, leadDiff } = d.digits[side];
    const more = other(side).significant;
    if (k === null || k === 0 || k > MAX_SIGNIFICANT || leadDiff === null || more === null || more <= k) continue;
    const unit = 10 ** (1 - k);
    if (leadDiff <= unit * (1 + 1e-9) && leadDiff >= part * unit) return { kind: 'significant', digits: k, side };
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
export function statisticDifferences(a: ColumnProfile, b: ColumnProfile, relTol = 1e-9, tol: Tolerance = EXACT): Record<string, { research: unknown; production: unknown }> {
  const out: Record<string, { research: unknown; production: unknown }> = {};
  // Statistics in the column's units (not counts) compare within the value tolerances: values within them are equal.
  const close = (x: number, y: number, rel: number) => sameNumber(x, y, rel) || Math.abs(x - y) <= tol.abs + tol.rel * Math.abs(x);
  for (const s of EXACT_STATS) {
    // Two estimates (or an estimate and a count) differ by their error alone: never a finding.
    if (s === 'distinct' && approximateDistinct(a, b)) continue;
    const x = a[s];
    const y = b[s];
    if (x === undefined && y === undefined) continue;
    const inUnits = s === 'min' || s === 'max';
    if (typeof x === 'number' && typeof y === 'number' ? !(inUnits ? close(x, y, 0) : sameNumber(x, y, 0)) : String(x) !== String(y)) out[s] = { research: x ?? null, production: y ?? null };
  }
  for (const s of ROUNDED_STATS) {
    const x = a[s];
    const y = b[s];
    if (typeof x === 'number' && typeof y === 'number' && !(s === 'meanLength' ? sameNumber(x, y, relTol) : close(x, y, relTol))) out[s] = { research: x, production: y };
    else if ((x === null) !== (y === null)) out[s] = { research: x ?? null, production: y ?? null };
  }
  if (a.quantiles && b.quantiles) {
    for (const [q, x] of Object.entries(a.quantiles)) {
      const y = b.quantiles[q as keyof typeof b.quantiles];
      if (typeof x === 'number' && typeof y === 'number' ? !close(x, y, relTol) : x !== y) out[q] = { research: x, production: y };
    }
  }
  return out;
}

function sameNumber(x: number, y: number, rel: number): boolean {
  return x === y || Math.abs(x - y) <= rel * Math.max(Math.abs(x), Math.abs(y));
}

/** A sum that moved by more than 1e-12 (relative) while every count matched: precision lost in aggregation. */
export function aggregationPrecision(stage: Stage, column: string, a: ColumnProfile, b: ColumnProfile, tol: Tolerance = EXACT): Finding | null {
  if (a.exactSum === null || a.exactSum === undefined || b.exactSum === null || b.exactSum === undefined) return null;
  if (a.count !== b.count || a.nan !== b.nan || a.posInf !== b.posInf || a.negInf !== b.negInf) return null;
  // Relative to Σ|x|: a compensated sum's rounding error scales with it, and a sum near zero would
  // otherwise turn harmless last-bit differences into huge relative ones.
  const scale = Math.max(a.absSum ?? 0, b.absSum ?? 0, Math.abs(a.exactSum), Math.abs(b.exactSum));
  if (scale === 0) return null;
  const rel = Math.abs(a.exactSum - b.exactSum) / scale;
  // Beyond 1e-6 the values themselves changed: that is not a rounding effect.
  if (rel <= 1e-12 || rel > 1e-6) return null;
  // Values within the tolerances move the sum by at most count·abs + rel·Σ|x|: equal, as the values are.
  if (Math.abs(a.exactSum - b.exactSum) <= a.count * tol.abs + tol.rel * (a.absSum ?? Math.abs(a.exactSum))) return null;
  return finding({
    stage,
    severity: 'warning',
    cause: 'aggregation_precision',
    columns: [column],
    rowsAffected: null,
    message: `${column}: sums differ by ${formatNumber(rel)} (relative) with the same counts: precision lost in an aggregation or a lossy cast`,
    evidence: { researchSum: a.exactSum, productionSum: b.exactSum, relativeDifference: rel },
  });
}

/** Keyless evidence per column: which statistics changed, as one finding per column. */
export function statisticFindings(stage: Stage, research: TableProfile, production: TableProfile, pairs: readonly ColumnPair[], tolerances?: Tolerances): Finding[] {
  const out: Finding[] = [];
  for (const p of pairs) {
    const a = research.columns[p.name];
    const b = production.columns[p.productionName];
    if (!a || !b) continue;
    const tol = isNumericKind(p.kind) ? toleranceFor(tolerances, p.name) : EXACT;
    const diffs = statisticDifferences(a, b, 1e-9, tol);
    delete diffs.rows;
    const names = Object.keys(diffs);
    if (names.length === 0) continue;
    const onlySumLike = names.every((n) => n === 'mean' || n === 'std');
    if (onlySumLike) {
      const agg = aggregationPrecision(stage, p.name, a, b, tol);
      if (agg) out.push(agg);
      continue;
    }
    const shown = names.slice(0, 4).map((n) => `${n} ${formatNumber(diffs[n]!.research as number)} → ${formatNumber(diffs[n]!.production as number)}`);
    out.push(
      finding({
        stage,
        severity: 'warning',
        cause: 'statistic_changed',
        columns: [p.name],
        rowsAffected: null,
        message: `${p.name}: statistics differ (${shown.join(', ')}${names.length > 4 ? ', …' : ''})`,
        evidence: toEvidence(diffs) as Record<string, never>,
      }),
    );
  }
  return out;
}

/** Fewest rows replaced, and smallest share of the rows, for "a sample drawn without a seed". */
const SAMPLING_MIN_ROWS = 2;
const SAMPLING_MIN_SHARE = 0.01;

/**
 * k rows missing and k rows extra with equal row counts: the same number of rows drawn again, differently — a
 * sample taken without a seed rather than rows lost in ETL (which leaves fewer rows). `plausible` is false when
 * something better explains the unmatched rows (a key written differently; rows that match on all but one
 * column; no row in common at all without a key). Whether the data upstream was equal is for `check` to say:
 * the evidence carries what it needs.
 */
export function samplingFinding(stage: Stage, missing: number, extra: number, researchRows: number, productionRows: number, matched: number, columns: string[], plausible: boolean): Finding | null {
  if (!plausible || missing !== extra || researchRows !== productionRows || missing < SAMPLING_MIN_ROWS || missing < SAMPLING_MIN_SHARE * researchRows) return null;
  return finding({
    stage,
    severity: 'error',
    cause: 'sampling_unseeded',
    columns,
    rowsAffected: missing,
    message: `${formatCount(missing)} research rows have no match and as many production rows are new, with equal row counts (${formatCount(researchRows)}): a sample drawn without a seed`,
    evidence: { missing, extra, researchRows, productionRows, matched, equalRowCounts: true },
  });
}

/** Without a key: the columns whose leaving out pairs the unmatched rows, when together they pair at least half. */
export function columnsExplainingRows(d: KeylessDiff): KeylessDiff['matchWithout'] {
  const smaller = Math.min(d.onlyResearch, d.onlyProduction);
  if (smaller === 0) return [];
  const total = d.matchWithout.reduce((x, y) => x + y.rows, 0);
  return total >= 0.5 * smaller ? d.matchWithout : [];
}

/** Rows without a key that match on every column but one (or but the float ones): the same rows, those changed. */
export function oneColumnFindings(stage: Stage, d: KeylessDiff, columns: KeylessDiff['matchWithout']): Finding[] {
  return columns.map((c) => {
    const names = c.columns.join(', ');
    return finding({
      stage,
      severity: 'error',
      cause: 'value_changed',
      columns: [...c.columns],
      rowsAffected: c.rows,
      message: `${names}: ${formatCount(c.rows)} research rows have a production row equal on every other column but not on ${names}: the same rows with ${c.columns.length === 1 ? 'that column' : 'those columns'} written or computed differently`,
      evidence: { pairedWithoutColumns: [...c.columns], pairedRows: c.rows, onlyResearch: d.onlyResearch, onlyProduction: d.onlyProduction, commonRows: d.common },
    });
  });
}

/** Without a key, rows paired within the tolerances: said in one line, with how they were paired. */
export function withinToleranceFinding(stage: Stage, d: KeylessDiff): Finding {
  return finding({
    stage,
    severity: 'info',
    cause: 'value_changed',
    columns: [...d.tolerantColumns],
    rowsAffected: d.withinTolerance,
    message: `${formatCount(d.withinTolerance)} rows match only within the tolerances on ${d.tolerantColumns.join(', ')}: without a key, rows equal on every other column were paired in value order and counted as equal`,
    evidence: { withinTolerance: d.withinTolerance, tolerantColumns: [...d.tolerantColumns] },
  });
}
