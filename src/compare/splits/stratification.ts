/**
 * Split causes read from the label balance per split: a stratified split keeps, in every split, the
 * whole set's share of each label to within one row (scikit-learn's StratifiedShuffleSplit allocates
 * by rounding), which a plain random split of a few hundred rows almost never does.
 */
import type { Finding } from '../../findings/types.js';

type LabelCounts = Readonly<Record<string, { readonly research: readonly number[]; readonly production: readonly number[] }>>;

/** True when every split holds each label in the whole set's proportion, within one row. */
export function isStratified(perSplit: readonly (readonly number[])[]): boolean {
  if (perSplit.length < 2 || (perSplit[0]?.length ?? 0) < 2) return false;
  const labels = perSplit[0]!.map((_x, l) => perSplit.reduce((a, c) => a + (c[l] ?? 0), 0));
  const n = labels.reduce((a, b) => a + b, 0);
  if (n === 0) return false;
  return perSplit.every((c) => {
    const size = c.reduce((a, b) => a + b, 0);
    return c.every((x, l) => Math.abs(x - (size * labels[l]!) / n) <= 1);
  });
}

/**
 * An unseeded-looking reshuffle (same sizes, other members) where one side is stratified and the other
 * not is `split_stratification`: the seed may well be the same; the split was drawn another way.
 */
export function stratificationCause(findings: readonly Finding[], bySplit: LabelCounts | undefined, label: string | undefined): Finding[] {
  const i = findings.findIndex((f) => f.cause === 'split_unseeded');
  if (i < 0 || !bySplit || !label) return [...findings];
  const splits = Object.values(bySplit);
  const research = isStratified(splits.map((s) => s.research));
  const production = isStratified(splits.map((s) => s.production));
  if (research === production) return [...findings];
  const f = findings[i]!;
  const cut = f.message.indexOf(' while every split keeps its size');
  const what = cut > 0 ? f.message.slice(0, cut) : f.message;
  const how = research
    ? `research's splits are stratified by ${label} (each keeps the whole set's ${label} shares to one row), production's are not: stratification removed (stratify dropped), sizes kept`
    : `production's splits are stratified by ${label}, research's are not: stratification added, sizes kept`;
  const out = [...findings];
  out[i] = { ...f, cause: 'split_stratification', message: `${what}; ${how}`, evidence: { ...f.evidence, stratified: { research, production } } };
  return out;
}
