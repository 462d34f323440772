/**
 * Conda environments: `environment.yml`, `conda list --export` and plain `conda list` output.
 * The `python` package becomes the interpreter; packages that are not Python distributions
 * (C/Fortran libraries, compilers, mutexes) are flagged `system` so that a comparison with a pip
 * file does not call them missing.
 */
import { parse as parseYaml } from 'yaml';
import { ReprodiffError } from '../../errors.js';
import { excerpt } from '../../text/escape.js';
import { normalizePythonName } from './model.js';
import type { EnvPackage, Environment, Interpreter, Platform } from './model.js';
import { parseRequirements } from './requirements.js';
import type { IncludeReader } from './requirements.js';

/** Conda package names that are a different PyPI name for the same Python distribution. */
export const CONDA_TO_PYPI: Readonly<Record<string, string>> = {
  pytorch: 'torch',
  'pytorch-cpu': 'torch',
  'pytorch-gpu': 'torch',
  'py-xgboost': 'xgboost',
  'py-xgboost-cpu': 'xgboost',
  'py-xgboost-gpu': 'xgboost',
  'matplotlib-base': 'matplotlib',
  'tensorflow-base': 'tensorflow',
  'lightgbm-cpu': 'lightgbm',
  'py-opencv': 'opencv-python',
};

const SYSTEM_NAMES = new Set([
  'python',
  'python_abi',
  'openssl',
  'ca-certificates',
  'tzdata',
  'ncurses',
  'readline',
  'tk',
  'xz',
  'zlib',
  'zstd',
  'lz4-c',
  'bzip2',
  'sqlite',
  'icu',
  'krb5',
  'keyutils',
  'c-ares',
  'expat',
  'gmp',
  'mpfr',
  'mpc',
  'yaml',
  'pcre',
  'pcre2',
  'mkl',
  'mkl-include',
  'mkl-service-lib',
  'intel-openmp',
  'llvm-openmp',
  'blas',
  'blas-devel',
  'openblas',
  'tbb',
  'gflags',
  'glog',
  'snappy',
  'orc',
  'arrow-cpp',
  'cudatoolkit',
  'cudnn',
  'nccl',
  'cuda',
  'cuda-version',
  'magma',
  'fontconfig',
  'freetype',
  'gettext',
  'glib',
  'dbus',
  'vc',
  'vs2015_runtime',
  'vc14_runtime',
  'ucrt',
  'pthread-stubs',
  'jpeg',
  'libjpeg-turbo',
  'giflib',
  'lerc',
  'openjpeg',
  'graphite2',
  'harfbuzz',
  'pixman',
  'cairo',
  'gstreamer',
  'qt-main',
  'nspr',
  'nss',
  'mysql-libs',
  'unixodbc',
  'bottleneck-lib',
  're2',
  'gtest',
  'glibc',
  'sysroot_linux-64',
  'kernel-headers_linux-64',
  'binutils',
  'make',
  'cmake',
  'ninja',
]);
const SYSTEM_PATTERN =
  /^(_|lib(?!rosa|pysal|cst|sass|clang$)|ld_impl_|gcc|gxx|gfortran|binutils|sysroot_|kernel-headers|cuda-|xorg-|aws-|azure-core-cpp|google-cloud-cpp|ucx|openmpi|mpich|llvm|clang|compiler-rt|icu)/;

/** True for conda packages that pip would never list. A known build string decides (`py…` builds are Python); otherwise the name does. */
export function isCondaSystemPackage(name: string, build?: string): boolean {
  const n = name.toLowerCase();
  if (n === 'python') return true;
  if (build && build !== '') return !/py/i.test(build);
  return SYSTEM_NAMES.has(n) || SYSTEM_PATTERN.test(n);
}

interface CondaSpec {
  readonly name: string;
  readonly version: string | null;
  readonly specifier?: string;
  readonly build?: string;
}

/**
 * Reads a conda match spec: `numpy`, `numpy=1.26`, `numpy=1.26.4=py311h…_0`, `numpy==1.26.4`,
 * `numpy >=1.2,<2`, `numpy 1.26.* py311*`, `conda-forge::numpy=1.26`, `numpy[version='>=1.2']`.
 * Conda's `=1.26` is a prefix match; with three release parts or a build string it is taken as a pin.
 */
export function parseCondaSpec(text: string): CondaSpec | undefined {
  let s = text.trim().replace(/\s+#.*$/, '');
  s = s.replace(/^[^\s:]+::/, '');
  const bracket = /^([^\s[=<>!~]+)\[(.*)\]\s*$/.exec(s);
  if (bracket) {
    const version = /version\s*=\s*['"]?([^'",\]]+)/.exec(bracket[2]!)?.[1];
    const build = /build\s*=\s*['"]?([^'",\]]+)/.exec(bracket[2]!)?.[1];
    s = `${bracket[1]} ${version ?? ''} ${build ?? ''}`.trim();
  }
  const m = /^([A-Za-z0-9_][A-Za-z0-9_.-]*)\s*(.*)$/.exec(s);
  if (!m) return undefined;
  const name = m[1]!;
  const rest = m[2]!.trim();
  if (rest === '') return { name, version: null };
  let version: string;
  let build: string | undefined;
  if (rest.startsWith('==')) {
    [version, build] = rest.slice(2).split('=') as [string, string | undefined];
  } else if (rest.startsWith('=')) {
    [version, build] = rest.slice(1).split('=') as [string, string | undefined];
  } else if (/^[<>!~]/.test(rest)) {
    return { name, version: null, specifier: rest.replace(/\s+/g, '') };
  } else {
    [version, build] = rest.split(/\s+/) as [string, string | undefined];
  }
  version = version.trim();
  build = build?.trim() || undefined;
  if (/[*|,<>]/.test(version)) {
    const spec = /^[\d.]+\.\*$/.test(version) ? `==${version}` : version;
    return { name, version: null, specifier: spec, ...(build ? { build } : {}) };
  }
  const exact = rest.startsWith('==') || build !== undefined || version.split('.').length >= 3;
  return exact ? { name, version, ...(build ? { build } : {}) } : { name, version: null, specifier: `==${version}.*` };
}

function toPackage(spec: CondaSpec, pip: boolean): EnvPackage {
  const lower = spec.name.toLowerCase();
  const name = normalizePythonName(CONDA_TO_PYPI[lower] ?? lower);
  const system = !pip && isCondaSystemPackage(spec.name, spec.build === 'pypi_0' ? 'pypi' : spec.build);
  return {
    name,
    displayName: spec.name,
    version: spec.version,
    source: pip ? 'index' : 'conda',
    ...(spec.specifier ? { specifier: spec.specifier } : {}),
    ...(spec.build && !pip ? { build: spec.build } : {}),
    ...(system ? { system } : {}),
  };
}

function splitInterpreter(packages: EnvPackage[]): { packages: EnvPackage[]; interpreter?: Interpreter } {
  const python = packages.find((p) => p.name === 'python' && p.source === 'conda');
  const rest = packages.filter((p) => !(p.name === 'python' && p.source === 'conda'));
  if (!python) return { packages: rest };
  const interpreter: Interpreter = { name: 'python', ...(python.version ? { version: python.version } : {}), ...(python.specifier ? { specifier: python.specifier } : {}) };
  return { packages: rest, interpreter };
}

/** Parses a conda `environment.yml`, including its `pip:` subsection (which may `-r` other files). */
export function parseCondaEnvironment(text: string, origin: string, readInclude?: IncludeReader): Environment {
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (e) {
    throw new ReprodiffError('E_FORMAT', `${origin} is not valid YAML: ${excerpt((e as Error).message.split('\n')[0]!, 120)}`);
  }
  const deps = (doc as { dependencies?: unknown } | null)?.dependencies;
  if (!Array.isArray(deps)) throw new ReprodiffError('E_FORMAT', `${origin} has no dependencies list`, { suggestion: 'a conda environment file lists packages under dependencies:' });
  const packages: EnvPackage[] = [];
  for (const dep of deps) {
    if (typeof dep === 'string' || typeof dep === 'number') {
      const spec = parseCondaSpec(String(dep));
      if (spec) packages.push(toPackage(spec, false));
    } else if (dep && typeof dep === 'object' && Array.isArray((dep as { pip?: unknown }).pip)) {
      const lines = (dep as { pip: unknown[] }).pip.map(String).join('\n');
      packages.push(...parseRequirements(lines, origin, readInclude).packages);
    }
  }
  const split = splitInterpreter(packages);
  return { ecosystem: 'python', format: 'conda-environment', origin, packages: split.packages, ...(split.interpreter ? { interpreter: split.interpreter } : {}) };
}

/** Parses `conda list --export` (`name=version=build`) or `conda list` (columns) output. */
export function parseCondaList(text: string, origin: string): Environment {
  const packages: EnvPackage[] = [];
  let platform: Platform | undefined;
  let columns = false;
  for (const raw of text.replace(/^\uFEFF/, '').split(/\r?\n/)) {
    const line = raw.trim();
    if (line === '') continue;
    if (line.startsWith('#')) {
      const sub = /^#\s*platform:\s*(\S+)/.exec(line);
      if (sub) platform = { subdir: sub[1]! };
      if (/^#\s*packages in environment/i.test(line)) columns = true;
      continue;
    }
    if (line.startsWith('@')) continue; // `@EXPLICIT` lists are URLs, not specs
    if (!line.includes('=') || /\s/.test(line)) {
      columns = true;
      const [name, version, build, channel] = line.split(/\s+/);
      if (!name || !version) throw new ReprodiffError('E_FORMAT', `cannot read conda list line: ${excerpt(line)}`);
      const pip = channel === 'pypi' || build === 'pypi_0';
      packages.push(toPackage({ name, version, ...(build ? { build } : {}) }, pip));
      continue;
    }
    const [name, version, build] = line.split('=');
    if (!name || !version) throw new ReprodiffError('E_FORMAT', `cannot read conda export line: ${excerpt(line)}`);
    packages.push(toPackage({ name, version, ...(build ? { build } : {}) }, build === 'pypi_0'));
  }
  const split = splitInterpreter(packages);
  return {
    ecosystem: 'python',
    format: columns ? 'conda-list' : 'conda-export',
    origin,
    packages: split.packages,
    ...(split.interpreter ? { interpreter: split.interpreter } : {}),
    ...(platform ? { platform } : {}),
  };
}
