// Runtime: Node (connector). The persistence port: the connector talks to a Store, never to a database driver.
// Two implementations: SQLite (embedded default, better-sqlite3, synchronous under async methods) and PostgreSQL
// (several connector instances share one outbound queue). test/connector/store-shared.test.ts runs on both.

import type { ReceiptsStore } from './receipts';

/** Outcome of an audited action. */
export const AUDIT_OUTCOMES = ['ok', 'rejected', 'error'] as const;
export type AuditOutcome = (typeof AUDIT_OUTCOMES)[number];

/**
 * Details of an audit entry: counts, kinds and codes ONLY. Never message content, never a full address
 * (STYLE.md rule 10). `appendAudit` refuses any text that looks like an address.
 */
export type AuditDetails = Readonly<Record<string, number | boolean | string | Readonly<Record<string, number>>>>;

/** What a caller records. */
export interface AuditEntryInput {
  /** Who acted: `api` (unauthenticated HTTP call), `cli`, later a user id. Never an e-mail address. */
  readonly actor: string;
  /** Stable action id, e.g. `classify`. */
  readonly action: string;
  readonly outcome: AuditOutcome;
  /** Error or reason code, when any (e.g. `BATCH_TOO_LARGE`). */
  readonly code?: string;
  readonly details?: AuditDetails;
}

/** A stored audit row. */
export interface AuditRecord extends AuditEntryInput {
  readonly id: number;
  /** ISO 8601 UTC, e.g. `2026-03-01T09:00:00.000Z`. */
  readonly tsUtc: string;
  /** ISO 8601 in the server's local time with its offset, e.g. `2026-03-01T10:00:00.000+01:00`. */
  readonly tsLocal: string;
  readonly details: AuditDetails;
}

/** Store back-ends. */
export type StoreKind = 'sqlite' | 'postgres';

/**
 * Status of an outbound message (MSSANTE.md §7, "useful status model"): `submitted` (received by the API; never
 * stored, the row is written as `queued` in the same transaction as its idempotency key) → `queued` (waiting, also
 * after a temporary failure) → `sending` (claimed by a worker, under a lease) → `accepted` (SMTP 250 from the
 * operator) → `delivered` (DSN) / `read` (MDN) / `failed` (permanent refusal, or DSN failure).
 */
export const OUTBOUND_STATUSES = ['submitted', 'queued', 'sending', 'accepted', 'delivered', 'read', 'failed'] as const;
export type OutboundStatus = (typeof OUTBOUND_STATUSES)[number];

/** The last failure of an outbound message: codes, the operator's reply (addresses masked), a French explanation. */
export interface OutboundError {
  /** Transport code (TransportError.code) or `EXPIRED` / `INTERNAL`. */
  readonly code: string;
  /** French explanation for the user. */
  readonly message: string;
  /** Operator's reply line (addresses masked), when there was one. */
  readonly response?: string;
  readonly responseCode?: number;
  readonly command?: string;
}

/** What the API persists for one accepted message. */
export interface NewOutbound {
  /** Random id (UUID) given by the caller. */
  readonly id: string;
  /** Sender MSSanté mailbox (BAL). */
  readonly mailbox: string;
  /** Authenticated author (Entra `oid`). */
  readonly authorId: string;
  /** `Idempotency-Key` header: unique per sender mailbox. */
  readonly idempotencyKey: string;
  /** SHA-256 of the canonical request body: same key + other body ⇒ conflict. */
  readonly requestHash: string;
  /** RFC 5322 Message-ID, fixed at acceptance and reused by every attempt. Unique. */
  readonly messageId: string;
  /** What the worker relays (JSON of the build input, or raw MIME in base64): never logged, never traced. */
  readonly payload: string;
  readonly recipientsCount: number;
  /** ms since epoch. */
  readonly now: number;
}

/** A stored outbound message, without its payload. Times in ms since epoch. */
export interface OutboundRecord {
  readonly id: string;
  readonly mailbox: string;
  readonly authorId: string;
  readonly idempotencyKey: string;
  readonly requestHash: string;
  readonly messageId: string;
  readonly status: OutboundStatus;
  readonly attempts: number;
  readonly recipientsCount: number;
  readonly createdAt: number;
  readonly updatedAt: number;
  readonly nextAttemptAt: number;
  readonly acceptedAt?: number;
  readonly lastError?: OutboundError;
  /** Reply of the operator to the accepted submission (`250 ...`). */
  readonly response?: string;
}

/** A message claimed by a worker: the record, its payload and the lease. */
export interface OutboundJob extends OutboundRecord {
  readonly payload: string;
  readonly claimedBy: string;
  readonly leaseUntil: number;
  /** True when the row was taken back from an expired lease (its previous worker died or hung mid-send). */
  readonly recovered: boolean;
}

/** Options of {@link Store.claimOutbound}. */
export interface ClaimOptions {
  readonly workerId: string;
  readonly now: number;
  readonly leaseMs: number;
  readonly limit: number;
}

/** How a claimed attempt ended. Applied only while the worker still holds the lease. */
export type OutboundOutcome =
  | { readonly status: 'accepted'; readonly response: string; readonly now: number }
  | { readonly status: 'queued'; readonly nextAttemptAt: number; readonly error: OutboundError; readonly now: number }
  | { readonly status: 'failed'; readonly error: OutboundError; readonly now: number };

/** Trace actions (ANS FAQ 10217: at least sending and deletion). */
export const TRACE_ACTIONS = ['envoi', 'suppression', 'consultation'] as const;
export type TraceAction = (typeof TRACE_ACTIONS)[number];

/**
 * One client trace (SC.MSS/CONF.17-18, ANS FAQ 10217): who, when (workstation and server), which mailbox, which
 * action, the request sent to the operator (command summary, no content) and its reply. Never a subject, a body or
 * an attachment name.
 */
export interface TraceInput {
  /** Server time, ms since epoch (stored as UTC). */
  readonly tsUtc: number;
  /** Workstation local time as sent by the add-in (ISO 8601 with offset), validated; absent for worker retries. */
  readonly tsWorkstation?: string;
  /** Authenticated author id (Entra `oid`). */
  readonly actor: string;
  readonly mailbox: string;
  readonly action: TraceAction;
  /** Command summary, e.g. `EHLO STARTTLS AUTH XOAUTH2 MAIL FROM RCPT TO ×2 DATA`. */
  readonly request: string;
  readonly replyCode?: number;
  /** Reply line, addresses masked. */
  readonly replyText?: string;
  readonly messageId?: string;
  /** `ok` or the error code. */
  readonly outcome: string;
}

export interface TraceRecord extends TraceInput {
  readonly id: number;
}

/** Filter of {@link Store.listTraces}. */
export interface TraceFilter {
  readonly mailbox?: string;
  readonly action?: TraceAction;
  /** ms since epoch, inclusive. */
  readonly from?: number;
  /** ms since epoch, exclusive. */
  readonly to?: number;
  /** Newest first; default 500, at most 100 000. */
  readonly limit?: number;
}

/** The persistence port (receipts: {@link ReceiptsStore}, store/receipts.ts). */
export interface Store extends ReceiptsStore {
  readonly type: StoreKind;
  /** Id of the last applied migration. */
  schemaVersion(): number;
  appendAudit(entry: AuditEntryInput): Promise<AuditRecord>;
  /** The most recent entries, newest first. */
  recentAudit(limit: number): Promise<AuditRecord[]>;
  getSetting(key: string): Promise<string | undefined>;
  setSetting(key: string, value: string): Promise<void>;

  // ---- outbound queue --------------------------------------------------------------------------------------
  /**
   * Persists an accepted message (status `queued`) and its idempotency key in ONE transaction. When the
   * (mailbox, idempotencyKey) pair exists, nothing is written and the existing record comes back (`created: false`);
   * the caller compares `requestHash`.
   */
  enqueueOutbound(input: NewOutbound): Promise<{ readonly created: boolean; readonly record: OutboundRecord }>;
  getOutbound(id: string): Promise<OutboundRecord | undefined>;
  /**
   * Claims up to `limit` messages due now: `queued` with `nextAttemptAt <= now`, or `sending` whose lease expired
   * (a crashed or hung worker). Each becomes `sending` under this worker's lease, `attempts + 1`. Two workers never
   * hold the same row (PostgreSQL: FOR UPDATE SKIP LOCKED; SQLite: BEGIN IMMEDIATE).
   */
  claimOutbound(opts: ClaimOptions): Promise<OutboundJob[]>;
  /**
   * Records how an attempt ended, and its trace, in one transaction; only while `workerId` still holds the row
   * (`sending`, claimed by it). Returns false when the lease was lost (nothing written).
   */
  completeOutbound(id: string, workerId: string, outcome: OutboundOutcome, trace?: TraceInput): Promise<boolean>;
  /**
   * Extends to `leaseUntil` the lease of the listed rows this worker still holds (`sending`, claimed by it): a live
   * worker keeps its messages while an SMTP dialogue lasts longer than expected, so that no other worker takes them
   * back and sends them a second time. Returns how many rows were renewed.
   */
  renewOutboundLeases(ids: readonly string[], workerId: string, leaseUntil: number): Promise<number>;
  /** Number of messages per status (health, tests). */
  outboundCounts(): Promise<Partial<Record<OutboundStatus, number>>>;
  /**
   * The `queued` messages by the code of their stored error (why they wait: RECONCILING, PSC_SESSION_REQUIRED, a
   * temporary operator error…); messages never tried are not counted. For the admin page.
   */
  outboundWaitingCounts(): Promise<Record<string, number>>;

  // ---- traces ----------------------------------------------------------------------------------------------
  appendTrace(trace: TraceInput): Promise<void>;
  listTraces(filter: TraceFilter): Promise<TraceRecord[]>;
  /** Deletes the traces older than `beforeUtc` (ms since epoch); returns how many. */
  purgeTraces(beforeUtc: number): Promise<number>;

  close(): Promise<void>;
}

/** Store errors (configuration or state problems an operator must fix), with a stable code and a French message. */
export class StoreError extends Error {
  constructor(
    readonly code: 'STORE_NEWER_SCHEMA' | 'STORE_UNKNOWN_MIGRATION' | 'STORE_OPEN_FAILED' | 'STORE_MIGRATION_FAILED' | 'STORE_DUPLICATE_MESSAGE_ID',
    message: string,
  ) {
    super(message);
    this.name = 'StoreError';
  }
}

/** The Message-ID of a new outbound message is already queued (never send one message twice). */
export function duplicateMessageIdError(): StoreError {
  return new StoreError(
    'STORE_DUPLICATE_MESSAGE_ID',
    'Ce Message-ID est déjà dans la file d\'envoi : le message n\'est pas ajouté une seconde fois.',
  );
}

const ADDRESS_LIKE = /@/;

/** Throws when audit details carry something that looks like an e-mail address (programmer error). */
export function assertNoAddress(entry: AuditEntryInput): void {
  const texts: string[] = [entry.actor, entry.action, entry.code ?? ''];
  for (const v of Object.values(entry.details ?? {})) {
    if (typeof v === 'string') texts.push(v);
    else if (typeof v === 'object' && v !== null) texts.push(...Object.keys(v));
  }
  for (const t of texts) {
    if (ADDRESS_LIKE.test(t)) throw new Error('Audit entries must not contain e-mail addresses (counts, kinds and codes only).');
  }
}

/** Formats a date as ISO 8601 in the local time zone of the process, with its UTC offset. */
export function toLocalIso(d: Date): string {
  const offsetMin = -d.getTimezoneOffset();
  const local = new Date(d.getTime() + offsetMin * 60_000);
  const sign = offsetMin >= 0 ? '+' : '-';
  const abs = Math.abs(offsetMin);
  const hh = String(Math.floor(abs / 60)).padStart(2, '0');
  const mm = String(abs % 60).padStart(2, '0');
  return `${local.toISOString().slice(0, -1)}${sign}${hh}:${mm}`;
}
