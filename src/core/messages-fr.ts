// Runtime: any (pure core). User-facing labels and message builders: French first (fr-FR), English second.
// Words are the ones staff use ("adresse MSSanté", "BAL organisationnelle", "Envoyer en MSSanté").

import type {
  AddressErrorCode,
  AddressKind,
  FixType,
  MailboxType,
  ReasonCode,
  VerdictAction,
  VerdictReasonCode,
} from './types';

/** Short label of each address kind, as shown next to a recipient. */
export const KIND_LABELS_FR: Readonly<Record<AddressKind, string>> = {
  mssante: 'MSSanté',
  patient: 'Patient (Mon Espace Santé)',
  'apicrypt-bridge': 'Passerelle Apicrypt ↔ MSSanté',
  apicrypt: 'Apicrypt (hors MSSanté)',
  gateway: 'Passerelle interne',
  internal: 'Domaine interne (non sécurisé)',
  external: 'Non sécurisée',
  invalid: 'Invalide',
};

/** English labels of the address kinds. */
export const KIND_LABELS_EN: Readonly<Record<AddressKind, string>> = {
  mssante: 'MSSanté',
  patient: 'Patient (Mon Espace Santé)',
  'apicrypt-bridge': 'Apicrypt ↔ MSSanté bridge',
  apicrypt: 'Apicrypt (not MSSanté)',
  gateway: 'Internal gateway',
  internal: 'Internal domain (not secure)',
  external: 'Not secure',
  invalid: 'Invalid',
};

/** MSSanté mailbox (BAL) types, TRE_R257-TypeBAL. */
export const MAILBOX_TYPE_LABELS_FR: Readonly<Record<MailboxType, string>> = {
  PER: 'BAL personnelle',
  ORG: 'BAL organisationnelle',
  APP: 'BAL applicative',
  CAB: 'BAL de cabinet',
};

/** English labels of the mailbox types. */
export const MAILBOX_TYPE_LABELS_EN: Readonly<Record<MailboxType, string>> = {
  PER: 'Personal mailbox',
  ORG: 'Organisational mailbox',
  APP: 'Application mailbox',
  CAB: 'Practice mailbox',
};

/** Why an address got its kind (tooltip / detail line). */
export const REASON_LABELS_FR: Readonly<Record<ReasonCode, string>> = {
  TRUST_SPACE_DOMAIN: "Domaine de l'espace de confiance MSSanté (liste blanche).",
  DIRECTORY_MAILBOX: "Boîte aux lettres MSSanté connue de l'annuaire.",
  PATIENT_INS_VALID: 'Adresse patient Mon Espace Santé (matricule INS valide).',
  PATIENT_INS_INVALID: "Adresse patient Mon Espace Santé dont le matricule INS est invalide : elle n'existe pas.",
  APICRYPT_BRIDGE_DOMAIN: 'Domaine de la passerelle Apicrypt ↔ MSSanté (liste blanche).',
  APICRYPT_NATIVE_DOMAIN: 'Adresse Apicrypt hors MSSanté : protégée seulement si le message est chiffré par Apicrypt.',
  GATEWAY_DECODED: "Adresse de passerelle : l'adresse MSSanté réelle du correspondant est connue.",
  GATEWAY_UNDECODABLE: "Adresse de passerelle : l'adresse MSSanté réelle du correspondant est inconnue.",
  INTERNAL_DOMAIN: "Domaine de l'établissement, hors de l'espace de confiance MSSanté.",
  NOT_IN_TRUST_SPACE: "Domaine hors de l'espace de confiance MSSanté.",
  LOOKALIKE_DOMAIN: "Domaine qui ressemble à un domaine MSSanté mais n'est pas sur la liste blanche : méfiance.",
  INVALID_SYNTAX: 'Adresse mal formée.',
};

/** English reason labels. */
export const REASON_LABELS_EN: Readonly<Record<ReasonCode, string>> = {
  TRUST_SPACE_DOMAIN: 'Domain of the MSSanté trust space (liste blanche).',
  DIRECTORY_MAILBOX: 'MSSanté mailbox known to the directory.',
  PATIENT_INS_VALID: 'Mon Espace Santé patient address (valid INS number).',
  PATIENT_INS_INVALID: 'Mon Espace Santé patient address with an invalid INS number: it does not exist.',
  APICRYPT_BRIDGE_DOMAIN: 'Apicrypt ↔ MSSanté bridge domain (liste blanche).',
  APICRYPT_NATIVE_DOMAIN: 'Apicrypt address outside MSSanté: protected only when the message is encrypted by Apicrypt.',
  GATEWAY_DECODED: "Gateway address: the correspondent's real MSSanté address is known.",
  GATEWAY_UNDECODABLE: "Gateway address: the correspondent's real MSSanté address is unknown.",
  INTERNAL_DOMAIN: "The organisation's own domain, outside the MSSanté trust space.",
  NOT_IN_TRUST_SPACE: 'Domain outside the MSSanté trust space.',
  LOOKALIKE_DOMAIN: 'Domain that looks like an MSSanté domain but is not on the liste blanche: beware.',
  INVALID_SYNTAX: 'Malformed address.',
};

/** Short labels of the address error codes (the full message comes with the error). */
export const ADDRESS_ERROR_LABELS_FR: Readonly<Record<AddressErrorCode, string>> = {
  ADDRESS_EMPTY: 'Adresse vide',
  ADDRESS_TOO_LONG: 'Adresse trop longue',
  ADDRESS_CONTROL_CHAR: 'Caractère de contrôle interdit',
  ADDRESS_SYNTAX: 'Adresse mal formée',
  ADDRESS_LOCAL_PART: 'Partie avant « @ » invalide',
  ADDRESS_DOMAIN: 'Domaine invalide',
};

/** Verdict headline. */
export const VERDICT_LABELS_FR: Readonly<Record<VerdictAction, string>> = {
  allow: 'Envoi possible',
  warn: "À vérifier avant l'envoi",
  block: 'Envoi bloqué',
};

/** English verdict headline. */
export const VERDICT_LABELS_EN: Readonly<Record<VerdictAction, string>> = {
  allow: 'Ready to send',
  warn: 'Check before sending',
  block: 'Sending blocked',
};

/** Short title of each verdict reason. */
export const VERDICT_REASON_LABELS_FR: Readonly<Record<VerdictReasonCode, string>> = {
  HEALTH_DATA_TO_NON_MSSANTE: 'Données de santé vers une adresse hors MSSanté',
  MIXED_RECIPIENTS: 'Destinataires MSSanté et hors MSSanté mélangés',
  GATEWAY_RECIPIENT: 'Destinataire derrière une passerelle',
  PATIENT_WITHOUT_QUALIFIED_INS: 'Patient sans INS qualifié',
  INVALID_RECIPIENT: 'Adresse invalide',
  NO_RECIPIENT: 'Aucun destinataire',
  CONNECTOR_UNREACHABLE: 'Connecteur MSSanté injoignable',
};

/** English titles of the verdict reasons. */
export const VERDICT_REASON_LABELS_EN: Readonly<Record<VerdictReasonCode, string>> = {
  HEALTH_DATA_TO_NON_MSSANTE: 'Health data to a non-MSSanté address',
  MIXED_RECIPIENTS: 'MSSanté and non-MSSanté recipients mixed',
  GATEWAY_RECIPIENT: 'Recipient behind a gateway',
  PATIENT_WITHOUT_QUALIFIED_INS: 'Patient without a qualified INS',
  INVALID_RECIPIENT: 'Invalid address',
  NO_RECIPIENT: 'No recipient',
  CONNECTOR_UNREACHABLE: 'MSSanté connector unreachable',
};

/** Button text of each kind of suggested fix. */
export const FIX_LABELS_FR: Readonly<Record<FixType, string>> = {
  replace: "Remplacer par l'adresse MSSanté",
  remove: 'Retirer',
  split: 'Envoyer en deux messages',
  'send-via-mssante': 'Envoyer en MSSanté',
  'qualify-ins': "Qualifier l'INS",
};

/** English fix labels. */
export const FIX_LABELS_EN: Readonly<Record<FixType, string>> = {
  replace: 'Replace with the MSSanté address',
  remove: 'Remove',
  split: 'Send as two messages',
  'send-via-mssante': 'Send via MSSanté',
  'qualify-ins': 'Qualify the INS',
};

/**
 * French plural choice: 0 and 1 take the singular ("0 destinataire", "1 destinataire", "2 destinataires").
 */
export function pluralFr(n: number, singular: string, plural: string): string {
  return n <= 1 && n >= -1 ? singular : plural;
}

/** `countFr(2, 'destinataire', 'destinataires')` -> "2 destinataires" (French thousands separator). */
export function countFr(n: number, singular: string, plural: string): string {
  return `${formatIntegerFr(n)} ${pluralFr(n, singular, plural)}`;
}

/** 6494 -> "6 494" (narrow no-break space, as fr-FR does), without Intl (not in every runtime the core runs in). */
export function formatIntegerFr(n: number): string {
  const s = String(Math.trunc(Math.abs(n)));
  let out = '';
  for (let i = 0; i < s.length; i++) {
    if (i > 0 && (s.length - i) % 3 === 0) out += '\u202f';
    out += s[i];
  }
  return (n < 0 ? '-' : '') + out;
}

/**
 * Joins items for a message: "a, b, c"; beyond `max` items: "a, b, c et 4 autres".
 */
export function listFr(items: readonly string[], max = 5): string {
  if (items.length <= max) return items.join(', ');
  const rest = items.length - max;
  return `${items.slice(0, max).join(', ')} et ${countFr(rest, 'autre', 'autres')}`;
}

/**
 * Message of a verdict reason, for users: what happened, why it matters, what to do.
 *
 * @param code the verdict reason
 * @param addresses the recipients concerned (normalised addresses, raw input for invalid ones)
 */
export function verdictReasonMessageFr(code: VerdictReasonCode, addresses: readonly string[]): string {
  const n = addresses.length;
  const list = listFr(addresses);
  switch (code) {
    case 'HEALTH_DATA_TO_NON_MSSANTE':
      return (
        `Ce message semble contenir des données de santé et ${countFr(n, 'destinataire', 'destinataires')} ` +
        `${pluralFr(n, "n'est pas une adresse MSSanté", 'ne sont pas des adresses MSSanté')} : ${list}. ` +
        `${pluralFr(n, 'Retirez ce destinataire', 'Retirez ces destinataires')}, envoyez-leur un message séparé sans ` +
        'données de santé, ou envoyez en MSSanté.'
      );
    case 'MIXED_RECIPIENTS':
      return (
        `Ce message mélange des adresses MSSanté et ${countFr(n, 'adresse', 'adresses')} hors MSSanté : ${list}. ` +
        "Les données de santé ne doivent aller qu'aux adresses MSSanté : envoyez deux messages séparés si besoin."
      );
    case 'GATEWAY_RECIPIENT':
      return (
        `${countFr(n, 'destinataire passe', 'destinataires passent')} par une passerelle : ${list}. ` +
        "Utilisez de préférence l'adresse MSSanté directe du correspondant."
      );
    case 'PATIENT_WITHOUT_QUALIFIED_INS':
      return (
        `Le message est adressé à ${pluralFr(n, 'un patient', 'des patients')} (Mon Espace Santé) sans INS qualifié : ` +
        `${list}. Qualifiez l'identité du patient (INS, téléservice INSi) avant l'envoi.`
      );
    case 'INVALID_RECIPIENT':
      return (
        `${countFr(n, 'adresse est invalide', 'adresses sont invalides')} et ne ` +
        `${pluralFr(n, 'peut', 'peuvent')} pas recevoir de message : ${list}. ` +
        `${pluralFr(n, 'Corrigez-la ou retirez-la', 'Corrigez-les ou retirez-les')}.`
      );
    case 'NO_RECIPIENT':
      return 'Aucun destinataire : ajoutez au moins un destinataire.';
    case 'CONNECTOR_UNREACHABLE':
      return (
        "Le connecteur MSSanté de votre structure ne répond pas : les destinataires n'ont été vérifiés qu'avec la " +
        "liste blanche intégrée, sans l'annuaire. Vérifiez que chaque destinataire a une adresse MSSanté avant " +
        "d'envoyer des données de santé, ou réessayez dans un moment."
      );
    default:
      return assertNever(code);
  }
}

/** Exhaustiveness guard for switches over closed unions: a compile error when a case is missing. */
export function assertNever(value: never): never {
  throw new TypeError(`Valeur inattendue : ${String(value)}`);
}
