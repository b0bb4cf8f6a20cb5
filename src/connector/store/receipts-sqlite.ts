// Runtime: Node (connector). The receipts methods of the SQLite store (better-sqlite3): a report's rows and the
// status roll-up in one IMMEDIATE transaction; a report read twice adds nothing (UNIQUE … receipt_key).

import type Database from 'better-sqlite3';
import { OUTBOUND_COLUMNS, toOutboundRecord, type OutboundRow } from './rows';
import { envelopeIdCandidates, RECEIPT_SELECT, receiptLimit, rollUp, toImapPosition, toReceiptRecord, type ReceiptRow, type ReceiptsStore } from './receipts';

/** The receipts methods over an open SQLite database (`stmt` caches prepared statements). */
export function sqliteReceipts(db: Database.Database, stmt: (sql: string) => Database.Statement): ReceiptsStore {
  const byMessageId = (mailbox: string, messageId: string) =>
    stmt(`SELECT ${OUTBOUND_COLUMNS} FROM outbound_messages WHERE message_id = ? AND mailbox = ?`).get(messageId, mailbox) as OutboundRow | undefined;
  const byId = (mailbox: string, id: string) => stmt(`SELECT ${OUTBOUND_COLUMNS} FROM outbound_messages WHERE id = ? AND mailbox = ?`).get(id, mailbox) as OutboundRow | undefined;
  return {
    async findOutboundForReceipt({ mailbox, messageId, envelopeId }) {
      const m = mailbox.toLowerCase();
      let row = messageId ? byMessageId(m, messageId) : undefined;
      const env = envelopeIdCandidates(envelopeId);
      for (const id of env.ids) row ??= byId(m, id);
      for (const mid of env.messageIds) row ??= byMessageId(m, mid);
      return row ? toOutboundRecord(row) : undefined;
    },
    async recordReceipts(outboundId, receipts, now) {
      const run = db.transaction(() => {
        const row = stmt(`SELECT ${OUTBOUND_COLUMNS} FROM outbound_messages WHERE id = ?`).get(outboundId) as OutboundRow | undefined;
        if (!row) throw new Error(`recordReceipts: unknown outbound message ${outboundId}`);
        const insert = stmt(
          `INSERT INTO receipts (outbound_id, recipient, type, action, status, state, diagnostic, explanation, receipt_key, received_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (outbound_id, recipient, type, receipt_key) DO NOTHING`,
        );
        let inserted = 0;
        for (const r of receipts) {
          inserted += insert.run(outboundId, r.recipient.toLowerCase(), r.type, r.action, r.status, r.state, r.diagnostic ?? null, r.explanation, r.receiptKey, r.receivedAt).changes;
        }
        const all = (stmt(`${RECEIPT_SELECT} WHERE r.outbound_id = ? ORDER BY r.received_at, r.id`).all(outboundId) as ReceiptRow[]).map(toReceiptRecord);
        const current = toOutboundRecord(row);
        const next = rollUp(current.status, current.recipientsCount, all);
        const changed = next.status !== current.status;
        if (changed) {
          stmt('UPDATE outbound_messages SET status = ?, last_error_json = COALESCE(?, last_error_json), updated_at = ? WHERE id = ?').run(
            next.status,
            next.error ? JSON.stringify(next.error) : null,
            now,
            outboundId,
          );
        }
        return { inserted, status: next.status, changed };
      });
      return run.immediate();
    },
    async listReceipts(outboundId) {
      return (stmt(`${RECEIPT_SELECT} WHERE r.outbound_id = ? ORDER BY r.received_at, r.id`).all(outboundId) as ReceiptRow[]).map(toReceiptRecord);
    },
    async listRecentReceipts(limit) {
      return (stmt(`${RECEIPT_SELECT} ORDER BY r.received_at DESC, r.id DESC LIMIT ?`).all(receiptLimit(limit)) as ReceiptRow[]).map(toReceiptRecord);
    },
    async getImapPosition(mailbox) {
      const row = stmt('SELECT uid_validity, last_uid, read_through_at FROM imap_positions WHERE mailbox = ?').get(mailbox.toLowerCase()) as
        | { uid_validity: number; last_uid: number; read_through_at: number | null }
        | undefined;
      return row ? toImapPosition(row) : undefined;
    },
    async setImapPosition(mailbox, position, now) {
      stmt(
        `INSERT INTO imap_positions (mailbox, uid_validity, last_uid, updated_at, read_through_at) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (mailbox) DO UPDATE SET uid_validity = excluded.uid_validity, last_uid = excluded.last_uid, updated_at = excluded.updated_at,
           read_through_at = COALESCE(excluded.read_through_at, imap_positions.read_through_at)`,
      ).run(mailbox.toLowerCase(), position.uidValidity, position.lastUid, now, position.readThroughAt ?? null);
    },
    async listReceiptMailboxes(since) {
      const rows = stmt(
        `SELECT DISTINCT mailbox, author_id FROM outbound_messages WHERE status IN ('accepted', 'delivered') AND accepted_at >= ? ORDER BY mailbox, author_id`,
      ).all(since) as { mailbox: string; author_id: string }[];
      return rows.map((r) => ({ mailbox: r.mailbox, authorId: r.author_id }));
    },
  };
}
