// Runtime: Node (connector). From one report e-mail (bytes as read from the mailbox) to stored receipt rows: parse it
// (parse-receipt.ts: DSN RFC 3464, MDN RFC 8098), find OUR outbound message of THIS mailbox it refers to
// (Original-Message-ID / the embedded headers' Message-ID, else the DSN ENVID, RFC 3461 §4.4), turn each recipient
// line into a per-recipient state, mask addresses in the diagnostic (maskReply), and store them with the status
// roll-up (store/receipts.ts). Anything that is not a report, or not ours, is left alone and reported as such.

import { createHash } from 'node:crypto';
import { maskReply } from '../outbound/retry';
import type { OutboundStatus, ReceiptInput, RecipientState, Store } from '../store';
import { parseReceipt, type Receipt, type ReceiptRecipient } from './parse-receipt';

/** What became of one e-mail. */
export type ReceiptOutcome =
  /** A report about one of our messages: rows stored (0 when it had been read before), status after the roll-up. */
  | { readonly kind: 'matched'; readonly outboundId: string; readonly type: Receipt['type']; readonly inserted: number; readonly status: OutboundStatus; readonly changed: boolean }
  /** A DSN/MDN that names no message of this mailbox: left alone, counted. */
  | { readonly kind: 'unmatched'; readonly type: Receipt['type'] }
  /** Not a DSN/MDN at all (the search is by header, a user's own multipart/report…): left alone. */
  | { readonly kind: 'not-a-receipt'; readonly reason: string };

/** Per-recipient state of one report line (see RECIPIENT_STATES); undefined for a line that says nothing usable. */
export function recipientState(type: Receipt['type'], r: ReceiptRecipient): RecipientState | undefined {
  if (type === 'mdn') {
    if (r.statusClass === 'permanent') return 'failed'; // processed/error, failed (RFC 8098 §3.2.6)
    return r.action === 'displayed' ? 'read' : 'delivered'; // processed, dispatched, deleted…: it arrived
  }
  switch (r.action) {
    case 'failed':
      return 'failed';
    case 'delayed':
      return 'delayed';
    case 'delivered':
    case 'relayed': // handed to a system that does not report further (RFC 3464 §2.3.3): counted as delivered
    case 'expanded':
      return 'delivered';
    default:
      return r.statusClass === 'permanent' ? 'failed' : r.statusClass === 'temporary' ? 'delayed' : r.statusClass === 'success' ? 'delivered' : undefined;
  }
}

/** The rows one report gives (addresses lower case, diagnostic masked). */
export function toReceiptInputs(receipt: Receipt, receiptKey: string, receivedAt: number): ReceiptInput[] {
  const out: ReceiptInput[] = [];
  for (const r of receipt.recipients) {
    const state = recipientState(receipt.type, r);
    if (!state || !r.address) continue;
    const raw = receipt.type === 'mdn' && receipt.errorCode ? `Error: ${receipt.errorCode}${receipt.errorLabel ? `^${receipt.errorLabel}` : ''}` : r.diagnostic;
    out.push({
      recipient: r.address.toLowerCase(),
      type: receipt.type,
      action: r.action.slice(0, 40),
      status: r.status.slice(0, 20),
      state,
      ...(raw ? { diagnostic: maskReply(raw) } : {}),
      explanation: r.explanation,
      receiptKey,
      receivedAt,
    });
  }
  return out;
}

/** The identity of a report: its Message-ID, else the SHA-256 of its bytes. */
export function receiptKeyOf(receipt: Receipt, raw: Uint8Array): string {
  return receipt.receiptMessageId ?? `sha256:${createHash('sha256').update(raw).digest('hex')}`;
}

/**
 * Reads one e-mail of `mailbox` and, when it is a DSN/MDN about one of this mailbox's outbound messages, stores its
 * rows and rolls the status up. Never throws on bad input; store failures reject (the caller retries later).
 */
export async function applyReceipt(store: Store, mailbox: string, raw: Uint8Array, receivedAt: number): Promise<ReceiptOutcome> {
  const parsed = await parseReceipt(raw);
  if (parsed.type === 'not-a-receipt') return { kind: 'not-a-receipt', reason: parsed.reason };
  const record = await store.findOutboundForReceipt({
    mailbox,
    ...(parsed.originalMessageId ? { messageId: parsed.originalMessageId } : {}),
    ...(parsed.envelopeId ? { envelopeId: parsed.envelopeId } : {}),
  });
  if (!record) return { kind: 'unmatched', type: parsed.type };
  const rows = toReceiptInputs(parsed, receiptKeyOf(parsed, raw), receivedAt);
  const r = await store.recordReceipts(record.id, rows, receivedAt);
  return { kind: 'matched', outboundId: record.id, type: parsed.type, inserted: r.inserted, status: r.status, changed: r.changed };
}
