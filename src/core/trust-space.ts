// Runtime: any (pure core). The MSSanté trust space: the signed "liste blanche" of domains (MSSANTE.md §3.3, §5).
//
// parseListeBlanche() reads the XML published at https://espacedeconfiance.mssante.fr/listeblanchemssante.xml with a
// strict well-formedness scanner (xml-scanner.ts, cross-checked against the saxes parser in the tests), so a truncated
// or malformed file is refused as a whole: it throws ListeBlancheError and the caller keeps the previous list. Never a
// half-loaded list.
// The enveloped XML-DSig signature is detected (`signed`) but not verified here (the connector does that).
//
// TrustSpace answers "is this domain in the trust space?" in O(1) (a Set of lower-case ASCII names).
// defaultTrustSpace() is built once from the bundled snapshot (listeblanche-snapshot.ts).

import { normaliseDomain } from './address';
import { countFr } from './messages-fr';
import { LISTE_BLANCHE_SNAPSHOT } from './listeblanche-snapshot';
import { scanXml, XmlSyntaxError, type XmlScanHandler } from './xml-scanner';

/** XML namespace of the liste blanche. */
export const LISTE_BLANCHE_NAMESPACE = 'https://listeblanche.mssante.fr/schema';
/** XML-DSig namespace (the enveloped signature). */
export const XMLDSIG_NAMESPACE = 'http://www.w3.org/2000/09/xmldsig#';
/** Root element of the liste blanche. */
export const LISTE_BLANCHE_ROOT = 'ListeBlancheMSSante';

/**
 * The two apicrypt.org domains of the liste blanche: the Apicrypt ↔ MSSanté bridge (MSSANTE.md §5).
 * Any other apicrypt.org domain is native Apicrypt, not MSSanté.
 */
export const APICRYPT_BRIDGE_DOMAINS = ['mssante.apicrypt.org', 'interop-mssante.apicrypt.org'] as const;

/** Mon Espace Santé patient domain, run by CNAM: `<matricule INS>@patient.mssante.fr` (MSSANTE.md §3.2). */
export const PATIENT_DOMAIN = 'patient.mssante.fr';

/** One `<Domaine>` entry (one per domain × operator MTA certificate, so a name may appear several times). */
export interface ListeBlancheDomain {
  /** `<Nom>`, normalised: lower-case ASCII, no trailing dot. */
  readonly name: string;
  readonly description?: string;
  /** `<DNCertificatOperateur>`: DN of the operator's MTA certificate (IGC-Santé). */
  readonly operatorDn?: string;
  /** `<DateMAJ>`, as written (ISO 8601). */
  readonly updatedAt?: string;
}

/** A parsed liste blanche. */
export interface ListeBlanche {
  /** `<DateDeGeneration>`, as written (ISO 8601, e.g. `2025-02-28T15:42:07Z`). */
  readonly generatedAt: string;
  /** Every `<Domaine>` entry, in file order. */
  readonly domains: readonly ListeBlancheDomain[];
  /** Number of distinct domain names. */
  readonly distinctDomains: number;
  /** True when an enveloped `ds:Signature` element is present (not verified here). */
  readonly signed: boolean;
}

/** Error codes of {@link parseListeBlanche}. */
export const LISTE_BLANCHE_ERROR_CODES = [
  'LISTE_BLANCHE_MALFORMED',
  'LISTE_BLANCHE_TRUNCATED',
  'LISTE_BLANCHE_WRONG_ROOT',
  'LISTE_BLANCHE_EMPTY',
] as const;
/** One of {@link LISTE_BLANCHE_ERROR_CODES}. */
export type ListeBlancheErrorCode = (typeof LISTE_BLANCHE_ERROR_CODES)[number];

/**
 * Thrown by {@link parseListeBlanche} when the file cannot be loaded as a whole. The message (French) says what
 * happened and what to do; the previous list must stay in service.
 */
export class ListeBlancheError extends Error {
  override readonly name = 'ListeBlancheError';
  /** Number of `<Domaine>` entries read before the problem (for logs). */
  readonly entriesRead: number;

  constructor(
    readonly code: ListeBlancheErrorCode,
    message: string,
    entriesRead = 0,
  ) {
    super(message);
    this.entriesRead = entriesRead;
  }
}

const NOT_LOADED = "elle n'a pas été chargée, la précédente reste en service.";

// Element states while parsing (a stack, one entry per open element).
const S_OTHER = 0;
const S_ROOT = 1;
const S_DATE = 2;
const S_LIST = 3;
const S_DOMAIN = 4;
const S_NAME = 5;
const S_DESCRIPTION = 6;
const S_DN = 7;
const S_UPDATED = 8;
const S_SIGNATURE = 9;

/**
 * Parses the liste blanche XML (namespace `https://listeblanche.mssante.fr/schema`, root `ListeBlancheMSSante`,
 * `DateDeGeneration`, `ListeDomaines/Domaine/{Nom, Description, DNCertificatOperateur, ResponsableContact,
 * SupportContact, DateMAJ}`, then an enveloped `ds:Signature`). Well-formedness and namespaces are checked by
 * {@link scanXml} (XML 1.0 + Namespaces 1.0; a DOCTYPE is refused).
 *
 * @param xml the whole file, decoded (UTF-8)
 * @throws ListeBlancheError `LISTE_BLANCHE_TRUNCATED` (root never closed: interrupted download, ANS's GitHub copy),
 *   `LISTE_BLANCHE_MALFORMED` (not well-formed XML, missing `<DateDeGeneration>` or `<Nom>`, invalid domain name),
 *   `LISTE_BLANCHE_WRONG_ROOT` (another XML document, e.g. an HTML error page), `LISTE_BLANCHE_EMPTY` (no domain).
 */
export function parseListeBlanche(xml: string): ListeBlanche {
  if (typeof xml !== 'string' || !/\S/.test(xml)) {
    throw new ListeBlancheError(
      'LISTE_BLANCHE_EMPTY',
      `Le fichier de la liste blanche est vide : ${NOT_LOADED} Téléchargez-le de nouveau.`,
    );
  }

  const stack: number[] = [];
  const domains: ListeBlancheDomain[] = [];
  const names = new Set<string>();
  let generatedAt: string | undefined;
  let signed = false;
  let rootSeen = false;
  let name: string | undefined;
  let description: string | undefined;
  let operatorDn: string | undefined;
  let updatedAt: string | undefined;

  // Problems found inside a handler are thrown as ListeBlancheError: the scan stops and the error reaches the caller.
  const malformed = (why: string): ListeBlancheError =>
    new ListeBlancheError(
      'LISTE_BLANCHE_MALFORMED',
      `La liste blanche est invalide (${why}) : ${NOT_LOADED} Téléchargez-la de nouveau.`,
      domains.length,
    );

  const handler: XmlScanHandler = {
    openTag(local, uri, qname) {
      const parent = stack.length === 0 ? -1 : stack[stack.length - 1];
      let state = S_OTHER;
      if (parent === -1) {
        if (local !== LISTE_BLANCHE_ROOT || uri !== LISTE_BLANCHE_NAMESPACE) {
          throw new ListeBlancheError(
            'LISTE_BLANCHE_WRONG_ROOT',
            `Ce fichier n'est pas une liste blanche MSSanté (élément racine <${qname}>` +
              `${uri ? ` de l'espace de noms ${uri}` : ''} au lieu de <${LISTE_BLANCHE_ROOT}> de l'espace de noms ` +
              `${LISTE_BLANCHE_NAMESPACE}) : il n'a pas été chargé, la liste précédente reste en service. ` +
              "Vérifiez l'adresse de téléchargement.",
          );
        }
        rootSeen = true;
        state = S_ROOT;
      } else if (parent === S_ROOT) {
        if (uri === LISTE_BLANCHE_NAMESPACE) {
          if (local === 'DateDeGeneration') state = S_DATE;
          else if (local === 'ListeDomaines') state = S_LIST;
        } else if (uri === XMLDSIG_NAMESPACE && local === 'Signature') {
          state = S_SIGNATURE;
          signed = true;
        }
      } else if (parent === S_LIST) {
        if (local === 'Domaine' && uri === LISTE_BLANCHE_NAMESPACE) {
          state = S_DOMAIN;
          name = description = operatorDn = updatedAt = undefined;
        }
      } else if (parent === S_DOMAIN && uri === LISTE_BLANCHE_NAMESPACE) {
        if (local === 'Nom') state = S_NAME;
        else if (local === 'Description') state = S_DESCRIPTION;
        else if (local === 'DNCertificatOperateur') state = S_DN;
        else if (local === 'DateMAJ') state = S_UPDATED;
      }
      stack.push(state);
      return state === S_DATE || (state >= S_NAME && state <= S_UPDATED);
    },
    closeTag(text) {
      const state = stack.pop();
      const value = text === undefined ? '' : text.trim();
      switch (state) {
        case S_DATE:
          generatedAt = value;
          break;
        case S_NAME:
          name = value;
          break;
        case S_DESCRIPTION:
          description = value;
          break;
        case S_DN:
          operatorDn = value;
          break;
        case S_UPDATED:
          updatedAt = value;
          break;
        case S_DOMAIN: {
          const n = domains.length + 1;
          if (name === undefined || name.length === 0) throw malformed(`entrée <Domaine> n° ${n} sans <Nom>`);
          const normalised = normaliseDomain(name);
          if (normalised === undefined) throw malformed(`nom de domaine invalide dans l'entrée <Domaine> n° ${n}`);
          names.add(normalised);
          const entry: { -readonly [K in keyof ListeBlancheDomain]: ListeBlancheDomain[K] } = { name: normalised };
          if (description !== undefined) entry.description = description;
          if (operatorDn !== undefined) entry.operatorDn = operatorDn;
          if (updatedAt !== undefined) entry.updatedAt = updatedAt;
          domains.push(entry);
          break;
        }
        default:
          break;
      }
    },
  };

  try {
    scanXml(xml, handler);
  } catch (e) {
    if (e instanceof ListeBlancheError) throw e;
    if (!(e instanceof XmlSyntaxError)) throw e;
    if (e.truncated && rootSeen) {
      throw new ListeBlancheError(
        'LISTE_BLANCHE_TRUNCATED',
        `La liste blanche est tronquée (balise de fin </${LISTE_BLANCHE_ROOT}> absente après ` +
          `${countFr(domains.length, 'domaine', 'domaines')}) : ${NOT_LOADED} Téléchargez-la de nouveau.`,
        domains.length,
      );
    }
    if (!rootSeen && !/^\uFEFF?\s*</.test(xml)) {
      throw new ListeBlancheError(
        'LISTE_BLANCHE_WRONG_ROOT',
        "Ce fichier n'est pas une liste blanche MSSanté (ce n'est pas du XML) : il n'a pas été chargé, la liste " +
          "précédente reste en service. Vérifiez l'adresse de téléchargement.",
      );
    }
    throw malformed(`XML mal formé : ${e.message}`);
  }
  if (generatedAt === undefined || generatedAt.length === 0) throw malformed('<DateDeGeneration> absente');
  if (domains.length === 0) {
    throw new ListeBlancheError(
      'LISTE_BLANCHE_EMPTY',
      `La liste blanche ne contient aucun domaine : ${NOT_LOADED} Téléchargez-la de nouveau.`,
    );
  }
  return { generatedAt, domains, distinctDomains: names.size, signed };
}

/** A domain already in canonical form: the Set answers directly, no normalisation. */
const CANONICAL = /^[a-z0-9.-]+$/;

/**
 * The set of MSSanté trust-space domains. `has()` is O(1) on lower-case ASCII names (IDN in A-label form).
 * Build it with {@link TrustSpace.fromListeBlanche}, {@link TrustSpace.fromDomains} or {@link defaultTrustSpace}.
 */
export class TrustSpace {
  /** Number of distinct domains. */
  readonly size: number;

  private constructor(
    private readonly domainSet: ReadonlySet<string>,
    /** `DateDeGeneration` of the source list, when known. */
    readonly generatedAt: string | undefined,
  ) {
    this.size = domainSet.size;
  }

  /** Builds the trust space from a parsed liste blanche. */
  static fromListeBlanche(lb: ListeBlanche): TrustSpace {
    const set = new Set<string>();
    for (const d of lb.domains) set.add(d.name);
    return new TrustSpace(set, lb.generatedAt);
  }

  /**
   * Builds a trust space from domain names (normalised: lower case, IDN to A-labels, trailing dot removed).
   *
   * @throws RangeError when a name is not a valid domain (a configuration error)
   */
  static fromDomains(domains: Iterable<string>, generatedAt?: string): TrustSpace {
    const set = new Set<string>();
    for (const d of domains) {
      const n = typeof d === 'string' ? normaliseDomain(d) : undefined;
      if (n === undefined) throw new RangeError(`Domaine invalide pour l'espace de confiance : « ${String(d)} ».`);
      set.add(n);
    }
    return new TrustSpace(set, generatedAt);
  }

  /**
   * True when the domain is in the trust space. Exact match on the normalised name: sub-domains of a listed
   * domain are not in the trust space unless listed themselves.
   */
  has(domain: string): boolean {
    if (this.domainSet.has(domain)) return true;
    if (typeof domain !== 'string' || CANONICAL.test(domain)) return false;
    const n = normaliseDomain(domain);
    return n !== undefined && this.domainSet.has(n);
  }

  /** Same as {@link TrustSpace.has} for a name already normalised (e.g. `Mailbox.domain`): one Set look-up. */
  hasNormalised(domain: string): boolean {
    return this.domainSet.has(domain);
  }

  /** The domain names, sorted. */
  names(): string[] {
    return Array.from(this.domainSet).sort();
  }
}

let defaultSpace: TrustSpace | undefined;

/**
 * The trust space of the bundled liste blanche snapshot (see listeblanche-snapshot.ts for its date and source),
 * built once on first use. The connector replaces it with a freshly downloaded, verified list.
 */
export function defaultTrustSpace(): TrustSpace {
  if (defaultSpace === undefined) {
    defaultSpace = TrustSpace.fromDomains(
      LISTE_BLANCHE_SNAPSHOT.domains.split('\n'),
      LISTE_BLANCHE_SNAPSHOT.generatedAt,
    );
  }
  return defaultSpace;
}
