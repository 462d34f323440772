/**
 * Which environment format a file is: by name first (`poetry.lock`, `environment.yml`, …), then by
 * content (JSON keys, TOML tables, conda `name=version=build` lines), else pip/requirements text.
 */
import { basename } from 'node:path';
import { ReprodiffError } from '../../errors.js';
import { shown } from '../../report/escape.js';
import { MAX_BYTES, readTextFile, scanJsonDepth } from '../files.js';
import { parseCondaEnvironment, parseCondaList } from './conda.js';
import { isFingerprint, parseFingerprint } from './fingerprint.js';
import { parseNpmLock, parsePipfileLock, parseRenvLock, readJson } from './json-locks.js';
import type { EnvFormat, Environment } from './model.js';
import { parsePoetryLock } from './poetry.js';
import { parseRequirements } from './requirements.js';
import type { IncludeReader } from './requirements.js';
import { parseUvLock } from './uv.js';

/** Format from the file name alone, when the name is conventional. */
export function envFormatFromName(path: string): EnvFormat | undefined {
  const name = basename(path).toLowerCase();
  if (name === 'poetry.lock') return 'poetry-lock';
  if (name === 'uv.lock') return 'uv-lock';
  if (name === 'pipfile.lock') return 'pipfile-lock';
  if (name === 'renv.lock') return 'renv-lock';
  if (name === 'package-lock.json' || name === 'npm-shrinkwrap.json') return 'npm-lock';
  if (/^(environment|env|conda)[\w.-]*\.ya?ml$/.test(name)) return 'conda-environment';
  return undefined;
}

const CONDA_EXPORT_LINE = /^[A-Za-z0-9_][A-Za-z0-9_.\-]*=[^=\s]+=[^=\s]+$/;

/** Format from the content (JSON keys, TOML tables, YAML dependencies, conda lines), falling back to requirements text. */
export function envFormatFromContent(text: string): EnvFormat {
  const t = text.replace(/^\uFEFF/, '').trimStart();
  if (t.startsWith('{')) {
    try {
      const doc = JSON.parse(t) as Record<string, unknown>;
      if (isFingerprint(doc)) return 'fingerprint';
      if ('_meta' in doc && ('default' in doc || 'develop' in doc)) return 'pipfile-lock';
      if ('Packages' in doc && 'R' in doc) return 'renv-lock';
      if ('lockfileVersion' in doc) return 'npm-lock';
    } catch {
      // not JSON after all: fall through
    }
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
  return 'requirements';
}

/** Parses environment text whose format is known (or detected). */
export function parseEnvironment(text: string, origin: string, format: EnvFormat = envFormatFromName(origin) ?? envFormatFromContent(text), readInclude?: IncludeReader): Environment {
  switch (format) {
    case 'pip-freeze':
    case 'requirements':
      return parseRequirements(text, origin, readInclude);
    case 'conda-environment':
      return parseCondaEnvironment(text, origin, readInclude);
    case 'conda-export':
    case 'conda-list':
      return parseCondaList(text, origin);
    case 'poetry-lock':
      return parsePoetryLock(text, origin);
    case 'uv-lock':
      return parseUvLock(text, origin);
    case 'pipfile-lock':
      return parsePipfileLock(text, origin);
    case 'renv-lock':
      return parseRenvLock(text, origin);
    case 'npm-lock':
      return parseNpmLock(text, origin);
    case 'fingerprint':
      return parseFingerprint(readJson(text, origin), origin);
  }
}

/**
 * An environment file a config names outside its own folder (a shared `../research/requirements.txt`): read
 * like any other, but a parse error never quotes a line of it — a config could otherwise point at a secrets
 * file and have a line of it printed into a CI log.
 */
export function readEnvironmentUnquoted(path: string): Environment {
  try {
    return readEnvironment(path);
  } catch (e) {
    if (!(e instanceof ReprodiffError) || e.code !== 'E_FORMAT') throw e;
    throw new ReprodiffError('E_FORMAT', `${shown(path)} is not a readable environment file (its lines are not quoted: it lies outside the config's folder)`, {
      suggestion: 'run `reprodiff env` on it directly to see the failing line',
    });
  }
}

/** Reads an environment file from disk, detecting its format; bad input is a one-line ReprodiffError. */
export function readEnvironment(path: string): Environment {
  const text = readTextFile(path, {
    what: 'an environment file',
    maxBytes: MAX_BYTES.env,
    notFound: () => new ReprodiffError('E_FILE_NOT_FOUND', `environment file not found: ${shown(path)}`, { suggestion: 'check the path' }),
  });
  if (text.includes('\u0000')) throw new ReprodiffError('E_FORMAT', `${shown(path)} is a binary file, not an environment description`);
  // JSON locks are parsed whole; nesting deep enough to overflow a later walk is no lock file.
  if (/^\uFEFF?\s*[[{]/.test(text) && scanJsonDepth(text, MAX_ENV_JSON_DEPTH) >= 0) {
    throw new ReprodiffError('E_FORMAT', `${shown(path)}: JSON nested more than ${MAX_ENV_JSON_DEPTH} levels deep`, { suggestion: 'is this an environment file?' });
  }
  const env = parseEnvironment(text, path);
  if (env.packages.length === 0 && !env.interpreter) {
    throw new ReprodiffError('E_EMPTY', `${shown(path)} lists no packages`, { suggestion: 'is this an environment file (pip freeze, requirements, conda, lock file)?' });
  }
  return env;
}

/** Nesting accepted in a JSON environment file (npm's v1 locks nest dependencies). */
const MAX_ENV_JSON_DEPTH = 1000;
