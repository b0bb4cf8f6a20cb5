// Runtime: any (pure core). RFC 5322 mailbox parsing and normalisation (RFC 6531/6532 for Unicode, IDNA for domains).
//
// One entry point for every address that enters the product (recipient fields, pasted lists, HTTP bodies, CLI
// arguments): it rejects header-injection material (CR, LF, NUL, any C0/C1 control, bidi overrides, invisible
// characters) and returns a normalised Mailbox or a typed error value. It never throws on user input.
//
// Grammar followed (RFC 5322 §3.4, §3.4.1, §3.2.2-3.2.5, with the obs-local-part of §4.4):
//   mailbox    = name-addr / addr-spec
//   name-addr  = [display-name] [CFWS] "<" addr-spec ">" [CFWS]
//   addr-spec  = local-part "@" domain
//   local-part = dot-atom / quoted-string / obs-local-part
//   domain     = dot-atom            (domain-literal "[...]" is rejected: no IP literals for MSSanté)
// Deliberate leniency, for what Outlook users paste: an unquoted comma in a display name
// (`Dupont, Jean <j.dupont@x.fr>`), a trailing dot on the domain (RFC 1034 absolute name), surrounding spaces.

import { toASCII, toUnicode } from 'punycode/punycode.js';
import type { AddressErrorCode, Mailbox, ParseResult } from './types';

/** Maximum length of an address (`local@domain`), RFC 5321 §4.5.3.1.3 (path of 256 octets minus the angle brackets). */
export const MAX_ADDRESS_LENGTH = 254;
/** Maximum length of the local part, RFC 5321 §4.5.3.1.1. */
export const MAX_LOCAL_PART_LENGTH = 64;
/** Maximum length of one domain label, RFC 1035 §2.3.4. */
export const MAX_LABEL_LENGTH = 63;
/** Maximum length of a domain name in text form, RFC 1035 §2.3.4 (255 octets on the wire). */
export const MAX_DOMAIN_LENGTH = 253;
/** Maximum length of one mailbox as typed (display name included): RFC 5322 §2.1.1 line limit. */
export const MAX_MAILBOX_INPUT_LENGTH = 998;

/**
 * Characters refused anywhere in an address: C0 controls (CR, LF, NUL, TAB...), DEL and C1 controls, the soft
 * hyphen, Arabic letter mark, Mongolian vowel separator, zero-width characters, LRM/RLM, line and paragraph
 * separators, bidi embeddings / overrides / isolates (Trojan-Source style spoofing, CVE-2021-42574), word joiner,
 * invisible operators and the BOM. CR/LF is the header-injection vector (`a@b.fr\r\nBcc: x@y.fr`).
 */
// eslint-disable-next-line no-control-regex -- matching control characters is the point: they are refused.
const FORBIDDEN_CHAR = /[\u0000-\u001f\u007f-\u009f\u00ad\u061c\u180e\u200b-\u200f\u2028-\u202e\u2060-\u2064\u2066-\u2069\ufeff]/;

/** Spaces trimmed around an address (ordinary and no-break spaces, as pasted from Word or a web page). */
const EDGE_SPACES = /^[ \u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]+|[ \u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]+$/g;

/**
 * Fast path: a plain ASCII `local@domain`: dot-atom local part (RFC 5322 §3.2.3), LDH labels of at most 63
 * characters, at least two labels, no A-label (`xn--`, checked by the full path), top-level label starting with a
 * letter (so never numeric). One native regex test; length limits checked apart.
 */
const PLAIN_ADDRESS =
  /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*@(?![xX][nN]--)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.(?![xX][nN]--)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\.(?![xX][nN]--)[A-Za-z](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/;
/** The same, lower case only (the usual case): the input is then already the normalised address. */
const PLAIN_LOWER_ADDRESS =
  /^[a-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[a-z0-9!#$%&'*+/=?^_`{|}~-]+)*@(?!xn--)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.(?!xn--)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*\.(?!xn--)[a-z](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

/**
 * The fast path of {@link parseMailbox}: the Mailbox of a plain ASCII `local@domain` (see PLAIN_ADDRESS) of at most
 * 254 characters with a local part of at most 64, else undefined (use parseMailbox). Nearly every real address takes
 * this path; the result is exactly what parseMailbox returns for the same input (checked in the tests).
 */
export function parsePlainAddress(s: string): Mailbox | undefined {
  if (s.length > MAX_ADDRESS_LENGTH) return undefined;
  let address: string;
  if (PLAIN_LOWER_ADDRESS.test(s)) address = s;
  else if (PLAIN_ADDRESS.test(s)) address = s.toLowerCase(); // ASCII: same as lower-casing local part and domain apart
  else return undefined;
  const at = s.indexOf('@');
  if (at > MAX_LOCAL_PART_LENGTH) return undefined;
  const domain = address.slice(at + 1);
  return { local: s.slice(0, at), domain, domainUnicode: domain, address };
}

/** An ASCII LDH label (RFC 1123 §2.1, RFC 5890 §2.3.1). */
const LDH_LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;
/** A domain already in canonical form (lower-case ASCII LDH, no trailing dot): skips normalisation. */
const CANONICAL_DOMAIN = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)+$/;
/** All-digit label: a numeric top-level label means a dotted IP address, not a domain name. */
const ALL_DIGITS = /^[0-9]+$/;
/** IDNA label separators other than the full stop (RFC 3490 §3.1): ideographic, full-width, half-width. */
const IDNA_DOTS = /[\u3002\uff0e\uff61]/g;

/** RFC 5322 atext (§3.2.3) plus every non-ASCII character (RFC 6532 §3.2 UTF8-non-ascii). */
function isAtext(code: number): boolean {
  if (code >= 0x80) return true;
  if ((code >= 0x61 && code <= 0x7a) || (code >= 0x41 && code <= 0x5a) || (code >= 0x30 && code <= 0x39)) return true;
  // ! # $ % & ' * + - / = ? ^ _ ` { | } ~
  switch (code) {
    case 0x21: case 0x23: case 0x24: case 0x25: case 0x26: case 0x27: case 0x2a: case 0x2b: case 0x2d:
    case 0x2f: case 0x3d: case 0x3f: case 0x5e: case 0x5f: case 0x60: case 0x7b: case 0x7c: case 0x7d: case 0x7e:
      return true;
    default:
      return false;
  }
}

const DOT_ATOM_TEXT = /^[^\s."(),:;<>@[\\\]]+(?:\.[^\s."(),:;<>@[\\\]]+)*$/;

/** Code units from which NFC may change a string: below U+0300 every character is its own NFC form. */
const MAY_CHANGE_UNDER_NFC = /[\u0300-\uffff]/;

/** Unicode NFC (RFC 6531 §3.1 / RFC 5198), skipping the costly call for the common Latin-1 case. */
function nfc(s: string): string {
  return MAY_CHANGE_UNDER_NFC.test(s) ? s.normalize('NFC') : s;
}

/** UTF-8 length of a string (RFC 6531 limits are in octets). */
function utf8Length(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff) {
      n += 4;
      i++;
    } else n += 3;
  }
  return n;
}

function fail(code: AddressErrorCode, message: string): ParseResult {
  return { ok: false, code, message };
}

const EMPTY: ParseResult = fail('ADDRESS_EMPTY', 'Adresse vide.');
const CONTROL_MESSAGE =
  "Caractère de contrôle interdit dans l'adresse (retour à la ligne, caractère invisible ou d'inversion du sens " +
  "d'écriture) : l'adresse a été refusée. Ressaisissez-la au clavier.";
const CONTROL: ParseResult = fail('ADDRESS_CONTROL_CHAR', CONTROL_MESSAGE);

/** Result of normalising a domain: the ASCII form, the Unicode form, or an error. */
type DomainResult =
  | { readonly ok: true; readonly ascii: string; readonly unicode: string }
  | { readonly ok: false; readonly code: AddressErrorCode; readonly message: string };

function domainError(code: AddressErrorCode, message: string): DomainResult {
  return { ok: false, code, message };
}

/**
 * Normalises a domain name: IDNA separators mapped to '.', one trailing dot removed, NFC, lower case, U-labels
 * converted to A-labels (punycode, RFC 3492), every label LDH and at most 63 characters, at least two labels,
 * numeric top-level label refused (dotted IP address).
 */
function normaliseDomainDetailed(raw: string): DomainResult {
  if (CANONICAL_DOMAIN.test(raw) && raw.indexOf('xn--') < 0) {
    const last = raw.slice(raw.lastIndexOf('.') + 1);
    if (ALL_DIGITS.test(last)) return ipDomainError();
    if (raw.length > MAX_DOMAIN_LENGTH) return tooLongDomain(raw.length);
    return { ok: true, ascii: raw, unicode: raw };
  }
  let d = raw.replace(IDNA_DOTS, '.');
  if (d.length > 1 && d.charCodeAt(d.length - 1) === 0x2e) d = d.slice(0, -1);
  if (d.length === 0) return domainError('ADDRESS_DOMAIN', 'Domaine manquant après « @ ».');
  if (FORBIDDEN_CHAR.test(d)) return domainError('ADDRESS_CONTROL_CHAR', CONTROL_MESSAGE);
  d = nfc(d).toLowerCase();
  let ascii: string;
  try {
    ascii = toASCII(d);
  } catch {
    return domainError('ADDRESS_DOMAIN', `Le domaine « ${d} » contient des caractères impossibles à convertir (IDN).`);
  }
  const labels = ascii.split('.');
  if (labels.length < 2) {
    return domainError(
      'ADDRESS_DOMAIN',
      `Le domaine « ${d} » est incomplet : il doit comporter au moins deux parties (par exemple « hopital.fr »).`,
    );
  }
  for (const label of labels) {
    if (label.length === 0) {
      return domainError('ADDRESS_DOMAIN', `Le domaine « ${d} » contient deux points de suite ou commence par un point.`);
    }
    if (label.length > MAX_LABEL_LENGTH) {
      return domainError(
        'ADDRESS_DOMAIN',
        `Une partie du domaine dépasse ${MAX_LABEL_LENGTH} caractères (${label.length}).`,
      );
    }
    if (!LDH_LABEL.test(label)) {
      return domainError(
        'ADDRESS_DOMAIN',
        `Le domaine « ${d} » contient un caractère non autorisé : seuls les lettres, les chiffres et le tiret ` +
          '(ni au début ni à la fin) sont admis.',
      );
    }
    if (label.slice(0, 4) === 'xn--') {
      try {
        const u = toUnicode(label);
        if (u === label) throw new RangeError('not an A-label');
      } catch {
        return domainError('ADDRESS_DOMAIN', `Le domaine « ${d} » contient un nom internationalisé (xn--) invalide.`);
      }
    }
  }
  if (ALL_DIGITS.test(labels[labels.length - 1])) return ipDomainError();
  if (ascii.length > MAX_DOMAIN_LENGTH) return tooLongDomain(ascii.length);
  return { ok: true, ascii, unicode: toUnicode(ascii) };
}

function ipDomainError(): DomainResult {
  return domainError(
    'ADDRESS_DOMAIN',
    'Les adresses IP ne sont pas acceptées à la place du nom de domaine : utilisez une adresse avec un nom de domaine.',
  );
}

function tooLongDomain(n: number): DomainResult {
  return domainError('ADDRESS_TOO_LONG', `Nom de domaine trop long (${n} caractères ; ${MAX_DOMAIN_LENGTH} au maximum).`);
}

/**
 * Normalises a bare domain name (`Hôpital.FR.` -> `xn--hpital-zxa.fr`): lower-case ASCII (A-labels), no trailing dot.
 * Returns undefined when it is not a valid host name with at least two labels.
 */
export function normaliseDomain(input: string): string | undefined {
  if (typeof input !== 'string') return undefined;
  const r = normaliseDomainDetailed(input.replace(EDGE_SPACES, ''));
  return r.ok ? r.ascii : undefined;
}

/** Cursor-based parser of one mailbox (slow path). */
class MailboxParser {
  private i = 0;
  /** Set when a syntax error was found; parsing stops at the first one. */
  error: ParseResult | undefined;

  constructor(private readonly s: string) {}

  private syntax(message: string): undefined {
    if (!this.error) this.error = fail('ADDRESS_SYNTAX', message);
    return undefined;
  }

  private local(message: string): undefined {
    if (!this.error) this.error = fail('ADDRESS_LOCAL_PART', message);
    return undefined;
  }

  /** Skips folding white space and (nested) comments, RFC 5322 §3.2.2. */
  private skipCfws(): boolean {
    const s = this.s;
    for (;;) {
      const c = s.charCodeAt(this.i);
      if (c === 0x20 || c === 0xa0 || c === 0x3000 || c === 0x202f || (c >= 0x2000 && c <= 0x200a)) {
        this.i++;
      } else if (c === 0x28 /* ( */) {
        let depth = 0;
        do {
          const d = s.charCodeAt(this.i);
          if (Number.isNaN(d)) {
            this.syntax('Parenthèse de commentaire « ( » non fermée.');
            return false;
          }
          if (d === 0x5c /* \ */) this.i++;
          else if (d === 0x28) depth++;
          else if (d === 0x29) depth--;
          this.i++;
        } while (depth > 0);
      } else {
        return true;
      }
    }
  }

  /** Reads a quoted-string (RFC 5322 §3.2.4) and returns its content with quoted-pairs resolved. */
  private quoted(): string | undefined {
    const s = this.s;
    let out = '';
    this.i++; // opening quote
    for (;;) {
      const c = s.charCodeAt(this.i);
      if (Number.isNaN(c)) return this.syntax('Guillemet « " » non fermé.');
      if (c === 0x22) {
        this.i++;
        return out;
      }
      if (c === 0x5c) {
        this.i++;
        if (this.i >= s.length) return this.syntax('Guillemet « " » non fermé.');
      }
      out += s[this.i];
      this.i++;
    }
  }

  /** Reads a run of atext (RFC 5322 atom without CFWS). */
  private atom(): string {
    const s = this.s;
    const start = this.i;
    while (this.i < s.length && isAtext(s.charCodeAt(this.i))) this.i++;
    return s.slice(start, this.i);
  }

  /**
   * Reads a display name (phrase, RFC 5322 §3.2.5, obs-phrase with '.', plus an unquoted comma for Outlook
   * pastes) up to '<'. Returns undefined (and no error) when the input is not in name-addr form.
   */
  private displayName(): { name: string } | undefined {
    const s = this.s;
    const words: string[] = [];
    for (;;) {
      if (!this.skipCfws()) return undefined;
      const c = s.charCodeAt(this.i);
      if (Number.isNaN(c)) return undefined; // no '<': not a name-addr
      if (c === 0x3c /* < */) return { name: words.join(' ') };
      if (c === 0x22) {
        const q = this.quoted();
        if (q === undefined) return undefined;
        words.push(q.replace(/\s+/g, ' ').trim());
        continue;
      }
      const start = this.i;
      while (this.i < s.length) {
        const d = s.charCodeAt(this.i);
        if (isAtext(d) || d === 0x2e /* . */ || d === 0x2c /* , */) this.i++;
        else break;
      }
      if (this.i === start) return undefined; // '@', '>', ';', ':' ... : not a display name
      words.push(s.slice(start, this.i));
    }
  }

  /** Parses `local@domain` at the cursor. */
  addrSpec(): { local: string; rawDomain: string } | undefined {
    const s = this.s;
    const parts: string[] = [];
    let quotedSeen = false;
    for (;;) {
      if (!this.skipCfws()) return undefined;
      const c = s.charCodeAt(this.i);
      if (c === 0x22) {
        const q = this.quoted();
        if (q === undefined) return undefined;
        parts.push(q);
        quotedSeen = true;
      } else {
        const a = this.atom();
        if (a.length === 0) {
          if (c === 0x40 /* @ */ && parts.length === 0) return this.local('La partie avant « @ » est vide.');
          if (c === 0x2e || c === 0x40) {
            return this.local('Point mal placé avant « @ » (en début, en fin ou deux points de suite).');
          }
          if (Number.isNaN(c)) return this.syntax('Il manque « @ » : une adresse a la forme « nom@domaine.fr ».');
          return this.syntax(`Caractère « ${s[this.i]} » inattendu dans l'adresse.`);
        }
        parts.push(a);
      }
      if (!this.skipCfws()) return undefined;
      const n = s.charCodeAt(this.i);
      if (n === 0x2e) {
        this.i++;
        continue;
      }
      if (n === 0x40) {
        this.i++;
        break;
      }
      if (Number.isNaN(n)) return this.syntax('Il manque « @ » : une adresse a la forme « nom@domaine.fr ».');
      if (n === 0x20 || isAtext(n) || n === 0x22) {
        return this.syntax('Espace ou caractère inattendu avant « @ » : une adresse ne contient pas d\'espace.');
      }
      return this.syntax(`Caractère « ${s[this.i]} » inattendu avant « @ ».`);
    }
    const joined = parts.join('.');
    let local: string;
    if (!quotedSeen) local = joined;
    else if (joined.length > 0 && DOT_ATOM_TEXT.test(joined)) local = joined;
    else local = '"' + joined.replace(/(["\\])/g, '\\$1') + '"';
    if (local.length === 0) return this.local('La partie avant « @ » est vide.');

    if (!this.skipCfws()) return undefined;
    if (s.charCodeAt(this.i) === 0x5b /* [ */) {
      if (!this.error) {
        this.error = fail(
          'ADDRESS_DOMAIN',
          'Les adresses IP entre crochets ne sont pas acceptées : utilisez une adresse avec un nom de domaine.',
        );
      }
      return undefined;
    }
    const start = this.i;
    while (this.i < s.length) {
      const c = s.charCodeAt(this.i);
      if (c === 0x2e || isAtext(c)) this.i++;
      else break;
    }
    const rawDomain = s.slice(start, this.i);
    if (rawDomain.length === 0 && s.charCodeAt(this.i) === 0x40) return this.syntax("L'adresse contient plusieurs « @ ».");
    if (rawDomain.length === 0) {
      if (!this.error) this.error = fail('ADDRESS_DOMAIN', 'Domaine manquant après « @ ».');
      return undefined;
    }
    return { local, rawDomain };
  }

  /** Parses the whole input as one mailbox. */
  mailbox(): { displayName?: string; local: string; rawDomain: string } | undefined {
    const s = this.s;
    const dn = this.displayName();
    if (this.error) return undefined;
    if (dn !== undefined) {
      this.i++; // '<'
      const spec = this.addrSpec();
      if (!spec) return undefined;
      if (!this.skipCfws()) return undefined;
      if (s.charCodeAt(this.i) !== 0x3e /* > */) return this.syntax('Chevron fermant « > » manquant ou mal placé.');
      this.i++;
      if (!this.skipCfws()) return undefined;
      if (this.i < s.length) return this.syntax('Texte inattendu après « > ».');
      const name = dn.name.replace(/\s+/g, ' ').trim();
      return name.length > 0 ? { displayName: nfc(name), ...spec } : spec;
    }
    this.i = 0;
    this.error = undefined;
    const spec = this.addrSpec();
    if (!spec) return undefined;
    if (!this.skipCfws()) return undefined;
    if (this.i < s.length) {
      const c = s[this.i];
      if (c === '>') return this.syntax('Chevron ouvrant « < » manquant.');
      if (c === '@') return this.syntax("L'adresse contient plusieurs « @ ».");
      if (c === '<') return this.syntax('Texte inattendu avant « < » : mettez le nom affiché entre guillemets.');
      if (c === ',' || c === ';') return this.syntax('Plusieurs adresses : séparez-les et saisissez-les une par une.');
      return this.syntax(`Texte inattendu après le domaine (« ${c} »).`);
    }
    return spec;
  }
}

/** A display name the fast path may take as is: Latin letters, digits, atext, '.', ',' and plain spaces. */
const SIMPLE_PHRASE = /^[ A-Za-z0-9!#$%&'*+/=?^_`{|}~.,\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u024f-]*$/;
/** A quoted display name without escapes. */
const SIMPLE_QUOTED = /^ *"[^"\\]*" *$/;

/**
 * Fast path of `Display Name <local@domain>` when the display name is a simple phrase or a quoted string without
 * escapes and the address is plain ASCII: the same result as the full parser (test/core/address.test.ts checks it).
 */
function parseSimpleNameAddr(s: string): Mailbox | undefined {
  if (s.charCodeAt(s.length - 1) !== 0x3e /* > */) return undefined;
  const lt = s.lastIndexOf('<');
  if (lt < 0) return undefined;
  const spec = parsePlainAddress(s.slice(lt + 1, -1));
  if (spec === undefined) return undefined;
  let phrase = s.slice(0, lt);
  if (SIMPLE_QUOTED.test(phrase)) phrase = phrase.slice(phrase.indexOf('"') + 1, phrase.lastIndexOf('"'));
  else if (!SIMPLE_PHRASE.test(phrase)) return undefined;
  const name = phrase.replace(/\s+/g, ' ').trim();
  if (name.length === 0) return spec;
  return {
    displayName: nfc(name),
    local: spec.local,
    domain: spec.domain,
    domainUnicode: spec.domainUnicode,
    address: spec.address,
  };
}

function tooLong(n: number): ParseResult {
  return fail('ADDRESS_TOO_LONG', `Adresse trop longue (${n} caractères ; ${MAX_ADDRESS_LENGTH} au maximum).`);
}

function localTooLong(n: number): ParseResult {
  return fail(
    'ADDRESS_TOO_LONG',
    `La partie avant « @ » est trop longue (${n} caractères ; ${MAX_LOCAL_PART_LENGTH} au maximum).`,
  );
}

/**
 * Parses one RFC 5322 mailbox: `local@domain` or `Display Name <local@domain>`, with quoted display names and
 * local parts, comments `( )` where CFWS is allowed, IDN domains (converted to punycode A-labels) and Unicode
 * local parts (RFC 6531, normalised NFC). Domain lower-cased, trailing dot removed.
 *
 * Refuses (as a value, never a throw): empty input, any control/bidi/invisible character anywhere
 * (`ADDRESS_CONTROL_CHAR`, header-injection defence), more than 254 characters for the address or 64 for the
 * local part (`ADDRESS_TOO_LONG`), IP literals and invalid host names (`ADDRESS_DOMAIN`).
 *
 * @param input one mailbox as typed or pasted (surrounding spaces are ignored)
 * @returns `{ ok: true, mailbox }` or `{ ok: false, code, message }` with a French message
 */
export function parseMailbox(input: string): ParseResult {
  if (typeof input !== 'string') return fail('ADDRESS_SYNTAX', "L'adresse n'est pas du texte.");
  const plain = parsePlainAddress(input);
  if (plain !== undefined) return { ok: true, mailbox: plain };
  return parseMailboxSlow(input);
}

function parseMailboxSlow(input: string): ParseResult {
  if (FORBIDDEN_CHAR.test(input)) return CONTROL;
  const s = input.replace(EDGE_SPACES, '');
  if (s.length === 0) return EMPTY;
  if (s.length > MAX_MAILBOX_INPUT_LENGTH) return tooLong(s.length);
  const named = parseSimpleNameAddr(s);
  if (named !== undefined) return { ok: true, mailbox: named };
  const p = new MailboxParser(s);
  const m = p.mailbox();
  if (!m) return p.error ?? fail('ADDRESS_SYNTAX', 'Adresse mal formée.');
  const local = nfc(m.local);
  const d = normaliseDomainDetailed(m.rawDomain);
  if (!d.ok) return fail(d.code, d.message);
  const address = local.toLowerCase() + '@' + d.ascii;
  const total = utf8Length(local) + 1 + d.ascii.length;
  if (total > MAX_ADDRESS_LENGTH) return tooLong(total);
  const localLength = utf8Length(local);
  if (localLength > MAX_LOCAL_PART_LENGTH) return localTooLong(localLength);
  const mailbox: Mailbox =
    m.displayName !== undefined
      ? { displayName: m.displayName, local, domain: d.ascii, domainUnicode: d.unicode, address }
      : { local, domain: d.ascii, domainUnicode: d.unicode, address };
  return { ok: true, mailbox };
}

/**
 * Normalised key of an address (`local@domain`, local part lower-cased, domain in ASCII), or undefined when the
 * input is not a valid mailbox. Accepts the same forms as {@link parseMailbox}.
 */
export function normaliseAddress(input: string): string | undefined {
  const r = parseMailbox(input);
  return r.ok ? r.mailbox.address : undefined;
}

/**
 * Splits a list of mailboxes separated by commas or semicolons (Outlook uses `;`), respecting quoted strings,
 * comments, angle brackets and domain literals, then parses each one. An unquoted `Nom, Prénom <adresse>` (what
 * Outlook shows for directory entries) is kept together. Empty items (`a@b.fr; ;`) are skipped; an item holding
 * only control characters is not empty and is reported as `ADDRESS_CONTROL_CHAR`.
 *
 * @returns one ParseResult per item, in order; `[]` for an empty or blank input
 */
export function parseMailboxList(input: string): ParseResult[] {
  if (typeof input !== 'string') return [fail('ADDRESS_SYNTAX', "La liste d'adresses n'est pas du texte.")];
  const pieces: { text: string; sep: string }[] = [];
  let start = 0;
  let inQuote = false;
  let comment = 0;
  let angle = false;
  let bracket = false;
  for (let i = 0; i < input.length; i++) {
    const c = input[i];
    if (inQuote) {
      if (c === '\\') i++;
      else if (c === '"') inQuote = false;
    } else if (comment > 0) {
      if (c === '\\') i++;
      else if (c === '(') comment++;
      else if (c === ')') comment--;
    } else if (c === '"') inQuote = true;
    else if (c === '(') comment = 1;
    else if (c === '<') angle = true;
    else if (c === '>') angle = false;
    else if (c === '[') bracket = true;
    else if (c === ']') bracket = false;
    else if ((c === ',' || c === ';') && !angle && !bracket) {
      pieces.push({ text: input.slice(start, i), sep: c });
      start = i + 1;
    }
  }
  pieces.push({ text: input.slice(start), sep: '' });

  // `Dupont, Jean <j.dupont@x.fr>`: a comma-terminated piece without '@' followed by a piece with '<'.
  const merged: string[] = [];
  for (let k = 0; k < pieces.length; k++) {
    let text = pieces[k].text;
    while (
      pieces[k].sep === ',' &&
      k + 1 < pieces.length &&
      text.indexOf('@') < 0 &&
      text.replace(EDGE_SPACES, '').length > 0 &&
      pieces[k + 1].text.indexOf('<') >= 0
    ) {
      k++;
      text = text + ',' + pieces[k].text;
    }
    merged.push(text);
  }
  const results: ParseResult[] = [];
  for (const text of merged) {
    if (text.replace(EDGE_SPACES, '').length === 0) continue;
    results.push(parseMailbox(text));
  }
  return results;
}
