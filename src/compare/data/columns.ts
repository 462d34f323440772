import type { ColumnInfo } from '../../sources/register.js';
import { decimalParts, isNumericKind, isTemporalKind, kindOf } from '../shared/kinds.js';
import type { Kind } from '../shared/kinds.js';

/** Column kinds live in ../shared/kinds.ts (the drift tests read them without importing this comparator). */
export { isNumericKind, isTemporalKind, kindOf } from '../shared/kinds.js';
export type { Kind } from '../shared/kinds.js';

/** How a column's type changed between the sides. */
export type Compatibility = 'same' | 'widening' | 'breaking';

/** Rank of numeric precision, for widening: int8 < … < int64 < hugeint, float < double. */
const INT_WIDTH: Record<string, number> = {
  TINYINT: 8,
  UTINYINT: 8,
  SMALLINT: 16,
  USMALLINT: 16,
  INTEGER: 32,
  UINTEGER: 32,
  BIGINT: 64,
  UBIGINT: 64,
  HUGEINT: 128,
  UHUGEINT: 128,
};

/** How the text side of a text-vs-typed pair reads in the typed side's type (issue #20), for the type_change evidence. */
export interface TextParse {
  /** The side that stores the column as text. */
  readonly textSide: 'research' | 'production';
  /** Non-null text values. */
  readonly textValues: number;
  /** Of those, values that do not read as the other side's type (see `parsesSql`). */
  readonly unparsed: number;
  /** Numbers written with leading zeros (`007`): a code, not a measurement; compared as text. */
  readonly leadingZeros?: number;
}

/** A column present on both sides, with the type both are compared in. */
export interface ColumnPair {
  /** The research-side name (the name reports use). */
  readonly name: string;
  /** The production-side name (differs with --map). */
  readonly productionName: string;
  readonly research: ColumnInfo;
  readonly production: ColumnInfo;
  readonly kind: Kind;
  readonly compatibility: Compatibility;
  /** The DuckDB type both sides are cast to before comparing. */
  readonly compareType: string;
  /** Why the type change is classed as it is (for messages). */
  readonly typeNote: string;
  /** Text on one side, a number/date/timestamp on the other: how the text reads in the other type (src/compare/data/text-typed.ts). */
  readonly textParse?: TextParse;
}

/** Classifies a type change: same, compatible widening (info), or breaking (error). */
export function classifyTypes(a: string, b: string): { compatibility: Compatibility; compareType: string; kind: Kind; note: string } {
  const ka = kindOf(a);
  const kb = kindOf(b);
  const ua = a.toUpperCase();
  const ub = b.toUpperCase();
  if (ua === ub) return { compatibility: 'same', compareType: ka === 'decimal' ? (exactDecimal(ua, ub) ?? 'DOUBLE') : canonicalType(a), kind: ka, note: '' };
  if (ka === 'integer' && kb === 'integer') {
    const wide = Math.max(INT_WIDTH[ua] ?? 64, INT_WIDTH[ub] ?? 64) > 64 || ua === 'UBIGINT' || ub === 'UBIGINT' ? 'HUGEINT' : 'BIGINT';
    return { compatibility: 'widening', compareType: wide, kind: 'integer', note: 'integer width' };
  }
  if (isNumericKind(ka) && isNumericKind(kb)) {
    // float (32-bit) on the production side of a double research column loses precision: a real break.
    if (ka === 'float' && kb === 'float' && isFloat32(ub) && !isFloat32(ua)) {
      return { compatibility: 'breaking', compareType: 'DOUBLE', kind: 'float', note: 'double narrowed to float32' };
    }
    if (ka === 'decimal' && kb === 'decimal') {
      return { compatibility: 'widening', compareType: exactDecimal(ua, ub) ?? 'DOUBLE', kind: 'decimal', note: 'decimal precision/scale' };
    }
    return { compatibility: 'widening', compareType: 'DOUBLE', kind: 'float', note: `${a} vs ${b}` };
  }
  if (isTemporalKind(ka) && isTemporalKind(kb)) {
    if (ka === kb) return { compatibility: 'widening', compareType: ka === 'timestamp' ? finestTimestamp(ua, ub) : canonicalType(a), kind: ka, note: 'timestamp precision' };
    if (ka === 'date' || kb === 'date') return { compatibility: 'widening', compareType: 'TIMESTAMP', kind: 'timestamp', note: 'date vs timestamp' };
    // Naive vs zone-aware: the instants compare in UTC, but the meaning of the column changed.
    return { compatibility: 'breaking', compareType: 'TIMESTAMP WITH TIME ZONE', kind: 'timestamptz', note: 'time zone awareness changed' };
  }
  if (ka === 'string' && kb === 'string') return { compatibility: 'widening', compareType: 'VARCHAR', kind: 'string', note: `${a} vs ${b}` };
  return { compatibility: 'breaking', compareType: 'VARCHAR', kind: 'string', note: `${describeKind(ka)} → ${describeKind(kb)}` };
}

/**
 * The DECIMAL both decimals fit in exactly (the most integer digits and the largest scale of the two), or null past
 * DuckDB's 38 digits. Compared as DOUBLE, DECIMAL(38,18) values that differ past the 16th significant digit (a
 * wei amount, a BigQuery NUMERIC) were equal.
 */
function exactDecimal(a: string, b: string): string | null {
  const x = decimalParts(a);
  const y = decimalParts(b);
  if (!x || !y) return null;
  const scale = Math.max(x.scale, y.scale);
  const precision = Math.max(x.precision - x.scale, y.precision - y.scale) + scale;
  return precision <= 38 ? `DECIMAL(${precision},${scale})` : null;
}

function isFloat32(t: string): boolean {
  return t === 'FLOAT' || t === 'REAL' || t === 'FLOAT4';
}

function finestTimestamp(a: string, b: string): string {
  const rank = (t: string) => (t === 'TIMESTAMP_NS' ? 3 : t === 'TIMESTAMP' || t === 'TIMESTAMP_US' ? 2 : t === 'TIMESTAMP_MS' ? 1 : 0);
  return rank(a) >= rank(b) ? (a === 'TIMESTAMP_NS' ? a : 'TIMESTAMP') : b === 'TIMESTAMP_NS' ? b : 'TIMESTAMP';
}

function describeKind(k: Kind): string {
  return k === 'integer' || k === 'float' || k === 'decimal' ? 'number' : k;
}

/**
 * The type a column is hashed in for an order- and format-independent fingerprint: every integer as
 * BIGINT, every float or decimal as DOUBLE, so int32 vs int64 or CSV vs Parquet give the same hash.
 */
export function canonicalType(type: string): string {
  const k = kindOf(type);
  const t = type.toUpperCase();
  switch (k) {
    case 'integer':
      // UBIGINT does not fit BIGINT; UHUGEINT fits nothing signed.
      if (t === 'UHUGEINT') return 'UHUGEINT';
      return (INT_WIDTH[t] ?? 64) > 64 || t === 'UBIGINT' ? 'HUGEINT' : 'BIGINT';
    case 'float':
    case 'decimal':
      return 'DOUBLE';
    case 'string':
      return 'VARCHAR';
    case 'timestamp':
      return t === 'TIMESTAMP_NS' ? 'TIMESTAMP_NS' : 'TIMESTAMP';
    default:
      return type;
  }
}

/** The schema of both sides, matched by name (after renames and ignores). */
export interface SchemaMatch {
  readonly pairs: readonly ColumnPair[];
  readonly onlyResearch: readonly ColumnInfo[];
  readonly onlyProduction: readonly ColumnInfo[];
  /** Same columns in another order: informational only. */
  readonly orderDiffers: boolean;
  /** Pairs whose names differ only in letter case (`Amount` vs `amount`), by research name. */
  readonly caseOnly?: readonly { readonly research: string; readonly production: string }[];
  /** Names that differ only in case but cannot be paired one to one (`a` and `A` on one side): left apart. */
  readonly caseAmbiguous?: readonly { readonly research: readonly string[]; readonly production: readonly string[] }[];
}

/** The files' own spellings of columns DuckDB renamed (`emb_s_1` → `emb_s`, see src/sources/names.ts), per side. */
export interface FileNames {
  readonly research?: Readonly<Record<string, string>>;
  readonly production?: Readonly<Record<string, string>>;
}

export interface SchemaOptions {
  readonly ignore?: readonly string[];
  /** research name → production name. */
  readonly rename?: Readonly<Record<string, string>>;
}

/** Matches columns by name (after --map renames), leaving --ignore columns out on both sides. */
export function matchSchemas(research: readonly ColumnInfo[], production: readonly ColumnInfo[], options: SchemaOptions = {}, files: FileNames = {}): SchemaMatch {
  const rename = options.rename ?? {};
  const reverse = new Map(Object.entries(rename).map(([a, b]) => [b, a]));
  const ignore = new Set([...(options.ignore ?? []), ...casePartners(options.ignore ?? [], research, production, files)]);
  const a = research.filter((c) => !ignore.has(c.name));
  const b = production.filter((c) => !ignore.has(c.name) && !ignore.has(reverse.get(c.name) ?? ''));
  const byName = new Map(b.map((c) => [reverse.get(c.name) ?? c.name, c]));
  const { exact, matches: caseMatches, ambiguous } = caseOnlyMatches(a, b, byName, reverse, files);
  for (const [researchName, cb] of [...exact, ...caseMatches]) byName.set(researchName, cb);
  const pairs: ColumnPair[] = [];
  for (const ca of a) {
    const cb = byName.get(ca.name);
    if (!cb) continue;
    const cls = classifyTypes(ca.type, cb.type);
    pairs.push({
      name: ca.name,
      productionName: cb.name,
      research: ca,
      production: cb,
      kind: cls.kind,
      compatibility: cls.compatibility,
      compareType: cls.compareType,
      typeNote: cls.note,
    });
  }
  const paired = new Set(pairs.map((p) => p.name));
  const pairedB = new Set(pairs.map((p) => p.productionName));
  const orderA = pairs.map((p) => p.name);
  const researchOf = new Map(pairs.map((p) => [p.productionName, p.name]));
  const orderB = b.filter((c) => pairedB.has(c.name)).map((c) => researchOf.get(c.name) ?? c.name);
  return {
    pairs,
    onlyResearch: a.filter((c) => !paired.has(c.name)),
    onlyProduction: b.filter((c) => !pairedB.has(c.name)),
    orderDiffers: orderA.join('\u0000') !== orderB.join('\u0000'),
    // Present only when there is something to say, so schemas without case differences read as before.
    ...(caseMatches.size ? { caseOnly: [...caseMatches].map(([r, cb]) => ({ research: r, production: cb.name })) } : {}),
    ...(ambiguous.length ? { caseAmbiguous: ambiguous } : {}),
  };
}

/**
 * `--ignore Amount` where the other side spells it `amount` (and neither side holds another spelling): the column
 * the case matching would pair it with is left out too, or the user's "leave it out" would leave a column_extra.
 */
function casePartners(ignore: readonly string[], research: readonly ColumnInfo[], production: readonly ColumnInfo[], files: FileNames): string[] {
  const spelt = (cols: readonly ColumnInfo[], names: Readonly<Record<string, string>> | undefined) => cols.map((c) => ({ name: c.name, file: names?.[c.name] ?? c.name }));
  const a = spelt(research, files.research);
  const b = spelt(production, files.production);
  const out: string[] = [];
  for (const n of ignore) {
    for (const [mine, other] of [
      [a, b],
      [b, a],
    ] as const) {
      if (!mine.some((c) => c.name === n) || other.some((c) => c.name === n)) continue;
      const fold = mine.find((c) => c.name === n)!.file.toLowerCase();
      const same = mine.filter((c) => c.file.toLowerCase() === fold);
      const partner = other.filter((c) => c.file.toLowerCase() === fold);
      if (same.length === 1 && partner.length === 1) out.push(partner[0]!.name);
    }
  }
  return out;
}

/**
 * Columns left unpaired by name whose names (as the files spell them) differ only in letter case: paired when
 * exactly one such column is left on each side. When one side holds two (`a` and `A`), which one production's
 * `a` is cannot be told: they stay apart and the ambiguity is returned to be said once.
 */
function caseOnlyMatches(
  a: readonly ColumnInfo[],
  b: readonly ColumnInfo[],
  byName: ReadonlyMap<string, ColumnInfo>,
  reverse: ReadonlyMap<string, string>,
  files: FileNames,
): { exact: Map<string, ColumnInfo>; matches: Map<string, ColumnInfo>; ambiguous: { research: string[]; production: string[] }[] } {
  const pairedB = new Set(a.flatMap((c) => (byName.has(c.name) ? [byName.get(c.name)!.name] : [])));
  const leftA = a.filter((c) => !byName.has(c.name));
  // A production column renamed by --map is the user's choice: never re-paired by case.
  const leftB = b.filter((c) => !pairedB.has(c.name) && !reverse.has(c.name));
  const fileName = (c: ColumnInfo, names: Readonly<Record<string, string>> | undefined) => names?.[c.name] ?? c.name;
  const fold = (c: ColumnInfo, names: Readonly<Record<string, string>> | undefined) => fileName(c, names).toLowerCase();
  const groups = new Map<string, { a: ColumnInfo[]; b: ColumnInfo[] }>();
  for (const c of leftA) {
    const g = groups.get(fold(c, files.research)) ?? { a: [], b: [] };
    g.a.push(c);
    groups.set(fold(c, files.research), g);
  }
  for (const c of leftB) groups.get(fold(c, files.production))?.b.push(c);
  const exact = new Map<string, ColumnInfo>();
  const matches = new Map<string, ColumnInfo>();
  const ambiguous: { research: string[]; production: string[] }[] = [];
  for (const g of groups.values()) {
    // The same name as both files spell it (`A`, which DuckDB calls `A_1` beside an `a`): an exact match.
    for (const ca of [...g.a]) {
      const cb = g.b.find((c) => fileName(c, files.production) === fileName(ca, files.research));
      if (!cb) continue;
      exact.set(ca.name, cb);
      g.a.splice(g.a.indexOf(ca), 1);
      g.b.splice(g.b.indexOf(cb), 1);
    }
    if (g.b.length === 0 || g.a.length === 0) continue;
    if (g.a.length === 1 && g.b.length === 1) matches.set(g.a[0]!.name, g.b[0]!);
    else ambiguous.push({ research: g.a.map((c) => c.name), production: g.b.map((c) => c.name) });
  }
  return { exact, matches, ambiguous };
}

/**
 * An expression as text, for reports. TIMESTAMP_NS at the int64 limit cannot be cast to text (DuckDB
 * raises even under TRY_CAST), so that one sentinel value reads as null.
 */
export function asText(expr: string, type: string): string {
  if (type.toUpperCase() === 'TIMESTAMP_NS') return `CASE WHEN epoch_ns(${expr}) > -9223372036854775808 THEN CAST(${expr} AS VARCHAR) END`;
  return `TRY_CAST(${expr} AS VARCHAR)`;
}
