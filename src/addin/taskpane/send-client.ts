// Runtime: browser (task pane) and node tests. Client of the connector's send pipeline: `POST /api/messages` with an
// `Idempotency-Key` header and an Entra bearer token, then `GET /api/messages/:id` for the status as receipts arrive;
// `GET /api/mailboxes` (the sending mailboxes this user may use); the Pro Santé Connect session of the user on the
// connector (`POST|GET|DELETE /api/psc/session`) that personal and organisational mailboxes need.
// The wire types are the core's (src/core/send-contract.ts), shared with the connector's route schema: the pane's
// request model maps to them in toWire() and nothing the user chose is dropped on the way.
import {
  SEND_STATUSES,
  type SendAcceptedWire,
  type SendAttachmentWire,
  type SendMessageWire,
  type SendPatient,
  type SendStatus,
  type SendStatusWire,
} from '../../core';
import { createJsonCall, type ConnectorClientOptions } from './connector-client';

export { SEND_STATUSES, type SendStatus };

/** One attachment handed to the connector. */
export interface SendAttachment {
  readonly name: string;
  readonly contentType: string;
  readonly contentBase64: string;
  /** A CDA R2 document the connector packages as IHE XDM (IHE_XDM.ZIP, ANS "DMP compatible" rules). */
  readonly xdm: boolean;
}

/** The pane's send request (mapped to the core's SendMessageWire by toWire). */
export interface SendMessageRequest {
  /** The sending MSSanté mailbox (personal, organisational or applicative). */
  readonly from: string;
  readonly to: readonly string[];
  readonly cc: readonly string[];
  readonly bcc: readonly string[];
  readonly subject: string;
  readonly body: { readonly contentType: 'html' | 'text'; readonly content: string };
  readonly attachments: readonly SendAttachment[];
  /** The patient (qualified INS and its four traits), for a message about a patient. */
  readonly patient?: SendPatient;
  /** "Fin d'échange": the connector adds `X-MSS-MES: FIN` (only to a patient's address). */
  readonly endOfExchange: boolean;
  /** Read receipt requested (Disposition-Notification-To). */
  readonly readReceipt: boolean;
}

/**
 * Receipt state of one recipient (`GET /api/messages/:id` → `recipients`, from the DSN and MDN the connector read):
 * the connector's RecipientView (src/connector/messages-routes.ts; states delayed, delivered, read, failed). The core's
 * send-contract does not carry this shape (yet), hence this copy; a state the pane does not know is shown as it comes.
 */
export interface RecipientReceipt {
  readonly address: string;
  /** e.g. `delivered`, `read`, `failed`, `delayed`, `pending`. */
  readonly state: string;
  /** ISO 8601. */
  readonly at?: string;
  /** The receipt's explanation (DSN diagnostic), French when the connector translated it. */
  readonly message?: string;
}

/** `POST /api/messages` (202) and `GET /api/messages/:id` answer, as the pane reads it. */
export type SendMessageResponse = Pick<SendAcceptedWire, 'id' | 'status'> &
  Partial<Pick<SendStatusWire, 'label' | 'messageId' | 'error' | 'acceptedAt'>> & {
    readonly recipients?: readonly RecipientReceipt[];
  };

/** Mailbox types of `GET /api/mailboxes` (src/connector/account-routes.ts). */
export type SenderMailboxType = 'PER' | 'ORG' | 'APP';

/** One sending mailbox this user may use. */
export interface SenderMailbox {
  readonly address: string;
  /** `PER` personal, `ORG` organisational (both need Pro Santé Connect), `APP` applicative (certificate). */
  readonly type: SenderMailboxType;
  readonly label?: string;
}

/** True when sending from this mailbox needs the user's Pro Santé Connect session (SC.MSS/CONF.07). */
export function needsPsc(m: Pick<SenderMailbox, 'type'> | undefined): boolean {
  return m !== undefined && m.type !== 'APP';
}

/** `GET /api/psc/session`. */
export interface PscSessionState {
  readonly connected: boolean;
  /** ISO 8601, when connected. */
  readonly expiresAt?: string;
}

/** `POST /api/psc/session`: the one-use sign-in page to open in the Office dialog. */
export interface PscSessionStart {
  readonly url: string;
  readonly expiresInS: number;
}

/** What the PSC callback page sends with messageParent (connector /psc/callback). */
export interface PscDialogMessage {
  readonly type: 'psc';
  readonly status: 'ok' | 'error';
  readonly code?: string;
}

/** Outcome of a Pro Santé Connect sign-in from the pane. */
export type PscSignInOutcome =
  | { readonly kind: 'connected'; readonly state: PscSessionState }
  | { readonly kind: 'failed'; readonly code?: string }
  | { readonly kind: 'closed' };

/** Parses the PSC dialog's message; undefined when it is not one. */
export function parsePscMessage(message: string): PscDialogMessage | undefined {
  try {
    const m = JSON.parse(message) as Partial<PscDialogMessage> | null;
    return m && m.type === 'psc' && (m.status === 'ok' || m.status === 'error') ? (m as PscDialogMessage) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Signs the user in to Pro Santé Connect ON THE CONNECTOR: asks it for a one-use sign-in URL (`POST /api/psc/session`),
 * opens it in the Office dialog (`openDialog`, the MailboxPort's), reads the callback page's message, then reads the
 * session state again (`GET /api/psc/session`). The PSC tokens never reach the pane.
 */
export async function signInWithPsc(client: Pick<SendClient, 'pscStart' | 'pscState'>, openDialog: (url: string) => Promise<string>): Promise<PscSignInOutcome> {
  let message: string;
  try {
    const { url } = await client.pscStart();
    message = await openDialog(url);
  } catch (err) {
    return err instanceof Error && /fermée/.test(err.message) ? { kind: 'closed' } : { kind: 'failed' };
  }
  const m = parsePscMessage(message);
  if (!m || m.status === 'error') return { kind: 'failed', ...(m?.code ? { code: m.code } : {}) };
  try {
    const state = await client.pscState();
    return state.connected ? { kind: 'connected', state } : { kind: 'failed', code: 'PSC_NOT_CONNECTED' };
  } catch {
    return { kind: 'failed' };
  }
}

/** `2026-03-01T10:00:00+01:00` from a Date, in the workstation's time zone. */
export function isoWithOffset(d: Date): string {
  const pad = (n: number) => String(Math.abs(n)).padStart(2, '0');
  const off = -d.getTimezoneOffset();
  const sign = off >= 0 ? '+' : '-';
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}${sign}${pad(Math.trunc(off / 60))}:${pad(off % 60)}`;
}

/** Maps the pane's request to the connector's wire body (core SendMessageWire). */
export function toWire(r: SendMessageRequest, now: Date): SendMessageWire {
  const attachments: SendAttachmentWire[] = r.attachments.map((a) => ({
    filename: a.name,
    contentType: a.contentType,
    contentBase64: a.contentBase64,
    ...(a.xdm ? { xdm: true } : {}),
  }));
  return {
    from: r.from,
    to: r.to,
    ...(r.cc.length > 0 ? { cc: r.cc } : {}),
    ...(r.bcc.length > 0 ? { bcc: r.bcc } : {}),
    subject: r.subject,
    ...(r.body.contentType === 'html' ? { html: r.body.content } : { text: r.body.content }),
    ...(attachments.length > 0 ? { attachments } : {}),
    ...(r.patient ? { patient: r.patient, insQualified: r.patient.insQualified } : {}),
    ...(r.endOfExchange ? { endOfExchange: true } : {}),
    readReceipt: r.readReceipt,
    workstationTime: isoWithOffset(now),
  };
}

export interface SendClient {
  /** `interactive` false (pane loading): never opens a sign-in window; rejects when sign-in is needed. */
  listMailboxes(interactive?: boolean): Promise<SenderMailbox[]>;
  /** Submits once: the same `idempotencyKey` never sends twice (retry safely with it). */
  submit(request: SendMessageRequest, idempotencyKey: string): Promise<SendMessageResponse>;
  status(id: string): Promise<SendMessageResponse>;
  /** The user's Pro Santé Connect session on the connector. */
  pscState(): Promise<PscSessionState>;
  /** A one-use sign-in URL to open in the Office dialog. */
  pscStart(): Promise<PscSessionStart>;
  /** Ends the session (the connector forgets the tokens). */
  pscEnd(): Promise<void>;
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
    async pscState() {
      return call<PscSessionState>('/api/psc/session', { method: 'GET', headers: await auth(false) });
    },
    async pscStart() {
      return call<PscSessionStart>('/api/psc/session', { method: 'POST', headers: await auth() });
    },
    async pscEnd() {
      await call<unknown>('/api/psc/session', { method: 'DELETE', headers: await auth() });
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
      // a receipt may change one recipient without changing the message's status
      if (next.status !== last.status || JSON.stringify(next.recipients ?? []) !== JSON.stringify(last.recipients ?? [])) onChange(next);
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
