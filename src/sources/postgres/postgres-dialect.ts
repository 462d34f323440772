import type { RemoteColumn, SqlDialect } from './dialect.js';
import { decimalParts } from '../../compare/shared/kinds.js';

/** PostgreSQL's `"…"` identifiers and `'…'` literals (standard_conforming_strings is on since 9.1). */
function ident(name: string): string {
  if (name.includes('\u0000')) throw new Error('NUL byte in SQL identifier');
  return `"${name.replaceAll('"', '""')}"`;
}

function literal(value: string): string {
  if (value.includes('\u0000')) throw new Error('NUL byte in SQL literal');
  return `'${value.replaceAll("'", "''")}'`;
}

/** Precision and scale of a `numeric(p, s)` type modifier; null for an unconstrained numeric. */
export function numericTypmod(typmod: number): { precision: number; scale: number } | null {
  if (typmod < 4) return null;
  const t = typmod - 4;
  const precision = (t >> 16) & 0xffff;
  let scale = t & 0x7ff;
  if (scale > 1000) scale -= 2048; // PostgreSQL 15 allows negative scales
  return { precision, scale };
}

const TEXT_TYPES = new Set(['text', 'varchar', 'bpchar', 'name', 'char', 'citext', 'uuid', 'json', 'jsonb', 'xml', 'inet', 'cidr', 'macaddr', 'macaddr8']);

/** DuckDB types ↔ PostgreSQL types for the comparison types matchSchemas picks. */
const COMPARE_TYPES: Record<string, string> = {
  BIGINT: 'bigint',
  HUGEINT: 'numeric',
  DOUBLE: 'double precision',
  FLOAT: 'real',
  VARCHAR: 'text',
  BOOLEAN: 'boolean',
  DATE: 'date',
  TIMESTAMP: 'timestamp',
  'TIMESTAMP WITH TIME ZONE': 'timestamptz',
  TIMESTAMPTZ: 'timestamptz',
  TIME: 'time',
};

export const postgresDialect: SqlDialect = {
  name: 'PostgreSQL',
  ident,
  literal,
  localType(c: RemoteColumn): string | null {
    if (c.category === 'E') return 'VARCHAR'; // enums compare as their labels
    switch (c.base) {
      case 'int2':
        return 'SMALLINT';
      case 'int4':
        return 'INTEGER';
      case 'int8':
      case 'oid':
        return 'BIGINT';
      case 'float4':
        return 'FLOAT';
      case 'float8':
        return 'DOUBLE';
      case 'numeric': {
        // DuckDB's DECIMAL holds 38 digits; an unconstrained (or wider) numeric is read as DOUBLE.
        const m = numericTypmod(c.typmod);
        return m && m.precision <= 38 && m.scale >= 0 && m.scale <= m.precision ? `DECIMAL(${m.precision},${m.scale})` : 'DOUBLE';
      }
      case 'bool':
        return 'BOOLEAN';
      case 'date':
        return 'DATE';
      case 'timestamp':
        return 'TIMESTAMP';
      case 'timestamptz':
        return 'TIMESTAMP WITH TIME ZONE';
      case 'time':
        return 'TIME';
      default:
        return TEXT_TYPES.has(c.base) ? 'VARCHAR' : null;
    }
  },
  remoteCompareType(duckdbType: string): string | null {
    const t = duckdbType.toUpperCase();
    const dec = decimalParts(t);
    if (dec) return `numeric(${dec.precision},${dec.scale})`;
    return COMPARE_TYPES[t] ?? null;
  },
  exportExpr(c: RemoteColumn): string {
    // The session runs with TimeZone UTC, DateStyle ISO and shortest-exact float text (extra_float_digits 1),
    // so every value's text is one DuckDB reads back exactly; enums and text-like types are read as text.
    const x = ident(c.name);
    if (c.category === 'E' || (TEXT_TYPES.has(c.base) && c.base !== 'text' && c.base !== 'varchar')) return `${x}::text`;
    return x;
  },
  sql: {
    toDouble: (x) => `(${x})::float8`,
    asBytes: (x) => `${x} COLLATE "C"`,
  },
};
