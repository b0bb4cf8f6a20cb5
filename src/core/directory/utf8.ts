// Runtime: any (pure core). UTF-8 on plain Uint8Arrays (no TextEncoder/TextDecoder: the core targets ES2016 with no
// ambient types). The directory keeps its ~536,000 addresses and identifiers as UTF-8 bytes + offsets rather than
// as JS strings: one allocation instead of a million, a snapshot that restores without decoding, and look-ups that
// compare bytes. Strings are made only when a record is shown.

/** FNV-1a 32-bit over bytes [start, end). */
export function hashBytes(bytes: Uint8Array, start: number, end: number, seed = 0x811c9dc5): number {
  let h = seed;
  for (let i = start; i < end; i++) {
    h ^= bytes[i];
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** FNV-1a 32-bit over the UTF-8 encoding of `s` (= {@link hashBytes} of its bytes), without encoding it. */
export function hashUtf8(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    let c = s.charCodeAt(i);
    if (c < 0x80) {
      h ^= c;
      h = Math.imul(h, 0x01000193);
      continue;
    }
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        c = 0x10000 + ((c - 0xd800) << 10) + (d - 0xdc00);
        i++;
      }
    }
    const n = utf8Units(c, UNITS);
    for (let k = 0; k < n; k++) {
      h ^= UNITS[k];
      h = Math.imul(h, 0x01000193);
    }
  }
  return h >>> 0;
}

const UNITS = new Uint8Array(4);

/** UTF-8 bytes of one code point into `out` (lone surrogates become U+FFFD); returns their count. */
function utf8Units(c: number, out: Uint8Array): number {
  if (c < 0x80) {
    out[0] = c;
    return 1;
  }
  if (c < 0x800) {
    out[0] = 0xc0 | (c >> 6);
    out[1] = 0x80 | (c & 0x3f);
    return 2;
  }
  if (c >= 0xd800 && c <= 0xdfff) c = 0xfffd;
  if (c < 0x10000) {
    out[0] = 0xe0 | (c >> 12);
    out[1] = 0x80 | ((c >> 6) & 0x3f);
    out[2] = 0x80 | (c & 0x3f);
    return 3;
  }
  out[0] = 0xf0 | (c >> 18);
  out[1] = 0x80 | ((c >> 12) & 0x3f);
  out[2] = 0x80 | ((c >> 6) & 0x3f);
  out[3] = 0x80 | (c & 0x3f);
  return 4;
}

/** True when bytes [start, end) are exactly the UTF-8 encoding of `s`. */
export function equalsUtf8(bytes: Uint8Array, start: number, end: number, s: string): boolean {
  let p = start;
  for (let i = 0; i < s.length; i++) {
    let c = s.charCodeAt(i);
    if (c < 0x80) {
      if (p >= end || bytes[p] !== c) return false;
      p++;
      continue;
    }
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        c = 0x10000 + ((c - 0xd800) << 10) + (d - 0xdc00);
        i++;
      }
    }
    const n = utf8Units(c, UNITS);
    if (p + n > end) return false;
    for (let k = 0; k < n; k++) if (bytes[p + k] !== UNITS[k]) return false;
    p += n;
  }
  return p === end;
}

/** UTF-8 encoding of `s`. */
export function encodeUtf8(s: string): Uint8Array {
  const out = new Uint8Array(s.length * 3);
  let p = 0;
  for (let i = 0; i < s.length; i++) {
    let c = s.charCodeAt(i);
    if (c < 0x80) {
      out[p++] = c;
      continue;
    }
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        c = 0x10000 + ((c - 0xd800) << 10) + (d - 0xdc00);
        i++;
      }
    }
    const n = utf8Units(c, UNITS);
    for (let k = 0; k < n; k++) out[p++] = UNITS[k];
  }
  return out.subarray(0, p);
}

/**
 * Length of the valid UTF-8 sequence starting at bytes[i] (a byte >= 0x80), or 0 when it is not valid UTF-8
 * (RFC 3629 §4: no overlong forms, no surrogates, nothing above U+10FFFF). An encoded U+FFFD also gives 0: in
 * the extraction it can only come from an earlier broken conversion.
 */
export function utf8SequenceLength(bytes: Uint8Array, i: number, end: number): number {
  const b0 = bytes[i];
  if (b0 >= 0xc2 && b0 <= 0xdf) return i + 1 < end && (bytes[i + 1] & 0xc0) === 0x80 ? 2 : 0;
  if (b0 >= 0xe0 && b0 <= 0xef) {
    if (i + 2 >= end) return 0;
    const b1 = bytes[i + 1];
    const b2 = bytes[i + 2];
    if ((b1 & 0xc0) !== 0x80 || (b2 & 0xc0) !== 0x80) return 0;
    if (b0 === 0xe0 && b1 < 0xa0) return 0;
    if (b0 === 0xed && b1 >= 0xa0) return 0;
    if (b0 === 0xef && b1 === 0xbf && b2 === 0xbd) return 0;
    return 3;
  }
  if (b0 >= 0xf0 && b0 <= 0xf4) {
    if (i + 3 >= end) return 0;
    const b1 = bytes[i + 1];
    if ((b1 & 0xc0) !== 0x80 || (bytes[i + 2] & 0xc0) !== 0x80 || (bytes[i + 3] & 0xc0) !== 0x80) return 0;
    if (b0 === 0xf0 && b1 < 0x90) return 0;
    if (b0 === 0xf4 && b1 >= 0x90) return 0;
    return 4;
  }
  return 0;
}

/** Decodes bytes [start, end) (invalid sequences become U+FFFD). */
export function decodeUtf8(bytes: Uint8Array, start: number, end: number): string {
  let ascii = true;
  for (let i = start; i < end; i++) {
    if (bytes[i] >= 0x80) {
      ascii = false;
      break;
    }
  }
  if (ascii && end - start <= 4096) return String.fromCharCode.apply(null, bytes.subarray(start, end) as unknown as number[]);
  const units: number[] = [];
  let out = '';
  for (let i = start; i < end; ) {
    const b = bytes[i];
    if (b < 0x80) {
      units.push(b);
      i++;
    } else {
      const n = utf8SequenceLength(bytes, i, end);
      let c: number;
      if (n === 2) c = ((b & 0x1f) << 6) | (bytes[i + 1] & 0x3f);
      else if (n === 3) c = ((b & 0x0f) << 12) | ((bytes[i + 1] & 0x3f) << 6) | (bytes[i + 2] & 0x3f);
      else if (n === 4) c = ((b & 0x07) << 18) | ((bytes[i + 1] & 0x3f) << 12) | ((bytes[i + 2] & 0x3f) << 6) | (bytes[i + 3] & 0x3f);
      else if (b === 0xef && i + 2 < end && bytes[i + 1] === 0xbf && bytes[i + 2] === 0xbd) {
        c = 0xfffd;
        i += 2;
      } else c = 0xfffd;
      i += n === 0 ? 1 : n;
      if (c >= 0x10000) {
        c -= 0x10000;
        units.push(0xd800 + (c >> 10), 0xdc00 + (c & 0x3ff));
      } else units.push(c);
    }
    if (units.length >= 4096) {
      out += String.fromCharCode.apply(null, units);
      units.length = 0;
    }
  }
  return out + String.fromCharCode.apply(null, units);
}
