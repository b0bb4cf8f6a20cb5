// Runtime: Node (connector). The receipts part of the Store port (issue 7, part 5): one row per recipient of each
// DSN (RFC 3464) or MDN (RFC 8098) matched to an outbound message, the per-mailbox IMAP position of the receipt
// poller, and the status roll-up shared by the SQLite and PostgreSQL stores (pure: rows in, status out).

import type { OutboundError, OutboundRecord, OutboundStatus } from './store';

/** Kind of report. */
export const RECEIPT_TYPES = ['dsn', 'mdn'] as const;
export type ReceiptType = (typeof RECEIPT_TYPES)[number];

/**
 * What one report says about one recipient: `delivered` (DSN delivered / relayed / expanded, or an MDN without
 * error), `read` (MDN displayed), `failed` (DSN failed, MDN with an error), `delayed` (DSN delayed).
 */
export const RECIPIENT_STATES = ['delivered', 'read', 'failed', 'delayed'] as const;
export type RecipientState = (typeof RECIPIENT_STATES)[number];

/** One recipient line of a matched report, as the poller stores it. No content: addresses, codes, masked reply. */
export interface ReceiptInput {
  /** Recipient address (lower case) as the report names it (`Final-Recipient`). */
  readonly recipient: string;
  readonly type: ReceiptType;
  /** DSN `Action` (failed, delayed, delivered, relayed, expanded) or MDN disposition type (displayed, processed…). */
  readonly action: string;
  /** RFC 3463 status `X.Y.Z` (MDN: 2.0.0, or 5.0.0 with an error), may be empty for very old DSN. */
  readonly status: string;
  readonly state: RecipientState;
  /** DSN `Diagnostic-Code` or MDN error, with the local parts of addresses masked (maskReply). */
  readonly diagnostic?: string;
  /** French explanation for the sender (core `explainDeliveryStatus`, or the MDN's). */
  readonly explanation: string;
  /** Identity of the report (its Message-ID, else a digest of its bytes): the same report is never stored twice. */
  readonly receiptKey: string;
  /** ms since epoch. */
  readonly receivedAt: number;
}

/** A stored receipt row. */
export interface ReceiptRecord extends ReceiptInput {
  readonly id: number;
  readonly outboundId: string;
  /** Sender mailbox of the outbound message (for the admin page). */
  readonly mailbox: string;
}

/** Where the poller stopped in one mailbox's INBOX (RFC 3501 §2.3.1.1: UIDs hold only within one UIDVALIDITY). */
export interface ImapPosition {
  readonly uidValidity: number;
  readonly lastUid: number;
  /**
   * A time (ms) such that every message the INBOX held at that time has been read and matched: the start of the
   * last poll that read the mailbox to its end. Kept when a position is stored without it. The outbound worker
   * resends an interrupted message only once the receipts are read past its recovery (outbound/worker.ts).
   */
  readonly readThroughAt?: number;
}

/** A (mailbox, author) pair the poller may open: the author's Pro Santé Connect session opens the mailbox. */
export interface ReceiptMailbox {
  readonly mailbox: string;
  readonly authorId: string;
}

/** Outcome of {@link ReceiptsStore.recordReceipts}. */
export interface RecordReceiptsResult {
  /** New rows (a report read twice adds nothing). */
  readonly inserted: number;
  /** Status of the outbound message after the roll-up. */
  readonly status: OutboundStatus;
  /** True when the roll-up changed the status. */
  readonly changed: boolean;
}

/** The receipts methods of the Store port. */
export interface ReceiptsStore {
  /**
   * The outbound message of `mailbox` a report refers to: by Message-ID (`<…>`), else by DSN ENVID (the queue id,
   * or the Message-ID without its angle brackets, as mime/build-message.ts derives it). Undefined when none: the
   * report is not ours (or not this mailbox's).
   */
  findOutboundForReceipt(query: { readonly mailbox: string; readonly messageId?: string; readonly envelopeId?: string }): Promise<OutboundRecord | undefined>;
  /**
   * Stores the recipient lines of one report and rolls the message status up, in one transaction (see
   * {@link rollUp}). Only `accepted`, `delivered` and `read` messages change status; the rows are kept anyway.
   */
  recordReceipts(outboundId: string, receipts: readonly ReceiptInput[], now: number): Promise<RecordReceiptsResult>;
  /** Receipts of one message, oldest first. */
  listReceipts(outboundId: string): Promise<ReceiptRecord[]>;
  /** The most recent receipts of every mailbox, newest first (admin page); `limit` clamped to 1…10 000. */
  listRecentReceipts(limit: number): Promise<ReceiptRecord[]>;
  getImapPosition(mailbox: string): Promise<ImapPosition | undefined>;
  setImapPosition(mailbox: string, position: ImapPosition, now: number): Promise<void>;
  /**
   * Mailboxes with messages still waiting for a receipt (`accepted`, or `delivered` waiting for an MDN) accepted at
   * or after `since` (ms), with each author who sent from them.
   */
  listReceiptMailboxes(since: number): Promise<ReceiptMailbox[]>;
}

/** Order of the per-recipient states: a later, stronger report wins (a delay then a delivery: delivered). */
const STRENGTH: Readonly<Record<RecipientState, number>> = { delayed: 1, delivered: 2, read: 3, failed: 4 };

/** The state of each recipient: the strongest report about them. */
export function recipientStates(rows: readonly Pick<ReceiptInput, 'recipient' | 'state' | 'receivedAt'>[]): Map<string, { state: RecipientState; at: number }> {
  const out = new Map<string, { state: RecipientState; at: number }>();
  for (const r of rows) {
    const cur = out.get(r.recipient);
    if (!cur || STRENGTH[r.state] > STRENGTH[cur.state] || (STRENGTH[r.state] === STRENGTH[cur.state] && r.receivedAt > cur.at)) {
      out.set(r.recipient, { state: r.state, at: r.receivedAt });
    }
  }
  return out;
}

/** Statuses a receipt may change (a row still queued or under a worker's lease is the worker's). */
const ROLLABLE: ReadonlySet<OutboundStatus> = new Set<OutboundStatus>(['accepted', 'delivered', 'read']);

/**
 * The message status from all its receipts (MSSANTE.md §7): `failed` as soon as one recipient failed (with the
 * French explanation of the first failure), else `read` when an MDN "displayed" came, else `delivered` when every
 * recipient (`recipientsCount`) has a delivery, else unchanged. Never goes back (read stays read).
 */
export function rollUp(
  current: OutboundStatus,
  recipientsCount: number,
  rows: readonly Pick<ReceiptInput, 'recipient' | 'state' | 'receivedAt' | 'explanation' | 'status' | 'diagnostic' | 'type'>[],
): { status: OutboundStatus; error?: OutboundError } {
  if (!ROLLABLE.has(current)) return { status: current };
  const states = recipientStates(rows);
  const failed = [...states].filter(([, s]) => s.state === 'failed').map(([recipient]) => recipient);
  if (failed.length > 0) {
    const first = rows.filter((r) => r.state === 'failed' && failed.includes(r.recipient)).sort((a, b) => a.receivedAt - b.receivedAt)[0];
    const total = Math.max(recipientsCount, states.size);
    const lead = total > 1 ? `Non remis à ${failed.length} destinataire${failed.length > 1 ? 's' : ''} sur ${total}. ` : '';
    return {
      status: 'failed',
      error: {
        code: first.type === 'dsn' ? 'DSN_FAILED' : 'MDN_ERROR',
        message: `${lead}${first.explanation}`,
        ...(first.diagnostic ? { response: first.diagnostic } : {}),
      },
    };
  }
  const rank: Record<OutboundStatus, number> = { submitted: 0, queued: 0, sending: 0, accepted: 1, delivered: 2, read: 3, failed: 4 };
  let next: OutboundStatus = current;
  const reached = [...states.values()].filter((s) => s.state === 'delivered' || s.state === 'read').length;
  if ([...states.values()].some((s) => s.state === 'read')) next = 'read';
  else if (reached >= Math.max(1, recipientsCount)) next = 'delivered';
  return { status: rank[next] > rank[current] ? next : current };
}

/** Row of the `receipts` table (joined with the outbound mailbox). PostgreSQL returns BIGINT as text. */
export interface ReceiptRow {
  id: number | string;
  outbound_id: string;
  mailbox: string;
  recipient: string;
  type: ReceiptType;
  action: string;
  status: string;
  state: RecipientState;
  diagnostic: string | null;
  explanation: string;
  receipt_key: string;
  received_at: number | string;
}

export function toReceiptRecord(row: ReceiptRow): ReceiptRecord {
  return {
    id: Number(row.id),
    outboundId: row.outbound_id,
    mailbox: row.mailbox,
    recipient: row.recipient,
    type: row.type,
    action: row.action,
    status: row.status,
    state: row.state,
    ...(row.diagnostic !== null ? { diagnostic: row.diagnostic } : {}),
    explanation: row.explanation,
    receiptKey: row.receipt_key,
    receivedAt: Number(row.received_at),
  };
}

/** Columns of a receipt read (with the mailbox of its message). */
export const RECEIPT_SELECT =
  'SELECT r.id, r.outbound_id, m.mailbox, r.recipient, r.type, r.action, r.status, r.state, r.diagnostic, r.explanation, r.receipt_key, r.received_at FROM receipts r JOIN outbound_messages m ON m.id = r.outbound_id';

/** ENVID → the candidate outbound ids / Message-IDs it may stand for (see findOutboundForReceipt). */
export function envelopeIdCandidates(envelopeId: string | undefined): { ids: string[]; messageIds: string[] } {
  const v = envelopeId?.trim();
  if (!v) return { ids: [], messageIds: [] };
  return { ids: [v], messageIds: [`<${v.replace(/^<|>$/g, '')}>`] };
}

/** Clamp of listRecentReceipts. */
export function receiptLimit(limit: number): number {
  return Math.max(1, Math.min(Math.floor(Number.isFinite(limit) ? limit : 100), 10_000));
}

/** An `imap_positions` row (PostgreSQL returns BIGINT as text) as an {@link ImapPosition}. */
export function toImapPosition(row: { uid_validity: number | string; last_uid: number | string; read_through_at: number | string | null }): ImapPosition {
  return {
    uidValidity: Number(row.uid_validity),
    lastUid: Number(row.last_uid),
    ...(row.read_through_at !== null && row.read_through_at !== undefined ? { readThroughAt: Number(row.read_through_at) } : {}),
  };
}
