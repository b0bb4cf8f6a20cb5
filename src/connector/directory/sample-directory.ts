// Runtime: Node (connector, CLI). A minimal reader for the Annuaire Santé MSSanté extraction
// (`Extraction_Correspondance_MSSante_AAAAMMJJhhmm.txt`, MSSANTE.md §4.b: UTF-8, `|`-separated, one header line,
// 31 columns). Columns are located by header NAME, not position, so a reordered or extended file still reads.
// Small and honest: enough for the bundled sample and for a real file of moderate size; the full national loader
// (535 000 lines, daily refresh, dedup report) is a later issue.

import { readFileSync } from 'node:fs';
import { MAILBOX_TYPES, normaliseAddress } from '../../core';
import type { DirectoryEntry, DirectoryLookup, MailboxType } from '../../core';

/** Header names this reader uses (exact strings of the ANS file, MSSANTE.md §4.b). */
export const EXTRACTION_COLUMNS = {
  mailboxType: 'Type de BAL',
  address: 'Adresse BAL',
  service: 'Service de rattachement',
  lastName: "Nom d'exercice",
  firstName: "Prénom d'exercice",
  profession: 'Libellé Profession',
  organisation: 'Raison Sociale structure BAL',
} as const;

/** Columns without which the file cannot be read. */
const REQUIRED = [EXTRACTION_COLUMNS.mailboxType, EXTRACTION_COLUMNS.address] as const;

/** The file is not an MSSanté extraction (French message naming the fix). */
export class DirectoryFileError extends Error {
  constructor(
    readonly code: 'DIRECTORY_UNREADABLE' | 'DIRECTORY_HEADER',
    message: string,
  ) {
    super(message);
    this.name = 'DirectoryFileError';
  }
}

/** A directory loaded in memory. */
export interface SampleDirectory {
  /** Look-up by normalised address (core `normaliseAddress`: local part lower-cased, domain in ASCII). */
  readonly lookup: DirectoryLookup;
  /** Number of distinct addresses. */
  readonly size: number;
  readonly entries: ReadonlyMap<string, DirectoryEntry>;
  /** Data lines read; lines skipped (unknown BAL type, no valid address); repeated addresses (first line kept). */
  readonly stats: { readonly lines: number; readonly skipped: number; readonly duplicates: number };
}

function clean(v: string | undefined): string | undefined {
  const t = v?.trim();
  return t ? t : undefined;
}

/** Parses the text of an extraction. Throws {@link DirectoryFileError} when a required column is missing. */
export function parseDirectoryExtraction(text: string, source = 'annuaire'): SampleDirectory {
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  const header = (lines[0] ?? '').split('|').map((h) => h.trim());
  const missing = REQUIRED.filter((c) => !header.includes(c));
  if (missing.length > 0) {
    throw new DirectoryFileError(
      'DIRECTORY_HEADER',
      `« ${source} » n'est pas une extraction Extraction_Correspondance_MSSante : colonne(s) ${missing.map((m) => `« ${m} »`).join(', ')} absente(s) de la première ligne. Vérifiez directory.extractionPath (ou MSS_DIRECTORY).`,
    );
  }
  const col = (name: string): number => header.indexOf(name);
  const idx = {
    type: col(EXTRACTION_COLUMNS.mailboxType),
    address: col(EXTRACTION_COLUMNS.address),
    service: col(EXTRACTION_COLUMNS.service),
    lastName: col(EXTRACTION_COLUMNS.lastName),
    firstName: col(EXTRACTION_COLUMNS.firstName),
    profession: col(EXTRACTION_COLUMNS.profession),
    organisation: col(EXTRACTION_COLUMNS.organisation),
  };
  const at = (fields: string[], i: number): string | undefined => (i >= 0 ? clean(fields[i]) : undefined);

  const entries = new Map<string, DirectoryEntry>();
  let dataLines = 0;
  let skipped = 0;
  let duplicates = 0;
  for (let n = 1; n < lines.length; n++) {
    const line = lines[n];
    if (line.trim() === '') continue;
    dataLines++;
    const fields = line.split('|');
    const type = at(fields, idx.type)?.toUpperCase();
    const rawAddress = at(fields, idx.address);
    // the same key as the classifier's (local part lower-cased, domain in ASCII)
    const address = rawAddress !== undefined ? normaliseAddress(rawAddress) : undefined;
    if (!type || !(MAILBOX_TYPES as readonly string[]).includes(type) || !address) {
      skipped++;
      continue;
    }
    if (entries.has(address)) {
      duplicates++;
      continue;
    }
    const mailboxType = type as MailboxType;
    const firstName = at(fields, idx.firstName);
    const lastName = at(fields, idx.lastName);
    const service = at(fields, idx.service);
    const organisation = at(fields, idx.organisation);
    const person = [firstName, lastName].filter(Boolean).join(' ');
    const displayName = person || service || organisation;
    const profession = at(fields, idx.profession);
    entries.set(address, {
      address,
      mailboxType,
      ...(displayName ? { displayName } : {}),
      ...(profession ? { profession } : {}),
      ...(organisation ? { organisation } : {}),
    });
  }
  return {
    lookup: (normalisedAddress: string) => entries.get(normalisedAddress),
    size: entries.size,
    entries,
    stats: { lines: dataLines, skipped, duplicates },
  };
}

/** Reads an extraction file (UTF-8). Throws {@link DirectoryFileError} with a French message. */
export function loadSampleDirectory(path: string): SampleDirectory {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new DirectoryFileError(
      'DIRECTORY_UNREADABLE',
      `Annuaire illisible : « ${path} » (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}). Vérifiez directory.extractionPath (ou MSS_DIRECTORY).`,
    );
  }
  return parseDirectoryExtraction(text, path);
}
