/** The standard normal survival function and Student's t survival function. */

import { gammaP, gammaQ, lgamma } from './gamma.js';

/** Standard normal survival function = `scipy.stats.norm.sf(z)` (erfc through the incomplete gamma Q(½, z²/2)). */
export function normalSf(z: number): number {
  if (Number.isNaN(z)) return Number.NaN;
  if (z === Number.POSITIVE_INFINITY) return 0;
  if (z === Number.NEGATIVE_INFINITY) return 1;
  const x = (z * z) / 2;
  return z >= 0 ? 0.5 * gammaQ(0.5, x) : 0.5 + 0.5 * gammaP(0.5, x);
}

/** ln Γ(a + ½) − ln Γ(a), without the cancellation of two large lgamma values (a ≥ 10: Stirling's series). */
function lgammaHalfStep(a: number): number {
  if (a < 10) return lgamma(a + 0.5) - lgamma(a);
  // (a) ln(a + ½) − (a − ½) ln a − ½ = ½ ln a + a·log1p(1/(2a)) − ½, plus the Stirling corrections' difference.
  const corr = (z: number) => 1 / (12 * z) - 1 / (360 * z ** 3) + 1 / (1260 * z ** 5) - 1 / (1680 * z ** 7);
  return 0.5 * Math.log(a) + a * Math.log1p(1 / (2 * a)) - 0.5 + corr(a + 0.5) - corr(a);
}

/** ln B(a, b), with the b = ½ case (Student's t) free of cancellation for large a. */
function lbeta(a: number, b: number): number {
  if (b === 0.5) return lgamma(0.5) - lgammaHalfStep(a);
  return lgamma(a) + lgamma(b) - lgamma(a + b);
}

/** Modified Lentz continued fraction of the incomplete beta (Numerical Recipes' betacf). */
function betaContinuedFraction(a: number, b: number, x: number): number {
  const tiny = 1e-300;
  const qab = a + b;
  const qap = a + 1;
  const qam = a - 1;
  let c = 1;
  let d = 1 - (qab * x) / qap;
  if (Math.abs(d) < tiny) d = tiny;
  d = 1 / d;
  let h = d;
  for (let m = 1; m <= 1_000_000; m++) {
    const m2 = 2 * m;
    let aa = (m * (b - m) * x) / ((qam + m2) * (a + m2));
    d = 1 + aa * d;
    if (Math.abs(d) < tiny) d = tiny;
    c = 1 + aa / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    h *= d * c;
    aa = (-(a + m) * (qab + m) * x) / ((a + m2) * (qap + m2));
    d = 1 + aa * d;
    if (Math.abs(d) < tiny) d = tiny;
    c = 1 + aa / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    const del = d * c;
    h *= del;
    if (Math.abs(del - 1) < 1e-16) break;
  }
  return h;
}

/**
 * Regularised incomplete beta I_x(a, b), given x and y = 1 − x separately (so that a tail close to 1 keeps its
 * precision): the continued fraction on whichever side converges.
 */
export function betaIncomplete(a: number, b: number, x: number, y: number): number {
  if (x <= 0) return 0;
  if (y <= 0) return 1;
  const logFront = a * Math.log(x) + b * Math.log(y) - lbeta(a, b);
  if (x < (a + 1) / (a + b + 2)) return (Math.exp(logFront) * betaContinuedFraction(a, b, x)) / a;
  return 1 - (Math.exp(logFront) * betaContinuedFraction(b, a, y)) / b;
}

/** Student's t survival function = `scipy.stats.t.sf(t, df)`, for df > 0. */
export function studentTSf(t: number, df: number): number {
  if (Number.isNaN(t) || !(df > 0)) return Number.NaN;
  if (t === Number.POSITIVE_INFINITY) return 0;
  if (t === Number.NEGATIVE_INFINITY) return 1;
  const t2 = t * t;
  // I_{df/(df+t²)}(df/2, ½) is the two-sided tail P(|T| > |t|).
  const tail = betaIncomplete(df / 2, 0.5, df / (df + t2), t2 / (df + t2));
  return t >= 0 ? tail / 2 : 1 - tail / 2;
}
