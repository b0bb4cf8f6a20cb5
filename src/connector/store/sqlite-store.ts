// Runtime: Node (connector). The SQLite implementation of the Store port, with better-sqlite3 12: WAL journal,
// ordered migrations recorded in schema_migrations, each applied once in an IMMEDIATE transaction (so two processes
// opening the same file cannot both apply it), and a refusal to open a database written by a newer version.

import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { MIGRATIONS, type Migration } from './migrations';
import { assertNoAddress, StoreError, toLocalIso, type AuditDetails, type AuditEntryInput, type AuditRecord, type AuditOutcome, type Store } from './store';

/** Options of {@link openSqliteStore}. */
export interface SqliteStoreOptions {
  /** Clock for audit timestamps (default: `new Date()`). */
  readonly now?: () => Date;
  /** Migrations to apply (default: {@link MIGRATIONS}); tests pass their own. */
  readonly migrations?: readonly Migration[];
}

interface AuditRow {
  id: number;
  ts_utc: string;
  ts_local: string;
  actor: string;
  action: string;
  outcome: AuditOutcome;
  code: string | null;
  details_json: string;
}

function checkMigrationList(migrations: readonly Migration[]): void {
  migrations.forEach((m, i) => {
    if (m.id !== i + 1) throw new Error(`Migration ids must be 1, 2, 3... in order; found ${m.id} at position ${i + 1}.`);
  });
}

/**
 * Opens (creating it and its folder when needed) the SQLite database at `path` and brings its schema up to date.
 * Throws a {@link StoreError} (French message) when the file cannot be opened or was written by a newer version.
 */
export function openSqliteStore(path: string, opts: SqliteStoreOptions = {}): Store {
  const migrations = opts.migrations ?? MIGRATIONS;
  const now = opts.now ?? (() => new Date());
  checkMigrationList(migrations);

  let db: Database.Database;
  try {
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
    db = new Database(path);
    db.pragma('journal_mode = WAL');
    db.pragma('foreign_keys = ON');
    db.pragma('busy_timeout = 5000');
  } catch (e) {
    throw new StoreError(
      'STORE_OPEN_FAILED',
      `Impossible d'ouvrir la base SQLite « ${path} » (${(e as Error).message}). Vérifiez store.sqlitePath (ou dataDir) et les droits d'écriture sur ce dossier.`,
    );
  }

  let version: number;
  try {
    version = migrate(db, path, migrations);
  } catch (e) {
    db.close();
    throw e;
  }

  // prepared on first use (a store opened with a partial migration list, in tests, lacks later tables)
  const statements = new Map<string, Database.Statement>();
  const stmt = (sql: string): Database.Statement => {
    let st = statements.get(sql);
    if (!st) {
      st = db.prepare(sql);
      statements.set(sql, st);
    }
    return st;
  };
  const insertAudit = () =>
    stmt('INSERT INTO audit_log (ts_utc, ts_local, actor, action, outcome, code, details_json) VALUES (?, ?, ?, ?, ?, ?, ?)');
  const selectAudit = () => stmt('SELECT * FROM audit_log ORDER BY id DESC LIMIT ?');
  const selectSetting = () => stmt('SELECT value FROM settings WHERE key = ?');
  const upsertSetting = () =>
    stmt(
      'INSERT INTO settings (key, value, updated_at) VALUES (?, ?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at',
    );
  let closed = false;

  return {
    type: 'sqlite',
    schemaVersion: () => version,
    async appendAudit(entry: AuditEntryInput): Promise<AuditRecord> {
      assertNoAddress(entry);
      const ts = now();
      const details: AuditDetails = entry.details ?? {};
      const tsUtc = ts.toISOString();
      const tsLocal = toLocalIso(ts);
      const info = insertAudit().run(tsUtc, tsLocal, entry.actor, entry.action, entry.outcome, entry.code ?? null, JSON.stringify(details));
      return { id: Number(info.lastInsertRowid), tsUtc, tsLocal, actor: entry.actor, action: entry.action, outcome: entry.outcome, ...(entry.code ? { code: entry.code } : {}), details };
    },
    async recentAudit(limit: number): Promise<AuditRecord[]> {
      const n = Math.max(0, Math.min(Math.floor(limit), 10_000));
      return (selectAudit().all(n) as AuditRow[]).map((row) => ({
        id: row.id,
        tsUtc: row.ts_utc,
        tsLocal: row.ts_local,
        actor: row.actor,
        action: row.action,
        outcome: row.outcome,
        ...(row.code !== null ? { code: row.code } : {}),
        details: JSON.parse(row.details_json) as AuditDetails,
      }));
    },
    async getSetting(key: string): Promise<string | undefined> {
      const row = selectSetting().get(key) as { value: string } | undefined;
      return row?.value;
    },
    async setSetting(key: string, value: string): Promise<void> {
      upsertSetting().run(key, value, now().toISOString());
    },
    async close(): Promise<void> {
      if (closed) return;
      closed = true;
      db.close();
    },
  };
}

/** Applies the pending migrations; returns the schema version. */
function migrate(db: Database.Database, path: string, migrations: readonly Migration[]): number {
  db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
    id          INTEGER PRIMARY KEY,
    description TEXT NOT NULL,
    applied_at  TEXT NOT NULL
  )`);
  const known = migrations.length;
  const appliedIds = () => (db.prepare('SELECT id FROM schema_migrations ORDER BY id').all() as { id: number }[]).map((r) => r.id);

  const applied = appliedIds();
  const newest = applied.length ? applied[applied.length - 1] : 0;
  if (newest > known) {
    throw new StoreError(
      'STORE_NEWER_SCHEMA',
      `La base « ${path} » est au schéma ${newest}, plus récent que celui de cette version de mss-outlook (${known}). Mettez mss-outlook à jour, ou pointez store.sqlitePath vers une autre base.`,
    );
  }
  for (const id of applied) {
    if (!migrations.some((m) => m.id === id)) {
      throw new StoreError('STORE_UNKNOWN_MIGRATION', `La base « ${path} » contient une migration inconnue (${id}). Vérifiez store.sqlitePath.`);
    }
  }

  const isApplied = db.prepare('SELECT 1 FROM schema_migrations WHERE id = ?');
  const record = db.prepare('INSERT INTO schema_migrations (id, description, applied_at) VALUES (?, ?, ?)');
  for (const m of migrations) {
    if (applied.includes(m.id)) continue;
    const apply = db.transaction(() => {
      if (isApplied.get(m.id)) return; // applied meanwhile by another process
      db.exec(m.sql);
      record.run(m.id, m.description, new Date().toISOString());
    });
    try {
      apply.immediate();
    } catch (e) {
      throw new StoreError('STORE_MIGRATION_FAILED', `La migration ${m.id} (${m.description}) a échoué sur « ${path} » : ${(e as Error).message}. La base est restée au schéma précédent.`);
    }
  }
  const after = appliedIds();
  return after.length ? after[after.length - 1] : 0;
}
