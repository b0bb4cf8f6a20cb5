// Runtime: any (pure core). The MSSanté message rules of Référentiel #2 (MSSANTE.md §1.5, §7): which X-MSS-* headers a
// message carries, the `XDM/1.0/DDM+...` subject convention, header-value normalisation (CR/LF refused), size limits,
// and the French explanation of a delivery status code (RFC 3463) found in a DSN. Data in, data out: no clock, no I/O.
// Messages never repeat health data (no patient name, no address list): callers show them next to the message.

import { PATIENT_DOMAIN } from './trust-space';

/** Exact spelling of the MSSanté headers (ECO.2.4.1-2.4.3, ECO.2.2.8). Operators and receivers match them as written. */
export const MSS_HEADERS = {
  NIL: 'X-MSS-NIL',
  INS: 'X-MSS-INS',
  CODECDA: 'X-MSS-CODECDA',
  MES: 'X-MSS-MES',
} as const;
/** One of {@link MSS_HEADERS}. */
export type MssHeaderName = (typeof MSS_HEADERS)[keyof typeof MSS_HEADERS];

/** `X-MSS-MES` value for "the professional does not expect a reply" (ECO.2.2.8: three upper-case characters). */
export const MSS_MES_FIN = 'FIN';

/** One header, name spelled exactly as it must go on the wire. */
export interface MssHeader {
  readonly name: MssHeaderName;
  readonly value: string;
}

/** Mon espace santé: 25 MB for the whole message (ENS Messagerie v1.3 §6, MSSANTE.md §1.5 [S]); 1 MB = 1024 × 1024 bytes. */
export const MES_MAX_MESSAGE_BYTES = 25 * 1024 * 1024;
/**
 * Default operator limit when none is configured: no national limit exists, ≈10 MB is one client's default
 * (MSSANTE.md §1.5 [S]). Configure the operator's real value.
 */
export const DEFAULT_OPERATOR_MAX_MESSAGE_BYTES = 10 * 1024 * 1024;

/** Error codes of this module (one table, one casing). */
export const MSS_MESSAGE_ERROR_CODES = [
  'MSS_NIL_MISSING',
  'MSS_HEADER_VALUE_CRLF',
  'MSS_HEADER_VALUE_INVALID',
  'MSS_CODECDA_MISSING',
  'MSS_CODECDA_INVALID',
  'MSS_MES_NOT_PATIENT',
  'MSS_SIZE_OPERATOR',
  'MSS_SIZE_PATIENT',
  'MSS_SUBJECT_FIELD_MISSING',
  'MSS_SUBJECT_BIRTHDATE',
] as const;
/** One of {@link MSS_MESSAGE_ERROR_CODES}. */
export type MssMessageErrorCode = (typeof MSS_MESSAGE_ERROR_CODES)[number];

/** A rule the message breaks, as a value: code for programs, French for users. */
export interface MssMessageError {
  readonly code: MssMessageErrorCode;
  readonly message: string;
  /** Which header or field, when it helps (never its value). */
  readonly field?: string;
}

/** What the message carries as IHE XDM attachment (ECO.2.4.1 / 2.4.2). */
export interface XdmAttachmentSummary {
  /** `ClinicalDocument/code/@code` of each CDA document in the IHE_XDM archive, in order. */
  readonly cdaCodes: readonly string[];
  /** True when the INS is qualified (matricule + OID + 4 traits, identity status "qualifiée"): `X-MSS-INS: O`. */
  readonly insQualified: boolean;
}

/** Input of {@link buildMssHeaders}. */
export interface MssHeadersInput {
  /** "Référence produit" from convergence.esante.gouv.fr (e.g. `DEV935997`): `X-MSS-NIL` on every message. */
  readonly productReference: string;
  /** Every recipient address (To, Cc, Bcc), already normalised. */
  readonly recipients: readonly string[];
  /** Present only when an IHE_XDM.zip with CDA documents is attached. */
  readonly xdm?: XdmAttachmentSummary;
  /** `X-MSS-MES: FIN` (no reply expected): only for messages to a patient (`@patient.mssante.fr`). */
  readonly noReply?: boolean;
}

/** Outcome of {@link buildMssHeaders}. */
export type MssHeadersResult =
  | { readonly ok: true; readonly headers: readonly MssHeader[] }
  | { readonly ok: false; readonly errors: readonly MssMessageError[] };

/** Outcome of {@link normaliseHeaderValue}. */
export type HeaderValueResult =
  | { readonly ok: true; readonly value: string }
  | { readonly ok: false; readonly error: MssMessageError };

const CRLF = /[\r\n]/;
// eslint-disable-next-line no-control-regex -- the point is to find control characters
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/;
const PRINTABLE_ASCII = /^[\u0020-\u007e]*$/;
/** A CDA code as found in `ClinicalDocument/code/@code`: LOINC (`34112-3`) or ANS (`PRESC-BIO`): no comma, no space. */
const CDA_CODE = /^[A-Za-z0-9][A-Za-z0-9._\-:]{0,63}$/;

/**
 * Normalises one header value at the boundary: CR or LF refused (header injection, RFC 5322 §2.2), other control
 * characters refused, tabs and runs of blanks folded to one space, trimmed. `asciiOnly` for protocol codes.
 */
export function normaliseHeaderValue(value: string, field: string, asciiOnly = false): HeaderValueResult {
  if (CRLF.test(value)) {
    return {
      ok: false,
      error: { code: 'MSS_HEADER_VALUE_CRLF', field, message: `La valeur de l'en-tête ${field} contient un retour à la ligne : elle est refusée (risque d'injection d'en-tête). Saisissez-la sur une seule ligne.` },
    };
  }
  const folded = value.replace(/[\t ]+/g, ' ').trim();
  if (CONTROL.test(folded) || (asciiOnly && !PRINTABLE_ASCII.test(folded))) {
    return {
      ok: false,
      error: { code: 'MSS_HEADER_VALUE_INVALID', field, message: `La valeur de l'en-tête ${field} contient des caractères non autorisés : utilisez uniquement des lettres, chiffres et signes ASCII.` },
    };
  }
  return { ok: true, value: folded };
}

/** True when the address is a patient address of Mon espace santé (`…@patient.mssante.fr`). */
export function isPatientAddress(address: string): boolean {
  const at = address.lastIndexOf('@');
  return at > 0 && address.slice(at + 1).toLowerCase().replace(/\.$/, '') === PATIENT_DOMAIN;
}

/**
 * The X-MSS-* headers of one message (MSSANTE.md §1.5): `X-MSS-NIL` always; `X-MSS-INS` and `X-MSS-CODECDA` only with
 * an IHE_XDM attachment (ECO.2.4.1: "absence … ne DOIT pas être positionné"); `X-MSS-MES: FIN` only when asked and a
 * recipient is a patient. `X-MSS-CODECDA` with several CDA documents is a comma list, duplicates kept in document order
 * (separator [S], MSSANTE.md §1.5).
 */
export function buildMssHeaders(input: MssHeadersInput): MssHeadersResult {
  const errors: MssMessageError[] = [];
  const headers: MssHeader[] = [];
  const nil = normaliseHeaderValue(input.productReference, MSS_HEADERS.NIL, true);
  if (!nil.ok) errors.push(nil.error);
  else if (nil.value === '') {
    errors.push({
      code: 'MSS_NIL_MISSING',
      field: MSS_HEADERS.NIL,
      message: "La référence produit MSSanté (X-MSS-NIL) n'est pas configurée : renseignez la référence attribuée lors du référencement du logiciel sur convergence.esante.gouv.fr.",
    });
  } else headers.push({ name: MSS_HEADERS.NIL, value: nil.value });

  if (input.xdm) {
    headers.push({ name: MSS_HEADERS.INS, value: input.xdm.insQualified ? 'O' : 'N' });
    const codes: string[] = [];
    for (const raw of input.xdm.cdaCodes) {
      const c = normaliseHeaderValue(raw, MSS_HEADERS.CODECDA, true);
      if (!c.ok) errors.push(c.error);
      else if (!CDA_CODE.test(c.value)) {
        errors.push({ code: 'MSS_CODECDA_INVALID', field: MSS_HEADERS.CODECDA, message: "Le code d'un document CDA (ClinicalDocument/code) est vide ou mal formé : vérifiez le document produit par le logiciel métier." });
      } else codes.push(c.value);
    }
    if (input.xdm.cdaCodes.length === 0) {
      errors.push({ code: 'MSS_CODECDA_MISSING', field: MSS_HEADERS.CODECDA, message: "L'archive IHE_XDM ne contient aucun document CDA : l'en-tête X-MSS-CODECDA ne peut pas être renseigné." });
    }
    if (codes.length > 0) headers.push({ name: MSS_HEADERS.CODECDA, value: codes.join(',') });
  }

  if (input.noReply) {
    if (input.recipients.some(isPatientAddress)) headers.push({ name: MSS_HEADERS.MES, value: MSS_MES_FIN });
    else {
      errors.push({
        code: 'MSS_MES_NOT_PATIENT',
        field: MSS_HEADERS.MES,
        message: "L'option « pas de réponse attendue » (X-MSS-MES: FIN) ne s'applique qu'aux messages envoyés à un patient (adresse @patient.mssante.fr) : retirez-la ou ajoutez le patient en destinataire.",
      });
    }
  }
  return errors.length > 0 ? { ok: false, errors } : { ok: true, headers };
}

// ---------------------------------------------------------------------------------------------------------------
// Subject convention (ECO.2.1.3)

/** Prefix of the subject of a message carrying documents. */
export const XDM_SUBJECT_PREFIX = 'XDM/1.0/DDM+';

/** Input of {@link buildDocumentSubject}. */
export interface DocumentSubjectInput {
  /** Document label ("libellé"), e.g. `ECHOGRAPHIE ABDOMINOPELVIENNE` or the CDA title. */
  readonly label: string;
  /** Birth name (nom de naissance); written in upper case. */
  readonly familyName: string;
  /** First given name (premier prénom). */
  readonly givenName: string;
  /** `YYYYMMDD` (CDA / HL7) or `YYYY-MM-DD`; written `JJ/MM/AAAA`. */
  readonly birthDate: string;
}

/** Outcome of {@link buildDocumentSubject}. */
export type DocumentSubjectResult = { readonly ok: true; readonly subject: string } | { readonly ok: false; readonly errors: readonly MssMessageError[] };

/** Formats `YYYYMMDD` or `YYYY-MM-DD` as `JJ/MM/AAAA`; undefined when it is not a calendar date. */
export function formatBirthDateFr(value: string): string | undefined {
  const m = /^(\d{4})-?(\d{2})-?(\d{2})$/.exec(value.trim());
  if (!m) return undefined;
  const [, y, mo, d] = m;
  const month = Number(mo);
  const day = Number(d);
  const days = [31, Number(y) % 4 === 0 && (Number(y) % 100 !== 0 || Number(y) % 400 === 0) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
  if (month < 1 || month > 12 || day < 1 || day > days[month - 1]) return undefined;
  return `${d}/${mo}/${y}`;
}

/**
 * `XDM/1.0/DDM+<libellé> <NOM> <prénom> <date de naissance>` (ECO.2.1.3 [S]; ANS example
 * `XDM/1.0/DDM+ECHOGRAPHIE ABDOMINOPELVIENNE CORSE FIGATELLIX 12/10/1988`). Each field single-line, CR/LF refused.
 */
export function buildDocumentSubject(input: DocumentSubjectInput): DocumentSubjectResult {
  const errors: MssMessageError[] = [];
  const fields: Array<[keyof DocumentSubjectInput, string, string]> = [
    ['label', input.label, 'le libellé du document'],
    ['familyName', input.familyName, 'le nom de naissance du patient'],
    ['givenName', input.givenName, 'le premier prénom du patient'],
  ];
  const values: string[] = [];
  for (const [field, value, what] of fields) {
    const v = normaliseHeaderValue(value, 'Subject');
    if (!v.ok) errors.push({ ...v.error, field });
    else if (v.value === '') errors.push({ code: 'MSS_SUBJECT_FIELD_MISSING', field, message: `L'objet du message (XDM/1.0/DDM+…) demande ${what} : il est vide.` });
    else values.push(v.value);
  }
  const birth = formatBirthDateFr(input.birthDate);
  if (!birth) errors.push({ code: 'MSS_SUBJECT_BIRTHDATE', field: 'birthDate', message: 'La date de naissance du patient doit être une date valide (AAAAMMJJ ou AAAA-MM-JJ).' });
  if (errors.length > 0) return { ok: false, errors };
  const [label, family, given] = values;
  return { ok: true, subject: `${XDM_SUBJECT_PREFIX}${label} ${family.toLocaleUpperCase('fr-FR')} ${given} ${birth}` };
}

/** What a subject says about MSSanté conventions (for received messages and receipts). */
export interface SubjectInfo {
  /** True when the subject (after the bracketed mentions) starts with `XDM/1.0/DDM+`. */
  readonly documents: boolean;
  /** `[KO Intégration système !][902]` or `[Erreur d’intégration !][902]`: the receiver's integration error code. */
  readonly integrationErrorCode?: string;
  /** `[Annule et remplace]` (AMBU.MSS/va1.02). */
  readonly replaces: boolean;
  /** `[FIN]` (ENS MES v1.3 §7: no reply expected). */
  readonly noReply: boolean;
}

/** Reads the bracketed mentions and the `XDM/1.0/DDM+` prefix of a subject. Never returns the subject text. */
export function parseSubjectConventions(subject: string): SubjectInfo {
  let rest = subject.trim();
  let integrationErrorCode: string | undefined;
  let replaces = false;
  let noReply = false;
  let ko = false;
  for (let m = /^\[([^\]]*)\]\s*/.exec(rest); m; m = /^\[([^\]]*)\]\s*/.exec(rest)) {
    const tag = m[1].trim();
    const lower = tag.toLowerCase();
    if (/^ko int[ée]gration|^erreur d.int[ée]gration/.test(lower)) ko = true;
    else if (ko && integrationErrorCode === undefined && /^[A-Za-z0-9_.-]{1,16}$/.test(tag)) integrationErrorCode = tag;
    else if (lower === 'annule et remplace') replaces = true;
    else if (tag === 'FIN') noReply = true;
    rest = rest.slice(m[0].length);
  }
  return {
    documents: rest.startsWith(XDM_SUBJECT_PREFIX),
    ...(integrationErrorCode !== undefined ? { integrationErrorCode } : ko ? { integrationErrorCode: '' } : {}),
    replaces,
    noReply,
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Size limits

/** Input of {@link checkMessageSize}. */
export interface MessageSizeInput {
  /** Size of the whole MIME message in bytes (after base64 of the attachments). */
  readonly sizeBytes: number;
  /** The operator's limit (configuration); default {@link DEFAULT_OPERATOR_MAX_MESSAGE_BYTES}. */
  readonly operatorMaxBytes?: number;
  /** Every recipient address: a patient recipient adds the Mon espace santé limit. */
  readonly recipients: readonly string[];
}

/** Outcome of {@link checkMessageSize}. */
export type MessageSizeResult =
  | { readonly ok: true; readonly limitBytes: number }
  | { readonly ok: false; readonly limitBytes: number; readonly error: MssMessageError };

/** `12,4 Mo` (1 Mo = 1024 × 1024 octets, one decimal, French comma). */
export function formatMegabytesFr(bytes: number): string {
  const mb = Math.ceil((bytes / (1024 * 1024)) * 10) / 10;
  return `${mb.toFixed(1).replace('.', ',').replace(/,0$/, '')} Mo`;
}

/** Checks the size against the operator's limit and, for a patient recipient, Mon espace santé's 25 MB. */
export function checkMessageSize(input: MessageSizeInput): MessageSizeResult {
  const operator = input.operatorMaxBytes ?? DEFAULT_OPERATOR_MAX_MESSAGE_BYTES;
  const patient = input.recipients.some(isPatientAddress);
  const limit = patient ? Math.min(operator, MES_MAX_MESSAGE_BYTES) : operator;
  if (input.sizeBytes <= limit) return { ok: true, limitBytes: limit };
  const size = formatMegabytesFr(input.sizeBytes);
  const max = formatMegabytesFr(limit);
  const byPatient = patient && MES_MAX_MESSAGE_BYTES <= operator;
  return {
    ok: false,
    limitBytes: limit,
    error: byPatient
      ? { code: 'MSS_SIZE_PATIENT', message: `Le message pèse ${size} : Mon espace santé accepte au plus ${max} par message. Retirez ou compressez des pièces jointes, ou envoyez-les en plusieurs messages.` }
      : { code: 'MSS_SIZE_OPERATOR', message: `Le message pèse ${size} : votre opérateur MSSanté accepte au plus ${max} par message. Retirez ou compressez des pièces jointes, ou envoyez-les en plusieurs messages.` },
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Delivery status codes (RFC 3463) in plain French

/** `success` 2.x.x, `temporary` 4.x.x, `permanent` 5.x.x, `unknown` otherwise. */
export type DeliveryStatusClass = 'success' | 'temporary' | 'permanent' | 'unknown';

/** French explanation of a DSN status. */
export interface DeliveryStatusExplanation {
  readonly status: string;
  readonly class: DeliveryStatusClass;
  /** What happened and what to do, for the sender. */
  readonly message: string;
}

const DETAIL_FR: Readonly<Record<string, string>> = {
  '1.0': "problème d'adresse du destinataire",
  '1.1': "adresse inconnue chez l'opérateur du destinataire",
  '1.2': "domaine du destinataire inconnu : l'opérateur MSSanté de cette adresse n'a pas été trouvé",
  '1.3': 'adresse du destinataire mal formée',
  '1.6': "la boîte du destinataire a changé d'adresse",
  '1.10': "le domaine du destinataire n'accepte pas de messages",
  '2.0': 'problème de boîte aux lettres du destinataire',
  '2.1': "boîte aux lettres du destinataire désactivée ou n'acceptant plus de messages",
  '2.2': 'boîte aux lettres du destinataire pleine',
  '2.3': 'message trop volumineux pour la boîte du destinataire',
  '3.4': "message trop volumineux pour le serveur de l'opérateur",
  '4.1': "le serveur de l'opérateur du destinataire ne répond pas",
  '4.2': 'connexion interrompue avec le serveur du destinataire',
  '4.4': "aucun chemin vers le serveur de l'opérateur du destinataire",
  '4.7': "délai de remise dépassé : le serveur du destinataire n'a pas pu être joint à temps",
  '5.3': 'trop de destinataires pour ce message',
  '6.0': 'contenu du message refusé',
  '7.0': 'refus de sécurité',
  '7.1': "remise refusée par l'opérateur du destinataire (expéditeur non autorisé, ou hors de l'espace de confiance MSSanté)",
  '7.7': 'pièce jointe ou message refusé (contrôle d’intégrité)',
  '7.8': "échec d'authentification",
};

/** Parses `X.Y.Z` (RFC 3463 §2); undefined when it is not one. */
function parseStatus(status: string): { klass: number; detail: string } | undefined {
  const m = /^\s*([245])\.(\d{1,3})\.(\d{1,3})\b/.exec(status);
  return m ? { klass: Number(m[1]), detail: `${Number(m[2])}.${Number(m[3])}` } : undefined;
}

/**
 * Explains a DSN `Status:` (RFC 3464 §2.3.4, codes RFC 3463) in French: 5.1.1 → "adresse inconnue chez l'opérateur du
 * destinataire", 4.x.x → temporary (the operator retries), 2.x.x → delivered.
 */
export function explainDeliveryStatus(status: string): DeliveryStatusExplanation {
  const p = parseStatus(status);
  const s = status.trim();
  if (!p) return { status: s, class: 'unknown', message: "Statut de remise non reconnu : consultez le détail transmis par l'opérateur." };
  const detail = DETAIL_FR[p.detail];
  if (p.klass === 2) return { status: s, class: 'success', message: "Message remis au serveur de l'opérateur du destinataire." };
  if (p.klass === 4) {
    return {
      status: s,
      class: 'temporary',
      message: `Remise retardée (erreur temporaire${detail ? ` : ${detail}` : ''}). L'opérateur réessaie automatiquement ; rien à faire pour l'instant.`,
    };
  }
  return {
    status: s,
    class: 'permanent',
    message: `Message non remis (erreur définitive${detail ? ` : ${detail}` : ''}). Vérifiez l'adresse du destinataire dans l'annuaire santé, puis renvoyez le message.`,
  };
}
