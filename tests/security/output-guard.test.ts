import { describe, expect, it } from 'vitest';
import { defuse } from '../../src/cli/output-guard.js';
import { excerpt, shown, truncate, visible } from '../../src/text/escape.js';

/** Feeds chunks through the guard the way a stream would, carrying the line state. */
function through(...chunks: string[]): string {
  let atLineStart = true;
  let out = '';
  for (const c of chunks) {
    const r = defuse(c, atLineStart);
    atLineStart = r.atLineStart;
    out += r.text;
  }
  return out;
}

describe('output guard (the last step before stdout/stderr)', () => {
  it('defuses a workflow command at the start of any line, blanks first included', () => {
    expect(through('ok\n::add-mask::s\n   ::stop-commands::t\n')).toBe('ok\n\\u003a:add-mask::s\n   \\u003a:stop-commands::t\n');
    expect(through('a :: b\n')).toBe('a :: b\n');
  });

  it('catches a command split over two writes, and one that starts a write mid-line does not count', () => {
    const out = through('line\n', ':', ':add-mask::s\n');
    expect(out.split('\n').some((l) => l.startsWith('::'))).toBe(false);
    expect(through('x', '::y\n')).toBe('x::y\n');
    expect(through('  ', '::y\n')).toBe('  \\u003a:y\n');
  });

  it('defuses the older ##[ syntax anywhere in a line', () => {
    expect(through('value ##[add-mask]s\n')).toBe('value #\\u0023[add-mask]s\n');
  });

  it('escapes control characters but keeps colours, tabs and line feeds', () => {
    expect(through('\u001b[31mred\u001b[39m\tx\n')).toBe('\u001b[31mred\u001b[39m\tx\n');
    expect(through('a\u001b]0;title\u0007b\rc\u202ed\u0085\n')).toBe('a\\u001b]0;title\\u0007b\\u000dc\\u202ed\\u0085\n');
  });

  it('keeps --json valid and equal in meaning', () => {
    const doc = { v: 'a\u202e##[x]\u0085', k: ['\u2028'] };
    const out = through(`${JSON.stringify(doc, null, 2)}\n`);
    expect(JSON.parse(out)).toEqual(doc);
    expect(out).not.toMatch(/[\u0085\u2028\u202e]/);
  });
});

describe('escape helpers', () => {
  it('makes data one visible line', () => {
    expect(visible('a\nb\r\tc\u001b[2J\u202e\u0000')).toBe('a\\nb\\r\\tc\\u001B[2J\\u202E\\u0000');
    expect(visible('plain café 💡')).toBe('plain café 💡');
  });

  it('cuts long text with an ellipsis, never inside a surrogate pair', () => {
    expect(truncate('x'.repeat(5000))).toHaveLength(1000);
    expect(truncate('x'.repeat(5000)).endsWith('…')).toBe(true);
    const emoji = truncate('💡'.repeat(10), 6);
    expect(emoji).toBe('💡💡…');
    expect(shown('a\n'.repeat(3000)).length).toBeLessThan(2100);
    expect(excerpt('SECRET='.repeat(100))).toHaveLength(40);
  });
});
