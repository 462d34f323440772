/**
 * PEP 508 environment markers (`python_version < "3.12" and sys_platform == "linux"`), evaluated with
 * three-valued logic: a variable the environment does not know makes a clause `undefined`, so a
 * requirement is dropped only when its marker is definitely false.
 */
import { satisfies, isValidVersion } from './pep440.js';

/** Marker variables known about an environment (`python_version`, `sys_platform`, …). */
export type MarkerContext = Readonly<Record<string, string | undefined>>;

type Token = { kind: 'var' | 'str' | 'op' | 'and' | 'or' | 'lp' | 'rp'; text: string };

const TOKEN = /\s*(?:(\()|(\))|('[^']*'|"[^"]*")|(===|==|!=|<=|>=|~=|<|>|not\s+in\b|in\b)|(and\b|or\b)|([A-Za-z_][A-Za-z0-9_.]*))/y;

function tokenize(text: string): Token[] | null {
  const tokens: Token[] = [];
  TOKEN.lastIndex = 0;
  while (TOKEN.lastIndex < text.length) {
    if (/^\s*$/.test(text.slice(TOKEN.lastIndex))) break;
    const m = TOKEN.exec(text);
    if (!m) return null;
    if (m[1]) tokens.push({ kind: 'lp', text: '(' });
    else if (m[2]) tokens.push({ kind: 'rp', text: ')' });
    else if (m[3]) tokens.push({ kind: 'str', text: m[3].slice(1, -1) });
    else if (m[4]) tokens.push({ kind: 'op', text: m[4].replace(/\s+/, ' ') });
    else if (m[5]) tokens.push({ kind: m[5] as 'and' | 'or', text: m[5] });
    else if (m[6]) tokens.push({ kind: 'var', text: m[6].replace(/^(os|sys|platform)\./, (_, p: string) => `${p}_`) });
  }
  return tokens;
}

type Tri = boolean | undefined;

function and(a: Tri, b: Tri): Tri {
  if (a === false || b === false) return false;
  return a === true && b === true ? true : undefined;
}

function or(a: Tri, b: Tri): Tri {
  if (a === true || b === true) return true;
  return a === false && b === false ? false : undefined;
}

function compare(lhs: string, op: string, rhs: string): boolean {
  if (op === 'in') return rhs.includes(lhs);
  if (op === 'not in') return !rhs.includes(lhs);
  if (isValidVersion(lhs) && isValidVersion(rhs.replace(/\.\*$/, ''))) return satisfies(lhs, `${op}${rhs}`);
  switch (op) {
    case '==':
    case '===':
      return lhs === rhs;
    case '!=':
      return lhs !== rhs;
    case '<':
      return lhs < rhs;
    case '<=':
      return lhs <= rhs;
    case '>':
      return lhs > rhs;
    case '>=':
      return lhs >= rhs;
    default:
      return false;
  }
}

/** Evaluates a marker: `true`/`false`, or `undefined` when it depends on something unknown or does not parse. */
export function evaluateMarker(marker: string, context: MarkerContext): boolean | undefined {
  const tokens = tokenize(marker);
  if (!tokens || tokens.length === 0) return undefined;
  let pos = 0;
  let failed = false;
  const value = (t: Token | undefined): string | undefined => {
    if (!t) {
      failed = true;
      return undefined;
    }
    if (t.kind === 'str') return t.text;
    if (t.kind === 'var') return context[t.text];
    failed = true;
    return undefined;
  };
  const atom = (): Tri => {
    const t = tokens[pos];
    if (t?.kind === 'lp') {
      pos++;
      const r = orExpr();
      if (tokens[pos]?.kind !== 'rp') failed = true;
      pos++;
      return r;
    }
    const lhsTok = tokens[pos++];
    const opTok = tokens[pos++];
    const rhsTok = tokens[pos++];
    if (opTok?.kind !== 'op') {
      failed = true;
      return undefined;
    }
    const lhs = value(lhsTok);
    const rhs = value(rhsTok);
    if (lhs === undefined || rhs === undefined) return undefined;
    return compare(lhs, opTok.text, rhs);
  };
  const andExpr = (): Tri => {
    let r = atom();
    while (tokens[pos]?.kind === 'and') {
      pos++;
      r = and(r, atom());
    }
    return r;
  };
  const orExpr = (): Tri => {
    let r = andExpr();
    while (tokens[pos]?.kind === 'or') {
      pos++;
      r = or(r, andExpr());
    }
    return r;
  };
  const result = orExpr();
  if (failed || pos !== tokens.length) return undefined;
  return result;
}
