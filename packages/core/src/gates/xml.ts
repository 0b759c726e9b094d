/**
 * A small, forgiving XML reader: enough for JUnit reports without a dependency. It builds an
 * element tree (names, attributes, text), skips the prolog, comments, processing instructions and
 * DOCTYPE, reads CDATA and character/named entities, and rejects what is not well-formed where it
 * matters for trusting a report: mismatched or unclosed tags, missing or extra root elements, broken
 * attributes. Unknown named entities are kept literally instead of failing the whole report.
 * Namespaces are not interpreted (JUnit reports do not use them).
 *
 * Entity declarations (`<!ENTITY f "<failure/>">` in an internal DTD subset) are refused, not
 * expanded: no test runner writes them, expanding them is how a `<failure>` can hide from a reader
 * that skips the DTD, and expansion invites billion-laughs inputs. Refusing is the clear answer.
 */

export interface XmlElement {
  name: string;
  attrs: Record<string, string>;
  children: XmlElement[];
  /** Concatenated text and CDATA directly inside this element (entities decoded). */
  text: string;
}

/** A well-formedness problem at a 1-based line and column. */
export class XmlSyntaxError extends Error {
  constructor(
    message: string,
    readonly line: number,
    readonly column: number,
  ) {
    super(`${message} at line ${line}, column ${column}`);
    this.name = 'XmlSyntaxError';
  }
}

/** Deeper nesting is not a test report; the cap also bounds every recursive walk of the tree. */
export const MAX_XML_DEPTH = 256;

const NAMED_ENTITIES: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };
const NAME = /[A-Za-z_:][-A-Za-z0-9_:.]*/y;
const SPACE = /\s*/y;

export function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|[A-Za-z][A-Za-z0-9]*);/g, (whole, ref: string) => {
    if (ref.startsWith('#')) {
      const code = ref[1] === 'x' ? parseInt(ref.slice(2), 16) : parseInt(ref.slice(1), 10);
      return code <= 0x10ffff ? String.fromCodePoint(code) : whole;
    }
    return NAMED_ENTITIES[ref] ?? whole;
  });
}

/** Parses a document and returns its single root element. */
export function parseXml(source: string): XmlElement {
  let pos = source.charCodeAt(0) === 0xfeff ? 1 : 0;
  const stack: XmlElement[] = [];
  let root: XmlElement | undefined;

  const fail = (message: string, at = pos): never => {
    const before = source.slice(0, at);
    const line = before.split('\n').length;
    const column = at - before.lastIndexOf('\n');
    throw new XmlSyntaxError(message, line, column);
  };
  const skipPast = (terminator: string, what: string): string => {
    const end = source.indexOf(terminator, pos);
    if (end < 0) fail(`unterminated ${what}`);
    const body = source.slice(pos, end);
    pos = end + terminator.length;
    return body;
  };
  const readName = (): string => {
    NAME.lastIndex = pos;
    const m = NAME.exec(source);
    if (!m) return fail('expected a tag or attribute name');
    pos = NAME.lastIndex;
    return m[0];
  };
  const skipSpace = (): void => {
    SPACE.lastIndex = pos;
    SPACE.exec(source);
    pos = SPACE.lastIndex;
  };
  const addText = (text: string, at: number): void => {
    const top = stack[stack.length - 1];
    if (top) top.text += text;
    else if (text.trim() !== '') fail('text outside the root element', at);
  };

  while (pos < source.length) {
    const lt = source.indexOf('<', pos);
    if (lt < 0) {
      addText(decodeEntities(source.slice(pos)), pos);
      break;
    }
    if (lt > pos) addText(decodeEntities(source.slice(pos, lt)), pos);
    pos = lt;
    if (source.startsWith('<!--', pos)) {
      pos += 4;
      skipPast('-->', 'comment');
    } else if (source.startsWith('<![CDATA[', pos)) {
      const at = pos;
      pos += 9;
      addText(skipPast(']]>', 'CDATA section'), at);
    } else if (source.startsWith('<?', pos)) {
      pos += 2;
      skipPast('?>', 'processing instruction');
    } else if (source.startsWith('<!DOCTYPE', pos)) {
      skipDoctype();
    } else if (source.startsWith('</', pos)) {
      const at = pos;
      pos += 2;
      const name = readName();
      skipSpace();
      if (source[pos] !== '>') fail(`expected '>' to close </${name}`);
      pos++;
      const open = stack.pop();
      if (!open) fail(`closing tag </${name}> without an opening tag`, at);
      else if (open.name !== name) fail(`closing tag </${name}> does not match <${open.name}>`, at);
    } else {
      openTag();
    }
  }
  const unclosed = stack[stack.length - 1];
  if (unclosed) fail(`<${unclosed.name}> is never closed (file truncated?)`);
  if (!root) return fail('no root element');
  return root;

  function openTag(): void {
    const at = pos;
    pos++;
    const element: XmlElement = { name: readName(), attrs: {}, children: [], text: '' };
    for (;;) {
      skipSpace();
      if (source.startsWith('/>', pos)) {
        pos += 2;
        attach(element, at);
        return;
      }
      if (source[pos] === '>') {
        pos++;
        attach(element, at);
        if (stack.length >= MAX_XML_DEPTH) fail(`elements nested more than ${MAX_XML_DEPTH} levels deep`, at);
        stack.push(element);
        return;
      }
      if (pos >= source.length) fail(`unterminated tag <${element.name}`, at);
      const attr = readName();
      skipSpace();
      if (source[pos] !== '=') fail(`attribute '${attr}' of <${element.name}> has no value`);
      pos++;
      skipSpace();
      const quote = source[pos];
      if (quote !== '"' && quote !== "'") fail(`attribute '${attr}' of <${element.name}> is not quoted`);
      pos++;
      const end = source.indexOf(quote as string, pos);
      if (end < 0) fail(`unterminated value of attribute '${attr}'`);
      element.attrs[attr] = decodeEntities(source.slice(pos, end));
      pos = end + 1;
    }
  }

  function attach(element: XmlElement, at: number): void {
    const parent = stack[stack.length - 1];
    if (parent) parent.children.push(element);
    else if (root) fail(`second root element <${element.name}>`, at);
    else root = element;
  }

  // A DOCTYPE may carry an internal subset in [...] that itself contains '>'.
  function skipDoctype(): void {
    const start = pos;
    let depth = 0;
    for (; pos < source.length; pos++) {
      const c = source[pos];
      if (c === '[') depth++;
      else if (c === ']') depth--;
      else if (c === '>' && depth <= 0) {
        pos++;
        if (/<!ENTITY/i.test(source.slice(start, pos))) {
          fail(
            'the DOCTYPE declares entities (<!ENTITY ...>); test runners never write them and they can hide ' +
              'test results, so the report is refused',
            start,
          );
        }
        return;
      }
    }
    fail('unterminated DOCTYPE');
  }
}
