// Runtime: any (pure core). The in-memory national directory: ~536,000 MSSanté mailboxes in a few flat typed
// arrays, so that an exact look-up is one hash probe and a name search walks one posting range.
//
// Layout (all built by DirectoryIndexBuilder, or restored from a snapshot by the connector without rebuilding):
//  - addressBytes[addressOffsets[i] .. addressOffsets[i + 1]]: UTF-8 of the normalised address of record i (one
//    block, no string per record); types[i]: index in MAILBOX_TYPES;
//  - fieldIds[i * F + f]: id in `pool` (interned strings, pool[0] = '') of kept field f (INTERNED_FIELDS);
//  - idBytes[idOffsets[3i + k] .. idOffsets[3i + k + 1]]: national id (k = 0), id PP (1), structure id (2);
//    idSlots: hash table from each distinct id of a record to 3i + k + 1;
//  - hashSlots: open addressing (linear probing, FNV-1a over the UTF-8 bytes, any table size: slot = hash × size /
//    2^32, load <= 0.5) from address to record + 1 (low 24 bits; 0 = empty) tagged with 7 bits of the hash; stored
//    as it is in the snapshot;
//  - tokens: sorted distinct folded words; a PREFIX is therefore a contiguous range of token ids;
//  - postingOffsets/postings: records of each token (CSR), in token order, so a prefix range is one slice;
//  - recordTokenOffsets/recordTokens: token ids of each record, its name words first (nameTokenCounts[i] of them).
//
// A freshly built index answers look-ups at once: the search arrays (tokens, postings, record words) and the id
// table are derived afterwards from the interned fields alone (SearchArraysBuilder), step by step between requests
// or at the first search; a snapshot always holds them complete. A builder can take the records of another built
// from the following lines (appendPart: the connector reads a large file in two threads) with the very arrays one
// builder would have made. While loading, field groups that sit side by side in the file (structure, profession) are
// interned as one span per line (FieldGroup), and JSON answers are written
// as bytes from values encoded once (ByteWriter, json-bytes.ts).

import { MAILBOX_TYPES } from '../types';
import type { DirectoryEntry, MailboxType } from '../types';
import {
  ID_FIELDS,
  INTERNED_FIELDS,
  RECORD_FIELDS,
  newColumnCuts,
  normaliseAddressBytesInto,
  normaliseDirectoryAddress,
  scanExtractionBytes,
  type ColumnMap,
  type ExtractionRecord,
  type LineProblem,
  type RecordField,
} from './extraction';
import { NAME_TITLES, tokenize } from './text';
import { decodeUtf8, encodeUtf8, equalsUtf8, hashBytes, hashUtf8 } from './utf8';
import { ByteWriter, asciiBytes } from './json-bytes';

const F = INTERNED_FIELDS.length;
const FIELD_INDEX = {} as Record<RecordField, number>;
INTERNED_FIELDS.forEach((f, i) => {
  FIELD_INDEX[f] = i;
});
ID_FIELDS.forEach((f, i) => {
  FIELD_INDEX[f] = -1 - i;
});
/** A query word that is an identifier (RPPS, ADELI, FINESS, SIRET...). */
const ID_WORD = /^[0-9]{8,15}$/;

/** The flat arrays of an index (what a snapshot stores). */
export interface DirectoryIndexData {
  readonly addressBytes: Uint8Array;
  readonly addressOffsets: Uint32Array;
  readonly types: Uint8Array;
  readonly pool: readonly string[];
  readonly fieldIds: Uint32Array;
  readonly idBytes: Uint8Array;
  readonly idOffsets: Uint32Array;
  readonly hashSlots: Int32Array;
  readonly idSlots: Int32Array;
  readonly tokens: readonly string[];
  readonly postingOffsets: Uint32Array;
  readonly postings: Uint32Array;
  readonly recordTokenOffsets: Uint32Array;
  readonly recordTokens: Uint32Array;
  readonly nameTokenCounts: Uint8Array;
}

/** Everything the directory says about one mailbox (API and CLI answer). Empty columns are left out. */
export interface DirectoryRecord {
  readonly address: string;
  readonly type: MailboxType;
  /** Person ("Prénom NOM") or, for an organisational mailbox, its service or structure. */
  readonly name?: string;
  readonly civility?: string;
  readonly firstName?: string;
  readonly lastName?: string;
  readonly profession?: string;
  readonly professionCode?: string;
  readonly specialty?: string;
  /** Raison sociale of the structure. */
  readonly structure?: string;
  readonly brand?: string;
  readonly service?: string;
  /** "Identification nationale PP" (8 + RPPS, or 0 + ADELI). */
  readonly nationalId?: string;
  readonly idType?: string;
  readonly idPP?: string;
  /** "Identification Structure" (1 + FINESS, 3 + SIRET, ...). */
  readonly structureId?: string;
  readonly structureIdType?: string;
  readonly city?: string;
  readonly postalCode?: string;
  readonly department?: string;
}

/** Options of {@link DirectoryIndex.search}. */
export interface SearchOptions {
  /** 1-based page (default 1). */
  readonly page?: number;
  /** Results per page (default 20). */
  readonly pageSize?: number;
  /** Only these mailbox types. */
  readonly types?: readonly MailboxType[];
  /** Stop counting after this many matches (default 10,000); `totalIsExact` then says so. */
  readonly maxMatches?: number;
}

/** One page of search results, best first. */
export interface SearchResult {
  readonly total: number;
  /** False when the count stopped at `maxMatches` (a very short query). */
  readonly totalIsExact: boolean;
  readonly page: number;
  readonly pageSize: number;
  /** Record indexes of this page, with their score (higher is better). */
  readonly hits: readonly { readonly index: number; readonly score: number }[];
}

/** FNV-1a 32-bit over the UTF-8 bytes of an address (the hash of the address table). */
export function hashAddress(s: string): number {
  return hashUtf8(s);
}

function lowerBound(tokens: readonly string[], q: string): number {
  let lo = 0;
  let hi = tokens.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (tokens[mid] < q) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Slot of a 32-bit hash in a table of `size` slots (any size: multiply-high, not a mask). */
export function hashSlot(h: number, size: number): number {
  return Math.floor((h / 4294967296) * size);
}

/** Slots of an open-addressing table for `count` keys (load factor <= `load`, 0.7 by default). */
export function tableSize(count: number, load = 0.7): number {
  return Math.max(16, Math.ceil(count / load) + 1);
}

/** Address table entries: record + 1 in the low 24 bits, 7 low bits of the hash above (a miss rarely reads bytes). */
const RECORD_BITS = 0xffffff;
/** Most records an index holds (2^24 - 1: 30 times the national directory). */
export const MAX_RECORDS = RECORD_BITS - 1;
function addressTag(h: number): number {
  return (h & 0x7f) << 24;
}

const TWO20 = 1048576;
const TWO40 = TWO20 * TWO20;
const MAX_SCORE = 255;

/** A read-only directory index. Build one with {@link DirectoryIndexBuilder} or restore it with {@link DirectoryIndex.fromData}. */
export class DirectoryIndex {
  readonly size: number;
  private stamp: Uint32Array;
  private generation = 0;
  /**
   * Per record, one bit per distinct two-letter start of its words ({@link startBit}): a record whose bits lack a
   * query word's bit cannot match it, and is passed over without reading its words (a search's driver list is long
   * and most of its records miss the other words). Built on the first search (about 20 ms for the national file).
   */
  private signatures: Uint32Array | undefined;

  private ensureSignatures(): Uint32Array {
    if (this.signatures !== undefined) return this.signatures;
    const { tokens, recordTokenOffsets, recordTokens } = this.data;
    const tokenBits = new Uint32Array(tokens.length);
    for (let t = 0; t < tokens.length; t++) tokenBits[t] = startBit(tokens[t]);
    const sig = new Uint32Array(this.size);
    for (let r = 0; r < sig.length; r++) {
      let m = 0;
      for (let q = recordTokenOffsets[r], end = recordTokenOffsets[r + 1]; q < end; q++) m |= tokenBits[recordTokens[q]];
      sig[r] = m;
    }
    this.signatures = sig;
    return sig;
  }

  /** Set while the search arrays (tokens, postings, record words) are still to be built (see {@link ensureSearch}). */
  private searchBuilder: SearchArraysBuilder | undefined;

  private constructor(readonly data: DirectoryIndexData) {
    this.size = data.addressOffsets.length - 1;
    this.stamp = new Uint32Array(0);
  }

  /**
   * An index whose look-ups serve at once and whose search arrays are derived from the interned fields later: by
   * {@link buildSearchStep} (a little at a time, between requests) or on the first search. Used by the builder.
   */
  static withDeferredSearch(data: DirectoryIndexData): DirectoryIndex {
    const index = DirectoryIndex.fromData(data);
    index.searchBuilder = new SearchArraysBuilder(data.pool, data.fieldIds, data.idBytes, data.idOffsets, index.size);
    return index;
  }

  /** True when the search arrays are built (always after a snapshot restore). */
  get searchReady(): boolean {
    return this.searchBuilder === undefined;
  }

  /**
   * Builds part of the search arrays: about `records` records' words. Returns true when the search arrays are
   * complete. Look-ups never wait for them; a search before they are complete finishes the build first.
   */
  buildSearchStep(records: number): boolean {
    const b = this.searchBuilder;
    if (b === undefined) return true;
    if (!b.step(records)) return false;
    this.finishSearch(b);
    return true;
  }

  /** Completes the search arrays now (a search, a snapshot write). */
  ensureSearch(): void {
    const b = this.searchBuilder;
    if (b === undefined) return;
    b.step(Infinity);
    this.finishSearch(b);
  }

  private finishSearch(b: SearchArraysBuilder): void {
    Object.assign(this.data as { -readonly [K in keyof DirectoryIndexData]: DirectoryIndexData[K] }, b.finish());
    this.searchBuilder = undefined;
  }

  /** Wraps arrays produced by a builder or read from a snapshot (no copy, no rebuild). */
  static fromData(data: DirectoryIndexData): DirectoryIndex {
    if (data.hashSlots.length <= data.addressOffsets.length - 1 || data.idSlots.length === 0) throw new Error('DirectoryIndex: hash table too small');
    const n = data.addressOffsets.length - 1;
    if (n < 0 || data.fieldIds.length !== n * F || data.types.length !== n || data.idOffsets.length !== 3 * n + 1) throw new Error('DirectoryIndex: array length mismatch');
    if (data.addressOffsets[n] !== data.addressBytes.length || data.idOffsets[3 * n] !== data.idBytes.length) throw new Error('DirectoryIndex: offsets mismatch');
    return new DirectoryIndex(data);
  }

  /** Record index of a NORMALISED address, or -1. */
  find(normalisedAddress: string): number {
    const { hashSlots, addressBytes, addressOffsets } = this.data;
    const size = hashSlots.length;
    const h = hashUtf8(normalisedAddress);
    const tag = addressTag(h);
    let slot = hashSlot(h, size);
    for (;;) {
      const v = hashSlots[slot];
      if (v === 0) return -1;
      if ((v & ~RECORD_BITS) === tag) {
        const r = v & RECORD_BITS;
        if (equalsUtf8(addressBytes, addressOffsets[r - 1], addressOffsets[r], normalisedAddress)) return r - 1;
      }
      if (++slot === size) slot = 0;
    }
  }

  /** The classifier's view of a record (core DirectoryEntry). */
  entry(i: number): DirectoryEntry {
    const f = (name: RecordField) => this.field(i, name);
    const person = joinName(f('firstName'), f('lastName'));
    const displayName = person || f('service') || f('organisation');
    const profession = f('profession');
    const organisation = f('organisation');
    return {
      address: this.address(i),
      mailboxType: MAILBOX_TYPES[this.data.types[i]],
      ...(displayName ? { displayName } : {}),
      ...(profession ? { profession } : {}),
      ...(organisation ? { organisation } : {}),
    };
  }

  /** The look-up function the classifier takes. */
  readonly lookup = (normalisedAddress: string): DirectoryEntry | undefined => {
    const i = this.find(normalisedAddress);
    return i < 0 ? undefined : this.entry(i);
  };

  /** One kept column of record i ('' when empty). */
  field(i: number, name: RecordField): string {
    const k = FIELD_INDEX[name];
    if (k < 0) {
      const { idBytes, idOffsets } = this.data;
      const slot = 3 * i - 1 - k;
      return idOffsets[slot] === idOffsets[slot + 1] ? '' : decodeUtf8(idBytes, idOffsets[slot], idOffsets[slot + 1]);
    }
    return this.data.pool[this.data.fieldIds[i * F + k]];
  }

  /**
   * Records with this identifier: national id ("Identification nationale PP"), id PP (RPPS/ADELI), structure id;
   * an RPPS also finds its national id (8 + RPPS), a FINESS or SIRET its structure id (1 + FINESS, 3 + SIRET).
   */
  findById(id: string): number[] {
    this.ensureSearch();
    const { idSlots, idBytes, idOffsets } = this.data;
    const size = idSlots.length;
    const out: number[] = [];
    for (const key of [id, `8${id}`, `0${id}`, `1${id}`, `3${id}`]) {
      for (let slot = hashSlot(hashUtf8(key), size); ; slot = slot + 1 === size ? 0 : slot + 1) {
        const v = idSlots[slot];
        if (v === 0) break;
        const r = ((v - 1) / 3) | 0;
        if (out.indexOf(r) < 0 && equalsUtf8(idBytes, idOffsets[v - 1], idOffsets[v], key)) out.push(r);
      }
    }
    return out;
  }

  /** Person ("Prénom NOM") or, for an organisational mailbox, its service or structure ('' when none). */
  displayName(i: number): string {
    const { pool, fieldIds } = this.data;
    const base = i * F;
    return (
      joinName(pool[fieldIds[base + FIELD_INDEX.firstName]], pool[fieldIds[base + FIELD_INDEX.lastName]]) ||
      pool[fieldIds[base + FIELD_INDEX.service]] ||
      pool[fieldIds[base + FIELD_INDEX.organisation]]
    );
  }

  /** Normalised address of record i. */
  address(i: number): string {
    const { addressBytes, addressOffsets } = this.data;
    return decodeUtf8(addressBytes, addressOffsets[i], addressOffsets[i + 1]);
  }

  /** Every address, in record order (tests, tools: makes one string per record). */
  addresses(): string[] {
    const out = new Array<string>(this.size);
    for (let i = 0; i < this.size; i++) out[i] = this.address(i);
    return out;
  }

  /** Mailbox type of record i. */
  type(i: number): MailboxType {
    return MAILBOX_TYPES[this.data.types[i]];
  }

  /** Everything about record i. */
  record(i: number): DirectoryRecord {
    const f = (name: RecordField) => this.field(i, name);
    const out: Record<string, string> = { address: this.address(i), type: this.type(i) };
    const person = joinName(f('firstName'), f('lastName'));
    const name = person || f('service') || f('organisation');
    if (name) out.name = name;
    const put = (key: string, v: string) => {
      if (v) out[key] = v;
    };
    put('civility', f('civility'));
    put('firstName', f('firstName'));
    put('lastName', f('lastName'));
    put('profession', f('profession'));
    put('professionCode', f('professionCode'));
    put('specialty', f('specialty'));
    put('structure', f('organisation'));
    put('brand', f('brand'));
    put('service', f('service'));
    put('nationalId', f('nationalId'));
    put('idType', f('idType'));
    put('idPP', f('idPP'));
    put('structureId', f('structureId'));
    put('structureIdType', f('structureIdType'));
    put('city', f('city'));
    put('postalCode', f('postalCode'));
    put('department', f('department'));
    return out as unknown as DirectoryRecord;
  }

  /**
   * {@link record}(i) as JSON text: the same characters as `JSON.stringify(index.record(i))`, without making the
   * object (the HTTP look-up answers 50 to 500 of them per request). Interned values are escaped once.
   * `address`: the record's address when the caller already holds it as a string (saves decoding it).
   */
  recordJson(i: number, address?: string): string {
    const { pool, fieldIds } = this.data;
    const base = i * F;
    const pj = (name: RecordField) => {
      const id = fieldIds[base + FIELD_INDEX[name]];
      if (id === 0) return '';
      let j = this.poolJson[id];
      if (j === undefined) {
        j = JSON.stringify(pool[id]);
        this.poolJson[id] = j;
      }
      return j;
    };
    const first = pool[fieldIds[base + FIELD_INDEX.firstName]];
    const last = pool[fieldIds[base + FIELD_INDEX.lastName]];
    const person = joinName(first, last);
    const name = person || pool[fieldIds[base + FIELD_INDEX.service]] || pool[fieldIds[base + FIELD_INDEX.organisation]];
    let out = `{"address":${JSON.stringify(address ?? this.address(i))},"type":"${MAILBOX_TYPES[this.data.types[i]]}"`;
    if (name) out += `,"name":${person ? JSON.stringify(person) : JSON.stringify(name)}`;
    for (let k = 0; k < RECORD_JSON_KEYS.length; k++) {
      const [key, field] = RECORD_JSON_KEYS[k];
      if (FIELD_INDEX[field] >= 0) {
        const j = pj(field);
        if (j !== '') out += `,"${key}":${j}`;
      } else {
        const v = this.field(i, field);
        if (v !== '') out += `,"${key}":${JSON.stringify(v)}`;
      }
    }
    return `${out}}`;
  }

  private readonly poolJson: (string | undefined)[] = [];

  /** Pool values as JSON string bytes (quotes included), encoded on first use: [start, end) in poolJsonBytes. */
  private poolJsonStart: Int32Array | undefined;
  private poolJsonEnd: Int32Array | undefined;
  private readonly poolJsonBytes = new ByteWriter(1 << 16);

  /** Bytes range of pool value `id` as a JSON string (quotes included) in this.poolJsonBytes.buf. */
  private poolJsonRange(id: number): number {
    let starts = this.poolJsonStart;
    if (starts === undefined) {
      starts = new Int32Array(this.data.pool.length).fill(-1);
      this.poolJsonStart = starts;
      this.poolJsonEnd = new Int32Array(this.data.pool.length);
    }
    let s = starts[id];
    if (s < 0) {
      s = this.poolJsonBytes.len;
      this.poolJsonBytes.jsonString(this.data.pool[id]);
      starts[id] = s;
      this.poolJsonEnd![id] = this.poolJsonBytes.len;
    }
    return s;
  }

  /** Writes pool value `id` as a JSON string (quotes included); `inner` leaves the quotes out. */
  private writePool(w: ByteWriter, id: number, inner = false): void {
    const s = this.poolJsonRange(id);
    const e = this.poolJsonEnd![id];
    // the cache may have grown (a new buffer) while encoding: read the buffer after poolJsonRange
    w.copy(this.poolJsonBytes.buf, inner ? s + 1 : s, inner ? e - 1 : e);
  }

  /** Writes the normalised address of record i as a JSON string. */
  writeAddressJson(w: ByteWriter, i: number): void {
    const { addressBytes, addressOffsets } = this.data;
    w.jsonText(addressBytes, addressOffsets[i], addressOffsets[i + 1], decodeUtf8);
  }

  /** Writes {@link displayName}(i) as a JSON string; false (nothing written) when it is empty. */
  writeDisplayNameJson(w: ByteWriter, i: number): boolean {
    const { fieldIds } = this.data;
    const base = i * F;
    const first = fieldIds[base + FIELD_INDEX.firstName];
    const last = fieldIds[base + FIELD_INDEX.lastName];
    if (first !== 0 && last !== 0) {
      // "Prénom NOM": the two JSON strings joined inside one pair of quotes
      w.byte(0x22);
      this.writePool(w, first, true);
      w.byte(0x20);
      this.writePool(w, last, true);
      w.byte(0x22);
      return true;
    }
    const id = first || last || fieldIds[base + FIELD_INDEX.service] || fieldIds[base + FIELD_INDEX.organisation];
    if (id === 0) return false;
    this.writePool(w, id);
    return true;
  }

  /**
   * Writes `,"<key>":<value>` for field `name` of record i, when not empty (key: the field's key in
   * {@link record}: `structure` for the organisation, else the field's name); true when written.
   */
  writeFieldJson(w: ByteWriter, i: number, name: RecordField): boolean {
    const k = FIELD_INDEX[name];
    return this.writeFieldKJson(w, i, k, FIELD_PREFIX[k < 0 ? F - 1 - k : k]);
  }

  /** {@link writeFieldJson} by field slot (FIELD_INDEX: >= 0 interned, < 0 identifier) and its key prefix. */
  private writeFieldKJson(w: ByteWriter, i: number, k: number, prefix: Uint8Array): boolean {
    if (k < 0) {
      const { idBytes, idOffsets } = this.data;
      const slot = 3 * i - 1 - k;
      const s = idOffsets[slot];
      const e = idOffsets[slot + 1];
      if (s === e) return false;
      w.bytes(prefix);
      w.jsonText(idBytes, s, e, decodeUtf8);
      return true;
    }
    const id = this.data.fieldIds[i * F + k];
    if (id === 0) return false;
    // an interned value belongs to one field (so to one key): `,"key":"value"` is encoded once and copied whole
    let frags = this.fragStart;
    if (frags === undefined) {
      frags = new Int32Array(this.data.pool.length).fill(-1);
      this.fragStart = frags;
      this.fragEnd = new Int32Array(this.data.pool.length);
    }
    let s = frags[id];
    const block = this.fragBytes;
    if (s < 0) {
      s = block.len;
      block.bytes(prefix);
      block.jsonString(this.data.pool[id]);
      frags[id] = s;
      this.fragEnd![id] = block.len;
    }
    w.copy(block.buf, s, this.fragEnd![id]);
    return true;
  }

  /** `,"key":"value"` of each pool value (by id), encoded on first use: [start, end) in fragBytes. */
  private fragStart: Int32Array | undefined;
  private fragEnd: Int32Array | undefined;
  private readonly fragBytes = new ByteWriter(1 << 16);

  /** Writes {@link recordJson}(i) (the same text) as UTF-8 bytes. */
  writeRecordJson(w: ByteWriter, i: number): void {
    w.bytes(JSON_ADDRESS_OPEN);
    this.writeAddressJson(w, i);
    w.bytes(JSON_TYPE[this.data.types[i]]);
    this.writeNameJson(w, i, JSON_NAME);
    for (let k = 0; k < RECORD_JSON_SLOTS.length; k++) this.writeFieldKJson(w, i, RECORD_JSON_SLOTS[k], RECORD_JSON_PREFIXES[k]);
    w.byte(0x7d);
  }

  /** Writes `prefix` and the display name of record i as a JSON string, when there is one; true when written. */
  writeNameJson(w: ByteWriter, i: number, prefix: Uint8Array): boolean {
    const mark = w.len;
    w.bytes(prefix);
    if (this.writeDisplayNameJson(w, i)) return true;
    w.len = mark;
    return false;
  }

  /** Count of records of each mailbox type. */
  countByType(): Record<MailboxType, number> {
    const n = new Uint32Array(MAILBOX_TYPES.length);
    const { types } = this.data;
    for (let i = 0; i < types.length; i++) n[types[i]]++;
    const counts = { PER: 0, ORG: 0, APP: 0, CAB: 0 };
    MAILBOX_TYPES.forEach((t, k) => {
      counts[t] = n[k];
    });
    return counts;
  }

  /** Token-id range [lo, hi) of the words starting with `prefix` (folded). */
  private range(prefix: string): [number, number] {
    this.ensureSearch();
    const { tokens } = this.data;
    return [lowerBound(tokens, prefix), lowerBound(tokens, `${prefix}\uffff`)];
  }

  /**
   * Search by name (prefixes of first and last name, in either order: "dupont j", "jean dupon"), national id
   * (RPPS/ADELI), structure (FINESS/SIRET id, raison sociale) and service. Accent- and case-insensitive. Every
   * word of the query must start a word of the record. Ranked: whole words before prefixes, names before other
   * fields, then alphabetically by last name.
   */
  search(query: string, opts: SearchOptions = {}): SearchResult {
    const page = Math.max(1, Math.floor(opts.page ?? 1));
    const pageSize = Math.max(1, Math.floor(opts.pageSize ?? 20));
    let words = tokenize(query);
    const meaningful = words.filter((w) => NAME_TITLES.indexOf(w) < 0);
    if (meaningful.length > 0) words = meaningful;
    const start = (page - 1) * pageSize;
    const matched = this.match(words, { exact: words.map(() => false), nameOnly: false, types: opts.types, maxMatches: opts.maxMatches ?? 10000 }, start + pageSize);
    const hits: { index: number; score: number }[] = [];
    for (let k = start; k < matched.keys.length; k++) {
      const key = matched.keys[k];
      hits.push({ index: key % TWO20, score: MAX_SCORE - Math.floor(key / TWO40) });
    }
    return { total: matched.total, totalIsExact: matched.exact, page, pageSize, hits };
  }

  /**
   * Records whose NAME words contain every given word, as a whole word (for "did you mean"): ["jean", "dupont"]
   * finds Jean DUPONT and Dupont JEAN; a one-letter word is taken as an initial (prefix).
   */
  findByName(words: readonly string[], types?: readonly MailboxType[], max = 50): number[] {
    if (words.length === 0) return [];
    const matched = this.match(words, { exact: words.map((w) => w.length > 1), nameOnly: true, types, maxMatches: max }, max);
    const out: number[] = [];
    for (let k = 0; k < matched.keys.length; k++) out.push(matched.keys[k] % TWO20);
    return out;
  }

  /**
   * Every record matching all words (up to maxMatches), counted; the `need` best of them returned sorted (a
   * selection, not a sort of every match). Keys: (MAX_SCORE - score) * 2^40 + first name word * 2^20 + record.
   */
  private match(
    words: readonly string[],
    opts: { exact: readonly boolean[]; nameOnly: boolean; types: readonly MailboxType[] | undefined; maxMatches: number },
    need: number,
  ): { keys: Float64Array; total: number; exact: boolean } {
    const empty = { keys: new Float64Array(0), total: 0, exact: true };
    if (words.length === 0 || words.length > 8) return empty;
    // an identifier word drives the search through the id table; the other words must still match
    let idRecords: number[] | undefined;
    for (let j = 0; j < words.length; j++) {
      if (!opts.nameOnly && ID_WORD.test(words[j])) {
        idRecords = this.findById(words[j]);
        const rest = words.slice(0, j).concat(words.slice(j + 1));
        const restExact = opts.exact.slice(0, j).concat(opts.exact.slice(j + 1));
        if (rest.length === 0) {
          const keys: number[] = [];
          for (const r of idRecords) {
            if (opts.types && opts.types.length > 0 && opts.types.indexOf(MAILBOX_TYPES[this.data.types[r]]) < 0) continue;
            keys.push((MAX_SCORE - 4) * TWO40 + r);
          }
          return { keys: Float64Array.from(keys).sort().subarray(0, need), total: keys.length, exact: true };
        }
        words = rest;
        opts = { ...opts, exact: restExact };
        break;
      }
    }
    this.ensureSearch();
    const { postingOffsets, postings, recordTokenOffsets, recordTokens, nameTokenCounts, types, tokens } = this.data;
    const sig = this.ensureSignatures();
    // the bits every matching record has: one per word of two letters or more (every word it matches starts so)
    let need0 = 0;
    for (const w of words) need0 |= startBit(w);
    const need1 = need0 >>> 0;
    const los: number[] = [];
    const his: number[] = [];
    /** Token id of the whole word, -1 when no record has it (then only prefixes match). */
    const wholeIds: number[] = [];
    let driver = -1;
    let driverCount = Infinity;
    for (let j = 0; j < words.length; j++) {
      let lo: number;
      let hi: number;
      if (opts.exact[j]) {
        lo = lowerBound(tokens, words[j]);
        hi = lo < tokens.length && tokens[lo] === words[j] ? lo + 1 : lo;
      } else {
        [lo, hi] = this.range(words[j]);
      }
      if (lo === hi) return empty;
      wholeIds.push(tokens[lo] === words[j] ? lo : -1);
      los.push(lo);
      his.push(hi);
      const count = postingOffsets[hi] - postingOffsets[lo];
      if (count < driverCount) {
        driverCount = count;
        driver = j;
      }
    }
    let typeMask = 0xff;
    if (opts.types && opts.types.length > 0) {
      typeMask = 0;
      for (const t of opts.types) typeMask |= 1 << MAILBOX_TYPES.indexOf(t);
    }
    if (this.stamp.length !== this.size) this.stamp = new Uint32Array(this.size);
    this.generation = (this.generation + 1) >>> 0;
    if (this.generation === 0) {
      this.stamp.fill(0);
      this.generation = 1;
    }
    const gen = this.generation;
    const stamp = this.stamp;
    let keys = this.keys;
    let count = 0;
    const best = new Array<number>(words.length);
    let exactCount = true;
    const fromDriver = idRecords === undefined;
    const end = fromDriver ? postingOffsets[his[driver]] : idRecords!.length;
    if (fromDriver && words.length <= 2) {
      // the common case (one or two words, no identifier), with everything in locals; same scores as below
      const two = words.length === 2;
      const lo0 = los[0];
      const hi0 = his[0];
      const w0 = wholeIds[0];
      const lo1 = two ? los[1] : 0;
      const hi1 = two ? his[1] : 0;
      const w1 = two ? wholeIds[1] : -1;
      const nameOnly = opts.nameOnly;
      const max = opts.maxMatches;
      for (let p = postingOffsets[los[driver]]; p < end; p++) {
        const r = postings[p];
        if ((sig[r] & need1) >>> 0 !== need1) continue;
        if (stamp[r] === gen) continue;
        stamp[r] = gen;
        if (((1 << types[r]) & typeMask) === 0) continue;
        const from = recordTokenOffsets[r];
        const nameEnd = from + nameTokenCounts[r];
        const to = nameOnly ? nameEnd : recordTokenOffsets[r + 1];
        let b0 = 0;
        let b1 = 0;
        for (let q = from; q < to; q++) {
          const t = recordTokens[q];
          if (t >= lo0 && t < hi0) {
            const sc = (q < nameEnd ? 3 : 1) + (t === w0 ? 1 : 0);
            if (sc > b0) b0 = sc;
          }
          if (t >= lo1 && t < hi1) {
            const sc = (q < nameEnd ? 3 : 1) + (t === w1 ? 1 : 0);
            if (sc > b1) b1 = sc;
          }
        }
        if (b0 === 0 || (two && b1 === 0)) continue;
        const first = nameTokenCounts[r] > 0 ? recordTokens[from] : TWO20 - 1;
        if (count === keys.length) {
          const bigger = new Float64Array(Math.max(1024, keys.length * 2));
          bigger.set(keys);
          keys = bigger;
          this.keys = keys;
        }
        keys[count++] = (MAX_SCORE - b0 - b1) * TWO40 + Math.min(first, TWO20 - 1) * TWO20 + r;
        if (count >= max) {
          exactCount = p + 1 >= end;
          break;
        }
      }
      const k = Math.min(need, count);
      if (k < count) selectSmallest(keys, count, k);
      return { keys: keys.slice(0, k).sort(), total: count, exact: exactCount };
    }
    for (let p = fromDriver ? postingOffsets[los[driver]] : 0; p < end; p++) {
      const r = fromDriver ? postings[p] : idRecords![p];
      if ((sig[r] & need1) >>> 0 !== need1) continue;
      if (stamp[r] === gen) continue;
      stamp[r] = gen;
      if (((1 << types[r]) & typeMask) === 0) continue;
      for (let j = 0; j < words.length; j++) best[j] = 0;
      const from = recordTokenOffsets[r];
      const to = recordTokenOffsets[r + 1];
      const nameEnd = from + nameTokenCounts[r];
      for (let q = from; q < to; q++) {
        const isName = q < nameEnd;
        if (opts.nameOnly && !isName) break;
        const t = recordTokens[q];
        for (let j = 0; j < words.length; j++) {
          if (t >= los[j] && t < his[j]) {
            const whole = t === wholeIds[j];
            const s = isName ? (whole ? 4 : 3) : whole ? 2 : 1;
            if (s > best[j]) best[j] = s;
          }
        }
      }
      let score = 0;
      let all = true;
      for (let j = 0; j < words.length; j++) {
        if (best[j] === 0) {
          all = false;
          break;
        }
        score += best[j];
      }
      if (!all) continue;
      const first = nameTokenCounts[r] > 0 ? recordTokens[from] : TWO20 - 1;
      if (count === keys.length) {
        const bigger = new Float64Array(Math.max(1024, keys.length * 2));
        bigger.set(keys);
        keys = bigger;
        this.keys = keys;
      }
      keys[count++] = (MAX_SCORE - score) * TWO40 + Math.min(first, TWO20 - 1) * TWO20 + r;
      if (count >= opts.maxMatches) {
        exactCount = p + 1 >= end;
        break;
      }
    }
    const k = Math.min(need, count);
    if (k < count) selectSmallest(keys, count, k);
    return { keys: keys.slice(0, k).sort(), total: count, exact: exactCount };
  }

  /** Scratch of {@link match} (reused: no allocation per query). */
  private keys = new Float64Array(1024);
}

/**
 * The signature bit of a folded word: one of 32, from its first two characters; 0 for a one-character word (it can
 * start many two-letter words: no bit to require). Every word a query word (≥ 2 characters) matches as a prefix
 * starts with the same two characters, hence has the same bit.
 */
function startBit(w: string): number {
  return w.length < 2 ? 0 : (1 << ((w.charCodeAt(0) * 7 + w.charCodeAt(1)) & 31)) >>> 0;
}

/** Moves the k smallest of a[0..n) to a[0..k) (Hoare quickselect, no order inside). */
function selectSmallest(a: Float64Array, n: number, k: number): void {
  let lo = 0;
  let hi = n - 1;
  while (lo < hi) {
    const pivot = a[(lo + hi) >>> 1];
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (a[i] < pivot) i++;
      while (a[j] > pivot) j--;
      if (i <= j) {
        const t = a[i];
        a[i] = a[j];
        a[j] = t;
        i++;
        j--;
      }
    }
    if (k - 1 <= j) hi = j;
    else if (k - 1 >= i) lo = i;
    else return;
  }
}

/** Keys of {@link DirectoryRecord} after address, type and name, in the order of {@link DirectoryIndex.record}. */
const RECORD_JSON_KEYS: readonly (readonly [string, RecordField])[] = [
  ['civility', 'civility'],
  ['firstName', 'firstName'],
  ['lastName', 'lastName'],
  ['profession', 'profession'],
  ['professionCode', 'professionCode'],
  ['specialty', 'specialty'],
  ['structure', 'organisation'],
  ['brand', 'brand'],
  ['service', 'service'],
  ['nationalId', 'nationalId'],
  ['idType', 'idType'],
  ['idPP', 'idPP'],
  ['structureId', 'structureId'],
  ['structureIdType', 'structureIdType'],
  ['city', 'city'],
  ['postalCode', 'postalCode'],
  ['department', 'department'],
];

const JSON_ADDRESS_OPEN = asciiBytes('{"address":');
const JSON_NAME = asciiBytes(',"name":');
/** `,"type":"PER"` ... for each index of MAILBOX_TYPES. */
const JSON_TYPE = MAILBOX_TYPES.map((t) => asciiBytes(`,"type":"${t}"`));
const RECORD_JSON_PREFIXES = RECORD_JSON_KEYS.map(([key]) => asciiBytes(`,"${key}":`));
/** `,"key":` of each field slot (interned fields 0..F-1, then the identifiers), the keys of {@link DirectoryIndex.record}. */
const FIELD_PREFIX: Uint8Array[] = [];
for (const [key, field] of RECORD_JSON_KEYS) {
  const k = FIELD_INDEX[field];
  FIELD_PREFIX[k < 0 ? F - 1 - k : k] = asciiBytes(`,"${key}":`);
}
/** FIELD_INDEX of each RECORD_JSON_KEYS field (a typed array: no property look-up per field). */
const RECORD_JSON_SLOTS = Int8Array.from(RECORD_JSON_KEYS.map(([, field]) => FIELD_INDEX[field]));

function joinName(first: string, last: string): string {
  return first && last ? `${first} ${last}` : first || last;
}


/**
 * Interned fields that sit side by side in the extraction and change together: the structure (raison sociale,
 * enseigne, its address lines, city, postal code, department: columns 18-29 of the ANS file) and the profession
 * (code, label, savoir-faire: 13-16). A line's whole span of such a group is interned as ONE key first: ~12 values
 * found with one hash and one probe; only a new span has its fields interned one by one.
 */
const FIELD_GROUPS: readonly (readonly RecordField[])[] = [
  ['organisation', 'brand', 'city', 'postalCode', 'department'],
  ['professionCode', 'profession', 'specialty'],
];

/** The distinct byte spans of one field group and the pool ids of their fields. */
class FieldGroup {
  private slots = new Int32Array(1 << 12);
  private count = 0;
  private keyBytes = new Uint8Array(1 << 16);
  private keyOffsets = new Uint32Array(1024);
  private ids: Uint32Array;
  private readonly seed: number;
  /** Lines read through the group, and whether it was given up. */
  private lines = 0;
  private off = false;

  constructor(
    readonly members: readonly number[],
    private readonly first: number,
    private readonly last: number,
    group: number,
  ) {
    this.ids = new Uint32Array(1024 * members.length);
    this.seed = (0x811c9dc5 ^ Math.imul(group + 101, 0x9e3779b1)) >>> 0;
  }

  /** Sets the group's fields of the record at fieldIds[base...] from the line cut in `cuts`. */
  read(builder: DirectoryIndexBuilder, bytes: Uint8Array, cuts: Int32Array, columns: readonly number[], fieldIds: Uint32Array, base: number): void {
    if (this.off) {
      for (let m = 0; m < this.members.length; m++) {
        const f = this.members[m];
        const c = columns[f];
        fieldIds[base + f] = builder.intern(f, bytes, cuts[2 * c], cuts[2 * c + 1]);
      }
      return;
    }
    this.lines++;
    const s = cuts[2 * this.first];
    const e = cuts[2 * this.last + 1];
    const h = hashBytes(bytes, s, e, this.seed);
    let mask = this.slots.length - 1;
    let slot = h & mask;
    const M = this.members.length;
    for (;; slot = (slot + 1) & mask) {
      const v = this.slots[slot];
      if (v === 0) break;
      if (sameBytes(this.keyBytes, this.keyOffsets[v - 1], this.keyOffsets[v], bytes, s, e)) {
        const at = (v - 1) * M;
        for (let m = 0; m < M; m++) fieldIds[base + this.members[m]] = this.ids[at + m];
        return;
      }
    }
    // a new span: intern its fields one by one, remember their ids; a group whose spans hardly repeat (a file
    // where these columns vary line by line) is given up: one key per line would cost more than it saves
    if (this.count >= 4096 && 2 * this.count > this.lines) {
      this.off = true;
      this.slots = new Int32Array(0);
      this.keyBytes = new Uint8Array(0);
      this.keyOffsets = new Uint32Array(0);
      this.ids = new Uint32Array(0);
      this.read(builder, bytes, cuts, columns, fieldIds, base);
      return;
    }
    const g = this.count++;
    if (g + 2 > this.keyOffsets.length) this.keyOffsets = grown(this.keyOffsets, g + 2);
    if ((g + 1) * M > this.ids.length) this.ids = grown(this.ids, (g + 1) * M);
    const at = this.keyOffsets[g];
    if (at + (e - s) > this.keyBytes.length) this.keyBytes = grown(this.keyBytes, at + (e - s));
    this.keyBytes.set(bytes.subarray(s, e), at);
    this.keyOffsets[g + 1] = at + (e - s);
    for (let m = 0; m < M; m++) {
      const f = this.members[m];
      const c = columns[f];
      const id = builder.intern(f, bytes, cuts[2 * c], cuts[2 * c + 1]);
      this.ids[g * M + m] = id;
      fieldIds[base + f] = id;
    }
    this.slots[slot] = g + 1;
    if (2 * this.count > this.slots.length) {
      const slots = new Int32Array(this.slots.length * 2);
      mask = slots.length - 1;
      for (let v = 1; v <= this.count; v++) {
        let q = hashBytes(this.keyBytes, this.keyOffsets[v - 1], this.keyOffsets[v], this.seed) & mask;
        while (slots[q] !== 0) q = (q + 1) & mask;
        slots[q] = v;
      }
      this.slots = slots;
    }
  }
}

/** True when bytes a[as, ae) equal b[bs, be). */
function sameBytes(a: Uint8Array, as: number, ae: number, b: Uint8Array, bs: number, be: number): boolean {
  if (ae - as !== be - bs) return false;
  for (let k = 0; k < ae - as; k++) if (a[as + k] !== b[bs + k]) return false;
  return true;
}

/**
 * The records of a {@link DirectoryIndexBuilder} as plain typed arrays (see {@link DirectoryIndexBuilder.exportPart}):
 * normalised addresses and their hashes, types, interned field ids (into poolBytes/poolOffsets, id 0 = ''),
 * identifiers. Structured-cloneable: a worker thread hands it over by transferring the buffers.
 */
export interface BuilderPart {
  readonly n: number;
  readonly addressBytes: Uint8Array;
  readonly addressOffsets: Uint32Array;
  readonly addressHashes: Uint32Array;
  readonly types: Uint8Array;
  readonly fieldIds: Uint32Array;
  readonly idBytes: Uint8Array;
  readonly idOffsets: Uint32Array;
  readonly poolBytes: Uint8Array;
  readonly poolOffsets: Uint32Array;
}

/** Outcome of {@link DirectoryIndexBuilder.add}. */
export type AddOutcome = 'added' | 'duplicate';

/** A copy of `a` with room for at least `min` elements (growth by 1.5: less slack at the peak than doubling). */
function grown<T extends Uint8Array | Uint32Array | Int32Array>(a: T, min: number): T {
  let n = a.length;
  while (n < min) n = Math.ceil(n * 1.5) + 16;
  return resized(a, n);
}

function resized<T extends Uint8Array | Uint32Array | Int32Array>(a: T, n: number): T {
  const b = new (a.constructor as new (n: number) => T)(n);
  b.set(a.length <= n ? a : a.subarray(0, n));
  return b;
}

/** Column positions of `add(record)`: column 0 the address, then RECORD_FIELDS. */
const RECORD_COLUMNS = RECORD_FIELDS.map((_f, k) => k + 1);

/**
 * Builds an index line by line (the loader streams the file's bytes into {@link addLine}), then {@link build}
 * lays out the flat arrays. Nothing is kept per line but numbers and bytes: the address and the identifiers are
 * copied into growing byte blocks; repeated values (professions, structures, first names) are interned on their
 * bytes, and only a NEW value becomes a string; repeated addresses (169 in the national file, MSSANTE.md §4.b)
 * keep their first line.
 */
export class DirectoryIndexBuilder {
  private n = 0;
  private addrBytes: Uint8Array;
  private addrLen = 0;
  private addrOffsets: Uint32Array;
  /** Open addressing over the addresses (record + 1), power of two, grown at load factor 0.5 (duplicates only). */
  private addrSlots: Int32Array;
  /** Hash of each record's address (rehash and final table without reading the bytes again). */
  private addrHashes: Uint32Array;
  private types: Uint8Array;
  private fieldIds: Uint32Array;
  private idBytes: Uint8Array;
  private idLen = 0;
  private idOffsets: Uint32Array;
  /** Interned values: pool[id] (string), its bytes, its field; one hash table for all fields. */
  private readonly pool: string[] = [''];
  private poolBytes = new Uint8Array(1 << 16);
  private poolOffsets = new Uint32Array(1024);
  private poolFields = new Uint8Array(1024);
  private poolSlots = new Int32Array(1 << 12);
  private cuts: Int32Array = new Int32Array(0);
  private cutsMap: ColumnMap | undefined;

  /**
   * `expectedRecords` and `expectedBytes` (of the source) size the arrays once: capacity that is never written is
   * never touched, so a generous estimate costs address space, not memory; outgrowing it only costs a copy.
   */
  constructor(opts: { readonly expectedRecords?: number; readonly expectedBytes?: number } = {}) {
    const cap = Math.max(1024, Math.ceil(opts.expectedRecords ?? 1024));
    const bytes = Math.max(1 << 16, Math.ceil(opts.expectedBytes ?? 1 << 16));
    this.addrBytes = new Uint8Array(bytes);
    this.idBytes = new Uint8Array(bytes);
    this.addrOffsets = new Uint32Array(cap + 1);
    // the duplicate table is written at random: sized for a third of the (generous) estimate, grown if need be
    let slots = 2048;
    while (slots < (2 * cap) / 3) slots *= 2;
    this.addrSlots = new Int32Array(slots);
    this.addrHashes = new Uint32Array(cap);
    this.types = new Uint8Array(cap);
    this.fieldIds = new Uint32Array(cap * F);
    this.idOffsets = new Uint32Array(3 * cap + 1);
  }

  get size(): number {
    return this.n;
  }

  /** Record index of an (already normalised) address added, or -1. */
  indexOf(address: string): number {
    const mask = this.addrSlots.length - 1;
    for (let slot = hashUtf8(address) & mask; ; slot = (slot + 1) & mask) {
      const v = this.addrSlots[slot];
      if (v === 0) return -1;
      if (equalsUtf8(this.addrBytes, this.addrOffsets[v - 1], this.addrOffsets[v], address)) return v - 1;
    }
  }

  /**
   * Parses and adds one data line given as UTF-8 bytes [start, end) (no LF). Returns 'added', 'duplicate' (the
   * first line of an address is kept) or why the line is skipped.
   */
  addLine(bytes: Uint8Array, start: number, end: number, map: ColumnMap): AddOutcome | LineProblem {
    if (this.cutsMap !== map) {
      this.cuts = newColumnCuts(map);
      this.cutsMap = map;
    }
    const type = scanExtractionBytes(bytes, start, end, map, this.cuts);
    if (typeof type !== 'number') return type;
    return this.addCut(bytes, this.cuts, type, map.address, map.fields);
  }

  /** Adds one record; a repeated address keeps the first one and returns 'duplicate'. */
  add(record: ExtractionRecord): AddOutcome {
    const parts = [record.address, ...RECORD_FIELDS.map((f) => record.fields[f])].map(encodeUtf8);
    let len = 0;
    for (const p of parts) len += p.length;
    const bytes = new Uint8Array(len);
    const cuts = new Int32Array(2 * parts.length);
    let at = 0;
    parts.forEach((p, k) => {
      bytes.set(p, at);
      cuts[2 * k] = at;
      at += p.length;
      cuts[2 * k + 1] = at;
    });
    const out = this.addCut(bytes, cuts, MAILBOX_TYPES.indexOf(record.mailboxType), 0, RECORD_COLUMNS);
    if (out === 'INVALID_ADDRESS') throw new Error('DirectoryIndexBuilder.add: invalid address');
    return out;
  }

  private addCut(bytes: Uint8Array, cuts: Int32Array, type: number, addressColumn: number, columns: readonly number[]): AddOutcome | 'INVALID_ADDRESS' {
    const i = this.n;
    // the address, normalised, straight into the address block
    const as = cuts[2 * addressColumn];
    const ae = cuts[2 * addressColumn + 1];
    if (this.addrLen + 3 * (ae - as) + 8 > this.addrBytes.length) this.addrBytes = grown(this.addrBytes, this.addrLen + 3 * (ae - as) + 8);
    let end = normaliseAddressBytesInto(bytes, as, ae, this.addrBytes, this.addrLen);
    if (end < 0) {
      const normalised = normaliseDirectoryAddress(decodeUtf8(bytes, as, ae));
      if (normalised === undefined) return 'INVALID_ADDRESS';
      const enc = encodeUtf8(normalised);
      if (this.addrLen + enc.length > this.addrBytes.length) this.addrBytes = grown(this.addrBytes, this.addrLen + enc.length);
      this.addrBytes.set(enc, this.addrLen);
      end = this.addrLen + enc.length;
    }
    const h = hashBytes(this.addrBytes, this.addrLen, end);
    let mask = this.addrSlots.length - 1;
    let slot = h & mask;
    for (;; slot = (slot + 1) & mask) {
      const v = this.addrSlots[slot];
      if (v === 0) break;
      if (this.sameBytes(this.addrBytes, this.addrOffsets[v - 1], this.addrOffsets[v], this.addrBytes, this.addrLen, end)) return 'duplicate';
    }
    // a new record
    if (i + 1 >= this.types.length) this.grow();
    this.addrOffsets[i] = this.addrLen;
    this.addrOffsets[i + 1] = end;
    this.addrHashes[i] = h;
    this.addrLen = end;
    this.addrSlots[slot] = i + 1;
    this.n = i + 1;
    if (2 * this.n > this.addrSlots.length) {
      this.rehashAddresses();
      mask = this.addrSlots.length - 1;
    }
    this.types[i] = type;
    const base = i * F;
    const plan = this.planFor(columns);
    for (let g = 0; g < plan.groups.length; g++) plan.groups[g].read(this, bytes, cuts, columns, this.fieldIds, base);
    const single = plan.single;
    for (let k = 0; k < single.length; k++) {
      const f = single[k];
      const c = columns[f];
      this.fieldIds[base + f] = c < 0 ? 0 : this.intern(f, bytes, cuts[2 * c], cuts[2 * c + 1]);
    }
    // identifiers: bytes only
    let need = this.idLen;
    for (let k = 0; k < 3; k++) {
      const c = columns[F + k];
      if (c >= 0) need += cuts[2 * c + 1] - cuts[2 * c];
    }
    if (need > this.idBytes.length) this.idBytes = grown(this.idBytes, need);
    for (let k = 0; k < 3; k++) {
      const c = columns[F + k];
      if (c >= 0) {
        const s = cuts[2 * c];
        const e = cuts[2 * c + 1];
        if (e - s < 32) for (let q = s; q < e; q++) this.idBytes[this.idLen++] = bytes[q];
        else {
          this.idBytes.set(bytes.subarray(s, e), this.idLen);
          this.idLen += e - s;
        }
      }
      this.idOffsets[3 * i + k + 1] = this.idLen;
    }
    return 'added';
  }

  private sameBytes(a: Uint8Array, as: number, ae: number, b: Uint8Array, bs: number, be: number): boolean {
    if (ae - as !== be - bs) return false;
    for (let k = 0; k < ae - as; k++) if (a[as + k] !== b[bs + k]) return false;
    return true;
  }

  private rehashAddresses(): void {
    const slots = new Int32Array(this.addrSlots.length * 2);
    const mask = slots.length - 1;
    for (let r = 0; r < this.n; r++) {
      let s = this.addrHashes[r] & mask;
      while (slots[s] !== 0) s = (s + 1) & mask;
      slots[s] = r + 1;
    }
    this.addrSlots = slots;
  }

  /** How the interned fields of a line are read, for one column layout (cached). */
  private planFor(columns: readonly number[]): { groups: FieldGroup[]; single: number[] } {
    if (this.planColumns === columns && this.plan !== undefined) return this.plan;
    const groups: FieldGroup[] = [];
    const grouped = new Set<number>();
    // add(record) lays the values end to end without separators: a span would be ambiguous there
    for (const names of columns === RECORD_COLUMNS ? [] : FIELD_GROUPS) {
      const members = names.map((n) => FIELD_INDEX[n]).filter((f) => columns[f] >= 0);
      if (members.length < 2) continue;
      const cols = members.map((f) => columns[f]);
      const first = Math.min(...cols);
      const last = Math.max(...cols);
      // only columns that are neighbours in the file: one byte span, a handful of columns wide
      if (last - first > 16) continue;
      groups.push(new FieldGroup(members, first, last, groups.length));
      for (const f of members) grouped.add(f);
    }
    const single: number[] = [];
    for (let f = 0; f < F; f++) if (!grouped.has(f)) single.push(f);
    this.plan = { groups, single };
    this.planColumns = columns;
    return this.plan;
  }

  private plan: { groups: FieldGroup[]; single: number[] } | undefined;
  private planColumns: readonly number[] | undefined;

  /** Id in the pool of field f's value, bytes [s, e) (interned: one id per distinct value of a field). */
  intern(f: number, bytes: Uint8Array, s: number, e: number): number {
    if (s === e) return 0;
    const h = hashBytes(bytes, s, e, (0x811c9dc5 ^ Math.imul(f + 1, 0x9e3779b1)) >>> 0);
    let mask = this.poolSlots.length - 1;
    let slot = h & mask;
    for (;; slot = (slot + 1) & mask) {
      const v = this.poolSlots[slot];
      if (v === 0) break;
      if (this.poolFields[v] === f && this.sameBytes(this.poolBytes, this.poolOffsets[v], this.poolOffsets[v + 1], bytes, s, e)) return v;
    }
    const id = this.pool.length;
    if (id + 2 > this.poolOffsets.length) {
      this.poolOffsets = grown(this.poolOffsets, id + 2);
      this.poolFields = grown(this.poolFields, id + 2);
    }
    const at = this.poolOffsets[id];
    if (at + (e - s) > this.poolBytes.length) this.poolBytes = grown(this.poolBytes, at + (e - s));
    this.poolBytes.set(bytes.subarray(s, e), at);
    this.poolOffsets[id + 1] = at + (e - s);
    this.poolFields[id] = f;
    this.pool.push(decodeUtf8(bytes, s, e));
    this.poolSlots[slot] = id;
    if (2 * id > this.poolSlots.length) {
      const slots = new Int32Array(this.poolSlots.length * 2);
      mask = slots.length - 1;
      for (let v = 1; v <= id; v++) {
        let q = hashBytes(this.poolBytes, this.poolOffsets[v], this.poolOffsets[v + 1], (0x811c9dc5 ^ Math.imul(this.poolFields[v] + 1, 0x9e3779b1)) >>> 0) & mask;
        while (slots[q] !== 0) q = (q + 1) & mask;
        slots[q] = v;
      }
      this.poolSlots = slots;
    }
    return id;
  }

  private grow(): void {
    const n = Math.ceil(this.types.length * 1.5);
    this.types = resized(this.types, n);
    this.addrHashes = resized(this.addrHashes, n);
    this.fieldIds = resized(this.fieldIds, n * F);
    this.addrOffsets = resized(this.addrOffsets, n + 1);
    this.idOffsets = resized(this.idOffsets, 3 * n + 1);
  }

  /**
   * What this builder holds, as typed arrays (views over its buffers, which a worker thread can transfer without a
   * copy), for {@link appendPart} of another builder. The builder must not be used afterwards.
   */
  exportPart(): BuilderPart {
    const n = this.n;
    const pools = this.pool.length;
    return {
      n,
      addressBytes: this.addrBytes.subarray(0, this.addrLen),
      addressOffsets: this.addrOffsets.subarray(0, n + 1),
      addressHashes: this.addrHashes.subarray(0, n),
      types: this.types.subarray(0, n),
      fieldIds: this.fieldIds.subarray(0, n * F),
      idBytes: this.idBytes.subarray(0, this.idLen),
      idOffsets: this.idOffsets.subarray(0, 3 * n + 1),
      poolBytes: this.poolBytes.subarray(0, this.poolOffsets[pools]),
      poolOffsets: this.poolOffsets.subarray(0, pools + 1),
    };
  }

  /**
   * Appends the records of a part built from the lines that FOLLOW this builder's (the second half of a file read
   * by another thread): an address this builder already has is dropped (the first line is kept, as
   * {@link addLine} does) and counted in the result; the part's interned values are interned again here, record by
   * record in the order {@link addLine} interns them, so the pool ids and every array come out exactly as if the
   * part's lines had been added to this builder one by one. `columns`: the column map's `fields` the lines were
   * read with. Returns the number of dropped duplicates.
   */
  appendPart(part: BuilderPart, columns: readonly number[]): number {
    const n0 = this.n;
    const pn = part.n;
    const { addressBytes: pBytes, addressOffsets: pOffsets, addressHashes: pHashes, fieldIds: pFields, idBytes: pIdBytes, idOffsets: pIdOffsets, poolBytes, poolOffsets } = part;
    if (n0 + pn > MAX_RECORDS) throw new Error(`DirectoryIndexBuilder: more than ${MAX_RECORDS} records`);
    while (n0 + pn + 1 >= this.types.length) this.grow();
    // 1. the part's addresses into the duplicate table; those already here are dropped (kept[] of the others)
    const kept = new Uint8Array(pn);
    let dropped = 0;
    // sized first (a rehash reads the hashes of records 0..n-1, which the part's are not yet)
    while (2 * (n0 + pn) > this.addrSlots.length) this.rehashAddresses();
    const mask = this.addrSlots.length - 1;
    for (let r = 0; r < pn; r++) {
      const as = pOffsets[r];
      const ae = pOffsets[r + 1];
      let slot = pHashes[r] & mask;
      let dup = false;
      for (;; slot = (slot + 1) & mask) {
        const v = this.addrSlots[slot];
        if (v === 0) break;
        // a part's own duplicates were dropped by its builder: only this builder's records (< n0) can match
        if (v <= n0 && sameBytes(this.addrBytes, this.addrOffsets[v - 1], this.addrOffsets[v], pBytes, as, ae)) {
          dup = true;
          break;
        }
      }
      if (dup) {
        dropped++;
        continue;
      }
      kept[r] = 1;
      this.addrSlots[slot] = n0 + r - dropped + 1;
    }
    // 2. bytes, offsets, hashes, types: copied in runs of kept records (one copy per run; a run is nearly the
    // whole part, duplicates being rare)
    const addrNeed = this.addrLen + pBytes.length;
    if (addrNeed > this.addrBytes.length) this.addrBytes = grown(this.addrBytes, addrNeed);
    const idNeed = this.idLen + pIdBytes.length;
    if (idNeed > this.idBytes.length) this.idBytes = grown(this.idBytes, idNeed);
    let i = n0;
    for (let r = 0; r < pn; ) {
      if (kept[r] === 0) {
        r++;
        continue;
      }
      let e = r + 1;
      while (e < pn && kept[e] === 1) e++;
      const count = e - r;
      // addresses
      const aShift = this.addrLen - pOffsets[r];
      this.addrBytes.set(pBytes.subarray(pOffsets[r], pOffsets[e]), this.addrLen);
      for (let q = 1; q <= count; q++) this.addrOffsets[i + q] = pOffsets[r + q] + aShift;
      this.addrLen = this.addrOffsets[i + count];
      this.addrHashes.set(pHashes.subarray(r, e), i);
      this.types.set(part.types.subarray(r, e), i);
      // identifiers
      const iShift = this.idLen - pIdOffsets[3 * r];
      this.idBytes.set(pIdBytes.subarray(pIdOffsets[3 * r], pIdOffsets[3 * e]), this.idLen);
      for (let q = 1; q <= 3 * count; q++) this.idOffsets[3 * i + q] = pIdOffsets[3 * r + q] + iShift;
      this.idLen = this.idOffsets[3 * (i + count)];
      i += count;
      r = e;
    }
    // 3. interned fields: the part's pool ids remapped, each value interned here when first met, record by record
    // in the order addLine interns them (field groups, then single fields), so that the pool ids are the same
    const plan = this.planFor(columns);
    const orderList: number[] = [];
    for (const g of plan.groups) orderList.push(...g.members);
    orderList.push(...plan.single);
    const order = Int32Array.from(orderList);
    const remap = new Int32Array(poolOffsets.length).fill(-1);
    remap[0] = 0;
    const fieldIds = this.fieldIds;
    let base = n0 * F;
    for (let r = 0; r < pn; r++) {
      if (kept[r] === 0) continue;
      const pBase = r * F;
      for (let k = 0; k < F; k++) {
        const f = order[k];
        const v = pFields[pBase + f];
        let id = remap[v];
        if (id < 0) {
          id = this.intern(f, poolBytes, poolOffsets[v], poolOffsets[v + 1]);
          remap[v] = id;
        }
        fieldIds[base + f] = id;
      }
      base += F;
    }
    this.n = i;
    return dropped;
  }

  /** Lays out the flat arrays. The builder must not be used afterwards. */
  build(): DirectoryIndex {
    const n = this.n;
    const idBytes = this.idBytes.subarray(0, this.idLen);
    const idOffsets = this.idOffsets.subarray(0, 3 * n + 1);
    // the address table at its final size (the load-time table was a power of two sized by an estimate); load 0.5
    // and a hash tag in each entry keep a miss (an ordinary address) to a couple of probes that read no bytes
    this.addrSlots = new Int32Array(0);
    if (n > MAX_RECORDS) throw new Error(`DirectoryIndexBuilder: more than ${MAX_RECORDS} records`);
    const size = tableSize(n, 0.5);
    const hashSlots = new Int32Array(size);
    for (let r = 0; r < n; r++) {
      const h = this.addrHashes[r];
      let s = hashSlot(h, size);
      while (hashSlots[s] !== 0) if (++s === size) s = 0;
      hashSlots[s] = addressTag(h) | (r + 1);
    }
    return DirectoryIndex.withDeferredSearch({
      addressBytes: this.addrBytes.subarray(0, this.addrLen),
      addressOffsets: this.addrOffsets.subarray(0, n + 1),
      idBytes,
      idOffsets,
      // filled in with the search arrays (identifiers are searched, never looked up by address)
      idSlots: new Int32Array(1),
      types: this.types.subarray(0, n),
      pool: this.pool,
      fieldIds: this.fieldIds.subarray(0, n * F),
      hashSlots,
      // filled in by SearchArraysBuilder (DirectoryIndex.ensureSearch)
      tokens: [],
      postingOffsets: new Uint32Array(1),
      postings: new Uint32Array(0),
      recordTokenOffsets: new Uint32Array(n + 1),
      recordTokens: new Uint32Array(0),
      nameTokenCounts: new Uint8Array(n),
    });
  }
}

/** The search arrays of an index (see the layout at the top of this file). */
type SearchArrays = Pick<DirectoryIndexData, 'tokens' | 'postingOffsets' | 'postings' | 'recordTokenOffsets' | 'recordTokens' | 'nameTokenCounts' | 'idSlots'>;

/**
 * Derives the search arrays from the interned fields alone (pool + fieldIds), record by record (so that the work
 * can be spread between requests), then sorts the words and lays out the postings. The words of each distinct
 * value are folded once.
 */
class SearchArraysBuilder {
  private next = 0;
  /** Temporary token ids (insertion order) of each pool value, computed once per distinct value. */
  private readonly poolTokens: (number[] | null)[];
  private readonly tokenIds = new Map<string, number>();
  private readonly tokenList: string[] = [];
  private recordTokens: Uint32Array;
  private recordTokenCount = 0;
  private readonly recordTokenOffsets: Uint32Array;
  private readonly nameTokenCounts: Uint8Array;

  constructor(
    private readonly pool: readonly string[],
    private readonly fieldIds: Uint32Array,
    private readonly idBytes: Uint8Array,
    private readonly idOffsets: Uint32Array,
    private readonly n: number,
  ) {
    this.poolTokens = new Array<number[] | null>(pool.length).fill(null);
    this.poolTokens[0] = [];
    this.recordTokens = new Uint32Array(Math.max(16, n * 6));
    this.recordTokenOffsets = new Uint32Array(n + 1);
    this.nameTokenCounts = new Uint8Array(n);
  }

  /** Adds the words of up to `count` more records; true when every record is done. */
  step(count: number): boolean {
    const end = Math.min(this.n, this.next + count);
    const { fieldIds } = this;
    const LAST = FIELD_INDEX.lastName;
    const FIRST = FIELD_INDEX.firstName;
    const SERVICE = FIELD_INDEX.service;
    const ORG = FIELD_INDEX.organisation;
    const BRAND = FIELD_INDEX.brand;
    for (let i = this.next; i < end; i++) {
      // name words first (last name, first name; the service for an organisational mailbox), then the others
      const base = i * F;
      const from = this.recordTokenCount;
      const last = fieldIds[base + LAST];
      const first = fieldIds[base + FIRST];
      const isPerson = last !== 0 || first !== 0;
      if (isPerson) {
        this.pushTokens(this.tokensOf(last), from);
        this.pushTokens(this.tokensOf(first), from);
      } else {
        this.pushTokens(this.tokensOf(fieldIds[base + SERVICE]), from);
      }
      this.nameTokenCounts[i] = Math.min(this.recordTokenCount - from, 255);
      if (isPerson) this.pushTokens(this.tokensOf(fieldIds[base + SERVICE]), from);
      this.pushTokens(this.tokensOf(fieldIds[base + ORG]), from);
      this.pushTokens(this.tokensOf(fieldIds[base + BRAND]), from);
      this.recordTokenOffsets[i + 1] = this.recordTokenCount;
    }
    this.next = end;
    return end === this.n;
  }

  private tokensOf(poolId: number): number[] {
    let t = this.poolTokens[poolId];
    if (t === null) {
      t = [];
      for (const w of tokenize(this.pool[poolId])) {
        let id = this.tokenIds.get(w);
        if (id === undefined) {
          id = this.tokenList.length;
          this.tokenList.push(w);
          this.tokenIds.set(w, id);
        }
        if (t.indexOf(id) < 0) t.push(id);
      }
      this.poolTokens[poolId] = t;
    }
    return t;
  }

  /** Appends the words of one value to the current record, skipping those it already has (from `from` on). */
  private pushTokens(ids: readonly number[], from: number): void {
    for (let k = 0; k < ids.length; k++) {
      const id = ids[k];
      let seen = false;
      for (let q = from; q < this.recordTokenCount; q++) {
        if (this.recordTokens[q] === id) {
          seen = true;
          break;
        }
      }
      if (seen) continue;
      if (this.recordTokenCount === this.recordTokens.length) this.recordTokens = grown(this.recordTokens, this.recordTokenCount + 1);
      this.recordTokens[this.recordTokenCount++] = id;
    }
  }

  /** Sorted words, postings (CSR, records ascending within a word), record words with sorted ids. */
  finish(): SearchArrays {
    const n = this.n;
    const T = this.tokenList.length;
    const order = new Array<number>(T);
    for (let t = 0; t < T; t++) order[t] = t;
    const list = this.tokenList;
    order.sort((a, b) => (list[a] < list[b] ? -1 : list[a] > list[b] ? 1 : 0));
    const remap = new Uint32Array(T);
    const tokens = new Array<string>(T);
    for (let k = 0; k < T; k++) {
      remap[order[k]] = k;
      tokens[k] = list[order[k]];
    }
    const recordTokens = this.recordTokens.subarray(0, this.recordTokenCount);
    for (let q = 0; q < recordTokens.length; q++) recordTokens[q] = remap[recordTokens[q]];
    const recordTokenOffsets = this.recordTokenOffsets;
    const postingOffsets = new Uint32Array(T + 1);
    for (let q = 0; q < recordTokens.length; q++) postingOffsets[recordTokens[q] + 1]++;
    for (let t = 0; t < T; t++) postingOffsets[t + 1] += postingOffsets[t];
    const cursor = postingOffsets.slice(0, T);
    const postings = new Uint32Array(recordTokens.length);
    for (let r = 0; r < n; r++) {
      for (let q = recordTokenOffsets[r]; q < recordTokenOffsets[r + 1]; q++) postings[cursor[recordTokens[q]]++] = r;
    }
    // identifier table: every distinct non-empty id of every record (3r + k + 1)
    const { idBytes, idOffsets } = this;
    let idCount = 0;
    const keep = new Uint8Array(3 * n);
    for (let r = 0; r < n; r++) {
      for (let k = 0; k < 3; k++) {
        const q = 3 * r + k;
        const s = idOffsets[q];
        const e = idOffsets[q + 1];
        if (s === e) continue;
        let dup = false;
        for (let j = 0; j < k && !dup; j++) dup = sameBytes(idBytes, idOffsets[3 * r + j], idOffsets[3 * r + j + 1], idBytes, s, e);
        if (dup) continue;
        keep[q] = 1;
        idCount++;
      }
    }
    const idSize = tableSize(idCount);
    const idSlots = new Int32Array(idSize);
    for (let q = 0; q < 3 * n; q++) {
      if (keep[q] === 0) continue;
      let s = hashSlot(hashBytes(idBytes, idOffsets[q], idOffsets[q + 1]), idSize);
      while (idSlots[s] !== 0) if (++s === idSize) s = 0;
      idSlots[s] = q + 1;
    }
    return { tokens, postingOffsets, postings, recordTokenOffsets, recordTokens, nameTokenCounts: this.nameTokenCounts, idSlots };
  }
}
