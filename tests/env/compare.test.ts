import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { compareEnv } from '../../src/compare/env/compare.js';
import { NUMERICAL_PACKAGES } from '../../src/compare/env/rules.js';
import { buildReport } from '../../src/findings/report.js';
import type { Finding } from '../../src/findings/types.js';
import { readEnvironment } from '../../src/sources/env/detect.js';
import type { EnvPackage, Environment } from '../../src/sources/env/model.js';
import { parseRequirements } from '../../src/sources/env/requirements.js';

const fixture = (p: string) => fileURLToPath(new URL(`../fixtures/env/${p}`, import.meta.url));
const freeze = (text: string, extra: Partial<Environment> = {}): Environment => ({ ...parseRequirements(text, 'x.txt'), ...extra });
const only = (findings: readonly Finding[], column: string) => findings.filter((f) => f.columns.includes(column));
const one = (findings: readonly Finding[], column: string) => {
  const found = only(findings, column);
  expect(found, `findings for ${column}`).toHaveLength(1);
  return found[0]!;
};

describe('severity rules', () => {
  const research = freeze('numpy==1.26.4\nscipy==1.11.4\npandas==2.1.4\ntorch==2.1.0+cu121\nrequests==2.31.0\nrich==13.7.0\nclick==8.1.7\nattrs==23.1.0\nboto3==1.34.0\ncatboost==1.2\n');
  const production = freeze('numpy==2.0.0\nscipy==1.12.0\npandas==2.1.5\ntorch==2.1.0+cpu\nrequests==3.0.0\nrich==13.8.0\nclick==8.1.8\nattrs==23.1.0\npolars==0.20.3\nsix==1.16.0\n');
  const { findings, result } = compareEnv(research, production);

  it.each([
    ['numpy', 'error', 'major'],
    ['scipy', 'error', 'minor'],
    ['pandas', 'warning', 'patch'],
    ['torch', 'warning', 'other'],
    ['requests', 'warning', 'major'],
    ['rich', 'info', 'minor'],
    ['click', 'info', 'patch'],
  ])('%s is %s (%s)', (name, severity, change) => {
    const f = one(findings, name);
    expect(f).toMatchObject({ stage: 'env', cause: 'library_version', severity, rowsAffected: null });
    expect(f.evidence).toMatchObject({ change, numerical: NUMERICAL_PACKAGES.includes(name) });
  });

  it('puts both versions and the direction in the evidence', () => {
    expect(one(findings, 'numpy').evidence).toEqual({
      research: '1.26.4',
      production: '2.0.0',
      change: 'major',
      direction: 'upgrade',
      numerical: true,
      researchSource: 'index',
      productionSource: 'index',
    });
    expect(one(findings, 'torch').evidence.direction).toBe('same');
  });

  it('reports one-sided packages: numerical error, others warning', () => {
    expect(one(findings, 'catboost')).toMatchObject({ cause: 'package_missing', severity: 'error' });
    expect(one(findings, 'polars')).toMatchObject({ cause: 'package_extra', severity: 'error' });
    expect(one(findings, 'boto3')).toMatchObject({ cause: 'package_missing', severity: 'warning' });
    expect(one(findings, 'six')).toMatchObject({ cause: 'package_extra', severity: 'warning' });
    expect(only(findings, 'attrs')).toEqual([]);
  });

  it('counts in the summary', () => {
    expect(result.summary).toMatchObject({
      packagesCompared: 8,
      changed: 7,
      unchanged: 1,
      onlyInResearch: 2,
      onlyInProduction: 2,
      changes: { major: 2, minor: 2, patch: 2, other: 1 },
    });
  });

  it('extends the numerical list by option', () => {
    const { findings: f } = compareEnv(research, production, { numericPackages: ['Rich'] });
    expect(one(f, 'rich')).toMatchObject({ severity: 'error' });
  });
});

describe('no false alarms', () => {
  it('case, underscores, dots, order and trailing zeros are not changes', () => {
    const outcome = compareEnv(readEnvironment(fixture('equal/research.txt')), readEnvironment(fixture('equal/production.txt')));
    expect(outcome.findings).toEqual([]);
    expect(buildReport('env', [outcome]).verdict).toBe('equal');
  });

  it('a pin inside the other side’s range is not a change', () => {
    const { findings } = compareEnv(freeze('scikit-learn>=1.3,<1.4\nscipy~=1.11.0\n'), freeze('scikit-learn==1.3.2\nscipy==1.11.4\n'));
    expect(findings).toEqual([]);
  });

  it('a pin outside the range is a change, classified against the range', () => {
    const { findings } = compareEnv(freeze('scikit-learn>=1.3,<1.4\n'), freeze('scikit-learn==1.4.0\n'));
    expect(one(findings, 'scikit-learn')).toMatchObject({ severity: 'error', evidence: { change: 'minor', research: '>=1.3,<1.4', production: '1.4.0' } });
  });

  it('conda system packages and the interpreter are not breaks against pip freeze', () => {
    const outcome = compareEnv(readEnvironment(fixture('conda/conda-export.txt')), readEnvironment(fixture('conda/pip-freeze.txt')));
    expect(outcome.findings.filter((f) => f.severity !== 'info')).toEqual([]);
    expect(outcome.result.summary.notComparable).toEqual(expect.arrayContaining(['libgcc-ng', 'openssl', 'python_abi', '_openmp_mutex']));
    expect(only(outcome.findings, 'pip')[0]).toMatchObject({ severity: 'info', cause: 'package_missing' });
    expect(buildReport('env', [outcome]).verdict).toBe('equal');
  });

  it('conda list (pytorch) matches pip freeze (torch)', () => {
    const outcome = compareEnv(readEnvironment(fixture('conda/conda-list.txt')), readEnvironment(fixture('conda/pip-freeze.txt')));
    expect(outcome.findings).toEqual([]);
  });

  it('conda against conda still compares system libraries and builds', () => {
    const { findings } = compareEnv(readEnvironment(fixture('conda/environment.yml')), readEnvironment(fixture('conda/conda-export.txt')));
    expect(one(findings, 'mkl')).toMatchObject({ cause: 'package_missing', severity: 'warning' });
    expect(one(findings, 'libblas')).toMatchObject({ cause: 'library_version', evidence: { change: 'other' } });
    expect(one(findings, 'pandas')).toMatchObject({ severity: 'error', evidence: { change: 'minor' } });
    // environment.yml declares direct dependencies: what only the export lists is info.
    expect(one(findings, 'xz')).toMatchObject({ cause: 'package_extra', severity: 'info', evidence: { undeclared: true } });
  });

  it('packages behind a marker that is false on that side are dropped', () => {
    const research = freeze('tomli==2.0.1 ; python_version < "3.11"\nnumpy==1.26.4\n', { interpreter: { name: 'python', version: '3.11.7' } });
    const production = freeze('numpy==1.26.4\n', { interpreter: { name: 'python', version: '3.11.7' } });
    expect(compareEnv(research, production).findings).toEqual([]);
  });

  it('a marker that cannot be decided makes a one-sided package info', () => {
    const { findings } = compareEnv(freeze('tomli==2.0.1 ; python_version < "3.11"\n'), freeze('numpy==1.0\n'));
    expect(one(findings, 'tomli')).toMatchObject({ severity: 'info', evidence: { marker: 'python_version < "3.11"' } });
  });

  it('duplicate entries with exclusive markers resolve to the matching one', () => {
    const research = freeze('numpy==1.24.4; python_version < "3.9"\nnumpy==1.26.4; python_version >= "3.9"\n', { interpreter: { name: 'python', version: '3.11.2' } });
    const production = freeze('numpy==1.26.4\n');
    expect(compareEnv(research, production).findings).toEqual([]);
  });

  it('pip, setuptools and wheel on one side are info', () => {
    const { findings } = compareEnv(freeze('numpy==1.0\npip==24.0\nsetuptools==69.0\n'), freeze('numpy==1.0\n'));
    expect(findings.map((f) => f.severity)).toEqual(['info', 'info']);
  });
});

describe('sources, interpreter and platform', () => {
  it('index → git at the same version is other', () => {
    const { findings } = compareEnv(freeze('featurekit==0.3.1\n'), freeze('featurekit @ git+https://x/featurekit.git@v0.3.1\n'));
    expect(findings).toEqual([]);
    const pinned: EnvPackage = { name: 'featurekit', displayName: 'featurekit', version: '0.3.1', source: 'git', ref: 'abc' };
    const b: Environment = { ecosystem: 'python', format: 'uv-lock', origin: 'uv.lock', packages: [pinned] };
    const { findings: f2 } = compareEnv(freeze('featurekit==0.3.1\n'), b);
    expect(one(f2, 'featurekit')).toMatchObject({ severity: 'info', evidence: { change: 'other', researchSource: 'index', productionSource: 'git' } });
  });

  it.each([
    ['3.10.12', '3.11.8', 'warning', 'minor'],
    ['3.11.7', '3.11.8', 'info', 'patch'],
    ['2.7.18', '3.11.8', 'warning', 'major'],
  ])('python %s → %s is %s', (a, b, severity, change) => {
    const { findings } = compareEnv(freeze('numpy==1.0\n', { interpreter: { name: 'python', version: a } }), freeze('numpy==1.0\n', { interpreter: { name: 'python', version: b } }));
    expect(one(findings, 'python')).toMatchObject({ cause: 'interpreter_version', severity, evidence: { change, research: a, production: b } });
  });

  it('an interpreter outside the other side’s range is an error', () => {
    const { findings } = compareEnv(readEnvironment(fixture('pipfile/Pipfile.lock')), readEnvironment(fixture('poetry/poetry.lock')));
    expect(one(findings, 'python')).toMatchObject({ severity: 'error', cause: 'interpreter_version' });
  });

  it('platform facts from two captures', () => {
    const { findings, result } = compareEnv(readEnvironment(fixture('fingerprint/research.json')), readEnvironment(fixture('fingerprint/production.json')));
    const platform = findings.filter((f) => f.cause === 'platform_change').map((f) => [f.evidence.field, f.severity]);
    expect(platform).toEqual([
      ['cpuCount', 'info'],
      ['cpuModel', 'info'],
      ['machine', 'warning'],
      ['release', 'info'],
      ['system', 'warning'],
    ]);
    expect(result.summary).toMatchObject({
      research: { interpreter: 'python 3.10.12', platform: { system: 'Darwin', machine: 'arm64' } },
      production: { interpreter: 'python 3.11.8', platform: { system: 'Linux' } },
    });
  });

  it('R and npm versions', () => {
    const r = compareEnv(readEnvironment(fixture('renv/research.lock')), readEnvironment(fixture('renv/renv.lock')));
    expect(one(r.findings, 'glmnet').evidence).toMatchObject({ change: 'patch', direction: 'upgrade' });
    expect(one(r.findings, 'R')).toMatchObject({ severity: 'warning', evidence: { change: 'minor' } });
    const npm = compareEnv(readEnvironment(fixture('npm/package-lock.json')), readEnvironment(fixture('npm/npm-shrinkwrap.json')));
    expect(one(npm.findings, 'mathjs').evidence).toMatchObject({ change: 'other', direction: 'upgrade' });
    expect(one(npm.findings, '@tensorflow/tfjs').evidence).toMatchObject({ change: 'minor' });
  });

  it('refuses to compare two ecosystems', () => {
    expect(() => compareEnv(readEnvironment(fixture('renv/renv.lock')), readEnvironment(fixture('pip-freeze/research.txt')))).toThrow(/cannot compare a r environment/);
  });
});

describe('determinism', () => {
  it('the same inputs give byte-identical reports, whatever the package order', () => {
    const a = readEnvironment(fixture('pip-freeze/research.txt'));
    const b = readEnvironment(fixture('pip-freeze/production.txt'));
    const shuffled: Environment = { ...b, packages: [...b.packages].reverse() };
    const one = JSON.stringify(buildReport('env', [compareEnv(a, b)]));
    const two = JSON.stringify(buildReport('env', [compareEnv(a, shuffled)]));
    expect(two).toBe(one);
  });
});
