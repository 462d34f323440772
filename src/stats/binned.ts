/** Distances between two distributions given as per-bin or per-category counts (Hellinger, Kullback–Leibler, total variation). */

import { normalise, PSI_FLOOR } from './divergence.js';
import { checkPair } from './validate.js';

/** Hellinger distance ‖√p − √q‖₂ / √2 in [0, 1] between the normalised counts (= √(1 − Σ√(p·q)), without its cancellation). */
export function hellinger(p: readonly number[], q: readonly number[]): number {
  checkPair(p, q, 'hellinger');
  const pn = normalise(p);
  const qn = normalise(q);
  let sum = 0;
  for (let i = 0; i < pn.length; i++) sum += (Math.sqrt(pn[i]!) - Math.sqrt(qn[i]!)) ** 2;
  return Math.sqrt(sum) / Math.SQRT2;
}

/**
 * Kullback–Leibler divergence KL(p ‖ q) in nats, p the research side: an empty bin's fraction is replaced by
 * `floor` (as PSI does), and both vectors renormalised, which is `scipy.stats.entropy(p', q')` on the floored fractions.
 */
export function klDivergence(p: readonly number[], q: readonly number[], floor = PSI_FLOOR): number {
  checkPair(p, q, 'klDivergence');
  if (!(floor > 0)) throw new RangeError(`klDivergence: floor must be > 0, got ${floor}`);
  const pf = normalise(p).map((x) => (x === 0 ? floor : x));
  const qf = normalise(q).map((x) => (x === 0 ? floor : x));
  const ps = pf.reduce((x, y) => x + y, 0);
  const qs = qf.reduce((x, y) => x + y, 0);
  let sum = 0;
  for (let i = 0; i < pf.length; i++) {
    const a = pf[i]! / ps;
    sum += a * Math.log(a / (qf[i]! / qs));
  }
  return Math.max(0, sum);
}

/** Total variation distance ½ Σ |p − q| in [0, 1] between the normalised counts. */
export function totalVariation(p: readonly number[], q: readonly number[]): number {
  checkPair(p, q, 'totalVariation');
  const pn = normalise(p);
  const qn = normalise(q);
  let sum = 0;
  for (let i = 0; i < pn.length; i++) sum += Math.abs(pn[i]! - qn[i]!);
  return sum / 2;
}
