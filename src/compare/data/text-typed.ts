import type { Engine } from '../../engine/engine.js';
import { ident, literal } from '../../engine/quote.js';
import type { Dataset } from '../../sources/register.js';
import { toNumber } from '../shared/values.js';
import { isNumericKind, isTemporalKind, kindOf } from './columns.js';
import type { ColumnPair, Kind, SchemaMatch, TextParse } from './columns.js';

/** Integers beyond 2^53 are not exact as DOUBLE: such columns keep the text comparison. */
const EXACT_DOUBLE = 9007199254740992;

/** An ISO date, optionally with a time (no offset): what may read as DATE or TIMESTAMP without a silent loss. */
const NAIVE = String.raw`^\s*\d{4}-\d{1,2}-\d{1,2}([ T]\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?)?\s*$`;
/** An ISO timestamp with an explicit offset (`Z`, `+02`, `+02:00`): what may read as TIMESTAMPTZ. */
const AWARE = String.raw`^\s*\d{4}-\d{1,2}-\d{1,2}[ T]\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?\s*([zZ]|[+-]\d{2}(:?\d{2})?)\s*$`;
const LEADING_ZERO = String.raw`^\s*[+-]?0\d`;

/**
 * The type a text column is compared in against a typed one, or null when the pair is not text vs
 * number/date/timestamp: DATE and TIMESTAMP as TIMESTAMP (a date is its midnight), TIMESTAMPTZ as itself,
 * every number as DOUBLE.
 */
function targetType(typed: Kind, type: string): string | null {
  if (isNumericKind(typed)) return 'DOUBLE';
  if (typed === 'date') return 'TIMESTAMP';
  if (typed === 'timestamp') return type.toUpperCase() === 'TIMESTAMP_NS' ? 'TIMESTAMP_NS' : 'TIMESTAMP';
  if (typed === 'timestamptz') return 'TIMESTAMP WITH TIME ZONE';
  return null;
}

/**
 * Whether one text value reads as the typed side's kind. DuckDB's casts accept more than they should for a
 * comparison: TIMESTAMP drops an offset (`10:00+02` → 10:00) and TIMESTAMPTZ reads a naive time in the
 * session zone, so temporal text must be ISO, with an offset exactly when the other side is zone-aware.
 */
function parsesSql(col: string, typed: Kind, target: string): string {
  const cast = `TRY_CAST(${col} AS ${target}) IS NOT NULL`;
  if (typed === 'timestamptz') return `(${cast} AND regexp_matches(${col}, ${literal(AWARE)}))`;
  if (isTemporalKind(typed)) return `(${cast} AND regexp_matches(${col}, ${literal(NAIVE)}))`;
  return `(${cast} AND abs(TRY_CAST(${col} AS DOUBLE)) <= ${EXACT_DOUBLE})`;
}

/**
 * Text on one side, a number/date/timestamp on the other: when every non-null text value reads as the other
 * side's type, the pair is compared in that type (the type_change stays breaking); otherwise it keeps the text
 * comparison, and the count of values that do not read is kept for the evidence. Key columns are left as they
 * are (a number-vs-text key joins as text, and key_format names `007` vs 7).
 */
export async function textTypedColumns(engine: Engine, research: Dataset, production: Dataset, schema: SchemaMatch, keys: ReadonlySet<string>): Promise<SchemaMatch> {
  const suspects = schema.pairs.flatMap((p) => {
    if (p.compatibility !== 'breaking' || keys.has(p.name)) return [];
    const ka = kindOf(p.research.type);
    const kb = kindOf(p.production.type);
    const textSide: 'research' | 'production' | null = ka === 'string' && kb !== 'string' ? 'research' : kb === 'string' && ka !== 'string' ? 'production' : null;
    if (!textSide) return [];
    const typedType = textSide === 'research' ? p.production.type : p.research.type;
    const typed = kindOf(typedType);
    const target = targetType(typed, typedType);
    return target ? [{ pair: p, textSide, typed, typedType, target }] : [];
  });
  if (suspects.length === 0) return schema;
  const parses = new Map<string, { parse: TextParse; target: string }>();
  for (const s of suspects) {
    const text = s.textSide === 'research' ? research : production;
    const typedSide = s.textSide === 'research' ? production : research;
    const col = ident(s.textSide === 'research' ? s.pair.name : s.pair.productionName);
    const typedCol = ident(s.textSide === 'research' ? s.pair.productionName : s.pair.name);
    const numeric = isNumericKind(s.typed);
    const row = await engine.one(
      `SELECT count(${col}) AS n, count(*) FILTER (WHERE ${col} IS NOT NULL AND NOT ${parsesSql(col, s.typed, s.target)}) AS bad${
        numeric ? `, count(*) FILTER (WHERE regexp_matches(${col}, ${literal(LEADING_ZERO)})) AS zeros` : ''
      } FROM ${text.relation}`,
    );
    // The typed side's integers must be exact as DOUBLE too.
    const wide = s.typed === 'integer' ? (toNumber((await engine.one(`SELECT count(*) FILTER (WHERE abs(CAST(${typedCol} AS DOUBLE)) > ${EXACT_DOUBLE}) AS w FROM ${typedSide.relation}`)).w) ?? 0) : 0;
    const n = toNumber(row.n) ?? 0;
    const bad = toNumber(row.bad) ?? 0;
    const zeros = numeric ? (toNumber(row.zeros) ?? 0) : 0;
    const parse: TextParse = { textSide: s.textSide, textValues: n, unparsed: bad, ...(zeros > 0 ? { leadingZeros: zeros } : {}) };
    const ok = n > 0 && bad === 0 && zeros === 0 && wide === 0;
    parses.set(s.pair.name, { parse, target: ok ? s.target : s.pair.compareType });
  }
  const pairs = schema.pairs.map((p): ColumnPair => {
    const t = parses.get(p.name);
    if (!t) return p;
    if (t.target === p.compareType) return { ...p, textParse: t.parse };
    return { ...p, compareType: t.target, kind: kindOf(t.target), textParse: t.parse };
  });
  return { ...schema, pairs };
}
