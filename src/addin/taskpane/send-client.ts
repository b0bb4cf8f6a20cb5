// Runtime: browser (task pane) and node tests. Client of the connector's send pipeline: `POST /api/messages` with an
// `Idempotency-Key` header and an Entra bearer token, then `GET /api/messages/:id` for the status as receipts arrive.
//
// ALIGNMENT with src/connector/messages-routes.ts (read when it landed): the wire body is exactly its postSchema
// (additionalProperties: false): from, to, cc, bcc, subject, text | html, attachments {filename, contentType,
// contentBase64}, insQualified, workstationTime (ISO with offset); answers 202 {id, status, label, messageId} and
// GET /api/messages/:id {id, status, label, error?}. The pane's richer model (SendMessageRequest: "fin d'échange",
// CDA attachments flagged for IHE XDM, the patient's INS traits) is mapped by toWire(); what the connector's schema does
// not take YET is listed by notYetSupported() and shown to the user rather than silently sent or dropped.
// Not in the connector yet either: the list of sending mailboxes (asked as `GET /api/mailboxes`; without it the pane
// asks the user to type the mailbox) and the public sign-in settings (`GET /api/auth/config`, see auth.ts).
import { createJsonCall, type ConnectorClientOptions } from './connector-client';

/** One attachment handed to the connector. */
export interface SendAttachment {
  readonly name: string;
  readonly contentType: string;
  readonly contentBase64: string;
  /** A CDA R2 document the connector packages as IHE XDM (IHE_XDM.ZIP, ANS "DMP compatible" rules). */
  readonly xdm: boolean;
}

/** The patient's identity traits (INS référentiel: nom de naissance, prénom(s), date et sexe de naissance). */
export interface PatientTraits {
  readonly birthName: string;
  readonly firstNames: string;
  /** ISO date, `YYYY-MM-DD`. */
  readonly birthDate: string;
  readonly sex: 'F' | 'M';
}

/** Patient options: the INS must be qualified (INSi checked) to be sent. */
export interface PatientOptions {
  /** The INS (NIR/NIA matricule, 15 digits with key). */
  readonly ins: string;
  /** The user confirms "Identité INS qualifiée". */
  readonly insQualified: true;
  readonly traits: PatientTraits;
}

/** `POST /api/messages` body. */
export interface SendMessageRequest {
  /** The sending MSSanté mailbox (personal or organisational). */
  readonly from: string;
  readonly to: readonly string[];
  readonly cc: readonly string[];
  readonly bcc: readonly string[];
  readonly subject: string;
  readonly body: { readonly contentType: 'html' | 'text'; readonly content: string };
  readonly attachments: readonly SendAttachment[];
  readonly patient?: PatientOptions;
  /** "Fin d'échange": the connector adds `X-MSS-MES: FIN`. */
  readonly endOfExchange: boolean;
}

/** Status of a message in the pipeline (connector OutboundStatus), in order of progress; `failed` is terminal. */
export const SEND_STATUSES = ['submitted', 'queued', 'sending', 'accepted', 'delivered', 'read', 'failed'] as const;
export type SendStatus = (typeof SEND_STATUSES)[number];

/** `POST /api/messages` (202) and `GET /api/messages/:id` answer. */
export interface SendMessageResponse {
  readonly id: string;
  readonly status: SendStatus;
  /** The connector's French label of the status. */
  readonly label?: string;
  /** When failed: the connector's code and French message. */
  readonly error?: { readonly code: string; readonly message: string };
}

/** One sending mailbox this user may use. */
export interface SenderMailbox {
  readonly address: string;
  /** `PER` personal, `ORG` organisational. */
  readonly type: string;
  readonly label?: string;
}

/** `POST /api/messages` body, exactly as the connector's schema takes it. */
export interface WireMessage {
  readonly from: string;
  readonly to: readonly string[];
  readonly cc?: readonly string[];
  readonly bcc?: readonly string[];
  readonly subject: string;
  readonly text?: string;
  readonly html?: string;
  readonly attachments?: readonly { readonly filename: string; readonly contentType?: string; readonly contentBase64: string }[];
  readonly insQualified?: boolean;
  /** The workstation's clock, ISO 8601 with its offset (the connector checks it is within a day of its own). */
  readonly workstationTime: string;
}

/** `2026-03-01T10:00:00+01:00` from a Date, in the workstation's time zone. */
export function isoWithOffset(d: Date): string {
  const pad = (n: number) => String(Math.abs(n)).padStart(2, '0');
  const off = -d.getTimezoneOffset();
  const sign = off >= 0 ? '+' : '-';
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}${sign}${pad(Math.trunc(off / 60))}:${pad(off % 60)}`;
}

/** Maps the pane's request to the connector's wire body. */
export function toWire(r: SendMessageRequest, now: Date): WireMessage {
  return {
    from: r.from,
    to: r.to,
    ...(r.cc.length > 0 ? { cc: r.cc } : {}),
    ...(r.bcc.length > 0 ? { bcc: r.bcc } : {}),
    subject: r.subject,
    ...(r.body.contentType === 'html' ? { html: r.body.content } : { text: r.body.content }),
    ...(r.attachments.length > 0
      ? { attachments: r.attachments.map((a) => ({ filename: a.name, contentType: a.contentType, contentBase64: a.contentBase64 })) }
      : {}),
    ...(r.patient ? { insQualified: r.patient.insQualified } : {}),
    workstationTime: isoWithOffset(now),
  };
}

/** Options the user chose that the connector's schema does not take yet (so they would not apply). */
export const UNSUPPORTED_OPTIONS = ['endOfExchange', 'xdm', 'patientTraits'] as const;
export type UnsupportedOption = (typeof UNSUPPORTED_OPTIONS)[number];

export function notYetSupported(r: Pick<SendMessageRequest, 'endOfExchange' | 'attachments' | 'patient'>): UnsupportedOption[] {
  const out: UnsupportedOption[] = [];
  if (r.endOfExchange) out.push('endOfExchange');
  if (r.attachments.some((a) => a.xdm)) out.push('xdm');
  if (r.patient) out.push('patientTraits');
  return out;
}

export interface SendClient {
  /** `interactive` false (pane loading): never opens a sign-in window; rejects when sign-in is needed. */
  listMailboxes(interactive?: boolean): Promise<SenderMailbox[]>;
  /** Submits once: the same `idempotencyKey` never sends twice (retry safely with it). */
  submit(request: SendMessageRequest, idempotencyKey: string): Promise<SendMessageResponse>;
  status(id: string): Promise<SendMessageResponse>;
}

export interface SendClientOptions extends ConnectorClientOptions {
  /** The bearer token for the connector (MSAL nested app authentication, see auth.ts); `interactive` false: silent only. */
  readonly getToken: (interactive?: boolean) => Promise<string>;
  /** Clock of the workstation (workstationTime). Default `new Date()`. */
  readonly now?: () => Date;
}

/** True once the operator accepted the message: from then on the Outlook draft may go. */
export function isAccepted(status: SendStatus): boolean {
  return status === 'accepted' || status === 'delivered' || status === 'read';
}

/** True when no further status will come (read receipt, or failure). */
export function isFinal(status: SendStatus): boolean {
  return status === 'read' || status === 'failed';
}

/** Creates the send client. */
export function createSendClient(options: SendClientOptions): SendClient {
  const call = createJsonCall(options);
  const auth = async (interactive = true): Promise<Record<string, string>> => ({
    authorization: `Bearer ${await options.getToken(interactive)}`,
    accept: 'application/json',
  });
  return {
    async listMailboxes(interactive = true) {
      const { mailboxes } = await call<{ mailboxes: SenderMailbox[] }>('/api/mailboxes', { method: 'GET', headers: await auth(interactive) });
      return Array.isArray(mailboxes) ? mailboxes : [];
    },
    async submit(request, idempotencyKey) {
      return call<SendMessageResponse>('/api/messages', {
        method: 'POST',
        headers: { ...(await auth()), 'content-type': 'application/json', 'idempotency-key': idempotencyKey },
        body: JSON.stringify(toWire(request, (options.now ?? (() => new Date()))())),
      });
    },
    async status(id) {
      return call<SendMessageResponse>(`/api/messages/${encodeURIComponent(id)}`, { method: 'GET', headers: await auth() });
    },
  };
}

export interface PollOptions {
  /** Delay between polls in ms. Default 1 500. */
  readonly intervalMs?: number;
  /** Stop after this many polls. Default 200 (5 minutes at the default interval). */
  readonly maxPolls?: number;
  readonly sleep?: (ms: number) => Promise<void>;
  /** Stops polling when it returns true (the pane closed). */
  readonly cancelled?: () => boolean;
}

/**
 * Polls `GET /api/messages/:id` and reports every status change until a final status (read, failed) or maxPolls.
 * Network errors between polls are retried silently until maxPolls.
 */
export async function pollStatus(
  client: SendClient,
  first: SendMessageResponse,
  onChange: (r: SendMessageResponse) => void,
  opts: PollOptions = {},
): Promise<SendMessageResponse> {
  const sleep = opts.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const intervalMs = opts.intervalMs ?? 1_500;
  const maxPolls = opts.maxPolls ?? 200;
  let last = first;
  for (let i = 0; i < maxPolls && !isFinal(last.status); i++) {
    await sleep(intervalMs);
    if (opts.cancelled?.()) break;
    try {
      const next = await client.status(first.id);
      if (next.status !== last.status) onChange(next);
      last = next;
    } catch {
      // transient: try again at the next tick
    }
  }
  return last;
}

/** A fresh idempotency key (RFC 4122 v4 from the browser's CSPRNG). */
export function newIdempotencyKey(): string {
  return crypto.randomUUID();
}
