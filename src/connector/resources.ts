// Runtime: Node (connector, CLI). Loads what the configuration points at: the trust space (a liste blanche file or
// the bundled snapshot) and the directory (an extraction file or the bundled sample). Shared by server.ts and the
// CLI so both answer the same way. Problems become a ConfigError naming the setting and the fix.

import { readFileSync } from 'node:fs';
import { defaultTrustSpace, ListeBlancheError, parseListeBlanche, TrustSpace } from '../core';
import { ConfigError, type Config } from './config';
import { join } from 'node:path';
import { createFhirClient } from './directory/fhir-client';
import { DirectoryLoadError } from './directory/load-extraction';
import { DirectoryService, loadFromSource, loadMappingFile, sampleState, SNAPSHOT_FILE, usableSnapshot, type DirectoryState } from './directory/service';
import { bundledDirectoryPath } from './package-root';

/** The trust space and where it came from. */
export interface LoadedTrustSpace {
  readonly trustSpace: TrustSpace;
  /** `bundled` snapshot or the configured file. */
  readonly source: 'bundled' | 'file';
}

/** Loads the liste blanche named by `trustSpace.listeBlanchePath`, or the bundled snapshot. */
export function loadTrustSpace(config: Config): LoadedTrustSpace {
  const path = config.trustSpace.listeBlanchePath;
  if (path === undefined) return { trustSpace: defaultTrustSpace(), source: 'bundled' };
  let xml: string;
  try {
    xml = readFileSync(path, 'utf8');
  } catch (e) {
    throw new ConfigError([
      `trustSpace.listeBlanchePath : fichier illisible « ${path} » (${(e as NodeJS.ErrnoException).code ?? 'erreur de lecture'}). Corrigez le chemin (option --liste-blanche, MSS_LISTE_BLANCHE ou trustSpace.listeBlanchePath), ou retirez le réglage pour utiliser la liste blanche intégrée.`,
    ]);
  }
  try {
    return { trustSpace: TrustSpace.fromListeBlanche(parseListeBlanche(xml)), source: 'file' };
  } catch (e) {
    if (e instanceof ListeBlancheError) {
      throw new ConfigError([
        `trustSpace.listeBlanchePath : « ${path} » n'est pas une liste blanche MSSanté utilisable (${e.code} : ${e.message}). Téléchargez de nouveau listeblanchemssante.xml, corrigez le chemin (option --liste-blanche, MSS_LISTE_BLANCHE ou trustSpace.listeBlanchePath) ou retirez le réglage pour utiliser la liste blanche intégrée.`,
      ]);
    }
    throw e;
  }
}

/** The directory and where it came from. */
export interface LoadedDirectoryInfo {
  readonly directory: DirectoryService;
  /** `bundled` sample, configured `file`, downloaded `url`, `import`ed with the CLI, or `empty` (download pending). */
  readonly source: 'bundled' | 'file' | 'url' | 'import' | 'empty';
  readonly path: string;
  /** Whether the index came from the persisted snapshot (fast restart). */
  readonly fromSnapshot: boolean;
  /** French warnings for the start-up output (mapping lines skipped, download failed...). */
  readonly warnings: readonly string[];
}

/** Options of {@link loadDirectory}. */
export interface LoadDirectoryOptions {
  readonly fetch?: typeof fetch;
  readonly now?: () => Date;
  readonly log?: (event: string, fields: Record<string, string | number | boolean>) => void;
}

/**
 * Loads the directory the configuration points at: the persisted snapshot when it matches, else the extraction
 * file (then persisted), else the download URL, else the last `directory import`, else the bundled sample.
 */
export async function loadDirectory(config: Config, opts: LoadDirectoryOptions = {}): Promise<LoadedDirectoryInfo> {
  const cfg = config.directory;
  const now = opts.now ?? (() => new Date());
  const warnings: string[] = [];
  const withSnapshotDir = { ...cfg, snapshotDir: cfg.snapshotDir ?? join(config.dataDir, 'directory') };
  let state: DirectoryState | undefined;
  let source: LoadedDirectoryInfo['source'];
  let fromSnapshot = false;
  try {
    state = usableSnapshot(withSnapshotDir);
    fromSnapshot = state !== undefined;
    if (cfg.extractionPath) {
      source = 'file';
      state ??= await loadFromSource(withSnapshotDir, { now, ...(opts.fetch ? { fetch: opts.fetch } : {}) });
    } else if (cfg.url) {
      source = 'url';
      if (!state) {
        try {
          state = await loadFromSource(withSnapshotDir, { now, ...(opts.fetch ? { fetch: opts.fetch } : {}) });
        } catch (e) {
          if (!(e instanceof DirectoryLoadError)) throw e;
          warnings.push(`Annuaire : premier téléchargement impossible (${e.message}) Nouvel essai au prochain rafraîchissement ; en attendant, seules l'API FHIR (si configurée) et l'annuaire d'exemple répondent.`);
          source = 'empty';
        }
      }
    } else {
      source = state ? 'import' : 'bundled';
    }
  } catch (e) {
    if (e instanceof DirectoryLoadError) {
      throw new ConfigError([`directory.extractionPath : ${e.message} Corrigez le chemin (MSS_DIRECTORY) ou retirez le réglage pour utiliser l'annuaire d'exemple intégré.`]);
    }
    throw e;
  }
  state ??= sampleState(bundledDirectoryPath());

  let mapping;
  if (cfg.mappingCsvPath) {
    const m = loadMappingFile(cfg.mappingCsvPath);
    mapping = m.table;
    if (m.problems.length > 0) {
      warnings.push(`Table de correspondance : ${m.problems.length} ligne(s) ignorée(s) (${m.problems.slice(0, 3).map((p) => `ligne ${p.line} : ${p.problem}`).join(' ; ')}).`);
    }
  }
  const fhir = cfg.fhir?.apiKey
    ? createFhirClient({
        baseUrl: cfg.fhir.baseUrl,
        apiKey: cfg.fhir.apiKey,
        cacheTtlMs: cfg.fhir.cacheTtlSeconds * 1000,
        ...(opts.fetch ? { fetch: opts.fetch } : {}),
        ...(opts.log ? { log: opts.log } : {}),
      })
    : undefined;
  const directory = new DirectoryService({
    initial: state,
    config: withSnapshotDir,
    ...(mapping ? { mapping } : {}),
    ...(fhir ? { fhir } : {}),
    ...(opts.log ? { log: opts.log } : {}),
    ...(opts.fetch ? { fetch: opts.fetch } : {}),
    now,
  });
  const path = source === 'bundled' ? bundledDirectoryPath() : source === 'import' ? join(withSnapshotDir.snapshotDir, SNAPSHOT_FILE) : state.meta.source;
  return { directory, source, path, fromSnapshot, warnings };
}
