/**
 * HyperLogLog distinct-count estimates from registers built in SQL (docs/decisions.md, "Approximate distinct
 * counts"). Each non-null value's 64-bit `hash()` is split into a register (its top HLL_PRECISION bits) and the
 * remaining 52 bits w; a register holds the largest rank (leading zeros of w, plus one) of its values. The SQL
 * keeps the smallest w per register instead (the same thing: the smallest w has the most leading zeros), which
 * is exact integer work and, like the max, commutative: the registers do not depend on row order or threads.
 */

/** Register bits: 2^12 = 4,096 registers. */
export const HLL_PRECISION = 12;
export const HLL_REGISTERS = 2 ** HLL_PRECISION;
/** Bits of the hash left for the rank (64 − HLL_PRECISION). */
export const HLL_RANK_BITS = 64 - HLL_PRECISION;
/** The standard error of the estimate, 1.04 / √m (≈ 1.6% with 4,096 registers). */
export const HLL_STANDARD_ERROR = 1.04 / Math.sqrt(HLL_REGISTERS);
/** The standard error as reported (4 decimals). */
export const HLL_RELATIVE_ERROR = Number(HLL_STANDARD_ERROR.toFixed(4));

/** The rank of a register's smallest low-bits value w: leading zeros of w in HLL_RANK_BITS bits, plus one. */
export function hllRank(w: bigint | number): number {
  const x = BigInt(w);
  if (x < 0n || x >= 1n << BigInt(HLL_RANK_BITS)) throw new RangeError(`register value out of range: ${x}`);
  return x === 0n ? HLL_RANK_BITS + 1 : HLL_RANK_BITS + 1 - x.toString(2).length;
}

/**
 * The standard HyperLogLog estimate (Flajolet et al. 2007) from the ranks of all registers (0 for an empty one),
 * with linear counting below 2.5·m while some register is empty. No large-range correction: the hash has 64 bits.
 */
export function hllEstimate(ranks: ArrayLike<number>): number {
  const m = ranks.length;
  if (m === 0) return 0;
  let sum = 0;
  let zeros = 0;
  for (let j = 0; j < m; j++) {
    const r = ranks[j]!;
    sum += 2 ** -r;
    if (r === 0) zeros++;
  }
  const alpha = 0.7213 / (1 + 1.079 / m);
  const raw = (alpha * m * m) / sum;
  if (raw <= 2.5 * m && zeros > 0) return m * Math.log(m / zeros);
  return raw;
}

/** The estimate from SQL rows of (register, smallest low-bits value): missing registers are empty. Rounded to a count. */
export function hllFromRegisters(rows: Iterable<{ readonly register: number; readonly low: bigint | number }>): number {
  const ranks = new Uint8Array(HLL_REGISTERS);
  for (const { register, low } of rows) ranks[register] = Math.max(ranks[register]!, hllRank(low));
  return Math.round(hllEstimate(ranks));
}
