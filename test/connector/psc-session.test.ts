// Runtime: Node (jest). Pro Santé Connect sign-in bound to the add-in's identity, through app.inject() on the real
// buildApp (SQLite store, real liste blanche), Entra tokens signed by a local key set (the tenant's JWKS cannot be
// reached here) and a local OpenID provider playing PSC (test/transport/helpers/fake-psc.ts: oidc-provider is ESM-only
// and cannot load in jest; the e2e suite uses it): POST /api/psc/session → single-use ticket bound to the oid,
// /psc/start?ticket= → PSC with PKCE, /psc/callback → session under the oid; GET / DELETE /api/psc/session; unknown,
// used, expired tickets; the development-only ?user= form; PSC not configured; no token in any answer.
import type { FastifyInstance } from 'fastify';
import { exportJWK, generateKeyPair, SignJWT, type JSONWebKeySet } from 'jose';
import { join } from 'node:path';
import { buildApp } from '../../src/connector/app';
import { createEntraVerifier } from '../../src/connector/auth';
import { ConfigError, loadConfig, type PscConfig } from '../../src/connector/config';
import { PscClient } from '../../src/connector/psc';
import { openSqliteStore, type Store } from '../../src/connector/store';
import { realTrustSpace2025, sampleDirectory, testConfig } from '../helpers/connector';
import { makeTempDir, removeTempDirs } from '../helpers/tmp';
import { startFakePsc, type FakePsc } from '../transport/helpers/fake-psc';

const TENANT = '72f988bf-86f1-41af-91ab-2d7cd011db47';
const AUDIENCE = 'api://mss.exemple.fr/5f0c1b2a';
const PUBLIC_URL = 'https://mss.hopital.test';
const CLIENT_ID = 'mss-connecteur';
const SECRET = 'secret-de-test';

let key: CryptoKey;
let jwks: JSONWebKeySet;
let op: FakePsc;
let t = Date.now();
const opened: Array<{ app: FastifyInstance; store: Store }> = [];

async function entraToken(oid: string): Promise<string> {
  return new SignJWT({ tid: TENANT, oid, preferred_username: `${oid}@hopital.fr` })
    .setProtectedHeader({ alg: 'RS256', kid: 'k1' })
    .setIssuer(`https://login.microsoftonline.com/${TENANT}/v2.0`)
    .setAudience(AUDIENCE)
    .setIssuedAt()
    .setExpirationTime(Math.floor(Date.now() / 1000) + 3600)
    .sign(key);
}

function pscConfig(over: Partial<PscConfig> = {}): PscConfig {
  return { issuer: op.issuer, clientId: CLIENT_ID, clientSecret: SECRET, redirectUri: `${PUBLIC_URL}/psc/callback`, scope: 'openid scope_all', acrValues: 'eidas1', ticketTtlSeconds: 120, allowUserQuery: false, waitRecheckSeconds: 15, ...over };
}

/** The real app with a PSC client (or none), the Entra verifier over the local key set, and a settable clock. */
async function appWith(opts: { psc?: PscConfig | false } = {}): Promise<{ app: FastifyInstance; client?: PscClient }> {
  const psc = opts.psc === false ? undefined : (opts.psc ?? pscConfig());
  const config = testConfig({ server: { publicUrl: PUBLIC_URL }, entra: { tenantId: TENANT, audience: AUDIENCE }, ...(psc ? { psc } : {}) });
  const client = psc ? await PscClient.create({ issuer: psc.issuer, clientId: CLIENT_ID, clientSecret: SECRET, redirectUri: psc.redirectUri, now: () => t, logger: false }) : undefined;
  const store = openSqliteStore(config.store.sqlitePath);
  const app = buildApp({
    config,
    store,
    trustSpace: realTrustSpace2025(),
    directory: sampleDirectory(),
    logger: false,
    now: () => new Date(t),
    verifyEntra: createEntraVerifier({ tenantId: TENANT, audience: AUDIENCE, jwks }),
    ...(client ? { psc: client } : {}),
  });
  await app.ready();
  opened.push({ app, store });
  return { app, ...(client ? { client } : {}) };
}

const auth = async (oid: string) => ({ authorization: `Bearer ${await entraToken(oid)}` });

/** The page's message to the add-in: `{type:'psc', status, code?}`. */
function outcomeOf(page: string): { type: string; status: string; code?: string } {
  const m = /var m=("(?:[^"\\]|\\.)*");/.exec(page);
  if (!m) throw new Error('no messageParent payload in the page');
  return JSON.parse(JSON.parse(m[1]) as string) as { type: string; status: string; code?: string };
}

/** POST /api/psc/session, then the ticket out of the url. */
async function ticketFor(app: FastifyInstance, oid: string): Promise<{ url: string; ticket: string; body: { url: string; expiresInS: number } }> {
  const res = await app.inject({ method: 'POST', url: '/api/psc/session', headers: await auth(oid) });
  expect(res.statusCode).toBe(200);
  const body = res.json<{ url: string; expiresInS: number }>();
  return { url: body.url, ticket: new URL(body.url).searchParams.get('ticket') ?? '', body };
}

/** The whole dialog: /psc/start?ticket → PSC "wallet" → /psc/callback. Returns the callback page. */
async function signInThroughDialog(app: FastifyInstance, oid: string): Promise<string> {
  const { url } = await ticketFor(app, oid);
  const start = await app.inject({ method: 'GET', url: url.slice(PUBLIC_URL.length) });
  expect(start.statusCode).toBe(302);
  const { code, state } = op.authorize(String(start.headers.location));
  const cb = await app.inject({ method: 'GET', url: `/psc/callback?code=${encodeURIComponent(code)}&state=${encodeURIComponent(state)}` });
  expect(cb.statusCode).toBe(200);
  return cb.body;
}

beforeAll(async () => {
  const pair = await generateKeyPair('RS256');
  key = pair.privateKey;
  jwks = { keys: [{ ...(await exportJWK(pair.publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' }] };
  op = await startFakePsc({ clientId: CLIENT_ID, secret: SECRET });
});
beforeEach(() => {
  t = Date.now();
});
afterAll(async () => {
  for (const o of opened) {
    await o.app.close();
    await o.store.close();
  }
  await op.close();
  removeTempDirs();
});

describe('POST /api/psc/session', () => {
  test('without an Entra token: 401 AUTH_REQUIRED, no ticket', async () => {
    const { app } = await appWith();
    const res = await app.inject({ method: 'POST', url: '/api/psc/session' });
    expect(res.statusCode).toBe(401);
    expect(res.json()).toEqual({ error: { code: 'AUTH_REQUIRED', message: expect.stringContaining('Entra') } });
  });

  test('a single-use start url on the public origin, valid 2 minutes, not cached; an empty JSON body is accepted', async () => {
    const { app } = await appWith();
    const res = await app.inject({ method: 'POST', url: '/api/psc/session', headers: { ...(await auth('oid-alice')), 'content-type': 'application/json' }, payload: '' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['cache-control']).toBe('no-store');
    const body = res.json<{ url: string; expiresInS: number }>();
    expect(body).toEqual({ url: expect.stringMatching(/^https:\/\/mss\.hopital\.test\/psc\/start\?ticket=[A-Za-z0-9_-]{43}$/), expiresInS: 120 });
    const other = await ticketFor(app, 'oid-alice');
    expect(other.url).not.toBe(body.url); // random each time
  });
});

describe('the Office dialog: /psc/start?ticket= then /psc/callback', () => {
  test('the session opened by the dialog is keyed by the Entra oid of the caller, never by what the browser says', async () => {
    const { app, client } = await appWith();
    const page = await signInThroughDialog(app, 'oid-alice');
    expect(outcomeOf(page)).toEqual({ type: 'psc', status: 'ok' });
    expect(page).toContain('Connecté à Pro Santé Connect');
    expect(page).toContain('/office-js/office.js'); // messageParent needs office.js in the dialog page
    expect(client?.hasSession('oid-alice')).toBe(true);
    expect(client?.hasSession('oid-bob')).toBe(false);

    const mine = await app.inject({ method: 'GET', url: '/api/psc/session', headers: await auth('oid-alice') });
    expect(mine.statusCode).toBe(200);
    expect(mine.json()).toEqual({ connected: true, expiresAt: new Date(t + op.refreshExpiresIn * 1000).toISOString() });
    const bobs = await app.inject({ method: 'GET', url: '/api/psc/session', headers: await auth('oid-bob') });
    expect(bobs.json()).toEqual({ connected: false });
    // the operator transports get the token of that oid
    expect((await client?.tokenSource('oid-alice').getAccessToken())?.value).toMatch(/^at-/);
    for (const secret of op.issued) {
      expect(page).not.toContain(secret);
      expect(mine.body).not.toContain(secret);
    }
  });

  test.each([
    ['used', 'PSC_TICKET_USED', /déjà servi/],
    ['unknown', 'PSC_TICKET_UNKNOWN', /n&#39;est pas reconnu/],
    ['expired', 'PSC_TICKET_EXPIRED', /a expiré/],
  ] as const)('a ticket %s: 400, a French page saying what to do, the code to the add-in, no sign-in', async (kind, code, text) => {
    const { app, client } = await appWith();
    const { ticket } = await ticketFor(app, 'oid-carol');
    let path = `/psc/start?ticket=${ticket}`;
    if (kind === 'used') expect((await app.inject({ method: 'GET', url: path })).statusCode).toBe(302);
    if (kind === 'unknown') path = `/psc/start?ticket=${'x'.repeat(43)}`;
    if (kind === 'expired') t += 121_000;
    const res = await app.inject({ method: 'GET', url: path });
    expect(res.statusCode).toBe(400);
    expect(res.headers['content-type']).toMatch(/^text\/html/);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.body).toMatch(text);
    expect(res.body).toContain('Se connecter avec Pro Santé Connect');
    expect(outcomeOf(res.body)).toEqual({ type: 'psc', status: 'error', code });
    expect(client?.hasSession('oid-carol')).toBe(false);
  });

  test('a ticket is valid for psc.ticketTtlSeconds (configurable)', async () => {
    const { app } = await appWith({ psc: pscConfig({ ticketTtlSeconds: 30 }) });
    const { ticket, body } = await ticketFor(app, 'oid-dan');
    expect(body.expiresInS).toBe(30);
    t += 29_000;
    expect((await app.inject({ method: 'GET', url: `/psc/start?ticket=${ticket}` })).statusCode).toBe(302);
    const late = await ticketFor(app, 'oid-dan');
    t += 31_000;
    expect(outcomeOf((await app.inject({ method: 'GET', url: `/psc/start?ticket=${late.ticket}` })).body).code).toBe('PSC_TICKET_EXPIRED');
  });

  test('?user= is refused unless psc.allowUserQuery (development) says otherwise', async () => {
    const { app, client } = await appWith();
    const refused = await app.inject({ method: 'GET', url: '/psc/start?user=oid-alice' });
    expect(refused.statusCode).toBe(400);
    expect(outcomeOf(refused.body)).toEqual({ type: 'psc', status: 'error', code: 'PSC_TICKET_REQUIRED' });
    expect(refused.body).toMatch(/complément MSSanté d&#39;Outlook/);
    expect(client?.hasSession('oid-alice')).toBe(false);
    const dev = await appWith({ psc: pscConfig({ allowUserQuery: true }) });
    const allowed = await dev.app.inject({ method: 'GET', url: '/psc/start?user=dev-user' });
    expect(allowed.statusCode).toBe(302);
    expect(new URL(String(allowed.headers.location)).searchParams.get('code_challenge_method')).toBe('S256');
  });
});

describe('GET and DELETE /api/psc/session', () => {
  test('DELETE ends the session and revokes the refresh token at PSC (RFC 7009, CONF.10); then not connected', async () => {
    const { app, client } = await appWith();
    await signInThroughDialog(app, 'oid-erin');
    const before = op.revoked.length;
    const res = await app.inject({ method: 'DELETE', url: '/api/psc/session', headers: await auth('oid-erin') });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ connected: false, revoked: true });
    expect(op.revoked.length).toBe(before + 1);
    expect(client?.hasSession('oid-erin')).toBe(false);
    expect((await app.inject({ method: 'GET', url: '/api/psc/session', headers: await auth('oid-erin') })).json()).toEqual({ connected: false });
    await expect(client?.getAccessToken('oid-erin')).rejects.toMatchObject({ code: 'PSC_NOT_CONNECTED' });
    // nothing to end: still 200, nothing revoked
    const again = await app.inject({ method: 'DELETE', url: '/api/psc/session', headers: await auth('oid-erin') });
    expect(again.json()).toEqual({ connected: false, revoked: false });
  });

  test('PSC unreachable at revocation: the session still ends locally', async () => {
    const { app, client } = await appWith();
    await signInThroughDialog(app, 'oid-fay');
    op.down = true;
    try {
      const res = await app.inject({ method: 'DELETE', url: '/api/psc/session', headers: await auth('oid-fay') });
      expect(res.json()).toEqual({ connected: false, revoked: false });
      expect(client?.hasSession('oid-fay')).toBe(false);
    } finally {
      op.down = false;
    }
  });

  test('without an Entra token: 401, and the session of nobody is touched', async () => {
    const { app } = await appWith();
    for (const method of ['GET', 'DELETE'] as const) {
      const res = await app.inject({ method, url: '/api/psc/session', headers: { authorization: 'Bearer abc.def.ghi' } });
      expect(res.statusCode).toBe(401);
      expect(res.json()).toEqual({ error: { code: 'AUTH_INVALID', message: expect.any(String) } });
    }
  });
});

test('PSC not configured: the API answers 503 PSC_DISABLED with what to do, and /psc/* is not served', async () => {
  const { app } = await appWith({ psc: false });
  for (const method of ['POST', 'GET', 'DELETE'] as const) {
    const res = await app.inject({ method, url: '/api/psc/session', headers: await auth('oid-alice') });
    expect(res.statusCode).toBe(503);
    expect(res.json()).toEqual({ error: { code: 'PSC_DISABLED', message: expect.stringMatching(/Pro Santé Connect n'est pas disponible/) } });
  }
  expect((await app.inject({ method: 'GET', url: '/psc/start?ticket=abc' })).statusCode).toBe(404);
});

describe('psc.* settings of the sign-in', () => {
  const load = (env: Record<string, string>) => {
    const dir = makeTempDir('mss-psc-session-');
    return loadConfig({ env: { MSS_DATA_DIR: join(dir, 'data'), MSS_PSC_ISSUER: 'https://psc.example.fr/realm', MSS_PSC_CLIENT_ID: 'mss', ...env }, cwd: dir });
  };
  const problems = (env: Record<string, string>): string => {
    try {
      load(env);
      return '';
    } catch (e) {
      if (e instanceof ConfigError) return e.problems.join('\n');
      throw e;
    }
  };
  test('defaults: tickets 120 s, ?user= off, waiting messages looked at every 15 s', () => {
    expect(load({}).psc).toMatchObject({ ticketTtlSeconds: 120, allowUserQuery: false, waitRecheckSeconds: 15 });
    expect(load({ MSS_PSC_TICKET_TTL: '60', MSS_PSC_ALLOW_USER_QUERY: 'oui' }).psc).toMatchObject({ ticketTtlSeconds: 60, allowUserQuery: true });
  });
  test('?user= in production is refused, with the reason and the way to sign in', () => {
    expect(problems({ MSS_PSC_ALLOW_USER_QUERY: 'true', NODE_ENV: 'production' })).toMatch(/psc\.allowUserQuery : interdit en production .*POST \/api\/psc\/session.*MSS_PSC_ALLOW_USER_QUERY/);
    expect(problems({ MSS_PSC_ALLOW_USER_QUERY: 'false', NODE_ENV: 'production' })).toBe('');
  });
  test.each([
    [{ MSS_PSC_TICKET_TTL: '5' }, /psc\.ticketTtlSeconds : doit être un entier entre 10 et 900/],
    [{ MSS_PSC_ALLOW_USER_QUERY: 'peut-être' }, /psc\.allowUserQuery : doit valoir true ou false/],
    [{ MSS_PSC_CLIENT_CERT: '/nulle/part.p12' }, /psc\.clientCertPath : fichier introuvable ou illisible.*MSS_PSC_CLIENT_CERT/],
  ])('%j is refused with a message naming the setting and the fix', (env, expected) => {
    expect(problems(env)).toMatch(expected);
  });
});
