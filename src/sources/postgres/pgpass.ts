import { readFileSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

export interface PassQuery {
  readonly host: string;
  readonly port: string;
  readonly database: string;
  readonly user: string;
}

/**
 * The password for a connection from the password file, as libpq finds it: `$PGPASSFILE` or `~/.pgpass`,
 * lines `host:port:database:user:password` with `*` wildcards and `\:`/`\\` escapes, the first match wins; a
 * Unix-socket host matches `localhost`. Like libpq, a file others may read is ignored.
 */
export function passwordFromFile(q: PassQuery, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const file = env.PGPASSFILE || join(homedir(), '.pgpass');
  let text: string;
  try {
    const st = statSync(file);
    if (!st.isFile() || (process.platform !== 'win32' && (st.mode & 0o077) !== 0)) return undefined;
    text = readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
  const host = q.host.startsWith('/') || q.host === '' ? 'localhost' : q.host;
  for (const line of text.split(/\r?\n/)) {
    if (!line.trim() || line.startsWith('#')) continue;
    const fields = splitFields(line);
    if (fields.length < 5) continue;
    const [h, p, d, u] = fields;
    const password = fields.slice(4).join(':');
    const match = (pattern: string, value: string) => pattern === '*' || pattern === value;
    if (match(h!, host) && match(p!, q.port) && match(d!, q.database) && match(u!, q.user)) return password;
  }
  return undefined;
}

function splitFields(line: string): string[] {
  const out: string[] = [];
  let cur = '';
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (c === '\\' && i + 1 < line.length) cur += line[++i];
    else if (c === ':' && out.length < 4) {
      out.push(cur);
      cur = '';
    } else cur += c;
  }
  out.push(cur);
  return out;
}
