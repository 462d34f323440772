/** Reading a snapshot file back: one-line `E_SNAPSHOT` errors for anything that is not a snapshot this version reads. */
import { ReprodiffError } from '../errors.js';
import { shown } from '../text/escape.js';
import { MAX_BYTES, MAX_JSON_DEPTH, readTextFile, scanJsonDepth } from '../sources/files.js';
import { SNAPSHOT_VERSION } from './types.js';
import type { Snapshot, SnapshotArtifact } from './types.js';

/** `path.snapshot.json#artifact`, or a path alone (then the snapshot must hold exactly one artifact). */
export interface SnapshotRef {
  readonly path: string;
  readonly artifact?: string;
}

/** True when an input names a snapshot: `x.json#artifact` or `x.snapshot.json`. */
export function isSnapshotRef(input: string): boolean {
  return /\.json#[^#/\\]*$/i.test(input) || /\.snapshot\.json$/i.test(input);
}

export function parseSnapshotRef(input: string): SnapshotRef {
  const hash = input.lastIndexOf('#');
  if (hash > 0 && /\.json$/i.test(input.slice(0, hash))) {
    const artifact = input.slice(hash + 1);
    return artifact ? { path: input.slice(0, hash), artifact } : { path: input.slice(0, hash) };
  }
  return { path: input };
}

function bad(path: string, what: string, suggestion = 're-create it with reprodiff snapshot'): ReprodiffError {
  return new ReprodiffError('E_SNAPSHOT', `${path}: ${what}`, { suggestion });
}

/** Reads and checks a snapshot file. */
export function readSnapshot(path: string): Snapshot {
  const text = readTextFile(path, {
    what: 'a snapshot file',
    maxBytes: MAX_BYTES.snapshot,
    notFound: () => new ReprodiffError('E_FILE_NOT_FOUND', `${shown(path)}: no such snapshot file`, { suggestion: 'check the path' }),
  });
  if (scanJsonDepth(text, MAX_JSON_DEPTH) >= 0) throw bad(path, `JSON nested more than ${MAX_JSON_DEPTH} levels deep`);
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw bad(path, `not valid JSON (${shown((e as Error).message.split('\n')[0]!, 120)})`);
  }
  return validateSnapshot(doc, path);
}

/** Checks the parts of a parsed document that comparisons rely on. */
export function validateSnapshot(doc: unknown, path: string): Snapshot {
  if (!isObject(doc) || !('snapshotVersion' in doc)) throw bad(path, 'not a reprodiff snapshot (no snapshotVersion)', 'make one with reprodiff snapshot name=path -o file.snapshot.json');
  if (doc.snapshotVersion !== SNAPSHOT_VERSION) {
    throw bad(path, `snapshot version ${JSON.stringify(doc.snapshotVersion)} is not one this reprodiff reads (version ${SNAPSHOT_VERSION})`, 're-create it with this version of reprodiff snapshot');
  }
  const settings = doc.settings;
  if (!isObject(settings) || !isCount(settings.categoryCap) || !isCount(settings.quantileLevels) || !isCount(settings.bins)) throw bad(path, 'settings are missing or malformed');
  if (!isObject(doc.artifacts) || Object.keys(doc.artifacts).length === 0) throw bad(path, 'holds no artifacts');
  for (const [name, a] of Object.entries(doc.artifacts)) checkArtifact(a, `${path}#${name}`);
  return doc as unknown as Snapshot;
}

function checkArtifact(a: unknown, where: string): void {
  if (!isObject(a)) throw bad(where, 'artifact is not an object');
  if (!isCount(a.rows)) throw bad(where, 'rows is missing or not a count');
  if (typeof a.fingerprint !== 'string') throw bad(where, 'fingerprint is missing');
  if (!Array.isArray(a.columns) || !a.columns.every((c) => isObject(c) && typeof c.name === 'string' && typeof c.type === 'string')) throw bad(where, 'columns must be a list of {name, type}');
  if (!isObject(a.profiles) || !isObject(a.distributions)) throw bad(where, 'profiles or distributions are missing');
  for (const c of a.columns as { name: string }[]) {
    if (!isObject(a.profiles[c.name])) throw bad(where, `no profile for column ${c.name}`);
  }
  for (const [col, d] of Object.entries(a.distributions)) {
    if (!isObject(d)) throw bad(where, `distribution of ${col} is malformed`);
    const n = d.numeric;
    if (n !== undefined) {
      if (!isObject(n) || !isCount(n.n) || !isNumbers(n.edges) || !isNumbers(n.counts) || !isNumbers(n.quantiles) || n.counts.length !== n.edges.length + 1) {
        throw bad(where, `numeric distribution of ${col} is malformed`);
      }
      if (n.values !== undefined && !(Array.isArray(n.values) && n.values.every((v) => Array.isArray(v) && v.length === 2 && isNumbers(v)))) throw bad(where, `exact values of ${col} are malformed`);
    }
    const c = d.categorical;
    if (
      c !== undefined &&
      !(
        isObject(c) &&
        isCount(c.cap) &&
        isCount(c.otherCount) &&
        isCount(c.distinct) &&
        Array.isArray(c.values) &&
        c.values.every((v) => isObject(v) && typeof v.value === 'string' && isCount(v.count))
      )
    ) {
      throw bad(where, `category frequencies of ${col} are malformed`);
    }
  }
}

/** The artifact a reference names; one-line errors list what the snapshot holds. */
export function selectArtifact(snapshot: Snapshot, ref: SnapshotRef): { name: string; artifact: SnapshotArtifact } {
  const names = Object.keys(snapshot.artifacts).sort();
  if (ref.artifact === undefined) {
    if (names.length === 1) return { name: names[0]!, artifact: snapshot.artifacts[names[0]!]! };
    throw bad(ref.path, `holds ${names.length} artifacts; name one`, `write ${ref.path}#${names[0]} (artifacts: ${names.join(', ')})`);
  }
  const artifact = Object.hasOwn(snapshot.artifacts, ref.artifact) ? snapshot.artifacts[ref.artifact] : undefined;
  if (!artifact) throw bad(ref.path, `no artifact '${ref.artifact}'`, `artifacts: ${names.join(', ')}`);
  return { name: ref.artifact, artifact };
}

function isObject(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

function isCount(x: unknown): x is number {
  return typeof x === 'number' && Number.isInteger(x) && x >= 0;
}

function isNumbers(x: unknown): x is number[] {
  return Array.isArray(x) && x.every((v) => typeof v === 'number' && Number.isFinite(v));
}
