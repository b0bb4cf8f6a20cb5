// Runtime: Node (connector). The PostgreSQL implementation of the Store port, with `pg` (node-postgres): several
// connector instances share one outbound queue. Migrations: the same ordered list as SQLite (PG_MIGRATIONS), each
// applied once under a transaction-scoped advisory lock, recorded in schema_migrations. The queue is claimed with
// `UPDATE ... WHERE id IN (SELECT ... FOR UPDATE SKIP LOCKED)`: two instances never take the same row, and a row
// whose lease expired (crashed instance) comes back to the next claim.

import { Pool, type PoolClient } from 'pg';
import { PG_MIGRATIONS, type Migration } from './migrations';
import { postgresReceipts } from './receipts-postgres';
import { OUTBOUND_COLUMNS, toOutboundJob, toOutboundRecord, toTraceRecord, traceLimit, type OutboundRow, type TraceRow } from './rows';
import {
  assertNoAddress,
  duplicateMessageIdError,
  StoreError,
  toLocalIso,
  type AuditDetails,
  type AuditOutcome,
  type OutboundStatus,
  type Store,
  type TraceInput,
} from './store';

/** Options of {@link openPostgresStore}. */
export interface PostgresStoreOptions {
  /** Connection URL, e.g. `postgres://mss@db.local:5432/mss_outlook` (store.postgresUrl, MSS_POSTGRES_URL). */
  readonly url: string;
  /** [public] Schema holding the tables; created when missing (tests use one schema per run). */
  readonly schema?: string;
  /** [10] Pool size. */
  readonly poolSize?: number;
  /** [new Date()] Clock of the audit timestamps. */
  readonly now?: () => Date;
  /** [PG_MIGRATIONS] Migrations to apply. */
  readonly migrations?: readonly Migration[];
}

/** Arbitrary constant of the migration advisory lock ("mss-outlook" in ASCII, truncated). */
const MIGRATION_LOCK = 0x6d73736f;

function quoteIdent(name: string): string {
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(name)) throw new StoreError('STORE_OPEN_FAILED', `Nom de schéma PostgreSQL invalide : « ${name} » (lettres minuscules, chiffres et _ seulement).`);
  return `"${name}"`;
}

/** Masks the password of a connection URL (for messages). */
function safeUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '(URL illisible)';
  }
}

/**
 * Opens the PostgreSQL store and brings its schema up to date. Throws a {@link StoreError} (French message naming
 * store.postgresUrl) when the server cannot be reached or the schema is newer than this version.
 */
export async function openPostgresStore(opts: PostgresStoreOptions): Promise<Store> {
  const migrations = opts.migrations ?? PG_MIGRATIONS;
  const now = opts.now ?? (() => new Date());
  const schema = opts.schema ?? 'public';
  const ident = quoteIdent(schema);
  const pool = new Pool({
    connectionString: opts.url,
    max: opts.poolSize ?? 10,
    options: `-c search_path=${ident}`,
    connectionTimeoutMillis: 10_000,
  });
  pool.on('error', () => undefined); // an idle client dropped by the server: the pool replaces it

  let version: number;
  try {
    await pool.query(`CREATE SCHEMA IF NOT EXISTS ${ident}`);
    version = await migrate(pool, migrations, safeUrl(opts.url));
  } catch (e) {
    await pool.end().catch(() => undefined);
    if (e instanceof StoreError) throw e;
    throw new StoreError(
      'STORE_OPEN_FAILED',
      `Impossible d'ouvrir la base PostgreSQL « ${safeUrl(opts.url)} » (${(e as Error).message}). Vérifiez store.postgresUrl (ou MSS_POSTGRES_URL), que le serveur répond et que l'utilisateur a le droit de créer des tables.`,
    );
  }

  async function tx<T>(fn: (c: PoolClient) => Promise<T>): Promise<T> {
    const client = await pool.connect();
    try {
      await client.query('BEGIN');
      const result = await fn(client);
      await client.query('COMMIT');
      return result;
    } catch (e) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw e;
    } finally {
      client.release();
    }
  }

  const insertTrace = async (c: Pool | PoolClient, t: TraceInput): Promise<void> => {
    await c.query(
      'INSERT INTO traces (ts_utc, ts_workstation, actor, mailbox, action, request, reply_code, reply_text, message_id, outcome) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)',
      [t.tsUtc, t.tsWorkstation ?? null, t.actor, t.mailbox, t.action, t.request, t.replyCode ?? null, t.replyText ?? null, t.messageId ?? null, t.outcome],
    );
  };

  let closed = false;
  const store: Store = {
    type: 'postgres',
    schemaVersion: () => version,
    async appendAudit(entry) {
      assertNoAddress(entry);
      const ts = now();
      const details: AuditDetails = entry.details ?? {};
      const tsUtc = ts.toISOString();
      const tsLocal = toLocalIso(ts);
      const res = await pool.query<{ id: string }>(
        'INSERT INTO audit_log (ts_utc, ts_local, actor, action, outcome, code, details_json) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id',
        [tsUtc, tsLocal, entry.actor, entry.action, entry.outcome, entry.code ?? null, JSON.stringify(details)],
      );
      return { id: Number(res.rows[0].id), tsUtc, tsLocal, actor: entry.actor, action: entry.action, outcome: entry.outcome, ...(entry.code ? { code: entry.code } : {}), details };
    },
    async recentAudit(limit) {
      const n = Math.max(0, Math.min(Math.floor(limit), 10_000));
      const res = await pool.query<{ id: string; ts_utc: string; ts_local: string; actor: string; action: string; outcome: AuditOutcome; code: string | null; details_json: string }>(
        'SELECT * FROM audit_log ORDER BY id DESC LIMIT $1',
        [n],
      );
      return res.rows.map((row) => ({
        id: Number(row.id),
        tsUtc: row.ts_utc,
        tsLocal: row.ts_local,
        actor: row.actor,
        action: row.action,
        outcome: row.outcome,
        ...(row.code !== null ? { code: row.code } : {}),
        details: JSON.parse(row.details_json) as AuditDetails,
      }));
    },
    async getSetting(key) {
      const res = await pool.query<{ value: string }>('SELECT value FROM settings WHERE key = $1', [key]);
      return res.rows[0]?.value;
    },
    async setSetting(key, value) {
      await pool.query(
        'INSERT INTO settings (key, value, updated_at) VALUES ($1, $2, $3) ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at',
        [key, value, now().toISOString()],
      );
    },
    async enqueueOutbound(input) {
      try {
        return await tx(async (c) => {
        const ins = await c.query(
          `INSERT INTO outbound_messages (id, mailbox, author_id, idempotency_key, request_hash, message_id, payload, recipients_count, status, attempts, next_attempt_at, created_at, updated_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'queued', 0, $9, $9, $9) ON CONFLICT (mailbox, idempotency_key) DO NOTHING`,
          [input.id, input.mailbox, input.authorId, input.idempotencyKey, input.requestHash, input.messageId, input.payload, input.recipientsCount, input.now],
        );
        const res = await c.query<OutboundRow>(`SELECT ${OUTBOUND_COLUMNS} FROM outbound_messages WHERE mailbox = $1 AND idempotency_key = $2`, [input.mailbox, input.idempotencyKey]);
        return { created: ins.rowCount === 1, record: toOutboundRecord(res.rows[0]) };
        });
      } catch (e) {
        const pg = e as { code?: string; constraint?: string };
        if (pg.code === '23505' && /message_id/.test(pg.constraint ?? '')) throw duplicateMessageIdError();
        throw e;
      }
    },
    async getOutbound(id) {
      const res = await pool.query<OutboundRow>(`SELECT ${OUTBOUND_COLUMNS} FROM outbound_messages WHERE id = $1`, [id]);
      return res.rows[0] ? toOutboundRecord(res.rows[0]) : undefined;
    },
    async claimOutbound({ workerId, now: at, leaseMs, limit }) {
      // the CTE keeps the previous status (recovered rows); SKIP LOCKED lets other instances claim other rows. Two
      // index walks (expired leases first, then due rows in queue order), not one `… OR …` query: the OR sorted every
      // due row on each claim (measured with a 50,000-message backlog, as after an outage: 27 ms → 1.1 ms per claim).
      const res = await pool.query<OutboundRow & { was_status: OutboundStatus }>(
        `WITH expired AS (
           SELECT id, status AS was_status FROM outbound_messages
           WHERE status = 'sending' AND lease_until < $2
           ORDER BY lease_until LIMIT $4
           FOR UPDATE SKIP LOCKED
         ), queued AS (
           SELECT id, status AS was_status FROM outbound_messages
           WHERE status = 'queued' AND next_attempt_at <= $2
           ORDER BY next_attempt_at, seq LIMIT $4
           FOR UPDATE SKIP LOCKED
         ), due AS (
           SELECT id, was_status FROM expired UNION ALL SELECT id, was_status FROM queued LIMIT $4
         )
         UPDATE outbound_messages m SET status = 'sending', claimed_by = $1, lease_until = $3, attempts = m.attempts + 1, updated_at = $2
         FROM due WHERE m.id = due.id
         RETURNING ${OUTBOUND_COLUMNS.split(', ').map((c) => `m.${c}`).join(', ')}, m.payload, due.was_status`,
        [workerId, at, at + leaseMs, Math.max(1, Math.floor(limit))],
      );
      return res.rows.map((row) => toOutboundJob(row, row.was_status === 'sending'));
    },
    async completeOutbound(id, workerId, outcome, trace) {
      if (outcome.status === 'accepted' && trace) {
        // The SMTP 250 is recorded in ONE statement, ONE round trip (no BEGIN/COMMIT exchange, no pool checkout
        // wait when a connection is idle): the row update and its trace in a data-modifying CTE, with
        // `synchronous_commit = off` for this transaction only (set_config(..., true) = SET LOCAL): the commit is
        // visible at once and survives the death of the connector (the fault modelled); only a crash of the database
        // server could lose it (then the message is sent again, same Message-ID). Narrows the ambiguous window of
        // outbound/worker.ts to this round trip.
        const t = trace;
        const res = await pool.query(
          `WITH s AS (SELECT set_config('synchronous_commit', 'off', true) AS v),
                u AS (
                  UPDATE outbound_messages SET status = 'accepted', accepted_at = $1, response = $2, claimed_by = NULL, lease_until = NULL, last_error_json = NULL, updated_at = $1
                  WHERE id = $3::text AND claimed_by = $4::text AND status = 'sending' AND (SELECT v FROM s) IS NOT NULL
                  RETURNING id
                )
           INSERT INTO traces (ts_utc, ts_workstation, actor, mailbox, action, request, reply_code, reply_text, message_id, outcome)
           SELECT $5::bigint, $6::text, $7::text, $8::text, $9::text, $10::text, $11::integer, $12::text, $13::text, $14::text FROM u`,
          [outcome.now, outcome.response, id, workerId, t.tsUtc, t.tsWorkstation ?? null, t.actor, t.mailbox, t.action, t.request, t.replyCode ?? null, t.replyText ?? null, t.messageId ?? null, t.outcome],
        );
        return res.rowCount === 1;
      }
      return tx(async (c) => {
        let count: number | null;
        switch (outcome.status) {
          case 'accepted':
            count = (
              await c.query(
                `UPDATE outbound_messages SET status = 'accepted', accepted_at = $1, response = $2, claimed_by = NULL, lease_until = NULL, last_error_json = NULL, updated_at = $1
                 WHERE id = $3 AND claimed_by = $4 AND status = 'sending'`,
                [outcome.now, outcome.response, id, workerId],
              )
            ).rowCount;
            break;
          case 'queued':
            count = (
              await c.query(
                `UPDATE outbound_messages SET status = 'queued', next_attempt_at = $1, last_error_json = $2, claimed_by = NULL, lease_until = NULL, updated_at = $3
                 WHERE id = $4 AND claimed_by = $5 AND status = 'sending'`,
                [outcome.nextAttemptAt, JSON.stringify(outcome.error), outcome.now, id, workerId],
              )
            ).rowCount;
            break;
          case 'failed':
            count = (
              await c.query(
                `UPDATE outbound_messages SET status = 'failed', last_error_json = $1, claimed_by = NULL, lease_until = NULL, updated_at = $2
                 WHERE id = $3 AND claimed_by = $4 AND status = 'sending'`,
                [JSON.stringify(outcome.error), outcome.now, id, workerId],
              )
            ).rowCount;
            break;
        }
        if (count === 1 && trace) await insertTrace(c, trace);
        return count === 1;
      });
    },
    async renewOutboundLeases(ids, workerId, leaseUntil) {
      if (ids.length === 0) return 0;
      const res = await pool.query(`UPDATE outbound_messages SET lease_until = $1 WHERE claimed_by = $2 AND status = 'sending' AND id = ANY($3::text[])`, [leaseUntil, workerId, [...ids]]);
      return res.rowCount ?? 0;
    },
    async outboundCounts() {
      const res = await pool.query<{ status: OutboundStatus; n: string }>('SELECT status, COUNT(*) AS n FROM outbound_messages GROUP BY status');
      return Object.fromEntries(res.rows.map((r) => [r.status, Number(r.n)]));
    },
    async outboundWaitingCounts() {
      const res = await pool.query<{ code: string | null; n: string }>(
        `SELECT (last_error_json::json ->> 'code') AS code, COUNT(*) AS n FROM outbound_messages
         WHERE status = 'queued' AND last_error_json IS NOT NULL GROUP BY 1`,
      );
      return Object.fromEntries(res.rows.filter((r) => typeof r.code === 'string').map((r) => [r.code as string, Number(r.n)]));
    },
    async appendTrace(trace) {
      await insertTrace(pool, trace);
    },
    async listTraces(filter) {
      const where: string[] = [];
      const args: (string | number)[] = [];
      const add = (sql: string, v: string | number) => {
        args.push(v);
        where.push(sql.replace('?', `$${args.length}`));
      };
      if (filter.mailbox !== undefined) add('mailbox = ?', filter.mailbox);
      if (filter.action !== undefined) add('action = ?', filter.action);
      if (filter.from !== undefined) add('ts_utc >= ?', filter.from);
      if (filter.to !== undefined) add('ts_utc < ?', filter.to);
      args.push(traceLimit(filter.limit));
      const res = await pool.query<TraceRow>(`SELECT * FROM traces ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY ts_utc DESC, id DESC LIMIT $${args.length}`, args);
      return res.rows.map(toTraceRecord);
    },
    async purgeTraces(beforeUtc) {
      const res = await pool.query('DELETE FROM traces WHERE ts_utc < $1', [beforeUtc]);
      return res.rowCount ?? 0;
    },
    ...postgresReceipts(pool, tx),
    async close() {
      if (closed) return;
      closed = true;
      await pool.end();
    },
  };
  return store;
}

/** Applies the pending migrations under an advisory lock (two instances starting together); returns the version. */
async function migrate(pool: Pool, migrations: readonly Migration[], where: string): Promise<number> {
  migrations.forEach((m, i) => {
    if (m.id !== i + 1) throw new Error(`Migration ids must be 1, 2, 3... in order; found ${m.id} at position ${i + 1}.`);
  });
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await client.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
    await client.query(`CREATE TABLE IF NOT EXISTS schema_migrations (id INTEGER PRIMARY KEY, description TEXT NOT NULL, applied_at TEXT NOT NULL)`);
    const applied = (await client.query<{ id: number }>('SELECT id FROM schema_migrations ORDER BY id')).rows.map((r) => Number(r.id));
    const newest = applied.length ? applied[applied.length - 1] : 0;
    if (newest > migrations.length) {
      throw new StoreError(
        'STORE_NEWER_SCHEMA',
        `La base PostgreSQL « ${where} » est au schéma ${newest}, plus récent que celui de cette version de mss-outlook (${migrations.length}). Mettez mss-outlook à jour, ou changez store.postgresUrl.`,
      );
    }
    for (const m of migrations) {
      if (applied.includes(m.id)) continue;
      try {
        await client.query('SAVEPOINT m');
        await client.query(m.sql);
        await client.query('INSERT INTO schema_migrations (id, description, applied_at) VALUES ($1, $2, $3)', [m.id, m.description, new Date().toISOString()]);
        await client.query('RELEASE SAVEPOINT m');
      } catch (e) {
        throw new StoreError('STORE_MIGRATION_FAILED', `La migration ${m.id} (${m.description}) a échoué sur « ${where} » : ${(e as Error).message}. La base est restée au schéma précédent.`);
      }
    }
    await client.query('COMMIT');
    return migrations.length;
  } catch (e) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw e;
  } finally {
    client.release();
  }
}
