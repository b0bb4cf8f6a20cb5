// Runtime: Node (connector, CLI). Persists a DirectoryIndex as one binary file so that a restart maps the arrays
// back instead of re-reading the 110 MB extraction: one read of the file, every typed array (addresses and ids as
// UTF-8 blocks + offsets, the address and id hash tables themselves, postings) a view on that buffer, nothing
// rebuilt or decoded; only the small string tables (interned values, words) are one UTF-8 block split on NUL. Written to a temporary file, fsync'ed, then renamed over the previous
// snapshot (rename is atomic on POSIX): a process killed mid-refresh leaves the previous snapshot intact.

import { closeSync, fsyncSync, openSync, readFileSync, readSync, renameSync, rmSync, writeSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { DirectoryIndex, type DirectoryIndexData } from '../../core';

const MAGIC = 'MSSDIR04';

/** What the snapshot says about its origin (shown by /api/health and the CLI; no personal data). */
export interface SnapshotMeta {
  /** `file`, `url`, `import` (CLI), `sample`. */
  readonly sourceKind: string;
  /** Path or URL (without query string). */
  readonly source: string;
  readonly sourceSize?: number;
  readonly sourceMtimeMs?: number;
  readonly sha256?: string;
  readonly loadedAt: string;
  readonly report?: unknown;
}

type Kind = 'strings' | 'u8' | 'u32' | 'i32';
const SECTIONS: readonly [keyof DirectoryIndexData, Kind][] = [
  ['addressBytes', 'u8'],
  ['addressOffsets', 'u32'],
  ['types', 'u8'],
  ['pool', 'strings'],
  ['fieldIds', 'u32'],
  ['idBytes', 'u8'],
  ['idOffsets', 'u32'],
  ['hashSlots', 'i32'],
  ['idSlots', 'i32'],
  ['tokens', 'strings'],
  ['postingOffsets', 'u32'],
  ['postings', 'u32'],
  ['recordTokenOffsets', 'u32'],
  ['recordTokens', 'u32'],
  ['nameTokenCounts', 'u8'],
];

/** The snapshot file is unusable (then the loader rebuilds from the source). */
export class SnapshotError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SnapshotError';
  }
}

function pad8(n: number): number {
  return (n + 7) & ~7;
}

/** Writes the snapshot atomically (temp file + fsync + rename). */
export function writeSnapshot(path: string, index: DirectoryIndex, meta: SnapshotMeta): void {
  // a freshly loaded index may still be deriving its search arrays: the snapshot stores them complete
  index.ensureSearch();
  const blobs: Buffer[] = [];
  const sections: { name: string; kind: Kind; offset: number; bytes: number; count: number }[] = [];
  let offset = 0;
  for (const [name, kind] of SECTIONS) {
    const value = index.data[name];
    let buf: Buffer;
    let count: number;
    if (kind === 'strings') {
      const arr = value as readonly string[];
      count = arr.length;
      buf = Buffer.from(arr.join('\u0000'), 'utf8');
    } else {
      const ta = value as Uint8Array | Uint32Array | Int32Array;
      count = ta.length;
      buf = Buffer.from(ta.buffer, ta.byteOffset, ta.byteLength);
    }
    sections.push({ name, kind, offset, bytes: buf.length, count });
    blobs.push(buf);
    const padded = pad8(buf.length);
    if (padded > buf.length) blobs.push(Buffer.alloc(padded - buf.length));
    offset += padded;
  }
  const header = Buffer.from(JSON.stringify({ meta, sections }), 'utf8');
  const head = Buffer.alloc(16);
  head.write(MAGIC, 0, 'latin1');
  head.writeUInt32LE(header.length, 8);
  const headerPadded = pad8(16 + header.length);
  const tmp = join(dirname(path), `.${process.pid}-${Date.now()}.snapshot.tmp`);
  const fd = openSync(tmp, 'w', 0o600);
  try {
    writeSync(fd, head);
    writeSync(fd, header);
    if (headerPadded > 16 + header.length) writeSync(fd, Buffer.alloc(headerPadded - 16 - header.length));
    for (const b of blobs) writeSync(fd, b);
    fsyncSync(fd);
  } catch (e) {
    closeSync(fd);
    rmSync(tmp, { force: true });
    throw e;
  }
  closeSync(fd);
  renameSync(tmp, path);
  try {
    const dfd = openSync(dirname(path), 'r');
    fsyncSync(dfd);
    closeSync(dfd);
  } catch {
    // directory fsync is best effort (not supported everywhere)
  }
}

/** Reads only the metadata of a snapshot, or undefined when absent/unreadable. */
export function readSnapshotMeta(path: string): SnapshotMeta | undefined {
  try {
    const fd = openSync(path, 'r');
    try {
      const head = Buffer.alloc(16);
      if (readSyncFull(fd, head, 0) !== 16 || head.toString('latin1', 0, 8) !== MAGIC) return undefined;
      const header = Buffer.alloc(head.readUInt32LE(8));
      readSyncFull(fd, header, 16);
      return (JSON.parse(header.toString('utf8')) as { meta: SnapshotMeta }).meta;
    } finally {
      closeSync(fd);
    }
  } catch {
    return undefined;
  }
}

function readSyncFull(fd: number, buf: Buffer, position: number): number {
  return readSync(fd, buf, 0, buf.length, position);
}

/** Loads a snapshot. Throws {@link SnapshotError} when it is not a complete snapshot of this version. */
export function readSnapshot(path: string): { index: DirectoryIndex; meta: SnapshotMeta } {
  let file: Buffer;
  try {
    file = readFileSync(path);
  } catch (e) {
    throw new SnapshotError(`instantané illisible (${(e as NodeJS.ErrnoException).code ?? 'erreur'})`);
  }
  if (file.length < 16 || file.toString('latin1', 0, 8) !== MAGIC) throw new SnapshotError('instantané d\'un autre format');
  const headerLength = file.readUInt32LE(8);
  let parsed: { meta: SnapshotMeta; sections: { name: string; kind: Kind; offset: number; bytes: number; count: number }[] };
  try {
    parsed = JSON.parse(file.toString('utf8', 16, 16 + headerLength)) as typeof parsed;
  } catch {
    throw new SnapshotError('en-tête d\'instantané illisible');
  }
  const base = pad8(16 + headerLength);
  const data: Record<string, unknown> = {};
  for (const s of parsed.sections) {
    const start = base + s.offset;
    if (start + s.bytes > file.length) throw new SnapshotError('instantané tronqué');
    if (s.kind === 'strings') {
      data[s.name] = s.count === 0 ? [] : file.toString('utf8', start, start + s.bytes).split('\u0000');
      if ((data[s.name] as string[]).length !== s.count) throw new SnapshotError('instantané incohérent');
    } else {
      const abs = file.byteOffset + start;
      const Ctor = s.kind === 'u8' ? Uint8Array : s.kind === 'u32' ? Uint32Array : Int32Array;
      const width = Ctor.BYTES_PER_ELEMENT;
      if (s.bytes !== s.count * width) throw new SnapshotError('instantané incohérent');
      const ab = file.buffer as ArrayBuffer;
      data[s.name] = abs % width === 0 ? new Ctor(ab, abs, s.count) : new Ctor(ab.slice(abs, abs + s.bytes));
    }
  }
  for (const [name] of SECTIONS) if (!(name in data)) throw new SnapshotError(`section ${name} absente`);
  try {
    return { index: DirectoryIndex.fromData(data as unknown as DirectoryIndexData), meta: parsed.meta };
  } catch (e) {
    throw new SnapshotError((e as Error).message);
  }
}
