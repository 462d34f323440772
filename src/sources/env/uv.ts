/** `uv.lock` (TOML): `requires-python` and one `[[package]]` per distribution with an inline `source` table. */
import { ReprodiffError } from '../../errors.js';
import { normalizePythonName } from './model.js';
import type { EnvPackage, Environment, PackageSource } from './model.js';
import { readToml } from './poetry.js';

type Table = Record<string, unknown>;

function uvSource(source: Table | undefined): { source: PackageSource; ref?: string } {
  if (!source || typeof source.registry === 'string') return { source: 'index' };
  if (typeof source.git === 'string') {
    const sha = source.git.split('#')[1];
    return { source: 'git', ref: sha ?? source.git };
  }
  if (typeof source.url === 'string') return { source: 'url', ref: source.url };
  if (typeof source.editable === 'string' || typeof source.virtual === 'string') return { source: 'editable', ref: String(source.editable ?? source.virtual) };
  if (typeof source.path === 'string' || typeof source.directory === 'string') return { source: 'file', ref: String(source.path ?? source.directory) };
  return { source: 'index' };
}

export function parseUvLock(text: string, origin: string): Environment {
  const doc = readToml(text, origin);
  if (!Array.isArray(doc.package)) throw new ReprodiffError('E_FORMAT', `${origin} has no [[package]] tables`, { suggestion: 'is this a uv.lock?' });
  // The project being locked (`source = { editable = "." }` or `{ virtual = "." }`) is the code, not a dependency.
  const isRoot = (p: Table) => {
    const src = (p.source ?? {}) as Table;
    return src.editable === '.' || src.virtual === '.';
  };
  const packages: EnvPackage[] = (doc.package as Table[])
    .filter((p) => !isRoot(p))
    .map((p) => {
      const displayName = String(p.name);
      return { name: normalizePythonName(displayName), displayName, version: p.version === undefined ? null : String(p.version), ...uvSource(p.source as Table | undefined) };
    });
  const python = doc['requires-python'];
  return {
    ecosystem: 'python',
    format: 'uv-lock',
    origin,
    packages,
    ...(typeof python === 'string' ? { interpreter: { name: 'python', specifier: python.replace(/\s+/g, '') } } : {}),
  };
}
