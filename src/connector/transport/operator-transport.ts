// Runtime: Node (connector). The standard MSSanté transport of one mailbox: SMTP submission + IMAP with the same
// TLS policy and credentials, behind the `Transport` interface shared with API operators (Medimail).

import { openImapSession } from './imap-session';
import type { TransportLogger } from './logger';
import { createSmtpSubmission } from './smtp-submission';
import type { TlsPolicy } from './tls-policy';
import type { MailboxSession, OperatorCredentials, Transport } from './types';

/** Options of {@link createOperatorTransport}. Defaults in brackets. */
export interface OperatorTransportOptions {
  /** Operator host names (from the operator's documentation or DNS SRV, SC.MSS/CONF.04). */
  readonly smtp: { readonly host: string; readonly port?: number; readonly servername?: string };
  readonly imap: { readonly host: string; readonly port?: number; readonly servername?: string };
  readonly tlsPolicy: TlsPolicy;
  readonly credentials: OperatorCredentials;
  /** [15000] ms. */
  readonly connectionTimeoutMs?: number;
  readonly logger?: TransportLogger | false;
  readonly now?: () => number;
}

/** SMTP (587, STARTTLS) + IMAP (143, STARTTLS) toward an MSSanté operator, for one mailbox. */
export function createOperatorTransport(opts: OperatorTransportOptions): Transport {
  const submission = createSmtpSubmission({ ...opts.smtp, tlsPolicy: opts.tlsPolicy, credentials: opts.credentials, connectionTimeoutMs: opts.connectionTimeoutMs, logger: opts.logger, now: opts.now });
  const sessions = new Set<MailboxSession>();
  return {
    submit: (message) => submission.submit(message),
    async openMailbox() {
      const session = await openImapSession({ ...opts.imap, tlsPolicy: opts.tlsPolicy, credentials: opts.credentials, connectionTimeoutMs: opts.connectionTimeoutMs, logger: opts.logger, now: opts.now });
      sessions.add(session);
      return {
        listMailboxes: () => session.listMailboxes(),
        fetchRecent: (o) => session.fetchRecent(o),
        close: async () => {
          sessions.delete(session);
          await session.close();
        },
      };
    },
    async close() {
      const open = [...sessions];
      sessions.clear();
      await Promise.allSettled(open.map((s) => s.close()));
    },
  };
}
