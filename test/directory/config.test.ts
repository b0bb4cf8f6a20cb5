// Runtime: Node (jest). The directory.* settings: defaults, validation with French messages, the API key from the
// environment only.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError, loadConfig } from '../../src/connector/config';
import { makeTempDir } from '../helpers/tmp';

function problems(f: () => unknown): string[] {
  try {
    f();
  } catch (e) {
    if (e instanceof ConfigError) return [...e.problems];
    throw e;
  }
  return [];
}

describe('directory settings', () => {
  it('reads URL, checksum, refresh time, FHIR settings and the API key from the environment', () => {
    const cwd = makeTempDir();
    const c = loadConfig({
      cwd,
      env: {
        MSS_DIRECTORY_URL: 'https://service.annuaire.sante.fr/annuaire-sante-webservices/V300/services/extraction/Extraction_Correspondance_MSSante',
        MSS_DIRECTORY_SHA256: 'A'.repeat(64),
        MSS_DIRECTORY_REFRESH: '6:30',
        MSS_FHIR_API_KEY: 'cle-secrete',
        MSS_FHIR_CACHE_TTL: '3600',
      },
    });
    expect(c.directory).toEqual({
      url: 'https://service.annuaire.sante.fr/annuaire-sante-webservices/V300/services/extraction/Extraction_Correspondance_MSSante',
      sha256: 'a'.repeat(64),
      refreshTime: '06:30',
      snapshotDir: join(cwd, '.data', 'directory'),
      fhir: { baseUrl: 'https://gateway.api.esante.gouv.fr/fhir/v2', apiKey: 'cle-secrete', cacheTtlSeconds: 3600 },
    });
  });

  it('refuses bad values with actionable French messages, and an API key in the file', () => {
    const dir = makeTempDir();
    const file = join(dir, 'config.json');
    writeFileSync(file, JSON.stringify({ directory: { refreshTime: '25:00', sha256: 'abc', fhir: { apiKey: 'x' }, url: 'ftp://x' } }));
    const p = problems(() => loadConfig({ file, env: {}, cwd: dir }));
    expect(p).toEqual(
      expect.arrayContaining([
        expect.stringContaining('directory.refreshTime : doit être une heure « HH:MM »'),
        expect.stringContaining('directory.sha256 : doit être une empreinte SHA-256'),
        expect.stringContaining('directory.url : doit être une URL'),
        expect.stringContaining('variable d\'environnement MSS_FHIR_API_KEY'),
      ]),
    );
    expect(p.join('\n')).not.toContain('"x"');
  });

  it('refuses a URL and a file together', () => {
    const dir = makeTempDir();
    const f = join(dir, 'a.txt');
    writeFileSync(f, 'x');
    expect(problems(() => loadConfig({ cwd: dir, env: { MSS_DIRECTORY: f, MSS_DIRECTORY_URL: 'https://exemple.fr/x.zip' } }))).toEqual([
      expect.stringContaining('choisissez l\'un ou l\'autre'),
    ]);
  });
});
