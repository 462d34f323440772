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
  // The locked engine refuses a path that is gone as "Permission Error: Cannot access file": an input removed
  // during the run, when the probe below finds one; otherwise our own SQL's bug, kept as it is.
  const refused = /^Permission Error: Cannot access file/i.test(line);
  if (!DATA_ERROR.test(line) && !refused) return e;
  for (const d of datasets) {
    try {
      // Hashing whole rows forces every column of every row to be decoded.
      await engine.one(`SELECT min(hash(t)) AS h FROM ${d.relation} AS t`);
    } catch (inner) {
      // A view re-reads its files on every scan: one removed or replaced meanwhile is not a damaged file.
      if (/no files found|no such file|cannot open file|cannot access file/i.test(firstLine(inner))) {
        return new ReprodiffError('E_FILE_NOT_FOUND', `${d.label}: the file was removed or renamed during the run`, {
          suggestion: 'compare copies that nothing rewrites meanwhile (a pipeline still writing them?)',
          cause: inner,
        });
      }
      return new ReprodiffError('E_FORMAT', `${d.label}: cannot read as ${d.format}: ${firstLine(inner).replace(/^[A-Za-z ]+Error:\s*/, '')}`, {
        suggestion: 'the file is damaged or uses a feature this reader does not support',
        cause: inner,
      });
    }
  }
  if (refused) return e;
  return new ReprodiffError('E_FORMAT', `cannot compare ${datasets.map((d) => d.label).join(' and ')}: ${line.replace(/^[A-Za-z ]+Error:\s*/, '')}`, {
    suggestion: 'a value is outside the range this comparison supports',
    cause: e,
  });
}
