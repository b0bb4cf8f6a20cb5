// Runtime: Node (connector, CLI). Streams an Extraction_Correspondance_MSSante (file, zip or downloaded URL) into a
// DirectoryIndex: line by line, only the kept columns cut out, repeated strings interned (core builder). Malformed
// lines are counted and reported with their line number; the load never crashes on data, only on an unusable
// header or an unreadable source (DirectoryLoadError, French message). A large plain-text file is read by two
// threads at once (this one and load-extraction-worker.ts, a half each, cut at a line start), the worker's half then
// appended to this thread's reader: the same index and report as one reader; one thread again if the worker fails.

import { createReadStream, existsSync, openSync, readSync, closeSync, statSync, type ReadStream } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { Unzip, UnzipInflate } from 'fflate';
import { mapExtractionHeader, type ColumnMap, type DirectoryIndex } from '../../core';
import { DirectoryLoadError, ExtractionReader, type ExtractionPart, type LoadReport } from './extraction-reader';
import type { PartJob, PartMessage } from './load-extraction-worker';

export { DIRECTORY_LOAD_ERRORS, DirectoryLoadError, ExtractionReader } from './extraction-reader';
export type { DirectoryLoadErrorCode, ExtractionPart, LoadReport, MalformedLine } from './extraction-reader';

/** Progress of a load: bytes of the source read so far, out of `total` when known. */
export interface LoadProgress {
  readonly phase: 'download' | 'read';
  readonly bytes: number;
  readonly total?: number;
  readonly lines?: number;
}

/** Options of the loaders. */
export interface LoadOptions {
  readonly onProgress?: (p: LoadProgress) => void;
  /** Shown in messages (file name or URL without query). */
  readonly label?: string;
  /** Clock for durations (default performance.now). */
  readonly clock?: () => number;
  /**
   * Read a plain-text file with two threads (this one and a worker, each a half, merged into the same index as a
   * single reader gives). Default: when the file is at least {@link PARALLEL_MIN_BYTES} and the machine has two
   * cores or more. Zips are always read by one thread. `false`: one thread.
   */
  readonly parallel?: boolean;
  /**
   * The compiled worker script (default: load-extraction-worker.js beside this module, present in build/; when it
   * is absent, as under ts-jest, the file is read by one thread).
   */
  readonly workerScript?: string;
}

/** Smallest plain-text file read by two threads by default (below, starting a worker costs more than it saves). */
export const PARALLEL_MIN_BYTES = 16 << 20;
/** Where the file is cut (then moved to the next line start): the main thread also merges, the worker starts late. */
const SPLIT_AT = 0.5;

/** Parses a whole extraction held in memory (the bundled sample, tests). */
export function loadExtractionText(text: string, label = 'annuaire'): { index: DirectoryIndex; report: LoadReport } {
  const reader = new ExtractionReader(label);
  reader.push(text);
  return reader.finish();
}

/** True when the file starts with a zip local-file header (`PK\x03\x04`). */
export function isZipFile(path: string): boolean {
  const fd = openSync(path, 'r');
  try {
    const b = Buffer.alloc(4);
    return readSync(fd, b, 0, 4, 0) === 4 && b.readUInt32LE(0) === 0x04034b50;
  } finally {
    closeSync(fd);
  }
}

/**
 * Loads an extraction file, plain text or zip (the official download: one `.txt` inside; read in streaming with
 * fflate, never fully inflated in memory).
 */
export async function loadExtractionFile(path: string, opts: LoadOptions = {}): Promise<{ index: DirectoryIndex; report: LoadReport }> {
  const label = opts.label ?? path;
  let total: number;
  let zip: boolean;
  try {
    total = statSync(path).size;
    zip = isZipFile(path);
  } catch (e) {
    throw new DirectoryLoadError('DIRECTORY_UNREADABLE', `Annuaire illisible : « ${label} » (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}).`);
  }
  if (!zip) {
    const script = opts.workerScript ?? join(__dirname, 'load-extraction-worker.js');
    const wanted = opts.parallel ?? (total >= PARALLEL_MIN_BYTES && availableParallelism() >= 2);
    if (wanted && existsSync(script)) {
      const split = await planSplit(path, total);
      if (split) {
        const done = await loadInTwoParts(path, total, label, split, script, opts);
        if (done) return done;
      }
    }
  }
  const reader = new ExtractionReader(label, opts.clock, zip ? undefined : total);
  let bytes = 0;
  let lastReport = 0;
  const progress = () => {
    if (opts.onProgress && (bytes - lastReport >= 1 << 20 || bytes === total)) {
      lastReport = bytes;
      opts.onProgress({ phase: 'read', bytes, total, lines: reader.lines });
    }
  };

  let unzip: Unzip | undefined;
  let entryFound = false;
  let entryError: Error | undefined;
  if (zip) {
    unzip = new Unzip((file) => {
      if (entryFound || !/\.(txt|csv)$/i.test(file.name)) return;
      entryFound = true;
      file.ondata = (err, data, final) => {
        if (err) {
          entryError = err;
          return;
        }
        try {
          reader.pushBytes(Buffer.from(data.buffer, data.byteOffset, data.byteLength));
          if (final) reader.pushBytes(Buffer.from('\n'));
        } catch (e) {
          entryError = e as Error;
        }
      };
      file.start();
    });
    unzip.register(UnzipInflate);
  }

  // Plain text: one 1 MB buffer, read into again and again. Each fresh chunk of a stream would be new memory, and
  // on a VM first-touched memory is the main cost of the load.
  // Zip: streamed (fflate may keep references to what it is given).
  let handle: FileHandle | undefined;
  let stream: ReadStream | undefined;
  try {
    if (unzip) {
      stream = createReadStream(path, { highWaterMark: 1 << 20 });
      for await (const chunk of stream as AsyncIterable<Buffer>) {
        bytes += chunk.length;
        unzip.push(chunk);
        if (entryError) throw entryError;
        progress();
      }
      unzip.push(new Uint8Array(0), true);
      if (entryError) throw entryError;
      if (!entryFound) throw new DirectoryLoadError('DIRECTORY_ZIP', `L'archive « ${label} » ne contient pas de fichier .txt d'extraction.`);
    } else {
      handle = await open(path, 'r');
      const buf = Buffer.allocUnsafe(1 << 20);
      for (;;) {
        const { bytesRead } = await handle.read(buf, 0, buf.length, null);
        if (bytesRead === 0) break;
        bytes += bytesRead;
        reader.pushBytes(buf.subarray(0, bytesRead));
        progress();
      }
    }
  } catch (e) {
    if (e instanceof DirectoryLoadError) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    if (zip && !code) throw new DirectoryLoadError('DIRECTORY_ZIP', `Archive zip illisible : « ${label} » (${(e as Error).message}).`);
    throw new DirectoryLoadError('DIRECTORY_UNREADABLE', `Annuaire illisible : « ${label} » (${code ?? (e as Error).message}).`);
  } finally {
    stream?.destroy();
    await handle?.close();
  }
  opts.onProgress?.({ phase: 'read', bytes, total, lines: reader.lines });
  return reader.finish();
}

/** The header's column map and the first byte of the line that starts the second half, or undefined (one thread). */
async function planSplit(path: string, total: number): Promise<{ map: ColumnMap; at: number } | undefined> {
  let handle: FileHandle | undefined;
  try {
    handle = await open(path, 'r');
    const head = Buffer.allocUnsafe(1 << 16);
    const { bytesRead } = await handle.read(head, 0, head.length, 0);
    const nl = head.subarray(0, bytesRead).indexOf(10);
    if (nl < 0) return undefined;
    // the same header reading as ExtractionReader (a BOM, CRLF); an unusable header is reported by the one-thread path
    const header = mapExtractionHeader(head.toString('utf8', 0, nl));
    if (!header.ok) return undefined;
    const mid = Math.floor(total * SPLIT_AT);
    if (mid <= nl) return undefined;
    const probe = Buffer.allocUnsafe(1 << 16);
    const r = await handle.read(probe, 0, probe.length, mid);
    const k = probe.subarray(0, r.bytesRead).indexOf(10);
    if (k < 0 || mid + k + 1 >= total) return undefined;
    return { map: header.map, at: mid + k + 1 };
  } catch {
    return undefined;
  } finally {
    await handle?.close();
  }
}

/**
 * Reads [0, at) here and [at, total) in a worker thread at the same time, then appends the worker's part to this
 * thread's reader (the same index and report as one reader). Undefined when the worker failed (the caller then
 * reads the whole file itself); a read error of this thread's half is thrown.
 */
async function loadInTwoParts(
  path: string,
  total: number,
  label: string,
  split: { map: ColumnMap; at: number },
  script: string,
  opts: LoadOptions,
): Promise<{ index: DirectoryIndex; report: LoadReport } | undefined> {
  const job: PartJob = { path, label, start: split.at, end: total, map: split.map };
  const worker = new Worker(script, { workerData: job });
  let workerBytes = 0;
  let workerLines = 0;
  const part = new Promise<ExtractionPart | undefined>((resolve) => {
    worker.on('message', (m: PartMessage) => {
      if (m.kind === 'progress') {
        workerBytes = m.bytes;
        workerLines = m.lines;
      } else resolve(m.kind === 'part' ? m.part : undefined);
    });
    worker.on('error', () => resolve(undefined));
    worker.on('exit', () => resolve(undefined));
  });
  const reader = new ExtractionReader(label, opts.clock, total);
  let bytes = 0;
  let lastReport = 0;
  let handle: FileHandle | undefined;
  try {
    handle = await open(path, 'r');
    const buf = Buffer.allocUnsafe(1 << 20);
    while (bytes < split.at) {
      const { bytesRead } = await handle.read(buf, 0, Math.min(buf.length, split.at - bytes), bytes);
      if (bytesRead === 0) break;
      bytes += bytesRead;
      reader.pushBytes(buf.subarray(0, bytesRead));
      if (opts.onProgress && bytes - lastReport >= 1 << 20) {
        lastReport = bytes;
        opts.onProgress({ phase: 'read', bytes: bytes + workerBytes, total, lines: reader.lines + workerLines });
      }
    }
    const second = await part;
    if (second === undefined) return undefined;
    reader.appendPart(second);
  } catch (e) {
    if (e instanceof DirectoryLoadError) throw e;
    throw new DirectoryLoadError('DIRECTORY_UNREADABLE', `Annuaire illisible : « ${label} » (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}).`);
  } finally {
    await handle?.close();
    void worker.terminate();
  }
  opts.onProgress?.({ phase: 'read', bytes: total, total, lines: reader.lines });
  return reader.finish();
}
