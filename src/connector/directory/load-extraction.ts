// Runtime: Node (connector, CLI). Streams an Extraction_Correspondance_MSSante (file, zip or downloaded URL) into a
// DirectoryIndex: line by line, only the kept columns cut out, repeated strings interned (core builder). Malformed
// lines are counted and reported with their line number; the load never crashes on data, only on an unusable
// header or an unreadable source (DirectoryLoadError, French message).

import { createReadStream, openSync, readSync, closeSync, statSync } from 'node:fs';
import { Unzip, UnzipInflate } from 'fflate';
import {
  DirectoryIndexBuilder,
  LINE_PROBLEMS,
  mapExtractionHeader,
  newLineSlots,
  parseExtractionLineInto,
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

/** Feeds text chunks into the core builder; `finish()` returns the index and the report. */
export class ExtractionReader {
  private readonly builder = new DirectoryIndexBuilder();
  private map: ColumnMap | undefined;
  private rest = '';
  private lineNo = 0;
  private dataLines = 0;
  private duplicates = 0;
  private malformed = 0;
  private readonly byProblem = Object.fromEntries(LINE_PROBLEMS.map((p) => [p, 0])) as Record<LineProblem, number>;
  private readonly sample: MalformedLine[] = [];
  private readonly slots = newLineSlots();
  private restBytes: Buffer | undefined;
  private readonly started: number;

  constructor(
    private readonly label: string,
    private readonly clock: () => number = () => performance.now(),
  ) {
    this.started = clock();
  }

  get lines(): number {
    return this.dataLines;
  }

  /** Adds decoded text (any split). */
  push(chunk: string): void {
    const text = this.rest === '' ? chunk : this.rest + chunk;
    let start = 0;
    for (;;) {
      const nl = text.indexOf('\n', start);
      if (nl < 0) break;
      this.line(text.slice(start, nl));
      start = nl + 1;
    }
    this.rest = start === 0 ? text : text.slice(start);
  }

  /**
   * Adds raw UTF-8 bytes (any split): decoded up to the last newline with Buffer's native decoder, the rest kept
   * for the next call, so a character split across chunks is never broken. Invalid bytes become U+FFFD and their
   * line is reported as INVALID_UTF8.
   */
  pushBytes(chunk: Buffer): void {
    const buf = this.restBytes ? Buffer.concat([this.restBytes, chunk]) : chunk;
    const nl = buf.lastIndexOf(10);
    if (nl < 0) {
      this.restBytes = Buffer.from(buf);
      return;
    }
    this.restBytes = nl + 1 < buf.length ? Buffer.from(buf.subarray(nl + 1)) : undefined;
    this.push(buf.toString('utf8', 0, nl + 1));
  }

  private line(line: string): void {
    this.lineNo++;
    if (this.map === undefined) {
      const header = mapExtractionHeader(line);
      if (!header.ok) {
        throw new DirectoryLoadError(
          'DIRECTORY_HEADER',
          `« ${this.label} » n'est pas une extraction Extraction_Correspondance_MSSante : colonne(s) ${header.missing.map((m) => `« ${m} »`).join(', ')} absente(s) de la première ligne.`,
        );
      }
      this.map = header.map;
      return;
    }
    if (line.length === 0 || (line.length === 1 && line === '\r')) return;
    this.dataLines++;
    const problem = parseExtractionLineInto(line, this.map, this.slots);
    if (problem !== undefined) {
      this.malformed++;
      this.byProblem[problem]++;
      if (this.sample.length < MAX_SAMPLE) this.sample.push({ line: this.lineNo, problem });
      return;
    }
    if (this.builder.addSlots(this.slots) === 'duplicate') this.duplicates++;
  }

  /** Ends the input; throws DIRECTORY_HEADER / DIRECTORY_EMPTY when there was nothing usable. */
  finish(): { index: DirectoryIndex; report: LoadReport } {
    if (this.restBytes) {
      const last = this.restBytes;
      this.restBytes = undefined;
      this.push(last.toString('utf8'));
    }
    if (this.rest !== '') {
      const last = this.rest;
      this.rest = '';
      this.line(last);
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
  const reader = new ExtractionReader(label, opts.clock);
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

  const stream = createReadStream(path, { highWaterMark: 1 << 20 });
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      bytes += chunk.length;
      if (unzip) {
        unzip.push(chunk);
        if (entryError) throw entryError;
      } else {
        reader.pushBytes(chunk);
      }
      progress();
    }
    if (unzip) {
      unzip.push(new Uint8Array(0), true);
      if (entryError) throw entryError;
      if (!entryFound) throw new DirectoryLoadError('DIRECTORY_ZIP', `L'archive « ${label} » ne contient pas de fichier .txt d'extraction.`);
    }
  } catch (e) {
    stream.destroy();
    if (e instanceof DirectoryLoadError) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    if (zip && !code) throw new DirectoryLoadError('DIRECTORY_ZIP', `Archive zip illisible : « ${label} » (${(e as Error).message}).`);
    throw new DirectoryLoadError('DIRECTORY_UNREADABLE', `Annuaire illisible : « ${label} » (${code ?? (e as Error).message}).`);
  }
  opts.onProgress?.({ phase: 'read', bytes, total, lines: reader.lines });
  return reader.finish();
}
