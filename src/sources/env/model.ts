/**
 * The common environment model every env-file parser produces and the env comparator reads.
 * Plain, serialisable data; names are normalised so that `Scikit_Learn` and `scikit-learn` meet.
 */

export type Ecosystem = 'python' | 'r' | 'npm';

/** Where a package came from: a package index, a direct URL, a VCS checkout, a local file, an editable install, or a conda channel. */
export type PackageSource = 'index' | 'url' | 'git' | 'file' | 'editable' | 'conda';

/** File formats `reprodiff env` reads. */
export const ENV_FORMATS = ['pip-freeze', 'requirements', 'conda-environment', 'conda-export', 'conda-list', 'poetry-lock', 'uv-lock', 'pipfile-lock', 'renv-lock', 'npm-lock', 'fingerprint'] as const;
export type EnvFormat = (typeof ENV_FORMATS)[number];

export interface EnvPackage {
  /** Normalised name (PEP 503 for Python: lower case, runs of `-_.` become `-`). */
  readonly name: string;
  /** The name as written in the file. */
  readonly displayName: string;
  /** The exact version installed or pinned; `null` when only a range or a VCS ref is known. */
  readonly version: string | null;
  readonly source: PackageSource;
  /** A version range (`>=1.2,<2`) when the file gives one instead of a pin. */
  readonly specifier?: string;
  /** PEP 508 environment marker (`python_version < "3.12"`), when the line is conditional. */
  readonly marker?: string;
  /** VCS commit/tag, URL or path, for non-index sources. */
  readonly ref?: string;
  /** Conda build string (`py311h64a7726_0`). */
  readonly build?: string;
  /** True for conda packages that are not Python distributions (compilers, C libraries, the interpreter itself). */
  readonly system?: boolean;
}

export interface Interpreter {
  readonly name: string;
  /** Exact version, when known (`3.11.7`). */
  readonly version?: string;
  /** A range, when the file only constrains it (`>=3.10`). */
  readonly specifier?: string;
  readonly implementation?: string;
}

/** OS and CPU facts; every field optional because most lock files carry none. */
export interface Platform {
  readonly system?: string;
  readonly release?: string;
  readonly machine?: string;
  readonly cpuModel?: string;
  readonly cpuCount?: number;
  readonly byteOrder?: string;
  /** Conda subdir (`linux-64`, `osx-arm64`). */
  readonly subdir?: string;
}

export interface Environment {
  readonly ecosystem: Ecosystem;
  readonly format: EnvFormat;
  /** The path the user gave, for messages and the summary. */
  readonly origin: string;
  /** Packages in file order; a name may repeat with different markers. */
  readonly packages: readonly EnvPackage[];
  readonly interpreter?: Interpreter;
  readonly platform?: Platform;
}

/** PEP 503 name normalisation. */
export function normalizePythonName(name: string): string {
  return name
    .trim()
    .toLowerCase()
    .replace(/[-_.]+/g, '-');
}

/** Name normalisation per ecosystem: PEP 503 for Python, lower case for npm, unchanged for R (case-sensitive on CRAN). */
export function normalizeName(name: string, ecosystem: Ecosystem): string {
  if (ecosystem === 'python') return normalizePythonName(name);
  if (ecosystem === 'npm') return name.trim().toLowerCase();
  return name.trim();
}

/** True when the format is one of conda's (it lists the interpreter and C libraries next to Python packages). */
export function isCondaFormat(format: EnvFormat): boolean {
  return format === 'conda-environment' || format === 'conda-export' || format === 'conda-list';
}
