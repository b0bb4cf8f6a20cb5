// Runtime: Node (jest). RFC 5322 mailbox parsing: forms accepted, normalisation, and refused input as values.
import { normaliseAddress, normaliseDomain, parseMailbox, parseMailboxList, parsePlainAddress } from '../../src/core/address';
import type { AddressErrorCode, ParseResult } from '../../src/core/types';

function ok(r: ParseResult) {
  if (!r.ok) throw new Error(`expected ok, got ${r.code}: ${r.message}`);
  return r.mailbox;
}

describe('parseMailbox: accepted forms', () => {
  const table: [input: string, address: string, displayName: string | undefined, local: string, domainUnicode: string][] = [
    ['jean.dupont@medecin.mssante.fr', 'jean.dupont@medecin.mssante.fr', undefined, 'jean.dupont', 'medecin.mssante.fr'],
    ['  Jean.Dupont@Medecin.MSSante.FR  ', 'jean.dupont@medecin.mssante.fr', undefined, 'Jean.Dupont', 'medecin.mssante.fr'],
    ['"Dupont, Jean" <J.Dupont@medecin.mssante.fr>', 'j.dupont@medecin.mssante.fr', 'Dupont, Jean', 'J.Dupont', 'medecin.mssante.fr'],
    ['Dupont, Jean <j.dupont@x.fr>', 'j.dupont@x.fr', 'Dupont, Jean', 'j.dupont', 'x.fr'],
    ['Dr. Jean  Dupont <j.dupont@x.fr>', 'j.dupont@x.fr', 'Dr. Jean Dupont', 'j.dupont', 'x.fr'],
    ['<secretariat@ch-xyz.mssante.fr>', 'secretariat@ch-xyz.mssante.fr', undefined, 'secretariat', 'ch-xyz.mssante.fr'],
    ['"Secrétariat \\"cardio\\"" <cardio@ch-xyz.mssante.fr>', 'cardio@ch-xyz.mssante.fr', 'Secrétariat "cardio"', 'cardio', 'ch-xyz.mssante.fr'],
    ['"jean.dupont"@x.fr', 'jean.dupont@x.fr', undefined, 'jean.dupont', 'x.fr'],
    ['"jean dupont"@x.fr', '"jean dupont"@x.fr', undefined, '"jean dupont"', 'x.fr'],
    ['"a\\"b"@x.fr', '"a\\"b"@x.fr', undefined, '"a\\"b"', 'x.fr'],
    ['jean(le médecin).dupont@x.fr (commentaire)', 'jean.dupont@x.fr', undefined, 'jean.dupont', 'x.fr'],
    ['(avant) Jean (milieu) <jean@x.fr> (après)', 'jean@x.fr', 'Jean', 'jean', 'x.fr'],
    ['jean@x.fr.', 'jean@x.fr', undefined, 'jean', 'x.fr'],
    ['contact@hôpital.fr', 'contact@xn--hpital-ixa.fr', undefined, 'contact', 'hôpital.fr'],
    ['contact@HÔPITAL.fr', 'contact@xn--hpital-ixa.fr', undefined, 'contact', 'hôpital.fr'],
    ['contact@xn--hpital-ixa.fr', 'contact@xn--hpital-ixa.fr', undefined, 'contact', 'hôpital.fr'],
    ['contact@hôpital。fr', 'contact@xn--hpital-ixa.fr', undefined, 'contact', 'hôpital.fr'],
    // Unicode local part (RFC 6531), normalised NFC: 'e' + U+0301 becomes 'é'.
    ['rene\u0301@x.fr', 'ren\u00e9@x.fr', undefined, 'ren\u00e9', 'x.fr'],
    ['Zoé <zoé@médecin.fr>', 'zoé@xn--mdecin-bva.fr', 'Zoé', 'zoé', 'médecin.fr'],
    ["o'brien+mss@x.fr", "o'brien+mss@x.fr", undefined, "o'brien+mss", 'x.fr'],
    ['a@b-c.d-e.fr', 'a@b-c.d-e.fr', undefined, 'a', 'b-c.d-e.fr'],
    ['146026322000196@patient.mssante.fr', '146026322000196@patient.mssante.fr', undefined, '146026322000196', 'patient.mssante.fr'],
  ];
  test.each(table)('%j -> %s', (input, address, displayName, local, domainUnicode) => {
    const m = ok(parseMailbox(input));
    expect(m.address).toBe(address);
    expect(m.displayName).toBe(displayName);
    expect(m.local).toBe(local);
    expect(m.domainUnicode).toBe(domainUnicode);
    expect(m.domain).toBe(address.slice(address.lastIndexOf('@') + 1));
    expect(normaliseAddress(input)).toBe(address);
  });

  test('the IDN example of the brief: hôpital.fr is xn--hpital-ixa.fr (xn--hpital-zxa decodes to "hpitöal")', () => {
    expect(ok(parseMailbox('contact@hôpital.fr')).domain).toBe('xn--hpital-ixa.fr');
    expect(ok(parseMailbox('contact@xn--hpital-zxa.fr')).domainUnicode).toBe('hpitöal.fr');
  });

  test('limits: 64-octet local part and 254-character address are accepted', () => {
    const local64 = 'a'.repeat(64);
    expect(ok(parseMailbox(`${local64}@x.fr`)).local).toBe(local64);
    const label = 'b'.repeat(63);
    const domain = `${label}.${label}.${label}.${'c'.repeat(254 - 3 * 64 - 2 - 3)}.fr`;
    const address = `a@${domain}`;
    expect(address.length).toBe(254);
    expect(ok(parseMailbox(address)).address).toBe(address);
  });
});

describe('parseMailbox: refused input is a typed value, never a throw', () => {
  const table: [label: string, input: string, code: AddressErrorCode][] = [
    ['empty', '', 'ADDRESS_EMPTY'],
    ['blank', '   ', 'ADDRESS_EMPTY'],
    ['CR/LF header injection', 'a@b.fr\r\nBcc: x@y.fr', 'ADDRESS_CONTROL_CHAR'],
    ['LF alone', 'a@b.fr\nBcc: x@y.fr', 'ADDRESS_CONTROL_CHAR'],
    ['trailing CRLF is not trimmed away', 'a@b.fr\r\n', 'ADDRESS_CONTROL_CHAR'],
    ['NUL', 'a\u0000@b.fr', 'ADDRESS_CONTROL_CHAR'],
    ['TAB', 'a@b.fr\t', 'ADDRESS_CONTROL_CHAR'],
    ['C1 control (NEL)', 'a@b.fr\u0085', 'ADDRESS_CONTROL_CHAR'],
    ['DEL', 'a\u007f@b.fr', 'ADDRESS_CONTROL_CHAR'],
    ['bidi override RLO', 'jean\u202e@rf.b', 'ADDRESS_CONTROL_CHAR'],
    ['bidi isolate', 'Jean \u2067x\u2069 <a@b.fr>', 'ADDRESS_CONTROL_CHAR'],
    ['zero-width space in domain', 'a@mss\u200bante.fr', 'ADDRESS_CONTROL_CHAR'],
    ['line separator', 'a@b.fr\u2028', 'ADDRESS_CONTROL_CHAR'],
    ['control char in a quoted display name', '"X\r\nBcc: y@z.fr" <a@b.fr>', 'ADDRESS_CONTROL_CHAR'],
    ['300-character address', `${'a'.repeat(60)}.${'b'.repeat(60)}@${'c'.repeat(60)}.${'d'.repeat(60)}.${'e'.repeat(50)}.fr`, 'ADDRESS_TOO_LONG'],
    ['65-octet local part', `${'a'.repeat(65)}@x.fr`, 'ADDRESS_TOO_LONG'],
    ['local part of 33 two-octet characters (66 octets)', `${'é'.repeat(33)}@x.fr`, 'ADDRESS_TOO_LONG'],
    ['2000-character input', `"${'x'.repeat(2000)}" <a@b.fr>`, 'ADDRESS_TOO_LONG'],
    ['no @', 'jean.dupont', 'ADDRESS_SYNTAX'],
    ['two @', 'a@@b.fr', 'ADDRESS_SYNTAX'],
    ['space in local part', 'jean dupont@x.fr', 'ADDRESS_SYNTAX'],
    ['unclosed quote', '"jean@x.fr', 'ADDRESS_SYNTAX'],
    ['unclosed comment', 'jean@x.fr (oups', 'ADDRESS_SYNTAX'],
    ['unclosed angle bracket', 'Jean <jean@x.fr', 'ADDRESS_SYNTAX'],
    ['text after >', 'Jean <jean@x.fr> suite', 'ADDRESS_SYNTAX'],
    ['two addresses', 'a@b.fr, c@d.fr', 'ADDRESS_SYNTAX'],
    ['unquoted @ in display name', 'a@b.fr <c@d.fr>', 'ADDRESS_SYNTAX'],
    ['leading dot', '.jean@x.fr', 'ADDRESS_LOCAL_PART'],
    ['double dot', 'jean..dupont@x.fr', 'ADDRESS_LOCAL_PART'],
    ['empty local part', '@x.fr', 'ADDRESS_LOCAL_PART'],
    ['IP literal', 'jean@[192.168.0.1]', 'ADDRESS_DOMAIN'],
    ['dotted IP', 'jean@192.168.0.1', 'ADDRESS_DOMAIN'],
    ['single label', 'jean@localhost', 'ADDRESS_DOMAIN'],
    ['empty domain', 'jean@', 'ADDRESS_DOMAIN'],
    ['leading hyphen', 'jean@-x.fr', 'ADDRESS_DOMAIN'],
    ['trailing hyphen', 'jean@x-.fr', 'ADDRESS_DOMAIN'],
    ['double dot in domain', 'jean@x..fr', 'ADDRESS_DOMAIN'],
    ['underscore in domain', 'jean@x_y.fr', 'ADDRESS_DOMAIN'],
    ['64-character label', `jean@${'x'.repeat(64)}.fr`, 'ADDRESS_DOMAIN'],
    ['invalid A-label', 'jean@xn--zz.fr', 'ADDRESS_DOMAIN'],
  ];
  test.each(table)('%s', (_label, input, code) => {
    const r = parseMailbox(input);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.code).toBe(code);
    expect(r.message.length).toBeGreaterThan(10);
    expect(normaliseAddress(input)).toBeUndefined();
  });

  test('messages are French and say what to do', () => {
    expect(parseMailbox('')).toEqual({ ok: false, code: 'ADDRESS_EMPTY', message: 'Adresse vide.' });
    const r = parseMailbox('a@b.fr\r\nBcc: x@y.fr');
    expect(!r.ok && r.message).toMatch(/^Caractère de contrôle interdit dans l'adresse.*Ressaisissez-la/);
    const t = parseMailbox('a'.repeat(290) + '@x.fr');
    expect(!t.ok && t.message).toBe('Adresse trop longue (295 caractères ; 254 au maximum).');
  });

  test('a non-string (untyped caller) is a value too', () => {
    const r = parseMailbox(undefined as unknown as string);
    expect(r.ok).toBe(false);
  });
});

describe('parseMailboxList', () => {
  test('Outlook paste: semicolons, commas, quoted and unquoted display names with commas', () => {
    const r = parseMailboxList('a@b.fr; "X, Y" <c@d.fr>, Dupont, Jean <j.dupont@x.fr>;; e@f.fr ;');
    expect(r.map((x) => (x.ok ? x.mailbox.address : x.code))).toEqual(['a@b.fr', 'c@d.fr', 'j.dupont@x.fr', 'e@f.fr']);
    expect(r.map((x) => (x.ok ? x.mailbox.displayName : x.code))).toEqual([undefined, 'X, Y', 'Dupont, Jean', undefined]);
  });

  test('separators inside quotes, comments and angle brackets do not split', () => {
    const r = parseMailboxList('"a;b" <a@b.fr>; c@d.fr (x, y; z), <e@f.fr>');
    expect(r.map((x) => (x.ok ? x.mailbox.address : x.code))).toEqual(['a@b.fr', 'c@d.fr', 'e@f.fr']);
  });

  test('an injected line is reported, not silently split or trimmed', () => {
    expect(parseMailboxList('a@b.fr\r\nBcc: x@y.fr').map((x) => (x.ok ? x.mailbox.address : x.code))).toEqual([
      'ADDRESS_CONTROL_CHAR',
    ]);
    expect(parseMailboxList('a@b.fr;\r\n').map((x) => (x.ok ? x.mailbox.address : x.code))).toEqual([
      'a@b.fr',
      'ADDRESS_CONTROL_CHAR',
    ]);
  });

  test('bad items are reported in place; empty input gives an empty list', () => {
    const r = parseMailboxList('a@b.fr; pas-une-adresse; c@d.fr');
    expect(r.map((x) => (x.ok ? x.mailbox.address : x.code))).toEqual(['a@b.fr', 'ADDRESS_SYNTAX', 'c@d.fr']);
    expect(parseMailboxList('')).toEqual([]);
    expect(parseMailboxList(' ; , ')).toEqual([]);
  });
});

describe('normaliseDomain', () => {
  test.each([
    ['Medecin.MSSante.FR.', 'medecin.mssante.fr'],
    ['hôpital.fr', 'xn--hpital-ixa.fr'],
    [' pro.mssante.fr ', 'pro.mssante.fr'],
  ])('%j -> %s', (input, expected) => expect(normaliseDomain(input)).toBe(expected));
  test.each(['localhost', '1.2.3.4', 'a..b', '', '-a.fr', 'a b.fr'])('%j is refused', (input) =>
    expect(normaliseDomain(input)).toBeUndefined(),
  );
});

describe('the fast paths give exactly what the full parser gives', () => {
  // Deterministic PRNG (mulberry32).
  let seed = 6531;
  const rand = () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const pieces = ['a', 'B', 'z', '0', '9', '.', '-', '_', '+', "'", 'xn--', 'XN--', 'é', ' ', '"', '@', '..', 'mssante', 'fr', 'Fr', '1', '-.'];
  const word = (n: number) => Array.from({ length: n }, () => pieces[Math.floor(rand() * pieces.length)]).join('');
  const addresses = Array.from({ length: 20_000 }, () => {
    const r = rand();
    if (r < 0.5) return `${word(1 + Math.floor(rand() * 4))}@${word(1 + Math.floor(rand() * 4))}.${word(1 + Math.floor(rand() * 2))}`;
    if (r < 0.8) return `${word(1 + Math.floor(rand() * 3))}@${word(1 + Math.floor(rand() * 3))}`;
    return `${'a'.repeat(Math.floor(rand() * 70))}@${'b'.repeat(1 + Math.floor(rand() * 70))}.${'c'.repeat(1 + Math.floor(rand() * 150))}.fr`;
  });

  test('plain local@domain: fast path vs full parser (leading space forces the full parser)', () => {
    let fast = 0;
    const diff: string[] = [];
    for (const a of addresses) {
      if (parsePlainAddress(a) !== undefined) fast++;
      const viaFast = parseMailbox(a);
      const viaFull = parseMailbox(` ${a}`);
      if (JSON.stringify(viaFast) !== JSON.stringify(viaFull)) diff.push(a);
    }
    expect(diff).toEqual([]);
    expect(fast).toBeGreaterThan(1000); // the fast path was really exercised
  });

  test('"Display" <local@domain>: fast path vs full parser (a comment forces the full parser)', () => {
    const names = ['Jean Dupont', '"DUPONT, Jean"', 'Dr. Hélène Martin', '"  A   B "', '', '"x"', 'Zoë', '"Smith \\"J\\""'];
    const diff: string[] = [];
    let compared = 0;
    for (const a of addresses.slice(0, 5000)) {
      for (const n of names) {
        const viaFast = parseMailbox(`${n} <${a}>`);
        const viaFull = parseMailbox(`${n} (commentaire)<${a}>`);
        if (JSON.stringify(viaFast) !== JSON.stringify(viaFull)) diff.push(`${n} <${a}>`);
        compared++;
      }
    }
    expect(diff).toEqual([]);
    expect(compared).toBe(40_000);
  });
});
