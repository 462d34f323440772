/**
 * Column-wide causes checked on every row. `float32_cast` and `precision_loss` say the whole column went through
 * one transformation (`clipping_differs` too: one ceiling), but the probes read only the differing rows, and a
 * few edited cells can look exactly like it: a value moved by 1e-9 is "equal as float32", a value rounded by hand
 * "holds 0 decimals", three values lowered to one number "capped". A transformation of the column leaves its mark
 * on every value of the transformed side, changed or not (a cast column holds float32 values everywhere; a
 * rounded one never carries more decimals than the rounding kept; a clipped one nothing beyond its ceiling), so
 * one value without the mark refutes the claim, and the rows are reported as changed values instead.
 */
import type { Engine } from '../../engine/engine.js';
import { ident, literal } from '../../engine/quote.js';
import { columnWideClaims } from './causes.js';
import type { ColumnWideClaim } from './causes.js';
import type { ColumnPair } from './columns.js';
import { decimalsSql, significantSql } from './keyed.js';
import type { KeyedDiff } from './keyed.js';
import type { Dataset } from '../../sources/register.js';

/**
 * Per column, the column-wide causes its values contradict. Each check reads one column of one side's whole
 * relation (every row, not just the differing ones) and stops at the first value without the mark.
 */
export async function contradictedClaims(engine: Engine, diff: KeyedDiff, pairs: readonly ColumnPair[], research: Dataset, production: Dataset): Promise<Map<string, Set<ColumnWideClaim['kind']>>> {
  const out = new Map<string, Set<ColumnWideClaim['kind']>>();
  const checks: { column: string; kind: ColumnWideClaim['kind']; sql: string }[] = [];
  for (const d of diff.columns) {
    const pair = pairs.find((p) => p.name === d.column);
    if (!pair) continue;
    const a = { relation: research.relation, value: `TRY_CAST(${ident(pair.name)} AS DOUBLE)` };
    const b = { relation: production.relation, value: `TRY_CAST(${ident(pair.productionName)} AS DOUBLE)` };
    for (const claim of columnWideClaims(d, pair)) checks.push({ column: d.column, kind: claim.kind, sql: refutedSql(a, b, claim) });
  }
  if (checks.length === 0) return out;
  const row = await engine.one(`SELECT ${checks.map((c, j) => `${c.sql} AS x${j}`).join(',\n  ')}`);
  checks.forEach((c, j) => {
    if (row[`x${j}`] !== true) return;
    const set = out.get(c.column) ?? new Set();
    set.add(c.kind);
    out.set(c.column, set);
  });
  return out;
}

interface SideColumn {
  readonly relation: string;
  /** The column as a DOUBLE expression. */
  readonly value: string;
}

/** True when some finite value of the transformed side does not bear the claimed transformation's mark. */
function refutedSql(a: SideColumn, b: SideColumn, claim: ColumnWideClaim): string {
  const unmarked = (side: SideColumn, cond: (x: string) => string) => `EXISTS (SELECT 1 FROM ${side.relation} WHERE isfinite(${side.value}) AND ${cond(side.value)})`;
  // Either side may be the cast one: the claim fails only when each side holds a value that is not a float32.
  if (claim.kind === 'float32') return `(${unmarked(a, (x) => `NOT ${float32Valued(x)}`)} AND ${unmarked(b, (x) => `NOT ${float32Valued(x)}`)})`;
  // A clipped column holds no production value beyond its ceiling or floor.
  if (claim.kind === 'clipping') {
    return unmarked(b, (x) => `(${[claim.ceiling === null ? '' : `${x} > ${doubleLiteral(claim.ceiling)}`, claim.floor === null ? '' : `${x} < ${doubleLiteral(claim.floor)}`].filter(Boolean).join(' OR ')})`);
  }
  return unmarked(claim.side === 'production' ? b : a, (x) => `${claim.unit === 'decimals' ? decimalsSql(x) : significantSql(x)} > ${claim.digits}`);
}

/**
 * A float32 value read as a double: exactly a float32, or a float32's shortest text read back (how pandas and
 * numpy print a float32, e.g. 0.1f as "0.1"), which never needs more than 9 significant digits where a double
 * computed in double precision carries 15 to 17. (DuckDB's own FLOAT text is not always the shortest: 50286.1875
 * where numpy prints 50286.188, so the digits are counted rather than the text compared.)
 */
function float32Valued(x: string): string {
  return `(CAST(CAST(${x} AS FLOAT) AS DOUBLE) = ${x} OR ${significantSql(x)} <= ${FLOAT32_MAX_DIGITS})`;
}

/** Significant digits that always suffice to print a float32 so that it reads back the same. */
const FLOAT32_MAX_DIGITS = 9;

/** A double from the data as SQL: its round-trip text as a quoted literal cast back, whatever its exponent. */
function doubleLiteral(x: number): string {
  return `CAST(${literal(String(x))} AS DOUBLE)`;
}
