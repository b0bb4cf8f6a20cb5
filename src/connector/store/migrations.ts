// Runtime: Node (connector). The ordered SQLite schema migrations. Append only: never edit or reorder a migration
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
];
