// Runtime: Node (connector). The SQLite implementation of the Store port, with better-sqlite3 12: WAL journal,
// ordered migrations recorded in schema_migrations, each applied once in an IMMEDIATE transaction (so two processes
// opening the same file cannot both apply it), and a refusal to open a database written by a newer version.

import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { MIGRATIONS, type Migration } from './migrations';
import { sqliteReceipts } from './receipts-sqlite';
import { OUTBOUND_COLUMNS, toOutboundJob, toOutboundRecord, toTraceRecord, traceLimit, type OutboundRow, type TraceRow } from './rows';
import {
  assertNoAddress,
  duplicateMessageIdError,
  StoreError,
  toLocalIso,
  type AuditDetails,
  type AuditEntryInput,
  type AuditRecord,
  type AuditOutcome,
  type OutboundStatus,
  type Store,
  type TraceInput,
} from './store';

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
    // checkpoint every ~40 MB of WAL instead of ~4 MB: each checkpoint fsyncs the database file, and at the default
    // they came every ~150 sent messages (outcome + trace pages); bench/pipeline.mjs measured ~5 % of relay throughput
    db.pragma('wal_autocheckpoint = 10000');
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
  /**
   * Runs a queue transaction of the WORKER (claim, outcome) with `synchronous = NORMAL`: in WAL mode its commit is
   * written to the WAL without waiting for fsync, so it survives the death of the process (the fault the queue is
   * built for) and only a power or OS failure could lose it (then the message is claimed and sent again, same
   * Message-ID). It also makes the one ambiguous window of the queue (250 received, outcome not yet committed,
   * outbound/worker.ts) as short as SQLite allows. The API's enqueue keeps `synchronous = FULL`: a 202 is on disk.
   */
  const relaxedSync = stmt('PRAGMA synchronous = NORMAL');
  const fullSync = stmt('PRAGMA synchronous = FULL');
  fullSync.run();
  const relaxed = <T>(fn: () => T): T => {
    relaxedSync.run();
    try {
      return fn();
    } finally {
      fullSync.run();
    }
  };
  /**
   * Group commit of the worker's outcomes: the outcomes recorded during one turn of the event loop (several SMTP
   * replies read in the same I/O phase) are committed in ONE transaction, at the end of that turn (setImmediate), and
   * each promise resolves only after that commit. Same durability as one transaction each (WAL, synchronous NORMAL);
   * the pages an outcome touches (the row, its index entries, the trace and its indexes) are mostly shared by the
   * outcomes of one turn, so the WAL gets them once (bench/pipeline.mjs). When the group fails (one outcome throws),
   * each outcome is retried alone so that one bad row does not fail the others.
   */
  let group: { apply: () => boolean; resolve: (v: boolean) => void; reject: (e: unknown) => void }[] = [];
  const flushGroup = (): void => {
    const batch = group;
    group = [];
    if (closed) {
      for (const g of batch) g.reject(new Error('Base SQLite fermée : résultat d\'envoi non enregistré (le message sera repris à la fin de son bail).'));
      return;
    }
    let results: boolean[] | undefined;
    try {
      results = relaxed(() => db.transaction(() => batch.map((g) => g.apply())).immediate());
    } catch {
      results = undefined;
    }
    if (results) {
      batch.forEach((g, i) => g.resolve(results[i]));
      return;
    }
    for (const g of batch) {
      try {
        g.resolve(relaxed(() => db.transaction(g.apply).immediate()));
      } catch (e) {
        g.reject(e);
      }
    }
  };
  const groupCommit = (apply: () => boolean): Promise<boolean> =>
    new Promise<boolean>((resolve, reject) => {
      group.push({ apply, resolve, reject });
      if (group.length === 1) setImmediate(flushGroup);
    });
  const insertTrace = (t: TraceInput): void => {
    stmt(
      'INSERT INTO traces (ts_utc, ts_workstation, actor, mailbox, action, request, reply_code, reply_text, message_id, outcome) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
    ).run(t.tsUtc, t.tsWorkstation ?? null, t.actor, t.mailbox, t.action, t.request, t.replyCode ?? null, t.replyText ?? null, t.messageId ?? null, t.outcome);
  };

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
    async enqueueOutbound(input) {
      // one IMMEDIATE transaction: the message and its idempotency key are one row, written or not at all
      const run = db.transaction(() => {
        const info = stmt(
          `INSERT INTO outbound_messages (id, mailbox, author_id, idempotency_key, request_hash, message_id, payload, recipients_count, status, attempts, next_attempt_at, created_at, updated_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'queued', 0, ?, ?, ?) ON CONFLICT (mailbox, idempotency_key) DO NOTHING`,
        ).run(input.id, input.mailbox, input.authorId, input.idempotencyKey, input.requestHash, input.messageId, input.payload, input.recipientsCount, input.now, input.now, input.now);
        const row = stmt(`SELECT ${OUTBOUND_COLUMNS} FROM outbound_messages WHERE mailbox = ? AND idempotency_key = ?`).get(input.mailbox, input.idempotencyKey) as OutboundRow;
        return { created: info.changes === 1, record: toOutboundRecord(row) };
      });
      try {
        return run.immediate();
      } catch (e) {
        // a driver error (its class comes from the native module's first loader) becomes our typed error
        if ((e as { code?: unknown }).code === 'SQLITE_CONSTRAINT_UNIQUE' && /message_id/.test((e as Error).message)) throw duplicateMessageIdError();
        throw e;
      }
    },
    async getOutbound(id) {
      const row = stmt(`SELECT ${OUTBOUND_COLUMNS} FROM outbound_messages WHERE id = ?`).get(id) as OutboundRow | undefined;
      return row ? toOutboundRecord(row) : undefined;
    },
    async claimOutbound({ workerId, now: at, leaseMs, limit }) {
      // BEGIN IMMEDIATE takes the write lock first: two processes on the same file claim one after the other
      const run = db.transaction(() => {
        // two index walks, not one `… OR …` query: an OR with ORDER BY sorted every due row (payload included) on
        // each claim, O(queue length) per claim. Expired leases first (the oldest work), then due rows in queue order
        // (outbound_due is (status, next_attempt_at) + rowid = seq: no sort, only `limit` rows read).
        const max = Math.max(1, Math.floor(limit));
        const expired = stmt(
          `SELECT ${OUTBOUND_COLUMNS}, payload FROM outbound_messages WHERE status = 'sending' AND lease_until < ? ORDER BY lease_until LIMIT ?`,
        ).all(at, max) as OutboundRow[];
        const due =
          expired.length < max
            ? (stmt(`SELECT ${OUTBOUND_COLUMNS}, payload FROM outbound_messages WHERE status = 'queued' AND next_attempt_at <= ? ORDER BY next_attempt_at, seq LIMIT ?`).all(
                at,
                max - expired.length,
              ) as OutboundRow[])
            : [];
        const rows = [...expired, ...due];
        const update = stmt(`UPDATE outbound_messages SET status = 'sending', claimed_by = ?, lease_until = ?, attempts = attempts + 1, updated_at = ? WHERE id = ?`);
        return rows.map((row) => {
          update.run(workerId, at + leaseMs, at, row.id);
          const wasSending = row.status === 'sending';
          return toOutboundJob({ ...row, status: 'sending', claimed_by: workerId, lease_until: at + leaseMs, attempts: Number(row.attempts) + 1, updated_at: at }, wasSending);
        });
      });
      return relaxed(() => run.immediate());
    },
    async completeOutbound(id, workerId, outcome, trace) {
      const apply = (): boolean => {
        let changes: number;
        switch (outcome.status) {
          case 'accepted':
            changes = stmt(
              `UPDATE outbound_messages SET status = 'accepted', accepted_at = ?, response = ?, claimed_by = NULL, lease_until = NULL, last_error_json = NULL, updated_at = ?
               WHERE id = ? AND claimed_by = ? AND status = 'sending'`,
            ).run(outcome.now, outcome.response, outcome.now, id, workerId).changes;
            break;
          case 'queued':
            changes = stmt(
              `UPDATE outbound_messages SET status = 'queued', next_attempt_at = ?, last_error_json = ?, claimed_by = NULL, lease_until = NULL, updated_at = ?
               WHERE id = ? AND claimed_by = ? AND status = 'sending'`,
            ).run(outcome.nextAttemptAt, JSON.stringify(outcome.error), outcome.now, id, workerId).changes;
            break;
          case 'failed':
            changes = stmt(
              `UPDATE outbound_messages SET status = 'failed', last_error_json = ?, claimed_by = NULL, lease_until = NULL, updated_at = ?
               WHERE id = ? AND claimed_by = ? AND status = 'sending'`,
            ).run(JSON.stringify(outcome.error), outcome.now, id, workerId).changes;
            break;
        }
        if (changes === 1 && trace) insertTrace(trace);
        return changes === 1;
      };
      return groupCommit(apply);
    },
    async renewOutboundLeases(ids, workerId, leaseUntil) {
      if (ids.length === 0) return 0;
      return relaxed(
        () =>
          stmt(`UPDATE outbound_messages SET lease_until = ? WHERE claimed_by = ? AND status = 'sending' AND id IN (SELECT value FROM json_each(?))`).run(leaseUntil, workerId, JSON.stringify(ids))
            .changes,
      );
    },
    async outboundCounts() {
      const rows = stmt('SELECT status, COUNT(*) AS n FROM outbound_messages GROUP BY status').all() as { status: OutboundStatus; n: number }[];
      return Object.fromEntries(rows.map((r) => [r.status, Number(r.n)]));
    },
    async outboundWaitingCounts() {
      const rows = stmt(
        `SELECT json_extract(last_error_json, '$.code') AS code, COUNT(*) AS n FROM outbound_messages
         WHERE status = 'queued' AND last_error_json IS NOT NULL GROUP BY code`,
      ).all() as { code: unknown; n: number }[];
      return Object.fromEntries(rows.filter((r) => typeof r.code === 'string').map((r) => [r.code as string, Number(r.n)]));
    },
    async appendTrace(trace) {
      insertTrace(trace);
    },
    async listTraces(filter) {
      const where: string[] = [];
      const args: (string | number)[] = [];
      const add = (sql: string, v: string | number): void => {
        where.push(sql);
        args.push(v);
      };
      if (filter.mailbox !== undefined) add('mailbox = ?', filter.mailbox);
      if (filter.action !== undefined) add('action = ?', filter.action);
      if (filter.from !== undefined) add('ts_utc >= ?', filter.from);
      if (filter.to !== undefined) add('ts_utc < ?', filter.to);
      const sql = `SELECT * FROM traces ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY ts_utc DESC, id DESC LIMIT ?`;
      return (db.prepare(sql).all(...args, traceLimit(filter.limit)) as TraceRow[]).map(toTraceRecord);
    },
    async purgeTraces(beforeUtc) {
      return stmt('DELETE FROM traces WHERE ts_utc < ?').run(beforeUtc).changes;
    },
    ...sqliteReceipts(db, stmt),
    async close(): Promise<void> {
      if (closed) return;
      if (group.length > 0) flushGroup(); // outcomes recorded before close() are committed, not dropped
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
