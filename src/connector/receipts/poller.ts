// Runtime: Node (connector). The receipt poller (issue 7, part 5): every `intervalMs`, for each sending mailbox that
// still waits for a receipt and that it can open (the author's live Pro Santé Connect session, the same credentials
// as the outbound relay), it reads INBOX over IMAP (imap-inbox.ts: STARTTLS, IGC-Santé policy, XOAUTH2), finds the
// multipart/report messages (unseen and recent on the first visit, then the UIDs after the last one read, kept in
// the store per mailbox so a restart does not re-read everything), matches each DSN (RFC 3464) / MDN (RFC 8098) to
// our outbound message (match-receipt.ts), stores the per-recipient result and the status roll-up, then moves the
// report into the receipts folder (default « Accusés MSSanté ») or flags it \Seen. Anything else in the mailbox is
// never touched; reports about other messages are left where they are and counted. A mailbox that fails is retried
// later with an exponential back-off; stop() ends cleanly after the current mailbox. Logs: ids, codes and counts;
// mailboxes as *@domain.
//
// IMAP IDLE (RFC 2177) is not used: one session per mailbox and per poll is what an operator's connection limits
// and the PSC token lifetime (minutes) suit; a report is seen at most `intervalMs` after it arrives.

import { NOOP_LOGGER, maskAddress, type TransportLogger } from '../transport/logger';
import type { OperatorCredentials, TlsPolicy } from '../transport';
import type { Store } from '../store';
import { applyReceipt } from './match-receipt';
import { openReceiptInbox, type ReceiptDisposal, type ReceiptInbox, type ReceiptInboxOptions } from './imap-inbox';

/** Default folder of the matched reports (created when missing). */
export const DEFAULT_RECEIPTS_FOLDER = 'Accusés MSSanté';

/** Options of {@link createReceiptPoller}. Defaults in brackets. */
export interface ReceiptPollerOptions {
  readonly store: Store;
  /** The operator's IMAP server (receipts.imapHost) and the transport's TLS policy. */
  readonly imap: {
    readonly host: string;
    /** [143] */
    readonly port?: number;
    readonly servername?: string;
    /** The policy, or a function giving the current one (CRLs refreshed by the outbound worker's schedule). */
    readonly tlsPolicy: TlsPolicy | (() => Promise<TlsPolicy>);
    /** [15000] */
    readonly connectionTimeoutMs?: number;
    /** [300000] */
    readonly socketTimeoutMs?: number;
  };
  /**
   * The credentials that open `mailbox`, given the authors who sent from it (the outbound relay's source: their Pro
   * Santé Connect session), or undefined when none can now (no live session): the mailbox is skipped this time.
   */
  credentialsFor(mailbox: string, authorIds: readonly string[]): OperatorCredentials | undefined;
  /** ['Accusés MSSanté'] Folder the matched reports are moved to (disposal 'move'). */
  readonly folder?: string;
  /** ['move'] 'move' into `folder`, or 'flag' (\Seen, the report stays in INBOX). */
  readonly disposal?: ReceiptDisposal;
  /** [60000] Time between two polls, ms. */
  readonly intervalMs?: number;
  /** [14] Messages accepted in the last `sinceDays` days are waited for; IMAP SINCE of the search. */
  readonly sinceDays?: number;
  /** [200] Reports read per mailbox and poll (the rest comes at the next poll). */
  readonly maxPerPoll?: number;
  /** [30 min] Largest back-off after repeated failures of one mailbox, ms. */
  readonly maxBackoffMs?: number;
  readonly logger?: TransportLogger | false;
  /** [Date.now] */
  readonly now?: () => number;
  /** [openReceiptInbox] The IMAP session factory. */
  readonly openInbox?: (opts: ReceiptInboxOptions) => Promise<ReceiptInbox>;
}

/** What one poll did (counts only). */
export interface PollSummary {
  /** Mailboxes opened and read. */
  readonly mailboxes: number;
  /** Mailboxes without usable credentials (no live PSC session), or in back-off. */
  readonly skipped: number;
  /** Mailboxes whose session failed (retried after a back-off). */
  readonly failed: number;
  /** multipart/report messages read. */
  readonly reports: number;
  readonly matched: number;
  /** DSN/MDN about no message of ours: left in INBOX. */
  readonly unmatched: number;
  /** Found by the search but not a DSN/MDN once parsed: left in INBOX. */
  readonly notReceipts: number;
  /** Messages whose status changed. */
  readonly changed: number;
}

/** The running poller. */
export interface ReceiptPoller {
  start(): void;
  /** One poll now (tests, the first poll at start); polls never overlap. */
  pollOnce(): Promise<PollSummary>;
  /** Stops the loop; resolves when the poll in progress has finished. Idempotent. */
  stop(): Promise<void>;
  /**
   * Reads `mailbox` (opened with `authorId`'s credentials) at the next poll, and polls now when the loop is waiting:
   * the outbound worker asks it for a message whose sending was interrupted (outbound/worker.ts, reconcile), even when
   * the mailbox has no other message waiting for a receipt.
   */
  pollSoon(mailbox: string, authorId: string): void;
  /** Totals since start (unmatched reports are counted here too). */
  totals(): PollSummary;
}

const ZERO: PollSummary = { mailboxes: 0, skipped: 0, failed: 0, reports: 0, matched: 0, unmatched: 0, notReceipts: 0, changed: 0 };

function add(a: PollSummary, b: Partial<PollSummary>): PollSummary {
  const out: Record<string, number> = { ...a };
  for (const [k, v] of Object.entries(b)) out[k] = (out[k] ?? 0) + (v ?? 0);
  return out as unknown as PollSummary;
}

/** Builds the poller (not started). */
export function createReceiptPoller(opts: ReceiptPollerOptions): ReceiptPoller {
  const store = opts.store;
  const logger = opts.logger || NOOP_LOGGER;
  const now = opts.now ?? Date.now;
  const folder = opts.folder ?? DEFAULT_RECEIPTS_FOLDER;
  const disposal = opts.disposal ?? 'move';
  const intervalMs = opts.intervalMs ?? 60_000;
  const sinceMs = (opts.sinceDays ?? 14) * 86_400_000;
  const maxPerPoll = opts.maxPerPoll ?? 200;
  const maxBackoffMs = opts.maxBackoffMs ?? 30 * 60_000;
  const openInbox = opts.openInbox ?? openReceiptInbox;
  const backoff = new Map<string, { failures: number; until: number }>();
  /** Mailboxes asked for by pollSoon(), read at the next poll (mailbox → authors). */
  const asked = new Map<string, Set<string>>();
  /** A mailbox had more reports than maxPerPoll: the next poll starts at once. */
  let more = false;

  let totals = ZERO;
  let running = false;
  let loop: Promise<void> | undefined;
  let current: Promise<PollSummary> | undefined;
  let wake: (() => void) | undefined;

  async function pollMailbox(mailbox: string, credentials: OperatorCredentials, since: Date): Promise<Partial<PollSummary>> {
    // every message already in the INBOX now is seen by this session's SELECT and SEARCH: when the session reads to
    // the end, the mailbox is "read through" this instant (ImapPosition.readThroughAt, used by outbound/worker.ts)
    const openedAt = now();
    const inbox = await openInbox({
      host: opts.imap.host,
      ...(opts.imap.port !== undefined ? { port: opts.imap.port } : {}),
      ...(opts.imap.servername ? { servername: opts.imap.servername } : {}),
      tlsPolicy: typeof opts.imap.tlsPolicy === 'function' ? await opts.imap.tlsPolicy() : opts.imap.tlsPolicy,
      credentials,
      ...(opts.imap.connectionTimeoutMs ? { connectionTimeoutMs: opts.imap.connectionTimeoutMs } : {}),
      ...(opts.imap.socketTimeoutMs ? { socketTimeoutMs: opts.imap.socketTimeoutMs } : {}),
      logger,
      now,
      diagnose: false,
    });
    const counts = { reports: 0, matched: 0, unmatched: 0, notReceipts: 0, changed: 0 };
    try {
      const pos = await store.getImapPosition(mailbox);
      // a new UIDVALIDITY (mailbox rebuilt by the operator) makes the stored UID meaningless: start again from unseen
      const afterUid = pos && pos.uidValidity === inbox.uidValidity ? pos.lastUid : undefined;
      const found = await inbox.findReports({ ...(afterUid !== undefined ? { afterUid } : {}), since });
      const uids = found.slice(0, maxPerPoll);
      if (found.length > maxPerPoll) more = true;
      let last = afterUid ?? 0;
      for (const uid of uids) {
        const source = await inbox.fetchSource(uid);
        if (source) {
          counts.reports++;
          const outcome = await applyReceipt(store, mailbox, source, now());
          switch (outcome.kind) {
            case 'matched':
              counts.matched++;
              if (outcome.changed) counts.changed++;
              if (disposal === 'move') await inbox.moveTo(uid, folder);
              else await inbox.flagSeen(uid);
              logger.info({ event: 'receipts.matched', id: outcome.outboundId, type: outcome.type, status: outcome.status, changed: outcome.changed, inserted: outcome.inserted }, 'accusé enregistré');
              break;
            case 'unmatched':
              counts.unmatched++;
              logger.info({ event: 'receipts.unmatched', mailbox: maskAddress(mailbox), uid, type: outcome.type }, 'accusé sans message correspondant : laissé dans la boîte');
              break;
            case 'not-a-receipt':
              counts.notReceipts++;
              break;
          }
        }
        last = Math.max(last, uid);
        await store.setImapPosition(mailbox, { uidValidity: inbox.uidValidity, lastUid: last }, now());
      }
      // nothing left behind: next time, only what arrives after this session's UIDNEXT; the mailbox is read through
      // the session's start
      if (found.length <= maxPerPoll) {
        await store.setImapPosition(mailbox, { uidValidity: inbox.uidValidity, lastUid: Math.max(last, inbox.uidNext - 1), readThroughAt: openedAt }, now());
      }
    } finally {
      await inbox.close().catch(() => undefined);
    }
    return { mailboxes: 1, ...counts };
  }

  async function poll(): Promise<PollSummary> {
    let summary = ZERO;
    const at = now();
    const since = new Date(at - sinceMs);
    const pairs = await store.listReceiptMailboxes(at - sinceMs);
    const authors = new Map<string, string[]>();
    for (const p of pairs) authors.set(p.mailbox, [...(authors.get(p.mailbox) ?? []), p.authorId]);
    for (const [mailbox, ids] of asked) authors.set(mailbox, [...new Set([...(authors.get(mailbox) ?? []), ...ids])]);
    asked.clear();
    for (const [mailbox, authorIds] of authors) {
      if (!running && loop) break; // stop() during a poll: leave after the current mailbox
      const b = backoff.get(mailbox);
      if (b && b.until > now()) {
        summary = add(summary, { skipped: 1 });
        continue;
      }
      const credentials = opts.credentialsFor(mailbox, authorIds);
      if (!credentials) {
        summary = add(summary, { skipped: 1 });
        continue;
      }
      try {
        summary = add(summary, await pollMailbox(mailbox, credentials, since));
        backoff.delete(mailbox);
      } catch (err) {
        const failures = (b?.failures ?? 0) + 1;
        const delay = Math.min(maxBackoffMs, intervalMs * 2 ** (failures - 1));
        backoff.set(mailbox, { failures, until: now() + delay });
        const e = err as { code?: string; toLog?: () => Record<string, unknown> };
        logger.warn({ event: 'receipts.mailbox_failed', mailbox: maskAddress(mailbox), ...(e.toLog ? e.toLog() : { code: typeof e.code === 'string' ? e.code : 'INTERNAL' }), failures, retryInMs: delay }, 'relevé des accusés en échec : nouvel essai plus tard');
        summary = add(summary, { failed: 1 });
      }
    }
    totals = add(totals, summary);
    if (summary.reports > 0 || summary.failed > 0) logger.info({ event: 'receipts.poll', ...summary }, 'relevé des accusés');
    return summary;
  }

  function pollOnce(): Promise<PollSummary> {
    // polls never overlap: a second caller waits for the running one, then polls again
    const next = (current ?? Promise.resolve(ZERO)).catch(() => ZERO).then(() => poll());
    current = next;
    return next;
  }

  async function run(): Promise<void> {
    while (running) {
      try {
        await pollOnce();
      } catch (err) {
        // the store itself failed (listReceiptMailboxes): try again at the next interval
        logger.error({ event: 'receipts.poll_failed', code: (err as { code?: string }).code ?? 'INTERNAL' }, 'relevé des accusés impossible');
      }
      if (!running) break;
      const again = more || asked.size > 0;
      more = false;
      if (again) continue;
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, intervalMs);
        wake = () => {
          clearTimeout(t);
          wake = undefined;
          resolve();
        };
      });
    }
  }

  return {
    start() {
      if (running) return;
      running = true;
      loop = run();
    },
    pollOnce,
    async stop() {
      running = false;
      wake?.();
      await loop;
      await current?.catch(() => undefined);
    },
    totals: () => totals,
    pollSoon(mailbox, authorId) {
      const m = mailbox.toLowerCase();
      asked.set(m, (asked.get(m) ?? new Set()).add(authorId));
      wake?.();
    },
  };
}
