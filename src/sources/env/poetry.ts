/** `poetry.lock` (TOML): one `[[package]]` table per locked distribution, `[package.source]` for non-index sources. */
import { parse as parseToml } from 'smol-toml';
import { ReprodiffError } from '../../errors.js';
import { excerpt } from '../../text/escape.js';
import { normalizePythonName } from './model.js';
import type { EnvPackage, Environment, PackageSource } from './model.js';

type Table = Record<string, unknown>;

/** Parses TOML or fails with one line naming the file. */
export function readToml(text: string, origin: string): Table {
  try {
    return parseToml(text) as Table;
  } catch (e) {
    throw new ReprodiffError('E_FORMAT', `${origin} is not valid TOML: ${excerpt((e as Error).message.split('\n')[0]!, 120)}`);
  }
}

/** Poetry's `^3.11` / `~3.11` constraints as PEP 440 ranges (other forms pass through). */
export function poetryConstraintToPep440(text: string): string {
  return text
    .split(',')
    .map((part) => {
      const p = part.trim();
      const caret = /^\^\s*(\d+)(?:\.(\d+))?(?:\.(\d+))?$/.exec(p);
      if (caret) {
        const [maj, min, pat] = [Number(caret[1]), caret[2], caret[3]];
        const upper = maj > 0 || min === undefined ? `${maj + 1}.0` : Number(min) > 0 || pat === undefined ? `0.${Number(min) + 1}` : `0.0.${Number(pat) + 1}`;
        return `>=${p.slice(1).trim()},<${upper}`;
      }
      const tilde = /^~\s*(\d+)(?:\.(\d+))?(?:\.\d+)?$/.exec(p);
      if (tilde) return tilde[2] === undefined ? `>=${p.slice(1).trim()},<${Number(tilde[1]) + 1}.0` : `>=${p.slice(1).trim()},<${tilde[1]}.${Number(tilde[2]) + 1}`;
      return p.replace(/\s+/g, '');
    })
    .join(',');
}

function poetrySource(source: Table | undefined, develop: boolean): { source: PackageSource; ref?: string } {
  if (!source) return { source: 'index' };
  const type = String(source.type ?? '');
  const url = typeof source.url === 'string' ? source.url : undefined;
  if (type === 'git') return { source: 'git', ref: String(source.resolved_reference ?? source.reference ?? url ?? '') };
  if (type === 'url') return { source: 'url', ...(url ? { ref: url } : {}) };
  if (type === 'file' || type === 'directory') return { source: develop ? 'editable' : 'file', ...(url ? { ref: url } : {}) };
  return { source: 'index' };
}

export function parsePoetryLock(text: string, origin: string): Environment {
  const doc = readToml(text, origin);
  if (!Array.isArray(doc.package)) throw new ReprodiffError('E_FORMAT', `${origin} has no [[package]] tables`, { suggestion: 'is this a poetry.lock?' });
  const packages: EnvPackage[] = (doc.package as Table[]).map((p) => {
    const displayName = String(p.name);
    return {
      name: normalizePythonName(displayName),
      displayName,
      version: p.version === undefined ? null : String(p.version),
      ...poetrySource(p.source as Table | undefined, p.develop === true),
    };
  });
  const python = (doc.metadata as Table | undefined)?.['python-versions'];
  return {
    ecosystem: 'python',
    format: 'poetry-lock',
    origin,
    packages,
    ...(typeof python === 'string' && python !== '*' ? { interpreter: { name: 'python', specifier: poetryConstraintToPep440(python) } } : {}),
  };
}
