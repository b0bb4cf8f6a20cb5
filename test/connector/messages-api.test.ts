// Runtime: Node (jest). POST /api/messages and GET /api/messages/:id through app.inject(), with a real SQLite store,
// the real liste blanche and Entra tokens signed by a local key set (the tenant's JWKS cannot be reached here):
// authentication (issuer, audience, tenant, expiry), sender authorisation, Idempotency-Key, no open relay, the
// status "en attente"; then the admin traces (disabled by default, admins only, CSV per mailbox).
import type { FastifyInstance } from 'fastify';
import { exportJWK, generateKeyPair, SignJWT, type JSONWebKeySet } from 'jose';
import { buildApp } from '../../src/connector/app';
import { createEntraVerifier } from '../../src/connector/auth';
import { openSqliteStore, type Store } from '../../src/connector/store';
import { realTrustSpace2025, sampleDirectory, testConfig } from '../helpers/connector';
import { removeTempDirs } from '../helpers/tmp';

const TENANT = '72f988bf-86f1-41af-91ab-2d7cd011db47';
const AUDIENCE = 'api://mss.exemple.fr/5f0c1b2a';
const BOX = 'secretariat.cardio@medecin.mssante.fr';
const NOW = new Date();

let key: CryptoKey;
let jwks: JSONWebKeySet;
let app: FastifyInstance;
let store: Store;
let notified = 0;

async function token(claims: Record<string, unknown> = {}, opts: { exp?: number; iss?: string; aud?: string } = {}): Promise<string> {
  return new SignJWT({ tid: TENANT, oid: 'oid-alice', preferred_username: 'Alice@Hopital.fr', ...claims })
    .setProtectedHeader({ alg: 'RS256', kid: 'k1' })
    .setIssuer(opts.iss ?? `https://login.microsoftonline.com/${TENANT}/v2.0`)
    .setAudience(opts.aud ?? AUDIENCE)
    .setIssuedAt()
    .setExpirationTime(opts.exp ?? Math.floor(Date.now() / 1000) + 3600)
    .sign(key);
}

const body = (over: Record<string, unknown> = {}) => ({
  from: BOX,
  to: ['dr.durand@medecin.mssante.fr'],
  subject: 'Compte rendu',
  text: 'Bonjour',
  workstationTime: '2026-03-01T10:00:00+01:00'.replace('2026-03-01T10:00:00', new Date(Date.now() + 3_600_000).toISOString().slice(0, 19)),
  ...over,
});

async function post(payload: unknown, headers: Record<string, string>) {
  return app.inject({ method: 'POST', url: '/api/messages', payload: payload as object, headers });
}

beforeAll(async () => {
  const pair = await generateKeyPair('RS256');
  key = pair.privateKey;
  jwks = { keys: [{ ...(await exportJWK(pair.publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' }] };
  const config = testConfig({
    senders: [{ user: 'alice@hopital.fr', mailboxes: [BOX] }],
    admin: { users: ['oid-admin'] },
    entra: { tenantId: TENANT, audience: AUDIENCE },
  });
  store = openSqliteStore(config.store.sqlitePath);
  app = buildApp({
    config,
    store,
    trustSpace: realTrustSpace2025(),
    directory: sampleDirectory(),
    logger: false,
    verifyEntra: createEntraVerifier({ tenantId: TENANT, audience: AUDIENCE, jwks }),
    outbound: { notify: () => void notified++ },
  });
  await app.ready();
});
afterAll(async () => {
  await app.close();
  await store.close();
  removeTempDirs();
});

describe('authentication', () => {
  test('no token: 401 AUTH_REQUIRED', async () => {
    const r = await post(body(), { 'idempotency-key': 'k0' });
    expect(r.statusCode).toBe(401);
    expect(r.json()).toEqual({ error: { code: 'AUTH_REQUIRED', message: expect.stringContaining('Entra') } });
  });
  test.each([
    ['wrong audience', () => token({}, { aud: 'api://autre' })],
    ['wrong issuer', () => token({}, { iss: 'https://login.microsoftonline.com/autre/v2.0' })],
    ['wrong tenant', () => token({ tid: '00000000-0000-0000-0000-000000000000' })],
    ['expired', () => token({}, { exp: Math.floor(Date.now() / 1000) - 3600 })],
    ['not a JWT', async () => 'abc.def.ghi'],
  ])('%s: 401 AUTH_INVALID', async (_n, make) => {
    const r = await post(body(), { authorization: `Bearer ${await make()}`, 'idempotency-key': 'k0' });
    expect(r.statusCode).toBe(401);
    expect(r.json().error.code).toBe('AUTH_INVALID');
  });
  test('a token signed by another key: 401', async () => {
    const other = await generateKeyPair('RS256');
    const t = await new SignJWT({ tid: TENANT, oid: 'x' }).setProtectedHeader({ alg: 'RS256', kid: 'k1' }).setIssuer(`https://login.microsoftonline.com/${TENANT}/v2.0`).setAudience(AUDIENCE).setExpirationTime('1h').sign(other.privateKey);
    expect((await post(body(), { authorization: `Bearer ${t}`, 'idempotency-key': 'k0' })).json().error.code).toBe('AUTH_INVALID');
  });
});

describe('POST /api/messages', () => {
  test('a mailbox the user was not granted: 403 SENDER_NOT_ALLOWED', async () => {
    const r = await post(body({ from: 'autre@medecin.mssante.fr' }), { authorization: `Bearer ${await token()}`, 'idempotency-key': 'k1' });
    expect(r.statusCode).toBe(403);
    expect(r.json().error.code).toBe('SENDER_NOT_ALLOWED');
  });
  test('Idempotency-Key required', async () => {
    const r = await post(body(), { authorization: `Bearer ${await token()}` });
    expect(r.statusCode).toBe(400);
    expect(r.json().error.code).toBe('IDEMPOTENCY_KEY_REQUIRED');
  });
  test('a workstation time without offset, or far from the server clock: 400', async () => {
    for (const w of ['2026-03-01T10:00:00', '2001-01-01T10:00:00+01:00']) {
      const r = await post(body({ workstationTime: w }), { authorization: `Bearer ${await token()}`, 'idempotency-key': 'k2' });
      expect(r.json().error.code).toBe('WORKSTATION_TIME_INVALID');
    }
  });
  test('no open relay: a recipient outside the trust space is refused, by field and position, without echoing it', async () => {
    const r = await post(body({ to: ['dr.durand@medecin.mssante.fr', 'dupont@gmail.com'] }), { authorization: `Bearer ${await token()}`, 'idempotency-key': 'k3' });
    expect(r.statusCode).toBe(422);
    expect(r.json()).toEqual({
      error: { code: 'RECIPIENT_OUTSIDE_TRUST_SPACE', message: expect.stringContaining('Espace de Confiance'), details: { recipients: [{ field: 'to', index: 1, kind: 'external' }] } },
    });
    expect(r.body).not.toContain('gmail');
    expect(await store.outboundCounts()).toEqual({});
  });
  test('CR/LF in a header field is refused at the edge', async () => {
    const r = await post(body({ subject: 'a\r\nBcc: x@y.fr' }), { authorization: `Bearer ${await token()}`, 'idempotency-key': 'k4' });
    expect(r.statusCode).toBe(400);
  });
  test('202 { id, status: queued, "en attente" }; same key + same body ⇒ same answer; other body ⇒ 409; status readable', async () => {
    const auth = { authorization: `Bearer ${await token()}`, 'idempotency-key': 'cle-unique-1' };
    const before = notified;
    const a = await post(body({ workstationTime: '2026-03-01T10:00:00+01:00'.replace('2026-03-01', NOW.toISOString().slice(0, 10)) }), auth);
    expect(a.statusCode).toBe(202);
    expect(a.json()).toEqual({ id: expect.stringMatching(/^[0-9a-f-]{36}$/), status: 'queued', label: 'en attente', messageId: expect.stringMatching(/^<[0-9a-f-]{36}@medecin\.mssante\.fr>$/) });
    expect(notified).toBe(before + 1);
    const again = await post(body({ workstationTime: '2026-03-01T10:00:00+01:00'.replace('2026-03-01', NOW.toISOString().slice(0, 10)) }), auth);
    expect(again.statusCode).toBe(202);
    expect(again.json()).toEqual(a.json());
    expect(notified).toBe(before + 1);
    const other = await post(body({ subject: 'Autre', workstationTime: '2026-03-01T10:00:00+01:00'.replace('2026-03-01', NOW.toISOString().slice(0, 10)) }), auth);
    expect(other.statusCode).toBe(409);
    expect(other.json().error.code).toBe('IDEMPOTENCY_KEY_CONFLICT');

    const id = a.json().id as string;
    const s = await app.inject({ method: 'GET', url: `/api/messages/${id}`, headers: { authorization: auth.authorization } });
    expect(s.statusCode).toBe(200);
    expect(s.json()).toMatchObject({ id, status: 'queued', label: 'en attente', attempts: 0 });
    const stranger = await app.inject({ method: 'GET', url: `/api/messages/${id}`, headers: { authorization: `Bearer ${await token({ oid: 'oid-bob', preferred_username: 'bob@hopital.fr' })}` } });
    expect(stranger.statusCode).toBe(404);
    expect(stranger.json().error.code).toBe('MESSAGE_NOT_FOUND');
  });
});

describe('admin traces', () => {
  test('admins only; CSV per mailbox, without content', async () => {
    await store.appendTrace({ tsUtc: Date.now(), tsWorkstation: '2026-03-01T10:00:00+01:00', actor: 'oid-alice', mailbox: BOX, action: 'envoi', request: 'EHLO, STARTTLS, MAIL FROM, RCPT TO ×1, DATA', replyCode: 250, replyText: '250 2.0.0 Ok', messageId: '<a@b>', outcome: 'ok' });
    const alice = await app.inject({ method: 'GET', url: `/api/admin/traces.csv?mailbox=${BOX}`, headers: { authorization: `Bearer ${await token()}` } });
    expect(alice.statusCode).toBe(403);
    const admin = { authorization: `Bearer ${await token({ oid: 'oid-admin' })}` };
    const noBox = await app.inject({ method: 'GET', url: '/api/admin/traces.csv', headers: admin });
    expect(noBox.json().error.code).toBe('TRACES_MAILBOX_REQUIRED');
    const csv = await app.inject({ method: 'GET', url: `/api/admin/traces.csv?mailbox=${BOX}`, headers: admin });
    expect(csv.statusCode).toBe(200);
    expect(csv.headers['content-type']).toMatch(/text\/csv/);
    const lines = csv.body.replace(/^\uFEFF/, '').trim().split('\r\n');
    expect(lines[0]).toBe('horodatage_utc;horodatage_poste;auteur;bal;action;requete;code_reponse;reponse;message_id;resultat');
    expect(lines[1]).toContain('"envoi"');
    const json = await app.inject({ method: 'GET', url: '/api/admin/traces?action=envoi&from=2020-01-01', headers: admin });
    expect(json.json().traces).toHaveLength(1);
    const page = await app.inject({ method: 'GET', url: '/admin/traces.html' });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Traces des actions MSSanté');
  });
});
