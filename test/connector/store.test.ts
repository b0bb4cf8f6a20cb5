// Runtime: Node (jest). The SQLite store on real files: WAL, migrations applied once, idempotent reopen,
// refusal of a database from a newer version, audit rows holding counts and codes only.
import Database from 'better-sqlite3';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { MIGRATIONS, openSqliteStore, StoreError, toLocalIso, type Migration } from '../../src/connector/store';
import { makeTempDir, removeTempDirs } from '../helpers/tmp';

afterAll(removeTempDirs);

function dbPath(): string {
  return join(makeTempDir('mss-outlook-store-'), 'nested', 'mss-outlook.sqlite');
}

function rawRows(path: string, sql: string): unknown[] {
  const db = new Database(path, { readonly: true });
  try {
    return db.prepare(sql).all();
  } finally {
    db.close();
  }
}

describe('migrations', () => {
  it('are numbered 1, 2, 3... and described', () => {
    MIGRATIONS.forEach((m, i) => {
      expect(m.id).toBe(i + 1);
      expect(m.description.length).toBeGreaterThan(0);
    });
  });

  it('creates the folder, uses WAL and applies each migration once', async () => {
    const path = dbPath();
    const store = openSqliteStore(path);
    expect(store.type).toBe('sqlite');
    expect(store.schemaVersion()).toBe(MIGRATIONS.length);
    await store.close();

    const applied = rawRows(path, 'SELECT id, description FROM schema_migrations ORDER BY id');
    expect(applied).toEqual(MIGRATIONS.map((m) => ({ id: m.id, description: m.description })));
    expect(rawRows(path, 'PRAGMA journal_mode')).toEqual([{ journal_mode: 'wal' }]);
    const tables = (rawRows(path, "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name") as { name: string }[]).map((r) => r.name);
    expect(tables).toEqual(expect.arrayContaining(['audit_log', 'schema_migrations', 'settings']));
  });

  it('reopening is idempotent: nothing applied twice, data kept', async () => {
    const path = dbPath();
    const first = openSqliteStore(path);
    await first.appendAudit({ actor: 'api', action: 'classify', outcome: 'ok', details: { count: 1 } });
    await first.close();
    const second = openSqliteStore(path);
    expect(second.schemaVersion()).toBe(MIGRATIONS.length);
    expect(await second.recentAudit(10)).toHaveLength(1);
    await second.close();
    expect(rawRows(path, 'SELECT COUNT(*) AS n FROM schema_migrations')).toEqual([{ n: MIGRATIONS.length }]);
  });

  it('applies only the new migrations of a later version', async () => {
    const path = dbPath();
    const v1 = openSqliteStore(path, { migrations: MIGRATIONS.slice(0, 1) });
    expect(v1.schemaVersion()).toBe(1);
    await v1.close();
    const later: Migration[] = [...MIGRATIONS, { id: MIGRATIONS.length + 1, description: 'test', sql: 'CREATE TABLE t_later (x INTEGER)' }];
    const v2 = openSqliteStore(path, { migrations: later });
    expect(v2.schemaVersion()).toBe(later.length);
    await v2.close();
    expect(rawRows(path, 'SELECT id FROM schema_migrations ORDER BY id')).toEqual(later.map((m) => ({ id: m.id })));
  });

  it('refuses a database written by a newer version, with a clear French error', async () => {
    const path = dbPath();
    const newer: Migration[] = [...MIGRATIONS, { id: MIGRATIONS.length + 1, description: 'future', sql: 'CREATE TABLE future (x INTEGER)' }];
    await openSqliteStore(path, { migrations: newer }).close();

    let error: unknown;
    try {
      openSqliteStore(path);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(StoreError);
    expect((error as StoreError).code).toBe('STORE_NEWER_SCHEMA');
    expect((error as StoreError).message).toBe(
      `La base « ${path} » est au schéma ${MIGRATIONS.length + 1}, plus récent que celui de cette version de mss-outlook (${MIGRATIONS.length}). Mettez mss-outlook à jour, ou pointez store.sqlitePath vers une autre base.`,
    );
    // the refused file is left as it was, and is not kept open
    expect(rawRows(path, 'SELECT MAX(id) AS v FROM schema_migrations')).toEqual([{ v: MIGRATIONS.length + 1 }]);
  });

  it('rolls a failing migration back and keeps the previous schema', async () => {
    const path = dbPath();
    const broken: Migration[] = [...MIGRATIONS, { id: MIGRATIONS.length + 1, description: 'cassée', sql: 'CREATE TABLE ok_part (x INTEGER); THIS IS NOT SQL;' }];
    expect(() => openSqliteStore(path, { migrations: broken })).toThrow(StoreError);
    expect(rawRows(path, 'SELECT MAX(id) AS v FROM schema_migrations')).toEqual([{ v: MIGRATIONS.length }]);
    expect(rawRows(path, "SELECT name FROM sqlite_master WHERE name = 'ok_part'")).toEqual([]);
  });

  it('rejects a migration list out of order (programmer error)', () => {
    expect(() => openSqliteStore(dbPath(), { migrations: [MIGRATIONS[1], MIGRATIONS[0]] })).toThrow(/in order/);
  });
});

describe('audit log', () => {
  it('stores UTC and local timestamps, actor, action, outcome, code and details; newest first', async () => {
    const path = dbPath();
    let t = Date.parse('2026-03-01T09:00:00.000Z');
    const store = openSqliteStore(path, { now: () => new Date((t += 1000)) });
    await store.appendAudit({ actor: 'api', action: 'classify', outcome: 'ok', details: { count: 3, kinds: { mssante: 2, external: 1 } } });
    await store.appendAudit({ actor: 'api', action: 'classify', outcome: 'rejected', code: 'BATCH_TOO_LARGE' });
    const rows = await store.recentAudit(10);
    await store.close();
    expect(rows).toEqual([
      { id: 2, tsUtc: '2026-03-01T09:00:02.000Z', tsLocal: toLocalIso(new Date('2026-03-01T09:00:02.000Z')), actor: 'api', action: 'classify', outcome: 'rejected', code: 'BATCH_TOO_LARGE', details: {} },
      { id: 1, tsUtc: '2026-03-01T09:00:01.000Z', tsLocal: toLocalIso(new Date('2026-03-01T09:00:01.000Z')), actor: 'api', action: 'classify', outcome: 'ok', details: { count: 3, kinds: { mssante: 2, external: 1 } } },
    ]);
    const reopened = openSqliteStore(path);
    expect(await reopened.recentAudit(1)).toHaveLength(1);
    await reopened.close();
  });

  it('refuses details that hold an address: counts, kinds and codes only', async () => {
    const store = openSqliteStore(dbPath());
    await expect(store.appendAudit({ actor: 'api', action: 'classify', outcome: 'ok', details: { first: 'sophie.martin@medecin.mssante.fr' } })).rejects.toThrow(/must not contain e-mail addresses/);
    await expect(store.appendAudit({ actor: 'jean@x.fr', action: 'classify', outcome: 'ok' })).rejects.toThrow();
    await expect(store.appendAudit({ actor: 'api', action: 'classify', outcome: 'ok', details: { kinds: { 'a@b.fr': 1 } } })).rejects.toThrow();
    expect(await store.recentAudit(10)).toEqual([]);
    await store.close();
  });

  it('formats local time with the UTC offset', () => {
    expect(toLocalIso(new Date('2026-03-01T09:00:00.000Z'))).toMatch(/^2026-03-01T\d{2}:\d{2}:00\.000[+-]\d{2}:\d{2}$/);
  });
});

describe('settings', () => {
  it('stores and replaces values', async () => {
    const store = openSqliteStore(dbPath());
    expect(await store.getSetting('liste-blanche.etag')).toBeUndefined();
    await store.setSetting('liste-blanche.etag', 'a');
    await store.setSetting('liste-blanche.etag', 'b');
    expect(await store.getSetting('liste-blanche.etag')).toBe('b');
    await store.close();
  });
});

describe('open failures', () => {
  it('a path that cannot be created gives STORE_OPEN_FAILED naming store.sqlitePath', () => {
    const file = join(makeTempDir(), 'a-file');
    writeFileSync(file, 'x');
    let error: unknown;
    try {
      openSqliteStore(join(file, 'sub', 'db.sqlite'));
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(StoreError);
    expect((error as StoreError).code).toBe('STORE_OPEN_FAILED');
    expect((error as StoreError).message).toContain('Vérifiez store.sqlitePath');
  });
});
