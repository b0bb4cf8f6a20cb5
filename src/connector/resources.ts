// Runtime: Node (connector, CLI). Loads what the configuration points at: the trust space (a liste blanche file or
// the bundled snapshot) and the directory (an extraction file or the bundled sample). Shared by server.ts and the
// CLI so both answer the same way. Problems become a ConfigError naming the setting and the fix.

import { readFileSync } from 'node:fs';
import { defaultTrustSpace, ListeBlancheError, parseListeBlanche, TrustSpace } from '../core';
import { ConfigError, type Config } from './config';
import { DirectoryFileError, loadSampleDirectory, type SampleDirectory } from './directory/sample-directory';
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
  readonly directory: SampleDirectory;
  readonly source: 'bundled' | 'file';
  readonly path: string;
}

/** Loads the extraction named by `directory.extractionPath`, or the bundled sample directory. */
export function loadDirectory(config: Config): LoadedDirectoryInfo {
  const configured = config.directory.extractionPath;
  const path = configured ?? bundledDirectoryPath();
  try {
    return { directory: loadSampleDirectory(path), source: configured ? 'file' : 'bundled', path };
  } catch (e) {
    if (e instanceof DirectoryFileError) {
      throw new ConfigError([
        `directory.extractionPath : ${e.message}${configured ? ' Ou retirez le réglage pour utiliser l\'annuaire d\'exemple intégré.' : ''}`,
      ]);
    }
    throw e;
  }
}
