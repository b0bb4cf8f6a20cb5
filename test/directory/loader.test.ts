// Runtime: Node (jest). The national loader on generated extractions (make-extraction.mjs: 20,000 rows, 50
// malformed lines, trailing |, CRLF): text and zip give the same index; the snapshot restores it; a URL is
// downloaded with an integrity check; a failed refresh keeps the previous index; a process killed mid-refresh
// leaves the previous snapshot intact.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { zipSync } from 'fflate';
import { loadExtractionFile, DirectoryLoadError, ExtractionReader } from '../../src/connector/directory/load-extraction';
import { readSnapshot, writeSnapshot } from '../../src/connector/directory/snapshot';
import { DirectoryService, loadFromSource, SNAPSHOT_FILE, usableSnapshot, sampleState } from '../../src/connector/directory/service';
import { bundledDirectoryPath } from '../../src/connector/package-root';
import { DirectoryIndexBuilder } from '../../src/core/directory/directory-index';
import { makeTempDir } from '../helpers/tmp';
import { REPO, standardExtraction } from './helpers';

const now = () => new Date('2026-08-26T05:00:00Z');

describe('loading a generated national-format extraction', () => {
  let file: string;
  let lines: string[];
  beforeAll(() => {
    file = standardExtraction();
    lines = readFileSync(file, 'latin1').split('\r\n');
  });

  it('counts every line, skips the 50 malformed ones with their line numbers, dedupes repeated addresses', async () => {
    const { index, report } = await loadExtractionFile(file);
    expect(report.lines).toBe(20000);
    expect(report.malformed).toBe(50);
    expect(report.malformedByProblem.COLUMN_COUNT + report.malformedByProblem.NO_ADDRESS + report.malformedByProblem.INVALID_UTF8).toBe(50);
    expect(report.duplicates).toBeGreaterThan(0);
    expect(report.mailboxes).toBe(20000 - 50 - report.duplicates);
    expect(report.byType.PER + report.byType.ORG).toBe(report.mailboxes);
    expect(report.byType.APP).toBe(0);
    // line numbers point at the real malformed lines (1-based, header = line 1)
    for (const m of report.malformedSample) {
      const raw = lines[m.line - 1];
      if (m.problem === 'COLUMN_COUNT') expect(raw.split('|').length).not.toBe(32);
      if (m.problem === 'NO_ADDRESS') expect(raw.split('|')[1]).toBe('');
    }
    // every well-formed line's address is found
    const sample = lines.slice(1, 2000).filter((l) => l.split('|').length === 32 && !l.includes('\u00ff') && l.split('|')[1] !== '' && /^[\x20-\x7e]*$/.test(l.split('|')[1]));
    for (const l of sample) expect(index.find(l.split('|')[1].toLowerCase())).toBeGreaterThanOrEqual(0);
  });

  it('hands the builder plain Uint8Arrays, never Buffers (one array kind in its byte loops), lines split across pushes and a last line without line end included', () => {
    const bytes = readFileSync(file);
    // the last line without its CRLF (read at finish)
    const end = bytes.lastIndexOf(13);
    const whole = new ExtractionReader('t', undefined, end);
    whole.pushBytes(bytes.subarray(0, end));
    const expected = whole.finish().report;
    const kinds = new Set<string>();
    const addLine = DirectoryIndexBuilder.prototype.addLine;
    const spy = jest.spyOn(DirectoryIndexBuilder.prototype, 'addLine').mockImplementation(function (this: DirectoryIndexBuilder, ...args) {
      kinds.add(args[0].constructor.name);
      return addLine.apply(this, args);
    });
    try {
      const reader = new ExtractionReader('t', undefined, end);
      // uneven pushes: lines and characters split across them
      for (let p = 0; p < end; p += 65519) reader.pushBytes(bytes.subarray(p, Math.min(end, p + 65519)));
      const { report } = reader.finish();
      expect(spy).toHaveBeenCalledTimes(report.lines);
      expect([...kinds]).toEqual(['Uint8Array']);
      expect({ ...report, durationMs: 0 }).toEqual({ ...expected, durationMs: 0 });
    } finally {
      spy.mockRestore();
    }
  });

  it('reads the official zip form in streaming and gives the same index', async () => {
    const zipPath = join(makeTempDir('mss-dir-zip-'), 'Extraction_Correspondance_MSSante.zip');
    writeFileSync(zipPath, zipSync({ 'Extraction_Correspondance_MSSante_202608260300.txt': readFileSync(file) }));
    const progress: number[] = [];
    const a = await loadExtractionFile(file);
    const b = await loadExtractionFile(zipPath, { onProgress: (p) => progress.push(p.bytes) });
    expect({ ...b.report, durationMs: 0 }).toEqual({ ...a.report, durationMs: 0 });
    expect(b.index.addresses()).toEqual(a.index.addresses());
    expect(progress[progress.length - 1]).toBe(readFileSync(zipPath).length);
  });

  it('refuses what is not an extraction, with French messages', async () => {
    const dir = makeTempDir('mss-dir-bad-');
    writeFileSync(join(dir, 'x.txt'), 'Nom|Prénom\nDUPONT|Jean\n');
    writeFileSync(join(dir, 'empty.zip'), zipSync({ 'notes.md': new Uint8Array([65]) }));
    await expect(loadExtractionFile(join(dir, 'x.txt'))).rejects.toMatchObject({ code: 'DIRECTORY_HEADER', message: expect.stringContaining('colonne(s) « Type de BAL », « Adresse BAL » absente(s)') });
    await expect(loadExtractionFile(join(dir, 'empty.zip'))).rejects.toMatchObject({ code: 'DIRECTORY_ZIP' });
    await expect(loadExtractionFile(join(dir, 'absent.txt'))).rejects.toBeInstanceOf(DirectoryLoadError);
  });

  it('persists a snapshot that restores the same answers', async () => {
    const { index } = await loadExtractionFile(file);
    const path = join(makeTempDir('mss-dir-snap-'), SNAPSHOT_FILE);
    writeSnapshot(path, index, { sourceKind: 'file', source: file, loadedAt: now().toISOString() });
    const back = readSnapshot(path).index;
    expect(back.size).toBe(index.size);
    for (let i = 0; i < index.size; i += 997) {
      expect(back.record(back.find(index.address(i)))).toEqual(index.record(i));
    }
    for (const q of ['dupont j', 'jean dupon', 'secretariat', 'martin marie']) {
      expect(back.search(q)).toEqual(index.search(q));
    }
    // a truncated file is refused, not half-loaded
    const truncated = `${path}.cut`;
    writeFileSync(truncated, readFileSync(path).subarray(0, 100000));
    expect(() => readSnapshot(truncated)).toThrow(/tronqué|incohérent|illisible/);
  });
});

describe('download, refresh and atomic swap', () => {
  let server: Server;
  let base: string;
  let body: Buffer;
  beforeAll(async () => {
    body = readFileSync(standardExtraction());
    server = createServer((req, res) => {
      if (req.url === '/hang') {
        // sends a third of the file, then never finishes (a process killed mid-download)
        res.writeHead(200, { 'content-length': String(body.length) });
        res.write(body.subarray(0, Math.floor(body.length / 3)));
        return;
      }
      if (req.url === '/short') {
        res.writeHead(200, { 'content-length': String(body.length) });
        res.end(body.subarray(0, 1000));
        return;
      }
      if (req.url === '/gone') {
        res.writeHead(404).end();
        return;
      }
      res.writeHead(200, { 'content-type': 'text/plain', 'content-length': String(body.length) }).end(body);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  });

  it('downloads, checks size and SHA-256, persists and restarts from the snapshot', async () => {
    const snapshotDir = makeTempDir('mss-dir-url-');
    const sha256 = createHash('sha256').update(body).digest('hex');
    const cfg = { url: `${base}/extraction?token=secret`, sha256, snapshotDir };
    const loaded = await loadFromSource(cfg, { now });
    expect(loaded.report.mailboxes).toBeGreaterThan(19000);
    expect(loaded.meta).toMatchObject({ sourceKind: 'url', source: `${base}/extraction`, sha256 });
    expect(JSON.stringify(loaded.meta)).not.toContain('secret');
    const restored = usableSnapshot(cfg);
    expect(restored?.index.size).toBe(loaded.index.size);
    // no download leftovers
    expect(readdirSync(snapshotDir)).toEqual([SNAPSHOT_FILE]);
  });

  it('a failed refresh (bad checksum, truncated, HTTP error) keeps the previous index serving', async () => {
    const snapshotDir = makeTempDir('mss-dir-fail-');
    const initial = sampleState(bundledDirectoryPath());
    const known = 'sophie.martin@medecin.mssante.fr';
    for (const [url, sha256, code] of [
      [`${base}/extraction`, '0'.repeat(64), 'DIRECTORY_INTEGRITY'],
      [`${base}/short`, undefined, 'DIRECTORY_DOWNLOAD'],
      [`${base}/gone`, undefined, 'DIRECTORY_DOWNLOAD'],
    ] as const) {
      const service = new DirectoryService({ initial, config: { url, ...(sha256 ? { sha256 } : {}), snapshotDir }, now });
      const outcome = await service.refresh();
      expect(outcome).toMatchObject({ ok: false, code });
      expect(service.index).toBe(initial.index);
      expect(service.lookup(known)).toBeDefined();
      expect(existsSync(join(snapshotDir, SNAPSHOT_FILE))).toBe(false);
    }
    const ok = new DirectoryService({ initial, config: { url: `${base}/extraction`, snapshotDir }, now });
    const lookup = ok.lookup; // the classifier holds this function: it follows the swap
    const outcome = await ok.refresh();
    expect(outcome.ok).toBe(true);
    expect(ok.size).toBeGreaterThan(19000);
    expect(lookup(known)).toBeUndefined(); // the sample is gone, the generated file serves
  });

  it('killing the process during a refresh leaves the previous snapshot intact', async () => {
    const dataDir = makeTempDir('mss-dir-kill-');
    const env = { ...process.env, MSS_DATA_DIR: dataDir };
    const bin = join(REPO, 'bin/mss-outlook.js');
    const run = (args: string[]) =>
      new Promise<{ code: number | null; stdout: string }>((resolve) => {
        const child = spawn(process.execPath, [bin, ...args], { env });
        let stdout = '';
        child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
        child.on('close', (code) => resolve({ code, stdout }));
      });
    // 1. a first import
    const first = await run(['directory', 'import', bundledDirectoryPath()]);
    expect(first.code).toBe(0);
    const snapshot = join(dataDir, 'directory', SNAPSHOT_FILE);
    const before = readFileSync(snapshot);
    // 2. a refresh from a URL that stalls; killed while downloading
    const child = spawn(process.execPath, [bin, 'directory', 'import', `${base}/hang`], { env });
    await new Promise<void>((resolve) => {
      const check = setInterval(() => {
        const parts = existsSync(join(dataDir, 'directory')) ? readdirSync(join(dataDir, 'directory')).filter((f) => f.endsWith('.part')) : [];
        if (parts.length > 0) {
          clearInterval(check);
          resolve();
        }
      }, 20);
    });
    child.kill('SIGKILL');
    await new Promise((r) => child.on('close', r));
    // 3. the previous snapshot is byte for byte the same and still loads
    expect(readFileSync(snapshot).equals(before)).toBe(true);
    const lookup = await run(['directory', 'lookup', 'sophie.martin@medecin.mssante.fr']);
    expect(JSON.parse(lookup.stdout.trim())).toMatchObject({ found: true, type: 'PER', name: 'Sophie MARTIN' });
  });
});
