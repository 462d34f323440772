/**
 * Which environment format a file is: by name first (`poetry.lock`, `environment.yml`, …), then by
 * content (JSON keys, TOML tables, conda `name=version=build` lines), else pip/requirements text.
 */
import { readFileSync, statSync } from 'node:fs';
import { ReprodiffError } from '../../errors.js';
import { parseCondaEnvironment, parseCondaList } from './conda.js';
import { envFormatFromContent, envFormatFromName } from '../artifacts.js';
import { parseFingerprint } from './fingerprint.js';
import { withHeaderInterpreter } from './header.js';
import { parseNpmLock, parsePipfileLock, parseRenvLock, readJson } from './json-locks.js';
import type { EnvFormat, Environment } from './model.js';
import { parsePoetryLock } from './poetry.js';
import { parseRequirements } from './requirements.js';
import type { IncludeReader } from './requirements.js';
import { parseUvLock } from './uv.js';

// The name and content rules are shared with `check`'s folder pairing (src/sources/artifacts.ts).
export { envFormatFromContent, envFormatFromName } from '../artifacts.js';

/** Parses environment text whose format is known (or detected). */
export function parseEnvironment(text: string, origin: string, format: EnvFormat = envFormatFromName(origin) ?? envFormatFromContent(text), readInclude?: IncludeReader): Environment {
  switch (format) {
    case 'pip-freeze':
    case 'requirements':
      return withHeaderInterpreter(parseRequirements(text, origin, readInclude), text);
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

/** Reads an environment file from disk, detecting its format; bad input is a one-line ReprodiffError. */
export function readEnvironment(path: string): Environment {
  let text: string;
  try {
    if (statSync(path).isDirectory()) throw new ReprodiffError('E_FORMAT', `${path} is a directory, not an environment file`, { suggestion: 'pass requirements.txt, a lock file, or an env capture' });
    text = readFileSync(path, 'utf8');
  } catch (e) {
    if (e instanceof ReprodiffError) throw e;
    throw new ReprodiffError('E_FILE_NOT_FOUND', `environment file not found: ${path}`, { suggestion: 'check the path' });
  }
  if (text.includes('\u0000')) throw new ReprodiffError('E_FORMAT', `${path} is a binary file, not an environment description`);
  const env = parseEnvironment(text, path);
  if (env.packages.length === 0 && !env.interpreter) {
    throw new ReprodiffError('E_EMPTY', `${path} lists no packages`, { suggestion: 'is this an environment file (pip freeze, requirements, conda, lock file)?' });
  }
  return env;
}
