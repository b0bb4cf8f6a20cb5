// Runtime: Node (connector, CLI). Streams an Extraction_Correspondance_MSSante (file, zip or downloaded URL) into a
// DirectoryIndex: line by line, only the kept columns cut out, repeated strings interned (core builder). Malformed
// lines are counted and reported with their line number; the load never crashes on data, only on an unusable
// header or an unreadable source (DirectoryLoadError, French message).

import { createReadStream, openSync, readSync, closeSync, statSync, type ReadStream } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { Unzip, UnzipInflate } from 'fflate';
import {
  DirectoryIndexBuilder,
  LINE_PROBLEMS,
  mapExtractionHeader,
  type ColumnMap,
  type DirectoryIndex,
  type LineProblem,
  type MailboxType,
} from '../../core';

/** Codes of {@link DirectoryLoadError}. */
export const DIRECTORY_LOAD_ERRORS = ['DIRECTORY_UNREADABLE', 'DIRECTORY_HEADER', 'DIRECTORY_ZIP', 'DIRECTORY_DOWNLOAD', 'DIRECTORY_INTEGRITY', 'DIRECTORY_EMPTY'] as const;
export type DirectoryLoadErrorCode = (typeof DIRECTORY_LOAD_ERRORS)[number];

/** A source that cannot be loaded (the previous index, if any, stays in service). */
export class DirectoryLoadError extends Error {
  constructor(
    readonly code: DirectoryLoadErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'DirectoryLoadError';
  }
}

/** Progress of a load: bytes of the source read so far, out of `total` when known. */
export interface LoadProgress {
  readonly phase: 'download' | 'read';
  readonly bytes: number;
  readonly total?: number;
  readonly lines?: number;
}

/** One malformed line (first 100 kept in the report). */
export interface MalformedLine {
  readonly line: number;
  readonly problem: LineProblem;
}

/** What a load found. */
export interface LoadReport {
  /** Data lines (the header and blank lines excluded). */
  readonly lines: number;
  /** Distinct mailboxes in the index. */
  readonly mailboxes: number;
  readonly byType: Record<MailboxType, number>;
  /** Lines repeating an address already seen (first line kept). */
  readonly duplicates: number;
  readonly malformed: number;
  readonly malformedByProblem: Record<LineProblem, number>;
  /** The first malformed lines, with their 1-based line number in the file. */
  readonly malformedSample: readonly MalformedLine[];
  readonly durationMs: number;
}

/** Options of the loaders. */
export interface LoadOptions {
  readonly onProgress?: (p: LoadProgress) => void;
  /** Shown in messages (file name or URL without query). */
  readonly label?: string;
  /** Clock for durations (default performance.now). */
  readonly clock?: () => number;
}

const MAX_SAMPLE = 100;

/**
 * Feeds UTF-8 bytes into the core builder; `finish()` returns the index and the report. Lines are handed to the
 * builder as byte ranges of the chunk (no string per line): only the header line is decoded.
 */
export class ExtractionReader {
  private readonly builder: DirectoryIndexBuilder;
  private map: ColumnMap | undefined;
  private lineNo = 0;
  private dataLines = 0;
  private duplicates = 0;
  private malformed = 0;
  private readonly byProblem = Object.fromEntries(LINE_PROBLEMS.map((p) => [p, 0])) as Record<LineProblem, number>;
  private readonly sample: MalformedLine[] = [];
  private restBytes: Buffer | undefined;
  private readonly started: number;

  /** `sourceBytes`: size of the (uncompressed) source when known, to size the index arrays once. */
  constructor(
    private readonly label: string,
    private readonly clock: () => number = () => performance.now(),
    sourceBytes?: number,
  ) {
    this.started = clock();
    // an extraction line is >= 64 bytes (31 columns, an address and a type): at most sourceBytes / 64 records
    this.builder = new DirectoryIndexBuilder(sourceBytes ? { expectedRecords: sourceBytes / 64, expectedBytes: sourceBytes } : {});
  }

  get lines(): number {
    return this.dataLines;
  }

  /** Adds decoded text (any split). */
  push(chunk: string): void {
    this.pushBytes(Buffer.from(chunk, 'utf8'));
  }

  /**
   * Adds raw UTF-8 bytes (any split): complete lines are read in place, the partial last line is kept for the
   * next call (so a character split across chunks is never broken). A line with invalid UTF-8 is reported as
   * INVALID_UTF8.
   */
  pushBytes(chunk: Buffer): void {
    let start = 0;
    if (this.restBytes) {
      const nl = chunk.indexOf(10);
      if (nl < 0) {
        this.restBytes = Buffer.concat([this.restBytes, chunk]);
        return;
      }
      const first = Buffer.concat([this.restBytes, chunk.subarray(0, nl)]);
      this.restBytes = undefined;
      this.line(first, 0, first.length);
      start = nl + 1;
    }
    for (;;) {
      const nl = chunk.indexOf(10, start);
      if (nl < 0) break;
      this.line(chunk, start, nl);
      start = nl + 1;
    }
    if (start < chunk.length) this.restBytes = Buffer.from(chunk.subarray(start));
  }

  private line(buf: Buffer, start: number, end: number): void {
    this.lineNo++;
    if (this.map === undefined) {
      const header = mapExtractionHeader(buf.toString('utf8', start, end));
      if (!header.ok) {
        throw new DirectoryLoadError(
          'DIRECTORY_HEADER',
          `« ${this.label} » n'est pas une extraction Extraction_Correspondance_MSSante : colonne(s) ${header.missing.map((m) => `« ${m} »`).join(', ')} absente(s) de la première ligne.`,
        );
      }
      this.map = header.map;
      return;
    }
    if (end === start || (end === start + 1 && buf[start] === 13)) return;
    this.dataLines++;
    const outcome = this.builder.addLine(buf, start, end, this.map);
    if (outcome === 'added') return;
    if (outcome === 'duplicate') {
      this.duplicates++;
      return;
    }
    this.malformed++;
    this.byProblem[outcome]++;
    if (this.sample.length < MAX_SAMPLE) this.sample.push({ line: this.lineNo, problem: outcome });
  }

  /** Ends the input; throws DIRECTORY_HEADER / DIRECTORY_EMPTY when there was nothing usable. */
  finish(): { index: DirectoryIndex; report: LoadReport } {
    if (this.restBytes) {
      const last = this.restBytes;
      this.restBytes = undefined;
      this.line(last, 0, last.length);
    }
    if (this.map === undefined) throw new DirectoryLoadError('DIRECTORY_EMPTY', `« ${this.label} » est vide : aucune ligne d'en-tête.`);
    const index = this.builder.build();
    return {
      index,
      report: {
        lines: this.dataLines,
        mailboxes: index.size,
        byType: index.countByType(),
        duplicates: this.duplicates,
        malformed: this.malformed,
        malformedByProblem: this.byProblem,
        malformedSample: this.sample,
        durationMs: Math.round(this.clock() - this.started),
      },
    };
  }
}

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
