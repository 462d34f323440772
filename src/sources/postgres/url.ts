import { ReprodiffError } from '../../errors.js';

/** What a `postgres://…#table` or `postgres://…#SELECT …` input names: a server, and a table or a query on it. */
export interface DatabaseTarget {
  readonly engine: 'postgres';
  /** What the user typed with every credential removed: the only form that reaches messages and reports. */
  readonly label: string;
  /** The connection string without its fragment (may hold a password: never print it). */
  readonly connectionString: string;
  /** host:port/database as the URL names it (empty parts are filled from PG* variables at connect time). */
  readonly server: { readonly host: string; readonly port: string; readonly database: string; readonly user: string };
  readonly relation: { readonly schema?: string; readonly table: string } | { readonly query: string };
}

const SCHEME = /^postgres(?:ql)?:\/\//i;

/** True when an input names a PostgreSQL table or query rather than a file. */
export function isDatabaseInput(input: string): boolean {
  return SCHEME.test(input.trim());
}

/** A query rather than a table name: the fragment starts with SELECT, WITH, VALUES or TABLE, or is parenthesised. */
function looksLikeQuery(fragment: string): boolean {
  return /^\s*(\(|(select|with|values|table)\s)/i.test(fragment);
}

/**
 * Parses `postgres://[user[:password]@]host[:port]/db[?params]#[schema.]table` (or `#SELECT …`, a query). The
 * fragment is split off before the URL is parsed, so a query may hold any character. Identifiers are taken
 * as written (case kept); `"a.b"` quotes a name holding a dot.
 */
export function parseDatabaseInput(input: string): DatabaseTarget {
  const text = input.trim();
  const hash = text.indexOf('#');
  const base = hash >= 0 ? text.slice(0, hash) : text;
  const fragment = hash >= 0 ? text.slice(hash + 1) : '';
  // `postgres://user:pa#ss@host/db#t`: a '#' inside an unencoded password would put the rest of the password in
  // the "table"; refuse without echoing any of it.
  const authority = base.replace(SCHEME, '');
  if (!authority.includes('@') && !authority.includes('/') && /^[^/\s]*@/.test(fragment)) {
    throw new ReprodiffError('E_USAGE', `${SCHEME.exec(text)?.[0] ?? 'postgres://'}…: the password seems to contain '#'`, {
      suggestion: "percent-encode it in the URL ('#' is %23), or use PGPASSWORD or the password file",
    });
  }
  let url: URL;
  try {
    url = new URL(base.replace(SCHEME, 'postgres://'));
  } catch {
    throw new ReprodiffError('E_USAGE', `${redactUrl(base)}: not a valid postgres:// URL`, { suggestion: 'write postgres://user@host:5432/database#schema.table' });
  }
  const server = {
    host: decodeURIComponent(url.hostname || url.searchParams.get('host') || ''),
    port: url.port || url.searchParams.get('port') || '',
    database: decodeURIComponent(url.pathname.replace(/^\//, '')),
    user: decodeURIComponent(url.username || url.searchParams.get('user') || ''),
  };
  const label = `${redactUrl(base)}#${fragment}`;
  if (!fragment.trim()) {
    throw new ReprodiffError('E_USAGE', `${redactUrl(base)}: no table or query after '#'`, { suggestion: 'write postgres://user@host/db#schema.table or postgres://user@host/db#SELECT …' });
  }
  const relation = looksLikeQuery(fragment) ? { query: stripParens(fragment.trim()) } : parseTableName(fragment, label);
  return { engine: 'postgres', label, connectionString: base, server, relation };
}

function stripParens(q: string): string {
  return q.startsWith('(') && q.endsWith(')') ? q.slice(1, -1).trim() : q.replace(/;\s*$/, '');
}

/** `schema.table`, `table`, or quoted parts (`"My Schema"."My Table"`, `""` inside quotes is a quote). */
export function parseTableName(text: string, label: string): { schema?: string; table: string } {
  const parts: string[] = [];
  let i = 0;
  const s = text.trim();
  while (i < s.length) {
    let part = '';
    if (s[i] === '"') {
      i++;
      for (;;) {
        if (i >= s.length) throw new ReprodiffError('E_USAGE', `${label}: unclosed quote in the table name`, { suggestion: 'write #"schema"."table"' });
        if (s[i] === '"' && s[i + 1] === '"') {
          part += '"';
          i += 2;
        } else if (s[i] === '"') {
          i++;
          break;
        } else part += s[i++];
      }
    } else {
      while (i < s.length && s[i] !== '.') part += s[i++];
    }
    parts.push(part);
    if (i < s.length) {
      if (s[i] !== '.') throw new ReprodiffError('E_USAGE', `${label}: cannot read the table name`, { suggestion: 'write #schema.table' });
      i++;
    }
  }
  if (parts.length === 0 || parts.length > 2 || parts.some((p) => p === '')) {
    throw new ReprodiffError('E_USAGE', `${label}: cannot read the table name`, { suggestion: 'write #table or #schema.table (quote names holding dots)' });
  }
  return parts.length === 2 ? { schema: parts[0]!, table: parts[1]! } : { table: parts[0]! };
}

/** Parameters that carry secrets in a connection string's query. */
const SECRET_PARAMS = /^(password|passfile|sslpassword|sslkey|sslcert|sslrootcert)$/i;

/**
 * A connection string as it may be shown: the password (and secret query parameters) removed. Anything
 * unparsable is reduced to its scheme and host-looking part rather than risk echoing a secret.
 */
export function redactUrl(text: string): string {
  const scheme = SCHEME.exec(text)?.[0] ?? 'postgres://';
  try {
    const url = new URL(text.replace(SCHEME, 'postgres://'));
    const user = url.username ? `${url.username}@` : '';
    const params = [...url.searchParams.entries()].filter(([k]) => !SECRET_PARAMS.test(k)).map(([k, v]) => `${k}=${v}`);
    return `${scheme}${user}${url.host}${url.pathname}${params.length ? `?${params.join('&')}` : ''}`;
  } catch {
    const rest = text.replace(SCHEME, '');
    const at = rest.lastIndexOf('@');
    return `${scheme}${(at >= 0 ? rest.slice(at + 1) : rest).replace(/[?#].*$/, '')}`;
  }
}
