// Runtime: Node (jest). The strict XML scanner of the core, cross-checked against saxes (a conforming XML 1.0 +
// Namespaces parser, used here as the oracle): same verdict on hand-written cases and on thousands of mutations of
// the real liste blanche; every cut-off prefix of a real list is reported as truncated.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SaxesParser } from 'saxes';
import { parseListeBlanche, ListeBlancheError } from '../../src/core/trust-space';
import { scanXml, XmlSyntaxError } from '../../src/core/xml-scanner';

const full = readFileSync(join(__dirname, '..', 'fixtures', 'listeblanche', 'listeblanchemssante_2025-02-28.xml'), 'utf8');

/** A small real document: the header and first 3 <Domaine> entries of the real list, then its real signature. */
const small = (() => {
  let end = 0;
  for (let k = 0; k < 3; k++) end = full.indexOf('</Domaine>', end) + '</Domaine>'.length;
  return full.slice(0, end) + '\n    ' + full.slice(full.indexOf('</ListeDomaines>'));
})();

function saxesAccepts(xml: string): boolean {
  const p = new SaxesParser({ xmlns: true });
  let ok = true;
  p.on('error', () => {
    ok = false;
  });
  p.write(xml).close();
  return ok;
}

function scannerAccepts(xml: string): boolean {
  try {
    scanXml(xml, { openTag: () => true, closeTag: () => undefined });
    return true;
  } catch (e) {
    if (e instanceof XmlSyntaxError) return false;
    throw e;
  }
}

describe('scanXml agrees with saxes', () => {
  const cases: [label: string, xml: string, wellFormed: boolean][] = [
    ['minimal', '<a/>', true],
    ['declaration, comment, PI, CDATA, references', '<?xml version="1.0" encoding="UTF-8"?><!-- c --><?pi x?><a x="1" y=\'&lt;&#233;&#x1F600;\'>t&amp;<![CDATA[<&]]>é</a><!-- after -->', true],
    ['namespaces and prefixes', '<r xmlns="urn:a" xmlns:p="urn:b"><p:x p:at="1" at="2"/><y xmlns=""/></r>', true],
    ['xml prefix without declaration', '<a xml:lang="fr"/>', true],
    ['BOM', '\ufeff<a/>', true],
    ['astral character in text', '<a>\ud83d\ude00</a>', true],
    ['non-ASCII names', '<élément attribut="v"><子/></élément>', true],
    ['white space in tags', '<a  x = "1"\n  y="2" ></a >', true],
    ['empty document', '', false],
    ['text only', 'hello', false],
    ['two roots', '<a/><b/>', false],
    ['text after root', '<a/>x', false],
    ['mismatched end tag', '<a></b>', false],
    ['unclosed element', '<a><b></b>', false],
    ['end tag without start', '</a>', false],
    ['bare ampersand', '<a>&</a>', false],
    ['undefined entity', '<a>&nbsp;</a>', false],
    ['reference to NUL', '<a>&#0;</a>', false],
    ['reference to a surrogate', '<a>&#xD800;</a>', false],
    ['control character', '<a>\u0001</a>', false],
    ['lone surrogate', '<a>\ud800</a>', false],
    ['U+FFFE', '<a>\ufffe</a>', false],
    [']]> in text', '<a>]]></a>', false],
    ['-- in comment', '<a><!-- a -- b --></a>', false],
    ['comment ending in ---', '<a><!-- a ---></a>', false],
    ['CDATA outside root', '<![CDATA[x]]><a/>', false],
    ['XML declaration not at the start', ' <?xml version="1.0"?><a/>', false],
    ['PI named xml', '<a><?xml x?></a>', false],
    ['XML declaration without version', '<?xml encoding="UTF-8"?><a/>', false],
    ['unquoted attribute', '<a x=1/>', false],
    ['< in attribute value', '<a x="<"/>', false],
    ['duplicate attribute', '<a x="1" x="2"/>', false],
    ['duplicate expanded attribute name', '<a xmlns:p="urn:x" xmlns:q="urn:x" p:x="1" q:x="2"/>', false],
    ['attributes without space', '<a x="1"y="2"/>', false],
    ['unbound element prefix', '<p:a/>', false],
    ['unbound attribute prefix', '<a p:x="1"/>', false],
    ['empty prefixed namespace declaration', '<a xmlns:p=""/>', false],
    ['name starting with a digit', '<1a/>', false],
    ['two colons', '<a:b:c xmlns:a="urn:a"/>', false],
    ['text before root', 'x<a/>', false],
  ];
  test.each(cases)('%s', (_label, xml, wellFormed) => {
    expect(saxesAccepts(xml)).toBe(wellFormed);
    expect(scannerAccepts(xml)).toBe(wellFormed);
  });

  test('where they differ, on purpose: DOCTYPE refused; a high surrogate before a non-surrogate is not a Char', () => {
    // A signed data file has no DTD: refusing DOCTYPE rules out entity-expansion attacks.
    expect(saxesAccepts('<!DOCTYPE a><a/>')).toBe(true);
    expect(scannerAccepts('<!DOCTYPE a><a/>')).toBe(false);
    // XML §2.2: Char excludes U+D800-U+DFFF; saxes 6 lets an unpaired high surrogate through when a letter follows.
    expect(saxesAccepts('<a>\ud800x</a>')).toBe(true);
    expect(scannerAccepts('<a>\ud800x</a>')).toBe(false);
  });

  test('the real list and the small real document are well-formed for both', () => {
    expect(scannerAccepts(full)).toBe(true);
    expect(saxesAccepts(small)).toBe(true);
    expect(scannerAccepts(small)).toBe(true);
  });

  test('3,000 random mutations of a real liste blanche: same verdict as saxes', () => {
    // Deterministic PRNG (mulberry32).
    let seed = 20250228;
    const rand = () => {
      seed = (seed + 0x6d2b79f5) | 0;
      let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
    const int = (n: number) => Math.floor(rand() * n);
    // No lone surrogates here: saxes does not check them (see above).
    const alphabet = ['<', '>', '&', '"', "'", '/', ']', '-', '?', '!', ' ', 'x', '=', ':', ';', '#', '\u0001', '[', 'é',
      '\ud83d\ude00', 'xmlns:p="" ', '<!-- -->', '<![CDATA[', 'p:', '&#0;', '&#x41;', '<?pi ?>', ']]>', '&amp;'];
    const disagreements: string[] = [];
    let rejected = 0;
    for (let k = 0; k < 3000; k++) {
      let doc = small;
      const ops = 1 + int(3);
      for (let o = 0; o < ops; o++) {
        const at = int(doc.length);
        switch (int(4)) {
          case 0:
            doc = doc.slice(0, at) + doc.slice(at + 1);
            break;
          case 1:
            doc = doc.slice(0, at) + alphabet[int(alphabet.length)] + doc.slice(at);
            break;
          case 2:
            doc = doc.slice(0, at) + alphabet[int(alphabet.length)] + doc.slice(at + 1);
            break;
          default: {
            const len = 1 + int(20);
            doc = doc.slice(0, at) + doc.slice(at, at + len) + doc.slice(at);
          }
        }
      }
      const expected = saxesAccepts(doc);
      if (!expected) rejected++;
      if (scannerAccepts(doc) !== expected) disagreements.push(`#${k} saxes=${String(expected)}: ${JSON.stringify(doc)}`);
    }
    expect(disagreements).toEqual([]);
    expect(rejected).toBeGreaterThan(1000); // the mutations do produce broken documents
  });
});

describe('truncation', () => {
  test('every cut inside the root element of a real list is LISTE_BLANCHE_TRUNCATED, never a partial list', () => {
    const rootOpen = small.indexOf('>', small.indexOf('<ListeBlancheMSSante')) + 1;
    const rootClose = small.lastIndexOf('</ListeBlancheMSSante>') + '</ListeBlancheMSSante>'.length;
    const wrong: number[] = [];
    for (let cut = rootOpen; cut < rootClose; cut++) {
      try {
        parseListeBlanche(small.slice(0, cut));
        wrong.push(cut);
      } catch (e) {
        if (!(e instanceof ListeBlancheError) || e.code !== 'LISTE_BLANCHE_TRUNCATED') wrong.push(cut);
      }
    }
    expect(rootClose - rootOpen).toBeGreaterThan(5000);
    expect(wrong).toEqual([]);
    expect(parseListeBlanche(small).domains.length).toBe(3);
  });

  test('errors carry line and column', () => {
    try {
      scanXml('<a>\n  <b></c>\n</a>', { openTag: () => false, closeTag: () => undefined });
      throw new Error('expected an error');
    } catch (e) {
      expect(e).toBeInstanceOf(XmlSyntaxError);
      const x = e as XmlSyntaxError;
      expect([x.line, x.column, x.truncated]).toEqual([2, 6, false]);
      expect(x.message).toBe('balise de fin </c> au lieu de </b> (ligne 2, colonne 6)');
    }
  });
});
