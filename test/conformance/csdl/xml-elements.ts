/**
 * A small reader for the XML subset Microsoft's CSDL files use: elements with double-quoted
 * attributes, self-closing tags, comments, one XML declaration, a byte-order mark and the five
 * predefined entities. Text content is kept only as a string on its element (annotation values);
 * CDATA, DTDs and processing instructions other than the declaration are refused, so a file that
 * leaves this subset fails loudly instead of being half-read.
 */

export interface XmlElement {
  /** The tag name without its namespace prefix (`edmx:Edmx` → `Edmx`). */
  readonly name: string;
  readonly attributes: Readonly<Record<string, string>>;
  readonly children: readonly XmlElement[];
  readonly text: string;
}

interface OpenElement {
  readonly name: string;
  readonly qualifiedName: string;
  readonly attributes: Record<string, string>;
  readonly children: XmlElement[];
  text: string;
}

const ENTITIES: Readonly<Record<string, string>> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (whole, entity: string) => {
    if (entity.startsWith('#x') || entity.startsWith('#X')) return String.fromCodePoint(Number.parseInt(entity.slice(2), 16));
    if (entity.startsWith('#')) return String.fromCodePoint(Number.parseInt(entity.slice(1), 10));
    const decoded = ENTITIES[entity];
    if (decoded === undefined) throw new Error(`XML: unknown entity ${whole}`);
    return decoded;
  });
}

const ATTRIBUTE = /([A-Za-z_][\w:.-]*)\s*=\s*"([^"]*)"/g;

function readAttributes(source: string, at: number): Record<string, string> {
  const attributes: Record<string, string> = {};
  ATTRIBUTE.lastIndex = 0;
  let consumed = 0;
  for (let match = ATTRIBUTE.exec(source); match !== null; match = ATTRIBUTE.exec(source)) {
    if (source.slice(consumed, match.index).trim() !== '') throw new Error(`XML: unreadable attributes near offset ${at}`);
    const [, name = '', value = ''] = match;
    attributes[name] = decodeEntities(value);
    consumed = ATTRIBUTE.lastIndex;
  }
  if (source.slice(consumed).trim() !== '') throw new Error(`XML: unreadable attributes near offset ${at}`);
  return attributes;
}

function localName(qualifiedName: string): string {
  const colon = qualifiedName.indexOf(':');
  return colon < 0 ? qualifiedName : qualifiedName.slice(colon + 1);
}

function closed(element: OpenElement): XmlElement {
  return { name: element.name, attributes: element.attributes, children: element.children, text: decodeEntities(element.text.trim()) };
}

/** Parses a whole document and returns its root element. */
export function readXml(document: string): XmlElement {
  const text = document.startsWith('\uFEFF') ? document.slice(1) : document;
  const stack: OpenElement[] = [];
  // Set from a closure, so held in an object the compiler does not narrow.
  const parsed: { root: XmlElement | null } = { root: null };
  let position = 0;
  const attach = (element: XmlElement): void => {
    const parent = stack[stack.length - 1];
    if (parent !== undefined) parent.children.push(element);
    else if (parsed.root === null) parsed.root = element;
    else throw new Error('XML: more than one root element');
  };
  while (position < text.length) {
    const open = text.indexOf('<', position);
    const between = text.slice(position, open < 0 ? text.length : open);
    const current = stack[stack.length - 1];
    if (current !== undefined) current.text += between;
    else if (between.trim() !== '') throw new Error(`XML: text outside the root element at offset ${position}`);
    if (open < 0) break;
    if (text.startsWith('<!--', open)) {
      const end = text.indexOf('-->', open + 4);
      if (end < 0) throw new Error(`XML: comment at offset ${open} is never closed`);
      position = end + 3;
      continue;
    }
    if (text.startsWith('<?xml', open)) {
      const end = text.indexOf('?>', open);
      if (end < 0 || parsed.root !== null || stack.length > 0) throw new Error(`XML: misplaced declaration at offset ${open}`);
      position = end + 2;
      continue;
    }
    if (text.startsWith('<!', open) || text.startsWith('<?', open)) throw new Error(`XML: CDATA, DTDs and processing instructions are not part of the CSDL subset (offset ${open})`);
    const end = text.indexOf('>', open);
    if (end < 0) throw new Error(`XML: tag at offset ${open} is never closed`);
    // Attribute values may hold '>' unescaped: extend the tag until its quotes balance.
    let close = end;
    while ((text.slice(open, close).split('"').length - 1) % 2 === 1) {
      const next = text.indexOf('>', close + 1);
      if (next < 0) throw new Error(`XML: tag at offset ${open} is never closed`);
      close = next;
    }
    const tag = text.slice(open + 1, close);
    position = close + 1;
    if (tag.startsWith('/')) {
      const name = tag.slice(1).trim();
      const element = stack.pop();
      if (element === undefined || element.qualifiedName !== name) throw new Error(`XML: </${name}> at offset ${open} closes ${element?.qualifiedName ?? 'nothing'}`);
      attach(closed(element));
      continue;
    }
    const selfClosing = tag.endsWith('/');
    const body = selfClosing ? tag.slice(0, -1) : tag;
    const nameMatch = /^([A-Za-z_][\w:.-]*)/.exec(body);
    if (nameMatch === null) throw new Error(`XML: unreadable tag at offset ${open}`);
    const qualifiedName = nameMatch[1] ?? '';
    const element: OpenElement = { name: localName(qualifiedName), qualifiedName, attributes: readAttributes(body.slice(qualifiedName.length), open), children: [], text: '' };
    if (selfClosing) attach(closed(element));
    else stack.push(element);
  }
  if (stack.length > 0) throw new Error(`XML: <${stack[stack.length - 1]?.qualifiedName ?? ''}> is never closed`);
  if (parsed.root === null) throw new Error('XML: no root element');
  return parsed.root;
}
