// Runtime: Node (jest). POST /api/messages and GET /api/messages/:id through app.inject(), with a real SQLite store,
// the real liste blanche and Entra tokens signed by a local key set (the tenant's JWKS cannot be reached here):
// authentication (issuer, audience, tenant, expiry), sender authorisation, Idempotency-Key, no open relay, the
// status "en attente"; the patient / IHE XDM / fin d'échange contract and its French errors; then the admin traces
// (disabled by default, admins only, CSV per mailbox).
import type { FastifyInstance } from 'fastify';
import { exportJWK, generateKeyPair, SignJWT, type JSONWebKeySet } from 'jose';
import { buildApp } from '../../src/connector/app';
import { createEntraVerifier } from '../../src/connector/auth';
import { openSqliteStore, type Store } from '../../src/connector/store';
import { realTrustSpace2025, sampleDirectory, testConfig } from '../helpers/connector';
import { removeTempDirs } from '../helpers/tmp';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodePayload } from '../../src/connector/outbound';
import { inspectXdm } from '../../src/connector/xdm';

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
    outbound: { productReference: 'DEV935997' },
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

describe('POST /api/messages: patient, IHE XDM, fin d\'échange (src/core/send-contract.ts)', () => {
  // Source: ANS, CR_Radio_CDAN1_v1.XML (test/fixtures/SOURCES.md), patient INS 279035121518989 (ANS test identity)
  const CDA_B64 = readFileSync(join(__dirname, '..', 'fixtures', 'cda', 'CR_Radio_CDAN1_v1.XML')).toString('base64');
  const PATIENT = { ins: '279035121518989', insQualified: true, birthName: 'PAT-TROIS', firstNames: 'DOMINIQUE', birthDate: '1979-03-28', sex: 'F' };
  let n = 0;
  const send = async (over: Record<string, unknown>) => post(body({ workstationTime: new Date().toISOString().slice(0, 19) + 'Z', ...over }), { authorization: `Bearer ${await token()}`, 'idempotency-key': `patient-${++n}` });

  test('an INS with a wrong key: 400 PATIENT_INS_INVALID, the core\'s reason, the number never echoed', async () => {
    const r = await send({ patient: { ...PATIENT, ins: '279035121518988' } });
    expect(r.statusCode).toBe(400);
    expect(r.json()).toEqual({ error: { code: 'PATIENT_INS_INVALID', message: expect.stringMatching(/clé/i), details: { field: 'patient.ins', reason: 'INS_KEY' } } });
    expect(r.body).not.toContain('27903512151898');
  });
  test('a birth date that is not a calendar date, an empty name: 400 PATIENT_TRAITS_INVALID naming the field', async () => {
    const d = await send({ patient: { ...PATIENT, birthDate: '1979-02-30' } });
    expect(d.json().error).toMatchObject({ code: 'PATIENT_TRAITS_INVALID', details: { field: 'patient.birthDate' } });
    const name = await send({ patient: { ...PATIENT, birthName: '   ' } });
    expect(name.json().error).toMatchObject({ code: 'PATIENT_TRAITS_INVALID', message: expect.stringContaining('nom de naissance'), details: { field: 'patient.birthName' } });
  });
  test('schema: unknown patient property, sex outside F/M, a birth date in another format: 400 VALIDATION_FAILED', async () => {
    for (const patient of [{ ...PATIENT, nir: 'x' }, { ...PATIENT, sex: 'X' }, { ...PATIENT, birthDate: '28/03/1979' }]) {
      const r = await send({ patient });
      expect(r.statusCode).toBe(400);
      expect(r.json().error.code).toBe('VALIDATION_FAILED');
    }
  });
  test('xdm without a patient, or with an INS not qualified: 400 XDM_PATIENT_REQUIRED in French', async () => {
    const att = [{ filename: 'cr.xml', contentType: 'text/xml', contentBase64: CDA_B64, xdm: true }];
    for (const over of [{ attachments: att }, { attachments: att, patient: { ...PATIENT, insQualified: false } }]) {
      const r = await send(over);
      expect(r.statusCode).toBe(400);
      expect(r.json()).toEqual({ error: { code: 'XDM_PATIENT_REQUIRED', message: expect.stringContaining('identité INS qualifiée') } });
    }
  });
  test('xdm on something that is not a CDA: 400 XDM_PACK_FAILED with the problem per document; another INS than the CDA\'s: mismatch', async () => {
    const notCda = await send({ attachments: [{ filename: 'cr.xml', contentBase64: Buffer.from('<html><body>x</body></html>').toString('base64'), xdm: true }], patient: PATIENT });
    expect(notCda.statusCode).toBe(400);
    expect(notCda.json().error).toMatchObject({ code: 'XDM_PACK_FAILED', message: expect.stringMatching(/^Document 1 : /), details: { problems: [{ code: 'XDM_CDA_NOT_CLINICAL_DOCUMENT', document: 1 }] } });
    // 180017512345660 is a valid NIR (key 97 − n mod 97) but not the patient of this CDA: one patient per message (ECO.2.1.1)
    const other = await send({ attachments: [{ filename: 'cr.xml', contentBase64: CDA_B64, xdm: true }], patient: { ...PATIENT, ins: '180017512345660' } });
    expect(other.json().error).toMatchObject({ code: 'XDM_PACK_FAILED', details: { problems: [{ code: 'XDM_INS_MISMATCH', document: 1 }] } });
  });
  test('fin d\'échange to professionals only: 400 END_OF_EXCHANGE_NOT_PATIENT; to the patient: 202', async () => {
    const pro = await send({ endOfExchange: true });
    expect(pro.json()).toEqual({ error: { code: 'END_OF_EXCHANGE_NOT_PATIENT', message: expect.stringContaining('@patient.mssante.fr') } });
    const ok = await send({ endOfExchange: true, to: ['279035121518989@patient.mssante.fr'], patient: PATIENT });
    expect(ok.statusCode).toBe(202);
  });
  test('no product reference configured: 503 PRODUCT_REFERENCE_MISSING (X-MSS-NIL is required on every message)', async () => {
    const pair = await generateKeyPair('RS256');
    const k = { ...(await exportJWK(pair.publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' };
    const config = testConfig({ senders: [{ user: 'alice@hopital.fr', mailboxes: [BOX] }], entra: { tenantId: TENANT, audience: AUDIENCE } });
    const other = openSqliteStore(config.store.sqlitePath);
    const bare = buildApp({ config, store: other, trustSpace: realTrustSpace2025(), directory: sampleDirectory(), logger: false, verifyEntra: createEntraVerifier({ tenantId: TENANT, audience: AUDIENCE, jwks: { keys: [k] } }) });
    try {
      const t = await new SignJWT({ tid: TENANT, oid: 'oid-alice', preferred_username: 'alice@hopital.fr' }).setProtectedHeader({ alg: 'RS256', kid: 'k1' }).setIssuer(`https://login.microsoftonline.com/${TENANT}/v2.0`).setAudience(AUDIENCE).setExpirationTime('1h').sign(pair.privateKey);
      const r = await bare.inject({ method: 'POST', url: '/api/messages', payload: body({ workstationTime: new Date().toISOString().slice(0, 19) + 'Z' }), headers: { authorization: `Bearer ${t}`, 'idempotency-key': 'nil-1' } });
      expect(r.statusCode).toBe(503);
      expect(r.json()).toEqual({ error: { code: 'PRODUCT_REFERENCE_MISSING', message: expect.stringContaining('X-MSS-NIL') } });
      expect(await other.outboundCounts()).toEqual({});
    } finally {
      await bare.close();
      await other.close();
    }
  });
  test('the queue keeps the build input (payload v2): XDM packed once, with the INS, FIN and the fixed Date', async () => {
    const r = await send({ to: ['279035121518989@patient.mssante.fr'], endOfExchange: true, patient: PATIENT, attachments: [{ filename: 'cr.xml', contentType: 'text/xml', contentBase64: CDA_B64, xdm: true }] });
    expect(r.statusCode).toBe(202);
    const jobs = await store.claimOutbound({ workerId: 'test', now: Date.now() + 1000, leaseMs: 1000, limit: 100 });
    const job = jobs.find((j) => j.id === r.json().id)!;
    const p = decodePayload(job.payload);
    if (p.v !== 2) throw new Error('payload v2 attendu');
    expect(p.build).toMatchObject({ noReply: true, readReceipt: true, deliveryReceipt: true, productReference: 'DEV935997', xdm: { cdaCodes: ['18748-4'], insQualified: true } });
    expect(p.build.attachments).toBeUndefined(); // the CDA is inside the archive only
    expect(inspectXdm(p.build.xdm!.zip).metadata.patientId).toBe('279035121518989^^^&1.2.250.1.213.1.4.10&ISO^NH');
    expect(Math.abs(Date.parse(p.date) - Date.now())).toBeLessThan(60_000);
  });
  test('ECO.2.1.3: with documents the subject becomes XDM/1.0/DDM+<libellé> <NOM> <prénom> <JJ/MM/AAAA>; one already in that form is kept', async () => {
    const built = async (subject: string) => {
      const r = await send({ subject, patient: PATIENT, attachments: [{ filename: 'cr.xml', contentType: 'text/xml', contentBase64: CDA_B64, xdm: true }] });
      expect(r.statusCode).toBe(202);
      const job = (await store.claimOutbound({ workerId: 'test', now: Date.now() + 1000, leaseMs: 1000, limit: 100 })).find((j) => j.id === r.json().id)!;
      const p = decodePayload(job.payload);
      if (p.v !== 2) throw new Error('payload v2 attendu');
      return p.build.subject;
    };
    await expect(built('Compte rendu de radiologie')).resolves.toBe('XDM/1.0/DDM+Compte rendu de radiologie PAT-TROIS DOMINIQUE 28/03/1979');
    await expect(built('XDM/1.0/DDM+ECHOGRAPHIE PAT-TROIS DOMINIQUE 28/03/1979')).resolves.toBe('XDM/1.0/DDM+ECHOGRAPHIE PAT-TROIS DOMINIQUE 28/03/1979');
    // an empty subject: the CDA's title is the libellé
    await expect(built('')).resolves.toMatch(/^XDM\/1\.0\/DDM\+\S.* PAT-TROIS DOMINIQUE 28\/03\/1979$/);
  });
});

describe('POST /api/messages: the structure\'s operator limit and XDM source id (outbound.maxMessageMegabytes, outbound.xdmSourceId)', () => {
  // Source: ANS, CR_Radio_CDAN1_v1.XML (test/fixtures/SOURCES.md), patient INS 279035121518989 (ANS test identity)
  const CDA_B64 = readFileSync(join(__dirname, '..', 'fixtures', 'cda', 'CR_Radio_CDAN1_v1.XML')).toString('base64');
  const PATIENT = { ins: '279035121518989', insQualified: true, birthName: 'PAT-TROIS', firstNames: 'DOMINIQUE', birthDate: '1979-03-28', sex: 'F' };
  test('a 1 MB operator limit refuses a 1.5 MB message at once (413 MESSAGE_TOO_LARGE), the sourceId goes into METADATA.XML', async () => {
    const config = testConfig({
      senders: [{ user: 'alice@hopital.fr', mailboxes: [BOX] }],
      entra: { tenantId: TENANT, audience: AUDIENCE },
      outbound: { productReference: 'DEV935997', maxMessageMegabytes: 1, xdmSourceId: '1.2.250.1.213.1.4.2' },
    });
    const own = openSqliteStore(config.store.sqlitePath);
    const app2 = buildApp({ config, store: own, trustSpace: realTrustSpace2025(), directory: sampleDirectory(), logger: false, verifyEntra: createEntraVerifier({ tenantId: TENANT, audience: AUDIENCE, jwks }) });
    try {
      await app2.ready();
      const send = async (over: Record<string, unknown>, key: string) =>
        app2.inject({ method: 'POST', url: '/api/messages', payload: body({ workstationTime: new Date().toISOString().slice(0, 19) + 'Z', ...over }), headers: { authorization: `Bearer ${await token()}`, 'idempotency-key': key } });
      const big = await send({ attachments: [{ filename: 'scan.pdf', contentType: 'application/pdf', contentBase64: Buffer.alloc(1_500_000, 7).toString('base64') }] }, 'big');
      expect(big.statusCode).toBe(413);
      expect(big.json().error.code).toBe('MESSAGE_TOO_LARGE');
      expect(big.json().error.message).toMatch(/Mo/);
      expect(await own.outboundCounts()).toEqual({});
      const ok = await send({ patient: PATIENT, attachments: [{ filename: 'cr.xml', contentType: 'text/xml', contentBase64: CDA_B64, xdm: true }] }, 'xdm');
      expect(ok.statusCode).toBe(202);
      const job = (await own.claimOutbound({ workerId: 'test', now: Date.now() + 1000, leaseMs: 1000, limit: 10 }))[0];
      const p = decodePayload(job.payload);
      if (p.v !== 2) throw new Error('payload v2 attendu');
      expect(inspectXdm(p.build.xdm!.zip).metadata.sourceId).toBe('1.2.250.1.213.1.4.2');
    } finally {
      await app2.close();
      await own.close();
    }
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

describe('no open relay, with the directory\'s "vous vouliez dire"', () => {
  // a real DirectoryService over the bundled sample directory (assets/directory/annuaire-exemple.txt), as server.ts builds it
  test('a refused recipient comes with the MSSanté address of the same person (directory) or of the gateway correspondent', async () => {
    const { DirectoryService, sampleState } = await import('../../src/connector/directory/service');
    const { bundledDirectoryPath } = await import('../../src/connector/package-root');
    const config = testConfig({
      senders: [{ user: 'alice@hopital.fr', mailboxes: [BOX] }],
      entra: { tenantId: TENANT, audience: AUDIENCE },
      outbound: { productReference: 'DEV935997' },
    });
    const own = openSqliteStore(config.store.sqlitePath);
    const service = new DirectoryService({ initial: sampleState(bundledDirectoryPath()) });
    const app2 = buildApp({ config, store: own, trustSpace: realTrustSpace2025(), directory: service, logger: false, verifyEntra: createEntraVerifier({ tenantId: TENANT, audience: AUDIENCE, jwks }) });
    try {
      await app2.ready();
      const r = await app2.inject({
        method: 'POST',
        url: '/api/messages',
        payload: body({ to: ['sophie.martin@gmail.com', 'contact@gmail.com'], cc: ['jean.dupont=medecin.mssante.fr@dsp.paris'] }),
        headers: { authorization: `Bearer ${await token()}`, 'idempotency-key': 'k-suggest' },
      });
      expect(r.statusCode).toBe(422);
      expect(r.json().error.details.recipients).toEqual([
        { field: 'to', index: 0, kind: 'external', suggestion: 'sophie.martin@medecin.mssante.fr' },
        { field: 'to', index: 1, kind: 'external' },
        { field: 'cc', index: 0, kind: 'gateway', suggestion: 'jean.dupont@medecin.mssante.fr' },
      ]);
      expect(await own.outboundCounts()).toEqual({});
    } finally {
      await app2.close();
      await own.close();
    }
  });
});
