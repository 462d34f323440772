/**
 * The environment fingerprint written by `reprodiff env capture` and read back by `reprodiff env`:
 * the interpreter, OS/CPU facts, and the raw `pip freeze` lines (parsed by the requirements parser).
 */
import { ReprodiffError } from '../../errors.js';
import type { Environment, Platform } from './model.js';
import { parseRequirements } from './requirements.js';

export const FINGERPRINT_VERSION = '1';

export interface Fingerprint {
  readonly reprodiffEnv: typeof FINGERPRINT_VERSION;
  readonly capturedAt: string;
  readonly python: { readonly executable: string; readonly version: string; readonly implementation: string };
  readonly platform: Platform;
  readonly pipFreeze: readonly string[];
}

/** True when a parsed JSON document looks like a fingerprint. */
export function isFingerprint(doc: unknown): boolean {
  return !!doc && typeof doc === 'object' && 'reprodiffEnv' in doc;
}

export function parseFingerprint(doc: Record<string, unknown>, origin: string): Environment {
  if (String(doc.reprodiffEnv) !== FINGERPRINT_VERSION) {
    throw new ReprodiffError('E_FORMAT', `${origin} is an environment fingerprint of version ${String(doc.reprodiffEnv)}; this reprodiff reads version ${FINGERPRINT_VERSION}`, {
      suggestion: 're-run reprodiff env capture',
    });
  }
  const freeze = doc.pipFreeze;
  if (!Array.isArray(freeze) || !freeze.every((l) => typeof l === 'string')) throw new ReprodiffError('E_FORMAT', `${origin}: pipFreeze must be a list of lines`);
  const python = (doc.python ?? {}) as Record<string, unknown>;
  const platformRaw = (doc.platform ?? {}) as Record<string, unknown>;
  const platform: Record<string, string | number> = {};
  for (const key of ['system', 'release', 'machine', 'cpuModel', 'byteOrder', 'subdir'] as const) if (typeof platformRaw[key] === 'string') platform[key] = platformRaw[key];
  if (typeof platformRaw.cpuCount === 'number') platform.cpuCount = platformRaw.cpuCount;
  const packages = parseRequirements(freeze.join('\n'), origin, () => {
    throw new ReprodiffError('E_FORMAT', `${origin}: a fingerprint cannot include other files`);
  }).packages;
  return {
    ecosystem: 'python',
    format: 'fingerprint',
    origin,
    packages,
    ...(typeof python.version === 'string'
      ? { interpreter: { name: 'python', version: python.version, ...(typeof python.implementation === 'string' ? { implementation: python.implementation } : {}) } }
      : {}),
    platform: platform as Platform,
  };
}
