import { ReprodiffError } from '../../errors.js';

/** Absolute and relative tolerance: |a − b| ≤ abs + rel·|a| counts as equal (research is the reference). */
export interface Tolerance {
  readonly abs: number;
  readonly rel: number;
}

export interface Tolerances {
  readonly default: Tolerance;
  readonly perColumn: Readonly<Record<string, Tolerance>>;
}

export const EXACT: Tolerance = { abs: 0, rel: 0 };

export function toleranceFor(tolerances: Tolerances | undefined, column: string): Tolerance {
  return tolerances?.perColumn[column] ?? tolerances?.default ?? EXACT;
}

/**
 * Parses `--tol price=abs:0.01` or `price=rel:1e-6,abs:0.01` (repeatable). Unspecified parts fall back to
 * the global tolerances.
 */
export function parseColumnTolerance(spec: string, fallback: Tolerance): [string, Tolerance] {
  const eq = spec.lastIndexOf('=');
  if (eq <= 0) throw badTolerance(spec);
  const column = spec.slice(0, eq);
  let tol = { ...fallback };
  for (const part of spec.slice(eq + 1).split(',')) {
    const m = /^(abs|rel)\s*:\s*(.+)$/.exec(part.trim());
    if (!m) throw badTolerance(spec);
    const value = Number(m[2]);
    if (!Number.isFinite(value) || value < 0) throw badTolerance(spec);
    tol = { ...tol, [m[1]!]: value };
  }
  return [column, tol];
}

function badTolerance(spec: string): ReprodiffError {
  return new ReprodiffError('E_USAGE', `bad tolerance '${spec}'`, { suggestion: 'write COLUMN=abs:0.01 or COLUMN=rel:1e-6 (or both, comma-separated)' });
}

export function checkTolerance(value: number | undefined, flag: string): number {
  if (value === undefined) return 0;
  if (!Number.isFinite(value) || value < 0) throw new ReprodiffError('E_USAGE', `${flag} must be a number ≥ 0, got ${value}`, { suggestion: `e.g. ${flag} 1e-9` });
  return value;
}
