import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { assertValidError, assertValidReport } from '../helpers/schema.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const fixture = (p: string) => join(root, 'tests/fixtures/env', p);
const tmp = mkdtempSync(join(tmpdir(), 'reprodiff-env-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function cli(args: string[], env: NodeJS.ProcessEnv = {}) {
  const r = spawnSync(process.execPath, [join(root, 'bin/run.js'), ...args], {
    cwd: root,
    encoding: 'utf8',
    // NODE_ENV=production as for users: under vitest (NODE_ENV=test) oclif adds developer warnings to stderr.
    env: { ...process.env, NO_COLOR: '1', NODE_ENV: 'production', ...env },
    timeout: 60_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function json(args: string[], env?: NodeJS.ProcessEnv) {
  const r = cli([...args, '--json'], env);
  return { ...r, report: JSON.parse(r.stdout) as Record<string, any> };
}

describe('reprodiff env A B', () => {
  it.each([
    ['equal/research.txt', 'equal/production.txt', 0],
    ['conda/conda-export.txt', 'conda/pip-freeze.txt', 0],
    ['conda/conda-list.txt', 'conda/pip-freeze.txt', 0],
    ['requirements/requirements.txt', 'requirements/production-freeze.txt', 0],
    ['pip-freeze/research.txt', 'pip-freeze/production.txt', 1],
    ['conda/environment.yml', 'conda/conda-export.txt', 1],
    ['poetry/poetry.lock', 'uv/uv.lock', 1],
    ['pipfile/Pipfile.lock', 'poetry/poetry.lock', 1],
    ['renv/research.lock', 'renv/renv.lock', 1],
    ['npm/package-lock.json', 'npm/npm-shrinkwrap.json', 1],
    ['fingerprint/research.json', 'fingerprint/production.json', 1],
  ])('%s vs %s exits %i with a valid env report', (a, b, code) => {
    const r = json(['env', fixture(a), fixture(b)]);
    expect(r.code).toBe(code);
    assertValidReport(r.report);
    expect(r.report).toMatchObject({ schemaVersion: '1', command: 'env', verdict: code === 0 ? 'equal' : 'different', firstBrokenStage: code === 0 ? null : 'env' });
    expect(r.report.stages).toHaveLength(1);
    expect(r.report.stages[0].stage).toBe('env');
    for (const f of r.report.findings) {
      expect(f.stage).toBe('env');
      expect(['library_version', 'interpreter_version', 'package_missing', 'package_extra', 'platform_change']).toContain(f.cause);
      expect(f.columns.length).toBe(1);
    }
  });

  it('names the numerical breaks in the pip freeze pair', () => {
    const { report } = json(['env', fixture('pip-freeze/research.txt'), fixture('pip-freeze/production.txt')]);
    const errors = report.findings
      .filter((f: any) => f.severity === 'error')
      .map((f: any) => [f.cause, f.columns[0]])
      .sort();
    expect(errors).toEqual([
      ['library_version', 'lightgbm'],
      ['library_version', 'numpy'],
      ['package_extra', 'polars'],
      ['package_missing', 'catboost'],
    ]);
    expect(report.stages[0].summary).toMatchObject({ packagesCompared: 15, changed: 6, onlyInResearch: 2, onlyInProduction: 2 });
  });

  it('is byte-identical across runs', () => {
    const args = ['env', fixture('conda/environment.yml'), fixture('conda/conda-export.txt'), '--json'];
    expect(cli(args).stdout).toBe(cli(args).stdout);
  });

  it('--fail-on error lets warnings pass', () => {
    expect(cli(['env', fixture('npm/package-lock.json'), fixture('npm/npm-shrinkwrap.json'), '--fail-on', 'error']).code).toBe(0);
  });

  it('--numeric-packages raises a package to numerical', () => {
    const { report, code } = json(['env', fixture('renv/research.lock'), fixture('renv/renv.lock'), '--numeric-packages', 'glmnet,ranger']);
    expect(code).toBe(1);
    const glmnet = report.findings.find((f: any) => f.columns[0] === 'glmnet');
    expect(glmnet).toMatchObject({ severity: 'warning', evidence: { numerical: true } });
  });

  it.each([
    [['env', 'nope.txt', 'also-nope.txt'], /E_FILE_NOT_FOUND/],
    [['env', fixture('renv/renv.lock'), fixture('pip-freeze/research.txt')], /E_USAGE: cannot compare/],
    [['env', fixture('pip-freeze')], /E_USAGE/],
  ])('bad input %j: one line, exit 2', (args, pattern) => {
    const r = cli(args);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(pattern);
  });

  it('--json errors are an error document', () => {
    const r = cli(['env', 'nope.txt', 'nope.txt', '--json']);
    expect(r.code).toBe(2);
    assertValidError(r.stdout);
    expect(JSON.parse(r.stdout).error.code).toBe('E_FILE_NOT_FOUND');
  });

  it('a CSV is refused in one line', () => {
    const path = join(tmp, 'data.csv');
    writeFileSync(path, 'id,amount\n1,2.5\n');
    const r = cli(['env', path, path]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^reprodiff: E_FORMAT: /);
  });
});

function fakePython(name: string, script: string): string {
  const path = join(tmp, name);
  writeFileSync(path, `#!/bin/sh\n${script}\n`);
  chmodSync(path, 0o755);
  return path;
}

const PROBE_OK = `if [ "$1" = "-c" ]; then echo '{"version": "3.12.1", "implementation": "CPython", "executable": "/fake/python", "system": "Linux", "release": "6.1", "machine": "x86_64", "byteOrder": "little"}'; exit 0; fi`;

describe.skipIf(process.platform === 'win32')('reprodiff env capture', () => {
  it('writes a fingerprint that reprodiff env reads', () => {
    const python = fakePython('python-ok', `${PROBE_OK}\nprintf 'numpy==1.26.4\\npandas==2.1.4\\nscikit-learn==1.3.2\\n'`);
    const out = join(tmp, 'captured.json');
    const r = cli(['env', 'capture', '--python', python, '-o', out]);
    expect(r.code).toBe(0);
    const fp = JSON.parse(readFileSync(out, 'utf8'));
    expect(fp).toMatchObject({ reprodiffEnv: '1', python: { version: '3.12.1', executable: '/fake/python' }, platform: { system: 'Linux', machine: 'x86_64' } });
    expect(fp.pipFreeze).toEqual(['numpy==1.26.4', 'pandas==2.1.4', 'scikit-learn==1.3.2']);
    expect(typeof fp.platform.cpuCount).toBe('number');
    const cmp = json(['env', fixture('fingerprint/production.json'), out]);
    expect(cmp.code).toBe(1);
    expect(cmp.report.findings.find((f: any) => f.cause === 'interpreter_version')).toMatchObject({ severity: 'warning', evidence: { research: '3.11.8', production: '3.12.1' } });
  });

  it('--json prints the fingerprint', () => {
    const python = fakePython('python-json', `${PROBE_OK}\necho 'numpy==2.0.0'`);
    const { report, code } = json(['env', 'capture', '--python', python]);
    expect(code).toBe(0);
    expect(report.pipFreeze).toEqual(['numpy==2.0.0']);
  });

  it('fails in one line when the given Python is absent', () => {
    const r = cli(['env', 'capture', '--python', join(tmp, 'no-such-python')]);
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toMatch(/^reprodiff: E_PYTHON: Python interpreter not found: .*no-such-python \(check the --python path\)$/);
  });

  it('fails in one line when no Python is on PATH', () => {
    const empty = mkdtempSync(join(tmp, 'empty-path-'));
    const r = cli(['env', 'capture'], { PATH: empty });
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/E_PYTHON: no Python interpreter on PATH/);
  });

  it('fails in one line when pip is missing', () => {
    const python = fakePython('python-nopip', `${PROBE_OK}\necho '/fake/python: No module named pip' >&2; exit 1`);
    const r = cli(['env', 'capture', '--python', python]);
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toMatch(/^reprodiff: E_PYTHON: pip freeze failed for .*: \/fake\/python: No module named pip/);
  });

  it('fails in one line when the interpreter is not Python', () => {
    const python = fakePython('python-broken', `echo 'garbage'`);
    const r = cli(['env', 'capture', '--python', python]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/E_PYTHON: .* is not a working Python 3 interpreter/);
  });

  it('times out a hanging interpreter', () => {
    const python = fakePython('python-hang', 'exec sleep 30');
    const started = Date.now();
    const r = cli(['env', 'capture', '--python', python, '--timeout', '1']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/E_TIMEOUT: .* did not answer within 1 s/);
    expect(Date.now() - started).toBeLessThan(15_000);
  });

  const realPython = ['python3', 'python'].find((p) => spawnSync(p, ['-m', 'pip', '--version'], { encoding: 'utf8' }).status === 0);
  it.skipIf(!realPython)('captures the real interpreter on PATH and compares equal to itself', () => {
    const out = join(tmp, 'real.json');
    expect(cli(['env', 'capture', '-o', out]).code).toBe(0);
    const r = json(['env', out, out]);
    expect(r.code).toBe(0);
    expect(r.report.findings).toEqual([]);
    expect(r.report.stages[0].summary.research.interpreter).toMatch(/^python 3\./);
  });
});
