// Runtime: Node (jest). The liste blanche parser and the trust space, on the real files (test/fixtures/listeblanche,
// provenance in test/fixtures/SOURCES.md).
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  APICRYPT_BRIDGE_DOMAINS,
  defaultTrustSpace,
  ListeBlancheError,
  parseListeBlanche,
  PATIENT_DOMAIN,
  TrustSpace,
  type ListeBlancheErrorCode,
} from '../../src/core/trust-space';
import { LISTE_BLANCHE_SNAPSHOT } from '../../src/core/listeblanche-snapshot';

const dir = join(__dirname, '..', 'fixtures', 'listeblanche');
const fullBytes = readFileSync(join(dir, 'listeblanchemssante_2025-02-28.xml'));
const full = fullBytes.toString('utf8');
const truncatedBytes = readFileSync(join(dir, 'listeblanchemssante.xml'));
const truncated = truncatedBytes.toString('utf8');
const derived = readFileSync(join(dir, 'derived_domains_2025-02-28.txt'), 'utf8').split('\n').filter((l) => l.length > 0);

function sha256(b: Buffer): string {
  return createHash('sha256').update(b).digest('hex');
}

function parseError(xml: string): ListeBlancheError {
  try {
    parseListeBlanche(xml);
  } catch (e) {
    if (e instanceof ListeBlancheError) return e;
    throw e;
  }
  throw new Error('expected ListeBlancheError');
}

describe('the fixtures are the files named in SOURCES.md', () => {
  test('SHA-256 of the full list and of ANS truncated copy (matches ANS checksum file)', () => {
    expect(sha256(fullBytes)).toBe('c14b71352b39cddce9b78b2eb1ce6cacb7e87b605ade40d95fae858797ad4761');
    const published = readFileSync(join(dir, 'listeblanchemssante.checksum'), 'utf8').trim();
    expect(sha256(truncatedBytes)).toBe(published);
    expect(derived.length).toBe(4944);
  });
});

describe('parseListeBlanche on the real 2025-02-28 list', () => {
  const lb = parseListeBlanche(full);

  test('6,494 entries, 4,944 distinct domains, generation date, signature present', () => {
    expect(lb.generatedAt).toBe('2025-02-28T15:42:07Z');
    expect(lb.domains.length).toBe(6494);
    expect(lb.distinctDomains).toBe(4944);
    expect(lb.signed).toBe(true);
  });

  test('entries keep description, operator certificate DN and update date', () => {
    expect(lb.domains[0]).toEqual({
      name: '1001-services.mssante.fr',
      description: 'Domaine de messagerie MSSanté SAAD 1001-SERVICES.COM',
      operatorDn: 'CN=medimail-asip.mipih.fr,OU=318310021300028,O=GIP MIPIH,ST=Haute-Garonne (31),C=FR',
      updatedAt: '2024-06-07T10:24:42Z',
    });
    const bridge = lb.domains.filter((d) => d.name === 'interop-mssante.apicrypt.org');
    expect(bridge.length).toBeGreaterThan(0);
    expect(bridge.every((d) => /^CN=mailin2?\.interop-mssante\.apicrypt\.org,.*O=APICEM/.test(d.operatorDn ?? ''))).toBe(true);
  });

  test('every line of derived_domains_2025-02-28.txt is in the TrustSpace, and nothing else', () => {
    const ts = TrustSpace.fromListeBlanche(lb);
    expect(ts.size).toBe(4944);
    expect(ts.generatedAt).toBe('2025-02-28T15:42:07Z');
    const missing = derived.filter((d) => !ts.has(d));
    expect(missing).toEqual([]);
    expect(ts.names()).toEqual([...derived].sort());
  });

  test('the bridge and patient domains are on the list; look-alikes are not', () => {
    const ts = TrustSpace.fromListeBlanche(lb);
    for (const d of APICRYPT_BRIDGE_DOMAINS) expect(ts.has(d)).toBe(true);
    expect(ts.has(PATIENT_DOMAIN)).toBe(true);
    expect(ts.has('pharmacrypt.mssante.fr')).toBe(true);
    for (const d of ['medical75.apicrypt.org', 'apicrypt.org', 'gmail.com', 'mssante.fr', 'mssante.fr.evil.com', 'x.medecin.mssante.fr']) {
      expect(ts.has(d)).toBe(false);
    }
  });

  test('has() is case- and trailing-dot-insensitive', () => {
    const ts = TrustSpace.fromListeBlanche(lb);
    expect(ts.has('Medecin.MSSante.FR.')).toBe(true);
    expect(ts.has('medecin.mssante.fr')).toBe(true);
  });
});

describe('a list that cannot be loaded as a whole is refused, never half-loaded', () => {
  test("ANS's truncated GitHub copy: LISTE_BLANCHE_TRUNCATED with a clear French message", () => {
    const e = parseError(truncated);
    expect(e.code).toBe('LISTE_BLANCHE_TRUNCATED');
    expect(e.entriesRead).toBe(619);
    expect(e.message).toBe(
      "La liste blanche est tronquée (balise de fin </ListeBlancheMSSante> absente après 619 domaines) : elle n'a pas " +
        'été chargée, la précédente reste en service. Téléchargez-la de nouveau.',
    );
    expect(e).toBeInstanceOf(Error);
    expect(e.name).toBe('ListeBlancheError');
  });

  const cut = (n: number) => full.slice(0, n);
  const table: [label: string, xml: string, code: ListeBlancheErrorCode][] = [
    ['full list cut in the middle of a <Nom>', cut(full.indexOf('<Nom>', 200_000) + 8), 'LISTE_BLANCHE_TRUNCATED'],
    ['full list cut inside a tag', cut(full.indexOf('<Description>', 100_000) + 5), 'LISTE_BLANCHE_TRUNCATED'],
    ['full list cut inside the signature', cut(full.length - 500), 'LISTE_BLANCHE_TRUNCATED'],
    ['full list missing only the last ">"', cut(full.length - 1), 'LISTE_BLANCHE_TRUNCATED'],
    ['mismatched end tag', full.replace('</Nom>', '</Nam>'), 'LISTE_BLANCHE_MALFORMED'],
    ['bare ampersand', full.replace('SAAD 1001-SERVICES.COM', 'SAAD 1001 & SERVICES'), 'LISTE_BLANCHE_MALFORMED'],
    ['text after the root element', full + '<x/>', 'LISTE_BLANCHE_MALFORMED'],
    ['entry without <Nom>', full.replace('<Nom>1001-services.mssante.fr</Nom>', ''), 'LISTE_BLANCHE_MALFORMED'],
    ['invalid domain name', full.replace('<Nom>1001-services.mssante.fr</Nom>', '<Nom>pas un domaine</Nom>'), 'LISTE_BLANCHE_MALFORMED'],
    ['no DateDeGeneration', full.replace(/<DateDeGeneration>[^<]*<\/DateDeGeneration>/, ''), 'LISTE_BLANCHE_MALFORMED'],
    ['HTML error page', '<html><body><h1>502 Bad Gateway</h1></body></html>', 'LISTE_BLANCHE_WRONG_ROOT'],
    ['other XML document', '<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"></feed>', 'LISTE_BLANCHE_WRONG_ROOT'],
    ['right root name, wrong namespace', '<ListeBlancheMSSante xmlns="urn:x"><DateDeGeneration>x</DateDeGeneration></ListeBlancheMSSante>', 'LISTE_BLANCHE_WRONG_ROOT'],
    ['not XML at all', '{"domains": []}', 'LISTE_BLANCHE_WRONG_ROOT'],
    ['empty file', '', 'LISTE_BLANCHE_EMPTY'],
    ['blank file', '  \n ', 'LISTE_BLANCHE_EMPTY'],
    [
      'well-formed list without any domain',
      '<ListeBlancheMSSante xmlns="https://listeblanche.mssante.fr/schema"><DateDeGeneration>2025-01-01T00:00:00Z</DateDeGeneration><ListeDomaines/></ListeBlancheMSSante>',
      'LISTE_BLANCHE_EMPTY',
    ],
  ];
  test.each(table)('%s -> %s', (_label, xml, code) => {
    const e = parseError(xml);
    expect(e.code).toBe(code);
    expect(e.message).toMatch(/précédente (liste )?reste en service/);
  });

  test('a minimal well-formed unsigned list loads', () => {
    const lb = parseListeBlanche(
      '\ufeff<?xml version="1.0" encoding="UTF-8"?><ListeBlancheMSSante xmlns="https://listeblanche.mssante.fr/schema">' +
        '<DateDeGeneration>2025-01-01T00:00:00Z</DateDeGeneration><ListeDomaines><Domaine><Nom>A.MSSante.fr</Nom>' +
        '<Description>a &amp; b</Description></Domaine></ListeDomaines></ListeBlancheMSSante>',
    );
    expect(lb).toEqual({
      generatedAt: '2025-01-01T00:00:00Z',
      domains: [{ name: 'a.mssante.fr', description: 'a & b' }],
      distinctDomains: 1,
      signed: false,
    });
  });
});

describe('TrustSpace.fromDomains and defaultTrustSpace', () => {
  test('fromDomains normalises names and refuses invalid ones (configuration error)', () => {
    const ts = TrustSpace.fromDomains(['Medecin.MSSante.fr.', 'hôpital.mssante.fr'], '2025-01-01');
    expect(ts.size).toBe(2);
    expect(ts.has('medecin.mssante.fr')).toBe(true);
    expect(ts.has('xn--hpital-ixa.mssante.fr')).toBe(true);
    expect(ts.has('hôpital.mssante.fr')).toBe(true);
    expect(ts.generatedAt).toBe('2025-01-01');
    expect(() => TrustSpace.fromDomains(['pas un domaine'])).toThrow(RangeError);
  });

  test('the bundled snapshot is the 2025-02-28 list: same 4,944 domains, same date', () => {
    expect(LISTE_BLANCHE_SNAPSHOT.sha256).toBe(sha256(fullBytes));
    expect(LISTE_BLANCHE_SNAPSHOT.generatedAt).toBe('2025-02-28T15:42:07Z');
    expect(LISTE_BLANCHE_SNAPSHOT.distinctDomains).toBe(4944);
    expect(LISTE_BLANCHE_SNAPSHOT.entries).toBe(6494);
    const ts = defaultTrustSpace();
    expect(defaultTrustSpace()).toBe(ts); // built once
    expect(ts.size).toBe(4944);
    expect(ts.generatedAt).toBe('2025-02-28T15:42:07Z');
    expect(ts.names()).toEqual([...derived].sort());
  });
});
