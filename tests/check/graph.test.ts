/** The stage graph: the default scikit-learn order, declared dependencies, cycles; and the walk following it. */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { stageGraph } from '../../src/check/graph.js';
import { ROOT, runCli, runJson } from '../helpers/cli.js';

describe('stageGraph', () => {
  it('default: split first, features and model fitted on the training split, env last', () => {
    const g = stageGraph(undefined);
    expect(g.order).toEqual(['data', 'splits', 'features', 'predictions', 'env']);
    expect(g.upstream('features')).toEqual(['data', 'splits']);
    expect(g.fittedOn('features')).toBe('splits');
    expect(g.upstream('splits')).toEqual(['data']);
  });

  it('declared: a split drawn after feature engineering, features fitted on nothing', () => {
    const g = stageGraph({ features: { fittedOn: 'none' }, splits: { dependsOn: ['data', 'features'] } });
    expect(g.order).toEqual(['data', 'features', 'splits', 'predictions', 'env']);
    expect(g.upstream('features')).toEqual(['data']);
    expect(g.upstream('splits')).toEqual(['data', 'features']);
  });

  it('a cycle is one E_CONFIG line', () => {
    expect(() => stageGraph({ splits: { dependsOn: ['features'] } })).toThrow(/cycle/);
  });
});

const work = mkdtempSync(join(tmpdir(), 'reprodiff-graph-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));
const CASE = join(ROOT, 'tests/fixtures/pipelines/loans/unseeded_split');

/** The unseeded-split case's config with a `pipeline:` section, paths made absolute. */
function configWith(pipeline: string): string {
  const text = readFileSync(join(CASE, 'reprodiff.yml'), 'utf8').replace(/: (\.\.\/research|production)\//g, (_m, p) => `: ${join(CASE, p)}/`);
  const file = join(work, `c${Math.random().toString(36).slice(2)}.yml`);
  writeFileSync(file, `${text}${pipeline}`);
  return file;
}

describe('check walks the declared graph', () => {
  it('default: the refitted features follow from the unseeded split', async () => {
    const r = await runJson(['check', configWith('')]);
    expect(r.json.firstBrokenStage).toBe('splits');
    const features = r.json.findings.filter((f: any) => f.stage === 'features' && f.severity !== 'info');
    expect(features.length).toBeGreaterThan(0);
    expect(features.every((f: any) => f.propagatedFrom === 'splits')).toBe(true);
  });

  it('declared `features: { fittedOn: none }`: the split can no longer explain the features', async () => {
    const r = await runJson(['check', configWith('pipeline:\n  features: { fittedOn: none }\n')]);
    const features = r.json.findings.filter((f: any) => f.stage === 'features' && f.severity !== 'info');
    expect(features.some((f: any) => f.cause === 'rescaled' && f.propagatedFrom === null)).toBe(true);
  });

  it('a declared cycle exits 2 with one line', async () => {
    const r = await runCli(['check', configWith('pipeline:\n  splits: { dependsOn: [features] }\n')]);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/cycle/);
  });
});
