// Runtime: Node (connector, CLI, tests). The small bundled sample directory (assets/directory/annuaire-exemple.txt)
// and any extraction held in memory, read by the same core parser as the national loader (load-extraction.ts).
// Kept for callers that want a synchronous, in-memory directory.

import { readFileSync } from 'node:fs';
import type { DirectoryIndex, DirectoryLookup } from '../../core';
import { DirectoryLoadError, loadExtractionText } from './load-extraction';

/** Historical alias of {@link DirectoryLoadError}. */
export { DirectoryLoadError as DirectoryFileError } from './load-extraction';

/** A directory loaded in memory. */
export interface SampleDirectory {
  /** Look-up by normalised address (core `normaliseAddress`: local part lower-cased, domain in ASCII). */
  readonly lookup: DirectoryLookup;
  /** Number of distinct addresses. */
  readonly size: number;
  readonly index: DirectoryIndex;
  /** Data lines read; lines skipped (malformed); repeated addresses (first line kept). */
  readonly stats: { readonly lines: number; readonly skipped: number; readonly duplicates: number };
}

/** Parses the text of an extraction. Throws DirectoryLoadError (DIRECTORY_HEADER) when a required column is missing. */
export function parseDirectoryExtraction(text: string, source = 'annuaire'): SampleDirectory {
  const { index, report } = loadExtractionText(text, source);
  return { lookup: index.lookup, size: index.size, index, stats: { lines: report.lines, skipped: report.malformed, duplicates: report.duplicates } };
}

/** Reads an extraction file (UTF-8, plain text). Throws DirectoryLoadError with a French message. */
export function loadSampleDirectory(path: string): SampleDirectory {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new DirectoryLoadError('DIRECTORY_UNREADABLE', `Annuaire illisible : « ${path} » (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}).`);
  }
  return parseDirectoryExtraction(text, path);
}
