import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { envFormatFromContent, envFormatFromName, parseEnvironment, readEnvironment } from '../../src/sources/env/detect.js';
import { isCondaSystemPackage, parseCondaSpec } from '../../src/sources/env/conda.js';
import type { EnvPackage, Environment } from '../../src/sources/env/model.js';
import { normalizePythonName } from '../../src/sources/env/model.js';
import { poetryConstraintToPep440 } from '../../src/sources/env/poetry.js';
import { parseRequirements } from '../../src/sources/env/requirements.js';

const fixture = (p: string) => fileURLToPath(new URL(`../fixtures/env/${p}`, import.meta.url));
const byName = (env: Environment) => new Map(env.packages.map((p) => [p.name, p] as const));
const pkg = (env: Environment, name: string): EnvPackage => {
  const p = byName(env).get(name);
  if (!p) throw new Error(`${name} not in ${env.origin}`);
  return p;
};

describe('PEP 503 names', () => {
  it.each([
    ['Scikit_Learn', 'scikit-learn'],
    ['zope.interface', 'zope-interface'],
    ['typing__extensions', 'typing-extensions'],
    ['PyYAML', 'pyyaml'],
    ['a-_.b', 'a-b'],
  ])('%s → %s', (raw, normal) => expect(normalizePythonName(raw)).toBe(normal));
});

describe('pip freeze', () => {
  const env = readEnvironment(fixture('pip-freeze/research.txt'));

  it('is detected as a freeze', () => {
    expect(env.format).toBe('pip-freeze');
    expect(env.ecosystem).toBe('python');
  });

  it('normalises names and keeps the spelling', () => {
    expect(pkg(env, 'scikit-learn')).toMatchObject({ displayName: 'scikit_learn', version: '1.3.2', source: 'index' });
    expect(pkg(env, 'pyyaml').displayName).toBe('PyYAML');
    expect(pkg(env, 'zope-interface').version).toBe('6.1');
  });

  it('reads local versions, file URLs, editable installs and VCS pins', () => {
    expect(pkg(env, 'torch').version).toBe('2.1.0+cu121');
    expect(pkg(env, 'certifi')).toMatchObject({ source: 'file', version: null });
    expect(pkg(env, 'featurekit')).toMatchObject({ source: 'editable', version: '0.3.1', ref: '/home/ana/src/featurekit' });
    expect(pkg(env, 'modelutils')).toMatchObject({ source: 'editable', version: null, ref: '4f2c1e9d8b7a6f5e4d3c2b1a0f9e8d7c6b5a4f3e' });
  });

  it('takes the version from a wheel name in a file URL', () => {
    const e = parseRequirements('numpy @ file:///croot/numpy_1708638617955/work/dist/numpy-1.26.4-cp311-cp311-linux_x86_64.whl\n', 'x.txt');
    expect(e.packages[0]).toMatchObject({ name: 'numpy', version: '1.26.4', source: 'file' });
  });

  it('reads git URL pins', () => {
    const e = parseRequirements('modelutils @ git+https://github.com/acme/modelutils.git@v1.2 ; python_version >= "3.9"\n', 'x.txt');
    expect(e.packages[0]).toMatchObject({ name: 'modelutils', source: 'git', ref: 'v1.2', marker: 'python_version >= "3.9"' });
  });
});

describe('requirements.txt', () => {
  const env = readEnvironment(fixture('requirements/requirements.txt'));

  it('follows -r includes relative to the file, with hashes and continuations', () => {
    expect(env.format).toBe('requirements');
    expect(pkg(env, 'numpy')).toMatchObject({ version: '1.26.4', source: 'index' });
    expect(pkg(env, 'pandas')).toMatchObject({ displayName: 'pandas', version: '2.1.4' });
  });

  it('keeps ranges, markers and extras', () => {
    expect(pkg(env, 'scikit-learn')).toMatchObject({ version: null, specifier: '>=1.3,<1.4' });
    expect(pkg(env, 'scipy').specifier).toBe('~=1.11.0');
    expect(pkg(env, 'importlib-metadata')).toMatchObject({ specifier: '>=6', marker: 'python_version < "3.10"' });
    expect(pkg(env, 'tomli')).toMatchObject({ version: '2.0.1', marker: 'python_version < "3.11"' });
    expect(pkg(env, 'requests')).toMatchObject({ specifier: '>=2.31' });
    expect(pkg(env, 'flask')).toMatchObject({ version: null, source: 'index' });
    expect(pkg(env, 'flask').specifier).toBeUndefined();
  });

  it('reads bare URL, path, VCS and editable lines', () => {
    expect(pkg(env, 'tabulate')).toMatchObject({ version: '0.9.0', source: 'url' });
    expect(pkg(env, 'shapely')).toMatchObject({ displayName: 'Shapely', version: '2.0.2', source: 'file' });
    expect(pkg(env, 'featurekit')).toMatchObject({ source: 'git', ref: 'v0.3.1' });
    expect(pkg(env, 'localtools')).toMatchObject({ source: 'editable', ref: './libs/localtools' });
  });

  it('ignores options, constraints files and comments', () => {
    expect(env.packages.map((p) => p.name)).not.toContain('constraints');
    expect(env.packages.every((p) => !p.name.startsWith('-'))).toBe(true);
  });

  it('reads legacy, spaced and === pins', () => {
    const e = parseRequirements('foo (==1.0)\nBar === 2.0-1\nbaz ==  3.0  # pinned\n', 'x.txt');
    expect(e.packages.map((p) => [p.name, p.version])).toEqual([
      ['foo', '1.0'],
      ['bar', '2.0-1'],
      ['baz', '3.0'],
    ]);
  });

  it('does not loop on cyclic includes', () => {
    const files: Record<string, string> = { '/r/a.txt': '-r b.txt\nnumpy==1.0\n', '/r/b.txt': '-r a.txt\nscipy==1.0\n' };
    const e = parseRequirements(files['/r/a.txt']!, '/r/a.txt', (p) => files[p]!);
    expect(e.packages.map((p) => p.name).sort()).toEqual(['numpy', 'scipy']);
  });

  it('names a missing include in one line', () => {
    expect(() => parseRequirements('-r nope.txt\n', fixture('requirements/x.txt'))).toThrow(/included requirements file not found/);
  });

  it('rejects an invalid specifier with one line', () => {
    expect(() => parseRequirements('numpy>=abc\n', 'x.txt')).toThrow(/invalid version specifier for numpy/);
  });
});

describe('conda', () => {
  it('reads environment.yml with channels, pins, ranges and a pip section', () => {
    const env = readEnvironment(fixture('conda/environment.yml'));
    expect(env.format).toBe('conda-environment');
    expect(env.interpreter).toEqual({ name: 'python', specifier: '==3.11.*' });
    expect(pkg(env, 'numpy')).toMatchObject({ version: '1.26.4', source: 'conda' });
    expect(pkg(env, 'pandas').version).toBe('2.1.4');
    expect(pkg(env, 'scikit-learn').specifier).toBe('>=1.3,<1.4');
    expect(pkg(env, 'torch')).toMatchObject({ displayName: 'pytorch', version: '2.1.0' });
    expect(pkg(env, 'xgboost').displayName).toBe('py-xgboost');
    expect(pkg(env, 'libblas')).toMatchObject({ build: '20_linux64_mkl', system: true });
    expect(pkg(env, 'openssl').system).toBe(true);
    expect(pkg(env, 'shap')).toMatchObject({ version: '0.44.0', source: 'index' });
    expect(pkg(env, 'featurekit').source).toBe('git');
  });

  it('reads conda list --export with the platform', () => {
    const env = readEnvironment(fixture('conda/conda-export.txt'));
    expect(env.format).toBe('conda-export');
    expect(env.interpreter).toEqual({ name: 'python', version: '3.11.8' });
    expect(env.platform).toEqual({ subdir: 'linux-64' });
    expect(pkg(env, 'numpy')).toMatchObject({ version: '1.26.4', build: 'py311h64a7726_0' });
    expect(pkg(env, 'numpy').system).toBeUndefined();
    expect(pkg(env, 'torch').system).toBeUndefined();
    expect(pkg(env, 'libgcc-ng').system).toBe(true);
    expect(pkg(env, 'shap')).toMatchObject({ source: 'index' });
  });

  it('reads plain conda list columns', () => {
    const env = readEnvironment(fixture('conda/conda-list.txt'));
    expect(env.format).toBe('conda-list');
    expect(env.interpreter?.version).toBe('3.11.8');
    expect(pkg(env, 'shap').source).toBe('index');
    expect(pkg(env, '-libgcc-mutex')).toMatchObject({ displayName: '_libgcc_mutex', system: true });
  });

  it.each([
    ['numpy', { name: 'numpy', version: null }],
    ['numpy=1.26', { name: 'numpy', version: null, specifier: '==1.26.*' }],
    ['numpy=1.26.4', { name: 'numpy', version: '1.26.4' }],
    ['numpy=1.26=py311_0', { name: 'numpy', version: '1.26', build: 'py311_0' }],
    ['numpy 1.26.4 py311h64a7726_0', { name: 'numpy', version: '1.26.4', build: 'py311h64a7726_0' }],
    ['numpy >=1.2,<2', { name: 'numpy', version: null, specifier: '>=1.2,<2' }],
    ['numpy 1.26.*', { name: 'numpy', version: null, specifier: '==1.26.*' }],
    ["conda-forge::numpy[version='>=1.26']", { name: 'numpy', version: null, specifier: '>=1.26' }],
  ])('conda spec %s', (text, expected) => expect(parseCondaSpec(text)).toEqual(expected));

  it('tells system packages from Python ones', () => {
    expect(isCondaSystemPackage('libblas', '21_linux64_openblas')).toBe(true);
    expect(isCondaSystemPackage('pytorch', 'cpu_py311h6d93b4c_0')).toBe(false);
    expect(isCondaSystemPackage('tqdm', 'pyhd8ed1ab_0')).toBe(false);
    expect(isCondaSystemPackage('librosa')).toBe(false);
    expect(isCondaSystemPackage('libgcc-ng')).toBe(true);
    expect(isCondaSystemPackage('python')).toBe(true);
  });
});

describe('lock files', () => {
  it('poetry.lock: versions, git and directory sources, python range', () => {
    const env = readEnvironment(fixture('poetry/poetry.lock'));
    expect(env.format).toBe('poetry-lock');
    expect(pkg(env, 'pandas')).toMatchObject({ displayName: 'Pandas', version: '2.1.4', source: 'index' });
    expect(pkg(env, 'featurekit')).toMatchObject({ source: 'git', ref: '9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d3e2f1a0b' });
    expect(pkg(env, 'localtools').source).toBe('editable');
    expect(env.interpreter).toEqual({ name: 'python', specifier: '>=3.11,<4.0' });
  });

  it.each([
    ['^3.11', '>=3.11,<4.0'],
    ['^0.2.3', '>=0.2.3,<0.3'],
    ['~3.10', '>=3.10,<3.11'],
    ['>=3.9,<3.13', '>=3.9,<3.13'],
  ])('poetry constraint %s → %s', (c, pep) => expect(poetryConstraintToPep440(c)).toBe(pep));

  it('uv.lock: sources and requires-python, without the project itself', () => {
    const env = readEnvironment(fixture('uv/uv.lock'));
    expect(env.format).toBe('uv-lock');
    expect(env.interpreter).toEqual({ name: 'python', specifier: '>=3.11' });
    expect(pkg(env, 'featurekit')).toMatchObject({ version: '0.3.2', source: 'git', ref: '1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6e7f8a9b0c' });
    expect(pkg(env, 'localtools').source).toBe('editable');
    expect(byName(env).has('reproject')).toBe(false);
  });

  it('Pipfile.lock: default wins over develop, markers, git, interpreter', () => {
    const env = readEnvironment(fixture('pipfile/Pipfile.lock'));
    expect(env.format).toBe('pipfile-lock');
    expect(pkg(env, 'numpy')).toMatchObject({ version: '1.26.4', marker: "python_version >= '3.9'" });
    expect(pkg(env, 'pytest').version).toBe('8.0.0');
    expect(pkg(env, 'featurekit')).toMatchObject({ source: 'editable', version: null, ref: '9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d3e2f1a0b' });
    expect(env.interpreter).toEqual({ name: 'python', version: '3.10.13' });
  });

  it('renv.lock: R version and packages, names kept as written', () => {
    const env = readEnvironment(fixture('renv/renv.lock'));
    expect(env).toMatchObject({ ecosystem: 'r', format: 'renv-lock', interpreter: { name: 'R', version: '4.4.0' } });
    expect(pkg(env, 'data.table').version).toBe('1.15.0');
    expect(pkg(env, 'mypkg')).toMatchObject({ source: 'git', ref: 'abc123' });
  });

  it('package-lock.json v3: top-level packages, scoped names, links', () => {
    const env = readEnvironment(fixture('npm/package-lock.json'));
    expect(env).toMatchObject({ ecosystem: 'npm', format: 'npm-lock' });
    expect(env.packages.map((p) => p.name).sort()).toEqual(['@tensorflow/tfjs', 'local-lib', 'lodash', 'mathjs']);
    expect(pkg(env, 'local-lib').source).toBe('file');
  });

  it('npm-shrinkwrap.json v1: dependencies and git versions', () => {
    const env = readEnvironment(fixture('npm/npm-shrinkwrap.json'));
    expect(pkg(env, '@tensorflow/tfjs').version).toBe('4.18.0');
    expect(pkg(env, 'gitdep')).toMatchObject({ version: null, source: 'git', ref: '0123abc' });
  });

  it('fingerprint: interpreter, platform and the freeze lines', () => {
    const env = readEnvironment(fixture('fingerprint/research.json'));
    expect(env.format).toBe('fingerprint');
    expect(env.interpreter).toEqual({ name: 'python', version: '3.10.12', implementation: 'CPython' });
    expect(env.platform).toMatchObject({ system: 'Darwin', machine: 'arm64', cpuCount: 8 });
    expect(pkg(env, 'numpy').version).toBe('1.26.4');
  });
});

describe('detection', () => {
  it.each([
    ['x/poetry.lock', 'poetry-lock'],
    ['uv.lock', 'uv-lock'],
    ['Pipfile.lock', 'pipfile-lock'],
    ['renv.lock', 'renv-lock'],
    ['package-lock.json', 'npm-lock'],
    ['environment.yml', 'conda-environment'],
    ['environment-gpu.yaml', 'conda-environment'],
    ['requirements.txt', undefined],
  ])('by name: %s', (name, format) => expect(envFormatFromName(name)).toBe(format));

  it.each([
    ['{"_meta": {}, "default": {}}', 'pipfile-lock'],
    ['{"R": {}, "Packages": {}}', 'renv-lock'],
    ['{"lockfileVersion": 3, "packages": {}}', 'npm-lock'],
    ['{"reprodiffEnv": "1"}', 'fingerprint'],
    ['version = 1\nrequires-python = ">=3.11"\n[[package]]\nname = "a"\n', 'uv-lock'],
    ['[[package]]\nname = "a"\nversion = "1"\n[metadata]\ncontent-hash = "x"\n', 'poetry-lock'],
    ['name: x\ndependencies:\n  - numpy\n', 'conda-environment'],
    ['# platform: linux-64\nnumpy=1.26.4=py311_0\n', 'conda-export'],
    ['numpy=1.26.4=py311_0\n', 'conda-export'],
    ['# packages in environment at /x:\nnumpy 1.0 py_0 conda-forge\n', 'conda-list'],
    ['numpy==1.26.4\n', 'requirements'],
  ])('by content: %j', (text, format) => expect(envFormatFromContent(text)).toBe(format));

  it('reads renamed files by content', () => {
    const env = parseEnvironment('{"_meta": {"requires": {}}, "default": {"numpy": {"version": "==1.0"}}}', 'prod-lock.json');
    expect(env.format).toBe('pipfile-lock');
  });
});

describe('bad input is one line', () => {
  it.each([
    ['missing file', () => readEnvironment(fixture('nope.txt')), /not found/],
    ['directory', () => readEnvironment(fixture('pip-freeze')), /is a directory/],
    ['bad JSON', () => parseEnvironment('{"lockfileVersion": 3,', 'package-lock.json'), /not valid JSON/],
    ['bad TOML', () => parseEnvironment('[[package]\nname=', 'poetry.lock'), /not valid TOML/],
    ['bad YAML', () => parseEnvironment('dependencies: [a, b\n', 'environment.yml'), /not valid YAML/],
    ['no dependencies', () => parseEnvironment('name: x\n', 'environment.yml'), /no dependencies/],
    ['CSV', () => parseEnvironment('id,amount\n1,2.5\n', 'data.csv'), /invalid version specifier|cannot read/],
    ['future fingerprint', () => parseEnvironment('{"reprodiffEnv": "9", "pipFreeze": []}', 'x.json'), /version 9/],
  ])('%s', (_name, fn, pattern) => {
    let error: unknown;
    try {
      fn();
    } catch (e) {
      error = e;
    }
    expect(error).toMatchObject({ name: 'ReprodiffError' });
    expect((error as Error).message).toMatch(pattern);
    expect((error as Error).message).not.toContain('\n');
  });
});

describe('awkward requirement lines', () => {
  it('reads CRLF, a BOM, tabs, --requirement=, -e . and editable extras', () => {
    const files: Record<string, string> = {
      '/p/proj/reqs/base.txt': 'scipy==1.11.4\r\n',
    };
    const text =
      '\uFEFF--requirement=base.txt\r\nnumpy\t==\t1.26.4\r\n-e .\r\n-e ../libs/tool[dev]\r\n--editable=git+https://github.com/a/b.git@main#egg=b_pkg&subdirectory=py\r\nurllib3==2.2.0 ; python_version >= "3.8" and platform_system != "Windows"  # pinned\r\n';
    const env = parseRequirements(text, '/p/proj/reqs/requirements.txt', (p) => files[p]!);
    const names = env.packages.map((p) => [p.name, p.version, p.source]);
    expect(names).toEqual([
      ['scipy', '1.11.4', 'index'],
      ['numpy', '1.26.4', 'index'],
      ['reqs', null, 'editable'],
      ['tool', null, 'editable'],
      ['b-pkg', null, 'editable'],
      ['urllib3', '2.2.0', 'index'],
    ]);
    expect(env.packages[5]!.marker).toBe('python_version >= "3.8" and platform_system != "Windows"');
    expect(env.packages[4]!.ref).toBe('main');
  });

  it('reads pre-release, post, dev, epoch and local pins as written', () => {
    const env = parseRequirements('a==2.0.0rc1\nb==1.0.post1\nc==1.0.dev3\nd==1!2.0\ne==2.1.0+cu121\nf==1.0-1\n', 'x.txt');
    expect(env.packages.map((p) => p.version)).toEqual(['2.0.0rc1', '1.0.post1', '1.0.dev3', '1!2.0', '2.1.0+cu121', '1.0-1']);
    expect(env.format).toBe('pip-freeze');
  });

  it('takes the name from an egg fragment or an sdist file name', () => {
    const env = parseRequirements('https://example.org/dl/My_Lib-1.2.3.tar.gz\nhttps://example.org/x.zip#egg=other_lib\n', 'x.txt');
    expect(env.packages.map((p) => [p.name, p.version, p.source])).toEqual([
      ['my-lib', '1.2.3', 'url'],
      ['other-lib', null, 'url'],
    ]);
  });
});
