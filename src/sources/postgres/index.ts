/**
 * PostgreSQL inputs: `postgres://user@host:5432/db#schema.table` or `…#SELECT …`, anywhere a file is
 * accepted. resolve.ts and register.ts call the two hooks below; everything else of the engine lives here
 * (dialect, client, download, pushdown), so another engine is another folder beside this one.
 */
import type { Engine } from '../../engine/engine.js';
import { downloadTable } from './download.js';
import type { DatabaseTarget } from './url.js';
import { isDatabaseInput, parseDatabaseInput, redactUrl } from './url.js';

export type { DatabaseTarget } from './url.js';
export { isDatabaseInput, parseDatabaseInput, redactUrl } from './url.js';

/** A database input with its credentials removed (anything else unchanged): for reports and messages. */
export function redactInput(input: string): string {
  if (!isDatabaseInput(input)) return input;
  try {
    return parseDatabaseInput(input).label;
  } catch {
    return redactUrl(input.split('#')[0]!);
  }
}

/** Parses a database input (no connection yet: resolving happens before the engine starts). */
export function resolveDatabaseInput(input: string): DatabaseTarget | undefined {
  return isDatabaseInput(input) ? parseDatabaseInput(input) : undefined;
}

/** Opens a database input as a DuckDB temp table named `name` (mode "download"). */
export async function openDatabaseInput(engine: Engine, target: DatabaseTarget, name: string): Promise<void> {
  await downloadTable(engine, target, name);
}
