// Runtime: Node (jest). How the index is built for speed gives exactly what the plain way gives: field groups
// interned as one span (structure, profession) = every field interned alone (the add(record) path); search arrays
// derived after the look-ups serve (step by step, or at the first search) = the same results, ranked the same;
// identifiers found before the search arrays exist; the snapshot stores them complete. Generated extraction
// (make-extraction.mjs, 20,000 rows, 50 malformed lines, CRLF, trailing |) and a hand-made file whose structure
// columns repeat line after line (as in the national file, unlike the generator's).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadExtractionFile, loadExtractionText } from '../../src/connector/directory/load-extraction';
import { readSnapshot, writeSnapshot } from '../../src/connector/directory/snapshot';
import { DirectoryIndexBuilder, mapExtractionHeader, parseExtractionLine, type DirectoryIndex } from '../../src/core';
import { makeTempDir } from '../helpers/tmp';
import { SHARED, standardExtraction } from './helpers';

const HEADER = readFileSync(join(SHARED, 'data/extractions/Extraction_Correspondance_MSSante_header_RECONSTRUCTED_NOT_VERBATIM.txt'), 'utf8').trim();
const COLS = HEADER.split('|');
const row = (values: Record<string, string>) => COLS.map((c) => values[c] ?? '').join('|');

/** The same file through DirectoryIndexBuilder.add (each field interned alone, no group spans). */
function viaAdd(text: string): DirectoryIndex {
  const lines = text.split(/\r?\n/);
  const m = mapExtractionHeader(lines[0]);
  if (!m.ok) throw new Error('header');
  const b = new DirectoryIndexBuilder();
  for (const l of lines.slice(1)) {
    if (l === '') continue;
    const r = parseExtractionLine(l, m.map);
    if (r.ok) b.add(r.record);
  }
  return b.build();
}

const QUERIES = ['dupont j', 'jean dupon', 'martin', 'ma', 'de', 'med', 'centre hosp', 'marie', 'ehpad', 'cardio'];

function searchAll(index: DirectoryIndex) {
  return QUERIES.map((q) => index.search(q, { pageSize: 25 })).concat(QUERIES.map((q) => index.search(q, { pageSize: 7, page: 3 })));
}

describe('field groups interned as one span', () => {
  it('give the records of the plain path, on the generated file (groups given up) and on repeating structures (groups kept)', async () => {
    const file = standardExtraction();
    const text = readFileSync(file, 'utf8');
    const fast = (await loadExtractionFile(file)).index;
    const plain = viaAdd(text);
    expect(fast.size).toBe(plain.size);
    for (let i = 0; i < fast.size; i += 7) expect(fast.record(i)).toEqual(plain.record(i));

    // 3 structures over 3,000 lines: the structure span repeats, the group serves from its table
    const structures: Record<string, string>[] = [
      { 'Raison Sociale structure BAL': 'CENTRE HOSPITALIER DE NANCY', 'Enseigne commerciale structure BAL': 'CHRU', 'L6LIGNEACHEMINEMENT structure BAL': '54000 NANCY', 'Code postal structure BAL': '54000', 'Département structure BAL': '54' },
      { 'Raison Sociale structure BAL': 'EHPAD LES TILLEULS', 'L6LIGNEACHEMINEMENT structure BAL': '33000 BORDEAUX', 'Code postal structure BAL': '33000', 'Département structure BAL': '33' },
      { 'Raison Sociale structure BAL': 'CABINET "DU PARC" \\ SANTÉ', 'L6LIGNEACHEMINEMENT structure BAL': '75011 PARIS', 'Code postal structure BAL': '75011', 'Département structure BAL': '75' },
    ];
    const lines = [HEADER];
    for (let k = 0; k < 3000; k++) {
      lines.push(
        row({
          'Type de BAL': 'PER',
          'Adresse BAL': `p${k}.nom${k % 97}@medecin.mssante.fr`,
          "Nom d'exercice": `NOM${k % 97}`,
          "Prénom d'exercice": `Prénom${k % 13}`,
          'Code Profession': k % 2 ? '10' : '60',
          'Libellé Profession': k % 2 ? 'Médecin' : 'Infirmier',
          ...structures[k % 3],
        }),
      );
    }
    const repeated = lines.join('\n');
    const a = loadExtractionText(repeated).index;
    const b = viaAdd(repeated);
    expect(a.size).toBe(3000);
    for (let i = 0; i < a.size; i++) expect(a.record(i)).toEqual(b.record(i));
    expect(a.record(2)).toMatchObject({ structure: 'CABINET "DU PARC" \\ SANTÉ', city: '75011 PARIS', profession: 'Infirmier' });
  });
});

describe('search arrays derived after the look-ups serve', () => {
  it('step by step, at the first search, or restored from a snapshot: the same ranked pages', async () => {
    const file = standardExtraction();
    const eager = (await loadExtractionFile(file)).index;
    eager.ensureSearch();
    const expected = searchAll(eager);
    expect(expected[0].total).toBeGreaterThan(0);

    const stepped = (await loadExtractionFile(file)).index;
    expect(stepped.searchReady).toBe(false);
    // look-ups do not wait for the search arrays
    expect(stepped.find(eager.address(123))).toBe(123);
    let steps = 0;
    while (!stepped.buildSearchStep(1500)) steps++;
    expect(steps).toBeGreaterThan(5);
    expect(stepped.searchReady).toBe(true);
    expect(searchAll(stepped)).toEqual(expected);

    const lazy = (await loadExtractionFile(file)).index;
    expect(searchAll(lazy)).toEqual(expected); // the first search completes the build
    expect(lazy.searchReady).toBe(true);

    const ids = (await loadExtractionFile(file)).index;
    let withIds = 0;
    while (!(eager.record(withIds).nationalId && eager.record(withIds).structureId)) withIds++;
    const rec = eager.record(withIds);
    expect(ids.searchReady).toBe(false);
    expect(ids.findById(rec.nationalId!)).toContain(withIds);
    expect(ids.findById(rec.structureId!)).toContain(withIds);
    expect(ids.search(rec.nationalId!).hits.map((h) => h.index)).toContain(withIds);

    const fresh = (await loadExtractionFile(file)).index;
    const path = join(makeTempDir('mss-dir-snap-'), 'annuaire.snapshot');
    writeSnapshot(path, fresh, { sourceKind: 'file', source: 'test', loadedAt: '' });
    const back = readSnapshot(path).index;
    expect(back.searchReady).toBe(true);
    expect(searchAll(back)).toEqual(expected);
  });
});
