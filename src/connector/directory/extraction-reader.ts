// Runtime: Node (connector, CLI; also the worker thread of load-extraction-worker.ts, which is why this module
// imports only the directory part of the core). The ExtractionReader: UTF-8 bytes of an extraction, pushed in any
// split, into the core DirectoryIndexBuilder, with the load report (counts, malformed lines with their line number);
// a part read by another thread is appended with the same result as one reader. Re-exported by load-extraction.ts.

import { DirectoryIndexBuilder, type BuilderPart, type DirectoryIndex } from '../../core/directory/directory-index';
import { LINE_PROBLEMS, mapExtractionHeader, type ColumnMap, type LineProblem } from '../../core/directory/extraction';
import type { MailboxType } from '../../core/types';

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
  /** Threads that read the source: 2 when a worker read the second half of a plain-text file, else 1. */
  readonly threads: number;
}

const MAX_SAMPLE = 100;

/**
 * The same bytes as a plain Uint8Array view (no copy). The builder's byte loops compare the line's bytes with its own
 * Uint8Array blocks (interned values, addresses): handed Buffers too (a Uint8Array subclass, another V8 map), they
 * turn polymorphic and are deoptimised and compiled again during warm-up, in each thread of a parallel load (on the
 * national-size file: about 3 % more CPU and a longer critical path).
 */
function plainBytes(b: Buffer): Uint8Array {
  return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
}

/** What an {@link ExtractionReader} read from a part of a file (structured-cloneable: a worker's answer). */
export interface ExtractionPart {
  readonly builder: BuilderPart;
  /** Lines of the part (blank ones included). */
  readonly lines: number;
  readonly dataLines: number;
  readonly duplicates: number;
  readonly malformed: number;
  readonly malformedByProblem: Record<LineProblem, number>;
  /** Line numbers from 1 within the part. */
  readonly malformedSample: readonly MalformedLine[];
}

/**
 * Feeds UTF-8 bytes into the core builder; `finish()` returns the index and the report. Lines are handed to the
 * builder as byte ranges of the chunk, viewed as a plain Uint8Array (no string per line): only the header line is
 * decoded.
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

  /**
   * `sourceBytes`: size of the (uncompressed) source when known, to size the index arrays once. `map`: the column
   * map when the bytes pushed are a PART of a file that follows its header (a worker's half): every line is then
   * data, numbered from 1 within the part.
   */
  constructor(
    private readonly label: string,
    private readonly clock: () => number = () => performance.now(),
    sourceBytes?: number,
    map?: ColumnMap,
  ) {
    this.started = clock();
    this.map = map;
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
      this.line(plainBytes(first), 0, first.length);
      start = nl + 1;
    }
    const bytes = plainBytes(chunk);
    for (;;) {
      const nl = chunk.indexOf(10, start);
      if (nl < 0) break;
      this.line(bytes, start, nl);
      start = nl + 1;
    }
    if (start < chunk.length) this.restBytes = Buffer.from(chunk.subarray(start));
  }

  private line(buf: Uint8Array, start: number, end: number): void {
    this.lineNo++;
    if (this.map === undefined) {
      const header = mapExtractionHeader(Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength).toString('utf8', start, end));
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

  /** Lines read so far (header and blank lines included): the last line number. */
  get lineCount(): number {
    return this.lineNo;
  }

  /**
   * Ends the input of a part (a reader made with a column map) and hands over what it read, for
   * {@link appendPart} of the reader of the lines before it. The reader must not be used afterwards.
   */
  finishPart(): ExtractionPart {
    this.flush();
    return { builder: this.builder.exportPart(), lines: this.lineNo, dataLines: this.dataLines, duplicates: this.duplicates, malformed: this.malformed, malformedByProblem: { ...this.byProblem }, malformedSample: this.sample };
  }

  /**
   * Adds a part read from the lines that follow this reader's (after all of them: call it once, last): its
   * records (an address already read here is a duplicate, the first line kept), its counts, and its malformed
   * lines renumbered after this reader's lines. The index is then exactly the one of a single reader.
   */
  appendPart(part: ExtractionPart): void {
    this.flush();
    if (this.map === undefined) throw new DirectoryLoadError('DIRECTORY_EMPTY', `« ${this.label} » est vide : aucune ligne d'en-tête.`);
    const dropped = this.builder.appendPart(part.builder, this.map.fields);
    this.dataLines += part.dataLines;
    this.duplicates += part.duplicates + dropped;
    this.malformed += part.malformed;
    for (const p of LINE_PROBLEMS) this.byProblem[p] += part.malformedByProblem[p];
    for (const m of part.malformedSample) {
      if (this.sample.length >= MAX_SAMPLE) break;
      this.sample.push({ line: m.line + this.lineNo, problem: m.problem });
    }
    this.lineNo += part.lines;
    this.threads++;
  }

  /** Readers whose lines this one holds (itself, and one per part appended). */
  private threads = 1;

  private flush(): void {
    if (this.restBytes) {
      const last = this.restBytes;
      this.restBytes = undefined;
      this.line(plainBytes(last), 0, last.length);
    }
  }

  /** Ends the input; throws DIRECTORY_HEADER / DIRECTORY_EMPTY when there was nothing usable. */
  finish(): { index: DirectoryIndex; report: LoadReport } {
    this.flush();
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
        threads: this.threads,
      },
    };
  }
}
