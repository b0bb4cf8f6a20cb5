// Runtime: Node (jest). The in-memory reader of the ANS Extraction_Correspondance_MSSante format (same core parser
// as the national loader, test/directory), on the bundled sample (real header line) and on small inline variants.
import { readFileSync } from 'node:fs';
import { loadSampleDirectory, parseDirectoryExtraction, DirectoryFileError } from '../../src/connector/directory/sample-directory';
import { bundledDirectoryPath } from '../../src/connector/package-root';
import { sharedData } from '../helpers/connector';

const HEADER = readFileSync(sharedData('extractions', 'Extraction_Correspondance_MSSante_header_RECONSTRUCTED_NOT_VERBATIM.txt'), 'utf8').trim();

describe('bundled sample directory (assets/directory/annuaire-exemple.txt)', () => {
  const text = readFileSync(bundledDirectoryPath(), 'utf8');
  const lines = text.trimEnd().split('\n');

  it('has the exact 31-column header line and 31 fields on every row', () => {
    expect(lines[0]).toBe(HEADER);
    expect(HEADER.split('|')).toHaveLength(31);
    for (const line of lines.slice(1)) expect(line.split('|')).toHaveLength(31);
    expect(lines.length - 1).toBeGreaterThanOrEqual(12);
    expect(lines.length - 1).toBeLessThanOrEqual(20);
  });

  it('loads every row, PER and ORG, keyed by normalised address', () => {
    const dir = loadSampleDirectory(bundledDirectoryPath());
    expect(dir.stats).toEqual({ lines: lines.length - 1, skipped: 0, duplicates: 0 });
    expect(dir.size).toBe(lines.length - 1);
    expect(dir.lookup('sophie.martin@medecin.mssante.fr')).toEqual({
      address: 'sophie.martin@medecin.mssante.fr',
      mailboxType: 'PER',
      displayName: 'Sophie MARTIN',
      profession: 'Médecin',
    });
    expect(dir.lookup('jean-marie.dupont@infirmier.mssante.fr')?.displayName).toBe('Jean-Marie DUPONT');
    expect(dir.lookup('secretariat.drhouse@aura.mssante.fr')).toEqual({
      address: 'secretariat.drhouse@aura.mssante.fr',
      mailboxType: 'ORG',
      displayName: 'Secrétariat',
      organisation: 'CENTRE DE SANTE DR HOUSE',
    });
    expect(dir.lookup('contact.ouest@m2a-ouest.mssante.fr')?.mailboxType).toBe('ORG');
    expect(dir.lookup('direction@m2a-ouest.mssante.fr')?.mailboxType).toBe('ORG');
    expect(dir.lookup('aline.beck@m2a-ouest.mssante.fr')).toEqual({
      address: 'aline.beck@m2a-ouest.mssante.fr',
      mailboxType: 'PER',
      displayName: 'Aline BECK',
      profession: 'Psychologue',
      organisation: 'DISPOSITIFS SANTE PARIS OUEST',
    });
    for (const a of ['davidchatelier@pro.mssante.fr', 'jeromebonnet@pro.mssante.fr', 'exemple.address@address.mssante.fr']) {
      expect(dir.lookup(a)).toBeDefined();
    }
    expect(dir.lookup('inconnu@medecin.mssante.fr')).toBeUndefined();
  });
});

describe('parseDirectoryExtraction', () => {
  const row = (type: string, address: string, nom = '', prenom = '') => {
    const fields = new Array<string>(31).fill('');
    fields[0] = type;
    fields[1] = address;
    fields[9] = nom;
    fields[10] = prenom;
    return fields.join('|');
  };

  it('locates columns by name (reordered header, BOM, CRLF, trailing |)', () => {
    const text = '\uFEFFAdresse BAL|Nom d\'exercice|Type de BAL|Prénom d\'exercice|\r\nJean.Dupont@Medecin.MSSante.fr|DUPONT|PER|Jean|\r\n';
    const dir = parseDirectoryExtraction(text);
    expect(dir.lookup('jean.dupont@medecin.mssante.fr')).toEqual({ address: 'jean.dupont@medecin.mssante.fr', mailboxType: 'PER', displayName: 'Jean DUPONT' });
  });

  it('skips rows with an unknown BAL type or no valid address, and keeps the first of repeated addresses', () => {
    const text = [HEADER, row('PER', 'a@x.mssante.fr', 'A'), row('XYZ', 'b@x.mssante.fr'), row('ORG', 'pas une adresse'), row('PER', 'A@x.mssante.fr', 'AUTRE'), ''].join('\n');
    const dir = parseDirectoryExtraction(text);
    expect(dir.stats).toEqual({ lines: 4, skipped: 2, duplicates: 1 });
    expect(dir.lookup('a@x.mssante.fr')?.displayName).toBe('A');
  });

  it('refuses a file without the required columns, with a French message', () => {
    expect(() => parseDirectoryExtraction('Nom|Prénom\nDUPONT|Jean\n', 'f.txt')).toThrow(DirectoryFileError);
    expect(() => parseDirectoryExtraction('Nom|Prénom\n', 'f.txt')).toThrow(
      "« f.txt » n'est pas une extraction Extraction_Correspondance_MSSante : colonne(s) « Type de BAL », « Adresse BAL » absente(s) de la première ligne.",
    );
  });

  it('reports an unreadable file', () => {
    expect(() => loadSampleDirectory('/nulle/part/annuaire.txt')).toThrow(/Annuaire illisible : « \/nulle\/part\/annuaire.txt » \(ENOENT\)/);
  });
});
