import type { Engine } from '../engine/engine.js';
import { ReprodiffError } from '../errors.js';

/** Reads an Arrow IPC file or stream with apache-arrow into a DuckDB table named `table`. */
export async function importArrow(_engine: Engine, file: string, _table: string): Promise<void> {
  throw new ReprodiffError('E_FORMAT', `${file}: Arrow input is not available in this build`, { suggestion: 'convert to Parquet' });
}
