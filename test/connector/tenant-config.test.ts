// Runtime: Node (jest). The structure configuration reloaded without restart (src/connector/tenant-config.ts): a real
// configuration file in a temp folder, the real loaders (liste blanche, sample directory + mapping CSV), the app over
// inject() with Entra tokens signed by a local key set (the tenant's JWKS cannot be reached here). A new policy,
// sender list, gateways, internal domains, admins and mapping apply at once; an invalid file keeps the configuration
// in service and names every invalid setting with its fix; restart-only settings are reported, not applied. Then the
// triggers: the file watcher, and SIGHUP on the real compiled connector (build/, compiled by test/global-setup.js).
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { get as httpsGet } from 'node:https';
import { createServer } from 'node:net';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { exportJWK, generateKeyPair, SignJWT, type JSONWebKeySet } from 'jose';
import { buildApp } from '../../src/connector/app';
import { createEntraVerifier } from '../../src/connector/auth';
import { loadConfig, type LoadConfigOptions } from '../../src/connector/config';
import { loadDirectory, loadTrustSpace } from '../../src/connector/resources';
import { startConnector } from '../../src/connector/server';
import { openSqliteStore, type Store } from '../../src/connector/store';
import { createTenantConfig, describeReload, watchConfigFile, type ReloadReport, type TenantConfig } from '../../src/connector/tenant-config';
import { REPO_ROOT } from '../helpers/connector';
import { makeTempDir, removeTempDirs } from '../helpers/tmp';
import { makePki } from '../transport/helpers/pki';

const TENANT = '72f988bf-86f1-41af-91ab-2d7cd011db47';
const AUDIENCE = 'api://mss.exemple.fr/5f0c1b2a';
const BOX_ALICE = 'secretariat.cardio@medecin.mssante.fr';
const BOX_BOB = 'accueil.ehpad@pro.mssante.fr';
const LB_TRUNCATED = join(REPO_ROOT, 'test', 'fixtures', 'listeblanche', 'listeblanchemssante.xml');

let key: CryptoKey;
let jwks: JSONWebKeySet;

async function token(oid: string, username: string): Promise<string> {
  return new SignJWT({ tid: TENANT, oid, preferred_username: username })
    .setProtectedHeader({ alg: 'RS256', kid: 'k1' })
    .setIssuer(`https://login.microsoftonline.com/${TENANT}/v2.0`)
    .setAudience(AUDIENCE)
    .setIssuedAt()
    .setExpirationTime(Math.floor(Date.now() / 1000) + 3600)
    .sign(key);
}

type FileObject = Record<string, unknown>;

/** GET over HTTPS to the spawned connector: its development certificate is self-signed (test only: not verified). */
function getJson(url: string): Promise<{ policy: Record<string, string> }> {
  return new Promise((resolve, reject) => {
    httpsGet(url, { rejectUnauthorized: false }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString('utf8')));
      res.on('end', () => resolve(JSON.parse(body) as { policy: Record<string, string> }));
    }).on('error', reject);
  });
}

/** The structure file of the tests (JSON written to disk, relative paths resolved against its folder). */
function baseFile(): FileObject {
  return {
    entra: { tenantId: TENANT, audience: AUDIENCE },
    senders: [{ user: 'alice@hopital.fr', mailboxes: [BOX_ALICE] }],
    admin: { users: ['oid-admin'] },
    policy: { healthDataToNonMssante: 'warn', gatewayRecipient: 'warn' },
    gateways: [{ id: 'dsp-paris', domain: 'dsp.paris', localTemplate: '{local}={domain}' }],
    internalDomains: ['m2a.paris'],
    directory: { mappingCsvPath: 'correspondance.csv' },
    outbound: { productReference: 'DEV935997' },
  };
}

interface World {
  dir: string;
  file: string;
  load: LoadConfigOptions;
  tenant: TenantConfig;
  app: FastifyInstance;
  store: Store;
  write(o: FileObject | string): void;
  close(): Promise<void>;
}

async function world(): Promise<World> {
  const dir = makeTempDir('mss-tenant-');
  const file = join(dir, 'mss-outlook.json');
  const write = (o: FileObject | string) => writeFileSync(file, typeof o === 'string' ? o : JSON.stringify(o, null, 2));
  writeFileSync(join(dir, 'correspondance.csv'), 'adresse ordinaire;adresse MSSanté\nsecretariat@clinique-exemple.fr;sophie.martin@medecin.mssante.fr\n');
  write(baseFile());
  const load: LoadConfigOptions = { file, env: { MSS_DATA_DIR: join(dir, 'data') }, cwd: dir };
  const config = loadConfig(load);
  const trust = loadTrustSpace(config);
  const directory = (await loadDirectory(config)).directory;
  const tenant = createTenantConfig({ initial: { config, trustSpace: trust.trustSpace, directory }, load });
  const store = openSqliteStore(config.store.sqlitePath);
  const app = buildApp({ config, store, trustSpace: trust.trustSpace, directory, tenant, logger: false, verifyEntra: createEntraVerifier({ tenantId: TENANT, audience: AUDIENCE, jwks }) });
  await app.ready();
  return {
    dir,
    file,
    load,
    tenant,
    app,
    store,
    write,
    async close() {
      tenant.close();
      directory.close();
      await app.close();
      await store.close();
    },
  };
}

const message = (from: string) => ({
  from,
  to: ['dr.durand@medecin.mssante.fr'],
  subject: 'Compte rendu',
  text: 'Bonjour',
  workstationTime: `${new Date(Date.now() + 3_600_000).toISOString().slice(0, 19)}+01:00`,
});

beforeAll(async () => {
  const pair = await generateKeyPair('RS256');
  key = pair.privateKey;
  jwks = { keys: [{ ...(await exportJWK(pair.publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' }] };
});
afterAll(() => removeTempDirs());

describe('a valid file applies without restart', () => {
  let w: World;
  beforeAll(async () => {
    w = await world();
  });
  afterAll(async () => w.close());

  test('policy, gateways, internal domains, senders and admins: the routes see the new values at once', async () => {
    const bob = await token('oid-bob', 'bob@ehpad.fr');
    const policyBefore = (await w.app.inject({ method: 'GET', url: '/api/policy' })).json();
    expect(policyBefore.policy).toMatchObject({ healthDataToNonMssante: 'warn', gatewayRecipient: 'warn' });
    expect(policyBefore.gateways.map((g: { id: string }) => g.id)).toEqual(['dsp-paris']);
    const refused = await w.app.inject({ method: 'POST', url: '/api/messages', payload: message(BOX_BOB), headers: { authorization: `Bearer ${bob}`, 'idempotency-key': 'k-bob-1' } });
    expect(refused.json().error.code).toBe('SENDER_NOT_ALLOWED');
    const classifyBefore = (await w.app.inject({ method: 'POST', url: '/api/recipients/classify', payload: { addresses: ['jean.dupont=medecin.mssante.fr@passerelle.ghu.fr', 'accueil@ehpad-exemple.fr'] } })).json();
    expect(classifyBefore.results.map((r: { kind: string }) => r.kind)).toEqual(['external', 'external']);

    w.write({
      ...baseFile(),
      policy: { healthDataToNonMssante: 'block', gatewayRecipient: 'off' },
      senders: [
        { user: 'alice@hopital.fr', mailboxes: [BOX_ALICE] },
        { user: 'bob@ehpad.fr', mailboxes: [BOX_BOB] },
      ],
      gateways: [
        { id: 'dsp-paris', domain: 'dsp.paris', localTemplate: '{local}={domain}' },
        { id: 'ghu', label: 'Passerelle du GHU', domain: 'passerelle.ghu.fr', localTemplate: '{local}={domain}' },
      ],
      internalDomains: ['m2a.paris', 'ehpad-exemple.fr'],
    });
    const report = await w.tenant.reload('manual');
    expect(report).toMatchObject({ applied: true, errors: [], restartRequired: [], version: 2 });
    expect(report.changed).toEqual(expect.arrayContaining(['policy.healthDataToNonMssante', 'policy.gatewayRecipient', 'senders', 'gateways', 'internalDomains']));

    const policyAfter = (await w.app.inject({ method: 'GET', url: '/api/policy' })).json();
    expect(policyAfter.policy).toMatchObject({ healthDataToNonMssante: 'block', gatewayRecipient: 'off' });
    expect(policyAfter.gateways).toContainEqual({ id: 'ghu', label: 'Passerelle du GHU', domain: 'passerelle.ghu.fr', localTemplate: '{local}={domain}' });
    expect(policyAfter.internalDomains).toEqual(['m2a.paris', 'ehpad-exemple.fr']);
    const accepted = await w.app.inject({ method: 'POST', url: '/api/messages', payload: message(BOX_BOB), headers: { authorization: `Bearer ${bob}`, 'idempotency-key': 'k-bob-2' } });
    expect(accepted.statusCode).toBe(202);
    const classifyAfter = (await w.app.inject({ method: 'POST', url: '/api/recipients/classify', payload: { addresses: ['jean.dupont=medecin.mssante.fr@passerelle.ghu.fr', 'accueil@ehpad-exemple.fr'] } })).json();
    expect(classifyAfter.results.map((r: { kind: string }) => r.kind)).toEqual(['gateway', 'internal']);
    expect(classifyAfter.results[0].decodedAddress).toBe('jean.dupont@medecin.mssante.fr');
  });

  test('admin.users: the admin API follows the reloaded list; POST /api/admin/config/reload answers with the report', async () => {
    const admin = await token('oid-admin', 'admin@hopital.fr');
    const newAdmin = await token('oid-admin-2', 'cadre@hopital.fr');
    expect((await w.app.inject({ method: 'GET', url: '/api/admin/traces', headers: { authorization: `Bearer ${newAdmin}` } })).json().error.code).toBe('ADMIN_FORBIDDEN');
    w.write({ ...baseFile(), admin: { users: ['cadre@hopital.fr'] } });
    const r = await w.app.inject({ method: 'POST', url: '/api/admin/config/reload', headers: { authorization: `Bearer ${admin}` } });
    expect(r.statusCode).toBe(200);
    expect(r.json()).toMatchObject({ applied: true, version: w.tenant.current().version, restartRequired: [], warnings: [] });
    expect(r.json().changed).toContain('admin.users');
    expect((await w.app.inject({ method: 'GET', url: '/api/admin/traces', headers: { authorization: `Bearer ${admin}` } })).json().error.code).toBe('ADMIN_FORBIDDEN');
    expect((await w.app.inject({ method: 'GET', url: '/api/admin/traces', headers: { authorization: `Bearer ${newAdmin}` } })).statusCode).toBe(200);
    // the reload is audited: ids and counts only
    const audit = await w.store.recentAudit(5);
    expect(audit.find((a) => a.action === 'config_reload')).toMatchObject({ actor: 'admin', outcome: 'ok' });
  });

  test('the mapping CSV is re-read when it changes: "vous vouliez dire" proposes the new correspondence', async () => {
    const ask = async () => (await w.app.inject({ method: 'POST', url: '/api/directory/suggest', payload: { address: 'accueil@residence-exemple.fr' } })).json();
    expect((await ask()).candidates.some((c: { evidence: { code: string }[] }) => c.evidence.some((e) => e.code === 'MAPPING_TABLE'))).toBe(false);
    writeFileSync(join(w.dir, 'correspondance.csv'), 'adresse ordinaire;adresse MSSanté\nsecretariat@clinique-exemple.fr;sophie.martin@medecin.mssante.fr\naccueil@residence-exemple.fr;jean-marie.dupont@infirmier.mssante.fr\n');
    const report = await w.tenant.reload('manual');
    expect(report.applied).toBe(true);
    const after = await ask();
    expect(after.candidates[0]).toMatchObject({ address: 'jean-marie.dupont@infirmier.mssante.fr', evidence: [expect.objectContaining({ code: 'MAPPING_TABLE' })] });
  });

  test('outbound endpoints: applied, and listeners (the outbound worker of server.ts) get the new and previous state', async () => {
    const seen: Array<[string | undefined, string | undefined]> = [];
    const off = w.tenant.onChange((next, prev) => void seen.push([next.config.outbound.productReference, prev.config.outbound.productReference]));
    w.write({ ...baseFile(), admin: { users: ['cadre@hopital.fr'] }, outbound: { productReference: 'DEV000001', smtpPort: 2587 } });
    const report = await w.tenant.reload('manual');
    off();
    expect(report.changed).toEqual(expect.arrayContaining(['outbound.productReference', 'outbound.smtpPort']));
    expect(seen).toEqual([['DEV000001', 'DEV935997']]);
    expect(w.tenant.current().config.outbound).toMatchObject({ productReference: 'DEV000001', smtpPort: 2587 });
  });

  test('restart-only settings are reported "redémarrage nécessaire" and keep their running value; the rest applies', async () => {
    const before = w.tenant.current().config;
    w.write({ ...baseFile(), admin: { users: ['cadre@hopital.fr'] }, server: { port: 8443, host: '0.0.0.0' }, log: { level: 'debug' }, harness: { enabled: false }, traces: { retentionDays: 365 }, policy: { healthDataToNonMssante: 'block' } });
    const report = await w.tenant.reload('manual');
    expect(report.applied).toBe(true);
    expect(report.restartRequired.map((l) => l.split(' : ')[0])).toEqual(['harness.enabled', 'log.level', 'server.host', 'server.port', 'server.publicUrl', 'traces.retentionDays']);
    for (const line of report.restartRequired) expect(line).toMatch(/redémarrage nécessaire/);
    const now = w.tenant.current().config;
    expect(now.server).toEqual(before.server);
    expect(now.log).toEqual(before.log);
    expect(now.harness).toEqual(before.harness);
    expect(now.traces).toEqual(before.traces);
    expect(now.policy.healthDataToNonMssante).toBe('block');
    expect(describeReload(report)).toMatch(/^Configuration rechargée \(appel direct, version \d+\) : appliqué : .*policy/);
  });
});

/** Each case: what to change in the file, the setting named first in the message, and what the fix must say. */
const INVALID: ReadonlyArray<[string, (o: FileObject) => FileObject | string, RegExp]> = [
  ['policy: unknown mode', (o) => ({ ...o, policy: { healthDataToNonMssante: 'bloquer' } }), /^policy : .*healthDataToNonMssante.*Corrigez policy dans le fichier de configuration .* Valeurs possibles de chaque situation : off, warn, block\.$/],
  ['gateways: not a list', (o) => ({ ...o, gateways: 'dsp.paris' }), /^gateways : doit être une liste .*Corrigez gateways dans le fichier de configuration/],
  ['gateways[0].domain', (o) => ({ ...o, gateways: [{ id: 'x', domain: 'pas un domaine' }] }), /^gateways\[0\]\.domain : doit être un nom de domaine valide .*Corrigez gateways\[0\]\.domain dans le fichier/],
  ['gateways[0].localTemplate', (o) => ({ ...o, gateways: [{ id: 'x', domain: 'dsp.paris', localTemplate: '{local}' }] }), /^gateways\[0\]\.localTemplate : doit contenir exactement une fois \{local\} et une fois \{domain\}/],
  ['internalDomains[0]', (o) => ({ ...o, internalDomains: ['m2a paris'] }), /^internalDomains\[0\] : doit être un nom de domaine valide \(ex\. « m2a\.paris »\) \(reçu « m2a paris »\)\. Corrigez internalDomains\[0\]/],
  ['senders: not a list', (o) => ({ ...o, senders: 'alice@hopital.fr' }), /^senders : doit être une liste de \{ "user": "\.\.\.", "mailboxes"/],
  ['senders[0]: no mailbox', (o) => ({ ...o, senders: [{ user: 'alice@hopital.fr', mailboxes: [] }] }), /^senders\[0\] : doit être \{ "user": .*au moins une BAL.*Corrigez senders\[0\]/],
  ['admin.users', (o) => ({ ...o, admin: { users: 'admin@hopital.fr' } }), /^admin\.users : doit être une liste d'oid ou de preferred_username Entra.*Corrigez admin\.users/],
  ['directory.extractionPath', (o) => ({ ...o, directory: { extractionPath: 'Extraction_absente.txt' } }), /^directory\.extractionPath : fichier introuvable ou illisible .*Ou retirez ce réglage pour utiliser l'annuaire d'exemple intégré\.$/],
  ['directory.url', (o) => ({ ...o, directory: { url: 'ftp://annuaire.exemple.fr/extraction.zip' } }), /^directory\.url : doit être une URL http:\/\/ ou https:\/\/ sans identifiants.*Corrigez directory\.url/],
  ['directory.sha256', (o) => ({ ...o, directory: { url: 'https://annuaire.exemple.fr/x.zip', sha256: 'abc' } }), /^directory\.sha256 : doit être une empreinte SHA-256 \(64 chiffres hexadécimaux\)/],
  ['directory.refreshTime', (o) => ({ ...o, directory: { refreshTime: '25:00' } }), /^directory\.refreshTime : doit être une heure « HH:MM » .* ou « off »/],
  ['directory.mappingCsvPath', (o) => ({ ...o, directory: { mappingCsvPath: 'absente.csv' } }), /^directory\.mappingCsvPath : fichier introuvable ou illisible .*Ou retirez ce réglage\.$/],
  ['directory.snapshotDir', (o) => ({ ...o, directory: { snapshotDir: '' } }), /^directory\.snapshotDir : doit être un chemin de fichier ou de dossier/],
  ['directory.fhir.baseUrl', (o) => ({ ...o, directory: { fhir: { baseUrl: 'annuaire' } } }), /^directory\.fhir\.baseUrl : doit être une URL/],
  ['directory.fhir.cacheTtlSeconds', (o) => ({ ...o, directory: { fhir: { cacheTtlSeconds: -1 } } }), /^directory\.fhir\.cacheTtlSeconds : doit être un nombre entier de secondes entre 0 et 2592000/],
  ['directory.fhir.apiKey in the file', (o) => ({ ...o, directory: { fhir: { apiKey: 'cle-secrete-123' } } }), /directory\.fhir\.apiKey.*variable d'environnement MSS_FHIR_API_KEY/],
  ['outbound.smtpHost', (o) => ({ ...o, outbound: { smtpHost: 'smtp exemple' } }), /^outbound\.smtpHost : doit être le nom d'hôte du serveur SMTP de l'opérateur/],
  ['outbound.trustAnchorsPath required', (o) => ({ ...o, outbound: { smtpHost: 'smtp.operateur.example' } }), /^outbound\.trustAnchorsPath : obligatoire avec outbound\.smtpHost .*Donnez le fichier PEM/],
  ['outbound.trustAnchorsPath missing', (o) => ({ ...o, outbound: { trustAnchorsPath: 'igc-sante.pem' } }), /^outbound\.trustAnchorsPath : fichier introuvable ou illisible .*Téléchargez les autorités IGC-Santé/],
  ['outbound.smtpPort', (o) => ({ ...o, outbound: { smtpPort: 0 } }), /^outbound\.smtpPort : doit être un entier entre 1 et 65535 \(reçu « 0 »\)/],
  ['outbound.smtpServername', (o) => ({ ...o, outbound: { smtpServername: 'smtp exemple' } }), /^outbound\.smtpServername : doit être un nom d'hôte/],
  ['outbound.concurrency', (o) => ({ ...o, outbound: { concurrency: 100 } }), /^outbound\.concurrency : doit être un entier entre 1 et 64/],
  ['outbound.leaseSeconds', (o) => ({ ...o, outbound: { leaseSeconds: 10 } }), /^outbound\.leaseSeconds : doit être un entier entre 15 et 86400/],
  ['outbound.reconcileSeconds', (o) => ({ ...o, outbound: { reconcileSeconds: -1 } }), /^outbound\.reconcileSeconds : doit être un entier entre 0 et 86400/],
  ['outbound.retryBaseSeconds', (o) => ({ ...o, outbound: { retryBaseSeconds: 0 } }), /^outbound\.retryBaseSeconds : doit être un entier entre 1 et/],
  ['outbound.retryMaxSeconds', (o) => ({ ...o, outbound: { retryMaxSeconds: '1h' } }), /^outbound\.retryMaxSeconds : doit être un entier/],
  ['outbound.maxAttempts', (o) => ({ ...o, outbound: { maxAttempts: 101 } }), /^outbound\.maxAttempts : doit être un entier entre 1 et 100/],
  ['outbound.productReference', (o) => ({ ...o, outbound: { productReference: 'réf produit' } }), /^outbound\.productReference : doit être la référence produit attribuée sur convergence\.esante\.gouv\.fr/],
  ['trustSpace.listeBlanchePath missing', (o) => ({ ...o, trustSpace: { listeBlanchePath: 'absente.xml' } }), /^trustSpace\.listeBlanchePath : fichier introuvable ou illisible .*Ou retirez ce réglage pour utiliser la liste blanche intégrée\.$/],
  ['trustSpace.listeBlanchePath truncated (real ANS copy)', (o) => ({ ...o, trustSpace: { listeBlanchePath: LB_TRUNCATED } }), /^trustSpace\.listeBlanchePath : « .* » n'est pas une liste blanche MSSanté utilisable .*Téléchargez de nouveau listeblanchemssante\.xml/],
  ['unknown setting', (o) => ({ ...o, politique: {} }), /^politique : réglage inconnu\. Supprimez-le ou corrigez son nom/],
  ['invalid JSON', (o) => JSON.stringify(o).slice(0, -2), /^Fichier de configuration « .* » : JSON invalide .*Corrigez la syntaxe du fichier\.$/],
];

describe('an invalid file keeps the configuration in service', () => {
  let w: World;
  let admin: string;
  beforeAll(async () => {
    w = await world();
    admin = await token('oid-admin', 'admin@hopital.fr');
  });
  afterAll(async () => w.close());

  test.each(INVALID)('%s', async (_name, mutate, expected) => {
    const before = w.tenant.current();
    const policyBefore = (await w.app.inject({ method: 'GET', url: '/api/policy' })).json();
    // the valid part of the same file (a new policy) must not be applied either
    w.write(mutate({ ...baseFile(), policy: { healthDataToNonMssante: 'off' } }));
    const report: ReloadReport = await w.tenant.reload('manual');
    expect(report.applied).toBe(false);
    expect(report.errors.some((e) => expected.test(e))).toBe(true);
    expect(report.version).toBe(before.version);
    expect(w.tenant.current()).toBe(before);
    expect((await w.app.inject({ method: 'GET', url: '/api/policy' })).json()).toEqual(policyBefore);
    // no secret echoed
    for (const e of report.errors) expect(e).not.toContain('cle-secrete-123');
    expect(describeReload(report)).toMatch(/^Configuration NON rechargée \(appel direct\) : la configuration précédente reste en service\.\n {2}- /);
  });

  test('several invalid settings at once: every one is reported; the admin API answers 422 CONFIG_RELOAD_FAILED with them', async () => {
    w.write({ ...baseFile(), policy: { mixedRecipients: 'peut-être' }, internalDomains: ['a b'], outbound: { smtpPort: 99999 }, senders: [{ user: 'x' }] });
    const r = await w.app.inject({ method: 'POST', url: '/api/admin/config/reload', headers: { authorization: `Bearer ${admin}` } });
    expect(r.statusCode).toBe(422);
    const body = r.json();
    expect(body.error).toMatchObject({ code: 'CONFIG_RELOAD_FAILED', message: expect.stringContaining('la configuration précédente reste en service') });
    const problems: string[] = body.error.details.problems;
    for (const k of ['policy', 'internalDomains[0]', 'outbound.smtpPort', 'senders[0]']) expect(problems.some((p) => p.startsWith(`${k} : `))).toBe(true);
    expect(w.tenant.lastReload()).toMatchObject({ applied: false, trigger: 'api' });
    // fixed file: applied again
    w.write(baseFile());
    expect((await w.tenant.reload('manual')).applied).toBe(true);
  });

  test('a holder without a source to re-read says so (and never throws)', async () => {
    const t = createTenantConfig({ initial: { config: w.tenant.current().config, trustSpace: w.tenant.current().trustSpace, directory: w.tenant.current().directory } });
    const report = await t.reload();
    expect(report).toMatchObject({ applied: false, errors: [expect.stringMatching(/^Rechargement impossible : .*Redémarrez-le/)] });
  });
});

describe('directory sources', () => {
  const SAMPLE = join(REPO_ROOT, 'assets', 'directory', 'annuaire-exemple.txt');
  // one more mailbox, in the extraction's own format (a line of the sample with another address)
  const extra = (text: string) => `${text.replace(/\n?$/, '\n')}${text.split('\n')[1].replace(/^PER\|[^|]+/, 'PER|nouvelle.arrivee@medecin.mssante.fr')}\n`;
  const lookup = async (w: World) => (await w.app.inject({ method: 'POST', url: '/api/directory/lookup', payload: { addresses: ['nouvelle.arrivee@medecin.mssante.fr'] } })).json().results[0].found as boolean;
  const entries = async (w: World) => (await w.app.inject({ method: 'GET', url: '/api/health' })).json().directory.entries as number;

  test('a new extraction file: loaded before the swap, then served by the routes registered at start-up', async () => {
    const w = await world();
    try {
      expect(await entries(w)).toBe(14);
      expect(await lookup(w)).toBe(false);
      writeFileSync(join(w.dir, 'Extraction_Correspondance_MSSante.txt'), extra(readFileSync(SAMPLE, 'utf8')));
      w.write({ ...baseFile(), directory: { mappingCsvPath: 'correspondance.csv', extractionPath: 'Extraction_Correspondance_MSSante.txt', refreshTime: 'off' } });
      const report = await w.tenant.reload('manual');
      expect(report).toMatchObject({ applied: true, errors: [] });
      expect(report.changed).toEqual(['directory.extractionPath']);
      expect(await entries(w)).toBe(15);
      expect(await lookup(w)).toBe(true);
      const classified = (await w.app.inject({ method: 'POST', url: '/api/recipients/classify', payload: { addresses: ['nouvelle.arrivee@medecin.mssante.fr'] } })).json().results[0];
      expect(classified).toMatchObject({ kind: 'mssante', mailboxType: 'PER' });

      // the same setting, the file replaced on disk: the directory service's own refresh reads it again
      writeFileSync(join(w.dir, 'Extraction_Correspondance_MSSante.txt'), readFileSync(SAMPLE, 'utf8'));
      const again = await w.tenant.reload('manual');
      expect(again).toMatchObject({ applied: true, changed: [], warnings: [] });
      expect(await entries(w)).toBe(14);
      expect(await lookup(w)).toBe(false);
    } finally {
      await w.close();
    }
  });

  test('an extraction file that cannot be loaded refuses the reload; the directory in service stays', async () => {
    const w = await world();
    try {
      writeFileSync(join(w.dir, 'vide.txt'), 'pas une extraction\n');
      w.write({ ...baseFile(), directory: { extractionPath: 'vide.txt' }, policy: { healthDataToNonMssante: 'off' } });
      const report = await w.tenant.reload('manual');
      expect(report.applied).toBe(false);
      expect(report.errors[0]).toMatch(/^directory\.extractionPath : .*Corrigez le chemin \(MSS_DIRECTORY\) ou retirez le réglage/);
      expect(await entries(w)).toBe(14);
      expect((await w.app.inject({ method: 'GET', url: '/api/policy' })).json().policy.healthDataToNonMssante).toBe('warn');
    } finally {
      await w.close();
    }
  });
});

describe('startConnector: outbound.* rebuilds the outbound worker', () => {
  test('an operator added by a reload: the worker is built and the French line printed; removed again: "en attente"', async () => {
    const dir = makeTempDir('mss-tenant-start-');
    const file = join(dir, 'mss-outlook.json');
    writeFileSync(join(dir, 'igc-sante.pem'), makePki().anchors);
    writeFileSync(file, JSON.stringify({ policy: { mixedRecipients: 'warn' } }));
    const load: LoadConfigOptions = { file, env: { MSS_DATA_DIR: join(dir, 'data') }, cwd: dir };
    const base = loadConfig(load);
    const printed: string[] = [];
    const running = await startConnector({ config: { ...base, server: { ...base.server, host: '127.0.0.1', port: 0 } }, reload: load, logger: false, print: (l) => printed.push(l), watchDebounceMs: 60_000 });
    try {
      expect(printed).toContain('Envoi MSSanté : aucun serveur de l\'opérateur configuré (outbound.smtpHost) ; les messages restent « en attente ».');
      writeFileSync(file, JSON.stringify({ policy: { mixedRecipients: 'warn' }, outbound: { smtpHost: 'smtp.operateur.example', trustAnchorsPath: 'igc-sante.pem' } }));
      const report = await running.tenant.reload('manual');
      expect(report).toMatchObject({ applied: true, warnings: [] });
      expect(printed).toContain('Envoi MSSanté : relais vers smtp.operateur.example:587.');
      // (receipts.* defaults follow outbound.smtpHost: they change too)
      expect(printed.some((l) => /^Configuration rechargée \(appel direct, version 2\) : appliqué : .*outbound\.smtpHost, outbound\.trustAnchorsPath\b/.test(l))).toBe(true);
      writeFileSync(file, JSON.stringify({ policy: { mixedRecipients: 'warn' } }));
      await running.tenant.reload('manual');
      expect(printed.filter((l) => l.startsWith('Envoi MSSanté : aucun serveur'))).toHaveLength(2);
    } finally {
      await running.close();
    }
  });
});

describe('triggers', () => {
  test('the file watcher reloads after the file changes (debounced)', async () => {
    const w = await world();
    const stop = watchConfigFile(w.tenant, w.file, { debounceMs: 100 });
    try {
      w.write({ ...baseFile(), policy: { gatewayRecipient: 'block' } });
      const deadline = Date.now() + 10_000;
      while (w.tenant.lastReload() === undefined && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      expect(w.tenant.lastReload()).toMatchObject({ applied: true, trigger: 'file' });
      expect((await w.app.inject({ method: 'GET', url: '/api/policy' })).json().policy.gatewayRecipient).toBe('block');
    } finally {
      stop();
      await w.close();
    }
  });

  test('SIGHUP and the file watcher on the real compiled connector (node build/src/connector/server.js)', async () => {
    const server = join(REPO_ROOT, 'build', 'src', 'connector', 'server.js');
    expect(existsSync(server)).toBe(true);
    const dir = makeTempDir('mss-tenant-process-');
    const file = join(dir, 'mss-outlook.json');
    writeFileSync(file, JSON.stringify({ policy: { mixedRecipients: 'warn' }, internalDomains: ['m2a.paris'] }));
    const port = await new Promise<number>((resolve) => {
      const s = createServer().listen(0, '127.0.0.1', () => {
        const p = (s.address() as { port: number }).port;
        s.close(() => resolve(p));
      });
    });
    const child = spawn(process.execPath, [server], {
      cwd: dir,
      env: { PATH: process.env.PATH ?? '', MSS_CONFIG: file, MSS_HOST: '127.0.0.1', MSS_PORT: String(port), MSS_DATA_DIR: join(dir, 'data'), MSS_LOG_LEVEL: 'silent', MSS_HARNESS: 'false' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString('utf8')));
    child.stderr.on('data', (d: Buffer) => (out += d.toString('utf8')));
    const waitFor = async (re: RegExp) => {
      const deadline = Date.now() + 20_000;
      while (!re.test(out) && Date.now() < deadline && child.exitCode === null) await new Promise((r) => setTimeout(r, 50));
      if (!re.test(out)) throw new Error(`attendu ${re} ; sortie du connecteur :\n${out}`);
    };
    try {
      await waitFor(/prêt sur/);
      writeFileSync(file, JSON.stringify({ policy: { mixedRecipients: 'block' }, internalDomains: ['m2a.paris'] }));
      await waitFor(/Configuration rechargée \(modification du fichier, version 2\) : appliqué : policy\.mixedRecipients\./);
      expect((await getJson(`https://127.0.0.1:${port}/api/policy`)).policy.mixedRecipients).toBe('block');
      writeFileSync(file, JSON.stringify({ policy: { mixedRecipients: 'block' }, internalDomains: ['m2a.paris'], traces: { retentionDays: 30 } }));
      await waitFor(/version 3\) : aucun changement applicable\.\n {2}- traces\.retentionDays : modifié dans la configuration, redémarrage nécessaire/);
      writeFileSync(file, '{ "policy": ');
      await waitFor(/Configuration NON rechargée \(modification du fichier\) : la configuration précédente reste en service\.\n {2}- Fichier de configuration .* JSON invalide/);
      writeFileSync(file, JSON.stringify({ policy: { mixedRecipients: 'off' }, internalDomains: ['m2a.paris'] }));
      await waitFor(/version 4\) : appliqué : policy\.mixedRecipients/);
      expect((await getJson(`https://127.0.0.1:${port}/api/policy`)).policy.mixedRecipients).toBe('off');
      const marker = out.length;
      child.kill('SIGHUP');
      await waitFor(/Configuration rechargée \(signal SIGHUP, version 5\) : aucun changement applicable\./);
      expect(out.slice(marker)).not.toMatch(/arrêt/);
      expect(child.exitCode).toBeNull();
    } finally {
      child.kill('SIGTERM');
      await new Promise((r) => (child.exitCode !== null ? r(undefined) : child.once('exit', r)));
    }
  }, 60_000);
});
