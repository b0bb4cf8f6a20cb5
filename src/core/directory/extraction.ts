// Runtime: any (pure core). Reading the Annuaire Santé bulk extraction `Extraction_Correspondance_MSSante`
// (MSSANTE.md §4.b: UTF-8, `|`-separated, one header line, 31 columns). Columns are located by header NAME, so a
// reordered or extended file still reads; CRLF, a trailing `|` and a BOM are tolerated. One line in, one record
// or one reason out: malformed lines are reported with their number by the caller, never thrown.

import { MAILBOX_TYPES } from '../types';
import type { MailboxType } from '../types';
import { normaliseAddress } from '../address';

/** Header names of the columns the directory keeps (exact strings of the ANS file, MSSANTE.md §4.b). */
export const EXTRACTION_COLUMNS = {
  mailboxType: 'Type de BAL',
  address: 'Adresse BAL',
  idType: 'Type Identifiant PP',
  idPP: 'Identifiant PP',
  nationalId: 'Identification nationale PP',
  structureIdType: 'Type identifiant structure',
  structureId: 'Identification Structure',
  service: 'Service de rattachement',
  civility: "Civilité d'exercice",
  lastName: "Nom d'exercice",
  firstName: "Prénom d'exercice",
  professionCode: 'Code Profession',
  profession: 'Libellé Profession',
  specialty: 'Libellé savoir-faire',
  organisation: 'Raison Sociale structure BAL',
  brand: 'Enseigne commerciale structure BAL',
  city: 'L6LIGNEACHEMINEMENT structure BAL',
  postalCode: 'Code postal structure BAL',
  department: 'Département structure BAL',
} as const;

/** Kept fields with few distinct values, stored interned (everything but the type, the address and the ids). */
export const INTERNED_FIELDS = [
  'idType', 'structureIdType', 'service', 'civility', 'lastName', 'firstName', 'professionCode', 'profession',
  'specialty', 'organisation', 'brand', 'city', 'postalCode', 'department',
] as const;
/** Identifiers: nearly one per line, stored as they are and found through their own hash table. */
export const ID_FIELDS = ['nationalId', 'idPP', 'structureId'] as const;
/** Every kept field. */
export const RECORD_FIELDS = [...INTERNED_FIELDS, ...ID_FIELDS] as const;
export type RecordField = (typeof RECORD_FIELDS)[number];

/** One mailbox of the extraction: normalised address, type, and the kept fields ('' when empty). */
export interface ExtractionRecord {
  readonly address: string;
  readonly mailboxType: MailboxType;
  readonly fields: Readonly<Record<RecordField, string>>;
}

/** Where each column is, from the header line. */
export interface ColumnMap {
  /** Number of fields of a well-formed line (header columns, a trailing empty one excluded). */
  readonly width: number;
  readonly type: number;
  readonly address: number;
  /** Position of each kept field, -1 when the column is absent. */
  readonly fields: readonly number[];
}

/** Why a line was skipped. */
export const LINE_PROBLEMS = ['COLUMN_COUNT', 'NO_ADDRESS', 'INVALID_ADDRESS', 'UNKNOWN_TYPE', 'INVALID_UTF8'] as const;
export type LineProblem = (typeof LINE_PROBLEMS)[number];

/** French label of each line problem (reports, CLI summary). */
export const LINE_PROBLEM_FR: Readonly<Record<LineProblem, string>> = {
  COLUMN_COUNT: 'nombre de colonnes incorrect',
  NO_ADDRESS: 'adresse BAL vide',
  INVALID_ADDRESS: 'adresse BAL invalide',
  UNKNOWN_TYPE: 'type de BAL inconnu',
  INVALID_UTF8: 'caractères non UTF-8',
};

/** Reads the header line. Returns the map, or the names of the missing required columns. */
export function mapExtractionHeader(headerLine: string): { ok: true; map: ColumnMap } | { ok: false; missing: string[] } {
  let line = headerLine.charCodeAt(0) === 0xfeff ? headerLine.slice(1) : headerLine;
  if (line.endsWith('\r')) line = line.slice(0, -1);
  const names = line.split('|').map((h) => h.trim());
  if (names.length > 1 && names[names.length - 1] === '') names.pop();
  const type = names.indexOf(EXTRACTION_COLUMNS.mailboxType);
  const address = names.indexOf(EXTRACTION_COLUMNS.address);
  const missing: string[] = [];
  if (type < 0) missing.push(EXTRACTION_COLUMNS.mailboxType);
  if (address < 0) missing.push(EXTRACTION_COLUMNS.address);
  if (missing.length > 0) return { ok: false, missing };
  return { ok: true, map: { width: names.length, type, address, fields: RECORD_FIELDS.map((f) => names.indexOf(EXTRACTION_COLUMNS[f])) } };
}

const SIMPLE_ADDRESS = /^[a-z0-9!#$%&'*+/=?^_`{|}~.-]+@[a-z0-9-]+(\.[a-z0-9-]+)+$/;

/**
 * Normalised address, with a fast path for the plain ASCII addresses that make up the file (the same key as
 * {@link normaliseAddress}: local part lower-cased, domain in ASCII); anything else goes through the full parser.
 */
export function normaliseDirectoryAddress(raw: string): string | undefined {
  const lower = raw.trim().toLowerCase();
  if (lower.length <= 254 && SIMPLE_ADDRESS.test(lower) && lower.indexOf('..') < 0 && lower[0] !== '.' && lower.indexOf('.@') < 0 && lower.indexOf('@-') < 0 && lower.indexOf('@') <= 64) return lower;
  return normaliseAddress(raw.trim());
}

/** Reusable output of {@link parseExtractionLineInto}: the values of RECORD_FIELDS, in order. */
export interface LineSlots {
  address: string;
  mailboxType: MailboxType;
  /** Field boundaries scratch (reused). */
  readonly starts: number[];
  /** Values of RECORD_FIELDS, in order. */
  readonly values: string[];
}

/** A fresh {@link LineSlots}. */
export function newLineSlots(): LineSlots {
  return { address: '', mailboxType: 'PER', starts: [], values: RECORD_FIELDS.map(() => '') };
}

/**
 * Parses one data line (without its end-of-line; a trailing CR is tolerated) into `out`, allocating only the kept
 * columns. Returns undefined when the line is usable, else why not.
 */
export function parseExtractionLineInto(rawLine: string, map: ColumnMap, out: LineSlots): LineProblem | undefined {
  const line = rawLine.charCodeAt(rawLine.length - 1) === 13 ? rawLine.slice(0, -1) : rawLine;
  if (line.indexOf('\uFFFD') >= 0) return 'INVALID_UTF8';
  const starts = out.starts;
  starts.length = 0;
  let pos = 0;
  for (;;) {
    starts.push(pos);
    const bar = line.indexOf('|', pos);
    if (bar < 0) break;
    pos = bar + 1;
  }
  let count = starts.length;
  // a trailing `|` gives one more, empty, field
  if (count === map.width + 1 && starts[count - 1] === line.length) count--;
  if (count !== map.width) return 'COLUMN_COUNT';
  const rawAddress = cut(line, starts, map.address);
  if (rawAddress === '') return 'NO_ADDRESS';
  const type = cut(line, starts, map.type).toUpperCase();
  if ((MAILBOX_TYPES as readonly string[]).indexOf(type) < 0) return 'UNKNOWN_TYPE';
  const address = normaliseDirectoryAddress(rawAddress);
  if (address === undefined) return 'INVALID_ADDRESS';
  out.address = address;
  out.mailboxType = type as MailboxType;
  const values = out.values;
  for (let f = 0; f < values.length; f++) values[f] = cut(line, starts, map.fields[f]);
  return undefined;
}

function cut(line: string, starts: readonly number[], i: number): string {
  if (i < 0) return '';
  const from = starts[i];
  const end = i + 1 < starts.length ? starts[i + 1] - 1 : line.length;
  if (from === end) return '';
  const c0 = line.charCodeAt(from);
  const c1 = line.charCodeAt(end - 1);
  const v = line.slice(from, end);
  return c0 === 32 || c1 === 32 || c0 === 9 || c1 === 9 ? v.trim() : v;
}

/** Parses one data line into a record (convenience over {@link parseExtractionLineInto}). */
export function parseExtractionLine(rawLine: string, map: ColumnMap): { ok: true; record: ExtractionRecord } | { ok: false; problem: LineProblem } {
  const out = newLineSlots();
  const problem = parseExtractionLineInto(rawLine, map, out);
  if (problem !== undefined) return { ok: false, problem };
  const fields = {} as Record<RecordField, string>;
  for (let f = 0; f < RECORD_FIELDS.length; f++) fields[RECORD_FIELDS[f]] = out.values[f];
  return { ok: true, record: { address: out.address, mailboxType: out.mailboxType, fields } };
}
