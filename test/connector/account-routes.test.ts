// Runtime: Node (jest). GET /api/mailboxes and GET /api/auth/config through app.inject(), with the real liste blanche,
// the bundled sample directory (types and names of the mailboxes), a real SQLite store, and Entra tokens signed by a
// local key set (the tenant's JWKS cannot be reached here), as messages-api.test.ts does.
import type { FastifyInstance } from 'fastify';
import { exportJWK, generateKeyPair, SignJWT, type JSONWebKeySet } from 'jose';
import { AUTH_NOT_CONFIGURED_FR, senderType } from '../../src/connector/account-routes';
import { buildApp } from '../../src/connector/app';
import { createEntraVerifier } from '../../src/connector/auth';
import { loadConfig } from '../../src/connector/config';
import { openSqliteStore, type Store } from '../../src/connector/store';
import { buildTestApp, realTrustSpace2025, sampleDirectory, testConfig, type TestApp } from '../helpers/connector';
import { makeTempDir, removeTempDirs } from '../helpers/tmp';

const TENANT = '72f988bf-86f1-41af-91ab-2d7cd011db47';
const AUDIENCE = 'api://mss.exemple.fr/5f0c1b2a';
const ADDIN = '0d3c6a8e-5b1f-4a3e-9c7d-1e2f3a4b5c6d';
// from assets/directory/annuaire-exemple.txt
const PER_BOX = 'sophie.martin@medecin.mssante.fr';
const ORG_BOX = 'contact.ouest@m2a-ouest.mssante.fr';
const UNKNOWN_BOX = 'secretariat.cardio@hopital-exemple.mssante.fr';

let key: CryptoKey;
let jwks: JSONWebKeySet;
let app: FastifyInstance;
let store: Store;

async function token(claims: Record<string, unknown> = {}, opts: { aud?: string; exp?: number } = {}): Promise<string> {
  return new SignJWT({ tid: TENANT, oid: 'oid-alice', preferred_username: 'Alice@Hopital.fr', ...claims })
    .setProtectedHeader({ alg: 'RS256', kid: 'k1' })
    .setIssuer(`https://login.microsoftonline.com/${TENANT}/v2.0`)
    .setAudience(opts.aud ?? AUDIENCE)
    .setIssuedAt()
    .setExpirationTime(opts.exp ?? Math.floor(Date.now() / 1000) + 3600)
    .sign(key);
}

beforeAll(async () => {
  const pair = await generateKeyPair('RS256');
  key = pair.privateKey;
  jwks = { keys: [{ ...(await exportJWK(pair.publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' }] };
  const config = testConfig({
    senders: [
      { user: 'alice@hopital.fr', mailboxes: [PER_BOX, ORG_BOX] },
      { user: 'oid-alice', mailboxes: [UNKNOWN_BOX, PER_BOX] },
      { user: 'bob@hopital.fr', mailboxes: ['bob@medecin.mssante.fr'] },
    ],
    entra: { tenantId: TENANT, audience: AUDIENCE, addinClientId: ADDIN, dialogUrl: '/connexion.html' },
  });
  store = openSqliteStore(config.store.sqlitePath);
  app = buildApp({
    config,
    store,
    trustSpace: realTrustSpace2025(),
    directory: sampleDirectory(),
    logger: false,
    verifyEntra: createEntraVerifier({ tenantId: TENANT, audience: AUDIENCE, jwks }),
  });
  await app.ready();
});
afterAll(async () => {
  await app.close();
  await store.close();
  removeTempDirs();
});

describe('GET /api/mailboxes', () => {
  test('the mailboxes granted to this user (oid and preferred_username rules), typed and labelled from the directory, once each', async () => {
    const r = await app.inject({ method: 'GET', url: '/api/mailboxes', headers: { authorization: `Bearer ${await token()}` } });
    expect(r.statusCode).toBe(200);
    expect(r.headers['cache-control']).toBe('no-store');
    expect(r.json()).toEqual({
      mailboxes: [
        { address: PER_BOX, type: 'PER', label: 'Sophie MARTIN' },
        { address: ORG_BOX, type: 'ORG', label: 'Accueil (DISPOSITIFS SANTE PARIS OUEST)' },
        { address: UNKNOWN_BOX, type: 'PER' },
      ],
    });
  });

  test('a user the configuration does not name gets an empty list', async () => {
    const r = await app.inject({ method: 'GET', url: '/api/mailboxes', headers: { authorization: `Bearer ${await token({ oid: 'oid-carol', preferred_username: 'carol@hopital.fr' })}` } });
    expect(r.statusCode).toBe(200);
    expect(r.json()).toEqual({ mailboxes: [] });
  });

  test('no token: 401 AUTH_REQUIRED with the French explanation', async () => {
    const r = await app.inject({ method: 'GET', url: '/api/mailboxes' });
    expect(r.statusCode).toBe(401);
    expect(r.json()).toEqual({ error: { code: 'AUTH_REQUIRED', message: expect.stringContaining('Authentification requise') } });
  });

  test('a token for another audience: 401 AUTH_INVALID', async () => {
    const r = await app.inject({ method: 'GET', url: '/api/mailboxes', headers: { authorization: `Bearer ${await token({}, { aud: 'api://autre' })}` } });
    expect(r.statusCode).toBe(401);
    expect(r.json()).toEqual({ error: { code: 'AUTH_INVALID', message: expect.stringContaining('Jeton Microsoft Entra ID refusé') } });
  });

  test('an expired token: 401 AUTH_INVALID', async () => {
    const r = await app.inject({
      method: 'GET',
      url: '/api/mailboxes',
      headers: { authorization: `Bearer ${await token({}, { exp: Math.floor(Date.now() / 1000) - 3600 })}` },
    });
    expect(r.statusCode).toBe(401);
    expect(r.json().error.code).toBe('AUTH_INVALID');
  });
});

describe('GET /api/auth/config (public)', () => {
  test('configured: client id, default authority of the tenant, default scope of the API, dialog page', async () => {
    const r = await app.inject({ method: 'GET', url: '/api/auth/config' });
    expect(r.statusCode).toBe(200);
    expect(r.json()).toEqual({
      configured: true,
      clientId: ADDIN,
      authority: `https://login.microsoftonline.com/${TENANT}`,
      scopes: [`${AUDIENCE}/access_as_user`],
      dialogUrl: '/connexion.html',
    });
  });

  describe('without entra (embedded configuration)', () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await buildTestApp();
    });
    afterAll(async () => t.close());

    test('auth config: not configured, in French, and says what to do', async () => {
      const r = await t.app.inject({ method: 'GET', url: '/api/auth/config' });
      expect(r.statusCode).toBe(200);
      expect(r.json()).toEqual({ configured: false, message: AUTH_NOT_CONFIGURED_FR.noEntra });
      expect(r.json().message).toMatch(/entra\.tenantId.*administrateur/);
    });

    test('mailboxes: 503 SENDING_DISABLED (the same answer as POST /api/messages)', async () => {
      const r = await t.app.inject({ method: 'GET', url: '/api/mailboxes', headers: { authorization: 'Bearer abc.def.ghi' } });
      expect(r.statusCode).toBe(503);
      expect(r.json()).toEqual({ error: { code: 'SENDING_DISABLED', message: expect.stringContaining('pas configuré') } });
    });
  });

  test('entra without the add-in client id: not configured, naming entra.addinClientId', async () => {
    const t = await buildTestApp({ entra: { tenantId: TENANT, audience: AUDIENCE } });
    try {
      const r = await t.app.inject({ method: 'GET', url: '/api/auth/config' });
      expect(r.json()).toEqual({ configured: false, message: AUTH_NOT_CONFIGURED_FR.noClientId });
      expect(r.json().message).toContain('entra.addinClientId');
    } finally {
      await t.close();
    }
  });

  test('explicit authority and scope; a bare client id as audience gets the api:// prefix by default', async () => {
    const t = await buildTestApp({ entra: { tenantId: TENANT, audience: '5f0c1b2a-aaaa-4bbb-8ccc-123456789abc', addinClientId: ADDIN } });
    const u = await buildTestApp({ entra: { tenantId: TENANT, audience: AUDIENCE, addinClientId: ADDIN, authority: 'https://idp.test', scope: 'api://x/Messages.Send' } });
    try {
      expect((await t.app.inject({ method: 'GET', url: '/api/auth/config' })).json().scopes).toEqual(['api://5f0c1b2a-aaaa-4bbb-8ccc-123456789abc/access_as_user']);
      expect((await u.app.inject({ method: 'GET', url: '/api/auth/config' })).json()).toEqual({
        configured: true,
        clientId: ADDIN,
        authority: 'https://idp.test',
        scopes: ['api://x/Messages.Send'],
      });
    } finally {
      await t.close();
      await u.close();
    }
  });
});

describe('configuration of the sign-in settings (config.ts)', () => {
  const base = { MSS_ENTRA_TENANT_ID: TENANT, MSS_ENTRA_AUDIENCE: AUDIENCE };
  test('read from the environment', () => {
    const dir = makeTempDir('mss-account-');
    const c = loadConfig({
      env: { ...base, MSS_DATA_DIR: dir, MSS_ENTRA_ADDIN_CLIENT_ID: ADDIN, MSS_ENTRA_SCOPE: 'api://x/y', MSS_ENTRA_AUTHORITY: 'https://login.microsoftonline.us/t/', MSS_ENTRA_DIALOG_URL: '/connexion.html' },
      cwd: dir,
    });
    expect(c.entra).toMatchObject({ addinClientId: ADDIN, scope: 'api://x/y', authority: 'https://login.microsoftonline.us/t', dialogUrl: '/connexion.html' });
  });
  test('bad values are named with the fix', () => {
    const dir = makeTempDir('mss-account-');
    expect(() => loadConfig({ env: { ...base, MSS_DATA_DIR: dir, MSS_ENTRA_AUTHORITY: 'http://login.exemple.fr', MSS_ENTRA_DIALOG_URL: 'connexion.html' }, cwd: dir })).toThrow(
      /entra\.authority[\s\S]*https:\/\/[\s\S]*entra\.dialogUrl[\s\S]*commençant par \//,
    );
  });
});

test('senderType: CAB is personal, unknown is personal (needs Pro Santé Connect)', () => {
  expect([senderType('PER'), senderType('CAB'), senderType('ORG'), senderType('APP'), senderType(undefined)]).toEqual(['PER', 'PER', 'ORG', 'APP', 'PER']);
});
