// Runtime: Node (connector). The ordered schema migrations, SQLite and PostgreSQL (same ids, same meaning). Append only: never edit or reorder a migration
// that has shipped; add a new one with the next id. Each runs once, in a transaction, recorded in schema_migrations.

/** One schema migration. */
export interface Migration {
  /** Strictly increasing integer, starting at 1; the schema version is the highest applied id. */
  readonly id: number;
  readonly description: string;
  readonly sql: string;
}

/** The migrations of the SQLite store, in order. */
export const MIGRATIONS: readonly Migration[] = [
  {
    id: 1,
    description: 'audit_log : journal d\'audit (compteurs, types et codes uniquement ; jamais de contenu ni d\'adresse)',
    sql: `
      CREATE TABLE audit_log (
        id           INTEGER PRIMARY KEY AUTOINCREMENT,
        ts_utc       TEXT    NOT NULL,
        ts_local     TEXT    NOT NULL,
        actor        TEXT    NOT NULL,
        action       TEXT    NOT NULL,
        outcome      TEXT    NOT NULL CHECK (outcome IN ('ok', 'rejected', 'error')),
        code         TEXT,
        details_json TEXT    NOT NULL DEFAULT '{}'
      );
      CREATE INDEX audit_log_ts_utc ON audit_log (ts_utc);
      CREATE INDEX audit_log_action ON audit_log (action, ts_utc);
    `,
  },
  {
    id: 2,
    description: 'settings : réglages clé / valeur modifiables à chaud',
    sql: `
      CREATE TABLE settings (
        key        TEXT PRIMARY KEY,
        value      TEXT NOT NULL,
        updated_at TEXT NOT NULL
      );
    `,
  },
  {
    id: 3,
    description: 'outbound_messages : file d\'envoi durable (clé d\'idempotence unique par BAL, Message-ID unique, bail de traitement)',
    sql: `
      CREATE TABLE outbound_messages (
        seq              INTEGER PRIMARY KEY AUTOINCREMENT,
        id               TEXT    NOT NULL UNIQUE,
        mailbox          TEXT    NOT NULL,
        author_id        TEXT    NOT NULL,
        idempotency_key  TEXT    NOT NULL,
        request_hash     TEXT    NOT NULL,
        message_id       TEXT    NOT NULL UNIQUE,
        payload          TEXT    NOT NULL,
        recipients_count INTEGER NOT NULL,
        status           TEXT    NOT NULL CHECK (status IN ('submitted', 'queued', 'sending', 'accepted', 'delivered', 'read', 'failed')),
        attempts         INTEGER NOT NULL DEFAULT 0,
        next_attempt_at  INTEGER NOT NULL,
        claimed_by       TEXT,
        lease_until      INTEGER,
        created_at       INTEGER NOT NULL,
        updated_at       INTEGER NOT NULL,
        accepted_at      INTEGER,
        response         TEXT,
        last_error_json  TEXT,
        UNIQUE (mailbox, idempotency_key)
      );
      CREATE INDEX outbound_due ON outbound_messages (status, next_attempt_at);
      CREATE INDEX outbound_lease ON outbound_messages (status, lease_until);
    `,
  },
  {
    id: 4,
    description: 'traces : traces des actions MSSanté (SC.MSS/CONF.17-18), sans contenu, purgées après la durée de conservation',
    sql: `
      CREATE TABLE traces (
        id             INTEGER PRIMARY KEY AUTOINCREMENT,
        ts_utc         INTEGER NOT NULL,
        ts_workstation TEXT,
        actor          TEXT    NOT NULL,
        mailbox        TEXT    NOT NULL,
        action         TEXT    NOT NULL,
        request        TEXT    NOT NULL,
        reply_code     INTEGER,
        reply_text     TEXT,
        message_id     TEXT,
        outcome        TEXT    NOT NULL
      );
      CREATE INDEX traces_mailbox_ts ON traces (mailbox, ts_utc);
      CREATE INDEX traces_ts ON traces (ts_utc);
    `,
  },
  {
    id: 5,
    description: 'receipts et imap_positions : accusés DSN/MDN par destinataire (sans contenu), position IMAP du relevé des accusés par BAL',
    sql: `
      CREATE TABLE receipts (
        id           INTEGER PRIMARY KEY AUTOINCREMENT,
        outbound_id  TEXT    NOT NULL,
        recipient    TEXT    NOT NULL,
        type         TEXT    NOT NULL CHECK (type IN ('dsn', 'mdn')),
        action       TEXT    NOT NULL,
        status       TEXT    NOT NULL,
        state        TEXT    NOT NULL CHECK (state IN ('delivered', 'read', 'failed', 'delayed')),
        diagnostic   TEXT,
        explanation  TEXT    NOT NULL,
        receipt_key  TEXT    NOT NULL,
        received_at  INTEGER NOT NULL,
        UNIQUE (outbound_id, recipient, type, receipt_key)
      );
      CREATE INDEX receipts_received ON receipts (received_at);
      CREATE TABLE imap_positions (
        mailbox      TEXT    PRIMARY KEY,
        uid_validity INTEGER NOT NULL,
        last_uid     INTEGER NOT NULL,
        updated_at   INTEGER NOT NULL
      );
    `,
  },
  {
    id: 6,
    description: 'imap_positions.read_through_at : instant jusqu\'auquel la boîte de réception a été lue en entier (rapprochement d\'un envoi interrompu avec l\'accusé de l\'opérateur avant tout renvoi)',
    sql: `
      ALTER TABLE imap_positions ADD COLUMN read_through_at INTEGER;
    `,
  },
];

/**
 * The migrations of the PostgreSQL store: the same ids and descriptions as {@link MIGRATIONS}, in PostgreSQL's
 * dialect. Append only, in step with the SQLite list (a test checks both lists agree).
 */
export const PG_MIGRATIONS: readonly Migration[] = [
  {
    id: 1,
    description: MIGRATIONS[0].description,
    sql: `
      CREATE TABLE audit_log (
        id           BIGSERIAL PRIMARY KEY,
        ts_utc       TEXT NOT NULL,
        ts_local     TEXT NOT NULL,
        actor        TEXT NOT NULL,
        action       TEXT NOT NULL,
        outcome      TEXT NOT NULL CHECK (outcome IN ('ok', 'rejected', 'error')),
        code         TEXT,
        details_json TEXT NOT NULL DEFAULT '{}'
      );
      CREATE INDEX audit_log_ts_utc ON audit_log (ts_utc);
      CREATE INDEX audit_log_action ON audit_log (action, ts_utc);
    `,
  },
  {
    id: 2,
    description: MIGRATIONS[1].description,
    sql: `
      CREATE TABLE settings (
        key        TEXT PRIMARY KEY,
        value      TEXT NOT NULL,
        updated_at TEXT NOT NULL
      );
    `,
  },
  {
    id: 3,
    description: MIGRATIONS[2].description,
    sql: `
      CREATE TABLE outbound_messages (
        seq              BIGSERIAL PRIMARY KEY,
        id               TEXT    NOT NULL UNIQUE,
        mailbox          TEXT    NOT NULL,
        author_id        TEXT    NOT NULL,
        idempotency_key  TEXT    NOT NULL,
        request_hash     TEXT    NOT NULL,
        message_id       TEXT    NOT NULL UNIQUE,
        payload          TEXT    NOT NULL,
        recipients_count INTEGER NOT NULL,
        status           TEXT    NOT NULL CHECK (status IN ('submitted', 'queued', 'sending', 'accepted', 'delivered', 'read', 'failed')),
        attempts         INTEGER NOT NULL DEFAULT 0,
        next_attempt_at  BIGINT  NOT NULL,
        claimed_by       TEXT,
        lease_until      BIGINT,
        created_at       BIGINT  NOT NULL,
        updated_at       BIGINT  NOT NULL,
        accepted_at      BIGINT,
        response         TEXT,
        last_error_json  TEXT,
        UNIQUE (mailbox, idempotency_key)
      );
      CREATE INDEX outbound_due ON outbound_messages (status, next_attempt_at);
      CREATE INDEX outbound_lease ON outbound_messages (status, lease_until);
    `,
  },
  {
    id: 4,
    description: MIGRATIONS[3].description,
    sql: `
      CREATE TABLE traces (
        id             BIGSERIAL PRIMARY KEY,
        ts_utc         BIGINT  NOT NULL,
        ts_workstation TEXT,
        actor          TEXT    NOT NULL,
        mailbox        TEXT    NOT NULL,
        action         TEXT    NOT NULL,
        request        TEXT    NOT NULL,
        reply_code     INTEGER,
        reply_text     TEXT,
        message_id     TEXT,
        outcome        TEXT    NOT NULL
      );
      CREATE INDEX traces_mailbox_ts ON traces (mailbox, ts_utc);
      CREATE INDEX traces_ts ON traces (ts_utc);
    `,
  },
  {
    id: 5,
    description: MIGRATIONS[4].description,
    sql: `
      CREATE TABLE receipts (
        id           BIGSERIAL PRIMARY KEY,
        outbound_id  TEXT   NOT NULL,
        recipient    TEXT   NOT NULL,
        type         TEXT   NOT NULL CHECK (type IN ('dsn', 'mdn')),
        action       TEXT   NOT NULL,
        status       TEXT   NOT NULL,
        state        TEXT   NOT NULL CHECK (state IN ('delivered', 'read', 'failed', 'delayed')),
        diagnostic   TEXT,
        explanation  TEXT   NOT NULL,
        receipt_key  TEXT   NOT NULL,
        received_at  BIGINT NOT NULL,
        UNIQUE (outbound_id, recipient, type, receipt_key)
      );
      CREATE INDEX receipts_received ON receipts (received_at);
      CREATE TABLE imap_positions (
        mailbox      TEXT   PRIMARY KEY,
        uid_validity BIGINT NOT NULL,
        last_uid     BIGINT NOT NULL,
        updated_at   BIGINT NOT NULL
      );
    `,
  },
  {
    id: 6,
    description: MIGRATIONS[5].description,
    sql: `
      ALTER TABLE imap_positions ADD COLUMN read_through_at BIGINT;
    `,
  },
];
