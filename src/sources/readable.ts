import type { Engine } from '../engine/engine.js';
import { ReprodiffError, firstLine } from '../errors.js';
import type { Dataset } from './register.js';

/** DuckDB error classes that come from the data (a corrupt page, an out-of-range value), not from our SQL. */
const DATA_ERROR = /^(IO|Invalid|Invalid Input|Conversion|Out of Range|Serialization|Parser) Error:|^Invalid Error:/i;

/**
 * A reader can fail in the middle of a comparison (a corrupt page far into a Parquet file). When an
 * engine error comes from the data, find which input cannot be read in full and say so in one line;
 * errors of our own SQL stay bugs.
 */
export async function asDataError(engine: Engine, datasets: readonly Dataset[], e: unknown): Promise<unknown> {
  if (e instanceof ReprodiffError) return e;
  const line = firstLine(e);
  if (!DATA_ERROR.test(line)) return e;
  for (const d of datasets) {
    try {
      // Hashing whole rows forces every column of every row to be decoded.
      await engine.one(`SELECT min(hash(t)) AS h FROM ${d.relation} AS t`);
    } catch (inner) {
      return new ReprodiffError('E_FORMAT', `${d.label}: cannot read as ${d.format}: ${firstLine(inner).replace(/^[A-Za-z ]+Error:\s*/, '')}`, {
        suggestion: 'the file is damaged or uses a feature this reader does not support',
        cause: inner,
      });
    }
  }
  return new ReprodiffError('E_FORMAT', `cannot compare ${datasets.map((d) => d.label).join(' and ')}: ${line.replace(/^[A-Za-z ]+Error:\s*/, '')}`, {
    suggestion: 'a value is outside the range this comparison supports',
    cause: e,
  });
}
