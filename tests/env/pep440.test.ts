import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { classifyChange, compareVersions, formatVersion, isValidSpecifier, normalizeVersion, parseVersion, satisfies, sortVersions } from '../../src/env/pep440.js';

const CORPUS = new URL('../../../shared/corpora/pypa-packaging/', import.meta.url);
type Cases<T> = { params: string | string[]; cases: T[] };
const versionCases = JSON.parse(readFileSync(new URL('packaging_version_cases.json', CORPUS), 'utf8')) as Record<string, unknown> & { ordered: string[] };
const specifierCases = JSON.parse(readFileSync(new URL('packaging_specifier_cases.json', CORPUS), 'utf8')) as [string, string, boolean][];
const cases = <T>(name: string) => (versionCases[name] as Cases<T>).cases;

describe('PEP 440 against the pypa/packaging corpus', () => {
  it('sorts the ordered list in that order, from any starting order', () => {
    const ordered = versionCases.ordered;
    expect(sortVersions([...ordered].reverse())).toEqual(ordered);
    fc.assert(
      fc.property(fc.shuffledSubarray(ordered, { minLength: 2 }), (subset) => {
        const expected = ordered.filter((v) => subset.includes(v));
        expect(sortVersions(subset)).toEqual(expected);
      }),
      { numRuns: 200 },
    );
  });

  it('orders every pair consistently with the list', () => {
    const ordered = versionCases.ordered;
    for (let i = 0; i < ordered.length; i++) {
      for (let j = 0; j < ordered.length; j++) expect(compareVersions(ordered[i]!, ordered[j]!), `${ordered[i]} vs ${ordered[j]}`).toBe(Math.sign(i - j));
    }
  });

  it.each(cases<string>('test_invalid_versions'))('rejects invalid version %j', (v) => {
    expect(parseVersion(v)).toBeNull();
    expect(normalizeVersion(v)).toBeNull();
  });

  it.each(cases<unknown>('test_non_string_versions_raise_invalid_version').map((v) => [v]))('rejects non-string version %j', (v) => {
    expect(parseVersion(v)).toBeNull();
  });

  it.each(cases<[string, string]>('test_normalized_versions'))('normalises %j to %s', (v, normalized) => {
    expect(normalizeVersion(v)).toBe(normalized);
  });

  it.each(cases<[string, string]>('test_version_str_repr'))('writes %s as %s', (v, expected) => {
    expect(normalizeVersion(v)).toBe(expected);
  });

  it('builds canonical strings from parts', () => {
    for (const [parts, expected] of cases<[Record<string, unknown>, string]>('test_from_parts')) {
      const pre = parts.pre as [string, number] | null | undefined;
      const letter = pre ? ({ alpha: 'a', a: 'a', beta: 'b', b: 'b', c: 'rc', rc: 'rc' } as Record<string, string>)[pre[0].toLowerCase()]! : null;
      const text = formatVersion({
        epoch: (parts.epoch as number | null) ?? 0,
        release: parts.release as number[],
        pre: pre ? [letter!, pre[1]] : null,
        post: (parts.post as number | null) ?? null,
        dev: (parts.dev as number | null) ?? null,
        local: (parts.local as string | null) ?? null,
      });
      expect(normalizeVersion(text)).toBe(normalizeVersion(expected));
    }
  });

  const field = (name: string, get: (v: NonNullable<ReturnType<typeof parseVersion>>) => unknown) =>
    it.each(cases<[string, unknown]>(name))(`${name}: %s → %j`, (v, expected) => {
      expect(get(parseVersion(v)!)).toEqual(expected);
    });
  field('test_version_epoch', (v) => v.epoch);
  field('test_version_release', (v) => v.release);
  field('test_version_local', (v) => v.local);
  field('test_version_pre', (v) => v.pre);
  field('test_version_dev', (v) => v.dev);
  field('test_version_post', (v) => v.post);
  field('test_version_is_prerelease', (v) => v.pre !== null || v.dev !== null);
  field('test_version_is_devrelease', (v) => v.dev !== null);
  field('test_version_is_postrelease', (v) => v.post !== null);
  field('test_version_public', (v) => formatVersion({ ...v, local: null }));
  field('test_version_base_version', (v) => formatVersion({ epoch: v.epoch, release: v.release, pre: null, post: null, dev: null, local: null }));

  it(`matches every one of the ${specifierCases.length} specifier cases`, () => {
    const wrong = specifierCases.filter(([version, spec, expected]) => satisfies(version, spec) !== expected);
    expect(wrong).toEqual([]);
  });
});

describe('PEP 440 ordering properties', () => {
  const version = fc
    .record({
      epoch: fc.constantFrom(0, 0, 0, 1),
      release: fc.array(fc.nat(12), { minLength: 1, maxLength: 4 }),
      pre: fc.option(fc.tuple(fc.constantFrom('a', 'b', 'rc'), fc.nat(3)), { nil: null }),
      post: fc.option(fc.nat(3), { nil: null }),
      dev: fc.option(fc.nat(3), { nil: null }),
      local: fc.option(fc.constantFrom('abc', '1', '1.abc', 'cpu', 'cu121'), { nil: null }),
    })
    .map((v) => formatVersion(v));

  it('compare is antisymmetric and transitive', () => {
    fc.assert(
      fc.property(version, version, version, (a, b, c) => {
        expect(compareVersions(a, b)).toBe(-compareVersions(b, a));
        if (compareVersions(a, b) <= 0 && compareVersions(b, c) <= 0) expect(compareVersions(a, c)).toBeLessThanOrEqual(0);
      }),
      { numRuns: 500 },
    );
  });

  it('normalisation is idempotent and preserves order', () => {
    fc.assert(
      fc.property(version, (v) => {
        const n = normalizeVersion(v)!;
        expect(normalizeVersion(n)).toBe(n);
        expect(compareVersions(v, n)).toBe(0);
      }),
    );
  });
});

describe('PEP 440 is not semver', () => {
  it.each([
    ['1.0.dev0', '1.0a1'],
    ['1.0a1', '1.0b1'],
    ['1.0rc1', '1.0'],
    ['1.0', '1.0.post1'],
    ['1.0', '1.0+local'],
    ['1.9', '1.10'],
    ['2.0', '1!0.1'],
    ['1.0.post1', '1.0.1'],
    ['2.1.0+cpu', '2.1.0+cu121'],
  ])('%s < %s', (a, b) => {
    expect(compareVersions(a, b)).toBe(-1);
  });

  it('treats trailing zeros as equal', () => {
    expect(compareVersions('2.1.4', '2.1.4.0')).toBe(0);
    expect(compareVersions('v1.0', '1.0')).toBe(0);
  });
});

describe('classifyChange', () => {
  it.each([
    ['1.26.4', '2.0.0', 'major'],
    ['1.26.4', '2.0.0rc1', 'major'],
    ['1.3.2', '1.4.0', 'minor'],
    ['2.1', '2.2.0', 'minor'],
    ['1.11.4', '1.11.5', 'patch'],
    ['1.0.0.1', '1.0.0.2', 'patch'],
    ['2.1.0+cu121', '2.1.0+cpu', 'other'],
    ['2.0.0rc1', '2.0.0', 'other'],
    ['1.0', '1.0.post1', 'other'],
    ['1.0.dev3', '1.0', 'other'],
    ['1.0', '1!1.0', 'major'],
    ['2024a', '2024b', 'other'],
  ])('%s → %s is %s', (a, b, expected) => {
    expect(classifyChange(a, b)).toBe(expected);
  });

  it('is null for equal versions in other spellings', () => {
    expect(classifyChange('1.0', '1.0.0')).toBeNull();
    expect(classifyChange('1.0-ALPHA1', '1.0a1')).toBeNull();
  });

  it('validates specifiers', () => {
    expect(isValidSpecifier('>=1.2,<2')).toBe(true);
    expect(isValidSpecifier('~=1')).toBe(false);
    expect(isValidSpecifier('>=1.0.*')).toBe(false);
    expect(isValidSpecifier('==1.0.*+local')).toBe(false);
  });

  it('skips pre-releases only when asked', () => {
    expect(satisfies('2.0rc1', '>=1.0')).toBe(true);
    expect(satisfies('2.0rc1', '>=1.0', { prereleases: false })).toBe(false);
    expect(satisfies('2.0rc1', '>=2.0rc1', { prereleases: false })).toBe(true);
  });
});
