/**
 * `pip freeze` output and `requirements.txt` files: pins, ranges, extras, environment markers,
 * comments, hashes, `-r` includes, editable installs, `name @ url` and bare URL lines.
 */
import { basename, dirname, resolve } from 'node:path';
import { ReprodiffError } from '../../errors.js';
import { excerpt, shown } from '../../text/escape.js';
import { MAX_BYTES, assertIncludeInside, readTextFile } from '../files.js';
import { parseSpecifier } from '../../env/pep440.js';
import { normalizePythonName } from './model.js';
import type { EnvPackage, Environment, PackageSource } from './model.js';

/** Reads an included file; injected so tests can run without a disk. */
export type IncludeReader = (path: string) => string;

const NAME = /^([A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?)\s*(\[[^\]]*\])?\s*(.*)$/;
const EDITABLE_COMMENT = /^#\s*Editable(?:\s+Git)?\s+install\s+with\s+no\s+(?:version\s+control|remote)\s+\(([^=()\s]+)==([^()\s]+)\)/i;
const ARCHIVE = /^(.+?)-(\d[^-]*?)(?:-[^/]*)?\.(?:whl|tar\.gz|tar\.bz2|tar\.xz|tgz|zip|egg)$/i;

interface ParseState {
  /** Includes must stay inside this folder: the one of the file the user named. */
  readonly root: string;
  readonly packages: EnvPackage[];
  readonly seen: Set<string>;
  ranged: boolean;
}

/** Parses pip freeze / requirements text; `-r` includes are read relative to `origin` with `readInclude`. */
export function parseRequirements(text: string, origin: string, readInclude: IncludeReader = defaultReader): Environment {
  const state: ParseState = { root: dirname(resolve(origin)), packages: [], seen: new Set([resolve(origin)]), ranged: false };
  parseInto(text, origin, readInclude, state);
  return { ecosystem: 'python', format: state.ranged ? 'requirements' : 'pip-freeze', origin, packages: state.packages };
}

function defaultReader(path: string): string {
  const text = readTextFile(path, {
    what: 'a requirements file',
    maxBytes: MAX_BYTES.env,
    notFound: () => new ReprodiffError('E_FILE_NOT_FOUND', `included requirements file not found: ${shown(path)}`, { suggestion: 'check the -r path, relative to the including file' }),
  });
  if (text.includes('\u0000')) throw new ReprodiffError('E_FORMAT', `included file ${shown(path)} is a binary file, not a requirements file`);
  return text;
}

/** Joins `\` continuations and drops full-line and inline comments (pip needs whitespace before an inline `#`). */
function logicalLines(text: string): string[] {
  const out: string[] = [];
  let carry = '';
  for (const raw of text.replace(/^\uFEFF/, '').split(/\r?\n/)) {
    if (raw.endsWith('\\')) {
      carry += `${raw.slice(0, -1)} `;
      continue;
    }
    out.push(carry + raw);
    carry = '';
  }
  if (carry) out.push(carry);
  return out.map((l) => l.trim());
}

function parseInto(text: string, origin: string, readInclude: IncludeReader, state: ParseState): void {
  let editableVersion: { name: string; version: string } | undefined;
  for (const line of logicalLines(text)) {
    if (line === '') continue;
    if (line.startsWith('#')) {
      const m = EDITABLE_COMMENT.exec(line);
      if (m) editableVersion = { name: m[1]!, version: m[2]! };
      continue;
    }
    const body = line.replace(/\s+#.*$/, '').trim();
    const option = /^(-r|--requirement|-c|--constraint|-e|--editable)(?:\s*=\s*|\s+|(?=[^-\s]))(.+)$/.exec(body);
    if (option) {
      const flag = option[1]!;
      const value = option[2]!.trim();
      if (flag === '-r' || flag === '--requirement') {
        state.ranged = true;
        const path = resolve(dirname(origin), value);
        if (state.seen.has(path)) continue;
        assertIncludeInside(state.root, path, origin);
        state.seen.add(path);
        parseInto(readInclude(path), path, readInclude, state);
      } else if (flag === '-e' || flag === '--editable') {
        const pkg = editablePackage(value, editableVersion, origin);
        if (pkg) state.packages.push(pkg);
        editableVersion = undefined;
      }
      continue;
    }
    if (body.startsWith('-')) continue; // index URLs, --pre, --hash-only lines, …
    const pkg = requirementPackage(body, state);
    if (pkg) state.packages.push(pkg);
  }
}

function sourceOfUrl(url: string): PackageSource {
  if (/^(git|hg|svn|bzr)\+/i.test(url)) return 'git';
  if (/^file:/i.test(url) || /^(\.{0,2}\/|[A-Za-z]:[\\/]|~)/.test(url)) return 'file';
  return 'url';
}

function nameFromUrl(url: string): string | undefined {
  const egg = /#(?:.*&)?egg=([A-Za-z0-9._-]+)/.exec(url);
  if (egg) return egg[1]!.replace(/-\d.*$/, '');
  const m = ARCHIVE.exec(url.split(/[?#]/)[0]!.split('/').pop() ?? '');
  return m?.[1];
}

function versionFromUrl(url: string): string | null {
  const file = url.split(/[?#]/)[0]!.split('/').pop() ?? '';
  const m = ARCHIVE.exec(file);
  return m ? m[2]! : null;
}

function vcsRef(url: string): string | undefined {
  const path = url.replace(/^[a-z+]+:\/\/[^/]*/i, '').split('#')[0]!;
  const at = path.lastIndexOf('@');
  return at >= 0 ? path.slice(at + 1) : undefined;
}

function editablePackage(target: string, fromComment: { name: string; version: string } | undefined, origin: string): EnvPackage | undefined {
  const isPath = sourceOfUrl(target) === 'file' || !/:\/\//.test(target);
  // `-e .` or `-e ./libs/x`: without an egg name or pip's comment, the folder name stands for the project.
  const folder = isPath ? basename(resolve(dirname(origin), target.replace(/^file:(\/\/)?/, '').replace(/\[.*\]$/, ''))) : undefined;
  const name = nameFromUrl(target) ?? fromComment?.name ?? folder;
  if (!name) return undefined;
  const version = fromComment && normalizePythonName(fromComment.name) === normalizePythonName(name) ? fromComment.version : null;
  const ref = sourceOfUrl(target) === 'git' ? (vcsRef(target) ?? target) : target;
  return { name: normalizePythonName(name), displayName: name, version, source: 'editable', ref };
}

/** Splits off the PEP 508 marker: after a URL it must follow whitespace, otherwise the first `;`. */
function splitMarker(body: string, isUrl: boolean): [string, string | undefined] {
  const idx = isUrl ? body.search(/\s;/) : body.indexOf(';');
  if (idx < 0) return [body, undefined];
  const marker = body
    .slice(idx)
    .replace(/^\s*;\s*/, '')
    .trim();
  return [body.slice(0, idx).trim(), marker || undefined];
}

function requirementPackage(line: string, state: ParseState): EnvPackage | undefined {
  // Per-requirement options (`--hash=sha256:…`, `--config-settings …`) follow the requirement after whitespace.
  const body = line.replace(/\s+--?[A-Za-z][\s\S]*$/, '').trim();
  const isUrl = /@|:\/\//.test(body);
  const [req, marker] = splitMarker(body, isUrl);
  if (marker) state.ranged = true;
  if (/^[a-z+]+:\/\//i.test(req) || /^(\.{0,2}\/|[A-Za-z]:[\\/])/.test(req)) {
    const name = nameFromUrl(req);
    if (!name) return undefined;
    return withMarker({ name: normalizePythonName(name), displayName: name, version: versionFromUrl(req), source: sourceOfUrl(req), ref: vcsRef(req) ?? req }, marker);
  }
  const m = NAME.exec(req);
  if (!m) throw new ReprodiffError('E_FORMAT', `cannot read requirement line: ${excerpt(line)}`, { suggestion: 'expected name[extras] specifier ; marker' });
  const displayName = m[1]!;
  if (m[2]) state.ranged = true;
  const rest = m[3]!.trim();
  const name = normalizePythonName(displayName);
  if (rest.startsWith('@')) {
    const url = rest.slice(1).trim();
    const source = sourceOfUrl(url);
    return withMarker({ name, displayName, version: versionFromUrl(url), source, ref: source === 'git' ? (vcsRef(url) ?? url) : url }, marker);
  }
  const spec = rest.replace(/^\((.*)\)$/, '$1').replace(/\s+/g, '');
  if (spec === '') {
    state.ranged = true;
    return withMarker({ name, displayName, version: null, source: 'index' }, marker);
  }
  const clauses = parseSpecifier(spec);
  if (!clauses) throw new ReprodiffError('E_FORMAT', `invalid version specifier for ${displayName}: ${excerpt(spec)}`, { suggestion: 'see PEP 440 for the specifier syntax' });
  const pin = clauses.length === 1 && (clauses[0]!.operator === '==' || clauses[0]!.operator === '===') && !clauses[0]!.wildcard ? clauses[0]!.version : null;
  if (!pin) state.ranged = true;
  return withMarker({ name, displayName, version: pin, source: 'index', ...(pin ? {} : { specifier: spec }) }, marker);
}

function withMarker(pkg: EnvPackage, marker: string | undefined): EnvPackage {
  return marker ? { ...pkg, marker } : pkg;
}
