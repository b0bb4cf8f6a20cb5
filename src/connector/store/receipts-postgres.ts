// Runtime: Node (connector). The receipts methods of the PostgreSQL store (pg): a report's rows and the status
// roll-up in one transaction, the message row locked (FOR UPDATE) so that two instances reading two reports of the
// same message roll up one after the other; a report read twice adds nothing (UNIQUE … receipt_key).

import type { Pool, PoolClient } from 'pg';
import { OUTBOUND_COLUMNS, toOutboundRecord, type OutboundRow } from './rows';
import { envelopeIdCandidates, RECEIPT_SELECT, receiptLimit, rollUp, toImapPosition, toReceiptRecord, type ReceiptRow, type ReceiptsStore } from './receipts';

/** The receipts methods over a pg pool; `tx` runs a function in one transaction. */
export function postgresReceipts(pool: Pool, tx: <T>(fn: (c: PoolClient) => Promise<T>) => Promise<T>): ReceiptsStore {
  const one = async (where: string, args: string[]): Promise<OutboundRow | undefined> =>
    (await pool.query<OutboundRow>(`SELECT ${OUTBOUND_COLUMNS} FROM outbound_messages WHERE ${where}`, args)).rows[0];
  return {
    async findOutboundForReceipt({ mailbox, messageId, envelopeId }) {
      const m = mailbox.toLowerCase();
      let row = messageId ? await one('message_id = $1 AND mailbox = $2', [messageId, m]) : undefined;
      const env = envelopeIdCandidates(envelopeId);
      for (const id of env.ids) row ??= await one('id = $1 AND mailbox = $2', [id, m]);
      for (const mid of env.messageIds) row ??= await one('message_id = $1 AND mailbox = $2', [mid, m]);
      return row ? toOutboundRecord(row) : undefined;
    },
    async recordReceipts(outboundId, receipts, now) {
      return tx(async (c) => {
        const row = (await c.query<OutboundRow>(`SELECT ${OUTBOUND_COLUMNS} FROM outbound_messages WHERE id = $1 FOR UPDATE`, [outboundId])).rows[0];
        if (!row) throw new Error(`recordReceipts: unknown outbound message ${outboundId}`);
        let inserted = 0;
        for (const r of receipts) {
          const res = await c.query(
            `INSERT INTO receipts (outbound_id, recipient, type, action, status, state, diagnostic, explanation, receipt_key, received_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) ON CONFLICT (outbound_id, recipient, type, receipt_key) DO NOTHING`,
            [outboundId, r.recipient.toLowerCase(), r.type, r.action, r.status, r.state, r.diagnostic ?? null, r.explanation, r.receiptKey, r.receivedAt],
          );
          inserted += res.rowCount ?? 0;
        }
        const all = (await c.query<ReceiptRow>(`${RECEIPT_SELECT} WHERE r.outbound_id = $1 ORDER BY r.received_at, r.id`, [outboundId])).rows.map(toReceiptRecord);
        const current = toOutboundRecord(row);
        const next = rollUp(current.status, current.recipientsCount, all);
        const changed = next.status !== current.status;
        if (changed) {
          await c.query('UPDATE outbound_messages SET status = $1, last_error_json = COALESCE($2, last_error_json), updated_at = $3 WHERE id = $4', [
            next.status,
            next.error ? JSON.stringify(next.error) : null,
            now,
            outboundId,
          ]);
        }
        return { inserted, status: next.status, changed };
      });
    },
    async listReceipts(outboundId) {
      return (await pool.query<ReceiptRow>(`${RECEIPT_SELECT} WHERE r.outbound_id = $1 ORDER BY r.received_at, r.id`, [outboundId])).rows.map(toReceiptRecord);
    },
    async listRecentReceipts(limit) {
      return (await pool.query<ReceiptRow>(`${RECEIPT_SELECT} ORDER BY r.received_at DESC, r.id DESC LIMIT $1`, [receiptLimit(limit)])).rows.map(toReceiptRecord);
    },
    async getImapPosition(mailbox) {
      const row = (
        await pool.query<{ uid_validity: string; last_uid: string; read_through_at: string | null }>('SELECT uid_validity, last_uid, read_through_at FROM imap_positions WHERE mailbox = $1', [
          mailbox.toLowerCase(),
        ])
      ).rows[0];
      return row ? toImapPosition(row) : undefined;
    },
    async setImapPosition(mailbox, position, now) {
      await pool.query(
        `INSERT INTO imap_positions (mailbox, uid_validity, last_uid, updated_at, read_through_at) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (mailbox) DO UPDATE SET uid_validity = excluded.uid_validity, last_uid = excluded.last_uid, updated_at = excluded.updated_at,
           read_through_at = COALESCE(excluded.read_through_at, imap_positions.read_through_at)`,
        [mailbox.toLowerCase(), position.uidValidity, position.lastUid, now, position.readThroughAt ?? null],
      );
    },
    async listReceiptMailboxes(since) {
      const res = await pool.query<{ mailbox: string; author_id: string }>(
        `SELECT DISTINCT mailbox, author_id FROM outbound_messages WHERE status IN ('accepted', 'delivered') AND accepted_at >= $1 ORDER BY mailbox, author_id`,
        [since],
      );
      return res.rows.map((r) => ({ mailbox: r.mailbox, authorId: r.author_id }));
    },
  };
}
