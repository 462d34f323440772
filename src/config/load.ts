import { Ajv2020 } from 'ajv/dist/2020.js';
import type { ErrorObject } from 'ajv/dist/2020.js';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseDocument } from 'yaml';
import { ReprodiffError } from '../errors.js';
import type { ReprodiffConfig } from './types.js';

const schemaPath = (() => {
  // schemas/ sits at the package root, beside src/ (tests) or dist/ (built).
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 5; i++) {
    const candidate = join(dir, 'schemas', 'config.schema.json');
    if (existsSync(candidate)) return candidate;
    dir = dirname(dir);
  }
  throw new Error('schemas/config.schema.json not found');
})();

let validator: ReturnType<Ajv2020['compile']> | undefined;
function validate(doc: unknown): readonly ErrorObject[] {
  validator ??= new Ajv2020({ allErrors: true, strict: false }).compile(JSON.parse(readFileSync(schemaPath, 'utf8')));
  return validator(doc) ? [] : (validator.errors ?? []);
}

/** A loaded config: the document, and the folder its relative paths are resolved from. */
export interface LoadedConfig {
  readonly file: string;
  readonly baseDir: string;
  readonly config: ReprodiffConfig;
}

/**
 * Reads reprodiff.yml (YAML or JSON). Plain data only: no custom tags, a cap on aliases (so a
 * "billion laughs" document is refused), and a schema check whose error names the file, the path in it
 * and the fix.
 */
export function loadConfig(file: string): LoadedConfig {
  if (!existsSync(file)) throw new ReprodiffError('E_FILE_NOT_FOUND', `${file}: no such config file`, { suggestion: 'run `reprodiff init` to write one' });
  const text = readFileSync(file, 'utf8');
  const doc = parseDocument(text, { prettyErrors: false, uniqueKeys: true, customTags: [], merge: false });
  if (doc.errors.length > 0) {
    const e = doc.errors[0]!;
    const line = e.linePos?.[0] ? ` line ${e.linePos[0].line}` : '';
    throw new ReprodiffError('E_CONFIG', `${file}:${line} not valid YAML: ${e.message.split('\n')[0]}`, { suggestion: 'fix the syntax' });
  }
  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: 100 });
  } catch (e) {
    throw new ReprodiffError('E_CONFIG', `${file}: ${(e as Error).message.split('\n')[0]}`, { suggestion: 'remove the YAML aliases (*name) that expand too much' });
  }
  if (data === null || typeof data !== 'object' || Array.isArray(data)) {
    throw new ReprodiffError('E_CONFIG', `${file}: the config must be a mapping with research: and production: sections`, { suggestion: 'run `reprodiff init` for a starter' });
  }
  const errors = validate(data);
  if (errors.length > 0) throw configError(file, errors);
  return { file, baseDir: dirname(resolve(file)), config: data as ReprodiffConfig };
}

function configError(file: string, errors: readonly ErrorObject[]): ReprodiffError {
  // The most specific error first: unknown keys and bad values beat the oneOf/anyOf summaries.
  const e = [...errors].sort((a, b) => rank(a) - rank(b))[0]!;
  const path = e.instancePath ? e.instancePath.slice(1).replaceAll('/', '.') : '(top level)';
  let what: string;
  let fix: string;
  switch (e.keyword) {
    case 'additionalProperties': {
      const key = String((e.params as { additionalProperty: string }).additionalProperty);
      what = `unknown key '${key}'${e.instancePath ? ` in ${path}` : ''}`;
      fix = e.instancePath.startsWith('/research') || e.instancePath.startsWith('/production') || e.instancePath.startsWith('/stages') ? 'stages are data, features, splits, predictions, env' : 'see `reprodiff init` for the keys';
      return new ReprodiffError('E_CONFIG', `${file}: ${what}`, { suggestion: fix });
    }
    case 'required':
      what = `missing '${(e.params as { missingProperty: string }).missingProperty}'${e.instancePath ? ` in ${path}` : ''}`;
      fix = 'add it (see `reprodiff init`)';
      break;
    case 'enum':
      what = `${path}: must be one of ${((e.params as { allowedValues: unknown[] }).allowedValues ?? []).join(', ')}`;
      fix = 'use one of those values';
      break;
    case 'minimum':
    case 'exclusiveMinimum':
    case 'maximum':
      what = `${path}: ${e.message}`;
      fix = 'a tolerance or threshold is a number ≥ 0';
      break;
    default:
      what = `${path}: ${e.message}`;
      fix = 'see `reprodiff init` for an example';
  }
  return new ReprodiffError('E_CONFIG', `${file}: ${what}`, { suggestion: fix });
}

function rank(e: ErrorObject): number {
  return e.keyword === 'additionalProperties' ? 0 : e.keyword === 'required' ? 1 : e.keyword === 'oneOf' || e.keyword === 'anyOf' ? 9 : 5;
}

/** A path from the config, resolved against the config's folder (snapshot `#name` suffixes kept). */
export function resolveConfigPath(baseDir: string, path: string): string {
  if (/^postgres(ql)?:\/\//i.test(path.trim())) return path.trim(); // a database table or query, not a path
  return isAbsolute(path) ? path : join(baseDir, path);
}
