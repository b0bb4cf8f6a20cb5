// Runtime: any (pure core). Reading the Annuaire Santé bulk extraction `Extraction_Correspondance_MSSante`
// (MSSANTE.md §4.b: UTF-8, `|`-separated, one header line, 31 columns). Columns are located by header NAME, so a
// reordered or extended file still reads; CRLF, a trailing `|` and a BOM are tolerated. One line in, one record
// or one reason out: malformed lines are reported with their number by the caller, never thrown.

import { MAILBOX_TYPES } from '../types';
import type { MailboxType } from '../types';
import { normaliseAddress } from '../address';
import { utf8SequenceLength } from './utf8';

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

/**
 * Scratch of {@link scanExtractionBytes} for one header: trimmed [start, end) of each column, at
 * cuts[2 * column] and cuts[2 * column + 1].
 */
export function newColumnCuts(map: ColumnMap): Int32Array {
  return new Int32Array(2 * (map.width + 2));
}

function isBlank(b: number): boolean {
  return b === 32 || b === 9 || b === 11 || b === 12 || b === 13;
}

/**
 * Splits one data line held as UTF-8 bytes [start, end) (without its LF; a trailing CR is tolerated) into `cuts`,
 * without making a string: one pass over the bytes, the columns located by index, UTF-8 validated on the way.
 * Returns the index of the mailbox type in MAILBOX_TYPES when the line is usable (the address is then checked by
 * the builder), else why not. Same verdicts as {@link parseExtractionLineInto}.
 */
export function scanExtractionBytes(bytes: Uint8Array, start: number, end: number, map: ColumnMap, cuts: Int32Array): number | LineProblem {
  if (end > start && bytes[end - 1] === 13) end--;
  const keep = map.width + 1;
  let col = 0;
  cuts[0] = start;
  let bad = false;
  for (let i = start; i < end; i++) {
    const b = bytes[i];
    if (b === 124) {
      if (col < keep) cuts[2 * col + 1] = i;
      col++;
      if (col < keep) cuts[2 * col] = i + 1;
    } else if (b >= 0x80) {
      const n = utf8SequenceLength(bytes, i, end);
      if (n === 0) {
        bad = true;
        break;
      }
      i += n - 1;
    }
  }
  if (bad) return 'INVALID_UTF8';
  if (col < keep) cuts[2 * col + 1] = end;
  let count = col + 1;
  // a trailing `|` gives one more, empty, field
  if (count === map.width + 1 && cuts[2 * map.width] === end) count--;
  if (count !== map.width) return 'COLUMN_COUNT';
  // trim the columns the index reads
  for (let c = 0; c < map.width; c++) {
    let s = cuts[2 * c];
    let e = cuts[2 * c + 1];
    if (s === e || (!isBlank(bytes[s]) && !isBlank(bytes[e - 1]))) continue;
    while (s < e && isBlank(bytes[s])) s++;
    while (e > s && isBlank(bytes[e - 1])) e--;
    cuts[2 * c] = s;
    cuts[2 * c + 1] = e;
  }
  const as = cuts[2 * map.address];
  if (as === cuts[2 * map.address + 1]) return 'NO_ADDRESS';
  const ts = cuts[2 * map.type];
  if (cuts[2 * map.type + 1] - ts !== 3) return 'UNKNOWN_TYPE';
  const t0 = bytes[ts] & 0xdf;
  const t1 = bytes[ts + 1] & 0xdf;
  const t2 = bytes[ts + 2] & 0xdf;
  for (let k = 0; k < MAILBOX_TYPES.length; k++) {
    const name = MAILBOX_TYPES[k];
    if (name.charCodeAt(0) === t0 && name.charCodeAt(1) === t1 && name.charCodeAt(2) === t2) return k;
  }
  return 'UNKNOWN_TYPE';
}

/** Local-part characters of the fast path (RFC 5322 atext and `.`), lower case. */
const LOCAL_OK = new Uint8Array(128);
for (const c of "abcdefghijklmnopqrstuvwxyz0123456789!#$%&'*+/=?^_`{|}~.-") LOCAL_OK[c.charCodeAt(0)] = 1;

/**
 * Copies the address bytes [start, end) (trimmed) lower-cased into out[at...], when it is a plain ASCII address
 * (the fast path of {@link normaliseDirectoryAddress}, same key). Returns the end in `out`, or -1 when the address
 * must go through the full parser.
 */
export function normaliseAddressBytesInto(bytes: Uint8Array, start: number, end: number, out: Uint8Array, at: number): number {
  const len = end - start;
  if (len > 254 || len < 3) return -1;
  let p = at;
  let atSign = -1;
  let prev = 0;
  let dots = 0;
  for (let i = start; i < end; i++) {
    let b = bytes[i];
    if (b >= 65 && b <= 90) b += 32;
    if (atSign < 0) {
      if (b === 64) {
        if (i === start || prev === 46 || i - start > 64) return -1;
        atSign = i;
      } else if (b >= 128 || LOCAL_OK[b] === 0 || (b === 46 && (prev === 46 || i === start))) return -1;
    } else if (b === 46) {
      if (prev === 46 || prev === 64) return -1;
      dots++;
    } else if (!((b >= 97 && b <= 122) || (b >= 48 && b <= 57) || (b === 45 && prev !== 64))) return -1;
    out[p++] = b;
    prev = b;
  }
  if (atSign < 0 || dots === 0 || prev === 46 || prev === 64) return -1;
  return p;
}
