// Runtime: Node (connector). The receipt poller's IMAP session to one MSSanté mailbox, with imapflow: the same
// connection as transport/imap-session.ts (port 143, STARTTLS required, the IGC-Santé TLS policy of ECO.1.1.2-1.1.6,
// SASL XOAUTH2 with the Pro Santé Connect token and one forced refresh after a refusal, SC.MSS/CONF.07 and CONF.11),
// plus what the poller needs and the generic MailboxSession does not offer: UID SEARCH for reports, FETCH of one
// source (BODY.PEEK[]: \Seen is never set by reading, RFC 3501 §6.4.5), MOVE (RFC 6851) into the receipts folder
// (created when missing), or a \Seen flag. Applicative mailboxes (certificate) are refused as in imap-session.ts
// (AUTH_MECHANISM_UNAVAILABLE: no published IMAP binding after mutual TLS, docs/transport.md).

import type { MailboxLockObject } from 'imapflow';
import { toTransportError } from '../transport/errors';
import { connectImap } from '../transport/imap-session';
import { NOOP_LOGGER } from '../transport/logger';
import type { OperatorConnectionOptions } from '../transport/types';

/** How a matched report is put away. */
export const RECEIPT_DISPOSALS = ['move', 'flag'] as const;
export type ReceiptDisposal = (typeof RECEIPT_DISPOSALS)[number];

/** INBOX of one mailbox, selected for the whole session. All failures reject with a TransportError. */
export interface ReceiptInbox {
  /** UIDVALIDITY of INBOX (RFC 3501 §2.3.1.1): stored UIDs are meaningless when it changes. */
  readonly uidValidity: number;
  /** UIDNEXT of INBOX when selected. */
  readonly uidNext: number;
  /**
   * UIDs (ascending) of the multipart/report messages of INBOX: UID > `afterUid` when given, else unseen ones;
   * always with an internal date on or after `since` (IMAP SINCE is a day, RFC 3501 §6.4.4).
   */
  findReports(query: { readonly afterUid?: number; readonly since: Date }): Promise<number[]>;
  /** The full source of one message, without setting \Seen; undefined when it is gone. */
  fetchSource(uid: number): Promise<Buffer | undefined>;
  /** Moves one message to `folder`, created (and subscribed) on first use; a UID already gone is not an error. */
  moveTo(uid: number, folder: string): Promise<void>;
  /** Sets \Seen on one message. */
  flagSeen(uid: number): Promise<void>;
  close(): Promise<void>;
}

/** Options: the connection options of the transport, as they are. */
export type ReceiptInboxOptions = OperatorConnectionOptions;

/** Opens the mailbox and selects INBOX. Rejects with a TransportError. */
export async function openReceiptInbox(opts: ReceiptInboxOptions): Promise<ReceiptInbox> {
  const logger = opts.logger || NOOP_LOGGER;
  // the same connection as the generic session (STARTTLS, IGC-Santé policy, XOAUTH2 with one forced refresh)
  const client = await connectImap(opts, 'receipts.imap_failed');
  const wrap = async <T>(fn: () => Promise<T>): Promise<T> => {
    try {
      return await fn();
    } catch (err) {
      throw toTransportError(err, { auth: 'psc', protocol: 'imap' });
    }
  };

  let lock: MailboxLockObject;
  try {
    lock = await wrap(() => client.getMailboxLock('INBOX'));
  } catch (err) {
    client.close();
    throw err;
  }
  const box = client.mailbox && typeof client.mailbox === 'object' ? client.mailbox : undefined;
  const uidValidity = Number(box?.uidValidity ?? 0);
  const uidNext = Number(box?.uidNext ?? 0);
  const created = new Set<string>();

  async function ensureFolder(folder: string): Promise<void> {
    if (created.has(folder)) return;
    const exists = (await client.list()).some((m) => m.path === folder);
    if (!exists) {
      try {
        await client.mailboxCreate(folder);
        logger.info({ event: 'receipts.folder_created' }, 'dossier des accusés créé');
      } catch (err) {
        // created meanwhile by another instance: [ALREADYEXISTS] (RFC 5530)
        if ((err as { serverResponseCode?: string }).serverResponseCode !== 'ALREADYEXISTS') throw err;
      }
      await client.mailboxSubscribe(folder).catch(() => undefined);
    }
    created.add(folder);
  }

  return {
    uidValidity,
    uidNext,
    findReports: ({ afterUid, since }) =>
      wrap(async () => {
        const query = {
          since,
          header: { 'content-type': 'multipart/report' },
          ...(afterUid !== undefined ? { uid: `${afterUid + 1}:*` } : { seen: false }),
        };
        const found = await client.search(query, { uid: true });
        // `n:*` always includes the highest UID even when below n (RFC 3501 §6.4.8): filter again
        return (found || []).filter((u) => afterUid === undefined || u > afterUid).sort((a, b) => a - b);
      }),
    fetchSource: (uid) =>
      wrap(async () => {
        const m = await client.fetchOne(String(uid), { uid: true, source: true }, { uid: true });
        return m && m.source ? m.source : undefined;
      }),
    moveTo: (uid, folder) =>
      wrap(async () => {
        await ensureFolder(folder);
        // false: no such UID any more (moved meanwhile by another connector instance, or by the user): nothing to do
        await client.messageMove(String(uid), folder, { uid: true });
      }),
    flagSeen: (uid) =>
      wrap(async () => {
        await client.messageFlagsAdd(String(uid), ['\\Seen'], { uid: true });
      }),
    close: () =>
      wrap(async () => {
        lock.release();
        try {
          await client.logout();
        } catch {
          client.close();
        }
      }),
  };
}
