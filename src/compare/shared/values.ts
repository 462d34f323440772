/** Conversions of DuckDB result values into plain, deterministic JSON values. */

/** A count or statistic as a JS number (bigint within range, DECIMAL as number); null stays null. */
export function toNumber(v: unknown): number | null {
  if (v === null || v === undefined) return null;
  if (typeof v === 'number') return v;
  if (typeof v === 'bigint') return Number(v);
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (typeof v === 'string' && v.trim() !== '' && !Number.isNaN(Number(v))) return Number(v);
  return null;
}

/**
 * Rounds a sum-derived statistic to 12 significant digits. DuckDB's parallel float aggregation
 * differs in the last bits between runs and thread counts; 12 digits keeps the promised 1e-9
 * relative agreement with numpy while making output byte-identical.
 */
export function stableFloat(x: number | null): number | null {
  if (x === null || !Number.isFinite(x)) return x;
  if (x === 0) return 0;
  return Number(x.toPrecision(12));
}

/** A value shown to a person or put in evidence: bigint → number or string, Date → ISO text, NaN → "NaN". */
export function toPlain(v: unknown): number | string | boolean | null {
  if (v === null || v === undefined) return null;
  if (typeof v === 'bigint') return Number.isSafeInteger(Number(v)) ? Number(v) : v.toString();
  if (typeof v === 'number') return Number.isFinite(v) ? v : String(v);
  if (typeof v === 'string' || typeof v === 'boolean') return v;
  if (v instanceof Date) return Number.isNaN(v.getTime()) ? String(v) : v.toISOString();
  if (v instanceof Uint8Array) return Buffer.from(v).toString('hex');
  if (typeof v === 'object') return JSON.stringify(v, (_k, x) => (typeof x === 'bigint' ? x.toString() : x));
  return String(v);
}
