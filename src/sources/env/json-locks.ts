/** JSON lock files: `Pipfile.lock`, R's `renv.lock`, npm's `package-lock.json` / `npm-shrinkwrap.json`. */
import { ReprodiffError } from '../../errors.js';
import { excerpt } from '../../text/escape.js';
import { normalizeName, normalizePythonName } from './model.js';
import type { EnvPackage, Environment, PackageSource } from './model.js';

type Obj = Record<string, unknown>;

/** Parses JSON or fails with one line naming the file. */
export function readJson(text: string, origin: string): Obj {
  try {
    const doc = JSON.parse(text.replace(/^\uFEFF/, '')) as unknown;
    if (doc && typeof doc === 'object' && !Array.isArray(doc)) return doc as Obj;
  } catch (e) {
    throw new ReprodiffError('E_FORMAT', `${origin} is not valid JSON: ${excerpt((e as Error).message.split('\n')[0]!, 120)}`);
  }
  throw new ReprodiffError('E_FORMAT', `${origin} is not a JSON object`);
}

const obj = (x: unknown): Obj => (x && typeof x === 'object' && !Array.isArray(x) ? (x as Obj) : {});

/** `Pipfile.lock`: `default` then `develop` sections; a name in both keeps its `default` entry. */
export function parsePipfileLock(text: string, origin: string): Environment {
  const doc = readJson(text, origin);
  const packages: EnvPackage[] = [];
  const seen = new Set<string>();
  for (const section of ['default', 'develop']) {
    for (const [displayName, raw] of Object.entries(obj(doc[section]))) {
      const e = obj(raw);
      const name = normalizePythonName(displayName);
      if (seen.has(name)) continue;
      seen.add(name);
      const v = typeof e.version === 'string' ? e.version.replace(/^===?/, '') : null;
      let source: PackageSource = 'index';
      let ref: string | undefined;
      if (typeof e.git === 'string') [source, ref] = ['git', String(e.ref ?? e.git)];
      else if (typeof e.path === 'string') [source, ref] = [e.editable === true ? 'editable' : 'file', e.path];
      else if (typeof e.file === 'string') [source, ref] = [/^file:/.test(e.file) ? 'file' : 'url', e.file];
      if (e.editable === true && source !== 'file') source = 'editable';
      packages.push({
        name,
        displayName,
        version: v,
        source,
        ...(ref ? { ref } : {}),
        ...(typeof e.markers === 'string' ? { marker: e.markers } : {}),
      });
    }
  }
  const requires = obj(obj(doc._meta).requires);
  const full = requires.python_full_version;
  const short = requires.python_version;
  const interpreter = typeof full === 'string' ? { name: 'python', version: full } : typeof short === 'string' ? { name: 'python', specifier: `==${short}.*` } : undefined;
  return { ecosystem: 'python', format: 'pipfile-lock', origin, packages, ...(interpreter ? { interpreter } : {}) };
}

/** R's `renv.lock`: the R version and one record per package. */
export function parseRenvLock(text: string, origin: string): Environment {
  const doc = readJson(text, origin);
  const packages: EnvPackage[] = Object.entries(obj(doc.Packages)).map(([key, raw]) => {
    const e = obj(raw);
    const displayName = String(e.Package ?? key);
    const src = String(e.Source ?? e.RemoteType ?? 'Repository').toLowerCase();
    const source: PackageSource = /github|gitlab|bitbucket|git/.test(src) ? 'git' : src === 'local' ? 'file' : src === 'url' ? 'url' : 'index';
    const ref = typeof e.RemoteSha === 'string' ? e.RemoteSha : undefined;
    return { name: normalizeName(displayName, 'r'), displayName, version: typeof e.Version === 'string' ? e.Version : null, source, ...(ref ? { ref } : {}) };
  });
  const rVersion = obj(doc.R).Version;
  return { ecosystem: 'r', format: 'renv-lock', origin, packages, ...(typeof rVersion === 'string' ? { interpreter: { name: 'R', version: rVersion } } : {}) };
}

function npmSource(version: string, resolved: unknown, link: boolean): { source: PackageSource; ref?: string } {
  const r = typeof resolved === 'string' ? resolved : '';
  if (link) return { source: 'file', ...(r ? { ref: r } : {}) };
  if (/^(git\+|git:|github:)/.test(version) || /^(git\+|git:)/.test(r)) return { source: 'git', ref: (r || version).split('#')[1] ?? (r || version) };
  if (/^file:/.test(version) || /^file:/.test(r)) return { source: 'file', ref: r || version };
  return { source: 'index' };
}

/** npm `package-lock.json` v1 (`dependencies`) and v2/v3 (`packages`); only top-level installs are compared. */
export function parseNpmLock(text: string, origin: string): Environment {
  const doc = readJson(text, origin);
  const packages: EnvPackage[] = [];
  const pkgs = obj(doc.packages);
  if (Object.keys(pkgs).length > 0) {
    for (const [key, raw] of Object.entries(pkgs)) {
      const m = /^node_modules\/((?:@[^/]+\/)?[^/]+)$/.exec(key);
      if (!m) continue;
      const e = obj(raw);
      const displayName = m[1]!;
      const version = typeof e.version === 'string' ? e.version : null;
      packages.push({ name: normalizeName(displayName, 'npm'), displayName, version: version && !/[:#/]/.test(version) ? version : null, ...npmSource(version ?? '', e.resolved, e.link === true) });
    }
  } else {
    for (const [displayName, raw] of Object.entries(obj(doc.dependencies))) {
      const e = obj(raw);
      const version = typeof e.version === 'string' ? e.version : '';
      packages.push({ name: normalizeName(displayName, 'npm'), displayName, version: version && !/[:#/]/.test(version) ? version : null, ...npmSource(version, e.resolved, false) });
    }
  }
  return { ecosystem: 'npm', format: 'npm-lock', origin, packages };
}
