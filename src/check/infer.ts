import type { Dataset } from '../sources/register.js';

/** Names a key column usually has, most specific first. */
const KEY_PATTERN = /^(id|key|.+_id|.+Id|.+_key|uuid)$/;

/**
 * The key shared by every table artifact, when it is unambiguous: the one id-like column present in all
 * of them (or `id` among several). Returns undefined when there is none or several: the stages then
 * compare without a key and say so.
 */
export function inferKey(datasets: readonly Dataset[]): string[] | undefined {
  if (datasets.length === 0) return undefined;
  const common = datasets.map((d) => new Set(d.columns.map((c) => c.name))).reduce((a, b) => new Set([...a].filter((x) => b.has(x))));
  const candidates = [...common].filter((c) => KEY_PATTERN.test(c)).sort();
  if (candidates.length === 1) return [candidates[0]!];
  if (candidates.includes('id')) return ['id'];
  return undefined;
}
