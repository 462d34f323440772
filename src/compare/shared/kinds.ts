/** The broad family of a DuckDB type: what statistics and comparisons make sense for it. */
export type Kind = 'integer' | 'float' | 'decimal' | 'string' | 'boolean' | 'date' | 'timestamp' | 'timestamptz' | 'time' | 'other';

/** The kind of a DuckDB type name. */
export function kindOf(type: string): Kind {
  const t = type.toUpperCase();
  if (/^(U?TINYINT|U?SMALLINT|U?INTEGER|U?BIGINT|U?HUGEINT|INT\d*|UINT\d*)$/.test(t)) return 'integer';
  if (t === 'FLOAT' || t === 'REAL' || t === 'DOUBLE' || t === 'FLOAT4' || t === 'FLOAT8') return 'float';
  if (t.startsWith('DECIMAL') || t.startsWith('NUMERIC')) return 'decimal';
  if (t === 'VARCHAR' || t.startsWith('VARCHAR(') || t === 'UUID' || t.startsWith('ENUM')) return 'string';
  if (t === 'BOOLEAN') return 'boolean';
  if (t === 'DATE') return 'date';
  if (t === 'TIMESTAMP WITH TIME ZONE' || t === 'TIMESTAMPTZ') return 'timestamptz';
  if (t.startsWith('TIMESTAMP')) return 'timestamp';
  if (t.startsWith('TIME')) return 'time';
  return 'other';
}

/** A DECIMAL(p,s) type's precision and scale; null for any other type. */
export function decimalParts(type: string): { precision: number; scale: number } | null {
  const m = /^(?:DECIMAL|NUMERIC)\((\d+),\s*(\d+)\)$/i.exec(type.trim());
  return m ? { precision: Number(m[1]), scale: Number(m[2]) } : null;
}

export function isNumericKind(k: Kind): boolean {
  return k === 'integer' || k === 'float' || k === 'decimal';
}

export function isTemporalKind(k: Kind): boolean {
  return k === 'date' || k === 'timestamp' || k === 'timestamptz';
}
