import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';

/** The committed scipy/sklearn reference values (see tests/reference/make_stats_reference.py). */
// Loosely typed on purpose: its shape is defined by make_stats_reference.py.
export const reference: any = JSON.parse(readFileSync(fileURLToPath(new URL('../reference/stats.json', import.meta.url)), 'utf8'));

/** Relative tolerance from the product brief. */
export const REL = 1e-9;
/** Absolute floor for p-values that underflow. */
export const ABS_FLOOR = 1e-300;

/** |actual − expected| <= rel·|expected| + abs. */
export function expectClose(actual: number, expected: number, label: string, rel = REL, abs = ABS_FLOOR): void {
  const ok = Math.abs(actual - expected) <= rel * Math.abs(expected) + abs || actual === expected;
  expect(ok, `${label}: got ${actual}, expected ${expected}`).toBe(true);
}
