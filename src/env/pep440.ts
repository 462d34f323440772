/**
 * PEP 440 versions and specifiers. Parsing and ordering come from `@renovatebot/pep440`; the
 * canonical string form and specifier matching are implemented here because the library's
 * `satisfies` disagrees with pypa/packaging on prefix matching (`==2.0.*` against `2`), on
 * exclusive ordering of pre-releases and local versions, and it writes local segments with commas.
 * Matching follows packaging's `Specifier` rules (tests run the pypa/packaging corpus).
 */
import pep440 from '@renovatebot/pep440';

/** A parsed PEP 440 version, with plain numbers and `null` for absent parts. */
export interface Pep440 {
  readonly epoch: number;
  readonly release: readonly number[];
  readonly pre: readonly [string, number] | null;
  readonly post: number | null;
  readonly dev: number | null;
  readonly local: string | null;
}

/** How a version moved between two environments. */
export type ChangeClass = 'major' | 'minor' | 'patch' | 'other';

const VALID_TEXT = /^[\sA-Za-z0-9.!+_\-*]*$/;

/** Parses a version string; `null` when it is not a valid PEP 440 version. */
export function parseVersion(text: unknown): Pep440 | null {
  if (typeof text !== 'string' || !VALID_TEXT.test(text)) return null;
  const v = pep440.explain(text.trim());
  if (!v) return null;
  const num = (x: unknown): number | null => (x === null || x === undefined ? null : Number(x));
  const pre = Array.isArray(v.pre) && v.pre.length === 2 ? ([String(v.pre[0]), Number(v.pre[1])] as const) : null;
  const local = v.local === null || v.local === undefined ? null : String(v.local).toLowerCase().replace(/[-_]/g, '.');
  return {
    epoch: Number(v.epoch ?? 0),
    release: v.release.map(Number),
    pre,
    post: num(v.post),
    dev: num(v.dev),
    local,
  };
}

/** True when the text is a valid PEP 440 version. */
export function isValidVersion(text: unknown): boolean {
  return parseVersion(text) !== null;
}

/** The canonical form of a version (`1.0-ALPHA` → `1.0a0`, `0!1.0` → `1.0`); `null` when invalid. */
export function normalizeVersion(text: string): string | null {
  const v = parseVersion(text);
  return v ? formatVersion(v) : null;
}

/** Writes a parsed version in canonical form. */
export function formatVersion(v: Pep440): string {
  let out = v.epoch ? `${v.epoch}!` : '';
  out += v.release.join('.');
  if (v.pre) out += `${v.pre[0]}${v.pre[1]}`;
  if (v.post !== null) out += `.post${v.post}`;
  if (v.dev !== null) out += `.dev${v.dev}`;
  if (v.local !== null) out += `+${v.local}`;
  return out;
}

/** The version without its local segment. */
export function publicVersion(v: Pep440): Pep440 {
  return { ...v, local: null };
}

/** Epoch and release only (`1!2.0rc1.post3` → `1!2.0`). */
export function baseVersion(v: Pep440): Pep440 {
  return { epoch: v.epoch, release: v.release, pre: null, post: null, dev: null, local: null };
}

/** True for pre-releases and dev releases. */
export function isPrerelease(v: Pep440): boolean {
  return v.pre !== null || v.dev !== null;
}

/** PEP 440 ordering: negative, zero or positive. Invalid versions sort before valid ones, then as text. */
export function compareVersions(a: string, b: string): number {
  const pa = parseVersion(a);
  const pb = parseVersion(b);
  if (pa && pb) return Math.sign(pep440.compare(formatVersion(pa), formatVersion(pb)));
  if (pa) return 1;
  if (pb) return -1;
  return a < b ? -1 : a > b ? 1 : 0;
}

function cmp(a: Pep440, b: Pep440): number {
  return Math.sign(pep440.compare(formatVersion(a), formatVersion(b)));
}

/**
 * How big a change from `a` to `b` is: the first release component that differs (padded with zeros)
 * decides major / minor / patch; an epoch change is major; equal releases that differ only in
 * pre-, post-, dev- or local parts, or versions that are not PEP 440, are `other`. `null` when equal.
 */
export function classifyChange(a: string, b: string): ChangeClass | null {
  const pa = parseVersion(a);
  const pb = parseVersion(b);
  if (!pa || !pb) return a.trim() === b.trim() ? null : 'other';
  if (cmp(pa, pb) === 0 && pa.local === pb.local) return null;
  if (pa.epoch !== pb.epoch) return 'major';
  const n = Math.max(pa.release.length, pb.release.length);
  for (let i = 0; i < n; i++) {
    if ((pa.release[i] ?? 0) !== (pb.release[i] ?? 0)) return i === 0 ? 'major' : i === 1 ? 'minor' : 'patch';
  }
  return 'other';
}

/** One clause of a specifier set, e.g. `>=1.2` or `==2.0.*`. */
export interface SpecifierClause {
  readonly operator: '~=' | '==' | '!=' | '<=' | '>=' | '<' | '>' | '===';
  readonly version: string;
  readonly wildcard: boolean;
}

const CLAUSE = /^\s*(~=|===|==|!=|<=|>=|<|>)\s*(\S+?)\s*$/;

/** Parses `>=1.0, <2` into clauses; `null` when any clause is malformed. An empty string is the empty set (matches all). */
export function parseSpecifier(text: string): SpecifierClause[] | null {
  const trimmed = text.trim();
  if (trimmed === '') return [];
  const clauses: SpecifierClause[] = [];
  for (const part of trimmed.split(',')) {
    const m = CLAUSE.exec(part);
    if (!m) return null;
    const operator = m[1] as SpecifierClause['operator'];
    let version = m[2]!;
    if (operator === '===') {
      clauses.push({ operator, version, wildcard: false });
      continue;
    }
    const wildcard = version.endsWith('.*');
    if (wildcard) {
      if (operator !== '==' && operator !== '!=') return null;
      version = version.slice(0, -2);
    }
    const v = parseVersion(version);
    if (!v) return null;
    if (wildcard && (v.pre || v.post !== null || v.dev !== null || v.local)) return null;
    if (v.local && operator !== '==' && operator !== '!=') return null;
    if (operator === '~=' && v.release.length < 2) return null;
    clauses.push({ operator, version, wildcard });
  }
  return clauses;
}

/** True when the text is a well-formed specifier set. */
export function isValidSpecifier(text: string): boolean {
  return parseSpecifier(text) !== null;
}

function prefixMatch(candidate: Pep440, prefix: Pep440): boolean {
  if (candidate.epoch !== prefix.epoch) return false;
  return prefix.release.every((n, i) => (candidate.release[i] ?? 0) === n);
}

function clauseMatches(c: SpecifierClause, candidate: Pep440, rawCandidate: string): boolean {
  if (c.operator === '===') return rawCandidate.trim().toLowerCase() === c.version.toLowerCase();
  const spec = parseVersion(c.version)!;
  const pub = publicVersion(candidate);
  switch (c.operator) {
    case '==':
    case '!=': {
      let eq: boolean;
      if (c.wildcard) eq = prefixMatch(candidate, spec);
      else eq = cmp(spec.local ? candidate : pub, spec) === 0 && (!spec.local || candidate.local === spec.local);
      return c.operator === '==' ? eq : !eq;
    }
    case '~=': {
      const prefix: Pep440 = { epoch: spec.epoch, release: spec.release.slice(0, -1), pre: null, post: null, dev: null, local: null };
      return cmp(pub, spec) >= 0 && prefixMatch(candidate, prefix);
    }
    case '>=':
      return cmp(pub, spec) >= 0;
    case '<=':
      return cmp(pub, spec) <= 0;
    case '<':
      // `<2` excludes 2.0rc1: a pre-release of the bound is not "less than" it unless the bound is one too.
      if (cmp(candidate, spec) >= 0) return false;
      return !(!isPrerelease(spec) && isPrerelease(candidate) && cmp(baseVersion(candidate), baseVersion(spec)) === 0);
    case '>':
      // `>2` excludes 2.post1 (unless the bound is a post-release) and 2+local.
      if (cmp(pub, spec) <= 0) return false;
      return !(spec.post === null && candidate.post !== null && cmp(baseVersion(candidate), baseVersion(spec)) === 0);
  }
}

/**
 * True when `version` satisfies the specifier set (every clause). Pre-releases match unless
 * `prereleases` is false, in which case they match only when a clause names a pre-release.
 * Throws nothing: an invalid version or specifier gives `false`.
 */
export function satisfies(version: string, specifier: string, options: { prereleases?: boolean } = {}): boolean {
  const clauses = parseSpecifier(specifier);
  const candidate = parseVersion(version);
  if (!clauses) return false;
  if (!candidate) return clauses.length > 0 && clauses.every((c) => c.operator === '===' && c.version.toLowerCase() === version.trim().toLowerCase());
  if (options.prereleases === false && isPrerelease(candidate)) {
    const named = clauses.some((c) => c.operator !== '===' && !c.wildcard && isPrerelease(parseVersion(c.version)!));
    if (!named) return false;
  }
  return clauses.every((c) => clauseMatches(c, candidate, version));
}

/** Sorts version strings by PEP 440 (a copy). */
export function sortVersions(versions: readonly string[]): string[] {
  return [...versions].sort(compareVersions);
}
