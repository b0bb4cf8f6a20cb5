// Runtime: any (pure core). JSON written straight as UTF-8 bytes into one growing buffer: the HTTP batch look-up
// answers 50 to 500 directory records per request (~30 KB), and building that as a JS string (then encoding it for
// the socket) was most of its cost. Values already held as UTF-8 (addresses, identifiers, interned values encoded
// once) are copied byte for byte; the output is the same text as JSON.stringify.

import { utf8SequenceLength } from './utf8';

/** ASCII text as bytes (keys and constant fragments, encoded once at module load). */
export function asciiBytes(s: string): Uint8Array {
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out;
}

/** True when bytes [start, end) can go between JSON quotes as they are (no `"`, `\`, control char, invalid UTF-8). */
export function isPlainJsonText(bytes: Uint8Array, start: number, end: number): boolean {
  for (let i = start; i < end; i++) {
    const b = bytes[i];
    if (b < 0x20 || b === 0x22 || b === 0x5c) return false;
    if (b >= 0x80) {
      const n = utf8SequenceLength(bytes, i, end);
      if (n === 0) return false;
      i += n - 1;
    }
  }
  return true;
}

/** A reusable output buffer of UTF-8 bytes. */
export class ByteWriter {
  buf: Uint8Array;
  len = 0;

  constructor(capacity = 1 << 16) {
    this.buf = new Uint8Array(capacity);
  }

  /** Empties the writer (keeps its memory). */
  reset(): void {
    this.len = 0;
  }

  /** Makes room for `n` more bytes. */
  ensure(n: number): void {
    if (this.len + n <= this.buf.length) return;
    let cap = this.buf.length * 2;
    while (cap < this.len + n) cap *= 2;
    const next = new Uint8Array(cap);
    next.set(this.buf.subarray(0, this.len));
    this.buf = next;
  }

  byte(b: number): void {
    if (this.len === this.buf.length) this.ensure(1);
    this.buf[this.len++] = b;
  }

  /** Copies bytes [start, end) of `src`. */
  copy(src: Uint8Array, start: number, end: number): void {
    const n = end - start;
    this.ensure(n);
    const buf = this.buf;
    let p = this.len;
    // short runs (most values) by hand: a subarray + set costs more than the copy
    if (n < 48) for (let i = start; i < end; i++) buf[p++] = src[i];
    else {
      buf.set(src.subarray(start, end), p);
      p += n;
    }
    this.len = p;
  }

  /** Copies a whole constant. */
  bytes(src: Uint8Array): void {
    this.copy(src, 0, src.length);
  }

  /** The UTF-8 encoding of `s` (lone surrogates become U+FFFD, as TextEncoder does). */
  utf8(s: string): void {
    this.ensure(3 * s.length);
    const buf = this.buf;
    let p = this.len;
    for (let i = 0; i < s.length; i++) {
      let c = s.charCodeAt(i);
      if (c < 0x80) {
        buf[p++] = c;
        continue;
      }
      if (c < 0x800) {
        buf[p++] = 0xc0 | (c >> 6);
        buf[p++] = 0x80 | (c & 0x3f);
        continue;
      }
      if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
        const d = s.charCodeAt(i + 1);
        if (d >= 0xdc00 && d <= 0xdfff) {
          c = 0x10000 + ((c - 0xd800) << 10) + (d - 0xdc00);
          i++;
          buf[p++] = 0xf0 | (c >> 18);
          buf[p++] = 0x80 | ((c >> 12) & 0x3f);
          buf[p++] = 0x80 | ((c >> 6) & 0x3f);
          buf[p++] = 0x80 | (c & 0x3f);
          continue;
        }
      }
      if (c >= 0xd800 && c <= 0xdfff) c = 0xfffd;
      buf[p++] = 0xe0 | (c >> 12);
      buf[p++] = 0x80 | ((c >> 6) & 0x3f);
      buf[p++] = 0x80 | (c & 0x3f);
    }
    this.len = p;
  }

  /** `s` as a JSON string (quotes and escapes: JSON.stringify's). */
  jsonString(s: string): void {
    this.utf8(JSON.stringify(s));
  }

  /**
   * Bytes [start, end) (UTF-8 text) as a JSON string: copied between quotes when nothing needs escaping, else
   * through JSON.stringify of the decoded text (`decode`).
   */
  jsonText(src: Uint8Array, start: number, end: number, decode: (bytes: Uint8Array, start: number, end: number) => string): void {
    // copy and check in one pass; on anything to escape (or not UTF-8), start again through JSON.stringify
    this.ensure(end - start + 2);
    const buf = this.buf;
    const mark = this.len;
    let p = mark;
    buf[p++] = 0x22;
    let ascii = true;
    for (let i = start; i < end; i++) {
      const b = src[i];
      if (b < 0x20 || b === 0x22 || b === 0x5c) {
        this.len = mark;
        this.jsonString(decode(src, start, end));
        return;
      }
      if (b >= 0x80) ascii = false;
      buf[p++] = b;
    }
    if (!ascii && !isPlainJsonText(src, start, end)) {
      this.len = mark;
      this.jsonString(decode(src, start, end));
      return;
    }
    buf[p++] = 0x22;
    this.len = p;
  }

  /** A copy of what was written (the writer is reused for the next answer). */
  take(): Uint8Array {
    return this.buf.slice(0, this.len);
  }
}
