// Runtime: Node (connector, CLI). The directory as a service: the current index (swapped atomically on refresh;
// the previous one serves until the new one is complete, and a failed refresh keeps it), the structure's
// correspondence table, the FHIR fallback, the daily refresh schedule and the persisted snapshot.

import { createHash } from 'node:crypto';
import { createWriteStream, existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import {
  ByteWriter,
  EMPTY_MAPPING,
  MAILBOX_TYPES,
  asciiBytes,
  parseMappingCsv,
  directorySuggestionHook,
  suggestMssanteAddresses,
  type Classification,
  type DirectoryEntry,
  type DirectoryIndex,
  type DirectoryRecord,
  type MailboxType,
  type MappingTable,
  type SearchOptions,
  type SuggestCandidate,
  normaliseDirectoryAddress,
} from '../../core';
import type { DirectoryConfig } from '../config';
import type { FhirClient, FhirLookup } from './fhir-client';
import { DirectoryLoadError, loadExtractionFile, loadExtractionText, type LoadProgress, type LoadReport } from './load-extraction';
import { readSnapshot, readSnapshotMeta, SnapshotError, writeSnapshot, type SnapshotMeta } from './snapshot';

// fragments of the batch look-up answer (JSON keys in the order of LookupAnswer; `profession` and `structure` are
// written by the index under the same keys as in a record)
const J_RESULTS_OPEN = asciiBytes('{"results":[');
const J_RESULTS_CLOSE = asciiBytes(']}');
const J_ADDRESS_OPEN = asciiBytes('{"address":');
const J_INVALID_CLOSE = asciiBytes(',"found":false,"invalid":true}');
const J_NOT_FOUND_CLOSE = asciiBytes(',"found":false}');
const J_FOUND_TYPE = MAILBOX_TYPES.map((t) => asciiBytes(`,"found":true,"source":"annuaire","type":"${t}"`));
const J_NAME = asciiBytes(',"name":');
const J_RECORD = asciiBytes(',"record":');

/** File name of the persisted index inside `snapshotDir`. */
export const SNAPSHOT_FILE = 'annuaire.snapshot';

/** Answer of a look-up (API and CLI line). */
export interface LookupAnswer {
  readonly address: string;
  readonly found: boolean;
  /** `annuaire` (local index) or `fhir` (Annuaire Santé API). */
  readonly source?: 'annuaire' | 'fhir';
  readonly type?: MailboxType;
  readonly name?: string;
  readonly profession?: string;
  readonly structure?: string;
  readonly record?: DirectoryRecord;
  /** The input is not a valid address. */
  readonly invalid?: true;
  /** The FHIR API could not answer (the local index did not know the address). */
  readonly fhirError?: { readonly code: string; readonly message: string };
}

/** The current index and where it came from. */
export interface DirectoryState {
  readonly index: DirectoryIndex;
  readonly meta: SnapshotMeta;
}

/** Options of {@link DirectoryService}. */
export interface DirectoryServiceOptions {
  readonly initial: DirectoryState;
  readonly config?: DirectoryConfig;
  readonly mapping?: MappingTable;
  readonly fhir?: FhirClient;
  /** Ids and counts only. */
  readonly log?: (event: string, fields: Record<string, string | number | boolean>) => void;
  readonly fetch?: typeof fetch;
  readonly now?: () => Date;
}

/** Result of a refresh. */
export type RefreshOutcome = { readonly ok: true; readonly report: LoadReport; readonly meta: SnapshotMeta } | { readonly ok: false; readonly code: string; readonly message: string };

/** The directory service. `lookup`, `size` are what buildApp's LoadedDirectory needs. */
export class DirectoryService {
  private state: DirectoryState;
  private refreshing: Promise<RefreshOutcome> | undefined;
  private timer: NodeJS.Timeout | undefined;
  readonly mapping: MappingTable;
  readonly fhir: FhirClient | undefined;
  lastRefresh: RefreshOutcome | undefined;

  constructor(private readonly opts: DirectoryServiceOptions) {
    this.state = opts.initial;
    this.mapping = opts.mapping ?? EMPTY_MAPPING;
    this.fhir = opts.fhir;
  }

  get index(): DirectoryIndex {
    return this.state.index;
  }

  get meta(): SnapshotMeta {
    return this.state.meta;
  }

  get size(): number {
    return this.state.index.size;
  }

  /** Synchronous look-up by NORMALISED address (the classifier's DirectoryLookup); follows swaps. */
  readonly lookup = (normalisedAddress: string): DirectoryEntry | undefined => this.state.index.lookup(normalisedAddress);

  /** Local look-up of any input. */
  lookupLocal(input: string): LookupAnswer {
    const address = normaliseDirectoryAddress(input);
    if (address === undefined) return { address: input.trim(), found: false, invalid: true };
    const index = this.state.index;
    const i = index.find(address);
    if (i < 0) return { address, found: false };
    return answer(index.record(i), 'annuaire');
  }

  /**
   * The JSON body `{"results":[...]}` of a batch look-up answered from the local index alone, written directly as
   * UTF-8 bytes (the same text as serialising {@link lookupMany}'s answers), or undefined when the FHIR API has to
   * be asked for an unknown address (then use lookupMany). The bytes are the caller's (a copy). `withRecord` false:
   * the identity only (address, type, name, profession, structure), without the 31-column `record`.
   */
  lookupManyJson(inputs: readonly string[], withRecord = true): { body: Uint8Array; found: number; invalid: number } | undefined {
    const index = this.state.index;
    const w = this.writer;
    w.reset();
    w.bytes(J_RESULTS_OPEN);
    let found = 0;
    let invalid = 0;
    for (let k = 0; k < inputs.length; k++) {
      if (k > 0) w.byte(0x2c);
      const address = normaliseDirectoryAddress(inputs[k]);
      if (address === undefined) {
        invalid++;
        w.bytes(J_ADDRESS_OPEN);
        w.jsonString(inputs[k].trim());
        w.bytes(J_INVALID_CLOSE);
        continue;
      }
      const i = index.find(address);
      if (i < 0) {
        if (this.fhir) return undefined;
        w.bytes(J_ADDRESS_OPEN);
        w.jsonString(address);
        w.bytes(J_NOT_FOUND_CLOSE);
        continue;
      }
      found++;
      w.bytes(J_ADDRESS_OPEN);
      index.writeAddressJson(w, i);
      w.bytes(J_FOUND_TYPE[index.data.types[i]]);
      index.writeNameJson(w, i, J_NAME);
      index.writeFieldJson(w, i, 'profession');
      index.writeFieldJson(w, i, 'organisation');
      if (withRecord) {
        w.bytes(J_RECORD);
        index.writeRecordJson(w, i);
      }
      w.byte(0x7d);
    }
    w.bytes(J_RESULTS_CLOSE);
    return { body: w.take(), found, invalid };
  }

  /** Scratch of {@link lookupManyJson} (one request at a time: the event loop runs one handler at once). */
  private readonly writer = new ByteWriter(1 << 16);

  /**
   * Look-ups, local first, then the FHIR API (when configured) for the unknown ones. Never throws. `withRecord`
   * false: the answers without their `record` (the identity only).
   */
  async lookupMany(inputs: readonly string[], withRecord = true): Promise<LookupAnswer[]> {
    const out = await this.lookupManyFull(inputs);
    return withRecord ? out : out.map(({ record: _record, ...identity }) => identity);
  }

  private async lookupManyFull(inputs: readonly string[]): Promise<LookupAnswer[]> {
    const out = inputs.map((a) => this.lookupLocal(a));
    const fhir = this.fhir;
    if (!fhir) return out;
    await Promise.all(
      out.map(async (a, k) => {
        if (a.found || a.invalid) return;
        const r: FhirLookup = await fhir.lookup(a.address);
        if (r.status === 'found') out[k] = answer(r.record, 'fhir');
        else if (r.status === 'error') out[k] = { ...a, fhirError: { code: r.code, message: r.message } };
      }),
    );
    return out;
  }

  search(q: string, opts: SearchOptions): { total: number; totalIsExact: boolean; page: number; pageSize: number; results: DirectoryRecord[] } {
    const index = this.state.index;
    const r = index.search(q, opts);
    return { total: r.total, totalIsExact: r.totalIsExact, page: r.page, pageSize: r.pageSize, results: r.hits.map((h) => index.record(h.index)) };
  }

  suggest(address: string, displayName?: string): SuggestCandidate[] {
    return suggestMssanteAddresses({ address, ...(displayName ? { displayName } : {}) }, { index: this.state.index, mapping: this.mapping });
  }

  /**
   * The `suggestMssanteAddress` hook of the core's evaluateSend (core directorySuggestionHook over the index in
   * service and the structure's correspondence table): the MSSanté address of the person or service behind a
   * non-MSSanté recipient when the directory is confident enough (0.75: the table, or one person with that
   * name), so that a blocked or warned recipient comes with its `replace` fix. Follows index swaps.
   */
  readonly suggestMssanteAddress = (recipient: Classification): string | undefined =>
    directorySuggestionHook({ index: this.state.index, mapping: this.mapping })(recipient);

  /** Replaces the current index (atomic for readers: one reference assignment). */
  swap(next: DirectoryState): void {
    this.state = next;
  }

  /**
   * Reloads from the configured source (file or URL), persists the new snapshot, then swaps. Single-flight: a
   * refresh already running is joined. On failure the current index stays and the outcome says why.
   */
  refresh(onProgress?: (p: LoadProgress) => void): Promise<RefreshOutcome> {
    this.refreshing ??= (async () => {
      const log = this.opts.log ?? (() => undefined);
      const cfg = this.opts.config;
      try {
        if (!cfg?.extractionPath && !cfg?.url) throw new DirectoryLoadError('DIRECTORY_UNREADABLE', 'Aucune source d\'annuaire configurée (directory.extractionPath ou directory.url).');
        const loaded = await loadFromSource(cfg, { ...(onProgress ? { onProgress } : {}), ...(this.opts.fetch ? { fetch: this.opts.fetch } : {}), now: this.opts.now ?? (() => new Date()), persist: false });
        // the new index answers look-ups at once; its search arrays are derived between requests, then persisted
        this.swap({ index: loaded.index, meta: loaded.meta });
        await buildSearchBetweenRequests(loaded.index);
        if (cfg.snapshotDir) {
          try {
            persist(cfg.snapshotDir, loaded.index, loaded.meta);
          } catch (e) {
            // the new index serves; only the next restart is slower (it reads the source again)
            log('directory_snapshot_failed', { code: (e as NodeJS.ErrnoException).code ?? 'ERROR' });
          }
        }
        log('directory_refreshed', { mailboxes: loaded.report.mailboxes, malformed: loaded.report.malformed, durationMs: loaded.report.durationMs });
        this.lastRefresh = { ok: true, report: loaded.report, meta: loaded.meta };
      } catch (e) {
        const code = e instanceof DirectoryLoadError ? e.code : 'DIRECTORY_REFRESH_FAILED';
        log('directory_refresh_failed', { code });
        this.lastRefresh = { ok: false, code, message: (e as Error).message };
      } finally {
        this.refreshing = undefined;
      }
      return this.lastRefresh;
    })();
    return this.refreshing;
  }

  /** Starts the daily refresh at `config.refreshTime` (local time). Timers are unref'ed. */
  startSchedule(now: () => Date = () => new Date()): void {
    const at = this.opts.config?.refreshTime;
    if (!at || this.timer) return;
    const arm = () => {
      this.timer = setTimeout(() => {
        void this.refresh().finally(arm);
      }, msUntil(at, now()));
      this.timer.unref();
    };
    arm();
  }

  /** Stops the schedule (in-flight refresh finishes). */
  close(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }
}

/**
 * Derives the search arrays of a freshly loaded index a slice of records at a time, yielding to the event loop
 * between slices (setImmediate), so that requests keep being answered meanwhile.
 */
export async function buildSearchBetweenRequests(index: DirectoryIndex, recordsPerSlice = 20_000): Promise<void> {
  while (!index.buildSearchStep(recordsPerSlice)) await new Promise<void>((resolve) => setImmediate(resolve));
}

/** Milliseconds from `now` to the next local "HH:MM" (tomorrow when already past). */
export function msUntil(hhmm: string, now: Date): number {
  const [h, m] = hhmm.split(':').map(Number);
  const next = new Date(now.getTime());
  next.setHours(h, m, 0, 0);
  if (next.getTime() <= now.getTime()) next.setDate(next.getDate() + 1);
  return next.getTime() - now.getTime();
}

function answer(record: DirectoryRecord, source: 'annuaire' | 'fhir'): LookupAnswer {
  return {
    address: record.address,
    found: true,
    source,
    type: record.type,
    ...(record.name ? { name: record.name } : {}),
    ...(record.profession ? { profession: record.profession } : {}),
    ...(record.structure ? { structure: record.structure } : {}),
    record,
  };
}

/** Options of {@link loadFromSource} / {@link downloadExtraction}. */
export interface SourceOptions {
  readonly onProgress?: (p: LoadProgress) => void;
  readonly fetch?: typeof fetch;
  readonly now: () => Date;
  /** Write the snapshot (default true). */
  readonly persist?: boolean;
}

/** URL shown in logs and metadata: no query string, no credentials. */
export function safeUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.origin}${u.pathname}`;
  } catch {
    return '(URL)';
  }
}

/**
 * Downloads the extraction into `dir` (temporary name, then renamed when complete), checking the announced size
 * and, when configured, the SHA-256. Returns the file path; the caller deletes it.
 */
export async function downloadExtraction(url: string, dir: string, opts: { sha256?: string; onProgress?: (p: LoadProgress) => void; fetch?: typeof fetch }): Promise<{ path: string; size: number; sha256: string }> {
  mkdirSync(dir, { recursive: true });
  const part = join(dir, `.download-${process.pid}-${Date.now()}.part`);
  const label = safeUrl(url);
  let res: Response;
  try {
    res = await (opts.fetch ?? fetch)(url, { redirect: 'follow' });
  } catch (e) {
    throw new DirectoryLoadError('DIRECTORY_DOWNLOAD', `Téléchargement impossible depuis ${label} (${(e as Error).message}).`);
  }
  if (!res.ok || !res.body) throw new DirectoryLoadError('DIRECTORY_DOWNLOAD', `Téléchargement refusé par ${label} (HTTP ${res.status}).`);
  const announced = Number(res.headers.get('content-length'));
  const total = Number.isFinite(announced) && announced > 0 ? announced : undefined;
  const hash = createHash('sha256');
  let bytes = 0;
  let lastReport = 0;
  const counter = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      bytes += chunk.length;
      hash.update(chunk);
      if (opts.onProgress && bytes - lastReport >= 1 << 20) {
        lastReport = bytes;
        opts.onProgress({ phase: 'download', bytes, ...(total ? { total } : {}) });
      }
      cb(null, chunk);
    },
  });
  try {
    await pipeline(Readable.fromWeb(res.body as import('node:stream/web').ReadableStream), counter, createWriteStream(part, { mode: 0o600 }));
  } catch (e) {
    rmSync(part, { force: true });
    throw new DirectoryLoadError('DIRECTORY_DOWNLOAD', `Téléchargement interrompu depuis ${label} après ${bytes} octets (${(e as Error).message}).`);
  }
  opts.onProgress?.({ phase: 'download', bytes, ...(total ? { total } : {}) });
  const digest = hash.digest('hex');
  if (total !== undefined && bytes !== total) {
    rmSync(part, { force: true });
    throw new DirectoryLoadError('DIRECTORY_INTEGRITY', `Téléchargement incomplet depuis ${label} : ${bytes} octets reçus sur ${total} annoncés.`);
  }
  if (opts.sha256 && digest !== opts.sha256) {
    rmSync(part, { force: true });
    throw new DirectoryLoadError('DIRECTORY_INTEGRITY', `Empreinte SHA-256 du fichier téléchargé différente de directory.sha256 : fichier refusé.`);
  }
  const done = join(dir, `.download-${process.pid}.extraction`);
  renameSync(part, done);
  return { path: done, size: bytes, sha256: digest };
}

/** Loads the configured source (file or URL) and, unless `persist: false`, writes the snapshot. */
export async function loadFromSource(cfg: DirectoryConfig, opts: SourceOptions): Promise<{ index: DirectoryIndex; report: LoadReport; meta: SnapshotMeta }> {
  const snapshotDir = cfg.snapshotDir;
  if (cfg.url) {
    const dir = snapshotDir ?? join(process.cwd(), '.data', 'directory');
    const dl = await downloadExtraction(cfg.url, dir, { ...(cfg.sha256 ? { sha256: cfg.sha256 } : {}), ...(opts.onProgress ? { onProgress: opts.onProgress } : {}), ...(opts.fetch ? { fetch: opts.fetch } : {}) });
    try {
      const { index, report } = await loadExtractionFile(dl.path, { label: safeUrl(cfg.url), ...(opts.onProgress ? { onProgress: opts.onProgress } : {}) });
      const meta: SnapshotMeta = { sourceKind: 'url', source: safeUrl(cfg.url), sourceSize: dl.size, sha256: dl.sha256, loadedAt: opts.now().toISOString(), report: summary(report) };
      if (opts.persist !== false && snapshotDir) persist(snapshotDir, index, meta);
      return { index, report, meta };
    } finally {
      rmSync(dl.path, { force: true });
    }
  }
  if (!cfg.extractionPath) throw new DirectoryLoadError('DIRECTORY_UNREADABLE', 'Aucune source d\'annuaire configurée.');
  return loadFile(cfg.extractionPath, 'file', snapshotDir, opts);
}

/** Loads a file (text or zip) and persists its snapshot in `snapshotDir` (when given). */
export async function loadFile(path: string, kind: 'file' | 'import', snapshotDir: string | undefined, opts: SourceOptions): Promise<{ index: DirectoryIndex; report: LoadReport; meta: SnapshotMeta }> {
  const st = statSafe(path);
  const { index, report } = await loadExtractionFile(path, opts.onProgress ? { onProgress: opts.onProgress } : {});
  const meta: SnapshotMeta = { sourceKind: kind, source: path, ...(st ? { sourceSize: st.size, sourceMtimeMs: Math.trunc(st.mtimeMs) } : {}), loadedAt: opts.now().toISOString(), report: summary(report) };
  if (opts.persist !== false && snapshotDir) persist(snapshotDir, index, meta);
  return { index, report, meta };
}

function statSafe(path: string): { size: number; mtimeMs: number } | undefined {
  try {
    const s = statSync(path);
    return { size: s.size, mtimeMs: s.mtimeMs };
  } catch {
    return undefined;
  }
}

function summary(r: LoadReport): Record<string, unknown> {
  return { lines: r.lines, mailboxes: r.mailboxes, byType: r.byType, duplicates: r.duplicates, malformed: r.malformed };
}

function persist(dir: string, index: DirectoryIndex, meta: SnapshotMeta): void {
  mkdirSync(dir, { recursive: true });
  writeSnapshot(join(dir, SNAPSHOT_FILE), index, meta);
}

/**
 * The snapshot to start from, if it matches the configuration: same file (size and mtime) for extractionPath; any
 * downloaded snapshot for url; an imported one when no source is configured.
 */
export function usableSnapshot(cfg: DirectoryConfig): DirectoryState | undefined {
  if (!cfg.snapshotDir) return undefined;
  const path = join(cfg.snapshotDir, SNAPSHOT_FILE);
  if (!existsSync(path)) return undefined;
  const meta = readSnapshotMeta(path);
  if (!meta) return undefined;
  if (cfg.extractionPath) {
    const st = statSafe(cfg.extractionPath);
    if (meta.sourceKind !== 'file' || meta.source !== cfg.extractionPath || !st || st.size !== meta.sourceSize || Math.trunc(st.mtimeMs) !== meta.sourceMtimeMs) return undefined;
  } else if (cfg.url) {
    if (meta.sourceKind !== 'url' || meta.source !== safeUrl(cfg.url)) return undefined;
  } else if (meta.sourceKind !== 'import') {
    return undefined;
  }
  try {
    return readSnapshot(path);
  } catch (e) {
    if (e instanceof SnapshotError) return undefined;
    throw e;
  }
}

/** The bundled sample as a state. */
export function sampleState(path: string): DirectoryState {
  const { index, report } = loadExtractionText(readFileSync(path, 'utf8'), path);
  return { index, meta: { sourceKind: 'sample', source: path, loadedAt: '', report: summary(report) } };
}

/** Parses the mapping CSV file (problems returned, for a French warning). */
export function loadMappingFile(path: string): ReturnType<typeof parseMappingCsv> {
  return parseMappingCsv(readFileSync(path, 'utf8'));
}
