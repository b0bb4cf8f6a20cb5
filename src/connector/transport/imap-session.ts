// Runtime: Node (connector). IMAP to the MSSanté operator with imapflow: port 143, STARTTLS (SC.MSS/CONF.06,
// RFC 3501 §6.2.1 / RFC 2595), the TLS policy of ECO.1.1.2-1.1.6, then SASL XOAUTH2 with the Pro Santé Connect token
// (SC.MSS/CONF.07; imapflow uses OAUTHBEARER, RFC 7628, instead when the server advertises it: same token).
// Applicative mailboxes over IMAP: the référentiel does not say how the mailbox is bound after mutual TLS (SASL
// EXTERNAL?) [?] and imapflow has no EXTERNAL mechanism, so `kind: 'certificate'` is refused here with
// AUTH_MECHANISM_UNAVAILABLE until an operator documents it (docs/transport.md).

import { ImapFlow, type ImapFlowOptions } from 'imapflow';
import { withCredentials } from './credentials';
import { TransportError, toTransportError } from './errors';
import { refineHandshakeError } from './tls-diagnosis';
import { NOOP_LOGGER, maskAddress } from './logger';
import type { FetchedMessage, MailboxSession, OperatorConnectionOptions } from './types';

/** Options of {@link openImapSession}: the connection options ({@link OperatorConnectionOptions}) as they are. */
export type ImapSessionOptions = OperatorConnectionOptions;

/**
 * Connects and authenticates one imapflow client to the operator: port 143, STARTTLS required, the IGC-Santé TLS policy,
 * SASL XOAUTH2 with the Pro Santé Connect token (one forced refresh after a refusal, withCredentials). Shared by the
 * generic session below and the receipt poller (receipts/imap-inbox.ts). Applicative mailboxes are refused
 * (AUTH_MECHANISM_UNAVAILABLE). Rejects with a TransportError, logged as `<event>` (ids and codes only).
 */
export async function connectImap(opts: OperatorConnectionOptions, event = 'imap.failed'): Promise<ImapFlow> {
  const logger = opts.logger || NOOP_LOGGER;
  const now = opts.now ?? Date.now;
  const credentials = opts.credentials;
  if (credentials.kind === 'certificate') {
    throw new TransportError('AUTH_MECHANISM_UNAVAILABLE', { detail: 'IMAP : BAL applicative (TLS mutuel) non prise en charge', command: 'AUTHENTICATE' });
  }
  const timeout = opts.connectionTimeoutMs ?? 15_000;
  const port = opts.port ?? 143;
  const connectOnce = () => withCredentials(credentials, 'imap', now, async (token) => {
    const options: ImapFlowOptions = {
      host: opts.host,
      port,
      secure: false,
      doSTARTTLS: true, // STARTTLS required: never authenticate in clear
      servername: opts.servername,
      tls: opts.tlsPolicy.connectionOptions({ servername: opts.servername }),
      auth: { user: credentials.mailbox, accessToken: token?.value },
      logger: false, // imapflow's debug log would contain the AUTHENTICATE line
      connectionTimeout: timeout,
      greetingTimeout: timeout,
      socketTimeout: opts.socketTimeoutMs ?? 300_000,
      disableAutoIdle: true,
    };
    const c = new ImapFlow(options);
    c.on('error', () => undefined); // socket errors after connect surface on the next command
    await c.connect();
    return c;
  });
  try {
    return await connectOnce();
  } catch (raw) {
    const err = opts.diagnose === false ? raw : await refineHandshakeError(raw, { protocol: 'imap', host: opts.host, port, servername: opts.servername });
    const e = err as { toLog?: () => Record<string, unknown> };
    logger.warn({ event, ...(e.toLog ? e.toLog() : {}), mailbox: maskAddress(credentials.mailbox) }, 'session IMAP refusée');
    throw err;
  }
}

/** Opens an authenticated IMAP session. Rejects with a TransportError. */
export async function openImapSession(opts: ImapSessionOptions): Promise<MailboxSession> {
  const logger = opts.logger || NOOP_LOGGER;
  const credentials = opts.credentials;
  const client = await connectImap(opts);
  logger.info({ event: 'imap.opened', mailbox: maskAddress(credentials.mailbox) }, 'session IMAP ouverte');
  const wrap = async <T>(fn: () => Promise<T>): Promise<T> => {
    try {
      return await fn();
    } catch (err) {
      throw toTransportError(err, { auth: 'psc', protocol: 'imap' });
    }
  };

  return {
    listMailboxes: () => wrap(async () => (await client.list()).map((m) => m.path)),
    fetchRecent: ({ mailbox = 'INBOX', limit = 20 } = {}) =>
      wrap(async () => {
        const lock = await client.getMailboxLock(mailbox);
        try {
          // A mailbox that stays selected learns of new messages only from untagged EXISTS: NOOP asks for them
          // (RFC 3501 §6.1.2; auto-IDLE is off).
          await client.noop();
          const exists = client.mailbox && typeof client.mailbox === 'object' ? client.mailbox.exists : 0;
          if (!exists) return [];
          const from = Math.max(1, exists - limit + 1);
          const out: FetchedMessage[] = [];
          for await (const m of client.fetch(`${from}:*`, { uid: true, envelope: true, source: true })) {
            out.push({
              uid: m.uid,
              messageId: m.envelope?.messageId,
              subject: m.envelope?.subject,
              from: m.envelope?.from?.[0]?.address,
              date: m.envelope?.date ? new Date(m.envelope.date) : undefined,
              source: m.source ?? Buffer.alloc(0),
            });
          }
          return out;
        } finally {
          lock.release();
        }
      }),
    close: () =>
      wrap(async () => {
        try {
          await client.logout();
        } catch {
          client.close();
        }
      }),
  };
}
