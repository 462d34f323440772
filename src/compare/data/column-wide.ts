/**
 * A clipping is a column-wide cause checked on every row. `clipping_differs` says the column went through one
 * threshold, but the probes read only the differing rows, and three values lowered to one number look "capped"
 * even when larger values were left as they were. A clipped column holds no value beyond its ceiling (or below
 * its floor) on any row, so one such value refutes the claim, and the rows are reported as changed values.
 * (A float32 cast and a rounding are told from the differing rows themselves: their digits, see causes.ts.)
 */
import type { Engine } from '../../engine/engine.js';
import { ident, literal } from '../../engine/quote.js';
import type { Dataset } from '../../sources/register.js';
import { clippingClaim } from './causes.js';
import type { ColumnPair } from './columns.js';
import type { KeyedDiff } from './keyed.js';

/** Columns whose differing rows look clipped but whose production values go beyond that clipping somewhere. */
export async function refutedClippings(engine: Engine, diff: KeyedDiff, pairs: readonly ColumnPair[], production: Dataset): Promise<Set<string>> {
  const checks: { column: string; sql: string }[] = [];
  for (const d of diff.columns) {
    const pair = pairs.find((p) => p.name === d.column);
    const claim = pair ? clippingClaim(d, pair) : null;
    if (!pair || !claim) continue;
    const x = `TRY_CAST(${ident(pair.productionName)} AS DOUBLE)`;
    const beyond = [claim.ceiling === null ? '' : `${x} > ${doubleLiteral(claim.ceiling)}`, claim.floor === null ? '' : `${x} < ${doubleLiteral(claim.floor)}`].filter(Boolean);
    // Stops at the first value beyond the threshold; reads the column once when the clipping is real.
    checks.push({ column: d.column, sql: `EXISTS (SELECT 1 FROM ${production.relation} WHERE isfinite(${x}) AND (${beyond.join(' OR ')}))` });
  }
  if (checks.length === 0) return new Set();
  const row = await engine.one(`SELECT ${checks.map((c, j) => `${c.sql} AS x${j}`).join(',\n  ')}`);
  return new Set(checks.filter((_c, j) => row[`x${j}`] === true).map((c) => c.column));
}

/**
 * Columns whose differing rows look clipped. A comparison that holds only the differing rows (the PostgreSQL
 * pushdown and bisection) cannot check that on every row, so it compares locally instead.
 */
export function clippingSuspects(diff: KeyedDiff, pairs: readonly ColumnPair[]): string[] {
  return diff.columns
    .filter((d) => {
      const pair = pairs.find((p) => p.name === d.column);
      return pair !== undefined && clippingClaim(d, pair) !== null;
    })
    .map((d) => d.column);
}

/** A double from the data as SQL: its round-trip text as a quoted literal cast back, whatever its exponent. */
function doubleLiteral(x: number): string {
  return `CAST(${literal(String(x))} AS DOUBLE)`;
}
