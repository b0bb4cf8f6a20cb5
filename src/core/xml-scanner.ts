// Runtime: any (pure core). A small, strict, fast XML 1.0 (5th edition) + Namespaces 1.0 well-formedness scanner.
//
// Why not a general-purpose parser: the liste blanche (3.6 MB) must parse in well under 100 ms in every runtime
// (goal of issue #2), and the core must stay dependency-free for the lean launch-event bundle. saxes, a conforming
// parser, took 40-50 ms on an idle machine and 3-4 times that on a busy one; this scanner jumps from markup to markup
// with indexOf and checks the characters of the whole document with one native regex pass.
//
// What it checks (a document it accepts is well-formed, namespace-well-formed XML; test/core/xml-scanner.test.ts
// cross-checks it against saxes on hand-written cases and thousands of mutations of the real liste blanche):
//   - every character is a legal XML Char (XML §2.2), surrogates paired;
//   - XML declaration only at the very start, with a valid version/encoding/standalone;
//   - comments (no "--" inside, XML §2.5), processing instructions (target not "xml", §2.6), CDATA sections (§2.7);
//   - element and attribute names (Name / NCName productions, §2.3, Namespaces §3), matching end tags, one root element,
//     nothing but comments, PIs and white space outside it; no '<' and valid references in attribute values;
//     unique attributes (by qualified and by expanded name); "]]>" never in text (§2.4);
//   - references: the five predefined entities and character references to legal Chars only (no DTD, so no others);
//   - namespace prefixes declared before use, xml/xmlns prefixes used correctly, no empty prefixed declaration.
// Refused on purpose: any DOCTYPE (a signed data file has none; refusing it rules out entity-expansion attacks).
// End of input inside an element or any markup construct is reported with `truncated: true`.

/** A well-formedness error. `truncated` is true when the input ended inside the document (cut-off download). */
export class XmlSyntaxError extends Error {
  override readonly name = 'XmlSyntaxError';
  constructor(
    message: string,
    /** Character offset of the error in the input. */
    readonly offset: number,
    /** 1-based line and column of the error. */
    readonly line: number,
    readonly column: number,
    /** True when the input ended before the document was complete. */
    readonly truncated: boolean,
  ) {
    super(message);
  }
}

/** Callbacks of {@link scanXml}. */
export interface XmlScanHandler {
  /**
   * A start tag (namespaces resolved). Return true to receive the element's own text (character data and CDATA
   * sections directly inside it, references decoded, line ends normalised) in {@link XmlScanHandler.closeTag}.
   */
  openTag(local: string, uri: string, qname: string): boolean;
  /** The matching end tag (or the end of an empty-element tag). */
  closeTag(text: string | undefined): void;
}

/** Namespace bound to the `xml` prefix (Namespaces 1.0 §3). */
export const XML_NAMESPACE = 'http://www.w3.org/XML/1998/namespace';
/** Namespace of `xmlns` declarations, never declared (Namespaces 1.0 §3). */
export const XMLNS_NAMESPACE = 'http://www.w3.org/2000/xmlns/';

// XML §2.3 NameStartChar without ':' (NCName, Namespaces §3) and NameChar. Astral ranges as surrogate pairs.
const NC_START =
  'A-Z_a-z\\u00C0-\\u00D6\\u00D8-\\u00F6\\u00F8-\\u02FF\\u0370-\\u037D\\u037F-\\u1FFF\\u200C\\u200D\\u2070-\\u218F' +
  '\\u2C00-\\u2FEF\\u3001-\\uD7FF\\uF900-\\uFDCF\\uFDF0-\\uFFFD';
const NC_CHAR = NC_START + '\\-.0-9\\u00B7\\u0300-\\u036F\\u203F\\u2040';
const ASTRAL = '[\\uD800-\\uDB7F][\\uDC00-\\uDFFF]';
const NCNAME = `(?:[${NC_START}]|${ASTRAL})(?:[${NC_CHAR}]|${ASTRAL})*`;
// The XML Name classes contain ZWNJ/ZWJ and combining marks on purpose (XML §2.3), hence the lint exceptions below.
/** QName at a position (sticky): prefix in group 1 when present, local part in group 2. */
// eslint-disable-next-line no-misleading-character-class -- the character ranges of XML §2.3, as specified
const QNAME = new RegExp(`(?:(${NCNAME}):)?(${NCNAME})`, 'y');
/** A Name (may contain ':'): for processing-instruction targets. */
// eslint-disable-next-line no-misleading-character-class -- the character ranges of XML §2.3, as specified
const NAME = new RegExp(`(?:[:${NC_START}]|${ASTRAL})(?:[:${NC_CHAR}]|${ASTRAL})*`, 'y');
// eslint-disable-next-line no-misleading-character-class -- the character ranges of XML §2.3, as specified
const NAME_CHAR_AFTER = new RegExp(`[:${NC_CHAR}]|${ASTRAL}`, 'y');
/** Characters that are not XML Chars (§2.2); valid surrogate pairs are consumed by the first alternative. */
const NOT_CHAR = /[\uD800-\uDBFF][\uDC00-\uDFFF]|[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD]/g;
/** Quick test: any code unit that is not a BMP Char (a control character or a surrogate, paired or not). */
const NOT_BMP_CHAR = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD]/;
const ONLY_WHITESPACE = /^[ \t\r\n]*$/;
const REFERENCE = /&(?:(amp|lt|gt|quot|apos)|#([0-9]+)|#x([0-9a-fA-F]+));/y;
const XML_DECL =
  /<\?xml[ \t\r\n]+version[ \t\r\n]*=[ \t\r\n]*(?:"1\.[0-9]+"|'1\.[0-9]+')(?:[ \t\r\n]+encoding[ \t\r\n]*=[ \t\r\n]*(?:"[A-Za-z][A-Za-z0-9._-]*"|'[A-Za-z][A-Za-z0-9._-]*'))?(?:[ \t\r\n]+standalone[ \t\r\n]*=[ \t\r\n]*(?:"(?:yes|no)"|'(?:yes|no)'))?[ \t\r\n]*\?>/y;
const PREDEFINED: { readonly [name: string]: string } = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

function isXmlChar(cp: number): boolean {
  return (
    cp === 0x9 || cp === 0xa || cp === 0xd || (cp >= 0x20 && cp <= 0xd7ff) || (cp >= 0xe000 && cp <= 0xfffd) ||
    (cp >= 0x10000 && cp <= 0x10ffff)
  );
}

/** ASCII name characters, and any non-ASCII code unit (decided by the full production when it matters). */
function isAsciiNameChar(c: number): boolean {
  return (
    (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || (c >= 0x30 && c <= 0x39) || c === 0x5f || c === 0x2d ||
    c === 0x2e || c === 0x3a || c >= 0x80
  );
}

function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x09 || c === 0x0d;
}

interface Frame {
  qname: string;
  capture: boolean;
  text: string;
  /** Namespace bindings to restore on close: [prefix, previous uri or undefined]. */
  restore: [string, string | undefined][] | undefined;
}

/**
 * Scans a whole XML document (already decoded to a string; a leading BOM is allowed) and reports elements to the
 * handler. Pure and synchronous.
 *
 * @throws XmlSyntaxError at the first well-formedness error (errors thrown by the handler pass through unchanged)
 */
export function scanXml(xml: string, handler: XmlScanHandler): void {
  new Scanner(xml, handler).run();
}

class Scanner {
  private pos = 0;
  /** Open elements: frames[0 .. depth-1]; frame objects are reused (no allocation per element). */
  private readonly frames: Frame[] = [];
  private depth = 0;
  /** Names seen so far (the same few names repeat): reused instead of slicing the input again. */
  private readonly names: string[] = [];
  private readonly ns = new Map<string, string>([['xml', XML_NAMESPACE]]);
  private rootSeen = false;
  private rootClosed = false;
  /** Next '&' and next "]]>" at or after the scan position (cached: each is searched once per occurrence). */
  private nextAmp = -2;
  private nextCdataEnd = -2;

  constructor(
    private readonly xml: string,
    private readonly handler: XmlScanHandler,
  ) {}

  private fail(message: string, at: number = this.pos, truncated = false): never {
    const before = this.xml.slice(0, at);
    const line = before.split('\n').length;
    const column = at - before.lastIndexOf('\n');
    throw new XmlSyntaxError(`${message} (ligne ${line}, colonne ${column})`, at, line, column, truncated);
  }

  private eof(construct: string, at: number = this.xml.length): never {
    return this.fail(`fin du document à l'intérieur de ${construct}`, at, true);
  }

  run(): void {
    const xml = this.xml;
    const n = xml.length;
    // 1. Characters (XML §2.2), one native pass over the whole input; the precise scan (surrogate pairs) only when
    //    the quick test finds a control character or a surrogate.
    NOT_CHAR.lastIndex = 0;
    for (let m = NOT_BMP_CHAR.test(xml) ? NOT_CHAR.exec(xml) : null; m !== null; m = NOT_CHAR.exec(xml)) {
      if (m[0].length === 1) {
        const hex = m[0].charCodeAt(0).toString(16).toUpperCase();
        this.fail(`caractère interdit U+${'0000'.slice(hex.length)}${hex}`, m.index);
      }
    }
    if (xml.charCodeAt(0) === 0xfeff) this.pos = 1;
    // 2. XML declaration, only at the very start.
    if (xml.startsWith('<?xml', this.pos) && isSpace(xml.charCodeAt(this.pos + 5))) {
      XML_DECL.lastIndex = this.pos;
      if (!XML_DECL.test(xml)) {
        if (xml.indexOf('?>', this.pos) < 0) this.eof('la déclaration XML');
        this.fail('déclaration XML invalide');
      }
      this.pos = XML_DECL.lastIndex;
    }
    // 3. Content.
    while (this.pos < n) {
      const lt = xml.indexOf('<', this.pos);
      const end = lt < 0 ? n : lt;
      if (end > this.pos) this.text(this.pos, end);
      if (lt < 0) break;
      this.pos = lt;
      this.markup();
    }
    if (this.depth > 0) this.eof(`l'élément <${this.frames[this.depth - 1].qname}>`);
    if (!this.rootSeen) this.fail("aucun élément racine", n, n === 0 || ONLY_WHITESPACE.test(xml));
  }

  /** Character data between pos and end (no '<' inside). */
  private text(start: number, end: number): void {
    const xml = this.xml;
    const depth = this.depth;
    if (depth === 0) {
      for (let i = start; i < end; i++) {
        if (!isSpace(xml.charCodeAt(i))) this.fail('texte en dehors de l\'élément racine', i);
      }
      return;
    }
    if (this.nextCdataEnd !== -1 && this.nextCdataEnd < start) this.nextCdataEnd = xml.indexOf(']]>', start);
    if (this.nextCdataEnd >= start && this.nextCdataEnd < end) this.fail('« ]]> » interdit dans le texte', this.nextCdataEnd);
    if (this.nextAmp !== -1 && this.nextAmp < start) this.nextAmp = xml.indexOf('&', start);
    const hasAmp = this.nextAmp >= start && this.nextAmp < end;
    if (hasAmp) this.checkReferences(start, end);
    const frame = this.frames[depth - 1];
    if (frame.capture) frame.text += hasAmp ? this.decode(start, end) : xml.slice(start, end);
  }

  /** Checks every '&' in [start, end) starts a valid reference; advances the cached next-'&' position. */
  private checkReferences(start: number, end: number): void {
    const xml = this.xml;
    let amp = xml.indexOf('&', start);
    while (amp >= 0 && amp < end) {
      REFERENCE.lastIndex = amp;
      const m = REFERENCE.exec(xml);
      if ((!m || REFERENCE.lastIndex > end) && end === xml.length && xml.indexOf(';', amp) < 0) this.eof('une référence');
      if (!m || REFERENCE.lastIndex > end) this.fail("« & » qui ne commence pas une référence valide (&amp; &lt; &gt; &quot; &apos; &#...;)", amp);
      if (m[1] === undefined) {
        const cp = m[2] !== undefined ? parseInt(m[2], 10) : parseInt(m[3], 16);
        if (!isXmlChar(cp)) this.fail('référence à un caractère interdit', amp);
      }
      amp = xml.indexOf('&', REFERENCE.lastIndex);
    }
    this.nextAmp = amp;
  }

  /** Decodes references in [start, end) (already checked), and normalises line ends (XML §2.11). */
  private decode(start: number, end: number): string {
    return this.xml
      .slice(start, end)
      .replace(/&(?:(amp|lt|gt|quot|apos)|#([0-9]+)|#x([0-9a-fA-F]+));/g, (_m, name: string, dec: string, hex: string) => {
        if (name !== undefined) return PREDEFINED[name];
        const cp = dec !== undefined ? parseInt(dec, 10) : parseInt(hex, 16);
        if (cp < 0x10000) return String.fromCharCode(cp);
        const v = cp - 0x10000;
        return String.fromCharCode(0xd800 + (v >> 10), 0xdc00 + (v & 0x3ff));
      });
  }

  private markup(): void {
    const xml = this.xml;
    const p = this.pos;
    const c = xml.charCodeAt(p + 1);
    if (c === 0x2f /* / */) return this.endTag();
    if (c === 0x3f /* ? */) return this.pi();
    if (c === 0x21 /* ! */) {
      if (xml.startsWith('<!--', p)) return this.comment();
      if (xml.startsWith('<![CDATA[', p)) return this.cdata();
      if (xml.startsWith('<!DOCTYPE', p)) this.fail('déclaration DOCTYPE refusée (aucune DTD attendue)', p);
      if (p + 9 > xml.length && ('<![CDATA['.startsWith(xml.slice(p)) || '<!--'.startsWith(xml.slice(p)))) this.eof('une balise');
      return this.fail('balise « <! » inconnue', p);
    }
    if (Number.isNaN(c)) this.eof('une balise');
    return this.startTag();
  }

  private comment(): void {
    const start = this.pos + 4;
    const end = this.xml.indexOf('--', start);
    if (end < 0) this.eof('un commentaire');
    if (this.xml.charCodeAt(end + 2) !== 0x3e) {
      if (end + 2 >= this.xml.length) this.eof('un commentaire');
      this.fail('« -- » interdit dans un commentaire', end);
    }
    this.pos = end + 3;
  }

  private pi(): void {
    const xml = this.xml;
    const p = this.pos;
    NAME.lastIndex = p + 2;
    const m = NAME.exec(xml);
    if (!m) {
      if (p + 2 >= xml.length) this.eof('une instruction de traitement');
      this.fail("instruction de traitement sans nom", p);
    }
    const target = m[0];
    if (target.toLowerCase() === 'xml') this.fail('déclaration XML ailleurs qu\'au début du document', p);
    if (target.indexOf(':') >= 0) this.fail('« : » interdit dans le nom d\'une instruction de traitement', p);
    const after = NAME.lastIndex;
    const close = xml.indexOf('?>', after);
    if (close < 0) this.eof('une instruction de traitement');
    if (close !== after && !isSpace(xml.charCodeAt(after))) this.fail('instruction de traitement mal formée', after);
    this.pos = close + 2;
  }

  private cdata(): void {
    if (this.depth === 0) this.fail("section CDATA en dehors de l'élément racine", this.pos);
    const start = this.pos + 9;
    const end = this.xml.indexOf(']]>', start);
    if (end < 0) this.eof('une section CDATA');
    const frame = this.frames[this.depth - 1];
    if (frame.capture) frame.text += this.xml.slice(start, end);
    this.pos = end + 3;
    this.nextCdataEnd = -2; // the cached position may have been inside this section
  }

  /** End of the qualified name read by {@link Scanner.qname}, and the offset of its ':' (or -1). */
  private nameEnd = 0;
  private nameColon = -1;

  /**
   * Reads a QName at `at` (Namespaces 1.0 §4): ASCII names with a char-code loop, anything else with the full
   * NCName regex. Sets nameEnd / nameColon; returns the name.
   */
  private qname(at: number, what: string): string {
    const xml = this.xml;
    const n = xml.length;
    let i = at;
    let colon = -1;
    let partStart = at;
    for (; i < n; i++) {
      const c = xml.charCodeAt(i);
      if ((c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || c === 0x5f) continue; // a-z A-Z _
      if ((c >= 0x30 && c <= 0x39) || c === 0x2d || c === 0x2e) {
        if (i === partStart) break; // a name part cannot start with a digit, '-' or '.'
        continue;
      }
      if (c === 0x3a /* : */ && colon < 0 && i > partStart) {
        colon = i;
        partStart = i + 1;
        continue;
      }
      break;
    }
    const c = xml.charCodeAt(i);
    if (c >= 0x80 || i === partStart || c === 0x3a) {
      // Non-ASCII name, empty part, or a second ':': the full production decides.
      QNAME.lastIndex = at;
      const m = QNAME.exec(xml);
      if (!m) {
        if (at >= n) this.eof(what);
        this.fail(`nom ${what} invalide`, at);
      }
      NAME_CHAR_AFTER.lastIndex = QNAME.lastIndex;
      if (NAME_CHAR_AFTER.test(xml)) this.fail(`nom ${what} invalide (deux « : » ?)`, at);
      this.nameEnd = QNAME.lastIndex;
      this.nameColon = m[1] === undefined ? -1 : at + m[1].length;
      return m[0];
    }
    this.nameEnd = i;
    this.nameColon = colon;
    const len = i - at;
    const names = this.names;
    for (let k = 0; k < names.length; k++) {
      const known = names[k];
      if (known.length === len && xml.startsWith(known, at)) return known;
    }
    const name = xml.slice(at, i);
    if (names.length < 64) names.push(name);
    return name;
  }

  private skipSpace(at: number): number {
    const xml = this.xml;
    let i = at;
    while (isSpace(xml.charCodeAt(i))) i++;
    return i;
  }

  private startTag(): void {
    const xml = this.xml;
    const n = xml.length;
    const tagStart = this.pos;
    if (this.rootClosed) this.fail("second élément racine (un seul élément racine est permis)", tagStart);
    const qname = this.qname(tagStart + 1, "d'élément");
    const colon = this.nameColon;
    const prefix = colon < 0 ? undefined : qname.slice(0, colon - tagStart - 1);
    const local = colon < 0 ? qname : qname.slice(colon - tagStart);
    let i = this.nameEnd;
    let attrs: [string | undefined, string, string, number][] | undefined; // prefix, local, value, offset
    let restore: [string, string | undefined][] | undefined;
    let selfClosing = false;
    for (;;) {
      const afterName = i;
      i = this.skipSpace(i);
      if (i >= n) this.eof(`la balise <${qname}>`);
      const c = xml.charCodeAt(i);
      if (c === 0x3e /* > */) {
        i++;
        break;
      }
      if (c === 0x2f /* / */) {
        if (i + 1 >= n) this.eof(`la balise <${qname}>`);
        if (xml.charCodeAt(i + 1) !== 0x3e) this.fail(`« / » mal placé dans la balise <${qname}>`, i);
        selfClosing = true;
        i += 2;
        break;
      }
      if (i === afterName) this.fail(`espace manquant avant un attribut de <${qname}>`, i);
      const aQname = this.qname(i, "d'attribut");
      const aColon = this.nameColon;
      const aPrefix = aColon < 0 ? undefined : aQname.slice(0, aColon - i);
      const aLocal = aColon < 0 ? aQname : aQname.slice(aColon - i + 1);
      const aStart = i;
      i = this.skipSpace(this.nameEnd);
      if (i >= n) this.eof(`la balise <${qname}>`);
      if (xml.charCodeAt(i) !== 0x3d /* = */) this.fail(`« = » manquant après l'attribut ${aQname}`, i);
      i = this.skipSpace(i + 1);
      if (i >= n) this.eof(`la balise <${qname}>`);
      const q = xml.charCodeAt(i);
      if (q !== 0x22 && q !== 0x27) this.fail(`valeur de l'attribut ${aQname} sans guillemets`, i);
      const close = xml.indexOf(q === 0x22 ? '"' : "'", i + 1);
      if (close < 0) this.eof(`la valeur de l'attribut ${aQname}`);
      const lt = xml.indexOf('<', i + 1);
      if (lt >= 0 && lt < close) this.fail(`« < » interdit dans la valeur de l'attribut ${aQname}`, lt);
      let value = xml.slice(i + 1, close);
      if (value.indexOf('&') >= 0) {
        this.checkReferences(i + 1, close);
        value = this.decode(i + 1, close);
        this.nextAmp = -2;
      }
      // Attribute-value normalisation (XML §3.3.3) for CDATA attributes: literal white space becomes a space.
      value = value.replace(/[\t\n\r]/g, ' ');
      if (attrs === undefined) attrs = [];
      for (const other of attrs) {
        if (other[0] === aPrefix && other[1] === aLocal) this.fail(`attribut ${aQname} en double`, aStart);
      }
      attrs.push([aPrefix, aLocal, value, aStart]);
      // Namespace declarations (Namespaces 1.0 §3).
      if (aPrefix === undefined && aLocal === 'xmlns') {
        if (value === XML_NAMESPACE || value === XMLNS_NAMESPACE) this.fail('espace de noms réservé déclaré par défaut', i);
        restore = this.bind('', value, restore);
      } else if (aPrefix === 'xmlns') {
        if (aLocal === 'xmlns') this.fail('le préfixe xmlns ne peut pas être déclaré', i);
        if (value === '') this.fail(`déclaration vide du préfixe ${aLocal}`, i);
        if ((aLocal === 'xml') !== (value === XML_NAMESPACE)) this.fail('préfixe xml mal lié', i);
        if (value === XMLNS_NAMESPACE) this.fail('espace de noms xmlns réservé', i);
        restore = this.bind(aLocal, value, restore);
      }
      i = close + 1;
    }
    if (prefix === 'xmlns') this.fail('le préfixe xmlns est réservé aux déclarations', tagStart);
    const uri = prefix === undefined ? this.ns.get('') ?? '' : this.ns.get(prefix);
    if (uri === undefined) this.fail(`préfixe ${prefix} non déclaré`, tagStart);
    if (attrs !== undefined && attrs.length > 1) this.checkExpandedNames(attrs);
    else if (attrs !== undefined && attrs[0][0] !== undefined && attrs[0][0] !== 'xmlns' && !this.ns.has(attrs[0][0])) {
      this.fail(`préfixe ${attrs[0][0]} non déclaré`, attrs[0][3]);
    }
    this.rootSeen = true;
    const capture = this.handler.openTag(local, uri, qname);
    this.pos = i;
    if (selfClosing) {
      if (restore !== undefined) this.unbind(restore);
      this.handler.closeTag(capture ? '' : undefined);
      if (this.depth === 0) this.rootClosed = true;
    } else {
      const frame = this.frames[this.depth];
      if (frame === undefined) this.frames.push({ qname, capture, text: '', restore });
      else {
        frame.qname = qname;
        frame.capture = capture;
        frame.text = '';
        frame.restore = restore;
      }
      this.depth++;
    }
  }

  private checkExpandedNames(attrs: [string | undefined, string, string, number][]): void {
    const seen = new Set<string>();
    for (const [p, l, , at] of attrs) {
      if (p === undefined || p === 'xmlns') continue;
      const uri = this.ns.get(p);
      if (uri === undefined) this.fail(`préfixe ${p} non déclaré`, at);
      const key = `${uri}\u0000${l}`;
      if (seen.has(key)) this.fail('deux attributs de même nom dans le même espace de noms', at);
      seen.add(key);
    }
  }

  private bind(
    prefix: string,
    uri: string,
    restore: [string, string | undefined][] | undefined,
  ): [string, string | undefined][] {
    const r = restore ?? [];
    r.push([prefix, this.ns.get(prefix)]);
    if (prefix === '' && uri === '') this.ns.delete('');
    else this.ns.set(prefix, uri);
    return r;
  }

  private unbind(restore: [string, string | undefined][]): void {
    for (let k = restore.length - 1; k >= 0; k--) {
      const [prefix, previous] = restore[k];
      if (previous === undefined) this.ns.delete(prefix);
      else this.ns.set(prefix, previous);
    }
  }

  private endTag(): void {
    const xml = this.xml;
    const start = this.pos;
    const frame = this.depth > 0 ? this.frames[--this.depth] : undefined;
    const expected = frame === undefined ? undefined : frame.qname;
    let nameEnd: number;
    let name: string;
    if (expected !== undefined && xml.startsWith(expected, start + 2) && !isAsciiNameChar(xml.charCodeAt(start + 2 + expected.length))) {
      // Fast path: the expected name, not followed by a name character (non-ASCII followers go the slow way).
      nameEnd = start + 2 + expected.length;
      name = expected;
    } else {
      name = this.qname(start + 2, 'de balise de fin');
      nameEnd = this.nameEnd;
    }
    const i = this.skipSpace(nameEnd);
    if (i >= xml.length) this.eof(`la balise </${name}>`);
    if (xml.charCodeAt(i) !== 0x3e) this.fail(`balise de fin </${name}> mal formée`, i);
    if (frame === undefined) this.fail(`balise de fin </${name}> sans balise d'ouverture`, start);
    if (frame.qname !== name) this.fail(`balise de fin </${name}> au lieu de </${frame.qname}>`, start);
    if (frame.restore !== undefined) this.unbind(frame.restore);
    this.pos = i + 1;
    const text = frame.capture ? frame.text : undefined;
    frame.text = '';
    frame.restore = undefined;
    this.handler.closeTag(text !== undefined && text.indexOf('\r') >= 0 ? text.replace(/\r\n?/g, '\n') : text);
    if (this.depth === 0) this.rootClosed = true;
  }
}
