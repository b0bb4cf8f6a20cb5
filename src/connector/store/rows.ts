// Runtime: Node (connector). Row ↔ record mapping shared by the SQLite and PostgreSQL stores (same column names;
// PostgreSQL returns BIGINT as text, hence Number() everywhere).

import type { OutboundError, OutboundJob, OutboundRecord, OutboundStatus, TraceAction, TraceRecord } from './store';

/** Columns of outbound_messages without the payload (status reads never load the message). */
export const OUTBOUND_COLUMNS =
  'id, mailbox, author_id, idempotency_key, request_hash, message_id, recipients_count, status, attempts, next_attempt_at, claimed_by, lease_until, created_at, updated_at, accepted_at, response, last_error_json';

export interface OutboundRow {
  id: string;
  mailbox: string;
  author_id: string;
  idempotency_key: string;
  request_hash: string;
  message_id: string;
  recipients_count: number | string;
  status: OutboundStatus;
  attempts: number | string;
  next_attempt_at: number | string;
  claimed_by: string | null;
  lease_until: number | string | null;
  created_at: number | string;
  updated_at: number | string;
  accepted_at: number | string | null;
  response: string | null;
  last_error_json: string | null;
  payload?: string;
}

export function toOutboundRecord(row: OutboundRow): OutboundRecord {
  return {
    id: row.id,
    mailbox: row.mailbox,
    authorId: row.author_id,
    idempotencyKey: row.idempotency_key,
    requestHash: row.request_hash,
    messageId: row.message_id,
    status: row.status,
    attempts: Number(row.attempts),
    recipientsCount: Number(row.recipients_count),
    createdAt: Number(row.created_at),
    updatedAt: Number(row.updated_at),
    nextAttemptAt: Number(row.next_attempt_at),
    ...(row.accepted_at !== null ? { acceptedAt: Number(row.accepted_at) } : {}),
    ...(row.last_error_json ? { lastError: JSON.parse(row.last_error_json) as OutboundError } : {}),
    ...(row.response !== null ? { response: row.response } : {}),
  };
}

/** A claimed row; `wasSending` tells a recovered (expired lease) row from a due one. */
export function toOutboundJob(row: OutboundRow, wasSending: boolean): OutboundJob {
  return {
    ...toOutboundRecord(row),
    payload: row.payload ?? '',
    claimedBy: row.claimed_by ?? '',
    leaseUntil: Number(row.lease_until),
    recovered: wasSending,
  };
}

export interface TraceRow {
  id: number | string;
  ts_utc: number | string;
  ts_workstation: string | null;
  actor: string;
  mailbox: string;
  action: TraceAction;
  request: string;
  reply_code: number | null;
  reply_text: string | null;
  message_id: string | null;
  outcome: string;
}

export function toTraceRecord(row: TraceRow): TraceRecord {
  return {
    id: Number(row.id),
    tsUtc: Number(row.ts_utc),
    ...(row.ts_workstation !== null ? { tsWorkstation: row.ts_workstation } : {}),
    actor: row.actor,
    mailbox: row.mailbox,
    action: row.action,
    request: row.request,
    ...(row.reply_code !== null ? { replyCode: Number(row.reply_code) } : {}),
    ...(row.reply_text !== null ? { replyText: row.reply_text } : {}),
    ...(row.message_id !== null ? { messageId: row.message_id } : {}),
    outcome: row.outcome,
  };
}

/** The trace limit, clamped. */
export function traceLimit(limit: number | undefined): number {
  return Math.max(1, Math.min(Math.floor(limit ?? 500), 100_000));
}
