// Runtime: Node (jest). The Pro Santé Connect client's token lifecycle with a fake clock: sign-in (code + PKCE S256),
// in-memory tokens, refresh before expiry, single-flight refresh, forced refresh, end of session when the refresh
// token is refused (SC.MSS/CONF.10), PSC unreachable; and the Fastify routes. The OIDC provider is a small fake on
// 127.0.0.1:0 (discovery, JWKS, token endpoint with real PKCE and RS256 id_tokens): oidc-provider is ESM-only and
// cannot load in jest's CommonJS runtime; the real one is exercised in test/e2e-transport.

import { createHash, generateKeyPairSync, randomUUID, sign } from 'node:crypto';
import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import Fastify from 'fastify';
import { PscClient } from '../../src/connector/psc/psc-client';
import { pscRoutes } from '../../src/connector/psc/routes';

const CLIENT_ID = 'mss-connecteur';
const SECRET = 'secret-de-test';
const REDIRECT = 'https://connecteur.test/psc/callback';

interface FakeOp {
  issuer: string;
  server: Server;
  /** Registers the code the "wallet" would return for an authorization URL. */
  authorize(url: string): { code: string; state: string };
  refreshCalls: number;
  refuseRefresh: boolean;
  down: boolean;
  expiresIn: number;
  issued: string[];
}

async function fakeOp(): Promise<FakeOp> {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const jwk = { ...publicKey.export({ format: 'jwk' }), kid: 'k1', alg: 'RS256', use: 'sig' };
  const codes = new Map<string, { challenge: string; nonce: string; sub: string }>();
  const refreshTokens = new Set<string>();
  let n = 0;
  const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
  const op: FakeOp = {
    issuer: '',
    server: createServer(),
    refreshCalls: 0,
    refuseRefresh: false,
    down: false,
    expiresIn: 300,
    issued: [],
    authorize(url) {
      const u = new URL(url);
      expect(u.searchParams.get('code_challenge_method')).toBe('S256');
      const code = `code-${randomUUID()}`;
      codes.set(code, { challenge: u.searchParams.get('code_challenge')!, nonce: u.searchParams.get('nonce')!, sub: 'f:0000:899700218896' });
      return { code, state: u.searchParams.get('state')! };
    },
  };
  const tokens = (sub?: string, nonce?: string) => {
    n += 1;
    const access = `at-${n}-${randomUUID()}`;
    const refresh = `rt-${n}-${randomUUID()}`;
    refreshTokens.add(refresh);
    op.issued.push(access, refresh);
    const body: Record<string, unknown> = { access_token: access, token_type: 'Bearer', expires_in: op.expiresIn, refresh_token: refresh };
    if (sub) {
      const now = Math.floor(Date.now() / 1000);
      const input = `${b64({ alg: 'RS256', kid: 'k1', typ: 'JWT' })}.${b64({ iss: op.issuer, sub, aud: CLIENT_ID, iat: now, exp: now + 300, nonce })}`;
      body.id_token = `${input}.${sign('sha256', Buffer.from(input), privateKey).toString('base64url')}`;
    }
    return body;
  };
  const readForm = async (req: IncomingMessage) => {
    let data = '';
    for await (const chunk of req) data += chunk;
    return new URLSearchParams(data);
  };
  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const send = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (op.down) return send(503, { error: 'temporarily_unavailable' });
    if (req.url === '/.well-known/openid-configuration') {
      return send(200, { issuer: op.issuer, authorization_endpoint: `${op.issuer}/auth`, token_endpoint: `${op.issuer}/token`, jwks_uri: `${op.issuer}/jwks`, response_types_supported: ['code'], subject_types_supported: ['public'], id_token_signing_alg_values_supported: ['RS256'], code_challenge_methods_supported: ['S256'] });
    }
    if (req.url === '/jwks') return send(200, { keys: [jwk] });
    if (req.url === '/token' && req.method === 'POST') {
      expect(req.headers.authorization).toBe(`Basic ${Buffer.from(`${CLIENT_ID}:${SECRET}`).toString('base64')}`);
      const form = await readForm(req);
      if (form.get('grant_type') === 'authorization_code') {
        const c = codes.get(form.get('code') ?? '');
        codes.delete(form.get('code') ?? '');
        const verifier = form.get('code_verifier') ?? '';
        if (!c || createHash('sha256').update(verifier).digest('base64url') !== c.challenge) return send(400, { error: 'invalid_grant' });
        return send(200, tokens(c.sub, c.nonce));
      }
      if (form.get('grant_type') === 'refresh_token') {
        op.refreshCalls += 1;
        const rt = form.get('refresh_token') ?? '';
        if (op.refuseRefresh || !refreshTokens.delete(rt)) return send(400, { error: 'invalid_grant', error_description: 'Token is not active' });
        await new Promise((r) => setTimeout(r, 20));
        return send(200, tokens());
      }
    }
    return send(404, { error: 'not_found' });
  };
  op.server.on('request', (req, res) => {
    void handle(req, res);
  });
  op.server.listen(0, '127.0.0.1');
  await once(op.server, 'listening');
  op.issuer = `http://127.0.0.1:${(op.server.address() as AddressInfo).port}`;
  return op;
}

let op: FakeOp;
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
  op = await fakeOp();
});
afterAll(() => op.server.close());
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
