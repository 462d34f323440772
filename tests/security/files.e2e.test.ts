/**
 * Includes, special files, sizes, nesting: what the tool opens, it opens on purpose, and it never echoes a
 * foreign file. The hostile inputs (a fake secret outside the tree, FIFOs, deep JSON) are made here in temp folders.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { assertValidError } from '../helpers/schema.js';
import { tempDir } from './helpers.js';

const dir = tempDir('files');
const FAST = { timeoutMs: 20_000 };

/** A made-up secret, new on each run, in a file outside the project folder. */
const secret = `FAKE_TOKEN_${randomBytes(12).toString('hex')}`;
const outside = join(dir, 'outside');
const project = join(dir, 'project');
mkdirSync(join(project, 'env'), { recursive: true });
mkdirSync(outside);
writeFileSync(join(outside, 'secrets.env'), `API_TOKEN=${secret}\nOTHER=${secret}\n`);
writeFileSync(join(project, 'env', 'prod.txt'), 'numpy==1.26.4\n');

function oneLineError(r: { code: number; stdout: string; stderr: string }, code: string): void {
  expect(r.code).toBe(2);
  expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
  expect(r.stderr).toContain(code);
  expect(r.stdout + r.stderr).not.toContain(secret);
}

describe('includes stay inside the folder of the file named', () => {
  it('refuses -r and -c to a file outside, and never echoes it', async () => {
    for (const line of [`-r ../../outside/secrets.env`, `-r ${join(outside, 'secrets.env')}`, `--requirement=../../outside/secrets.env`]) {
      writeFileSync(join(project, 'env', 'research.txt'), `numpy==1.26.4\n${line}\n`);
      const r = await runCli(['env', 'env/research.txt', 'env/prod.txt'], { cwd: project, ...FAST });
      oneLineError(r, 'E_USAGE');
      expect(r.stderr).toMatch(/outside/);
      const j = await runCli(['env', 'env/research.txt', 'env/prod.txt', '--json'], { cwd: project, ...FAST });
      assertValidError(JSON.parse(j.stdout));
      expect(j.stdout).not.toContain(secret);
    }
  });

  it('refuses a symlink inside the folder that points outside', async () => {
    symlinkSync(join(outside, 'secrets.env'), join(project, 'env', 'link.txt'));
    writeFileSync(join(project, 'env', 'research.txt'), 'numpy==1.26.4\n-r link.txt\n');
    oneLineError(await runCli(['env', 'env/research.txt', 'env/prod.txt'], { cwd: project, ...FAST }), 'E_USAGE');
  });

  it('follows includes inside the folder, and a file outside named on the command line is read', async () => {
    mkdirSync(join(project, 'env', 'base'), { recursive: true });
    writeFileSync(join(project, 'env', 'base', 'common.txt'), 'scipy==1.11.0\n');
    writeFileSync(join(project, 'env', 'research.txt'), 'numpy==1.26.4\n-r base/common.txt\n');
    const r = await runCli(['env', 'env/research.txt', 'env/prod.txt', '--json'], { cwd: project, ...FAST });
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout).findings.map((f: { cause: string }) => f.cause)).toContain('package_missing');
    // Named on the command line, a file anywhere is the user's choice; its unparseable line is quoted short.
    const named = await runCli(['env', join(outside, 'secrets.env'), 'env/prod.txt'], { cwd: project, ...FAST });
    expect(named.code).toBe(2);
    expect(named.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(named.stderr).not.toContain('OTHER');
    expect(named.stderr.length).toBeLessThan(300);
  });

  it("reads a config's env: path outside the config folder, but never quotes a line of it", async () => {
    writeFileSync(join(project, 'raw.csv'), 'id,x\n1,2\n');
    writeFileSync(join(project, 'reprodiff.yml'), `research:\n  data: raw.csv\n  env: ../outside/secrets.env\nproduction:\n  data: raw.csv\n  env: env/prod.txt\n`);
    const r = await runCli(['check', 'reprodiff.yml'], { cwd: project, ...FAST });
    oneLineError(r, 'E_FORMAT');
    expect(r.stderr).toMatch(/outside the config's folder/);
    expect(r.stderr).not.toContain('OTHER');
    writeFileSync(join(project, 'reprodiff.yml'), `research:\n  data: raw.csv\n  env: /proc/self/environ\nproduction:\n  data: raw.csv\n  env: env/prod.txt\n`);
    const p = await runCli(['check', 'reprodiff.yml'], { cwd: project, ...FAST, env: { ...process.env, REPRODIFF_CANARY: secret } });
    expect(p.code).toBe(2);
    expect(p.stdout + p.stderr).not.toContain(secret);
  });
});

describe('special files and sizes: one line, exit 2, at once', () => {
  const fifo = join(dir, 'pipe.txt');
  execFileSync('mkfifo', [fifo]);
  writeFileSync(join(dir, 'ok.txt'), 'numpy==1.0\n');

  const cases: [string, string[]][] = [
    ['env /dev/zero', ['env', '/dev/zero', 'ok.txt']],
    ['env /dev/urandom', ['env', '/dev/urandom', 'ok.txt']],
    ['env FIFO', ['env', fifo, 'ok.txt']],
    ['-r /dev/zero from a file named on the command line', ['env', 'inc-zero.txt', 'ok.txt']],
    ['-r FIFO', ['env', 'inc-fifo.txt', 'ok.txt']],
    ['snapshot --env /dev/zero', ['snapshot', 'ok.csv', '--env', '/dev/zero']],
    ['config /dev/zero', ['check', '/dev/zero']],
    ['config FIFO', ['check', fifo]],
    ['data /dev/zero', ['data', '/dev/zero', 'ok.csv', '--format', 'csv']],
    ['data FIFO', ['data', fifo, 'ok.csv', '--format', 'csv']],
    ['snapshot file FIFO', ['data', 'pipe.snapshot.json', 'ok.csv']],
  ];
  writeFileSync(join(dir, 'ok.csv'), 'id,x\n1,2\n');
  writeFileSync(join(dir, 'inc-zero.txt'), 'numpy==1.0\n-r /dev/zero\n');
  symlinkSync(fifo, join(dir, 'inner-fifo.txt'));
  writeFileSync(join(dir, 'inc-fifo.txt'), 'numpy==1.0\n-r inner-fifo.txt\n');
  execFileSync('mkfifo', [join(dir, 'pipe.snapshot.json')]);
  for (const [name, args] of cases) {
    it(name, async () => {
      const started = Date.now();
      const r = await runCli(args, { cwd: dir, ...FAST });
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(/E_FORMAT|E_USAGE/);
      expect(Date.now() - started).toBeLessThan(15_000);
    });
  }

  it('an environment file over the size limit is refused without reading it', async () => {
    const big = join(dir, 'big.txt');
    execFileSync('truncate', ['-s', `${65 * 1024 * 1024}`, big]);
    const r = await runCli(['env', big, 'ok.txt'], { cwd: dir, ...FAST });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/larger than 64 MiB/);
  });

  it('permission denied and symlink loops are said as such', async () => {
    const locked = join(dir, 'locked.txt');
    writeFileSync(locked, 'numpy==1.0\n');
    chmodSync(locked, 0o000);
    symlinkSync(join(dir, 'loop-b'), join(dir, 'loop-a'));
    symlinkSync(join(dir, 'loop-a'), join(dir, 'loop-b'));
    const isRoot = process.getuid?.() === 0;
    if (!isRoot) expect((await runCli(['env', locked, 'ok.txt'], { cwd: dir, ...FAST })).stderr).toMatch(/permission denied/);
    expect((await runCli(['env', 'loop-a', 'ok.txt'], { cwd: dir, ...FAST })).stderr).toMatch(/symbolic link loop/);
    expect((await runCli(['data', 'loop-a', 'ok.csv'], { cwd: dir, ...FAST })).stderr).toMatch(/symbolic link loop/);
  });
});

describe('deeply nested JSON', () => {
  const deep = (n: number) => `${'['.repeat(n)}${']'.repeat(n)}`;

  it('data input: 30,000 levels is one line and exit 2, not a crash', async () => {
    writeFileSync(join(dir, 'deep.json'), `${JSON.stringify([{ a: 1 }])}`.replace('1', deep(30_000)));
    writeFileSync(join(dir, 'deep.ndjson'), `{"a": 1}\n{"a": ${deep(5000)}}\n`);
    writeFileSync(join(dir, 'deep.json.gz'), gzipSync(`[{"a": ${deep(200)}}]`));
    writeFileSync(join(dir, 'flat.json'), '[{"a": 1}]');
    for (const f of ['deep.json', 'deep.ndjson', 'deep.json.gz']) {
      const r = await runCli(['data', f, 'flat.json'], { cwd: dir, ...FAST });
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toMatch(/E_FORMAT: .*nested more than 100 levels/);
      const s = await runCli(['snapshot', f], { cwd: dir, ...FAST });
      expect(s.code).toBe(2);
      expect(s.stderr).toMatch(/nested more than 100 levels/);
    }
  });

  it('at the limit it is read; brackets inside strings do not count', async () => {
    // 100 levels: the outer array, the object, 98 arrays.
    writeFileSync(join(dir, 'limit.json'), `[{"a": ${deep(98)}, "s": "${'['.repeat(500)}\\"{"}]`);
    const r = await runCli(['data', 'limit.json', 'limit.json'], { cwd: dir, ...FAST });
    expect(r.code, r.stderr).toBe(0);
  });

  it('a snapshot file nested too deep is E_SNAPSHOT', async () => {
    writeFileSync(join(dir, 'deep.snapshot.json'), `{"snapshotVersion": ${deep(50_000)}}`);
    const r = await runCli(['data', 'deep.snapshot.json', 'ok.csv'], { cwd: dir, ...FAST });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/E_SNAPSHOT: .*nested more than 100 levels/);
  });
});

describe('compressed inputs', () => {
  it('a truncated or CRC-damaged .csv.gz is E_FORMAT, a sound one is read', async () => {
    const rows = `${['id,x', ...Array.from({ length: 3000 }, (_, i) => `${i},v${i % 7}`)].join('\n')}\n`;
    const gz = gzipSync(rows);
    writeFileSync(join(dir, 'sound.csv.gz'), gz);
    writeFileSync(join(dir, 'plain.csv'), rows);
    writeFileSync(join(dir, 'cut.csv.gz'), gz.subarray(0, Math.floor(gz.length / 2)));
    const crc = Buffer.from(gz);
    crc[crc.length - 6]! ^= 0xff;
    writeFileSync(join(dir, 'crc.csv.gz'), crc);
    expect((await runCli(['data', 'sound.csv.gz', 'plain.csv'], { cwd: dir, ...FAST })).code).toBe(0);
    for (const f of ['cut.csv.gz', 'crc.csv.gz']) {
      const r = await runCli(['data', f, 'plain.csv'], { cwd: dir, ...FAST });
      expect(r.code, f).toBe(2);
      expect(r.stderr).toMatch(/E_FORMAT: .*corrupt or truncated gzip/);
    }
  });
});

describe('reader errors', () => {
  it('a damaged Arrow file: one line naming the input as typed, no JavaScript internals', async () => {
    const bytes = Buffer.alloc(300);
    for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 197 + 89) % 256;
    writeFileSync(join(dir, 'junk.arrow'), bytes);
    const r = await runCli(['data', 'junk.arrow', 'ok.csv'], { cwd: dir, ...FAST });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^reprodiff: E_FORMAT: junk\.arrow: /);
    expect(r.stderr).not.toContain(dir);
    expect(r.stderr).not.toMatch(/The value of "|RangeError|TypeError|at [\w.]+ \(/);
  });
});
