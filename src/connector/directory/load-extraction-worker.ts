// Runtime: Node (connector, worker thread started by load-extraction.ts). Reads ONE PART of a plain-text extraction,
// the lines after a given byte offset (which starts a line) up to the end, with the column map of the file's header,
// into an ExtractionReader of its own, and posts back the part (typed arrays, transferred without a copy) for the
// main thread to append after its own part. Only ids, counts and error codes cross the thread boundary besides the
// index data itself; nothing is logged.

import { closeSync, openSync, readSync } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import type { ColumnMap } from '../../core/directory/extraction';
import { ExtractionReader, type ExtractionPart } from './extraction-reader';

/** What the main thread asks of the worker. */
export interface PartJob {
  readonly path: string;
  readonly label: string;
  /** Byte range [start, end) of the file: start is the first byte of a line, end the file size. */
  readonly start: number;
  readonly end: number;
  readonly map: ColumnMap;
}

/** Messages of the worker: progress, then the part, or an error (code of the file system, or a message). */
export type PartMessage =
  | { readonly kind: 'progress'; readonly bytes: number; readonly lines: number }
  | { readonly kind: 'part'; readonly part: ExtractionPart }
  | { readonly kind: 'error'; readonly code: string | undefined; readonly message: string };

const PROGRESS_EVERY = 4 << 20;

function run(job: PartJob, post: (m: PartMessage, transfer?: ArrayBuffer[]) => void): void {
  const reader = new ExtractionReader(job.label, undefined, job.end - job.start, job.map);
  const fd = openSync(job.path, 'r');
  try {
    // one 1 MB buffer read into again and again (see loadExtractionFile)
    const buf = Buffer.allocUnsafe(1 << 20);
    let pos = job.start;
    let lastReport = pos;
    while (pos < job.end) {
      const n = readSync(fd, buf, 0, Math.min(buf.length, job.end - pos), pos);
      if (n === 0) break;
      pos += n;
      reader.pushBytes(buf.subarray(0, n));
      if (pos - lastReport >= PROGRESS_EVERY) {
        lastReport = pos;
        post({ kind: 'progress', bytes: pos - job.start, lines: reader.lines });
      }
    }
  } finally {
    closeSync(fd);
  }
  const part = reader.finishPart();
  const b = part.builder;
  const buffers = new Set<ArrayBuffer>();
  for (const a of [b.addressBytes, b.addressOffsets, b.addressHashes, b.types, b.fieldIds, b.idBytes, b.idOffsets, b.poolBytes, b.poolOffsets]) buffers.add(a.buffer as ArrayBuffer);
  post({ kind: 'part', part }, [...buffers]);
}

if (parentPort) {
  const port = parentPort;
  try {
    run(workerData as PartJob, (m, transfer) => port.postMessage(m, transfer));
  } catch (e) {
    port.postMessage({ kind: 'error', code: (e as NodeJS.ErrnoException).code, message: (e as Error).message } satisfies PartMessage);
  }
}
