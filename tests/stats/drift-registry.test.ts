import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { DRIFT_TEST_MODULES, DRIFT_TEST_NAMES, chooseTest, findDriftTest, runDriftTests } from '../../src/compare/distribution/drift-tests/registry.js';
import type { DriftAggregates } from '../../src/compare/distribution/drift-tests/types.js';
import { rankSumsFromCounts } from '../../src/stats/index.js';

const numeric = (n1: number): DriftAggregates => ({
  type: 'numeric',
  n1,
  n2: 100,
  counts: { a: [n1 / 2, n1 / 2], b: [30, 70] },
  ecdf: { d: 0.2, w: 0.5, stdA: 2 },
});
const categorical = (a: number[], b: number[]): DriftAggregates => ({ type: 'categorical', n1: a.reduce((x, y) => x + y, 0), n2: b.reduce((x, y) => x + y, 0), counts: { a, b } });

describe('drift-test registry', () => {
  it('names and aliases are unique, and every spelling finds its test', () => {
    const seen = new Set<string>();
    for (const t of DRIFT_TEST_MODULES.filter((m) => m.selectable !== false)) {
      for (const n of [t.name, ...t.aliases]) {
        expect(seen.has(n), n).toBe(false);
        seen.add(n);
        expect(findDriftTest(n)?.name).toBe(t.name);
      }
    }
    expect(findDriftTest('Mann-Whitney')?.name).toBe('mannwhitney');
    expect(findDriftTest('kl_div')?.name).toBe('kl');
    expect(findDriftTest('chi2')?.name).toBe('chisquare');
    expect(findDriftTest('linf')).toBeUndefined();
    expect(findDriftTest('nope')).toBeUndefined();
  });

  it("the config schema's enum lists exactly the selectable tests", () => {
    const schema = JSON.parse(readFileSync(fileURLToPath(new URL('../../schemas/config.schema.json', import.meta.url)), 'utf8'));
    expect(schema.$defs.driftTest.enum).toEqual([...DRIFT_TEST_NAMES]);
  });

  it('defaults: KS / chi-square up to 1000 research rows, normalised Wasserstein / Jensen–Shannon above', () => {
    expect(chooseTest('x', numeric(1000), {}).name).toBe('ks');
    expect(chooseTest('x', numeric(1001), {}).name).toBe('wasserstein');
    expect(chooseTest('x', categorical([500, 500], [1, 1]), {}).name).toBe('chisquare');
    expect(chooseTest('x', categorical([600, 500], [1, 1]), {}).name).toBe('jensenshannon');
  });

  it('a requested test that does not fit the column (type, aggregate, two categories) leaves the default', () => {
    expect(chooseTest('x', numeric(50), { test: 'fisher' }).name).toBe('ks');
    expect(chooseTest('x', numeric(50), { test: 'anderson' }).name).toBe('ks'); // no rank sums computed
    expect(chooseTest('x', categorical([5, 5, 5], [1, 2, 3]), { test: 'fisher' }).name).toBe('chisquare');
    expect(chooseTest('x', categorical([5, 5, 0], [1, 2, 0]), { test: 'fisher' }).name).toBe('fisher');
    expect(chooseTest('x', numeric(50), { test: 'hellinger', tests: { x: 'psi' } }).name).toBe('psi');
    const tiny = { ...numeric(1), n2: 1, ranks: rankSumsFromCounts([1, 2], [1, 0], [0, 1]) };
    expect(chooseTest('x', tiny, { test: 'anderson' }).name).toBe('ks');
    expect(chooseTest('x', tiny, { test: 'cramervonmises' }).name).toBe('ks');
    expect(chooseTest('x', tiny, { test: 'mannwhitney' }).name).toBe('mannwhitney');
  });

  it('standing figures keep their order; the chosen test adds its own after them; thresholds: column, then global, then default', () => {
    const g = numeric(50);
    const plain = runDriftTests('x', g, {});
    expect(Object.keys(plain)).toEqual(['ks', 'wasserstein', 'wassersteinNormed', 'psi', 'jensenShannon', 'drift']);
    const h = runDriftTests('x', g, { test: 'hellinger', threshold: 0.5 });
    expect(Object.keys(h)).toEqual(['ks', 'wasserstein', 'wassersteinNormed', 'psi', 'jensenShannon', 'hellinger', 'drift']);
    expect(h.drift).toEqual({ test: 'hellinger', value: h.hellinger, threshold: 0.5, drifted: h.hellinger! >= 0.5 });
    expect(runDriftTests('x', g, { test: 'hellinger', threshold: 0.5, thresholds: { x: 0.01 } }).drift!.threshold).toBe(0.01);
    expect(runDriftTests('x', g, { test: 'hellinger' }).drift!.threshold).toBe(0.1);
    const c = runDriftTests('c', categorical([10, 20, 30], [15, 15, 35]), {});
    expect(Object.keys(c)).toEqual(['chiSquare', 'psi', 'jensenShannon', 'linf', 'drift']);
  });

  it('p-values drift below the threshold, distances at or above it', () => {
    const values = [1, 2, 3, 4, 5, 6, 7, 8];
    const ranks = rankSumsFromCounts(values, [5, 5, 5, 5, 0, 0, 0, 0], [0, 0, 0, 0, 5, 5, 5, 5]);
    const g = { ...numeric(20), n2: 20, ranks };
    const mw = runDriftTests('x', g, { test: 'mannwhitney' });
    expect(mw.drift!.drifted).toBe(mw.mannWhitney!.pvalue < 0.05);
    expect(mw.drift!.drifted).toBe(true);
    const e = runDriftTests('x', g, { test: 'energy', threshold: 100 });
    expect(e.drift!.drifted).toBe(false);
    expect(runDriftTests('x', g, { test: 'energy', threshold: e.energy! }).drift!.drifted).toBe(true);
  });
});
