// Runtime: Node (connector). THE table of HTTP error codes of the connector and the one mapper from any error
// (Fastify's, Ajv's, ours, a bug) to the body `{ error: { code, message, details? } }`. Messages are French, for
// the people who read them; they never leak internals (no stack, no SQL, no file path, no request content).

import type { FastifyError } from 'fastify';

/** One documented error code. */
export interface ErrorCodeInfo {
  readonly status: number;
  /** Default French message sent in `error.message`. */
  readonly message: string;
  /** What it means / how to fix it (README table). */
  readonly fix: string;
}

/**
 * Error codes of the connector HTTP API (one casing: UPPER_SNAKE). The README lists this table.
 * `details`, when present, carries numbers, field paths and limits only, never the submitted values.
 */
export const ERROR_CODES = {
  VALIDATION_FAILED: {
    status: 400,
    message: 'La requête ne respecte pas le format attendu.',
    fix: 'Corrigez le champ indiqué dans details.errors (chemin et règle) puis renvoyez la requête.',
  },
  BODY_MISSING: {
    status: 400,
    message: 'Le corps de la requête est vide : un objet JSON est attendu.',
    fix: 'Envoyez un corps JSON, par exemple { "addresses": ["nom@domaine.mssante.fr"] }, avec Content-Type: application/json.',
  },
  BODY_NOT_JSON: {
    status: 400,
    message: 'Le corps de la requête n\'est pas du JSON valide.',
    fix: 'Vérifiez la syntaxe JSON (guillemets, virgules, accolades).',
  },
  BATCH_NOT_A_LIST: {
    status: 400,
    message: 'Le champ « addresses » doit être une liste d\'adresses.',
    fix: 'Envoyez { "addresses": ["...", "..."] } : une liste de textes.',
  },
  BATCH_EMPTY: {
    status: 400,
    message: 'La liste d\'adresses est vide : rien à vérifier.',
    fix: 'Envoyez au moins une adresse.',
  },
  BATCH_ITEM_NOT_A_STRING: {
    status: 400,
    message: 'Chaque élément de « addresses » doit être un texte (une adresse).',
    fix: 'Retirez ou corrigez l\'élément indiqué par details.index.',
  },
  BATCH_TOO_LARGE: {
    status: 413,
    message: 'Trop d\'adresses dans une seule requête.',
    fix: 'Découpez la liste en lots de details.maxItems adresses au plus.',
  },
  BODY_TOO_LARGE: {
    status: 413,
    message: 'Le corps de la requête est trop volumineux.',
    fix: 'Envoyez moins de données par requête (details.maxBytes octets au plus).',
  },
  UNSUPPORTED_MEDIA_TYPE: {
    status: 415,
    message: 'Type de contenu non pris en charge : seul application/json est accepté.',
    fix: 'Envoyez le corps en JSON avec l\'en-tête Content-Type: application/json.',
  },
  DIRECTORY_QUERY_TOO_SHORT: {
    status: 400,
    message: 'Recherche trop courte : tapez au moins 2 caractères (début du nom, du prénom, de la structure ou un identifiant).',
    fix: 'Allongez le texte cherché (paramètre q), par exemple « dupont j » ou un numéro RPPS.',
  },
  NOT_FOUND: {
    status: 404,
    message: 'Ressource introuvable.',
    fix: 'Vérifiez l\'adresse (URL) et la méthode. Le harnais n\'est servi que si harness.enabled vaut true ; l\'add-in que s\'il a été construit (npm run build:web).',
  },
  AUTH_REQUIRED: {
    status: 401,
    message: 'Authentification requise : envoyez le jeton Microsoft Entra ID de l\'utilisateur (Authorization: Bearer).',
    fix: 'Connectez-vous dans Outlook puis réessayez ; l\'add-in joint le jeton automatiquement.',
  },
  AUTH_INVALID: {
    status: 401,
    message: 'Jeton Microsoft Entra ID refusé (expiré, mauvais locataire ou mauvaise audience).',
    fix: 'Reconnectez-vous dans Outlook ; si cela persiste, vérifiez entra.tenantId et entra.audience du connecteur.',
  },
  SENDING_DISABLED: {
    status: 503,
    message: 'L\'envoi en MSSanté n\'est pas configuré sur ce connecteur.',
    fix: 'L\'administrateur doit renseigner entra.tenantId et entra.audience (et senders) dans la configuration du connecteur.',
  },
  SENDER_NOT_ALLOWED: {
    status: 403,
    message: 'Vous n\'êtes pas autorisé à envoyer depuis cette BAL MSSanté.',
    fix: 'Choisissez une de vos BAL (personnelle ou organisationnelle) ; sinon demandez à l\'administrateur de vous l\'ajouter (réglage senders).',
  },
  IDEMPOTENCY_KEY_REQUIRED: {
    status: 400,
    message: 'En-tête Idempotency-Key manquant ou invalide : il évite d\'envoyer deux fois le même message.',
    fix: 'Envoyez un en-tête Idempotency-Key unique par message (1 à 200 caractères visibles, par exemple un UUID), identique à chaque nouvel essai.',
  },
  IDEMPOTENCY_KEY_CONFLICT: {
    status: 409,
    message: 'Cette clé Idempotency-Key a déjà servi pour un autre message.',
    fix: 'Générez une nouvelle clé pour un nouveau message ; réutilisez-la seulement pour renvoyer exactement le même.',
  },
  WORKSTATION_TIME_INVALID: {
    status: 400,
    message: 'L\'horodatage du poste (workstationTime) est invalide : date ISO 8601 avec fuseau attendue, proche de l\'heure du serveur.',
    fix: 'Envoyez l\'heure locale du poste au format 2026-03-01T10:00:00+01:00 ; vérifiez l\'horloge du poste.',
  },
  RECIPIENT_OUTSIDE_TRUST_SPACE: {
    status: 422,
    message: 'Un ou plusieurs destinataires sont hors de l\'Espace de Confiance MSSanté : le connecteur ne relaie qu\'en MSSanté.',
    fix: 'Retirez les destinataires indiqués dans details.recipients (champ et position), ou remplacez-les par l\'adresse MSSanté proposée (details.recipients[].suggestion : correspondant d\'une passerelle, table de correspondance de la structure ou annuaire), ou envoyez-leur par une autre messagerie sans données de santé.',
  },
  SEND_BLOCKED_BY_POLICY: {
    status: 422,
    message: 'L\'envoi est bloqué par la politique de la structure.',
    fix: 'Corrigez les points listés dans details.reasons (codes), puis renvoyez.',
  },
  PATIENT_INS_INVALID: {
    status: 400,
    message: 'Le matricule INS du patient est invalide : 15 caractères (NIR ou NIA) avec sa clé sont attendus.',
    fix: 'Recopiez le matricule INS depuis le dossier du patient (téléservice INSi) ; details.reason indique le contrôle en échec (format, clé, sexe, mois).',
  },
  PATIENT_TRAITS_INVALID: {
    status: 400,
    message: 'Les traits d\'identité du patient sont incomplets ou invalides (nom de naissance, prénoms, date de naissance AAAA-MM-JJ, sexe F ou M).',
    fix: 'Corrigez le trait indiqué dans details.field, tel qu\'il figure dans le dossier du patient.',
  },
  XDM_PATIENT_REQUIRED: {
    status: 400,
    message: 'Un document à envoyer au format IHE XDM (compatible DMP) demande le patient avec une identité INS qualifiée.',
    fix: 'Renseignez le patient (matricule INS et traits) et cochez « Identité INS qualifiée » après vérification INSi, ou envoyez le document comme simple pièce jointe (xdm: false).',
  },
  XDM_PACK_FAILED: {
    status: 400,
    message: 'Le document CDA ne peut pas être empaqueté au format IHE XDM.',
    fix: 'Vérifiez le document indiqué dans details.problems (code, numéro du document) : CDA R2 valide, code du document présent, même INS que le patient du message.',
  },
  END_OF_EXCHANGE_NOT_PATIENT: {
    status: 400,
    message: 'L\'option « fin d\'échange » (X-MSS-MES: FIN) ne s\'applique qu\'aux messages envoyés à un patient (adresse @patient.mssante.fr).',
    fix: 'Retirez l\'option fin d\'échange, ou ajoutez l\'adresse Mon espace santé du patient en destinataire.',
  },
  MESSAGE_TOO_LARGE: {
    status: 413,
    message: 'Le message est trop volumineux pour l\'opérateur MSSanté.',
    fix: 'Retirez ou compressez des pièces jointes, ou envoyez-les en plusieurs messages (details.limitBytes octets au plus, 25 Mo pour Mon espace santé).',
  },
  MESSAGE_INVALID: {
    status: 400,
    message: 'Le message ne peut pas être construit : un champ ne respecte pas les règles MSSanté.',
    fix: 'Corrigez les champs indiqués dans details.errors (code et champ), puis renvoyez.',
  },
  PRODUCT_REFERENCE_MISSING: {
    status: 503,
    message: 'L\'envoi en MSSanté n\'est pas configuré : la référence produit (en-tête X-MSS-NIL, obligatoire sur chaque message) manque.',
    fix: 'L\'administrateur doit renseigner outbound.productReference (ou MSS_PRODUCT_REFERENCE) avec la référence attribuée sur convergence.esante.gouv.fr.',
  },
  MESSAGE_NOT_FOUND: {
    status: 404,
    message: 'Message introuvable (ou vous n\'avez pas accès à sa BAL).',
    fix: 'Vérifiez l\'identifiant renvoyé lors de l\'envoi.',
  },
  ADMIN_DISABLED: {
    status: 404,
    message: 'Les pages d\'administration sont désactivées sur ce connecteur.',
    fix: 'L\'administrateur doit renseigner admin.users (et entra.*) dans la configuration.',
  },
  ADMIN_FORBIDDEN: {
    status: 403,
    message: 'Accès réservé aux administrateurs du connecteur.',
    fix: 'Demandez à être ajouté dans admin.users.',
  },
  TRACES_MAILBOX_REQUIRED: {
    status: 400,
    message: 'Paramètre mailbox manquant ou invalide : l\'export des traces se fait par BAL.',
    fix: 'Ajoutez ?mailbox=<adresse de la BAL MSSanté> à l\'adresse.',
  },
  PSC_DISABLED: {
    status: 503,
    message: 'La connexion Pro Santé Connect n\'est pas disponible sur ce connecteur (non configurée, ou Pro Santé Connect injoignable au démarrage).',
    fix: 'L\'administrateur doit renseigner psc.issuer et psc.clientId (MSS_PSC_ISSUER, MSS_PSC_CLIENT_ID) ; si Pro Santé Connect était injoignable au démarrage, redémarrer le connecteur une fois PSC rétabli.',
  },
  CONFIG_RELOAD_FAILED: {
    status: 422,
    message: 'La configuration relue est invalide : elle n\'est pas appliquée, la configuration précédente reste en service.',
    fix: 'Corrigez dans le fichier de configuration chaque réglage listé dans details.problems (nom du réglage et correction), puis rechargez de nouveau.',
  },
  INTERNAL: {
    status: 500,
    message: 'Erreur interne du connecteur. L\'incident a été journalisé.',
    fix: 'Réessayez ; si l\'erreur persiste, transmettez l\'heure et l\'identifiant de requête (en-tête request-id) à l\'administrateur.',
  },
} as const satisfies Record<string, ErrorCodeInfo>;

export type ErrorCode = keyof typeof ERROR_CODES;

/** Renders {@link ERROR_CODES} as a Markdown table (README: "what it means / how to fix"). */
export function errorCodesMarkdown(): string {
  const rows = Object.entries(ERROR_CODES).map(([code, info]) => `| \`${code}\` | ${info.status} | ${info.message} | ${info.fix} |`);
  return ['| Code | HTTP | Signification | Que faire |', '|---|---|---|---|', ...rows].join('\n');
}

/** The error body of every non-2xx JSON answer. */
export interface ErrorBody {
  readonly error: {
    readonly code: ErrorCode;
    readonly message: string;
    readonly details?: Record<string, unknown>;
  };
}

/** An error meant for the client: a code of {@link ERROR_CODES}, an optional precise French message and details. */
export class ApiError extends Error {
  readonly statusCode: number;

  constructor(
    readonly code: ErrorCode,
    message?: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message ?? ERROR_CODES[code].message);
    this.name = 'ApiError';
    this.statusCode = ERROR_CODES[code].status;
  }

  toBody(): ErrorBody {
    return { error: { code: this.code, message: this.message, ...(this.details ? { details: this.details } : {}) } };
  }
}

/** The subset of an Ajv error the mapper reads. */
export interface SchemaViolation {
  readonly instancePath: string;
  readonly keyword: string;
  readonly params: Record<string, unknown>;
}

/** Translates the violations of one route into a specific error, or undefined to use VALIDATION_FAILED. */
export type ValidationTranslator = (violations: readonly SchemaViolation[], body: unknown) => ApiError | undefined;

/** `/addresses/3` → `addresses[3]` (readable field path). */
export function fieldPath(instancePath: string, extra?: string): string {
  const parts = instancePath.split('/').filter(Boolean);
  if (extra) parts.push(extra);
  return parts.reduce((acc, p) => (/^\d+$/.test(p) ? `${acc}[${p}]` : acc ? `${acc}.${p}` : p), '') || '(corps)';
}

const TYPE_FR: Record<string, string> = {
  string: 'un texte',
  object: 'un objet',
  array: 'une liste',
  number: 'un nombre',
  integer: 'un entier',
  boolean: 'un booléen',
  null: 'null',
};

/** One violation in French, without the submitted value. */
export function describeViolation(v: SchemaViolation): { field: string; rule: string; problem: string } {
  const p = v.params;
  switch (v.keyword) {
    case 'required':
      return { field: fieldPath(v.instancePath, String(p.missingProperty)), rule: 'required', problem: 'champ obligatoire manquant' };
    case 'additionalProperties':
      return { field: fieldPath(v.instancePath, String(p.additionalProperty)), rule: 'additionalProperties', problem: 'champ inconnu : retirez-le' };
    case 'type':
      return { field: fieldPath(v.instancePath), rule: 'type', problem: `doit être ${TYPE_FR[String(p.type)] ?? String(p.type)}` };
    case 'maxLength':
      return { field: fieldPath(v.instancePath), rule: 'maxLength', problem: `${String(p.limit)} caractères au plus` };
    case 'minLength':
      return { field: fieldPath(v.instancePath), rule: 'minLength', problem: `${String(p.limit)} caractère(s) au moins` };
    case 'maxItems':
      return { field: fieldPath(v.instancePath), rule: 'maxItems', problem: `${String(p.limit)} éléments au plus` };
    case 'minItems':
      return { field: fieldPath(v.instancePath), rule: 'minItems', problem: `${String(p.limit)} élément(s) au moins` };
    case 'enum':
      return { field: fieldPath(v.instancePath), rule: 'enum', problem: `valeur non autorisée (valeurs possibles : ${(p.allowedValues as unknown[] | undefined)?.join(', ') ?? '?'})` };
    default:
      return { field: fieldPath(v.instancePath), rule: v.keyword, problem: 'valeur non conforme' };
  }
}

/**
 * The translator of the batch routes (`{ addresses: string[] }`: classify, directory look-up): schema violations of
 * `addresses` become the BATCH_* codes of the core's classifyBatch, with the route's own limit.
 */
export function batchViolationTranslator(maxItems: number): ValidationTranslator {
  return (violations, body) => {
    const v = violations[0];
    if (!v) return undefined;
    const addresses = (body as { addresses?: unknown } | undefined)?.addresses;
    if (v.instancePath === '/addresses') {
      if (v.keyword === 'type') return new ApiError('BATCH_NOT_A_LIST');
      if (v.keyword === 'minItems') return new ApiError('BATCH_EMPTY');
      if (v.keyword === 'maxItems') {
        const received = Array.isArray(addresses) ? addresses.length : undefined;
        return new ApiError(
          'BATCH_TOO_LARGE',
          `Trop d'adresses dans une seule requête : ${received ?? `plus de ${maxItems}`} reçues, ${maxItems} au plus.`,
          { maxItems, ...(received !== undefined ? { received } : {}) },
        );
      }
    }
    const item = /^\/addresses\/(\d+)$/.exec(v.instancePath);
    if (item && v.keyword === 'type') {
      const index = Number(item[1]);
      return new ApiError('BATCH_ITEM_NOT_A_STRING', `L'élément n° ${index} de « addresses » n'est pas un texte : chaque élément doit être une adresse.`, { index });
    }
    return undefined;
  };
}

/** The generic translation: VALIDATION_FAILED with the violations (field, rule, French problem). */
export function validationFailed(violations: readonly SchemaViolation[]): ApiError {
  const errors = violations.map(describeViolation);
  const first = errors[0];
  const message = first ? `La requête ne respecte pas le format attendu : ${first.field} : ${first.problem}.` : ERROR_CODES.VALIDATION_FAILED.message;
  return new ApiError('VALIDATION_FAILED', message, { errors });
}

/** Options of {@link toApiError}. */
export interface MapContext {
  /** The parsed body (undefined when none was sent). */
  readonly body: unknown;
  /** Route-specific translation of schema violations. */
  readonly translate?: ValidationTranslator;
  /** The configured body limit, reported in BODY_TOO_LARGE details. */
  readonly bodyLimit: number;
}

/**
 * Maps any error to an {@link ApiError}. Unknown errors become INTERNAL (the caller logs the original).
 * Returns `[apiError, isInternal]`.
 */
export function toApiError(err: unknown, ctx: MapContext): { apiError: ApiError; internal: boolean } {
  if (err instanceof ApiError) return { apiError: err, internal: false };
  const e = err as Partial<FastifyError> & { validation?: SchemaViolation[]; validationContext?: string };
  if (Array.isArray(e.validation)) {
    if (e.validationContext === 'body' && (ctx.body === undefined || ctx.body === null)) {
      return { apiError: new ApiError('BODY_MISSING'), internal: false };
    }
    const specific = e.validationContext === 'body' ? ctx.translate?.(e.validation, ctx.body) : undefined;
    return { apiError: specific ?? validationFailed(e.validation), internal: false };
  }
  switch (e.code) {
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return { apiError: new ApiError('BODY_MISSING'), internal: false };
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return { apiError: new ApiError('BODY_NOT_JSON'), internal: false };
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return {
        apiError: new ApiError('BODY_TOO_LARGE', `Le corps de la requête dépasse ${ctx.bodyLimit} octets.`, { maxBytes: ctx.bodyLimit }),
        internal: false,
      };
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return e.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE'
        ? { apiError: new ApiError('UNSUPPORTED_MEDIA_TYPE'), internal: false }
        : { apiError: new ApiError('VALIDATION_FAILED', 'La longueur annoncée (Content-Length) ne correspond pas au corps envoyé.'), internal: false };
    default:
      break;
  }
  // Other client errors raised by Fastify itself (malformed URL, bad header...): keep them 4xx, never echo their text.
  if (typeof e.statusCode === 'number' && e.statusCode >= 400 && e.statusCode < 500) {
    if (e.statusCode === 404) return { apiError: new ApiError('NOT_FOUND'), internal: false };
    if (e.statusCode === 413) return { apiError: new ApiError('BODY_TOO_LARGE', undefined, { maxBytes: ctx.bodyLimit }), internal: false };
    if (e.statusCode === 415) return { apiError: new ApiError('UNSUPPORTED_MEDIA_TYPE'), internal: false };
    return { apiError: new ApiError('VALIDATION_FAILED'), internal: false };
  }
  return { apiError: new ApiError('INTERNAL'), internal: true };
}
