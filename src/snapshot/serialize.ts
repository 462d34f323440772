/**
 * Deterministic snapshot text: object keys sorted (their order means nothing), arrays kept in order, a
 * trailing newline. Leaves stay on one line — an array of plain values, an object of plain values (one
 * category and its count), an array of such leaves (value counts) — so a snapshot's size is its content,
 * not indentation: snapshots travel (CI artifacts, model registries).
 */

/** Serialises a snapshot (or any plain JSON value) byte-identically for identical content. */
export function serializeSnapshot(value: unknown): string {
  return `${write(value, '')}\n`;
}

function write(value: unknown, indent: string): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'number') return Number.isFinite(value) ? JSON.stringify(Object.is(value, -0) ? 0 : value) : 'null';
  if (typeof value === 'bigint') return Number.isSafeInteger(Number(value)) ? String(value) : JSON.stringify(value.toString());
  if (typeof value === 'string' || typeof value === 'boolean') return JSON.stringify(value);
  const inner = `${indent}  `;
  if (Array.isArray(value)) {
    if (value.length === 0) return '[]';
    if (value.every((v) => isPlain(v) || isFlatLeaf(v))) return `[${value.map((v) => write(v, inner)).join(', ')}]`;
    return `[\n${value.map((v) => inner + write(v, inner)).join(',\n')}\n${indent}]`;
  }
  const entries = sortedEntries(value as Record<string, unknown>);
  if (entries.length === 0) return '{}';
  if (entries.every(([, v]) => isPlain(v))) return `{${entries.map(([k, v]) => `${JSON.stringify(k)}: ${write(v, inner)}`).join(', ')}}`;
  return `{\n${entries.map(([k, v]) => `${inner}${JSON.stringify(k)}: ${write(v, inner)}`).join(',\n')}\n${indent}}`;
}

function sortedEntries(value: Record<string, unknown>): [string, unknown][] {
  return Object.entries(value)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

function isPlain(v: unknown): boolean {
  return v === null || typeof v !== 'object';
}

/** A non-empty array or object whose members are all plain values: written on one line. */
function isFlatLeaf(v: unknown): boolean {
  if (Array.isArray(v)) return v.length > 0 && v.every(isPlain);
  if (v === null || typeof v !== 'object') return false;
  const entries = sortedEntries(v as Record<string, unknown>);
  return entries.length > 0 && entries.every(([, x]) => isPlain(x));
}
