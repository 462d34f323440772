import { ReprodiffError } from '../../errors.js';
import type { ColumnPair } from '../data/columns.js';

/** Names a prediction column commonly has (score, probability or predicted label). */
export const PREDICTION_NAMES = ['score', 'proba', 'probability', 'prediction', 'pred', 'y_pred', 'yhat'] as const;
/** Names a ground-truth column commonly has. */
export const TRUTH_NAMES = ['y', 'label', 'target', 'y_true', 'truth'] as const;
/** Names a split-assignment column commonly has. */
export const SPLIT_NAMES = ['split', 'fold', 'subset', 'partition', 'set'] as const;

/**
 * The column among `names` present on both sides (case-insensitive), or undefined when none or several
 * match: a guess is only made when it is unambiguous.
 */
export function inferColumn(pairs: readonly ColumnPair[], names: readonly string[], filter: (p: ColumnPair) => boolean = () => true, exclude: readonly string[] = []): string | undefined {
  const hits = pairs.filter((p) => names.includes(p.name.toLowerCase()) && !exclude.includes(p.name) && filter(p));
  return hits.length === 1 ? hits[0]!.name : undefined;
}

/** The pair of a column the user named, or a one-line error listing what there is. */
export function requirePair(pairs: readonly ColumnPair[], name: string, flag: string): ColumnPair {
  const p = pairs.find((x) => x.name === name);
  if (!p) {
    throw new ReprodiffError('E_COLUMN_UNKNOWN', `${flag} '${name}' is not a column of both inputs`, {
      suggestion: `columns on both sides: ${pairs
        .slice(0, 12)
        .map((x) => x.name)
        .join(', ')}${pairs.length > 12 ? ', …' : ''}`,
    });
  }
  return p;
}
