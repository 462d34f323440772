/**
 * A throwaway PostgreSQL server for the tests: `initdb` in a temporary folder, started with `pg_ctl` on a
 * private port (loopback only) and a socket in that folder, stopped and removed afterwards. Run as root (CI
 * containers), the server runs as the unprivileged `postgres` system user through `runuser`, since
 * PostgreSQL refuses to run as root. Password authentication (scram-sha-256) is on, so the tests exercise
 * the same login path as a real server.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';

export interface PgServer {
  readonly host: string;
  readonly port: number;
  readonly socketDir: string;
  /** Superuser that loads fixtures (the CLI never logs in as it). */
  readonly adminUser: string;
  readonly adminPassword: string;
  readonly dir: string;
  readonly binDir: string;
  readonly runAs: string | null;
}

/** A password no output may ever contain (tests grep every output for it). */
export const READER_PASSWORD = 'Hunter2-S3cret-pw-XyZ';
export const READER_USER = 'reader';
export const DATABASE = 'rdtest';

/** The newest PostgreSQL server binaries on this machine, or null. */
export function findBinDir(): string | null {
  // REPRODIFF_PG_BIN names the folder of initdb/pg_ctl, and is then the only place looked at.
  const fromEnv = process.env.REPRODIFF_PG_BIN;
  if (fromEnv) return existsSync(join(fromEnv, 'initdb')) ? fromEnv : null;
  const root = '/usr/lib/postgresql';
  if (existsSync(root)) {
    const versions = readdirSync(root)
      .filter((v) => existsSync(join(root, v, 'bin', 'initdb')))
      .sort((a, b) => Number(b) - Number(a));
    if (versions.length) return join(root, versions[0]!, 'bin');
  }
  const which = spawnSync('sh', ['-c', 'command -v initdb'], { encoding: 'utf8' });
  const path = which.stdout.trim();
  return which.status === 0 && path ? path.replace(/\/initdb$/, '') : null;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

function run(server: Pick<PgServer, 'binDir' | 'runAs'>, tool: string, args: readonly string[]): void {
  const exe = join(server.binDir, tool);
  const [cmd, argv] = server.runAs ? ['runuser', ['-u', server.runAs, '--', exe, ...args]] : [exe, [...args]];
  execFileSync(cmd, argv, { stdio: ['ignore', 'pipe', 'pipe'], timeout: 60_000 });
}

/** Starts a server, or throws an Error whose message says in one line why it cannot. */
export async function startServer(): Promise<PgServer> {
  const binDir = findBinDir();
  if (!binDir)
    throw new Error(`no PostgreSQL server binaries (initdb) found${process.env.REPRODIFF_PG_BIN ? ` in REPRODIFF_PG_BIN=${process.env.REPRODIFF_PG_BIN}` : ''}; install Debian's postgresql package`);
  const isRoot = userInfo().uid === 0;
  const runAs = isRoot ? (process.env.REPRODIFF_PG_USER ?? 'postgres') : null;
  if (runAs && spawnSync('id', ['-u', runAs]).status !== 0) throw new Error(`running as root and there is no '${runAs}' user to run PostgreSQL as`);
  const dir = mkdtempSync(join(tmpdir(), 'reprodiff-pg-'));
  const adminPassword = `admin-${Math.random().toString(36).slice(2)}`;
  const server: PgServer = { host: '127.0.0.1', port: await freePort(), socketDir: dir, adminUser: 'rdadmin', adminPassword, dir, binDir, runAs };
  try {
    const pwfile = join(dir, 'pw');
    writeFileSync(pwfile, `${adminPassword}\n`, { mode: 0o600 });
    if (runAs) {
      const uid = Number(execFileSync('id', ['-u', runAs], { encoding: 'utf8' }).trim());
      const gid = Number(execFileSync('id', ['-g', runAs], { encoding: 'utf8' }).trim());
      chownSync(dir, uid, gid);
      chownSync(pwfile, uid, gid);
    }
    run(server, 'initdb', ['-D', join(dir, 'data'), '-U', server.adminUser, '--auth=scram-sha-256', `--pwfile=${pwfile}`, '-E', 'UTF8', '--locale=C', '-N']);
    const opts = `-p ${server.port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=40`;
    run(server, 'pg_ctl', ['-D', join(dir, 'data'), '-o', opts, '-l', join(dir, 'log'), '-w', '-t', '60', 'start']);
    return server;
  } catch (e) {
    rmSync(dir, { recursive: true, force: true });
    const err = e as Error & { stderr?: Buffer };
    const why =
      (err.stderr?.toString() || err.message)
        .split('\n')
        .map((l) => l.trim())
        .filter(Boolean)
        .slice(-1)[0] ?? err.message;
    throw new Error(`cannot start a test PostgreSQL server: ${why}`);
  }
}

/** Stops the server (immediate shutdown: nothing in it is kept) and removes its folder. */
export function stopServer(server: PgServer): void {
  try {
    run(server, 'pg_ctl', ['-D', join(server.dir, 'data'), '-m', 'immediate', '-w', 'stop']);
  } finally {
    rmSync(server.dir, { recursive: true, force: true });
  }
}
