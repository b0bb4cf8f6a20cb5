// Runtime: Node (jest). The Pro Santé Connect client's token lifecycle with a fake clock: sign-in (code + PKCE S256),
// in-memory tokens, refresh before expiry, single-flight refresh, forced refresh, end of session when the refresh
// token is refused (SC.MSS/CONF.10), PSC unreachable; and the Fastify routes. The OIDC provider is a small fake on
// 127.0.0.1:0 (test/transport/helpers/fake-psc.ts: discovery, JWKS, token endpoint with real PKCE and RS256
// id_tokens): oidc-provider is ESM-only and cannot load in jest's CommonJS runtime; the real one is exercised in
// test/e2e-transport.

import Fastify from 'fastify';
import { PscClient } from '../../src/connector/psc/psc-client';
import { pscRoutes } from '../../src/connector/psc/routes';
import { startFakePsc, type FakePsc } from './helpers/fake-psc';

const CLIENT_ID = 'mss-connecteur';
const SECRET = 'secret-de-test';
const REDIRECT = 'https://connecteur.test/psc/callback';

let op: FakePsc;
let t: number;
const lines: string[] = [];
const logger = { debug: (o: object) => lines.push(JSON.stringify(o)), info: (o: object) => lines.push(JSON.stringify(o)), warn: (o: object) => lines.push(JSON.stringify(o)), error: (o: object) => lines.push(JSON.stringify(o)) };

const newClient = () => PscClient.create({ issuer: op.issuer, clientId: CLIENT_ID, clientSecret: SECRET, redirectUri: REDIRECT, now: () => t, logger, refreshMarginMs: 30_000 });
async function signedIn(userId = 'u1'): Promise<PscClient> {
  const client = await newClient();
  const { authorizationUrl } = client.beginLogin(userId, { loginHint: 'dr.martin@hopital.mssante.fr' });
  const { code, state } = op.authorize(authorizationUrl);
  await client.completeLogin({ code, state });
  return client;
}

beforeAll(async () => {
  op = await startFakePsc({ clientId: CLIENT_ID, secret: SECRET, refreshDelayMs: 20 });
  op.refreshExpiresIn = 0; // these tests move the clock far ahead: a refresh token whose lifetime is not given
});
afterAll(() => op.close());
beforeEach(() => {
  t = Date.now();
  op.refuseRefresh = false;
  op.down = false;
  op.refreshCalls = 0;
});

test('sign-in: authorization code with PKCE S256, state, nonce, acr_values=eidas1; tokens kept in memory', async () => {
  const client = await newClient();
  const { authorizationUrl, state } = client.beginLogin('u1', { loginHint: 'dr.martin@hopital.mssante.fr' });
  const u = new URL(authorizationUrl);
  expect(Object.fromEntries(u.searchParams)).toMatchObject({ client_id: CLIENT_ID, response_type: 'code', redirect_uri: REDIRECT, scope: 'openid scope_all', acr_values: 'eidas1', code_challenge_method: 'S256', state, login_hint: 'dr.martin@hopital.mssante.fr' });
  expect(u.searchParams.get('nonce')).toBeTruthy();
  const { code } = op.authorize(authorizationUrl);
  await expect(client.completeLogin({ code, state })).resolves.toMatchObject({ userId: 'u1', sub: 'f:0000:899700218896', expiresAt: t + 300_000 });
  expect((await client.getAccessToken('u1')).value).toMatch(/^at-/);
  // the same state cannot be used twice
  await expect(client.completeLogin({ code, state })).rejects.toMatchObject({ code: 'PSC_NOT_CONNECTED' });
});

test('the access token is refreshed before it expires, once for concurrent callers, and on demand', async () => {
  const client = await signedIn();
  const first = await client.getAccessToken('u1');
  t += 200_000;
  expect(await client.getAccessToken('u1')).toEqual(first); // not yet within the 30 s margin
  expect(op.refreshCalls).toBe(0);
  t += 75_000; // 25 s before expiry
  const [a, b, c] = await Promise.all([client.getAccessToken('u1'), client.getAccessToken('u1'), client.getAccessToken('u1')]);
  expect(op.refreshCalls).toBe(1);
  expect(a.value).not.toBe(first.value);
  expect(b).toEqual(a);
  expect(c).toEqual(a);
  expect(a.expiresAt).toBe(t + 300_000);
  const forced = await client.tokenSource('u1').getAccessToken({ forceRefresh: true });
  expect(forced.value).not.toBe(a.value);
  expect(op.refreshCalls).toBe(2);
});

test('an expired access token is refreshed transparently while the refresh token is valid', async () => {
  const client = await signedIn();
  const first = await client.getAccessToken('u1');
  t += 3_600_000; // long expired
  const next = await client.getAccessToken('u1');
  expect(next.value).not.toBe(first.value);
  expect(next.expiresAt).toBeGreaterThan(t);
});

test('a refused refresh token ends the session (SESSION_ENDED), then PSC_NOT_CONNECTED', async () => {
  const client = await signedIn();
  op.refuseRefresh = true;
  t += 290_000;
  await expect(client.getAccessToken('u1')).rejects.toMatchObject({ name: 'TransportError', code: 'SESSION_ENDED', originalCode: 'invalid_grant' });
  expect(client.hasSession('u1')).toBe(false);
  await expect(client.getAccessToken('u1')).rejects.toMatchObject({ code: 'PSC_NOT_CONNECTED' });
  expect(lines.some((l) => l.includes('"psc.session.ended"') && l.includes('refresh-refused'))).toBe(true);
});

test('PSC unreachable: the current token is kept while valid, then PSC_UNAVAILABLE without ending the session', async () => {
  const client = await signedIn();
  const first = await client.getAccessToken('u1');
  op.down = true;
  t += 280_000; // in the margin: refresh fails, token still valid
  expect(await client.getAccessToken('u1')).toEqual(first);
  t += 60_000; // expired
  await expect(client.getAccessToken('u1')).rejects.toMatchObject({ code: 'PSC_UNAVAILABLE' });
  expect(client.hasSession('u1')).toBe(true);
  op.down = false;
  expect((await client.getAccessToken('u1')).value).not.toBe(first.value);
});

test('a sign-in refused at PSC, or an unknown state, is PSC_NOT_CONNECTED; nothing is kept', async () => {
  const client = await newClient();
  const { state } = client.beginLogin('u2');
  await expect(client.completeLogin({ error: 'access_denied', state })).rejects.toMatchObject({ code: 'PSC_NOT_CONNECTED', originalCode: 'access_denied' });
  await expect(client.completeLogin({ code: 'x', state: 'inconnu' })).rejects.toMatchObject({ code: 'PSC_NOT_CONNECTED' });
  expect(client.hasSession('u2')).toBe(false);
});

test('the routes: /psc/start redirects to PSC, /psc/callback opens the session and answers a French page without token', async () => {
  const client = await newClient();
  const app = Fastify({ logger: false });
  await app.register(pscRoutes({ client, allowUserQuery: true })); // ?user=: development form (psc.allowUserQuery)
  const base = await app.listen({ host: '127.0.0.1', port: 0 });
  try {
    const start = await fetch(`${base}/psc/start?user=u3&login_hint=dr.martin%40hopital.mssante.fr`, { redirect: 'manual' });
    expect(start.status).toBe(302);
    const location = start.headers.get('location')!;
    expect(location.startsWith(`${op.issuer}/auth?`)).toBe(true);
    const { code, state } = op.authorize(location);
    const ok = await fetch(`${base}/psc/callback?code=${code}&state=${state}`);
    expect(ok.status).toBe(200);
    expect(ok.headers.get('cache-control')).toBe('no-store');
    const page = await ok.text();
    expect(page).toMatch(/Connecté à Pro Santé Connect/);
    expect(page).toMatch(/messageParent/);
    for (const secret of op.issued) expect(page).not.toContain(secret);
    expect(client.hasSession('u3')).toBe(true);
    const bad = await fetch(`${base}/psc/callback?code=x&state=inconnu`);
    expect(bad.status).toBe(400);
    expect(await bad.text()).toMatch(/PSC_NOT_CONNECTED/);
    const noUser = await fetch(`${base}/psc/start`, { redirect: 'manual' });
    expect(noUser.status).toBe(400);
  } finally {
    await app.close();
  }
});

test('no token ever reaches the logs', () => {
  expect(lines.length).toBeGreaterThan(10);
  const all = lines.join('\n');
  for (const secret of op.issued) expect(all).not.toContain(secret);
});
