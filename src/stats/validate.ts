/** Shared argument checks for the count-based statistics (internal, not re-exported). */

/** Sum of non-negative finite counts; throws RangeError on anything else. */
export function totalOf(counts: readonly number[], what: string): number {
  let total = 0;
  for (const c of counts) {
    if (!(Number.isFinite(c) && c >= 0)) throw new RangeError(`${what}: counts must be finite and >= 0, got ${c}`);
    total += c;
  }
  return total;
}

/** Checks two count vectors have the same length; returns their totals. */
export function checkPair(a: readonly number[], b: readonly number[], what: string): [number, number] {
  if (a.length !== b.length) {
    throw new RangeError(`${what}: count vectors differ in length (${a.length} vs ${b.length})`);
  }
  return [totalOf(a, what), totalOf(b, what)];
}

/** Checks (values, countsA, countsB) for the ECDF statistics; both sides must be non-empty. */
export function checkCounts(values: readonly number[], countsA: readonly number[], countsB: readonly number[]): [number, number] {
  if (values.length !== countsA.length || values.length !== countsB.length) {
    throw new RangeError(`values and counts differ in length (${values.length}, ${countsA.length}, ${countsB.length})`);
  }
  for (let i = 1; i < values.length; i++) {
    if (!(values[i]! > values[i - 1]!)) throw new RangeError('values must be finite, distinct and sorted ascending');
  }
  for (const v of values) if (!Number.isFinite(v)) throw new RangeError(`values must be finite, got ${v}`);
  const [nA, nB] = checkPair(countsA, countsB, 'counts');
  if (nA === 0 || nB === 0) throw new RangeError('both samples must be non-empty');
  return [nA, nB];
}
