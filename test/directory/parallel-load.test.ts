// Runtime: Node (jest). A file read in two parts (the second by a worker thread, as a national-size load does) gives
// exactly the index and the report of one reader: the same arrays byte for byte, the same snapshot file, the same
// counts and malformed line numbers. Generated extraction (make-extraction.mjs, 20,000 rows, 50 malformed lines,
// CRLF, trailing |), with a BOM added and copies of first-half lines (some upper-cased) laid in the second half, so
// that duplicates straddle the split; the worker is the compiled one of build/ (compiled by jest's globalSetup).
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ExtractionReader, loadExtractionFile, type LoadReport } from '../../src/connector/directory/load-extraction';
import { writeSnapshot } from '../../src/connector/directory/snapshot';
import { mapExtractionHeader, type DirectoryIndex } from '../../src/core';
import { makeTempDir, removeTempDirs } from '../helpers/tmp';
import { REPO, standardExtraction } from './helpers';

const WORKER = join(REPO, 'build/src/connector/directory/load-extraction-worker.js');
const META = { sourceKind: 'file' as const, source: 'test', loadedAt: '2026-08-26T05:00:00.000Z' };

let file: string;
let bytes: Buffer;

/** The generated file, with a BOM and 400 copies of first-half lines spread over the second half. */
function straddlingExtraction(): string {
  // latin1: byte for byte (the malformed lines hold invalid UTF-8, which must stay invalid)
  const text = readFileSync(standardExtraction(), 'latin1');
  const lines = text.split('\r\n');
  const half = Math.floor(lines.length / 2);
  const out = lines.slice(0, half);
  const rest = lines.slice(half);
  for (let k = 0; k < rest.length; k++) {
    out.push(rest[k]);
    if (k % 25 === 0 && k / 25 < 400) {
      const copy = lines[1 + ((k * 7) % (half - 1))];
      const cols = copy.split('|');
      // every other copy upper-cased: the normalised address is the same, so still a duplicate
      if (k % 50 === 0 && cols.length > 2 && /^[\x20-\x7e]*$/.test(cols[1])) cols[1] = cols[1].toUpperCase();
      out.push(cols.join('|'));
    }
  }
  // a repeated line inside the second half too, and one right at its end
  out.splice(out.length - 2, 0, rest[5], rest[5]);
  const path = join(makeTempDir('mss-dir-par-'), 'Extraction_Correspondance_MSSante.txt');
  writeFileSync(path, Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(out.join('\r\n'), 'latin1')]));
  return path;
}

const BASE_ARRAYS = ['addressBytes', 'addressOffsets', 'types', 'pool', 'fieldIds', 'idBytes', 'idOffsets', 'hashSlots'] as const;

/**
 * Every array of the index compared as bytes, strings as they are: those the load builds, and with `search` the
 * search arrays derived from them too.
 */
function expectSameIndex(a: DirectoryIndex, b: DirectoryIndex, search = true): void {
  if (search) {
    a.ensureSearch();
    b.ensureSearch();
  }
  expect(b.size).toBe(a.size);
  const keys = search ? (Object.keys(a.data) as (keyof DirectoryIndex['data'])[]) : BASE_ARRAYS;
  expect(keys.length).toBeGreaterThanOrEqual(BASE_ARRAYS.length);
  for (const key of keys) {
    const x = a.data[key];
    const y = b.data[key];
    if (ArrayBuffer.isView(x) && ArrayBuffer.isView(y)) {
      expect([key, Buffer.from(y.buffer, y.byteOffset, y.byteLength).equals(Buffer.from(x.buffer, x.byteOffset, x.byteLength))]).toEqual([key, true]);
    } else {
      // (one comparison of the whole list: jest's deep equality is slow on long arrays)
      expect([key, JSON.stringify(y) === JSON.stringify(x)]).toEqual([key, true]);
    }
  }
}

const withoutTime = (r: LoadReport) => ({ ...r, durationMs: 0, threads: 0 });

/** Reads [0, at) and [at, end) with two readers in this thread, the second appended to the first. */
function twoReaders(at: number): { index: DirectoryIndex; report: LoadReport; droppedAtMerge: () => number } {
  const header = mapExtractionHeader(bytes.toString('utf8', 0, bytes.indexOf(10)));
  if (!header.ok) throw new Error('header');
  const first = new ExtractionReader('t', undefined, bytes.length);
  first.pushBytes(bytes.subarray(0, at));
  const second = new ExtractionReader('t', undefined, bytes.length - at, header.map);
  // pushed in uneven chunks: lines and characters split across pushes
  for (let p = at; p < bytes.length; p += 65519) second.pushBytes(bytes.subarray(p, Math.min(bytes.length, p + 65519)));
  const part = second.finishPart();
  const before = part.duplicates;
  first.appendPart(part);
  const done = first.finish();
  return { ...done, droppedAtMerge: () => done.report.duplicates - before - firstDuplicates(at) };
}

/** Duplicates among the lines [0, at) alone. */
function firstDuplicates(at: number): number {
  const r = new ExtractionReader('t', undefined, at);
  r.pushBytes(bytes.subarray(0, at));
  return r.finish().report.duplicates;
}

beforeAll(() => {
  file = straddlingExtraction();
  bytes = readFileSync(file);
});
afterAll(removeTempDirs);

describe('a file read in two parts', () => {
  it('gives the index and report of one reader, wherever the split falls (first data line, duplicates, malformed lines, the last line)', async () => {
    const one = await loadExtractionFile(file, { parallel: false });
    expect(one.report.threads).toBe(1);
    // the file really holds what the test is about: a BOM, CRLF, malformed lines, many duplicates
    expect(bytes.subarray(0, 3).equals(Buffer.from([0xef, 0xbb, 0xbf]))).toBe(true);
    // (50 generated, and the copies of those that fell among the copied lines)
    expect(one.report.malformed).toBeGreaterThanOrEqual(50);
    expect(one.report.malformedByProblem.INVALID_UTF8).toBeGreaterThan(0);
    expect(one.report.malformedByProblem.COLUMN_COUNT).toBeGreaterThan(0);
    expect(one.report.duplicates).toBeGreaterThanOrEqual(350);
    expect(one.report.malformedSample.length).toBe(one.report.malformed);

    const starts: number[] = [];
    for (let p = bytes.indexOf(10) + 1; p < bytes.length; p = bytes.indexOf(10, p) + 1 || bytes.length) starts.push(p);
    // line starts: the first data line, the last one, around the middle, and spread over the file
    const picks = new Set([starts[0], starts[1], starts[starts.length - 1], starts[Math.floor(starts.length / 4)]]);
    const mid = starts.findIndex((s) => s >= bytes.length / 2);
    for (let k = mid - 2; k <= mid + 2; k++) picks.add(starts[k]);
    // the malformed lines and the first lines of the copies
    for (const m of one.report.malformedSample.slice(0, 3)) picks.add(starts[m.line - 2]);
    for (const at of picks) {
      const two = twoReaders(at);
      expect(withoutTime(two.report)).toEqual(withoutTime(one.report));
      expect(two.report.threads).toBe(2);
      const nearMiddle = Math.abs(at - bytes.length / 2) < 4096;
      // near the middle, copies of first-half lines are dropped when the parts are joined
      if (nearMiddle) expect(two.droppedAtMerge()).toBeGreaterThan(300);
      expectSameIndex(one.index, two.index, nearMiddle);
    }
  });

  it('with a worker thread: the same index, report and snapshot file as one thread', async () => {
    expect(existsSync(WORKER)).toBe(true);
    const one = await loadExtractionFile(file, { parallel: false });
    const progress: number[] = [];
    const two = await loadExtractionFile(file, { parallel: true, workerScript: WORKER, onProgress: (p) => progress.push(p.bytes) });
    expect(two.report.threads).toBe(2);
    expect(withoutTime(two.report)).toEqual(withoutTime(one.report));
    expect(progress[progress.length - 1]).toBe(bytes.length);
    const dir = makeTempDir('mss-dir-par-snap-');
    writeSnapshot(join(dir, 'one.snapshot'), one.index, META);
    writeSnapshot(join(dir, 'two.snapshot'), two.index, META);
    expect(readFileSync(join(dir, 'two.snapshot')).equals(readFileSync(join(dir, 'one.snapshot')))).toBe(true);
    // and the look-ups answer the same (a copy upper-cased in the file is found in lower case)
    for (let i = 0; i < one.index.size; i += 101) expect(two.index.record(two.index.find(one.index.address(i)))).toEqual(one.index.record(i));
  });

  it('falls back to one thread when the worker cannot run, with the same result', async () => {
    const dir = makeTempDir('mss-dir-par-bad-');
    const crashing = join(dir, 'crash.js');
    writeFileSync(crashing, "throw new Error('worker en panne');\n");
    const exiting = join(dir, 'exit.js');
    writeFileSync(exiting, 'process.exit(3);\n');
    const one = await loadExtractionFile(file, { parallel: false });
    for (const script of [crashing, exiting, join(dir, 'absent.js')]) {
      const r = await loadExtractionFile(file, { parallel: true, workerScript: script });
      expect(r.report.threads).toBe(1);
      expect(withoutTime(r.report)).toEqual(withoutTime(one.report));
      expectSameIndex(one.index, r.index);
    }
  });

  it('by default, reads a small file with one thread', async () => {
    const r = await loadExtractionFile(file, { workerScript: WORKER });
    expect(r.report.threads).toBe(1);
  });
});
