// Runtime: Node (jest). loadConfig: the embedded default, file + environment precedence, and one actionable French
// message per invalid setting, naming the setting and where to fix it.
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_POLICY } from '../../src/core';
import {
  CONFIG_REFERENCE,
  ConfigError,
  configReferenceMarkdown,
  DEMO_GATEWAYS,
  DEMO_INTERNAL_DOMAINS,
  loadConfig,
  type LoadConfigOptions,
} from '../../src/connector/config';
import { LISTE_BLANCHE_2025, REPO_ROOT } from '../helpers/connector';
import { makeTempDir, removeTempDirs } from '../helpers/tmp';

afterAll(removeTempDirs);

function problemsOf(opts: LoadConfigOptions): string[] {
  try {
    loadConfig(opts);
  } catch (e) {
    if (e instanceof ConfigError) return [...e.problems];
    throw e;
  }
  throw new Error('expected a ConfigError');
}

function writeConfig(dir: string, content: unknown): string {
  const file = join(dir, 'mss-outlook.json');
  writeFileSync(file, typeof content === 'string' ? content : JSON.stringify(content, null, 2));
  return file;
}

describe('embedded default configuration', () => {
  it('loads with no file and an empty environment', () => {
    const cwd = makeTempDir();
    const c = loadConfig({ env: {}, cwd });
    expect(c).toEqual({
      server: { host: 'localhost', port: 3000, publicUrl: 'https://localhost:3000', tls: {} },
      dataDir: join(cwd, '.data'),
      store: { type: 'sqlite', sqlitePath: join(cwd, '.data', 'mss-outlook.sqlite') },
      trustSpace: {},
      gateways: [...DEMO_GATEWAYS],
      internalDomains: [...DEMO_INTERNAL_DOMAINS],
      policy: { ...DEFAULT_POLICY },
      directory: { snapshotDir: join(cwd, '.data', 'directory'), fhir: { baseUrl: 'https://gateway.api.esante.gouv.fr/fhir/v2', cacheTtlSeconds: 86400 } },
      harness: { enabled: true },
      addin: { staticDir: join(cwd, 'dist') },
      log: { level: 'info' },
      origin: { embedded: true },
      senders: [],
      admin: { users: [] },
      outbound: { smtpPort: 587, concurrency: 4, leaseSeconds: 300, reconcileSeconds: 900, retryBaseSeconds: 30, retryMaxSeconds: 3600, maxAttempts: 12, crlUrls: [], crlRefreshHours: 6 },
      receipts: { enabled: true, imapPort: 143, pollSeconds: 60, folder: 'Accusés MSSanté', disposal: 'move', sinceDays: 14 },
      traces: { retentionDays: 183 },
    });
  });

  it('holds the M2A-DAC demo gateway dsp.paris and internal domain m2a.paris', () => {
    const c = loadConfig({ env: {}, cwd: makeTempDir() });
    expect(c.gateways).toEqual([
      { id: 'dsp-paris', label: 'Passerelle Exchange – Medimail (exemple M2A-DAC)', domain: 'dsp.paris', localTemplate: '{local}={domain}' },
    ]);
    expect(c.internalDomains).toEqual(['m2a.paris']);
  });

  it('turns the harness off when NODE_ENV=production, unless MSS_HARNESS says otherwise', () => {
    const cwd = makeTempDir();
    expect(loadConfig({ env: { NODE_ENV: 'production' }, cwd }).harness.enabled).toBe(false);
    expect(loadConfig({ env: { NODE_ENV: 'production', MSS_HARNESS: 'oui' }, cwd }).harness.enabled).toBe(true);
    expect(loadConfig({ env: { MSS_HARNESS: 'false' }, cwd }).harness.enabled).toBe(false);
  });

  it('is frozen: configuration is parsed once and passed down, never mutated', () => {
    const c = loadConfig({ env: {}, cwd: makeTempDir() });
    expect(Object.isFrozen(c)).toBe(true);
    expect(Object.isFrozen(c.server)).toBe(true);
    expect(Object.isFrozen(c.gateways[0])).toBe(true);
  });
});

describe('environment and file', () => {
  it('applies every MSS_* variable', () => {
    const cwd = makeTempDir();
    const lb = LISTE_BLANCHE_2025();
    const dirFile = join(cwd, 'annuaire.txt');
    writeFileSync(dirFile, 'Type de BAL|Adresse BAL\n');
    const cert = join(cwd, 'c.pem');
    const key = join(cwd, 'k.pem');
    writeFileSync(cert, 'x');
    writeFileSync(key, 'y');
    const c = loadConfig({
      env: {
        MSS_HOST: '127.0.0.1',
        MSS_PORT: '8443',
        MSS_PUBLIC_URL: 'https://mss.exemple.fr/',
        MSS_DATA_DIR: 'donnees',
        MSS_TLS_CERT: cert,
        MSS_TLS_KEY: key,
        MSS_LISTE_BLANCHE: lb,
        MSS_DIRECTORY: 'annuaire.txt',
        MSS_HARNESS: '0',
        MSS_LOG_LEVEL: 'WARN',
      },
      cwd,
    });
    expect(c.server).toEqual({ host: '127.0.0.1', port: 8443, publicUrl: 'https://mss.exemple.fr', tls: { certFile: cert, keyFile: key } });
    expect(c.dataDir).toBe(join(cwd, 'donnees'));
    expect(c.store.sqlitePath).toBe(join(cwd, 'donnees', 'mss-outlook.sqlite'));
    expect(c.trustSpace.listeBlanchePath).toBe(lb);
    expect(c.directory.extractionPath).toBe(dirFile);
    expect(c.harness.enabled).toBe(false);
    expect(c.log.level).toBe('warn');
  });

  it('treats an empty variable as unset', () => {
    const c = loadConfig({ env: { MSS_PORT: '', MSS_HOST: '' }, cwd: makeTempDir() });
    expect(c.server.port).toBe(3000);
    expect(c.server.host).toBe('localhost');
  });

  it('reads the file named by MSS_CONFIG, resolves its relative paths against its folder, and lets the environment win', () => {
    const dir = makeTempDir();
    mkdirSync(join(dir, 'conf'));
    const file = writeConfig(join(dir, 'conf'), {
      $comment: 'test',
      server: { host: '0.0.0.0', port: 4000 },
      dataDir: 'var',
      store: { type: 'sqlite', sqlitePath: 'db/x.sqlite' },
      gateways: [{ id: 'gw', domain: '*.passerelle.exemple.fr', localTemplate: 'mss.{local}.at.{domain}' }],
      internalDomains: ['Exemple.FR', 'hôpital.fr'],
      policy: { ...DEFAULT_POLICY, mixedRecipients: 'block' },
      harness: { enabled: false },
      addin: { staticDir: '../web' },
      log: { level: 'debug' },
    });
    const c = loadConfig({ env: { MSS_CONFIG: file, MSS_PORT: '5000' }, cwd: dir });
    expect(c.server.host).toBe('0.0.0.0');
    expect(c.server.port).toBe(5000); // environment over file
    expect(c.server.publicUrl).toBe('https://localhost:5000');
    expect(c.dataDir).toBe(join(dir, 'conf', 'var'));
    expect(c.store.sqlitePath).toBe(join(dir, 'conf', 'db', 'x.sqlite'));
    expect(c.gateways).toEqual([{ id: 'gw', domain: '*.passerelle.exemple.fr', localTemplate: 'mss.{local}.at.{domain}' }]);
    expect(c.internalDomains).toEqual(['exemple.fr', 'xn--hpital-ixa.fr']);
    expect(c.policy.mixedRecipients).toBe('block');
    expect(c.harness.enabled).toBe(false);
    expect(c.addin.staticDir).toBe(join(dir, 'web'));
    expect(c.log.level).toBe('debug');
    expect(c.origin).toEqual({ file, embedded: false });
  });

  it('does not apply the demo gateway when a file is given without gateways', () => {
    const dir = makeTempDir();
    const c = loadConfig({ file: writeConfig(dir, {}), env: {}, cwd: dir });
    expect(c.gateways).toEqual([]);
    expect(c.internalDomains).toEqual([]);
  });

  it('lets a command-line override win over the environment', () => {
    const cwd = makeTempDir();
    const c = loadConfig({
      env: { MSS_LISTE_BLANCHE: '/nulle/part.xml' },
      cwd,
      overrides: { 'trustSpace.listeBlanchePath': { value: LISTE_BLANCHE_2025(), option: '--liste-blanche' } },
    });
    expect(c.trustSpace.listeBlanchePath).toBe(LISTE_BLANCHE_2025());
  });
});

describe('invalid settings: one message each, naming the setting and the fix', () => {
  const cwd = () => makeTempDir();

  it.each([
    ['MSS_PORT=abc', { MSS_PORT: 'abc' }, 'server.port : doit être un entier entre 1 et 65535 (reçu « abc »). Corrigez la variable d\'environnement MSS_PORT (ou retirez-la).'],
    ['MSS_PORT=0', { MSS_PORT: '0' }, 'server.port : doit être un entier entre 1 et 65535 (reçu « 0 »). Corrigez la variable d\'environnement MSS_PORT (ou retirez-la).'],
    ['MSS_PORT=70000', { MSS_PORT: '70000' }, 'server.port : doit être un entier entre 1 et 65535 (reçu « 70000 »).'],
    ['MSS_HOST with a scheme', { MSS_HOST: 'https://localhost' }, 'server.host : doit être un nom d\'hôte ou une adresse IP'],
    ['MSS_PUBLIC_URL over http', { MSS_PUBLIC_URL: 'http://localhost:3000' }, 'server.publicUrl : doit être une URL https://'],
    ['MSS_HARNESS not a boolean', { MSS_HARNESS: 'peut-être' }, 'harness.enabled : doit valoir true ou false'],
    ['MSS_LOG_LEVEL unknown', { MSS_LOG_LEVEL: 'verbose' }, 'log.level : doit valoir l\'un de : fatal, error, warn, info, debug, trace, silent (reçu « verbose »). Corrigez la variable d\'environnement MSS_LOG_LEVEL'],
    ['MSS_LISTE_BLANCHE unreadable', { MSS_LISTE_BLANCHE: '/nulle/part/listeblanche.xml' }, 'trustSpace.listeBlanchePath : fichier introuvable ou illisible (reçu « /nulle/part/listeblanche.xml »). Corrigez la variable d\'environnement MSS_LISTE_BLANCHE (ou retirez-la). Ou retirez ce réglage pour utiliser la liste blanche intégrée.'],
    ['MSS_DIRECTORY unreadable', { MSS_DIRECTORY: '/nulle/part/annuaire.txt' }, 'directory.extractionPath : fichier introuvable ou illisible'],
    ['MSS_TLS_CERT without MSS_TLS_KEY', { MSS_TLS_CERT: __filename }, 'server.tls.keyFile : absent alors que server.tls.certFile est donné'],
  ])('%s', (_name, env, expected) => {
    const problems = problemsOf({ env, cwd: cwd() });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain(expected);
  });

  it.each([
    ['server.port out of range', { server: { port: 70000 } }, 'server.port : doit être un entier entre 1 et 65535 (reçu « 70000 »). Corrigez server.port dans le fichier de configuration'],
    ['server.port as text', { server: { port: '3000' } }, 'server.port : doit être un entier entre 1 et 65535 (reçu « 3000 »)'],
    ['server.host with spaces', { server: { host: 'local host' } }, 'server.host : doit être un nom d\'hôte ou une adresse IP'],
    ['gateways not a list', { gateways: { id: 'x' } }, 'gateways : doit être une liste'],
    ['gateways[0].localTemplate without {domain}', { gateways: [{ id: 'gw', domain: 'dsp.paris', localTemplate: '{local}' }] }, 'gateways[0].localTemplate : doit contenir exactement une fois {local} et une fois {domain}, séparés par au moins un caractère (ex. « {local}={domain} ») (reçu « {local} »). Corrigez gateways[0].localTemplate dans le fichier de configuration'],
    ['gateways[0].localTemplate without separator', { gateways: [{ id: 'gw', domain: 'dsp.paris', localTemplate: '{local}{domain}' }] }, 'gateways[0].localTemplate : doit contenir exactement une fois {local} et une fois {domain}'],
    ['gateways[0].domain invalid', { gateways: [{ id: 'gw', domain: 'dsp paris' }] }, 'gateways[0].domain : doit être un nom de domaine valide'],
    ['gateways[1].id duplicated', { gateways: [{ id: 'gw', domain: 'a.fr' }, { id: 'GW', domain: 'b.fr' }] }, 'gateways[1].id : identifiant déjà utilisé'],
    ['gateways[0] unknown key', { gateways: [{ id: 'gw', domain: 'a.fr', template: '{local}={domain}' }] }, 'gateways[0].template : réglage inconnu'],
    ['internalDomains bad domain', { internalDomains: ['m2a.paris', 'pas un domaine'] }, 'internalDomains[1] : doit être un nom de domaine valide (ex. « m2a.paris ») (reçu « pas un domaine »). Corrigez internalDomains[1] dans le fichier de configuration'],
    ['internalDomains an address', { internalDomains: ['contact@m2a.paris'] }, 'internalDomains[0] : doit être un nom de domaine valide'],
    ['store.type postgres', { store: { type: 'postgres' } }, 'store.type : « postgres » demande aussi store.postgresUrl (ou la variable MSS_POSTGRES_URL), ex. « postgres://mss@db.local:5432/mss_outlook » (reçu « postgres »). Corrigez store.type dans le fichier de configuration'],
    ['store.type other', { store: { type: 'mysql' } }, 'store.type : doit valoir « sqlite »'],
    ['dataDir empty', { dataDir: '' }, 'dataDir : doit être un chemin'],
    ['log.level unknown', { log: { level: 'loud' } }, 'log.level : doit valoir l\'un de'],
    ['harness.enabled as text', { harness: { enabled: 'maybe' } }, 'harness.enabled : doit valoir true ou false'],
    ['unknown top-level key', { sever: { port: 1 } }, 'sever : réglage inconnu. Supprimez-le ou corrigez son nom'],
    ['unknown nested key', { server: { prot: 1 } }, 'server.prot : réglage inconnu'],
    ['section not an object', { server: 3000 }, 'server : doit être un objet JSON'],
    ['trustSpace.listeBlanchePath unreadable', { trustSpace: { listeBlanchePath: 'absente.xml' } }, 'trustSpace.listeBlanchePath : fichier introuvable ou illisible'],
    ['outbound.maxMessageMegabytes too large', { outbound: { maxMessageMegabytes: 500 } }, 'outbound.maxMessageMegabytes : doit être un entier entre 1 et 100 (reçu « 500 »). Corrigez outbound.maxMessageMegabytes dans le fichier de configuration'],
    ['outbound.xdmSourceId not an OID', { outbound: { xdmSourceId: 'urn:oid:1.2.250' } }, 'outbound.xdmSourceId : doit être un OID (chiffres séparés par des points, ex. « 1.2.250.1.213.1.4.2 »)'],
  ])('%s', (_name, content, expected) => {
    const dir = cwd();
    const file = writeConfig(dir, content);
    const problems = problemsOf({ file, env: {}, cwd: dir });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain(expected);
    if (!expected.includes('fichier de configuration')) expect(problems[0]).toContain(file);
  });

  it('policy: an unknown mode is refused with the core\'s message, naming policy and the possible values', () => {
    const dir = cwd();
    const file = writeConfig(dir, { policy: { ...DEFAULT_POLICY, healthDataToNonMssante: 'parfois' } });
    const problems = problemsOf({ file, env: {}, cwd: dir });
    expect(problems.length).toBeGreaterThanOrEqual(1);
    for (const p of problems) {
      expect(p).toMatch(/^policy : /);
      expect(p).toContain('Corrigez policy dans le fichier de configuration');
      expect(p).toContain('off, warn, block');
    }
    expect(problems.join('\n')).toContain('healthDataToNonMssante');
  });

  it('lists EVERY problem at once, not only the first', () => {
    const dir = cwd();
    const file = writeConfig(dir, { server: { port: -1 }, store: { type: 'postgres' }, internalDomains: ['x'] });
    const problems = problemsOf({ file, env: { MSS_LOG_LEVEL: 'bavard', MSS_HOST: 'a b' }, cwd: dir });
    expect(problems.map((p) => p.split(' : ')[0])).toEqual(['server.host', 'server.port', 'store.type', 'internalDomains[0]', 'log.level']);
    const err = (() => {
      try {
        loadConfig({ file, env: {}, cwd: dir });
      } catch (e) {
        return e as ConfigError;
      }
      throw new Error('expected a ConfigError');
    })();
    expect(err.code).toBe('CONFIG_INVALID');
    expect(err.message.startsWith('Configuration invalide :\n  - ')).toBe(true);
  });

  it('a missing configuration file', () => {
    const dir = cwd();
    expect(problemsOf({ env: { MSS_CONFIG: 'absent.json' }, cwd: dir })).toEqual([
      `Fichier de configuration introuvable ou illisible : « ${join(dir, 'absent.json')} ». Corrigez la variable d'environnement MSS_CONFIG ou créez ce fichier (JSON).`,
    ]);
    expect(problemsOf({ file: 'absent.json', env: {}, cwd: dir })[0]).toContain("Corrigez l'option --config");
  });

  it('a configuration file that is not JSON, or not an object', () => {
    const dir = cwd();
    expect(problemsOf({ file: writeConfig(dir, '{ "server": '), env: {}, cwd: dir })[0]).toMatch(/: JSON invalide \(.*\)\. Corrigez la syntaxe du fichier\.$/);
    expect(problemsOf({ file: writeConfig(dir, '[1, 2]'), env: {}, cwd: dir })[0]).toContain('doit contenir un objet JSON { ... } (reçu « [1,2] »)');
  });

  it('an unreadable TLS key is reported with its setting', () => {
    if (process.getuid?.() === 0) {
      // root reads any file whatever its mode: use a folder instead of a file
      const dir = cwd();
      const problems = problemsOf({ env: { MSS_TLS_CERT: __filename, MSS_TLS_KEY: dir }, cwd: dir });
      expect(problems).toEqual([expect.stringContaining(`server.tls.keyFile : « ${dir} » n'est pas un fichier`)]);
    } else {
      const dir = cwd();
      const key = join(dir, 'k.pem');
      writeFileSync(key, 'x');
      chmodSync(key, 0o000);
      const problems = problemsOf({ env: { MSS_TLS_CERT: __filename, MSS_TLS_KEY: key }, cwd: dir });
      expect(problems).toEqual([expect.stringContaining('server.tls.keyFile : fichier introuvable ou illisible')]);
    }
  });
});

describe('CONFIG_REFERENCE', () => {
  it('documents every setting with a default and every MSS_* variable the loader reads', () => {
    const keys = CONFIG_REFERENCE.map((e) => e.key);
    for (const k of ['server.host', 'server.port', 'server.publicUrl', 'server.tls.certFile', 'server.tls.keyFile', 'dataDir', 'store.type', 'store.sqlitePath', 'trustSpace.listeBlanchePath', 'gateways', 'internalDomains', 'policy', 'directory.extractionPath', 'harness.enabled', 'addin.staticDir', 'log.level']) {
      expect(keys).toContain(k);
    }
    // every MSS_* variable named in the loader's source is documented, and every documented one is read there
    const source = readFileSync(join(REPO_ROOT, 'src', 'connector', 'config.ts'), 'utf8');
    const read = [...new Set([...source.matchAll(/'(MSS_[A-Z0-9_]+)'/g)].map((m) => m[1]))].sort();
    expect(read.length).toBeGreaterThan(30);
    expect(CONFIG_REFERENCE.map((e) => e.env).filter(Boolean).sort()).toEqual(read);
    for (const e of CONFIG_REFERENCE) {
      expect(e.default.length).toBeGreaterThan(0);
      expect(e.description.length).toBeGreaterThan(0);
    }
    expect(CONFIG_REFERENCE.find((e) => e.key === 'gateways')?.default).toContain('démonstration');
    expect(CONFIG_REFERENCE.find((e) => e.key === 'internalDomains')?.default).toContain('démonstration');
  });

  it('renders as a Markdown table for the README', () => {
    const md = configReferenceMarkdown();
    expect(md.split('\n')).toHaveLength(CONFIG_REFERENCE.length + 2);
    expect(md).toContain('| `server.port` | `MSS_PORT` | entier 1–65535 | 3000 |');
  });
});
