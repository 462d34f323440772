import type { Engine } from '../../src/engine/engine.js';
import type { Dataset } from '../../src/sources/register.js';

/** A table made in the engine from `sql`, as a Dataset the comparators take (as if read from a Parquet file). */
export async function tableDataset(engine: Engine, name: string, sql: string): Promise<Dataset> {
  await engine.run(`CREATE TABLE ${name} AS ${sql}`);
  return { label: name, format: 'parquet', relation: name, columns: await engine.describe(name) };
}
