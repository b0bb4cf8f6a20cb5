// Runtime: Node (jest). The administrators' status (src/connector/admin/status-routes.ts, status-page.ts) through
// app.inject() with Entra tokens signed by a local key set: authentication (same rules as the traces), the effective
// configuration with its origins (file / environment / default) and secrets masked, the directory and liste blanche
// figures, the queue depth and the last receipts from a real SQLite store, the last reload and its errors. The
// operator probe runs against smtp-server (npm) on 127.0.0.1 with STARTTLS and a throw-away IGC-Santé PKI
// (test/transport/helpers/pki.ts, openssl at test time): reachable, unknown CA, no CRL, no STARTTLS, port closed,
// and the one-minute cache.
import { once } from 'node:events';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { exportJWK, generateKeyPair, SignJWT, type JSONWebKeySet } from 'jose';
import { SMTPServer, type SMTPServerOptions } from 'smtp-server';
import { collectStatus, createOperatorProbe, isMaskedSetting } from '../../src/connector/admin';
import { buildApp } from '../../src/connector/app';
import { createEntraVerifier } from '../../src/connector/auth';
import { loadConfig, type Config, type LoadConfigOptions } from '../../src/connector/config';
import { loadDirectory, loadTrustSpace } from '../../src/connector/resources';
import { openSqliteStore, type Store } from '../../src/connector/store';
import { createTenantConfig, type TenantConfig } from '../../src/connector/tenant-config';
import { CrlStore, MSSANTE_TLS_CIPHERS } from '../../src/connector/transport';
import { LISTE_BLANCHE_2025 } from '../helpers/connector';
import { makeTempDir, removeTempDirs } from '../helpers/tmp';
import { makePki, type TestPki } from '../transport/helpers/pki';

const TENANT = '72f988bf-86f1-41af-91ab-2d7cd011db47';
const AUDIENCE = 'api://mss.exemple.fr/5f0c1b2a';
const PSC_SECRET = 'psc-secret-ne-pas-afficher';
const FHIR_KEY = 'fhir-cle-ne-pas-afficher';
const DAY = 86_400_000;

let key: CryptoKey;
let jwks: JSONWebKeySet;
let pki: TestPki;
const servers: SMTPServer[] = [];

async function token(oid: string): Promise<string> {
  return new SignJWT({ tid: TENANT, oid })
    .setProtectedHeader({ alg: 'RS256', kid: 'k1' })
    .setIssuer(`https://login.microsoftonline.com/${TENANT}/v2.0`)
    .setAudience(AUDIENCE)
    .setIssuedAt()
    .setExpirationTime(Math.floor(Date.now() / 1000) + 3600)
    .sign(key);
}

/** An operator stand-in: smtp-server with STARTTLS and the given certificate, counting connections. */
async function operator(extra: Partial<SMTPServerOptions> = {}): Promise<{ port: number; connections: () => number }> {
  let connections = 0;
  const s = new SMTPServer({
    key: pki.serverKey,
    cert: pki.serverChain,
    authOptional: true,
    logger: false,
    onConnect(_session, cb) {
      connections++;
      cb();
    },
    ...extra,
  });
  s.on('error', () => undefined);
  s.listen(0, '127.0.0.1');
  await once(s.server, 'listening');
  servers.push(s);
  return { port: (s.server.address() as AddressInfo).port, connections: () => connections };
}

async function closedPort(): Promise<number> {
  const srv = createServer();
  srv.listen(0, '127.0.0.1');
  await once(srv, 'listening');
  const port = (srv.address() as AddressInfo).port;
  await new Promise((r) => srv.close(r));
  return port;
}

interface World {
  dir: string;
  file: string;
  app: FastifyInstance;
  store: Store;
  tenant: TenantConfig;
  config: Config;
  write(o: Record<string, unknown>): void;
  close(): Promise<void>;
}

/** The connector with a structure file; `crl: true` puts valid IGC-Santé CRLs under <dataDir>/crl (as the worker keeps them). */
async function world(file: Record<string, unknown>, opts: { crl?: boolean; env?: Record<string, string> } = {}): Promise<World> {
  const dir = makeTempDir('mss-admin-status-');
  writeFileSync(join(dir, 'igc-sante.pem'), pki.anchors);
  const path = join(dir, 'mss-outlook.json');
  const write = (o: Record<string, unknown>) => writeFileSync(path, JSON.stringify(o, null, 2));
  write(file);
  const load: LoadConfigOptions = { file: path, env: { MSS_DATA_DIR: join(dir, 'data'), ...opts.env }, cwd: dir };
  const config = loadConfig(load);
  if (opts.crl) {
    mkdirSync(join(config.dataDir, 'crl'), { recursive: true });
    const crls = await CrlStore.create({ anchors: pki.anchors, dir: join(config.dataDir, 'crl') });
    for (const crl of [pki.rootCrl, pki.interCrl(new Date(Date.now() - 3_600_000), new Date(Date.now() + 7 * DAY))]) expect(await crls.add(crl)).toMatchObject({ accepted: true });
  }
  const trust = loadTrustSpace(config);
  const directory = (await loadDirectory(config)).directory;
  const tenant = createTenantConfig({ initial: { config, trustSpace: trust.trustSpace, directory }, load });
  const store = openSqliteStore(config.store.sqlitePath);
  const app = buildApp({ config, store, trustSpace: trust.trustSpace, directory, tenant, logger: false, verifyEntra: createEntraVerifier({ tenantId: TENANT, audience: AUDIENCE, jwks }) });
  await app.ready();
  return {
    dir,
    file: path,
    app,
    store,
    tenant,
    config,
    write,
    async close() {
      directory.close();
      await app.close();
      await store.close();
    },
  };
}

const BASE = {
  entra: { tenantId: TENANT, audience: AUDIENCE },
  admin: { users: ['oid-admin'] },
  policy: { healthDataToNonMssante: 'block' },
  psc: { issuer: 'https://auth.bas.psc.esante.gouv.fr/auth/realms/esante-wallet', clientId: 'mss-outlook-test' },
};

beforeAll(async () => {
  const pair = await generateKeyPair('RS256');
  key = pair.privateKey;
  jwks = { keys: [{ ...(await exportJWK(pair.publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' }] };
  pki = makePki();
});
afterAll(async () => {
  for (const s of servers) await new Promise((r) => s.close(() => r(undefined)));
  removeTempDirs();
});

describe('access: the traces page rules', () => {
  let w: World;
  beforeAll(async () => {
    w = await world({ ...BASE, trustSpace: { listeBlanchePath: LISTE_BLANCHE_2025() } });
  });
  afterAll(async () => w.close());

  test('no token: 401; a user who is not in admin.users: 403; the page itself carries no data', async () => {
    expect((await w.app.inject({ method: 'GET', url: '/api/admin/status' })).json()).toEqual({ error: { code: 'AUTH_REQUIRED', message: expect.stringContaining('Entra') } });
    const other = await token('oid-someone');
    expect((await w.app.inject({ method: 'GET', url: '/api/admin/status', headers: { authorization: `Bearer ${other}` } })).json().error.code).toBe('ADMIN_FORBIDDEN');
    expect((await w.app.inject({ method: 'GET', url: '/api/admin/status/view', headers: { authorization: `Bearer ${other}` } })).json().error.code).toBe('ADMIN_FORBIDDEN');
    expect((await w.app.inject({ method: 'POST', url: '/api/admin/config/reload', headers: { authorization: `Bearer ${other}` } })).json().error.code).toBe('ADMIN_FORBIDDEN');
    const page = await w.app.inject({ method: 'GET', url: '/admin/status.html' });
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(page.headers['cache-control']).toBe('no-store');
    expect(page.headers['content-security-policy']).toContain("default-src 'self'");
    expect(page.body).toContain('<html lang="fr">');
    expect(page.body).not.toContain('4 944');
  });

  test('no admin.users: page and API 404 ADMIN_DISABLED', async () => {
    const w2 = await world({ ...BASE, admin: { users: [] }, trustSpace: { listeBlanchePath: LISTE_BLANCHE_2025() } });
    try {
      const admin = await token('oid-admin');
      expect((await w2.app.inject({ method: 'GET', url: '/admin/status.html' })).json().error.code).toBe('ADMIN_DISABLED');
      expect((await w2.app.inject({ method: 'GET', url: '/api/admin/status', headers: { authorization: `Bearer ${admin}` } })).json().error.code).toBe('ADMIN_DISABLED');
    } finally {
      await w2.close();
    }
  });
});

describe('the status', () => {
  let w: World;
  let admin: string;
  let op: { port: number; connections: () => number };
  beforeAll(async () => {
    op = await operator();
    w = await world(
      {
        ...BASE,
        trustSpace: { listeBlanchePath: LISTE_BLANCHE_2025() },
        outbound: { smtpHost: '127.0.0.1', smtpPort: op.port, smtpServername: 'localhost', trustAnchorsPath: 'igc-sante.pem', productReference: 'DEV935997' },
      },
      { crl: true, env: { MSS_PSC_CLIENT_SECRET: PSC_SECRET, MSS_FHIR_API_KEY: FHIR_KEY } },
    );
    admin = await token('oid-admin');
  });
  afterAll(async () => w.close());
  const get = async (url: string) => w.app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${admin}` } });

  test('effective configuration: values, origins, reload mode; secrets masked and never sent', async () => {
    const r = await get('/api/admin/status');
    expect(r.statusCode).toBe(200);
    expect(r.headers['cache-control']).toBe('no-store');
    expect(r.body).not.toContain(PSC_SECRET);
    expect(r.body).not.toContain(FHIR_KEY);
    const s = r.json();
    const setting = (k: string) => s.configuration.settings.find((x: { key: string }) => x.key === k);
    expect(s.configuration).toMatchObject({ file: w.file, embedded: false, version: 1 });
    expect(setting('(fichier)')).toMatchObject({ value: w.file, source: 'cli' });
    expect(setting('policy')).toMatchObject({ source: 'file', reloadable: true });
    expect(JSON.parse(setting('policy').value)).toMatchObject({ healthDataToNonMssante: 'block' });
    expect(setting('outbound.smtpPort')).toMatchObject({ value: String(op.port), source: 'file', reloadable: true });
    expect(setting('dataDir')).toMatchObject({ value: join(w.dir, 'data'), source: 'env', env: 'MSS_DATA_DIR', reloadable: false });
    expect(setting('server.port')).toMatchObject({ value: '3000', source: 'default', reloadable: false });
    expect(setting('psc.clientSecret')).toMatchObject({ value: 'défini (masqué)', masked: true, source: 'env', env: 'MSS_PSC_CLIENT_SECRET' });
    expect(setting('directory.fhir.apiKey')).toMatchObject({ value: 'défini (masqué)', masked: true, source: 'env' });
    expect(setting('store.postgresUrl')).toMatchObject({ value: null, source: 'default' });
    // any setting named like a secret is masked too (settings other parts of the connector may add)
    expect(['store.postgresUrl', 'psc.clientSecret', 'directory.fhir.apiKey', 'x.p12Passphrase', 'y.password', 'z.accessToken'].every(isMaskedSetting)).toBe(true);
    expect(['outbound.smtpHost', 'server.tls.keyFile', 'psc.clientId', 'directory.url'].some(isMaskedSetting)).toBe(false);
    const view = await get('/api/admin/status/view');
    expect(view.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(view.body).not.toContain(PSC_SECRET);
    expect(view.body).not.toContain(FHIR_KEY);
    expect(view.body).toMatch(/<tr data-key="psc\.clientSecret"><th scope="row"><code>psc\.clientSecret<\/code><\/th><td><em>défini \(masqué\)<\/em><\/td><td>variable d'environnement <code>MSS_PSC_CLIENT_SECRET<\/code><\/td><td>au redémarrage<\/td><\/tr>/);
    expect(view.body).toMatch(/<tr data-key="policy"><th scope="row"><code>policy<\/code><\/th><td><code>\{&#34;healthDataToNonMssante&#34;:&#34;block&#34;/);
  });

  test('directory, liste blanche, queue depth, receipts: the figures of the real store and files', async () => {
    for (const [i, mailbox] of ['a@pro.mssante.fr', 'a@pro.mssante.fr', 'b@pro.mssante.fr'].entries()) {
      await w.store.enqueueOutbound({ id: `00000000-0000-4000-8000-00000000000${i}`, mailbox, authorId: 'oid-a', idempotencyKey: `k${i}`, requestHash: `h${i}`, messageId: `<m${i}@pro.mssante.fr>`, payload: '{}', recipientsCount: 1, now: Date.now() });
    }
    const s = (await get('/api/admin/status')).json();
    expect(s.directory).toMatchObject({ entries: 14, sourceKind: 'sample', loadedAt: null, ageSeconds: null });
    expect(s.trustSpace).toEqual({ domains: 4944, generatedAt: '2025-02-28T15:42:07Z', source: LISTE_BLANCHE_2025() });
    expect(s.queue.total).toBe(3);
    expect(s.queue.byStatus).toContainEqual({ status: 'queued', label: 'en attente', count: 3 });
    expect(s.queue.byStatus).toContainEqual({ status: 'failed', label: 'échec', count: 0 });
    expect(s.receipts).toEqual({ available: true, items: [], message: 'aucun accusé reçu' });
    const html = (await get('/api/admin/status/view')).body;
    expect(html).toContain('<strong data-testid="annuaire-taille">14</strong> adresses');
    expect(html).toContain('<strong data-testid="liste-blanche-taille">4 944</strong> domaines ; générée le <span data-testid="liste-blanche-date">28/02/2025 15:42:07 UTC</span>');
    expect(html).toContain('<strong data-testid="file-total">3</strong> messages : en attente <strong data-testid="file-queued">3</strong>');
    expect(s.queue.waiting).toEqual([]);
    expect(html).not.toContain('data-testid="file-attente"');
    expect(html).toContain('<p data-testid="accuses-vide">aucun accusé reçu</p>');

    // a receipt recorded by the poller's store method shows, without the recipient's address
    await w.store.recordReceipts('00000000-0000-4000-8000-000000000000', [
      { recipient: 'dr.x@medecin.mssante.fr', type: 'dsn', action: 'delivered', status: '2.0.0', state: 'delivered', explanation: 'Message remis au serveur de l\'opérateur du destinataire.', receiptKey: '<r1@op.mssante.fr>', receivedAt: Date.parse('2026-11-26T10:00:00Z') },
    ], Date.now());
    const s2 = (await get('/api/admin/status')).json();
    expect(s2.receipts.items).toEqual([
      { receivedAt: '2026-11-26T10:00:00.000Z', type: 'dsn', state: 'delivered', status: '2.0.0', outboundId: '00000000-0000-4000-8000-000000000000', mailbox: 'a@pro.mssante.fr', explanation: 'Message remis au serveur de l\'opérateur du destinataire.' },
    ]);
    const html2 = (await get('/api/admin/status/view')).body;
    expect(html2).toContain('<tr><td>26/11/2026 10:00:00 UTC</td><td>DSN</td><td>distribué</td><td>2.0.0</td><td>a@pro.mssante.fr</td>');
    expect(html2).not.toContain('dr.x@medecin.mssante.fr');
  });

  test('a store without listRecentReceipts (older store): "aucun accusé reçu"', async () => {
    const bare = new Proxy(w.store, { get: (t, p) => (p === 'listRecentReceipts' ? undefined : Reflect.get(t, p, t) as unknown) });
    const s = await collectStatus({ store: bare, tenant: w.tenant, probe: { status: async () => ({ configured: false, message: 'x' }) }, now: () => new Date(), receiptsLimit: 5 });
    expect(s.receipts).toEqual({ available: false, items: [], message: 'aucun accusé reçu' });
  });

  test('operator reachable: STARTTLS then TLS 1.2 with one of the four suites, IGC-Santé chain and CRLs checked', async () => {
    const s = (await get('/api/admin/status')).json();
    expect(s.operator).toMatchObject({ configured: true, host: '127.0.0.1', port: op.port, reachable: true, tls: { version: 'TLSv1.2' } });
    expect(MSSANTE_TLS_CIPHERS.split(':')).toContain(s.operator.tls.cipher);
    expect(s.operator.message).toMatch(/^Joignable : STARTTLS puis TLSv1\.2/);
    const html = (await get('/api/admin/status/view')).body;
    expect(html).toMatch(/<code>127\.0\.0\.1:\d+<\/code> : <span class="ok">joignable<\/span>/);
  });

  test('the last reload and its errors show; an applied reload shows what changed', async () => {
    w.write({ ...BASE, trustSpace: { listeBlanchePath: LISTE_BLANCHE_2025() }, internalDomains: ['pas un domaine'], outbound: { smtpHost: '127.0.0.1', smtpPort: op.port, smtpServername: 'localhost', trustAnchorsPath: 'igc-sante.pem', productReference: 'DEV935997' } });
    const refused = await w.app.inject({ method: 'POST', url: '/api/admin/config/reload', headers: { authorization: `Bearer ${admin}` } });
    expect(refused.statusCode).toBe(422);
    const s = (await get('/api/admin/status')).json();
    expect(s.lastReload).toMatchObject({ applied: false, trigger: 'api', triggerLabel: 'page d\'administration (API)', errors: [expect.stringMatching(/^internalDomains\[0\] : doit être un nom de domaine valide/)] });
    let html = (await get('/api/admin/status/view')).body;
    expect(html).toContain('<span class="ko">refusé : la configuration précédente reste en service</span>');
    expect(html).toMatch(/<ul data-testid="rechargement-erreurs"><li>internalDomains\[0\] : doit être un nom de domaine valide/);

    w.write({ ...BASE, trustSpace: { listeBlanchePath: LISTE_BLANCHE_2025() }, policy: { healthDataToNonMssante: 'warn' }, server: { port: 8443 }, outbound: { smtpHost: '127.0.0.1', smtpPort: op.port, smtpServername: 'localhost', trustAnchorsPath: 'igc-sante.pem', productReference: 'DEV935997' } });
    expect((await w.app.inject({ method: 'POST', url: '/api/admin/config/reload', headers: { authorization: `Bearer ${admin}` } })).statusCode).toBe(200);
    html = (await get('/api/admin/status/view')).body;
    expect(html).toContain('<strong data-testid="config-version">2</strong>');
    expect(html).toContain('réglages modifiés : <code>policy.healthDataToNonMssante</code>');
    // server.port and what derives from it (server.publicUrl, psc.redirectUri): none applied
    expect(html).toMatch(/<ul data-testid="rechargement-redemarrage">.*<li>server\.port : modifié dans la configuration, redémarrage nécessaire/);
    expect(html).toMatch(/<li>server\.publicUrl : modifié dans la configuration, redémarrage nécessaire/);
    const s2 = (await get('/api/admin/status')).json();
    expect(s2.configuration.settings.find((x: { key: string }) => x.key === 'server.port')).toMatchObject({ value: '3000' });
  });
});

describe('the status of a queue with waiting messages (a store of its own)', () => {
  let q: World;
  beforeAll(async () => {
    q = await world(BASE);
  });
  afterAll(async () => q.close());

    test('queue: why the waiting messages wait (an interrupted sending in verification, an author to sign in, a temporary error)', async () => {
      const waits = [
        { code: 'RECONCILING', message: 'Envoi interrompu…', uncertainSince: 1 },
        { code: 'RECONCILING', message: 'Envoi interrompu…', uncertainSince: 2 },
        { code: 'PSC_SESSION_REQUIRED', message: 'Connectez-vous…' },
        { code: 'SMTP_TEMPORARY', message: 'Plus tard.' },
      ];
      for (const [i, error] of waits.entries()) {
        const id = `00000000-0000-4000-8000-00000000010${i}`;
        await q.store.enqueueOutbound({ id, mailbox: 'a@pro.mssante.fr', authorId: 'oid-a', idempotencyKey: `w${i}`, requestHash: 'h', messageId: `<w${i}@pro.mssante.fr>`, payload: '{}', recipientsCount: 1, now: Date.now() });
        await q.store.claimOutbound({ workerId: 'w', now: Date.now(), leaseMs: 60_000, limit: 1 });
        await q.store.completeOutbound(id, 'w', { status: 'queued', nextAttemptAt: Date.now() + 60_000, error, now: Date.now() });
      }
      const s = (await q.app.inject({ method: 'GET', url: '/api/admin/status', headers: { authorization: `Bearer ${await token('oid-admin')}` } })).json();
      expect(s.queue.byStatus).toContainEqual({ status: 'queued', label: 'en attente', count: 4 });
      expect(s.queue.waiting).toEqual([
        { code: 'RECONCILING', label: "en vérification auprès de l'opérateur (envoi interrompu)", count: 2 },
        { code: 'PSC_SESSION_REQUIRED', label: "en attente de la connexion Pro Santé Connect de l'auteur", count: 1 },
        { code: 'SMTP_TEMPORARY', label: 'nouvel essai prévu (erreur temporaire)', count: 1 },
      ]);
      const html = (await q.app.inject({ method: 'GET', url: '/api/admin/status/view', headers: { authorization: `Bearer ${await token('oid-admin')}` } })).body;
      expect(html).toContain(
        '<span data-testid="file-attente">dont en vérification auprès de l&#39;opérateur (envoi interrompu) <strong data-testid="attente-RECONCILING">2</strong>, en attente de la connexion Pro Santé Connect de l&#39;auteur <strong data-testid="attente-PSC_SESSION_REQUIRED">1</strong>, nouvel essai prévu (erreur temporaire) <strong data-testid="attente-SMTP_TEMPORARY">1</strong></span>',
      );
    });
});

describe('operator probe failures (French reason) and the one-minute cache', () => {
  const configWith = async (outbound: Record<string, unknown>, crl = true): Promise<World> =>
    world({ ...BASE, trustSpace: { listeBlanchePath: LISTE_BLANCHE_2025() }, outbound: { trustAnchorsPath: 'igc-sante.pem', smtpServername: 'localhost', smtpHost: '127.0.0.1', ...outbound } }, { crl });

  test.each([
    ['a certificate from another CA → TLS_UNTRUSTED_CA', async () => ({ port: (await operator({ key: pki.otherKey, cert: pki.otherCert })).port, crl: true }), 'TLS_UNTRUSTED_CA', /n'est pas émis par l'IGC-Santé/],
    ['no CRL kept for the IGC-Santé CAs → TLS_CRL_UNAVAILABLE', async () => ({ port: (await operator()).port, crl: false }), 'TLS_CRL_UNAVAILABLE', /Aucune liste de révocation \(CRL\) valide/],
    ['no STARTTLS offered → STARTTLS_UNAVAILABLE', async () => ({ port: (await operator({ hideSTARTTLS: true })).port, crl: true }), 'STARTTLS_UNAVAILABLE', /ne propose pas STARTTLS : aucune donnée n'a été envoyée en clair/],
    ['nothing listening → CONNECTION_FAILED', async () => ({ port: await closedPort(), crl: true }), 'CONNECTION_FAILED', /injoignable\. Vérifiez l'adresse, le port et le réseau/],
  ] as const)('%s', async (_name, make, code, message) => {
    const { port, crl } = await make();
    const w = await configWith({ smtpPort: port }, crl);
    try {
      const s = (await w.app.inject({ method: 'GET', url: '/api/admin/status', headers: { authorization: `Bearer ${await token('oid-admin')}` } })).json();
      expect(s.operator).toMatchObject({ configured: true, reachable: false, code });
      expect(s.operator.message).toMatch(message);
      const html = (await w.app.inject({ method: 'GET', url: '/api/admin/status/view', headers: { authorization: `Bearer ${await token('oid-admin')}` } })).body;
      expect(html).toContain(`<span class="ko">injoignable</span> (<code>${code}</code>)`);
    } finally {
      await w.close();
    }
  });

  test('no operator configured: said in French, nothing probed', async () => {
    const probe = createOperatorProbe();
    const config = loadConfig({ env: {}, cwd: makeTempDir() });
    expect(await probe.status(config)).toEqual({ configured: false, message: expect.stringMatching(/^Aucun serveur de l'opérateur configuré \(outbound\.smtpHost\)/) });
  });

  test('cached for a minute: one connection for several calls, a new probe after 60 s', async () => {
    const op = await operator();
    const w = await configWith({ smtpPort: op.port });
    try {
      let t = Date.now();
      const probe = createOperatorProbe({ now: () => t });
      const a = await Promise.all([probe.status(w.config), probe.status(w.config)]);
      expect(a.map((x) => x.reachable)).toEqual([true, true]);
      expect((await probe.status(w.config)).cached).toBe(true);
      t += 59_000;
      expect((await probe.status(w.config)).cached).toBe(true);
      expect(op.connections()).toBe(1);
      t += 2_000;
      const fresh = await probe.status(w.config);
      expect(fresh.cached).toBeUndefined();
      expect(op.connections()).toBe(2);
    } finally {
      await w.close();
    }
  });
});
