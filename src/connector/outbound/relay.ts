// Runtime: Node (connector). The worker's port toward the operator: submit one queued message for one mailbox.
// `createSmtpRelay` is the standard MSSanté implementation (SMTP submission with STARTTLS and the IGC-Santé TLS
// policy, transport/smtp-submission.ts); tests and operators with their own API plug another one.

import { createSmtpSubmission, type OperatorCredentials, type OutgoingMessage, type SmtpSubmission, type SubmitResult, type TlsPolicy, type TransportLogger } from '../transport';

/** One message to relay. */
export interface RelayRequest {
  /** Sender MSSanté mailbox. */
  readonly mailbox: string;
  /** Authenticated author (whose Pro Santé Connect session authorises a personal or organisational mailbox). */
  readonly authorId: string;
  readonly message: OutgoingMessage;
}

/** Submits a message; rejects with a TransportError (code, protocol reply, `transient`). */
export interface OutboundRelay {
  submit(request: RelayRequest): Promise<SubmitResult>;
  /** Summary of the SMTP dialogue for the trace, without any address or content. */
  describe(request: RelayRequest): string;
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
}

/** The standard relay: SMTP submission (RFC 6409) over STARTTLS to the operator, one client per mailbox and author. */
export function createSmtpRelay(opts: SmtpRelayOptions): OutboundRelay {
  const clients = new Map<string, { client: SmtpSubmission; kind: OperatorCredentials['kind'] }>();
  const clientFor = (mailbox: string, authorId: string) => {
    const key = `${mailbox}\n${authorId}`;
    let entry = clients.get(key);
    if (!entry) {
      const credentials = opts.credentialsFor(mailbox, authorId);
      entry = {
        kind: credentials.kind,
        client: createSmtpSubmission({
          host: opts.host,
          port: opts.port ?? 587,
          ...(opts.servername ? { servername: opts.servername } : {}),
          tlsPolicy: opts.tlsPolicy,
          credentials,
          ...(opts.logger !== undefined ? { logger: opts.logger } : {}),
          ...(opts.connectionTimeoutMs ? { connectionTimeoutMs: opts.connectionTimeoutMs } : {}),
          ...(opts.socketTimeoutMs ? { socketTimeoutMs: opts.socketTimeoutMs } : {}),
          diagnose: false,
        }),
      };
      if (clients.size > 1000) clients.clear();
      clients.set(key, entry);
    }
    return entry;
  };
  return {
    submit: (request) => clientFor(request.mailbox, request.authorId).client.submit(request.message),
    describe(request) {
      const m = request.message;
      const rcpt = m.to.length + (m.cc?.length ?? 0) + (m.bcc?.length ?? 0);
      const auth = clientFor(request.mailbox, request.authorId).kind === 'psc' ? 'AUTH XOAUTH2' : 'certificat client (TLS mutuel)';
      return `EHLO, STARTTLS (TLS 1.2), ${auth}, MAIL FROM, RCPT TO ×${rcpt}, DATA`;
    },
  };
}
