/**
 * Version ordering and change classes per ecosystem: PEP 440 for Python; for R (`1.2-3`) and npm
 * (semver) a dotted-number comparison where a pre-release suffix sorts before the release.
 */
import { classifyChange, compareVersions, normalizeVersion, parseSpecifier, satisfies } from '../../env/pep440.js';
import type { ChangeClass } from '../../env/pep440.js';
import type { Ecosystem } from '../../sources/env/model.js';

interface Dotted {
  readonly release: number[];
  readonly suffix: string;
}

function dotted(text: string, ecosystem: Ecosystem): Dotted | null {
  const t = ecosystem === 'r' ? text.trim().replace(/-/g, '.') : text.trim().replace(/^v/i, '');
  const m = /^(\d+(?:\.\d+)*)(.*)$/.exec(t);
  if (!m) return null;
  return { release: m[1]!.split('.').map(Number), suffix: m[2]!.replace(/\+.*$/, '') };
}

function compareDotted(a: Dotted, b: Dotted): number {
  const n = Math.max(a.release.length, b.release.length);
  for (let i = 0; i < n; i++) {
    const d = (a.release[i] ?? 0) - (b.release[i] ?? 0);
    if (d !== 0) return Math.sign(d);
  }
  if (a.suffix === b.suffix) return 0;
  if (a.suffix === '') return 1; // 1.0.0 > 1.0.0-beta
  if (b.suffix === '') return -1;
  return a.suffix < b.suffix ? -1 : 1;
}

/** Orders two versions of one ecosystem (negative, zero, positive). */
export function compareEcosystemVersions(a: string, b: string, ecosystem: Ecosystem): number {
  if (ecosystem === 'python') return compareVersions(a, b);
  const da = dotted(a, ecosystem);
  const db = dotted(b, ecosystem);
  if (da && db) return compareDotted(da, db);
  return a < b ? -1 : a > b ? 1 : 0;
}

/** True when two version strings name the same release (PEP 440 equality plus the same local label, for Python). */
export function sameVersion(a: string, b: string, ecosystem: Ecosystem): boolean {
  if (ecosystem === 'python') {
    // compareVersions orders local labels too, so 0 means the same release and the same local build (2.1.4 == 2.1.4.0).
    return normalizeVersion(a) !== null && normalizeVersion(b) !== null ? compareVersions(a, b) === 0 : a.trim() === b.trim();
  }
  return (
    a.trim() === b.trim() || (compareEcosystemVersions(a, b, ecosystem) === 0 && dotted(a, ecosystem)?.suffix === dotted(b, ecosystem)?.suffix && a.replace(/^.*\+/, '') === b.replace(/^.*\+/, ''))
  );
}

/** The change class from `a` to `b`, or `null` when they are the same version. */
export function classifyEcosystemChange(a: string, b: string, ecosystem: Ecosystem): ChangeClass | null {
  if (ecosystem === 'python') return classifyChange(a, b);
  if (sameVersion(a, b, ecosystem)) return null;
  const da = dotted(a, ecosystem);
  const db = dotted(b, ecosystem);
  if (!da || !db) return 'other';
  const n = Math.max(da.release.length, db.release.length);
  for (let i = 0; i < n; i++) {
    if ((da.release[i] ?? 0) !== (db.release[i] ?? 0)) return i === 0 ? 'major' : i === 1 ? 'minor' : 'patch';
  }
  return 'other';
}

/** A version that stands for a range when only a range is known (`>=1.2,<2` → `1.2`), or `null`. */
export function representativeVersion(specifier: string): string | null {
  const clauses = parseSpecifier(specifier);
  if (!clauses) return null;
  const c = clauses.find((x) => x.operator === '==' || x.operator === '===' || x.operator === '~=') ?? clauses.find((x) => x.operator === '>=' || x.operator === '>');
  return c ? c.version : null;
}

/** True when a Python version satisfies a range; `undefined` when the range is not PEP 440 (e.g. a conda `|` spec). */
export function versionSatisfies(version: string, specifier: string): boolean | undefined {
  if (!parseSpecifier(specifier)) return undefined;
  return satisfies(version, specifier);
}
