// Runtime: Node (jest). GET /api/messages/:id with the receipts read by the poller: `recipients` per address (state,
// time, French explanation when failed or delayed), for the author only; through app.inject() with a real SQLite
// store, Entra tokens signed by a local key set, and the real DSN / MDN e-mails of test/fixtures/eml (Message-ID
// rewritten in memory to the queued message's, as match-receipt.test.ts does).
import type { FastifyInstance } from 'fastify';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { buildApp } from '../../../src/connector/app';
import { createEntraVerifier } from '../../../src/connector/auth';
import { recipientsView } from '../../../src/connector/messages-routes';
import { applyReceipt } from '../../../src/connector/receipts/match-receipt';
import { openSqliteStore, type Store } from '../../../src/connector/store';
import { realTrustSpace2025, sampleDirectory, testConfig } from '../../helpers/connector';
import { removeTempDirs } from '../../helpers/tmp';

const TENANT = '72f988bf-86f1-41af-91ab-2d7cd011db47';
const AUDIENCE = 'api://mss.exemple.fr/5f0c1b2a';
const BOX = 'secretariat.cardio@medecin.mssante.fr';
const EML = join(__dirname, '..', '..', 'fixtures', 'eml');

let key: CryptoKey;
let app: FastifyInstance;
let store: Store;

async function token(claims: Record<string, unknown> = {}): Promise<string> {
  return new SignJWT({ tid: TENANT, oid: 'oid-alice', preferred_username: 'alice@hopital.fr', ...claims })
    .setProtectedHeader({ alg: 'RS256', kid: 'k1' })
    .setIssuer(`https://login.microsoftonline.com/${TENANT}/v2.0`)
    .setAudience(AUDIENCE)
    .setIssuedAt()
    .setExpirationTime(Math.floor(Date.now() / 1000) + 3600)
    .sign(key);
}

beforeAll(async () => {
  const pair = await generateKeyPair('RS256');
  key = pair.privateKey;
  const jwks = { keys: [{ ...(await exportJWK(pair.publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' }] };
  const config = testConfig({ senders: [{ user: 'alice@hopital.fr', mailboxes: [BOX] }], entra: { tenantId: TENANT, audience: AUDIENCE }, outbound: { productReference: 'DEV000000' } });
  store = openSqliteStore(config.store.sqlitePath);
  app = buildApp({ config, store, trustSpace: realTrustSpace2025(), directory: sampleDirectory(), logger: false, verifyEntra: createEntraVerifier({ tenantId: TENANT, audience: AUDIENCE, jwks }) });
  await app.ready();
});
afterAll(async () => {
  await app.close();
  await store.close();
  removeTempDirs();
});

/** POST a message to two recipients, then play the worker: claimed and accepted by the operator. */
async function sendAndAccept(key: string): Promise<{ id: string; messageId: string }> {
  const r = await app.inject({
    method: 'POST',
    url: '/api/messages',
    headers: { authorization: `Bearer ${await token()}`, 'idempotency-key': key },
    payload: { from: BOX, to: ['dr.durand@medecin.mssante.fr', 'secretariat@chb.mssante.fr'], subject: 'Compte rendu', text: 'Bonjour', workstationTime: new Date().toISOString() },
  });
  expect(r.statusCode).toBe(202);
  const { id, messageId } = r.json() as { id: string; messageId: string };
  const now = Date.now();
  const jobs = await store.claimOutbound({ workerId: 'w', now, leaseMs: 60_000, limit: 10 });
  for (const j of jobs) await store.completeOutbound(j.id, 'w', { status: 'accepted', response: '250 2.0.0 Ok', now });
  return { id, messageId };
}

test('recipients: [] before any receipt; then delivered / failed per address with the French explanation; strangers get 404', async () => {
  const { id, messageId } = await sendAndAccept('cle-recus-1');
  const get = async (t?: string) => app.inject({ method: 'GET', url: `/api/messages/${id}`, headers: { authorization: `Bearer ${t ?? (await token())}` } });
  const first = await get();
  expect(first.statusCode).toBe(200);
  expect(first.json()).toEqual({ id, status: 'accepted', label: 'remis à l\'opérateur', messageId, attempts: 1, createdAt: expect.any(String), acceptedAt: expect.any(String), recipients: [] });

  // the real Direct MDN "processed" (rewritten: Original-Message-ID and Final-Recipient): the recipient has the message
  const mdn = readFileSync(join(EML, 'nhind_MDNMessage_processed.eml'), 'latin1')
    .replace('<9501051053.aa04167@IETF.CNR I.Reston.VA.US>', messageId)
    .replace('Final-Recipient: externUser1@starugh-stateline.com', 'Final-Recipient: rfc822; Dr.Durand@medecin.mssante.fr');
  const t1 = Date.UTC(2026, 2, 1, 9, 0, 0);
  expect(await applyReceipt(store, BOX, Buffer.from(mdn, 'latin1'), t1)).toMatchObject({ kind: 'matched', status: 'accepted' });
  // the real Exim DSN "failed" (rewritten: a Message-ID line added to the returned headers, the Final-Recipient)
  const dsn = readFileSync(join(EML, 'mimekit_delivery-status2.eml'), 'latin1')
    .replace('Return-path: <delivery@domain.fr>\n', `Return-path: <delivery@domain.fr>\nMessage-ID: ${messageId}\n`)
    .replace('rfc822;source@domain.com', 'rfc822;secretariat@chb.mssante.fr');
  expect(await applyReceipt(store, BOX, Buffer.from(dsn, 'latin1'), t1 + 1000)).toMatchObject({ kind: 'matched', status: 'failed' });

  const after = await get();
  expect(after.json()).toEqual({
    id,
    status: 'failed',
    label: 'échec',
    messageId,
    attempts: 1,
    createdAt: expect.any(String),
    acceptedAt: expect.any(String),
    error: { code: 'DSN_FAILED', message: expect.stringMatching(/^Non remis à 1 destinataire sur 2\. Message non remis \(erreur définitive\)/) },
    recipients: [
      { address: 'dr.durand@medecin.mssante.fr', state: 'delivered', at: new Date(t1).toISOString() },
      { address: 'secretariat@chb.mssante.fr', state: 'failed', at: new Date(t1 + 1000).toISOString(), message: expect.stringMatching(/^Message non remis \(erreur définitive\)\. Vérifiez l'adresse/) },
    ],
  });
  const stranger = await get(await token({ oid: 'oid-bob', preferred_username: 'bob@hopital.fr' }));
  expect(stranger.statusCode).toBe(404);
  expect(stranger.json()).toEqual({ error: { code: 'MESSAGE_NOT_FOUND', message: expect.any(String) } });
});

test('recipientsView: the strongest report per address wins (delayed, then delivered, then read)', () => {
  const base = { id: 1, outboundId: 'x', mailbox: BOX, type: 'dsn' as const, action: '', status: '', explanation: 'Remise retardée.', receiptKey: 'k' };
  expect(
    recipientsView([
      { ...base, recipient: 'a@b.fr', state: 'delayed', receivedAt: 1000 },
      { ...base, recipient: 'c@d.fr', state: 'delayed', receivedAt: 1500 },
      { ...base, recipient: 'a@b.fr', state: 'delivered', receivedAt: 2000 },
      { ...base, recipient: 'a@b.fr', state: 'read', type: 'mdn', receivedAt: 3000 },
      { ...base, recipient: 'a@b.fr', state: 'delivered', receivedAt: 4000 },
    ]),
  ).toEqual([
    { address: 'a@b.fr', state: 'read', at: new Date(3000).toISOString() },
    { address: 'c@d.fr', state: 'delayed', at: new Date(1500).toISOString(), message: 'Remise retardée.' },
  ]);
});
