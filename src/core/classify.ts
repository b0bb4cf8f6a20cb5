// Runtime: any (pure core). Classification of one address into an AddressKind with a reason code.
//
// Rules, first match wins (issue #2, MSSANTE.md §3, §5):
//   1. invalid          the address does not parse (INVALID_SYNTAX, with addressError)
//   2. gateway          a configured gateway pattern; the correspondent's MSSanté address is decoded from the local
//                       part when the pattern allows it and the decoded domain is in the trust space
//                       (GATEWAY_DECODED), else GATEWAY_UNDECODABLE
//   3. patient          @patient.mssante.fr: the local part must be a valid matricule INS (PATIENT_INS_VALID), else
//                       the address cannot exist (invalid, PATIENT_INS_INVALID); known service boxes
//                       (reponse.automatique-test) are ordinary MSSanté boxes
//   4. apicrypt-bridge  mssante.apicrypt.org / interop-mssante.apicrypt.org, when on the liste blanche
//   5. mssante          any other liste blanche domain (DIRECTORY_MAILBOX when the directory knows the box)
//   6. apicrypt         any other apicrypt.org domain: native Apicrypt, not MSSanté
//   7. internal         a configured own domain, or one of its sub-domains
//   8. external         everything else; LOOKALIKE_DOMAIN when the domain imitates an MSSanté one
// Only real trust-space membership counts: being under .mssante.fr or apicrypt.org is not enough.

import { normaliseDomain, parseMailbox, parsePlainAddress } from './address';
import { validateInsMatricule } from './ins';
import { countFr, formatIntegerFr } from './messages-fr';
import { APICRYPT_BRIDGE_DOMAINS, PATIENT_DOMAIN, TrustSpace } from './trust-space';
import type {
  Classification,
  DirectoryEntry,
  DirectoryLookup,
  GatewayPattern,
  Mailbox,
} from './types';

/** What a classifier needs. Build it once (config parsed at the edge) and reuse it. */
export interface ClassifyContext {
  readonly trustSpace: TrustSpace;
  /** Configured gateways (e.g. an Exchange ↔ operator relay). */
  readonly gateways?: readonly GatewayPattern[];
  /** The structure's own, non-MSSanté domains (sub-domains included). */
  readonly internalDomains?: readonly string[];
  /** Directory look-up by normalised address (mailbox type, identity). */
  readonly directory?: DirectoryLookup;
}

/**
 * Service boxes of the patient domain that are not patient addresses (MSSANTE.md §3.2: the test auto-reply box).
 * Compared with the lower-cased local part.
 */
export const PATIENT_SERVICE_MAILBOXES = ['reponse.automatique-test'] as const;

/** Default maximum number of addresses in one batch. */
export const DEFAULT_BATCH_MAX_ITEMS = 500;

/** Error codes of {@link classifyBatch}. */
export const BATCH_ERROR_CODES = [
  'BATCH_EMPTY',
  'BATCH_TOO_LARGE',
  'BATCH_NOT_A_LIST',
  'BATCH_ITEM_NOT_A_STRING',
] as const;
/** One of {@link BATCH_ERROR_CODES}. */
export type BatchErrorCode = (typeof BATCH_ERROR_CODES)[number];

/** Result of {@link classifyBatch}: a value, never a throw. */
export type ClassifyBatchResult =
  | { readonly ok: true; readonly results: Classification[] }
  | { readonly ok: false; readonly code: BatchErrorCode; readonly message: string };

interface CompiledGateway {
  readonly pattern: GatewayPattern;
  /** Anchored regexes decoding the local part; several splits tried (lazy then greedy). */
  readonly decoders: readonly { readonly re: RegExp; readonly localGroup: number; readonly domainGroup: number }[];
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * Checks a gateway pattern (configuration). Returns French error messages; empty when the pattern is usable.
 */
export function checkGatewayPattern(p: GatewayPattern): string[] {
  const errors: string[] = [];
  const where = `passerelle « ${p && typeof p.id === 'string' ? p.id : '?'} »`;
  if (!p || typeof p !== 'object') return ['Passerelle : la définition doit être un objet.'];
  if (typeof p.id !== 'string' || p.id.length === 0) errors.push('Passerelle : « id » est obligatoire.');
  if (typeof p.domain !== 'string' || normaliseDomain(p.domain.replace(/^\*\./, '')) === undefined) {
    errors.push(`${where} : « domain » doit être un nom de domaine (« dsp.paris ») ou « *.domaine » pour ses sous-domaines.`);
  }
  if (p.localTemplate !== undefined) {
    const t = p.localTemplate;
    if (typeof t !== 'string') {
      errors.push(`${where} : « localTemplate » doit être du texte.`);
    } else {
      const locals = t.split('{local}').length - 1;
      const domains = t.split('{domain}').length - 1;
      if (locals !== 1 || domains !== 1) {
        errors.push(`${where} : « localTemplate » doit contenir une fois {local} et une fois {domain} (par exemple « {local}={domain} »).`);
      } else if (t.indexOf('{local}{domain}') >= 0 || t.indexOf('{domain}{local}') >= 0) {
        errors.push(`${where} : « localTemplate » doit séparer {local} et {domain} par au moins un caractère.`);
      }
    }
  }
  return errors;
}

function compileGateway(p: GatewayPattern): CompiledGateway {
  const errors = checkGatewayPattern(p);
  if (errors.length > 0) throw new RangeError(errors.join(' '));
  const decoders: { re: RegExp; localGroup: number; domainGroup: number }[] = [];
  if (p.localTemplate !== undefined) {
    const t = p.localTemplate.toLowerCase();
    const localFirst = t.indexOf('{local}') < t.indexOf('{domain}');
    const parts = t.split(/\{local\}|\{domain\}/);
    for (const firstQuantifier of ['+?', '+']) {
      const src = `^${escapeRegExp(parts[0])}(.${firstQuantifier})${escapeRegExp(parts[1])}(.+)${escapeRegExp(parts[2])}$`;
      decoders.push({ re: new RegExp(src), localGroup: localFirst ? 1 : 2, domainGroup: localFirst ? 2 : 1 });
    }
  }
  return { pattern: p, decoders };
}

/** True when `domain` is `base` or one of its sub-domains (no allocation). */
function isSameOrSubdomain(domain: string, base: string): boolean {
  const d = domain.length - base.length;
  return d === 0 ? domain === base : d > 0 && domain.charCodeAt(d - 1) === 0x2e && domain.endsWith(base);
}

/** Walks the domain and its parents (`a.b.c.fr`, `b.c.fr`, `c.fr`) and tests each against the set. */
function inDomainTree(
  domain: string,
  set: { readonly size: number; has(key: string): boolean },
  includeSelf: boolean,
): string | undefined {
  if (set.size === 0) return undefined;
  if (includeSelf && set.has(domain)) return domain;
  let i = domain.indexOf('.');
  while (i >= 0) {
    const parent = domain.slice(i + 1);
    if (set.has(parent)) return parent;
    i = domain.indexOf('.', i + 1);
  }
  return undefined;
}

const COMBINING = /[\u0300-\u036f]/g;

/** True when the domain imitates an MSSanté (or Apicrypt) domain without being on the list. */
function isLookalike(domain: string, domainUnicode: string): boolean {
  if (domain.indexOf('mssante') >= 0 || domain.indexOf('apicrypt') >= 0) return true;
  if (domain.indexOf('sante') < 0 && domain.indexOf('xn--') < 0 && domain.indexOf('crypt') < 0) return false;
  const squashed = domainUnicode.normalize('NFD').replace(COMBINING, '').replace(/[-.]/g, '');
  return squashed.indexOf('mssante') >= 0 || squashed.indexOf('apicrypt') >= 0;
}

function invalid(input: string, code: Classification['addressError'], reason: Classification['reason']): Classification {
  return { input, kind: 'invalid', reason, addressError: code };
}

const EDGE_SPACES = /^[ \u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]+|[ \u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]+$/g;

/**
 * Precompiles a classifier for a context (gateway patterns, internal domains). This is the hot path: build it once
 * per configuration and call it for every address.
 *
 * @throws RangeError when a gateway pattern or an internal domain is invalid (configuration error)
 */
export function createClassifier(ctx: ClassifyContext): (input: string) => Classification {
  const trustSpace = ctx.trustSpace;
  if (!(trustSpace instanceof TrustSpace)) throw new TypeError('createClassifier : « trustSpace » est obligatoire.');
  const directory = ctx.directory;
  const gatewayExact = new Map<string, CompiledGateway>();
  const gatewayWildcard = new Map<string, CompiledGateway>();
  for (const g of ctx.gateways ?? []) {
    const compiled = compileGateway(g);
    const wildcard = g.domain.slice(0, 2) === '*.';
    const domain = normaliseDomain(wildcard ? g.domain.slice(2) : g.domain) as string;
    (wildcard ? gatewayWildcard : gatewayExact).set(domain, compiled);
  }
  const hasGateways = gatewayExact.size + gatewayWildcard.size > 0;
  const internal = new Set<string>();
  for (const d of ctx.internalDomains ?? []) {
    const n = normaliseDomain(d);
    if (n === undefined) throw new RangeError(`Domaine interne invalide : « ${String(d)} ».`);
    internal.add(n);
  }
  // A few internal domains (the usual case) are tested by suffix, without allocating; many go through the Set.
  const internalList = Array.from(internal);
  const isInternal =
    internalList.length <= 8
      ? (domain: string) => internalList.some((base) => isSameOrSubdomain(domain, base))
      : (domain: string) => inDomainTree(domain, internal, true) !== undefined;
  const patientServices = new Set<string>(PATIENT_SERVICE_MAILBOXES);

  function withDirectory(base: Classification, entry: DirectoryEntry | undefined): Classification {
    return entry ? { ...base, mailboxType: entry.mailboxType, directory: entry } : base;
  }

  function gateway(input: string, m: Mailbox, g: CompiledGateway): Classification {
    const localPart = m.address.slice(0, m.address.length - m.domain.length - 1);
    for (const d of g.decoders) {
      const match = d.re.exec(localPart);
      if (!match) continue;
      const decoded = parseMailbox(`${match[d.localGroup]}@${match[d.domainGroup]}`);
      if (decoded.ok && trustSpace.has(decoded.mailbox.domain)) {
        const decodedAddress = decoded.mailbox.address;
        const base: Classification = {
          input,
          address: m.address,
          displayName: m.displayName,
          kind: 'gateway',
          reason: 'GATEWAY_DECODED',
          decodedAddress,
          gatewayId: g.pattern.id,
        };
        return withDirectory(base, directory ? directory(decodedAddress) : undefined);
      }
    }
    return {
      input,
      address: m.address,
      displayName: m.displayName,
      kind: 'gateway',
      reason: 'GATEWAY_UNDECODABLE',
      gatewayId: g.pattern.id,
    };
  }

  return function classify(raw: string): Classification {
    if (typeof raw !== 'string') {
      // Only reachable from untyped callers (Office payloads, JSON): an invalid recipient, not a crash.
      const missing = raw === undefined || raw === null;
      return invalid(missing ? '' : String(raw), missing ? 'ADDRESS_EMPTY' : 'ADDRESS_SYNTAX', 'INVALID_SYNTAX');
    }
    let m = parsePlainAddress(raw);
    let input = raw;
    if (m === undefined) {
      const parsed = parseMailbox(raw);
      input = raw.replace(EDGE_SPACES, '');
      if (!parsed.ok) return invalid(input, parsed.code, 'INVALID_SYNTAX');
      m = parsed.mailbox;
    }
    const domain = m.domain;
    const address = m.address;

    if (hasGateways) {
      const parent = gatewayWildcard.size > 0 ? inDomainTree(domain, gatewayWildcard, false) : undefined;
      const g = gatewayExact.get(domain) ?? (parent !== undefined ? gatewayWildcard.get(parent) : undefined);
      if (g) return gateway(input, m, g);
    }

    if (domain === PATIENT_DOMAIN) {
      const local = address.slice(0, address.length - PATIENT_DOMAIN.length - 1);
      if (patientServices.has(local)) {
        return withDirectory(
          { input, address, displayName: m.displayName, kind: 'mssante', reason: 'TRUST_SPACE_DOMAIN' },
          directory ? directory(address) : undefined,
        );
      }
      const ins = validateInsMatricule(local);
      if (ins.valid) {
        return { input, address, displayName: m.displayName, kind: 'patient', reason: 'PATIENT_INS_VALID' };
      }
      return { input, address, displayName: m.displayName, kind: 'invalid', reason: 'PATIENT_INS_INVALID' };
    }

    if (trustSpace.hasNormalised(domain)) {
      const entry = directory ? directory(address) : undefined;
      if (domain === APICRYPT_BRIDGE_DOMAINS[0] || domain === APICRYPT_BRIDGE_DOMAINS[1]) {
        return withDirectory({ input, address, displayName: m.displayName, kind: 'apicrypt-bridge', reason: 'APICRYPT_BRIDGE_DOMAIN' }, entry);
      }
      if (entry) {
        return {
          input,
          address,
          displayName: m.displayName,
          kind: 'mssante',
          reason: 'DIRECTORY_MAILBOX',
          mailboxType: entry.mailboxType,
          directory: entry,
        };
      }
      return { input, address, displayName: m.displayName, kind: 'mssante', reason: 'TRUST_SPACE_DOMAIN' };
    }

    if (isSameOrSubdomain(domain, 'apicrypt.org')) {
      return { input, address, displayName: m.displayName, kind: 'apicrypt', reason: 'APICRYPT_NATIVE_DOMAIN' };
    }

    if (internal.size > 0 && isInternal(domain)) {
      return { input, address, displayName: m.displayName, kind: 'internal', reason: 'INTERNAL_DOMAIN' };
    }

    return {
      input,
      address,
      displayName: m.displayName,
      kind: 'external',
      reason: isLookalike(domain, m.domainUnicode) ? 'LOOKALIKE_DOMAIN' : 'NOT_IN_TRUST_SPACE',
    };
  };
}

const classifiers = new WeakMap<ClassifyContext, (input: string) => Classification>();

function classifierFor(ctx: ClassifyContext): (input: string) => Classification {
  let c = classifiers.get(ctx);
  if (c === undefined) {
    c = createClassifier(ctx);
    classifiers.set(ctx, c);
  }
  return c;
}

/**
 * Classifies one address. Convenience over {@link createClassifier} (the compiled classifier is cached per
 * context object).
 */
export function classifyAddress(input: string, ctx: ClassifyContext): Classification {
  return classifierFor(ctx)(input);
}

/**
 * Classifies a batch of addresses (e.g. the body of `POST /api/recipients/classify`). Bad input is a value:
 * not a list, empty, more than `maxItems` (default 500) or an item that is not a string.
 */
export function classifyBatch(
  inputs: readonly unknown[],
  ctx: ClassifyContext,
  opts?: { readonly maxItems?: number },
): ClassifyBatchResult {
  const maxItems = opts?.maxItems ?? DEFAULT_BATCH_MAX_ITEMS;
  if (!Array.isArray(inputs)) {
    return {
      ok: false,
      code: 'BATCH_NOT_A_LIST',
      message: "Les adresses doivent être fournies sous forme de liste (tableau JSON de chaînes de caractères).",
    };
  }
  if (inputs.length === 0) {
    return { ok: false, code: 'BATCH_EMPTY', message: 'La liste des adresses est vide : fournissez au moins une adresse.' };
  }
  if (inputs.length > maxItems) {
    return {
      ok: false,
      code: 'BATCH_TOO_LARGE',
      message:
        `Trop d'adresses en une fois (${formatIntegerFr(inputs.length)} ; ${formatIntegerFr(maxItems)} au maximum) : ` +
        'découpez la liste en plusieurs envois.',
    };
  }
  const bad: number[] = [];
  for (let i = 0; i < inputs.length; i++) if (typeof inputs[i] !== 'string') bad.push(i + 1);
  if (bad.length > 0) {
    const shown = bad.slice(0, 5).join(', ') + (bad.length > 5 ? '…' : '');
    return {
      ok: false,
      code: 'BATCH_ITEM_NOT_A_STRING',
      message: `${countFr(bad.length, "élément de la liste n'est", 'éléments de la liste ne sont')} pas du texte (n° ${shown}) : chaque adresse doit être une chaîne de caractères.`,
    };
  }
  const classify = classifierFor(ctx);
  const results: Classification[] = new Array(inputs.length);
  for (let i = 0; i < inputs.length; i++) results[i] = classify(inputs[i] as string);
  return { ok: true, results };
}
