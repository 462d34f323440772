/**
 * What kind of pipeline artifact a file is: ONE table of name and content rules, used both by `check`
 * when it pairs two folders and by `env` when it reads an environment file. Names are matched anywhere
 * in the file name (by word: `titanic_raw.csv`, `test_preds.csv`, `pip_freeze_prod.txt`); what the name
 * does not tell, the content does (requirement lines, conda YAML, lock files' JSON/TOML shapes; tables
 * by their columns).
 */
import { basename } from 'node:path';
import type { Stage } from '../findings/types.js';
import { isFingerprint } from './env/fingerprint.js';
import type { EnvFormat } from './env/model.js';

/** Environment files whose conventional name fixes the format. */
const ENV_FORMAT_NAMES: readonly { readonly format: EnvFormat; readonly pattern: RegExp }[] = [
  { format: 'poetry-lock', pattern: /^poetry\.lock$/ },
  { format: 'uv-lock', pattern: /^uv\.lock$/ },
  { format: 'pipfile-lock', pattern: /^pipfile\.lock$/ },
  { format: 'renv-lock', pattern: /^renv\.lock$/ },
  { format: 'npm-lock', pattern: /^(package-lock|npm-shrinkwrap)\.json$/ },
  { format: 'conda-environment', pattern: /^(environment|env|conda)[\w.-]*\.ya?ml$/ },
];

/**
 * Words that make a file an environment description wherever they appear in its name
 * (`requirements-prod.txt`, `pip_freeze_2024.txt`, `research.env.json`), with the extensions such files have.
 * Strong words decide alone; weak ones (`env`, `pip`, `lock`…, also common in data file names) need the
 * content to agree. The format itself comes from the content.
 */
const ENV_WORDS_STRONG = /^(requirements?|reqs|freeze|frozen|constraints?|pylock)$/;
const ENV_WORDS_WEAK = /^(pip|conda|environment|env|venv|lock|lockfile|packages)$/;
const ENV_EXTENSIONS = /\.(txt|in|ya?ml|json|lock|toml)$/;

/**
 * Stage words of table artifacts, matched as a word anywhere in the name (`titanic_raw.csv`,
 * `model_features.parquet`, `train_test_split.csv`, `test_preds.csv`). A word matches when it starts
 * with one of these stems.
 */
export const TABLE_STAGE_WORDS: readonly { readonly stage: Stage; readonly stems: readonly string[] }[] = [
  { stage: 'predictions', stems: ['pred', 'score', 'proba', 'yhat', 'inference'] },
  { stage: 'splits', stems: ['split', 'fold', 'partition', 'assignment'] },
  { stage: 'features', stems: ['feat', 'transformed', 'engineered', 'preprocessed', 'encoded', 'design'] },
  { stage: 'data', stems: ['raw', 'data', 'input', 'source'] },
];

/** The words of a file name: split on punctuation, digits and camelCase (`modelFeatures_v2.csv` → model, features, v). */
export function nameWords(path: string): string[] {
  const stem = basename(path)
    .replace(/(\.(gz|zst))?$/i, '')
    .replace(/\.[^.]+$/, '');
  return stem
    .replace(/([a-z])([A-Z])/g, '$1 $2')
    .toLowerCase()
    .split(/[^a-z]+/)
    .filter(Boolean);
}

/** Environment format from a conventional file name alone (`poetry.lock`, `environment.yml`, …). */
export function envFormatFromName(path: string): EnvFormat | undefined {
  const name = basename(path).toLowerCase();
  return ENV_FORMAT_NAMES.find((r) => r.pattern.test(name))?.format;
}

/**
 * What the name says about an environment file: `sure` for a conventional name, a strong word or an
 * `env capture` (`*.env.json`); `maybe` for a weak word (confirm with envFormatFromText); undefined otherwise.
 */
export function envNameEvidence(path: string): 'sure' | 'maybe' | undefined {
  const name = basename(path).toLowerCase();
  if (envFormatFromName(name)) return 'sure';
  if (!ENV_EXTENSIONS.test(name)) return undefined;
  if (/\.env\.json$/.test(name)) return 'sure';
  const words = nameWords(name);
  if (words.some((w) => ENV_WORDS_STRONG.test(w))) return 'sure';
  return words.some((w) => ENV_WORDS_WEAK.test(w)) ? 'maybe' : undefined;
}

/** True when the name says "environment description" (surely, or pending the content). */
export function isEnvName(path: string): boolean {
  return envNameEvidence(path) !== undefined;
}

/** Stages whose words appear in the file name, most downstream first (`test_preds.csv` → predictions). */
export function tableStagesFromName(path: string): Stage[] {
  const words = nameWords(path);
  return TABLE_STAGE_WORDS.filter((r) => words.some((w) => r.stems.some((s) => w.startsWith(s)))).map((r) => r.stage);
}

const CONDA_EXPORT_LINE = /^[A-Za-z0-9_][A-Za-z0-9_.-]*=[^=\s]+=[^=\s]+$/;
/** A requirements / pip freeze line: `name[extras] (spec|@ url) ; marker`, an option line, or a bare name. */
const REQUIREMENT_LINE =
  /^([A-Za-z0-9][A-Za-z0-9._-]*(\[[^\]]*\])?\s*((===?|~=|!=|<=?|>=?)\s*[^\s;,]+(\s*,\s*(===?|~=|!=|<=?|>=?)\s*[^\s;,]+)*|@\s*\S+)?\s*(;.*)?(\s+--hash=\S+)*\s*\\?|-(r|c|e|i|f)\s+\S.*|--[a-z-]+(=|\s+)?\S*.*|(git\+|https?:\/\/|file:)\S+)$/;

/**
 * The environment format of a text, or undefined when it does not look like one (a data file, prose).
 * Shapes: JSON lock files and fingerprints, TOML lock tables, conda YAML and lists, and requirement lines
 * (at least one pinned line, every line a requirement, option or comment).
 */
export function envFormatFromText(text: string): EnvFormat | undefined {
  const t = text.replace(/^\uFEFF/, '').trimStart();
  if (t.startsWith('{')) {
    try {
      const doc = JSON.parse(t) as Record<string, unknown>;
      if (isFingerprint(doc)) return 'fingerprint';
      if ('_meta' in doc && ('default' in doc || 'develop' in doc)) return 'pipfile-lock';
      if ('Packages' in doc && 'R' in doc) return 'renv-lock';
      if ('lockfileVersion' in doc) return 'npm-lock';
    } catch {
      // not JSON after all
    }
    return undefined;
  }
  if (/^\s*\[\[package\]\]/m.test(t)) {
    if (/^\s*requires-python\s*=/m.test(t) || /^\s*source\s*=\s*\{\s*(registry|editable|virtual|git|path|url|directory)\s*=/m.test(t)) return 'uv-lock';
    return 'poetry-lock';
  }
  if (/^dependencies\s*:/m.test(t)) return 'conda-environment';
  const lines = t.split(/\r?\n/).map((l) => l.trim());
  if (lines.some((l) => /^#\s*(platform:|packages in environment|This file may be used to create an environment)/i.test(l))) {
    return lines.some((l) => /^#\s*packages in environment/i.test(l)) ? 'conda-list' : 'conda-export';
  }
  const body = lines.filter((l) => l !== '' && !l.startsWith('#'));
  if (body.length > 0 && body.every((l) => CONDA_EXPORT_LINE.test(l))) return 'conda-export';
  if (body.length > 0 && body.every((l) => REQUIREMENT_LINE.test(l)) && body.some((l) => /(===?|~=|>=|<=|@)/.test(l))) return 'requirements';
  return undefined;
}

/** The environment format of a file's content, falling back to requirements text (what `env` reads anything else as). */
export function envFormatFromContent(text: string): EnvFormat {
  return envFormatFromText(text) ?? 'requirements';
}

/** Column-name rules that say which stage a table belongs to when its name does not. */
const SPLIT_COLUMN = /^(split|fold|folds|subset|partition|set|dataset_split|split_name|is_train|is_test|cv_fold|kfold)$/;
const PREDICTION_COLUMN =
  /^(score|scores|proba|probability|prob|prediction|predictions|pred|y_pred|yhat|y_hat|y_score|y_proba|predicted|predicted_label|pred_label|predicted_proba)$|^(proba|pred)_|_(proba|pred|prediction)$/;

/** The stage a table's columns point at (a split column → splits, a score/prediction column → predictions), if any. */
export function tableStageFromColumns(columns: readonly string[]): Stage | undefined {
  const names = columns.map((c) => c.toLowerCase());
  if (names.some((c) => PREDICTION_COLUMN.test(c))) return 'predictions';
  if (names.some((c) => SPLIT_COLUMN.test(c))) return 'splits';
  return undefined;
}
