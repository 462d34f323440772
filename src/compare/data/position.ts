/**
 * `--by-position` (datacompy `on_index`): rows are matched by their 1-based position in file order. Each side
 * gets a synthetic key column, its row position, and the ordinary keyed diff runs on it, so every cause, sample
 * and `--diff-rows` works as with a key; the sample keys are the row positions. Extra positions on the longer
 * side are rows_missing / rows_extra. A database query has no file order: it is refused (docs/decisions.md).
 */
import type { Engine } from '../../engine/engine.js';
import { ident } from '../../engine/quote.js';
import { ReprodiffError } from '../../errors.js';
import type { Dataset } from '../../sources/register.js';
import { shown } from '../../text/escape.js';

/** The synthetic key's name, unless a column of either side is spelt so (in any case): then a suffix. */
export const POSITION_KEY = 'row#';

let counter = 0;

/** The usage error of `--by-position` beside `--key`. */
export function positionWithKeyError(): ReprodiffError {
  return new ReprodiffError('E_USAGE', '--by-position matches rows by their position and --key by a key column: give one of them', {
    suggestion: 'leave out --key to compare row 1 with row 1, row 2 with row 2…; leave out --by-position to match rows on the key',
  });
}

/** The refusal of an input without file order (a database query or view). */
export function noFileOrderError(label: string): ReprodiffError {
  return new ReprodiffError('E_USAGE', `--by-position needs the rows' file order, and ${shown(label, 80)} has none (a database query or view)`, {
    suggestion: 'pass --key to match rows on a key (a query with ORDER BY still has no order reprodiff can rely on)',
  });
}

/** A name for the synthetic key that no column of either side has, compared without case. */
export function positionKeyName(research: Dataset, production: Dataset): string {
  const taken = new Set([...research.columns, ...production.columns].map((c) => c.name.toLowerCase()));
  let name = POSITION_KEY;
  for (let i = 2; taken.has(name.toLowerCase()); i++) name = `${POSITION_KEY}${i}`;
  return name;
}

/** Both sides as views with their row position (1-based, file order) as the key column `key`. */
export async function byPosition(engine: Engine, research: Dataset, production: Dataset, key: readonly string[] | undefined): Promise<{ research: Dataset; production: Dataset; key: string }> {
  if (key && key.length > 0) throw positionWithKeyError();
  const name = positionKeyName(research, production);
  const positioned = async (d: Dataset, side: string): Promise<Dataset> => {
    const order = d.fileOrder;
    if (!order) throw noFileOrderError(d.label);
    const names = new Set(d.columns.map((c) => c.name.toLowerCase()));
    const hidden = [order.order === 'rowid' ? 'rowid' : null, ...order.exclude].filter((c): c is string => c !== null && names.has(c.toLowerCase()));
    if (hidden.length > 0) {
      throw new ReprodiffError('E_USAGE', `--by-position reads the row order from ${hidden[0]}, and ${shown(d.label, 80)} has a column of that name`, {
        suggestion: 'rename the column, or pass --key',
      });
    }
    const view = ident(`rd_position_${side}_${++counter}`);
    const exclude = order.exclude.length ? ` EXCLUDE (${order.exclude.map(ident).join(', ')})` : '';
    await engine.run(`CREATE TEMP VIEW ${view} AS SELECT *${exclude}, row_number() OVER (ORDER BY ${order.order}) AS ${ident(name)} FROM ${order.from}`);
    return { ...d, relation: view, columns: [...d.columns, { name, type: 'BIGINT' }] };
  };
  return { research: await positioned(research, 'research'), production: await positioned(production, 'production'), key: name };
}
