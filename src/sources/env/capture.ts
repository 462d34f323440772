/**
 * Captures the current Python environment as a fingerprint: the interpreter (`python -m pip freeze`,
 * version, implementation, platform) plus OS/CPU facts. Python runs with a time limit; no Python, no
 * pip, or a hang is a one-line ReprodiffError.
 */
import { spawnSync } from 'node:child_process';
import { arch, cpus, endianness, release, type } from 'node:os';
import { ReprodiffError } from '../../errors.js';
import { FINGERPRINT_VERSION } from './fingerprint.js';
import type { Fingerprint } from './fingerprint.js';

export interface CaptureOptions {
  /** Interpreter to run; default: `python3`, then `python`, on PATH. */
  readonly python?: string;
  /** Per-call time limit in milliseconds (default 60 s). */
  readonly timeoutMs?: number;
  /** Clock, injectable for tests. */
  readonly now?: () => Date;
}

const PROBE = [
  'import json, platform, sys',
  'print(json.dumps({"version": platform.python_version(), "implementation": platform.python_implementation(),',
  ' "executable": sys.executable, "system": platform.system(), "release": platform.release(),',
  ' "machine": platform.machine(), "byteOrder": sys.byteorder}))',
].join('\n');

interface RunResult {
  readonly stdout: string;
  readonly stderr: string;
  readonly status: number | null;
}

function run(python: string, args: readonly string[], timeoutMs: number): RunResult | 'absent' {
  const r = spawnSync(python, args, {
    encoding: 'utf8',
    timeout: timeoutMs,
    maxBuffer: 64 * 1024 * 1024,
    env: { ...process.env, PYTHONIOENCODING: 'utf-8', PIP_DISABLE_PIP_VERSION_CHECK: '1', PIP_NO_INPUT: '1' },
    windowsHide: true,
  });
  if (r.error) {
    const code = (r.error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'EACCES') return 'absent';
    if (code === 'ETIMEDOUT') throw new ReprodiffError('E_TIMEOUT', `${python} did not answer within ${Math.round(timeoutMs / 1000)} s`, { suggestion: 'raise --timeout or check the interpreter' });
    throw new ReprodiffError('E_PYTHON', `cannot run ${python}: ${r.error.message}`);
  }
  if (r.signal) throw new ReprodiffError('E_TIMEOUT', `${python} did not answer within ${Math.round(timeoutMs / 1000)} s`, { suggestion: 'raise --timeout or check the interpreter' });
  return { stdout: r.stdout, stderr: r.stderr, status: r.status };
}

function lastLine(text: string): string {
  return text.trim().split(/\r?\n/).pop() ?? '';
}

/** Runs the interpreter and returns the fingerprint; throws E_PYTHON when Python or pip is missing. */
export function captureEnvironment(options: CaptureOptions = {}): Fingerprint {
  const timeoutMs = options.timeoutMs ?? 60_000;
  const candidates = options.python ? [options.python] : ['python3', 'python'];
  let python: string | undefined;
  let probe: RunResult | undefined;
  for (const candidate of candidates) {
    const r = run(candidate, ['-c', PROBE], timeoutMs);
    if (r === 'absent') continue;
    python = candidate;
    probe = r;
    break;
  }
  if (!python || !probe) {
    throw new ReprodiffError('E_PYTHON', options.python ? `Python interpreter not found: ${options.python}` : 'no Python interpreter on PATH (tried python3, python)', {
      suggestion: options.python ? 'check the --python path' : 'install Python, activate the environment, or pass --python PATH',
    });
  }
  let facts: Record<string, unknown>;
  try {
    if (probe.status !== 0) throw new Error(lastLine(probe.stderr));
    facts = JSON.parse(lastLine(probe.stdout)) as Record<string, unknown>;
  } catch (e) {
    throw new ReprodiffError('E_PYTHON', `${python} is not a working Python 3 interpreter: ${(e as Error).message || 'no output'}`, { suggestion: 'pass --python PATH' });
  }
  const freeze = run(python, ['-m', 'pip', 'freeze'], timeoutMs);
  if (freeze === 'absent' || freeze.status !== 0) {
    const why = freeze === 'absent' ? 'not found' : lastLine(freeze.stderr) || `exit ${freeze.status}`;
    throw new ReprodiffError('E_PYTHON', `pip freeze failed for ${python}: ${why}`, { suggestion: 'install pip in that environment (python -m ensurepip)' });
  }
  const cpuList = cpus();
  const str = (x: unknown, fallback: string): string => (typeof x === 'string' && x !== '' ? x : fallback);
  return {
    reprodiffEnv: FINGERPRINT_VERSION,
    capturedAt: (options.now ?? (() => new Date()))().toISOString(),
    python: { executable: str(facts.executable, python), version: str(facts.version, ''), implementation: str(facts.implementation, '') },
    platform: {
      system: str(facts.system, type()),
      release: str(facts.release, release()),
      machine: str(facts.machine, arch()),
      cpuModel: cpuList[0]?.model?.trim() ?? 'unknown',
      cpuCount: cpuList.length,
      byteOrder: str(facts.byteOrder, endianness() === 'LE' ? 'little' : 'big'),
    },
    pipFreeze: freeze.stdout
      .split(/\r?\n/)
      .map((l) => l.trimEnd())
      .filter((l) => l !== ''),
  };
}
