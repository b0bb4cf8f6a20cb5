// Runtime: Node (connector). A small namespace-aware element tree built with saxes (a conforming XML 1.0 parser), for
// reading CDA headers and ebRIM METADATA.XML. DOCTYPE is refused (no entity expansion from untrusted archives).

import { SaxesParser } from 'saxes';

/** One element: namespace URI, local name, attributes by local name (unprefixed) or qualified name, children, text. */
export interface XmlElement {
  readonly ns: string;
  readonly name: string;
  readonly attrs: Readonly<Record<string, string>>;
  readonly children: XmlElement[];
  /** Concatenated direct text content (not the children's). */
  text: string;
}

/** The XML is not well-formed, or has a DOCTYPE. The message names the position, never the content. */
export class XmlParseError extends Error {
  override readonly name = 'XmlParseError';
  constructor(
    message: string,
    readonly line?: number,
    readonly column?: number,
  ) {
    super(message);
  }
}

/** Parses `xml` into its root element; throws {@link XmlParseError}. */
export function parseXmlTree(xml: string): XmlElement {
  const parser = new SaxesParser({ xmlns: true, position: true });
  const stack: XmlElement[] = [];
  let root: XmlElement | undefined;
  let failure: XmlParseError | undefined;
  parser.on('error', (e) => {
    failure ??= new XmlParseError(`XML mal formé (ligne ${parser.line}, colonne ${parser.column}).`, parser.line, parser.column);
    void e;
  });
  parser.on('doctype', () => {
    failure ??= new XmlParseError('DOCTYPE refusé dans un document reçu.', parser.line, parser.column);
  });
  parser.on('opentag', (tag) => {
    const attrs: Record<string, string> = {};
    for (const a of Object.values(tag.attributes)) {
      attrs[a.prefix === '' ? a.local : a.name] = a.value;
    }
    const el: XmlElement = { ns: tag.uri, name: tag.local, attrs, children: [], text: '' };
    if (stack.length > 0) stack[stack.length - 1].children.push(el);
    else root = el;
    stack.push(el);
  });
  parser.on('closetag', () => {
    stack.pop();
  });
  parser.on('text', (t) => {
    if (stack.length > 0) stack[stack.length - 1].text += t;
  });
  parser.on('cdata', (t) => {
    if (stack.length > 0) stack[stack.length - 1].text += t;
  });
  try {
    parser.write(xml.charCodeAt(0) === 0xfeff ? xml.slice(1) : xml).close();
  } catch (e) {
    failure ??= new XmlParseError(`XML mal formé (ligne ${parser.line}, colonne ${parser.column}).`, parser.line, parser.column);
    void e;
  }
  if (failure) throw failure;
  if (!root) throw new XmlParseError('Document XML vide.');
  return root;
}

/** First child element with this local name (any namespace unless given). */
export function child(el: XmlElement | undefined, name: string, ns?: string): XmlElement | undefined {
  return el?.children.find((c) => c.name === name && (ns === undefined || c.ns === ns));
}

/** All child elements with this local name. */
export function children(el: XmlElement | undefined, name: string, ns?: string): XmlElement[] {
  return el ? el.children.filter((c) => c.name === name && (ns === undefined || c.ns === ns)) : [];
}

/** Follows a path of local names, first match at each step. */
export function path(el: XmlElement | undefined, ...names: string[]): XmlElement | undefined {
  let cur = el;
  for (const n of names) cur = child(cur, n);
  return cur;
}

/** Every descendant (depth first) with this local name. */
export function descendants(el: XmlElement, name: string): XmlElement[] {
  const out: XmlElement[] = [];
  const walk = (e: XmlElement) => {
    for (const c of e.children) {
      if (c.name === name) out.push(c);
      walk(c);
    }
  };
  walk(el);
  return out;
}
