// Runtime: Node (jest). The byte paths of the directory (what the loader, the snapshot and the HTTP look-up use for
// speed) give exactly what the string paths give: UTF-8 helpers, line verdicts, address normalisation, record JSON,
// and the batch look-up body written by hand.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadExtractionFile, loadExtractionText } from '../../src/connector/directory/load-extraction';
import { DirectoryService } from '../../src/connector/directory/service';
import {
  ByteWriter,
  decodeUtf8,
  encodeUtf8,
  equalsUtf8,
  hashBytes,
  hashUtf8,
  mapExtractionHeader,
  newColumnCuts,
  normaliseAddressBytesInto,
  normaliseDirectoryAddress,
  parseExtractionLine,
  scanExtractionBytes,
  MAILBOX_TYPES,
  type ColumnMap,
} from '../../src/core';
import { SHARED, standardExtraction } from './helpers';

const HEADER = readFileSync(join(SHARED, 'data/extractions/Extraction_Correspondance_MSSante_header_RECONSTRUCTED_NOT_VERBATIM.txt'), 'utf8').trim();
const COLS = HEADER.split('|');
const row = (values: Record<string, string>) => COLS.map((c) => values[c] ?? '').join('|');
const headerMap = (): ColumnMap => {
  const m = mapExtractionHeader(HEADER);
  if (!m.ok) throw new Error('header');
  return m.map;
};

describe('UTF-8 helpers', () => {
  it.each(['', 'abc', 'Hélène Œuvray', 'ß€𝄞 😀', 'jean.dupont@medecin.mssante.fr'])('round-trips and hashes %j like its bytes', (s) => {
    const b = encodeUtf8(s);
    expect(Buffer.from(b).equals(Buffer.from(s, 'utf8'))).toBe(true);
    expect(decodeUtf8(b, 0, b.length)).toBe(s);
    expect(hashUtf8(s)).toBe(hashBytes(b, 0, b.length));
    expect(equalsUtf8(b, 0, b.length, s)).toBe(true);
    expect(equalsUtf8(b, 0, b.length, `${s}x`)).toBe(false);
  });

  it('decodes invalid bytes as U+FFFD, like Buffer', () => {
    const b = new Uint8Array([0x61, 0xff, 0x62, 0xc3]);
    expect(decodeUtf8(b, 0, b.length)).toBe(Buffer.from(b).toString('utf8'));
  });
});

describe('line verdicts on bytes = on text', () => {
  const cases: [string, string][] = [
    ['well-formed', row({ 'Type de BAL': 'per', 'Adresse BAL': ' Jean.Dupont@Medecin.MSSante.fr ', "Nom d'exercice": 'DUPONT' })],
    ['trailing pipe + CR', `${row({ 'Type de BAL': 'ORG', 'Adresse BAL': 'secretariat@chu.mssante.fr' })}|\r`],
    ['too few columns', 'PER|a@b.mssante.fr|x'],
    ['no address', row({ 'Type de BAL': 'PER' })],
    ['invalid address', row({ 'Type de BAL': 'PER', 'Adresse BAL': 'pas une adresse' })],
    ['unknown type', row({ 'Type de BAL': 'XYZ', 'Adresse BAL': 'a@b.mssante.fr' })],
  ];
  it.each(cases)('%s', (_what, line) => {
    const map = headerMap();
    const bytes = Buffer.from(line, 'utf8');
    const cuts = newColumnCuts(map);
    const v = scanExtractionBytes(bytes, 0, bytes.length, map, cuts);
    const text = parseExtractionLine(line, map);
    if (!text.ok && text.problem !== 'INVALID_ADDRESS') {
      expect(v).toBe(text.problem);
      return;
    }
    expect(typeof v).toBe('number');
    if (text.ok) expect(MAILBOX_TYPES[v as number]).toBe(text.record.mailboxType);
  });

  it('reports broken UTF-8 bytes as INVALID_UTF8', () => {
    const map = headerMap();
    const line = Buffer.from(row({ 'Type de BAL': 'PER', 'Adresse BAL': 'a@b.mssante.fr', "Nom d'exercice": 'XX' }), 'utf8');
    const at = line.indexOf('XX');
    line[at] = 0xc3;
    line[at + 1] = 0x28;
    expect(scanExtractionBytes(line, 0, line.length, map, newColumnCuts(map))).toBe('INVALID_UTF8');
  });

  it('normalises addresses on bytes exactly like normaliseDirectoryAddress, or defers to it', () => {
    const out = new Uint8Array(1024);
    for (const a of ['Jean.Dupont@Medecin.MSSante.fr', 'x_y+z@pro.mssante.fr', "o'neil@a-b.mssante.fr", 'a..b@x.fr', '.a@x.fr', 'a.@x.fr', 'a@-x.fr', 'a@x', 'a@x.', 'a@x..fr', 'ÉLODIE@exemple.fr', 'a@bücher.example', 'a b@x.fr']) {
      const b = Buffer.from(a, 'utf8');
      const end = normaliseAddressBytesInto(b, 0, b.length, out, 0);
      if (end >= 0) expect(Buffer.from(out.subarray(0, end)).toString('utf8')).toBe(normaliseDirectoryAddress(a));
      else expect(['a..b@x.fr', '.a@x.fr', 'a.@x.fr', 'a@-x.fr', 'a@x', 'a@x.', 'a@x..fr', 'ÉLODIE@exemple.fr', 'a@bücher.example', 'a b@x.fr']).toContain(a);
    }
  });
});

describe('JSON written by hand = JSON.stringify', () => {
  it('recordJson(i) is JSON.stringify(record(i)), escapes included', async () => {
    const { index } = await loadExtractionFile(standardExtraction());
    for (let i = 0; i < index.size; i += 101) expect(index.recordJson(i)).toBe(JSON.stringify(index.record(i)));
    const { index: odd } = loadExtractionText(`${HEADER}\n${row({ 'Type de BAL': 'ORG', 'Adresse BAL': 'sec@chu.mssante.fr', 'Service de rattachement': 'SERVICE "A"\\B', 'Raison Sociale structure BAL': 'CHU\u0001' })}\n`);
    expect(odd.recordJson(0)).toBe(JSON.stringify(odd.record(0)));
  });

  it('lookupManyJson gives the body lookupMany would give', async () => {
    const { index } = await loadExtractionFile(standardExtraction());
    const service = new DirectoryService({ initial: { index, meta: { sourceKind: 'file', source: 'test', loadedAt: '' } } });
    const inputs = [index.address(0), ` ${index.address(7).toUpperCase()} `, 'inconnu@medecin.mssante.fr', 'pas une adresse', index.address(index.size - 1)];
    const fast = service.lookupManyJson(inputs);
    expect(Buffer.from(fast!.body).toString('utf8')).toBe(JSON.stringify({ results: await service.lookupMany(inputs) }));
    expect(fast?.found).toBe(3);
    expect(fast?.invalid).toBe(1);
    // without the records: the identity only, the same text as lookupMany(inputs, false)
    const identity = service.lookupManyJson(inputs, false);
    expect(Buffer.from(identity!.body).toString('utf8')).toBe(JSON.stringify({ results: await service.lookupMany(inputs, false) }));
    expect(Buffer.from(identity!.body).toString('utf8')).not.toContain('"record"');
  });

  it('writeRecordJson(i) writes the bytes of JSON.stringify(record(i)), escapes and accents included', async () => {
    const { index } = await loadExtractionFile(standardExtraction());
    const w = new ByteWriter(16);
    for (let i = 0; i < index.size; i += 97) {
      w.reset();
      index.writeRecordJson(w, i);
      expect(Buffer.from(w.take()).toString('utf8')).toBe(JSON.stringify(index.record(i)));
    }
    const odd = loadExtractionText(
      `${HEADER}\n${row({ 'Type de BAL': 'ORG', 'Adresse BAL': 'sec@chu.mssante.fr', 'Service de rattachement': 'SERVICE "A"\\B', 'Raison Sociale structure BAL': 'CHU\u0001', 'Identification Structure': '1"2' })}\n` +
        `${row({ 'Type de BAL': 'PER', 'Adresse BAL': 'helene.lefevre@chu.mssante.fr', "Nom d'exercice": 'LEFÈVRE "dite" \\ Œ', "Prénom d'exercice": 'Hélène 😀' })}\n`,
    ).index;
    for (let i = 0; i < odd.size; i++) {
      w.reset();
      odd.writeRecordJson(w, i);
      expect(Buffer.from(w.take()).toString('utf8')).toBe(JSON.stringify(odd.record(i)));
    }
    // the service answer for the same records, names joined inside one pair of quotes
    const service = new DirectoryService({ initial: { index: odd, meta: { sourceKind: 'file', source: 'test', loadedAt: '' } } });
    const inputs = [odd.address(0), odd.address(1), 'Ünïcode "x"@exemple.fr'];
    expect(Buffer.from(service.lookupManyJson(inputs)!.body).toString('utf8')).toBe(JSON.stringify({ results: await service.lookupMany(inputs) }));
  });
});
