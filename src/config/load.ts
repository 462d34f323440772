import { Ajv2020 } from 'ajv/dist/2020.js';
import type { ErrorObject } from 'ajv/dist/2020.js';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseDocument, visit } from 'yaml';
import { ReprodiffError } from '../errors.js';
import { shown } from '../text/escape.js';
import { MAX_BYTES, readTextFile } from '../sources/files.js';
import type { ReprodiffConfig } from './types.js';
import { parseRequirement } from '../compare/predictions/requirements.js';

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
  const text = readTextFile(file, {
    what: 'a config file',
    maxBytes: MAX_BYTES.config,
    notFound: () => new ReprodiffError('E_FILE_NOT_FOUND', `${shown(file)}: no such config file`, { suggestion: 'run `reprodiff init` to write one' }),
  });
  const doc = parseDocument(text, { prettyErrors: false, uniqueKeys: true, customTags: [], merge: false });
  if (doc.errors.length > 0) {
    const e = doc.errors[0]!;
    const line = e.linePos?.[0] ? ` line ${e.linePos[0].line}` : '';
    throw new ReprodiffError('E_CONFIG', `${shown(file)}:${line} not valid YAML: ${shown(e.message.split('\n')[0]!, 120)}`, { suggestion: 'fix the syntax' });
  }
  // Plain data only: an explicit tag (`!!js/function`, `!!python/object/apply`, `!anything`) is refused, not read as a string.
  let tagged: { tag: string; line?: number } | undefined;
  visit(doc, {
    Node(_, node) {
      if (node.tag && !tagged) tagged = { tag: node.tag, line: node.range ? lineOf(text, node.range[0]) : undefined };
    },
  });
  if (tagged) {
    const shortTag = tagged.tag.replace(/^tag:yaml\.org,2002:/, '!!');
    throw new ReprodiffError('E_CONFIG', `${shown(file)}:${tagged.line ? ` line ${tagged.line}` : ''} YAML tag ${shown(shortTag, 60)} is not allowed`, {
      suggestion: 'write plain values: the config takes no tags',
    });
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
  // A requirement's own message (unknown metric, direction, range) names the accepted metrics; the schema's would not.
  const required = requirementError(file, data);
  if (required) throw required;
  if (errors.length > 0) throw configError(file, errors);
  const infinite = nonFinitePath(data, '');
  if (infinite !== undefined) {
    throw new ReprodiffError('E_CONFIG', `${shown(file)}: ${infinite || '(top level)'}: must be a finite number`, { suggestion: 'write a number such as 0.01 (.inf and .nan are not tolerances)' });
  }
  const baseDir = dirname(resolve(file));
  const config = data as ReprodiffConfig;
  return { file, baseDir, config };
}

/** The first bad entry of `stages.predictions.require`, as parseRequirement words it; undefined when all parse. */
function requirementError(file: string, data: object): ReprodiffError | undefined {
  const require = (data as { stages?: { predictions?: { require?: unknown } } }).stages?.predictions?.require;
  if (require === null || typeof require !== 'object' || Array.isArray(require)) return undefined;
  for (const [metric, expr] of Object.entries(require)) {
    try {
      parseRequirement(`${metric}${typeof expr === 'string' ? expr : String(expr)}`, `stages.predictions.require.${metric}`, 'E_CONFIG');
    } catch (e) {
      if (!(e instanceof ReprodiffError)) throw e;
      const hint = typeof expr === 'string' ? e.suggestion : 'write the requirement as a quoted string with its operator, e.g. auc: ">=0.85" or rmse: "<=3.5"';
      return new ReprodiffError('E_CONFIG', `${shown(file)}: ${shown(e.message, 200)}`, { suggestion: hint });
    }
  }
  return undefined;
}

/** Path (a.b.c) of the first infinite or NaN number in a parsed config, if any. */
function nonFinitePath(x: unknown, path: string): string | undefined {
  if (typeof x === 'number') return Number.isFinite(x) ? undefined : path;
  if (x === null || typeof x !== 'object') return undefined;
  for (const [k, v] of Object.entries(x)) {
    const hit = nonFinitePath(v, path ? `${path}.${k}` : k);
    if (hit !== undefined) return hit;
  }
  return undefined;
}

function lineOf(text: string, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset && i < text.length; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
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
      fix =
        e.instancePath.startsWith('/research') || e.instancePath.startsWith('/production') || e.instancePath.startsWith('/stages')
          ? 'stages are data, features, splits, predictions, env'
          : 'see `reprodiff init` for the keys';
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
