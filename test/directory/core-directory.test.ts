// Runtime: Node (jest). The pure directory core: header by name (real reconstructed header line), line parsing,
// folding, index look-up and search, identifiers, mapping table, "did you mean".
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  DirectoryIndexBuilder,
  directorySuggestionHook,
  foldText,
  mapExtractionHeader,
  namesFromLocalPart,
  normaliseAddress,
  normaliseDirectoryAddress,
  parseExtractionLine,
  parseMappingCsv,
  suggestMssanteAddresses,
  tokenize,
  type ColumnMap,
} from '../../src/core';
import { SHARED } from './helpers';

const HEADER = readFileSync(join(SHARED, 'data/extractions/Extraction_Correspondance_MSSante_header_RECONSTRUCTED_NOT_VERBATIM.txt'), 'utf8').trim();
const COLS = HEADER.split('|');

function row(values: Record<string, string>): string {
  return COLS.map((c) => values[c] ?? '').join('|');
}

function headerMap(h = HEADER): ColumnMap {
  const m = mapExtractionHeader(h);
  if (!m.ok) throw new Error('header');
  return m.map;
}

const PEOPLE: [string, string, string, string, string][] = [
  // type, address, nom, prénom, profession
  ['PER', 'jean.dupont@medecin.mssante.fr', 'DUPONT', 'Jean', 'Médecin'],
  ['PER', 'jeanne.dupond@infirmier.mssante.fr', 'DUPOND', 'Jeanne', 'Infirmier'],
  ['PER', 'helene.lefevre@chu-nancy.mssante.fr', 'LEFÈVRE', 'Hélène', 'Médecin'],
  ['PER', 'marie.martin@medecin.mssante.fr', 'MARTIN', 'Marie', 'Médecin'],
  ['PER', 'marie.martin2@medecin.mssante.fr', 'MARTIN', 'Marie', 'Pharmacien'],
  ['PER', 'jp.le-gall@pro.mssante.fr', 'LE GALL', 'Jean-Pierre', 'Masseur-Kinésithérapeute'],
];

function buildIndex() {
  const map = headerMap();
  const b = new DirectoryIndexBuilder();
  PEOPLE.forEach(([type, address, nom, prenom, prof], k) => {
    const r = parseExtractionLine(
      row({
        'Type de BAL': type,
        'Adresse BAL': address,
        "Nom d'exercice": nom,
        "Prénom d'exercice": prenom,
        'Libellé Profession': prof,
        'Identifiant PP': `1000000000${k}`,
        'Identification nationale PP': `81000000000${k}`,
        'Raison Sociale structure BAL': 'CHU DE NANCY',
        'Identification Structure': '1540000000',
      }),
      map,
    );
    if (!r.ok) throw new Error(r.problem);
    b.add(r.record);
  });
  const org = parseExtractionLine(
    row({ 'Type de BAL': 'ORG', 'Adresse BAL': 'Secretariat.Cardio@CHU-Nancy.MSSante.fr', 'Service de rattachement': 'SECRÉTARIAT CARDIOLOGIE', 'Raison Sociale structure BAL': 'CHU DE NANCY', 'Identification Structure': '1540000000' }),
    map,
  );
  if (!org.ok) throw new Error(org.problem);
  b.add(org.record);
  expect(b.add(org.record)).toBe('duplicate');
  return b.build();
}

describe('extraction header and lines', () => {
  it('reads the real 31-column header by name, with BOM, CRLF and a trailing |', () => {
    expect(COLS).toHaveLength(31);
    const plain = headerMap();
    expect(plain.width).toBe(31);
    expect(plain.address).toBe(1);
    expect(headerMap(`\uFEFF${HEADER}|\r`)).toEqual(plain);
  });

  it('locates columns by name in a reordered header', () => {
    const m = headerMap("Adresse BAL|Nom d'exercice|Type de BAL|Prénom d'exercice");
    const r = parseExtractionLine('Jean.Dupont@Medecin.MSSante.fr|DUPONT|PER|Jean|\r', m);
    expect(r).toEqual({ ok: true, record: expect.objectContaining({ address: 'jean.dupont@medecin.mssante.fr', mailboxType: 'PER' }) });
    if (r.ok) expect(r.record.fields).toMatchObject({ lastName: 'DUPONT', firstName: 'Jean', profession: '' });
  });

  it('refuses a header without the required columns', () => {
    expect(mapExtractionHeader('Nom|Prénom')).toEqual({ ok: false, missing: ['Type de BAL', 'Adresse BAL'] });
  });

  it.each([
    ['too few columns', 'PER|a@b.mssante.fr|x', 'COLUMN_COUNT'],
    ['no address', row({ 'Type de BAL': 'PER' }), 'NO_ADDRESS'],
    ['invalid address', row({ 'Type de BAL': 'PER', 'Adresse BAL': 'pas une adresse' }), 'INVALID_ADDRESS'],
    ['unknown type', row({ 'Type de BAL': 'XYZ', 'Adresse BAL': 'a@b.mssante.fr' }), 'UNKNOWN_TYPE'],
    ['broken UTF-8 (decoded as U+FFFD)', row({ 'Type de BAL': 'P\uFFFDR', 'Adresse BAL': 'a@b.mssante.fr' }), 'INVALID_UTF8'],
  ])('reports a malformed line: %s', (_what, line, problem) => {
    expect(parseExtractionLine(line, headerMap())).toEqual({ ok: false, problem });
  });

  it('normalises addresses exactly like the classifier (fast path = normaliseAddress)', () => {
    for (const a of ['Jean.Dupont@Medecin.MSSante.fr', 'x_y+z@pro.mssante.fr', "o'neil@a-b.mssante.fr", 'ÉLODIE@exemple.fr', 'a@bücher.example', ' a@b.fr ']) {
      expect(normaliseDirectoryAddress(a)).toBe(normaliseAddress(a.trim()));
    }
    expect(normaliseDirectoryAddress('a..b@x.fr')).toBeUndefined();
  });
});

describe('folding', () => {
  it('folds accents, case and ligatures; splits on punctuation', () => {
    expect(foldText('Hélène ŒUVRAY')).toBe('helene oeuvray');
    expect(tokenize("Jean-Pierre LE GALL, d'Artagnan")).toEqual(['jean', 'pierre', 'le', 'gall', 'd', 'artagnan']);
    expect(tokenize('')).toEqual([]);
  });
});

describe('DirectoryIndex', () => {
  const index = buildIndex();

  it('finds an address exactly, case-insensitively after normalisation, and gives the classifier entry', () => {
    expect(index.size).toBe(7);
    expect(index.lookup('jean.dupont@medecin.mssante.fr')).toEqual({ address: 'jean.dupont@medecin.mssante.fr', mailboxType: 'PER', displayName: 'Jean DUPONT', profession: 'Médecin', organisation: 'CHU DE NANCY' });
    expect(index.lookup('secretariat.cardio@chu-nancy.mssante.fr')?.displayName).toBe('SECRÉTARIAT CARDIOLOGIE');
    expect(index.lookup('inconnu@medecin.mssante.fr')).toBeUndefined();
    expect(index.countByType()).toEqual({ PER: 6, ORG: 1, APP: 0, CAB: 0 });
  });

  const names = (q: string, opts = {}) => index.search(q, opts).hits.map((h) => index.record(h.index).name);

  it.each([
    ['dupont j', ['Jean DUPONT']],
    ['jean dupon', ['Jean DUPONT', 'Jeanne DUPOND']],
    ['DUPON', ['Jeanne DUPOND', 'Jean DUPONT']],
    ['helene lefevre', ['Hélène LEFÈVRE']],
    ['LEFÈVRE h', ['Hélène LEFÈVRE']],
    ['le gall jean pierre', ['Jean-Pierre LE GALL']],
    ['dr martin', ['Marie MARTIN', 'Marie MARTIN']],
    ['secretariat cardio', ['SECRÉTARIAT CARDIOLOGIE']],
    ['zzz', []],
  ])('search %p', (q, expected) => {
    expect(names(q)).toEqual(expected);
  });

  it('ranks whole-word name matches first and pages', () => {
    // "jean" is a whole first name of DUPONT, a prefix of Jeanne, and a word of Jean-Pierre
    const all = names('jean');
    expect(all).toHaveLength(3);
    expect(all[2]).toBe('Jeanne DUPOND');
    const p1 = index.search('jean', { pageSize: 2, page: 1 });
    const p2 = index.search('jean', { pageSize: 2, page: 2 });
    expect(p1.total).toBe(3);
    expect(p1.hits).toHaveLength(2);
    expect(p2.hits).toHaveLength(1);
  });

  it('searches by structure, FINESS and type', () => {
    expect(index.search('chu nancy').total).toBe(7);
    expect(names('nancy secretariat')).toEqual(['SECRÉTARIAT CARDIOLOGIE']);
    expect(index.search('chu nancy', { types: ['ORG'] }).total).toBe(1);
    expect(index.search('540000000').total).toBe(7); // FINESS → structure id 1 + FINESS
  });

  it('searches by RPPS and national id', () => {
    expect(names('10000000000')).toEqual(['Jean DUPONT']);
    expect(names('810000000001')).toEqual(['Jeanne DUPOND']);
    expect(names('10000000003 martin')).toEqual(['Marie MARTIN']);
  });

  it('finds names as whole words for "did you mean"', () => {
    expect(index.findByName(['jean', 'dupont']).map((i) => index.record(i).address)).toEqual(['jean.dupont@medecin.mssante.fr']);
    expect(index.findByName(['dupont', 'jean'])).toHaveLength(1);
    expect(index.findByName(['jean', 'dupon'])).toHaveLength(0);
    expect(index.findByName(['j', 'dupont'])).toHaveLength(1);
  });
});

describe('mapping table and "did you mean"', () => {
  const index = buildIndex();
  const { table, problems } = parseMappingCsv(
    ['adresse ordinaire;adresse mssante', 'secretariat.cardio@chu-nancy.fr;secretariat.cardio@chu-nancy.mssante.fr', 'mauvaise ligne', 'x@y.fr;pas une adresse', ''].join('\r\n'),
  );

  it('parses the CSV and reports bad lines by number', () => {
    expect(table.size).toBe(1);
    expect(problems).toEqual([
      { line: 3, problem: 'deux colonnes attendues : adresse ordinaire ; adresse MSSanté' },
      { line: 4, problem: 'adresse MSSanté invalide (2e colonne)' },
    ]);
  });

  it('proposes the mapping table first', () => {
    const [c] = suggestMssanteAddresses({ address: 'Secretariat.Cardio@chu-nancy.fr' }, { index, mapping: table });
    expect(c).toMatchObject({ address: 'secretariat.cardio@chu-nancy.mssante.fr', confidence: 0.99, evidence: [{ code: 'MAPPING_TABLE' }] });
    expect(c.record?.type).toBe('ORG');
  });

  it('reads prenom.nom, p.nom and prenomnom in the local part', () => {
    expect(suggestMssanteAddresses({ address: 'jean.dupont@gmail.com' }, { index })[0]).toMatchObject({ address: 'jean.dupont@medecin.mssante.fr', confidence: 0.8, evidence: [{ code: 'ADDRESS_NAME' }] });
    expect(suggestMssanteAddresses({ address: 'dupont.jean@wanadoo.fr' }, { index })[0]?.address).toBe('jean.dupont@medecin.mssante.fr');
    expect(suggestMssanteAddresses({ address: 'h.lefevre@orange.fr' }, { index })[0]).toMatchObject({ address: 'helene.lefevre@chu-nancy.mssante.fr', confidence: 0.5, evidence: [{ code: 'ADDRESS_INITIAL' }] });
    expect(namesFromLocalPart('jeandupont', index)).toContainEqual(['jean', 'dupont']);
    expect(suggestMssanteAddresses({ address: 'jeandupont@free.fr' }, { index })[0]?.address).toBe('jean.dupont@medecin.mssante.fr');
  });

  it('uses the display name, agrees with the address, and flags homonyms', () => {
    const both = suggestMssanteAddresses({ address: 'jean.dupont@gmail.com', displayName: 'Dr Jean DUPONT' }, { index })[0];
    expect(both.confidence).toBe(0.9);
    expect(both.evidence.map((e) => e.code)).toEqual(['ADDRESS_NAME', 'DISPLAY_NAME']);
    const homonyms = suggestMssanteAddresses({ address: 'marie.martin@gmail.com' }, { index });
    expect(homonyms).toHaveLength(2);
    expect(homonyms[0].confidence).toBe(0.4);
    expect(homonyms[0].evidence.map((e) => e.code)).toEqual(['ADDRESS_NAME', 'HOMONYMS']);
    expect(suggestMssanteAddresses({ address: 'contact@gmail.com' }, { index })).toEqual([]);
    expect(suggestMssanteAddresses({ address: 'pas une adresse' }, { index })).toEqual([]);
  });

  it('feeds evaluateSend only with confident suggestions', () => {
    const hook = directorySuggestionHook({ index, mapping: table });
    expect(hook({ input: 'x', address: 'jean.dupont@gmail.com', kind: 'external', reason: 'NOT_IN_TRUST_SPACE' } as never)).toBe('jean.dupont@medecin.mssante.fr');
    expect(hook({ input: 'x', address: 'marie.martin@gmail.com', kind: 'external', reason: 'NOT_IN_TRUST_SPACE' } as never)).toBeUndefined();
  });
});
