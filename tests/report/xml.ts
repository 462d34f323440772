/**
 * A strict little XML 1.0 reader for tests: it throws on anything not well-formed (unbalanced tags,
 * unquoted or duplicate attributes, raw `<` or stray `&`, characters XML forbids) and returns a tree.
 * Enough for the JUnit output, which uses no DTD, CDATA or namespaces.
 */
export interface XmlElement {
  readonly name: string;
  readonly attrs: Readonly<Record<string, string>>;
  readonly children: XmlElement[];
  text: string;
}

const ILLEGAL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const NAME = '[A-Za-z_][A-Za-z0-9_.-]*';
const ENTITY = /&(?:amp|lt|gt|quot|apos|#[0-9]+|#x[0-9A-Fa-f]+);/g;

function decode(raw: string, where: string): string {
  if (/&(?!(?:amp|lt|gt|quot|apos|#[0-9]+|#x[0-9A-Fa-f]+);)/.test(raw)) throw new Error(`stray & in ${where}: ${raw.slice(0, 80)}`);
  return raw.replace(ENTITY, (e) => {
    if (e === '&amp;') return '&';
    if (e === '&lt;') return '<';
    if (e === '&gt;') return '>';
    if (e === '&quot;') return '"';
    if (e === '&apos;') return "'";
    const code = e[2] === 'x' ? parseInt(e.slice(3, -1), 16) : parseInt(e.slice(2, -1), 10);
    const ch = String.fromCodePoint(code);
    if (ILLEGAL.test(ch)) throw new Error(`character reference to an illegal character: ${e}`);
    return ch;
  });
}

/** Parses `xml` or throws with what is wrong. */
export function parseXml(xml: string): XmlElement {
  const bad = ILLEGAL.exec(xml);
  if (bad) throw new Error(`illegal XML character U+${bad[0].charCodeAt(0).toString(16)} at ${bad.index}`);
  let rest = xml.replace(/^<\?xml[^?]*\?>\s*/, '');
  const stack: XmlElement[] = [];
  let root: XmlElement | undefined;
  const tag = new RegExp(`^<(/?)(${NAME})((?:\\s+${NAME}\\s*=\\s*"[^"<]*")*)\\s*(/?)>`);
  while (rest.length > 0) {
    const lt = rest.indexOf('<');
    const text = lt === -1 ? rest : rest.slice(0, lt);
    if (text) {
      if (text.includes('>') && /\]\]>/.test(text)) throw new Error('"]]>" in text');
      const parent = stack[stack.length - 1];
      if (!parent) {
        if (text.trim()) throw new Error(`text outside the root element: ${text.slice(0, 40)}`);
      } else parent.text += decode(text, `<${parent.name}> text`);
    }
    if (lt === -1) break;
    rest = rest.slice(lt);
    const m = tag.exec(rest);
    if (!m) throw new Error(`malformed tag at: ${rest.slice(0, 80)}`);
    const [whole, closing, name, attrText, selfClosing] = m;
    rest = rest.slice(whole.length);
    if (closing) {
      const open = stack.pop();
      if (!open || open.name !== name) throw new Error(`</${name}> closes <${open?.name ?? 'nothing'}>`);
      continue;
    }
    const attrs: Record<string, string> = {};
    for (const a of attrText!.matchAll(new RegExp(`(${NAME})\\s*=\\s*"([^"]*)"`, 'g'))) {
      if (a[1]! in attrs) throw new Error(`duplicate attribute ${a[1]} on <${name}>`);
      attrs[a[1]!] = decode(a[2]!, `${name}@${a[1]}`);
    }
    const el: XmlElement = { name: name!, attrs, children: [], text: '' };
    const parent = stack[stack.length - 1];
    if (parent) parent.children.push(el);
    else if (root) throw new Error('more than one root element');
    else root = el;
    if (!selfClosing) stack.push(el);
  }
  if (stack.length) throw new Error(`unclosed <${stack[stack.length - 1]!.name}>`);
  if (!root) throw new Error('no root element');
  return root;
}

/** All descendants named `name`, in document order. */
export function findAll(el: XmlElement, name: string): XmlElement[] {
  return el.children.flatMap((c) => [...(c.name === name ? [c] : []), ...findAll(c, name)]);
}
