/**
 * The one place identifiers and literals become SQL text. Every name that comes from a user
 * (columns, paths, tables) goes through these helpers.
 */

/** Quotes an identifier: `a"b` → `"a""b"`. */
export function ident(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/** Quotes a string literal: `it's` → `'it''s'`. NUL bytes cannot appear in DuckDB literals. */
export function literal(value: string): string {
  if (value.includes('\u0000')) throw new Error('NUL byte in SQL literal');
  return `'${value.replaceAll("'", "''")}'`;
}

/** A list literal of strings: `['a', 'b']`. */
export function listLiteral(values: readonly string[]): string {
  return `[${values.map(literal).join(', ')}]`;
}

/** A qualified column reference `alias."name"`. */
export function col(alias: string, name: string): string {
  return `${alias}.${ident(name)}`;
}
