import type { Engine } from '../engine/engine.js';
import { ident } from '../engine/quote.js';
import type { ColumnInfo } from './register.js';
import type { InputSpec } from './resolve.js';
import { firstLine } from './names.js';

/** The name an index column written without a name is reported under (pandas `index=True`, R's row names). */
export const UNNAMED_INDEX = '(unnamed index)';

/**
 * pandas writes its index with an empty header cell (`,id,x`), R's write.csv its row names as `"",…`;
 * DuckDB names such a column `column0`/`column00`, a name the file does not contain. When the first
 * header cell of the file is empty, the column is renamed in place to UNNAMED_INDEX.
 */
export async function unnamedIndex(engine: Engine, spec: InputSpec, table: string, columns: readonly ColumnInfo[]): Promise<{ from: string; to: string } | null> {
  const first = columns[0];
  if (!first || !/^column0+$/.test(first.name) || spec.read.header === false) return null;
  if (columns.some((c) => c.name === UNNAMED_INDEX)) return null;
  const line = firstLine(spec.files[0]!);
  if (line === null) return null;
  const delimiter = spec.read.delimiter ?? (spec.format === 'tsv' ? '\t' : undefined);
  const empty = delimiter !== undefined ? emptyFirstCell(line, delimiter) : [',', ';', '\t', '|'].some((d) => emptyFirstCell(line, d));
  if (!empty) return null;
  await engine.run(`ALTER TABLE ${table} RENAME COLUMN ${ident(first.name)} TO ${ident(UNNAMED_INDEX)}`);
  return { from: first.name, to: UNNAMED_INDEX };
}

function emptyFirstCell(line: string, delimiter: string): boolean {
  return line.startsWith(delimiter) || line.startsWith(`""${delimiter}`);
}
