// Runtime: any (pure core). The in-memory national directory: ~536,000 MSSanté mailboxes in a few flat typed
// arrays, so that an exact look-up is one hash probe and a name search walks one posting range.
//
// Layout (all built by DirectoryIndexBuilder, or restored from a snapshot by the connector without rebuilding):
//  - addresses[i]: normalised address of record i; types[i]: index in MAILBOX_TYPES;
//  - fieldIds[i * F + f]: id in `pool` (interned strings, pool[0] = '') of kept field f (INTERNED_FIELDS);
//  - ids[i]: national id, id PP and structure id joined by U+001F; idSlots: hash table from each id to records;
//  - hashSlots: open addressing (linear probing, FNV-1a) from address to record + 1 (0 = empty);
//  - tokens: sorted distinct folded words; a PREFIX is therefore a contiguous range of token ids;
//  - postingOffsets/postings: records of each token (CSR), in token order, so a prefix range is one slice;
//  - recordTokenOffsets/recordTokens: token ids of each record, its name words first (nameTokenCounts[i] of them).

import { MAILBOX_TYPES } from '../types';
import type { DirectoryEntry, MailboxType } from '../types';
import { ID_FIELDS, INTERNED_FIELDS, RECORD_FIELDS, type ExtractionRecord, type LineSlots, type RecordField } from './extraction';
import { NAME_TITLES, tokenize } from './text';

const F = INTERNED_FIELDS.length;
const FIELD_INDEX = {} as Record<RecordField, number>;
INTERNED_FIELDS.forEach((f, i) => {
  FIELD_INDEX[f] = i;
});
ID_FIELDS.forEach((f, i) => {
  FIELD_INDEX[f] = -1 - i;
});
const ID_SEP = '\u001f';
/** A query word that is an identifier (RPPS, ADELI, FINESS, SIRET...). */
const ID_WORD = /^[0-9]{8,15}$/;

/** The flat arrays of an index (what a snapshot stores). */
export interface DirectoryIndexData {
  readonly addresses: readonly string[];
  readonly types: Uint8Array;
  readonly pool: readonly string[];
  readonly fieldIds: Uint32Array;
  readonly ids: readonly string[];
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

/** FNV-1a 32-bit over UTF-16 code units. */
export function hashAddress(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
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

const TWO20 = 1048576;
const TWO40 = TWO20 * TWO20;
const MAX_SCORE = 255;

/** A read-only directory index. Build one with {@link DirectoryIndexBuilder} or restore it with {@link DirectoryIndex.fromData}. */
export class DirectoryIndex {
  readonly size: number;
  private readonly mask: number;
  private stamp: Uint32Array;
  private generation = 0;

  private constructor(readonly data: DirectoryIndexData) {
    this.size = data.addresses.length;
    this.mask = data.hashSlots.length - 1;
    this.stamp = new Uint32Array(0);
  }

  /** Wraps arrays produced by a builder or read from a snapshot (no copy, no rebuild). */
  static fromData(data: DirectoryIndexData): DirectoryIndex {
    const slots = data.hashSlots.length;
    if (slots === 0 || (slots & (slots - 1)) !== 0) throw new Error('DirectoryIndex: hashSlots length must be a power of two');
    if (data.fieldIds.length !== data.addresses.length * F) throw new Error('DirectoryIndex: fieldIds length mismatch');
    return new DirectoryIndex(data);
  }

  /** Record index of a NORMALISED address, or -1. */
  find(normalisedAddress: string): number {
    const { hashSlots, addresses } = this.data;
    let slot = hashAddress(normalisedAddress) & this.mask;
    for (;;) {
      const v = hashSlots[slot];
      if (v === 0) return -1;
      if (addresses[v - 1] === normalisedAddress) return v - 1;
      slot = (slot + 1) & this.mask;
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
      address: this.data.addresses[i],
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
    if (k < 0) return this.data.ids[i].split(ID_SEP)[-1 - k] ?? '';
    return this.data.pool[this.data.fieldIds[i * F + k]];
  }

  /**
   * Records with this identifier: national id ("Identification nationale PP"), id PP (RPPS/ADELI), structure id;
   * an RPPS also finds its national id (8 + RPPS), a FINESS or SIRET its structure id (1 + FINESS, 3 + SIRET).
   */
  findById(id: string): number[] {
    const { idSlots, ids } = this.data;
    const mask = idSlots.length - 1;
    const out: number[] = [];
    for (const key of [id, `8${id}`, `0${id}`, `1${id}`, `3${id}`]) {
      let slot = hashAddress(key) & mask;
      for (;;) {
        const v = idSlots[slot];
        if (v === 0) break;
        const r = v - 1;
        if (out.indexOf(r) < 0 && ids[r].split(ID_SEP).indexOf(key) >= 0) out.push(r);
        slot = (slot + 1) & mask;
      }
    }
    return out;
  }

  /** Mailbox type of record i. */
  type(i: number): MailboxType {
    return MAILBOX_TYPES[this.data.types[i]];
  }

  /** Everything about record i. */
  record(i: number): DirectoryRecord {
    const f = (name: RecordField) => this.field(i, name);
    const out: Record<string, string> = { address: this.data.addresses[i], type: this.type(i) };
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

  /** Count of records of each mailbox type. */
  countByType(): Record<MailboxType, number> {
    const counts = { PER: 0, ORG: 0, APP: 0, CAB: 0 };
    const { types } = this.data;
    for (let i = 0; i < types.length; i++) counts[MAILBOX_TYPES[types[i]]]++;
    return counts;
  }

  /** Token-id range [lo, hi) of the words starting with `prefix` (folded). */
  private range(prefix: string): [number, number] {
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
    const matched = this.match(words, { exact: words.map(() => false), nameOnly: false, types: opts.types, maxMatches: opts.maxMatches ?? 10000 });
    const start = (page - 1) * pageSize;
    const hits: { index: number; score: number }[] = [];
    for (let k = start; k < Math.min(matched.keys.length, start + pageSize); k++) {
      const key = matched.keys[k];
      hits.push({ index: key % TWO20, score: MAX_SCORE - Math.floor(key / TWO40) });
    }
    return { total: matched.keys.length, totalIsExact: matched.exact, page, pageSize, hits };
  }

  /**
   * Records whose NAME words contain every given word, as a whole word (for "did you mean"): ["jean", "dupont"]
   * finds Jean DUPONT and Dupont JEAN; a one-letter word is taken as an initial (prefix).
   */
  findByName(words: readonly string[], types?: readonly MailboxType[], max = 50): number[] {
    if (words.length === 0) return [];
    const matched = this.match(words, { exact: words.map((w) => w.length > 1), nameOnly: true, types, maxMatches: max });
    const out: number[] = [];
    for (let k = 0; k < matched.keys.length; k++) out.push(matched.keys[k] % TWO20);
    return out;
  }

  private match(
    words: readonly string[],
    opts: { exact: readonly boolean[]; nameOnly: boolean; types: readonly MailboxType[] | undefined; maxMatches: number },
  ): { keys: Float64Array; exact: boolean } {
    const empty = { keys: new Float64Array(0), exact: true };
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
          return { keys: Float64Array.from(keys).sort(), exact: true };
        }
        words = rest;
        opts = { ...opts, exact: restExact };
        break;
      }
    }
    const { postingOffsets, postings, recordTokenOffsets, recordTokens, nameTokenCounts, types, tokens } = this.data;
    const los: number[] = [];
    const his: number[] = [];
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
    const keys: number[] = [];
    const best = new Array<number>(words.length);
    let exactCount = true;
    const fromDriver = idRecords === undefined;
    const end = fromDriver ? postingOffsets[his[driver]] : idRecords!.length;
    for (let p = fromDriver ? postingOffsets[los[driver]] : 0; p < end; p++) {
      const r = fromDriver ? postings[p] : idRecords![p];
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
            const whole = tokens[t].length === words[j].length;
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
      keys.push((MAX_SCORE - score) * TWO40 + Math.min(first, TWO20 - 1) * TWO20 + r);
      if (keys.length >= opts.maxMatches) {
        exactCount = p + 1 >= end;
        break;
      }
    }
    const sorted = Float64Array.from(keys).sort();
    return { keys: sorted, exact: exactCount };
  }
}

/**
 * A copy of `s` that does not keep alive the (large) string it was cut from: V8 represents `line.slice()` as a
 * view on the whole decoded chunk; storing such views would keep every chunk of the file in memory.
 */
function own(s: string): string {
  return s.length < 13 ? s : (s + ' ').slice(0, -1);
}

function joinName(first: string, last: string): string {
  return first && last ? `${first} ${last}` : first || last;
}

/** Outcome of {@link DirectoryIndexBuilder.add}. */
export type AddOutcome = 'added' | 'duplicate';

/**
 * Builds an index record by record (the loader streams lines into it), then {@link build} lays out the flat
 * arrays. Repeated values (professions, structures, first names) are interned once; repeated addresses (169 in
 * the national file, MSSANTE.md §4.b) keep their first line.
 */
export class DirectoryIndexBuilder {
  private readonly addressIds = new Map<string, number>();
  private readonly addresses: string[] = [];
  private types = new Uint8Array(1024);
  private fieldIds = new Uint32Array(1024 * F);
  /** One intern map per field (small, cache-friendly); ids are global across fields. */
  private readonly poolIds: Map<string, number>[] = INTERNED_FIELDS.map(() => new Map<string, number>([['', 0]]));
  /** Which id (0 national, 1 PP, 2 structure) of which record goes into the id table. */
  private readonly idKeys: number[] = [];
  private readonly idOwners: number[] = [];
  private readonly pool: string[] = [''];
  /** Temporary token ids (insertion order) of each pool value, computed once per distinct value. */
  private readonly poolTokens: (number[] | null)[] = [[]];
  private readonly ids: string[] = [];
  private readonly tokenIds = new Map<string, number>();
  private readonly tokenList: string[] = [];
  private recordTokens = new Uint32Array(8192);
  private recordTokenCount = 0;
  private recordTokenOffsets = new Uint32Array(1025);
  private nameTokenCounts = new Uint8Array(1024);

  get size(): number {
    return this.addresses.length;
  }

  /** Record index of an address already added, or -1. */
  indexOf(address: string): number {
    return this.addressIds.get(address) ?? -1;
  }

  private intern(f: number, v: string): number {
    const ids = this.poolIds[f];
    let id = ids.get(v);
    if (id === undefined) {
      id = this.pool.length;
      const owned = own(v);
      this.pool.push(owned);
      this.poolTokens.push(null); // keeps the array packed
      ids.set(owned, id);
    }
    return id;
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

  private addId(key: number, r: number): void {
    this.idKeys.push(key);
    this.idOwners.push(r);
  }

  private grow(): void {
    const n = this.types.length * 2;
    const types = new Uint8Array(n);
    types.set(this.types);
    this.types = types;
    const fieldIds = new Uint32Array(n * F);
    fieldIds.set(this.fieldIds);
    this.fieldIds = fieldIds;
    const offsets = new Uint32Array(n + 1);
    offsets.set(this.recordTokenOffsets);
    this.recordTokenOffsets = offsets;
    const names = new Uint8Array(n);
    names.set(this.nameTokenCounts);
    this.nameTokenCounts = names;
  }

  private pushTokens(ids: readonly number[], seen: number[]): number {
    let added = 0;
    for (const id of ids) {
      if (seen.indexOf(id) >= 0) continue;
      seen.push(id);
      if (this.recordTokenCount === this.recordTokens.length) {
        const bigger = new Uint32Array(this.recordTokens.length * 2);
        bigger.set(this.recordTokens);
        this.recordTokens = bigger;
      }
      this.recordTokens[this.recordTokenCount++] = id;
      added++;
    }
    return added;
  }

  /** Adds one record; a repeated address keeps the first one and returns 'duplicate'. */
  add(record: ExtractionRecord): AddOutcome {
    return this.addSlots({ address: record.address, mailboxType: record.mailboxType, starts: [], values: RECORD_FIELDS.map((f) => record.fields[f]) });
  }

  /** Adds one parsed line (values in RECORD_FIELDS order: the interned fields, then the ids). */
  addSlots(line: LineSlots): AddOutcome {
    const i = this.addresses.length;
    if (this.addressIds.has(line.address)) return 'duplicate';
    const address = own(line.address);
    if (i === this.types.length) this.grow();
    this.addressIds.set(address, i);
    this.addresses.push(address);
    this.types[i] = MAILBOX_TYPES.indexOf(line.mailboxType);
    const base = i * F;
    const values = line.values;
    for (let f = 0; f < F; f++) this.fieldIds[base + f] = this.intern(f, values[f]);
    const a = values[F];
    const b = values[F + 1];
    const c = values[F + 2];
    const joined = own(a + ID_SEP + b + ID_SEP + c);
    this.ids.push(joined);
    // the keys are re-read from `joined` at build time (no view on the chunk kept)
    if (a !== '') this.addId(0, i);
    if (b !== '' && b !== a) this.addId(1, i);
    if (c !== '' && c !== a && c !== b) this.addId(2, i);
    const id = (name: RecordField) => this.fieldIds[base + FIELD_INDEX[name]];
    const seen: number[] = [];
    const isPerson = values[FIELD_INDEX.lastName] !== '' || values[FIELD_INDEX.firstName] !== '';
    let names = 0;
    // name words first (last name, first name; the service for an organisational mailbox), then the others
    if (isPerson) {
      names += this.pushTokens(this.tokensOf(id('lastName')), seen);
      names += this.pushTokens(this.tokensOf(id('firstName')), seen);
    } else {
      names += this.pushTokens(this.tokensOf(id('service')), seen);
    }
    this.nameTokenCounts[i] = Math.min(names, 255);
    if (isPerson) this.pushTokens(this.tokensOf(id('service')), seen);
    this.pushTokens(this.tokensOf(id('organisation')), seen);
    this.pushTokens(this.tokensOf(id('brand')), seen);
    this.recordTokenOffsets[i + 1] = this.recordTokenCount;
    return 'added';
  }

  /** Lays out the flat arrays. The builder must not be used afterwards. */
  build(): DirectoryIndex {
    const n = this.addresses.length;
    const T = this.tokenList.length;
    // sorted token ids
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
    const recordTokens = this.recordTokens.slice(0, this.recordTokenCount);
    for (let q = 0; q < recordTokens.length; q++) recordTokens[q] = remap[recordTokens[q]];
    const recordTokenOffsets = this.recordTokenOffsets.slice(0, n + 1);
    const nameTokenCounts = this.nameTokenCounts.slice(0, n);
    // sort each record's name words and other words by token id? No: keep last name first (ranking key).
    // postings (CSR by counting sort; records ascending within a token)
    const postingOffsets = new Uint32Array(T + 1);
    for (let q = 0; q < recordTokens.length; q++) postingOffsets[recordTokens[q] + 1]++;
    for (let t = 0; t < T; t++) postingOffsets[t + 1] += postingOffsets[t];
    const cursor = postingOffsets.slice(0, T);
    const postings = new Uint32Array(recordTokens.length);
    for (let r = 0; r < n; r++) {
      for (let q = recordTokenOffsets[r]; q < recordTokenOffsets[r + 1]; q++) postings[cursor[recordTokens[q]]++] = r;
    }
    // hash table, load factor <= 0.5
    let slots = 1024;
    while (slots < n * 2) slots *= 2;
    const hashSlots = new Int32Array(slots);
    const mask = slots - 1;
    for (let r = 0; r < n; r++) {
      let s = hashAddress(this.addresses[r]) & mask;
      while (hashSlots[s] !== 0) s = (s + 1) & mask;
      hashSlots[s] = r + 1;
    }
    // identifier table: every distinct non-empty id of every record
    let idSize = 1024;
    while (idSize < this.idKeys.length * 2) idSize *= 2;
    const idSlots = new Int32Array(idSize);
    const idMask = idSize - 1;
    for (let k = 0; k < this.idKeys.length; k++) {
      let s = hashAddress(this.ids[this.idOwners[k]].split(ID_SEP)[this.idKeys[k]]) & idMask;
      while (idSlots[s] !== 0) s = (s + 1) & idMask;
      idSlots[s] = this.idOwners[k] + 1;
    }
    return DirectoryIndex.fromData({
      addresses: this.addresses,
      ids: this.ids,
      idSlots,
      types: this.types.slice(0, n),
      pool: this.pool,
      fieldIds: this.fieldIds.slice(0, n * F),
      hashSlots,
      tokens,
      postingOffsets,
      postings,
      recordTokenOffsets,
      recordTokens,
      nameTokenCounts,
    });
  }
}
