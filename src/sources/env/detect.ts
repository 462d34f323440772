import { ReprodiffError } from '../../errors.js';
import { shown } from '../../text/escape.js';
import { MAX_BYTES, readTextFile, scanJsonDepth } from '../files.js';
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
