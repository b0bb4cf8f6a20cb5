// Runtime: Node (connector). Public surface of the store.
export * from './store';
export { MIGRATIONS, type Migration } from './migrations';
export { openSqliteStore, type SqliteStoreOptions } from './sqlite-store';
