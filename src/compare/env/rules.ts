/**
 * Severity rules for `reprodiff env` (research = A, production = B):
 *
 * | what changed | numerical package | other package |
 * |---|---|---|
 * | major or minor version | error | warning (major) / info (minor) |
 * | patch version | warning | info |
 * | other (pre-release, post, local build such as `+cu121`, index → git) | warning | info |
 * | only on one side | error | warning |
 *
 * - pip, setuptools, wheel and distribute on one side only are `info` (pip freeze hides them by default).
 * - A package that only a complete listing (freeze, lock, conda export, capture) has, against a
 *   declaration of direct dependencies (requirements with ranges, environment.yml), is `info`:
 *   a declaration never lists transitive dependencies.
 * - A requirement with an environment marker that cannot be decided (neither side names its
 *   interpreter or platform) is `info` when it is on one side only.
 * - Same conda version with another build string (libblas `…_mkl` vs `…_openblas`) is an `other` change.
 * - Conda packages that pip never lists (the interpreter, C libraries) are not compared when the other
 *   side is not conda.
 * - Interpreter: major or minor change → warning, patch (or other) → info, whether the versions are exact
 *   (fingerprints, conda, Pipfile.lock, a freeze header) or the lower bounds of two required ranges (lock
 *   files' `requires-python`); a version outside the other side's required range → error; two ranges that
 *   differ otherwise (an upper bound) → info.
 * - Platform: OS, CPU architecture, conda subdir or byte order → warning; OS release, CPU model, CPU count → info.
 */
import type { Severity } from '../../findings/types.js';
import type { ChangeClass } from '../../env/pep440.js';

/** Packages whose version changes numerical results; extend with `--numeric-packages` or config. */
export const NUMERICAL_PACKAGES: readonly string[] = ['catboost', 'lightgbm', 'numpy', 'pandas', 'polars', 'pyarrow', 'scikit-learn', 'scipy', 'statsmodels', 'tensorflow', 'torch', 'xgboost'];

/** Installer tooling that `pip freeze` leaves out unless `--all`. */
export const PACKAGING_TOOLS: readonly string[] = ['distribute', 'pip', 'setuptools', 'wheel'];

/** Severity of a version change. */
export function versionChangeSeverity(change: ChangeClass, numerical: boolean): Severity {
  if (numerical) return change === 'major' || change === 'minor' ? 'error' : 'warning';
  return change === 'major' ? 'warning' : 'info';
}

/** Severity of a package present on one side only. */
export function onlyOneSideSeverity(numerical: boolean, tooling: boolean, undeclared: boolean): Severity {
  if (tooling || undeclared) return 'info';
  return numerical ? 'error' : 'warning';
}

/** Severity of an interpreter version change: a new minor or major Python is a likely break, a patch is not. */
export function interpreterSeverity(change: ChangeClass): Severity {
  return change === 'major' || change === 'minor' ? 'warning' : 'info';
}

/** Platform fields that change numerical behaviour (warning) versus facts worth knowing (info). */
export const PLATFORM_FIELDS: Readonly<Record<string, Severity>> = {
  system: 'warning',
  machine: 'warning',
  subdir: 'warning',
  byteOrder: 'warning',
  release: 'info',
  cpuModel: 'info',
  cpuCount: 'info',
};
