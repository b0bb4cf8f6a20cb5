// Runtime: Node (connector). The persistence port: the connector talks to a Store, never to a database driver,
// so PostgreSQL can come later beside SQLite. Methods are async even though better-sqlite3 is synchronous.

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

/** The persistence port. */
export interface Store {
  readonly type: 'sqlite';
  /** Id of the last applied migration. */
  schemaVersion(): number;
  appendAudit(entry: AuditEntryInput): Promise<AuditRecord>;
  /** The most recent entries, newest first. */
  recentAudit(limit: number): Promise<AuditRecord[]>;
  getSetting(key: string): Promise<string | undefined>;
  setSetting(key: string, value: string): Promise<void>;
  close(): Promise<void>;
}

/** Store errors (configuration or state problems an operator must fix), with a stable code and a French message. */
export class StoreError extends Error {
  constructor(
    readonly code: 'STORE_NEWER_SCHEMA' | 'STORE_UNKNOWN_MIGRATION' | 'STORE_OPEN_FAILED' | 'STORE_MIGRATION_FAILED',
    message: string,
  ) {
    super(message);
    this.name = 'StoreError';
  }
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
