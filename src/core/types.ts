// Runtime: any (pure core). The data contracts shared by the core, the add-in and the connector.
// Nothing here touches Office, the DOM, Node, the clock or the network.

/** A parsed RFC 5322 mailbox (`"Display Name" <local@domain>`), normalised. */
export interface Mailbox {
  /** Display name as written (quotes removed, comments dropped), or undefined. */
  readonly displayName?: string;
  /** Local part as written (quotes removed when they were not needed). */
  readonly local: string;
  /** Domain in ASCII (IDN converted to punycode, A-label), lower case, no trailing dot. */
  readonly domain: string;
  /** Domain in Unicode (U-label) for display. */
  readonly domainUnicode: string;
  /**
   * The normalised address used as a key everywhere: `local@domain`, local part lower-cased
   * (MSSanté operators and the Annuaire Santé treat addresses case-insensitively), domain in ASCII.
   */
  readonly address: string;
}

/** Why an address could not be parsed. Stable codes, listed in the README error table. */
export const ADDRESS_ERROR_CODES = [
  'ADDRESS_EMPTY',
  'ADDRESS_TOO_LONG',
  'ADDRESS_CONTROL_CHAR',
  'ADDRESS_SYNTAX',
  'ADDRESS_LOCAL_PART',
  'ADDRESS_DOMAIN',
] as const;
export type AddressErrorCode = (typeof ADDRESS_ERROR_CODES)[number];

export type ParseResult =
  | { readonly ok: true; readonly mailbox: Mailbox }
  | { readonly ok: false; readonly code: AddressErrorCode; readonly message: string };

/** MSSanté mailbox (BAL) types, TRE_R257-TypeBAL. */
export const MAILBOX_TYPES = ['PER', 'ORG', 'APP', 'CAB'] as const;
export type MailboxType = (typeof MAILBOX_TYPES)[number];

/** What an address is, for the purpose of sending health data. */
export const ADDRESS_KINDS = [
  'mssante',
  'patient',
  'apicrypt-bridge',
  'apicrypt',
  'gateway',
  'internal',
  'external',
  'invalid',
] as const;
export type AddressKind = (typeof ADDRESS_KINDS)[number];

/** Kinds that are inside the MSSanté trust space (health data may go there). */
export const TRUSTED_KINDS: readonly AddressKind[] = ['mssante', 'patient', 'apicrypt-bridge'];

/** Reason codes attached to a classification (stable, documented in the README). */
export const REASON_CODES = [
  'TRUST_SPACE_DOMAIN', // domain on the liste blanche
  'DIRECTORY_MAILBOX', // address known to the directory, mailbox type known
  'PATIENT_INS_VALID', // <INS>@patient.mssante.fr with a valid matricule
  'PATIENT_INS_INVALID', // patient.mssante.fr but the local part is not a valid INS matricule
  'APICRYPT_BRIDGE_DOMAIN', // mssante.apicrypt.org / interop-mssante.apicrypt.org
  'APICRYPT_NATIVE_DOMAIN', // another apicrypt.org domain: not MSSanté
  'GATEWAY_DECODED', // gateway address, real MSSanté address decoded
  'GATEWAY_UNDECODABLE', // gateway address, nothing could be decoded
  'INTERNAL_DOMAIN', // one of the structure's own (non-MSSanté) domains
  'NOT_IN_TRUST_SPACE', // ordinary address
  'LOOKALIKE_DOMAIN', // looks like an MSSanté domain but is not one (mssante.fr.evil.com)
  'INVALID_SYNTAX', // could not be parsed (see addressError)
] as const;
export type ReasonCode = (typeof REASON_CODES)[number];

/** A configured gateway (e.g. Exchange ↔ operator relay such as `@dsp.paris` in the M2A-DAC story). */
export interface GatewayPattern {
  /** Stable id (used in logs and config). */
  readonly id: string;
  /** Label shown to users, e.g. "Passerelle Exchange – Medimail". */
  readonly label?: string;
  /** Gateway domain, exact (`dsp.paris`) or a wildcard on sub-domains (`*.passerelle.example.fr`). */
  readonly domain: string;
  /**
   * Optional template of the local part that encodes the correspondent's MSSanté address, with the
   * placeholders `{local}` and `{domain}`, e.g. `{local}={domain}` for `jean.dupont=medecin.mssante.fr@dsp.paris`
   * or `mss.{local}.at.{domain}`. Without it, addresses at this domain are gateway addresses with nothing to decode.
   */
  readonly localTemplate?: string;
}

/** What the directory knows of one MSSanté address (subset; the Directory issue deepens it). */
export interface DirectoryEntry {
  readonly address: string;
  readonly mailboxType: MailboxType;
  readonly displayName?: string;
  readonly profession?: string;
  readonly organisation?: string;
}

/** Look-up function into a directory; pure from the core's point of view. */
export type DirectoryLookup = (normalisedAddress: string) => DirectoryEntry | undefined;

/** The result of classifying one address. */
export interface Classification {
  /** What the caller gave (trimmed). */
  readonly input: string;
  /** Normalised address, or undefined when invalid. */
  readonly address?: string;
  readonly displayName?: string;
  readonly kind: AddressKind;
  readonly reason: ReasonCode;
  /** MSSanté mailbox type, when known (directory) or implied (patient). */
  readonly mailboxType?: MailboxType;
  /** For `gateway`: the correspondent's real MSSanté address when the pattern allows decoding it. */
  readonly decodedAddress?: string;
  /** For `gateway`: the id of the matching pattern. */
  readonly gatewayId?: string;
  /** For `invalid`: why. */
  readonly addressError?: AddressErrorCode;
  /** Directory identity, when known. */
  readonly directory?: DirectoryEntry;
}

/** Where a health-data finding was seen. */
export const FINDING_PLACES = ['subject', 'body', 'attachment', 'marker'] as const;
export type FindingPlace = (typeof FINDING_PLACES)[number];

export const FINDING_KINDS = [
  'nir', // a NIR / INS matricule with a valid key
  'clinical', // clinical vocabulary (diagnosis, treatment, care)
  'medico-social', // medico-social vocabulary (dependency, GIR, APA, EHPAD admission...)
  'social', // social-care vocabulary (notes sociales, signalement, protection...)
  'document-type', // care document types (CRH, ordonnance, FAMO, PPS, DLU...)
  'xdm-subject', // subject following the XDM/1.0/DDM convention
  'declared', // the sender marked the message (Outlook category or sensitivity label naming health data)
  'person', // an identifiable person (M./Mme + name, date of birth, "patient", "résident"...)
] as const;
export type FindingKind = (typeof FINDING_KINDS)[number];

/** One finding. Never carries the matched text (health data never leaves the detector). */
export interface Finding {
  readonly kind: FindingKind;
  readonly place: FindingPlace;
  /** For attachments: the 0-based index of the attachment. */
  readonly attachmentIndex?: number;
  /** Stable rule id (e.g. `doc.crh`, `nir.valid`), safe to log. */
  readonly rule: string;
  /** Contribution to the score. */
  readonly weight: number;
}

export interface Detection {
  /** True when the content most likely carries health / medico-social / social data about a person. */
  readonly healthData: boolean;
  readonly score: number;
  readonly findings: readonly Finding[];
}

export interface ContentToScan {
  readonly subject?: string;
  readonly bodyText?: string;
  readonly attachmentNames?: readonly string[];
  /**
   * Names of the Outlook categories and of the sensitivity label of the message, where available. A marker that
   * names health, medical or social data (e.g. « Données de santé », « Confidentiel – médical ») is a declaration
   * by the sender: it counts as health data on its own.
   */
  readonly markers?: readonly string[];
}

export const RECIPIENT_FIELDS = ['to', 'cc', 'bcc'] as const;
export type RecipientField = (typeof RECIPIENT_FIELDS)[number];

export interface CandidateRecipient {
  readonly field: RecipientField;
  readonly classification: Classification;
}

/** What is about to be sent. */
export interface SendCandidate {
  readonly recipients: readonly CandidateRecipient[];
  /** Content to scan; ignored when `detection` is given. */
  readonly content?: ContentToScan;
  /** Precomputed detection (e.g. from the add-in), else computed from `content`. */
  readonly detection?: Detection;
  /** True when the patient identity attached to the message is a qualified INS (INS/va1.53). */
  readonly insQualified?: boolean;
  /**
   * True when the recipients could not be checked by the connector (unreachable, timeout, bad answer) and were
   * classified locally instead: the policy's `connectorDown` mode applies (reason CONNECTOR_UNREACHABLE).
   */
  readonly connectorUnreachable?: boolean;
}

export const POLICY_MODES = ['off', 'warn', 'block'] as const;
export type PolicyMode = (typeof POLICY_MODES)[number];

/** Admin policy: one mode per situation. */
export interface Policy {
  /** Health data to at least one recipient outside the trust space. */
  readonly healthDataToNonMssante: PolicyMode;
  /** MSSanté and non-MSSanté recipients in the same message. */
  readonly mixedRecipients: PolicyMode;
  /** A gateway address among the recipients. */
  readonly gatewayRecipient: PolicyMode;
  /** A patient address (Mon Espace Santé) in a message without a qualified INS. */
  readonly patientWithoutQualifiedIns: PolicyMode;
  /**
   * The connector could not be reached when sending (recipients then checked with the bundled liste blanche only,
   * without the directory). Absent ⇒ 'warn' (a clear warning, never a silent pass). 'off' lets the local check alone
   * decide: health data to a non-MSSanté address is still caught.
   */
  readonly connectorDown?: PolicyMode;
}

export const VERDICT_ACTIONS = ['allow', 'warn', 'block'] as const;
export type VerdictAction = (typeof VERDICT_ACTIONS)[number];

export const VERDICT_REASON_CODES = [
  'HEALTH_DATA_TO_NON_MSSANTE',
  'MIXED_RECIPIENTS',
  'GATEWAY_RECIPIENT',
  'PATIENT_WITHOUT_QUALIFIED_INS',
  'INVALID_RECIPIENT',
  'NO_RECIPIENT',
  'CONNECTOR_UNREACHABLE',
] as const;
export type VerdictReasonCode = (typeof VERDICT_REASON_CODES)[number];

export interface VerdictReason {
  readonly code: VerdictReasonCode;
  /** The mode that applied (`invalid` recipients and no recipient always at least warn). */
  readonly action: Exclude<VerdictAction, 'allow'>;
  /** The recipients concerned (normalised addresses, or the raw input for invalid ones). */
  readonly addresses: readonly string[];
  /** French, for users. */
  readonly message: string;
}

export const FIX_TYPES = ['replace', 'remove', 'split', 'send-via-mssante', 'qualify-ins'] as const;
export type FixType = (typeof FIX_TYPES)[number];

export interface SuggestedFix {
  readonly type: FixType;
  /** The address the fix applies to. */
  readonly address?: string;
  /** For `replace`: the MSSanté address to use instead. */
  readonly replacement?: string;
  /** French, for users. */
  readonly label: string;
}

export interface Verdict {
  readonly action: VerdictAction;
  readonly reasons: readonly VerdictReason[];
  readonly fixes: readonly SuggestedFix[];
  readonly detection: Detection;
}
