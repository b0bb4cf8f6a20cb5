// Runtime: any (pure core). The wire contract of the connector's send pipeline, shared by the add-in (task pane
// send client) and the connector (src/connector/messages-routes.ts, whose JSON schema is the enforcing copy):
// `POST /api/messages` body, its 202 answer, `GET /api/messages/:id` answer, and the French status labels.
// Interfaces and constants only: no logic, no I/O.

/** Status of a sent message, in order of progress; `failed` is terminal (MSSANTE.md §7 status model). */
export const SEND_STATUSES = ['submitted', 'queued', 'sending', 'accepted', 'delivered', 'read', 'failed'] as const;
/** One of {@link SEND_STATUSES}. */
export type SendStatus = (typeof SEND_STATUSES)[number];

/** French label of each status, as the add-in shows it (the connector sends it as `label`). */
export const SEND_STATUS_LABELS_FR: Readonly<Record<SendStatus, string>> = {
  submitted: 'reçu',
  queued: 'en attente',
  sending: 'en cours d\'envoi',
  accepted: 'remis à l\'opérateur',
  delivered: 'distribué',
  read: 'lu',
  failed: 'échec',
};

/** The patient of a message with documents: INS and the four INS traits (INS référentiel). */
export interface SendPatient {
  /** Matricule INS: 15 characters, NIR or NIA with its key (checked by the core's `validateInsMatricule`). */
  readonly ins: string;
  /** The identity is "qualifiée" (INSi checked). Required true for IHE XDM attachments. Wins over the top-level flag. */
  readonly insQualified: boolean;
  /** Nom de naissance. */
  readonly birthName: string;
  /** Prénom(s) de naissance, space separated; the first is the "premier prénom". */
  readonly firstNames: string;
  /** `YYYY-MM-DD`. */
  readonly birthDate: string;
  readonly sex: 'F' | 'M';
}

/** One attachment of `POST /api/messages`. */
export interface SendAttachmentWire {
  /** No CR, LF, `/` or `\`. */
  readonly filename: string;
  /** `type/subtype`. */
  readonly contentType?: string;
  readonly contentBase64: string;
  /**
   * A CDA R2 document to put in the message's single `IHE_XDM.zip` (with METADATA.XML, INDEX.HTM, README.TXT) instead
   * of attaching it as is. Requires `patient` with a qualified INS. Adds `X-MSS-INS` and `X-MSS-CODECDA`.
   */
  readonly xdm?: boolean;
}

/** `POST /api/messages` body (header `Idempotency-Key` and `Authorization: Bearer` required). No other property. */
export interface SendMessageWire {
  /** The sending MSSanté mailbox (personal or organisational), one the user is allowed to use. */
  readonly from: string;
  readonly to: readonly string[];
  readonly cc?: readonly string[];
  readonly bcc?: readonly string[];
  /** Single line. */
  readonly subject: string;
  readonly text?: string;
  readonly html?: string;
  /** `<id@domain>` of the message answered. */
  readonly inReplyTo?: string;
  readonly references?: readonly string[];
  readonly attachments?: readonly SendAttachmentWire[];
  /** Kept for compatibility; `patient.insQualified` wins when `patient` is present. */
  readonly insQualified?: boolean;
  readonly patient?: SendPatient;
  /** "Fin d'échange": `X-MSS-MES: FIN`; allowed only when a recipient is a patient (`@patient.mssante.fr`). */
  readonly endOfExchange?: boolean;
  /** `Disposition-Notification-To` (read receipt, RFC 8098). Default true. A DSN (RFC 3461) is always requested. */
  readonly readReceipt?: boolean;
  /** Workstation clock, ISO 8601 with offset (`2026-03-01T10:00:00+01:00`), within a day of the server's. */
  readonly workstationTime: string;
}

/** `POST /api/messages` 202 answer. */
export interface SendAcceptedWire {
  readonly id: string;
  readonly status: SendStatus;
  readonly label: string;
  /** `<id@domain>`, the Message-ID the message goes out with (the same on every retry). */
  readonly messageId: string;
}

/** `GET /api/messages/:id` answer (no content, no recipient). */
export interface SendStatusWire {
  readonly id: string;
  readonly status: SendStatus;
  readonly label: string;
  readonly messageId: string;
  readonly attempts: number;
  /** ISO 8601 UTC. */
  readonly createdAt: string;
  readonly acceptedAt?: string;
  /** Last failure: code and French explanation. */
  readonly error?: { readonly code: string; readonly message: string };
}
