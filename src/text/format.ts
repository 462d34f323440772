/** Shared number formatting for human-readable renderers (never used in JSON). */

export function formatCount(n: number): string {
  return n.toLocaleString('en-US');
}

/** A compact, stable rendering of a statistic: up to 6 significant digits, exponent for extremes. */
export function formatNumber(x: number | string | null | undefined): string {
  if (x === null || x === undefined) return '–';
  if (typeof x === 'string') return x;
  if (!Number.isFinite(x)) return String(x);
  if (Number.isInteger(x) && Math.abs(x) < 1e15) return x.toLocaleString('en-US');
  const abs = Math.abs(x);
  if (abs !== 0 && (abs < 1e-4 || abs >= 1e9)) return x.toExponential(3);
  return String(Number(x.toPrecision(6)));
}

export function formatPercent(share: number): string {
  if (share === 0) return '0%';
  if (share < 0.001) return '<0.1%';
  return `${(share * 100).toFixed(1)}%`;
}

/** A data value (a key, a sample value) as a person reads it: numbers in full (no grouping), text through formatNumber. */
export function formatValue(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : formatNumber(v);
  if (typeof v === 'string') return formatNumber(v);
  if (typeof v === 'boolean' || typeof v === 'bigint') return String(v);
  return formatNumber(JSON.stringify(v));
}
