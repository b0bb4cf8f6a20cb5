// Runtime: Node (connector). The worker's port toward the operator: submit one queued message for one mailbox.
// `createSmtpRelay` is the standard MSSanté implementation: built messages (payload v2, mime/build-message.ts) go
// through a pooled raw submission per mailbox with their envelope and DSN parameters (smtp-raw.ts); v1 payloads (the
// nodemailer build input of the first API) through the transport's SMTP submission (transport/smtp-submission.ts).
// Both use STARTTLS and the IGC-Santé TLS policy. Tests and operators with their own API plug another relay.

import { createSmtpSubmission, type OperatorCredentials, type OutgoingMessage, type SmtpSubmission, type SubmitResult, type TlsPolicy, type TransportLogger } from '../transport';
import { createRawSubmission, type RawMessage, type RawSubmission } from './smtp-raw';

/** One message to relay (v1 payload: the transport composes the MIME). */
export interface RelayRequest {
  /** Sender MSSanté mailbox. */
  readonly mailbox: string;
  /** Authenticated author (whose Pro Santé Connect session authorises a personal or organisational mailbox). */
  readonly authorId: string;
  readonly message: OutgoingMessage;
}

/** One built message to relay (v2 payload): bytes, envelope (Bcc included), DSN request. */
export interface RawRelayRequest {
  readonly mailbox: string;
  readonly authorId: string;
  readonly message: RawMessage;
}

/** Submits a message; rejects with a TransportError (code, protocol reply, `transient`). */
export interface OutboundRelay {
  submit(request: RelayRequest): Promise<SubmitResult>;
  submitRaw(request: RawRelayRequest): Promise<SubmitResult>;
  /** Summary of the SMTP dialogue for the trace, without any address or content. */
  describe(request: { readonly mailbox: string; readonly authorId: string; readonly recipients: number; readonly dsn?: boolean }): string;
  /** Closes pooled connections. */
  close?(): void;
}

/** Options of {@link createSmtpRelay}. */
export interface SmtpRelayOptions {
  readonly host: string;
  /** [587] */
  readonly port?: number;
  readonly servername?: string;
  readonly tlsPolicy: TlsPolicy;
  /** The credentials of a mailbox for an author: PSC token source, or the applicative mailbox's certificate. */
  credentialsFor(mailbox: string, authorId: string): OperatorCredentials;
  readonly logger?: TransportLogger | false;
  /** [15000] Connection timeout, ms. Keep well under the queue lease. */
  readonly connectionTimeoutMs?: number;
  /** [60000] Inactivity timeout, ms. */
  readonly socketTimeoutMs?: number;
  /** [4] Pooled connections per mailbox and author (the worker's concurrency). */
  readonly maxConnections?: number;
}

/** The standard relay: SMTP submission (RFC 6409) over STARTTLS to the operator, one client per mailbox and author. */
export function createSmtpRelay(opts: SmtpRelayOptions): OutboundRelay {
  const clients = new Map<string, { kind: OperatorCredentials['kind']; legacy?: SmtpSubmission; pool?: RawSubmission; credentials: OperatorCredentials }>();
  const entryFor = (mailbox: string, authorId: string) => {
    const key = `${mailbox}\n${authorId}`;
    let entry = clients.get(key);
    if (!entry) {
      const credentials = opts.credentialsFor(mailbox, authorId);
      entry = { kind: credentials.kind, credentials };
      if (clients.size > 1000) {
        for (const e of clients.values()) e.pool?.close();
        clients.clear();
      }
      clients.set(key, entry);
    }
    return entry;
  };
  const common = (credentials: OperatorCredentials) => ({
    host: opts.host,
    port: opts.port ?? 587,
    ...(opts.servername ? { servername: opts.servername } : {}),
    tlsPolicy: opts.tlsPolicy,
    credentials,
    ...(opts.logger !== undefined ? { logger: opts.logger } : {}),
    ...(opts.connectionTimeoutMs ? { connectionTimeoutMs: opts.connectionTimeoutMs } : {}),
    ...(opts.socketTimeoutMs ? { socketTimeoutMs: opts.socketTimeoutMs } : {}),
    diagnose: false,
  });
  return {
    submit(request) {
      const entry = entryFor(request.mailbox, request.authorId);
      entry.legacy ??= createSmtpSubmission(common(entry.credentials));
      return entry.legacy.submit(request.message);
    },
    submitRaw(request) {
      const entry = entryFor(request.mailbox, request.authorId);
      entry.pool ??= createRawSubmission({ ...common(entry.credentials), maxConnections: opts.maxConnections ?? 4 });
      return entry.pool.submit(request.message);
    },
    describe(request) {
      const auth = entryFor(request.mailbox, request.authorId).kind === 'psc' ? 'AUTH XOAUTH2' : 'certificat client (TLS mutuel)';
      return `EHLO, STARTTLS (TLS 1.2), ${auth}, MAIL FROM${request.dsn ? ' (RET=HDRS ENVID)' : ''}, RCPT TO ×${request.recipients}${request.dsn ? ' (NOTIFY)' : ''}, DATA`;
    },
    close() {
      for (const e of clients.values()) e.pool?.close();
      clients.clear();
    },
  };
}
