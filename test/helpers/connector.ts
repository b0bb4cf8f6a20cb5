// Runtime: Node (jest). Shared helpers for connector and CLI tests: the real liste blanche of ../shared, a test
// configuration in a temp folder, and an app built with real dependencies (SQLite, sample directory).
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { parseListeBlanche, TrustSpace } from '../../src/core';
import { buildApp } from '../../src/connector/app';
import { loadConfig, type Config } from '../../src/connector/config';
import { loadSampleDirectory, type SampleDirectory } from '../../src/connector/directory/sample-directory';
import { bundledDirectoryPath } from '../../src/connector/package-root';
import { openSqliteStore, type Store } from '../../src/connector/store';
import { makeTempDir } from './tmp';

/** Root of the repository. */
export const REPO_ROOT = join(__dirname, '..', '..');

/** A file of the shared sample data (../shared/data beside the repository; CI lays it there too). */
export function sharedData(...parts: string[]): string {
  const p = join(REPO_ROOT, '..', 'shared', 'data', ...parts);
  if (!existsSync(p)) throw new Error(`Shared sample data missing: ${p} (expected ../shared beside the repository)`);
  return p;
}

/** The full signed liste blanche of 2025-02-28 (4,944 domains). */
export const LISTE_BLANCHE_2025 = (): string => sharedData('listeblanche', 'listeblanchemssante_2025-02-28.xml');
/** ANS's truncated GitHub copy (not well-formed). */
export const LISTE_BLANCHE_TRUNCATED = (): string => sharedData('listeblanche', 'listeblanchemssante.xml');

let realTrustSpace: TrustSpace | undefined;
/** The trust space of the real 2025-02-28 list, parsed once per test file. */
export function realTrustSpace2025(): TrustSpace {
  realTrustSpace ??= TrustSpace.fromListeBlanche(parseListeBlanche(readFileSync(LISTE_BLANCHE_2025(), 'utf8')));
  return realTrustSpace;
}

/** The bundled sample directory. */
export function sampleDirectory(): SampleDirectory {
  return loadSampleDirectory(bundledDirectoryPath());
}

/** Deep partial of the Config, for overrides. */
export type ConfigOverrides = { [K in keyof Config]?: Config[K] extends object ? Partial<Config[K]> : Config[K] };

/**
 * The embedded default configuration with its data folder in a fresh temp folder, then `overrides` merged one
 * level deep (e.g. `{ harness: { enabled: false } }`).
 */
export function testConfig(overrides: ConfigOverrides = {}): Config {
  const dir = makeTempDir('mss-outlook-config-');
  const base = loadConfig({ env: { MSS_DATA_DIR: join(dir, 'data') }, cwd: dir });
  const merged: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(overrides)) {
    const current = (base as unknown as Record<string, unknown>)[k];
    merged[k] = v !== null && typeof v === 'object' && !Array.isArray(v) && typeof current === 'object' ? { ...(current as object), ...v } : v;
  }
  return merged as unknown as Config;
}

/** An app built with real dependencies; close it (and its store) with `close()`. */
export interface TestApp {
  readonly app: FastifyInstance;
  readonly store: Store;
  readonly config: Config;
  close(): Promise<void>;
}

export async function buildTestApp(overrides: ConfigOverrides = {}, now?: () => Date): Promise<TestApp> {
  const config = testConfig(overrides);
  const store = openSqliteStore(config.store.sqlitePath, now ? { now } : {});
  const app = buildApp({ config, store, trustSpace: realTrustSpace2025(), directory: sampleDirectory(), logger: false, ...(now ? { now } : {}) });
  await app.ready();
  return {
    app,
    store,
    config,
    async close() {
      await app.close();
      await store.close();
    },
  };
}
