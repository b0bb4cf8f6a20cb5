// Runtime: Node (connector). Public surface of the store.
export * from './store';
export * from './receipts';
export { MIGRATIONS, PG_MIGRATIONS, type Migration } from './migrations';
export { openSqliteStore, type SqliteStoreOptions } from './sqlite-store';
export { openPostgresStore, type PostgresStoreOptions } from './postgres-store';
