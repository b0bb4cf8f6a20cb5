// Runtime: Node (jest). The whole send path, in process: POST /api/messages (app.inject, Entra token from a local key
// set) → durable queue (SQLite) → the real outbound worker and SMTP relay (STARTTLS, IGC-Santé-like PKI, client
// certificate) → a local smtp-server peer that announces DSN. What reaches the peer is checked byte for byte: the exact
// X-MSS-* headers, the IHE_XDM.zip (read back with xdm/inspect) built from the real ANS CDA, FIN only when asked,
// the read receipt request, the DSN parameters (ENVID = queue id), Bcc only in the envelope. Then "operator down"
// during a batch: the pending messages say "en attente" through GET /api/messages/:id, and once the peer is back every
// message is delivered exactly once (counted by Message-ID at the peer).
import type { FastifyInstance } from 'fastify';
import { unzipSync } from 'fflate';
import { exportJWK, generateKeyPair, SignJWT, type JSONWebKeySet } from 'jose';
import { simpleParser } from 'mailparser';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildApp } from '../../src/connector/app';
import { createEntraVerifier } from '../../src/connector/auth';
import { createOutboundWorker, createSmtpRelay, encodePayload, type OutboundWorker } from '../../src/connector/outbound';
import { openSqliteStore, type Store } from '../../src/connector/store';
import { CrlStore, createTlsPolicy } from '../../src/connector/transport';
import { inspectXdm } from '../../src/connector/xdm';
import { realTrustSpace2025, sampleDirectory, testConfig } from '../helpers/connector';
import { removeTempDirs } from '../helpers/tmp';
import { makePki, startPeer, type Peer } from './peer';

// Source: ANS, "CR_Radio_CDAN1_v1.XML" (test/fixtures/SOURCES.md): a real CDA R2 level 1 radiology report, patient
// PAT-TROIS DOMINIQUE, born 1979-03-28, F, INS 279035121518989 (ANS test identity, OID 1.2.250.1.213.1.4.10).
const CDA = readFileSync(join(__dirname, '..', 'fixtures', 'cda', 'CR_Radio_CDAN1_v1.XML'));
const INS = '279035121518989';
const PATIENT = { ins: INS, insQualified: true, birthName: 'PAT-TROIS', firstNames: 'DOMINIQUE', birthDate: '1979-03-28', sex: 'F' as const };
const TENANT = '72f988bf-86f1-41af-91ab-2d7cd011db47';
const AUDIENCE = 'api://mss.exemple.fr/5f0c1b2a';
const BOX = 'secretariat.radio@medecin.mssante.fr';
const DOCTOR = 'dr.durand@medecin.mssante.fr';

let pki: ReturnType<typeof makePki>;
let peer: Peer;
let app: FastifyInstance;
let store: Store;
let worker: OutboundWorker;
let relayClose: () => void;
let authorization: string;
let keyN = 0;

const workstationTime = () => {
  const d = new Date();
  const off = -d.getTimezoneOffset();
  const local = new Date(d.getTime() + off * 60_000).toISOString().slice(0, 19);
  const sign = off >= 0 ? '+' : '-';
  return `${local}${sign}${String(Math.floor(Math.abs(off) / 60)).padStart(2, '0')}:${String(Math.abs(off) % 60).padStart(2, '0')}`;
};

async function send(body: Record<string, unknown>): Promise<{ statusCode: number; json: Record<string, unknown> }> {
  const r = await app.inject({
    method: 'POST',
    url: '/api/messages',
    headers: { authorization, 'idempotency-key': `cle-${++keyN}` },
    payload: { from: BOX, subject: 'Compte rendu', text: 'Bonjour, ci-joint le compte rendu.', workstationTime: workstationTime(), ...body },
  });
  return { statusCode: r.statusCode, json: r.json() as Record<string, unknown> };
}

beforeAll(async () => {
  pki = makePki();
  peer = await startPeer(pki, 0, { keep: true });
  const pair = await generateKeyPair('RS256');
  const jwks: JSONWebKeySet = { keys: [{ ...(await exportJWK(pair.publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' }] };
  authorization = `Bearer ${await new SignJWT({ tid: TENANT, oid: 'oid-alice', preferred_username: 'alice@hopital.fr' })
    .setProtectedHeader({ alg: 'RS256', kid: 'k1' })
    .setIssuer(`https://login.microsoftonline.com/${TENANT}/v2.0`)
    .setAudience(AUDIENCE)
    .setIssuedAt()
    .setExpirationTime('2h')
    .sign(pair.privateKey)}`;
  const config = testConfig({
    senders: [{ user: 'alice@hopital.fr', mailboxes: [BOX] }],
    entra: { tenantId: TENANT, audience: AUDIENCE },
    outbound: { productReference: 'DEV935997' },
  });
  store = openSqliteStore(config.store.sqlitePath);
  const crls = await CrlStore.create({ anchors: pki.anchors });
  await crls.add(pki.rootCrl);
  await crls.add(pki.interCrl(new Date(Date.now() - 3_600_000), new Date(Date.now() + 86_400_000)));
  const relay = createSmtpRelay({
    host: '127.0.0.1',
    port: peer.port,
    servername: 'localhost',
    tlsPolicy: createTlsPolicy({ trustAnchors: pki.anchors, revocation: crls }),
    connectionTimeoutMs: 3000,
    socketTimeoutMs: 5000,
    maxConnections: 4,
    credentialsFor: (mailbox) => ({ kind: 'certificate', mailbox, pfx: pki.clientP12, passphrase: pki.clientP12Pass }),
  });
  relayClose = () => relay.close?.();
  worker = createOutboundWorker({ store, relay, concurrency: 4, pollMs: 50, leaseMs: 60_000, retry: { baseMs: 100, maxMs: 400, maxAttempts: 100 } });
  app = buildApp({
    config,
    store,
    trustSpace: realTrustSpace2025(),
    directory: sampleDirectory(),
    logger: false,
    verifyEntra: createEntraVerifier({ tenantId: TENANT, audience: AUDIENCE, jwks }),
    outbound: { notify: () => worker.notify() },
  });
  await app.ready();
}, 60_000);

afterAll(async () => {
  await worker?.stop();
  relayClose?.();
  await app?.close();
  await store?.close();
  await peer?.stop();
  removeTempDirs();
});

/** The one message the peer received with this Message-ID. */
function receivedOnce(messageId: string) {
  const found = peer.messages.filter((m) => m.raw.toString('utf8').split('\r\n\r\n')[0].includes(`Message-ID: ${messageId}`));
  expect(found).toHaveLength(1);
  return found[0];
}

/** The header block, unfolded, as it went on the wire (names spelled as sent). */
const headerBlock = (raw: Buffer): string => raw.toString('utf8').split('\r\n\r\n')[0].replace(/\r\n[ \t]+/g, ' ');

test('CDA in IHE XDM, patient recipient, fin d\'échange: exact X-MSS-* headers, a valid IHE_XDM.zip, DSN and read receipt', async () => {
  const patientAddress = `${INS}@patient.mssante.fr`;
  const r = await send({
    to: [patientAddress, DOCTOR],
    bcc: ['archives.radio@medecin.mssante.fr'],
    attachments: [
      { filename: 'CR_Radio.xml', contentType: 'text/xml', contentBase64: CDA.toString('base64'), xdm: true },
      { filename: 'CR_Radio.pdf', contentType: 'application/pdf', contentBase64: Buffer.from('%PDF-1.4 test').toString('base64') },
    ],
    patient: PATIENT,
    endOfExchange: true,
  });
  expect(r.statusCode).toBe(202);
  const { id, messageId } = r.json as { id: string; messageId: string };
  expect(await worker.drain()).toBe(1);

  const got = receivedOnce(messageId);
  const head = headerBlock(got.raw);
  // exact spelling and values (ECO.2.4.1-2.4.3, ECO.2.2.8)
  expect(head).toMatch(/^X-MSS-NIL: DEV935997$/m);
  expect(head).toMatch(/^X-MSS-INS: O$/m);
  expect(head).toMatch(/^X-MSS-CODECDA: 18748-4$/m); // ClinicalDocument/code/@code of the real CDA (LOINC, CR d'imagerie)
  expect(head).toMatch(/^X-MSS-MES: FIN$/m);
  expect(head).toMatch(new RegExp(`^Disposition-Notification-To: <${BOX.replace(/\./g, '\\.')}>$`, 'm'));
  expect(head).not.toMatch(/archives\.radio/); // Bcc: envelope only
  // envelope and DSN (RFC 3461): ENVID = queue id, RET=HDRS, NOTIFY on every recipient, Bcc included
  expect(got.envelope.mailFrom && got.envelope.mailFrom.address).toBe(BOX);
  expect(got.envelope.rcptTo.map((a) => a.address)).toEqual([patientAddress, DOCTOR, 'archives.radio@medecin.mssante.fr']);
  expect(got.envelope.dsn).toEqual({ ret: 'HDRS', envid: id });
  for (const rcpt of got.envelope.rcptTo) expect((rcpt as unknown as { dsn?: { notify?: string[] } }).dsn?.notify).toEqual(['SUCCESS', 'FAILURE', 'DELAY']);

  const parsed = await simpleParser(got.raw);
  const names = parsed.attachments.map((a) => a.filename);
  expect(names.sort()).toEqual(['CR_Radio.pdf', 'IHE_XDM.zip']); // the CDA travels inside the archive, not beside it
  const zip = parsed.attachments.find((a) => a.filename === 'IHE_XDM.zip')!.content;
  const report = inspectXdm(new Uint8Array(zip));
  expect(report.problems).toEqual([]);
  expect(report.metadata.patientId).toBe(`${INS}^^^&1.2.250.1.213.1.4.10&ISO^NH`); // the CDA's INS OID (test identity) kept
  expect(report.documents).toHaveLength(1);
  expect(report.documents[0]).toMatchObject({ code: '18748-4', hashOk: true, size: CDA.length });
  const files = unzipSync(new Uint8Array(zip));
  expect(Buffer.from(files['IHE_XDM/SUBSET01/DOC0001.XML']).equals(CDA)).toBe(true);
  const metadata = new TextDecoder().decode(files['IHE_XDM/SUBSET01/METADATA.XML']);
  // the INS traits where METADATA.XML takes them (sourcePatientInfo PID-5, PID-7, PID-8)
  expect(metadata).toContain('PID-5|PAT-TROIS^DOMINIQUE^^^^^L');
  expect(metadata).toContain('PID-7|19790328');
  expect(metadata).toContain('PID-8|F');

  const status = await app.inject({ method: 'GET', url: `/api/messages/${id}`, headers: { authorization } });
  expect(status.json()).toMatchObject({ id, status: 'accepted', label: 'remis à l\'opérateur', messageId });
  const traces = await store.listTraces({ mailbox: BOX, action: 'envoi' });
  const trace = traces.find((t) => t.messageId === messageId)!;
  expect(trace).toMatchObject({ outcome: 'ok', replyCode: 250, request: expect.stringContaining('ENVID') });
  expect(JSON.stringify(trace)).not.toMatch(/PAT-TROIS|Compte rendu|durand|279035121518989/);
});

test('FIN only when asked; no XDM ⇒ no X-MSS-INS / X-MSS-CODECDA; readReceipt: false ⇒ no Disposition-Notification-To', async () => {
  const a = await send({ to: [`${INS}@patient.mssante.fr`], patient: PATIENT });
  const b = await send({ to: [DOCTOR], readReceipt: false });
  expect([a.statusCode, b.statusCode]).toEqual([202, 202]);
  expect(await worker.drain()).toBe(2);
  const ha = headerBlock(receivedOnce(a.json.messageId as string).raw);
  expect(ha).toMatch(/^X-MSS-NIL: DEV935997$/m);
  expect(ha).not.toMatch(/^X-MSS-(MES|INS|CODECDA):/im);
  expect(ha).toMatch(/^Disposition-Notification-To: /m); // read receipt asked by default
  const hb = headerBlock(receivedOnce(b.json.messageId as string).raw);
  expect(hb).not.toMatch(/^Disposition-Notification-To:/im);
  expect(hb).not.toMatch(/^X-MSS-(MES|INS|CODECDA):/im);
});

test('a v1 payload queued by the first version of the API is still relayed (same Message-ID, X-MSS-NIL kept)', async () => {
  const id = randomUUID();
  const messageId = `<${id}@medecin.mssante.fr>`;
  await store.enqueueOutbound({
    id,
    mailbox: BOX,
    authorId: 'oid-alice',
    idempotencyKey: `v1-${id}`,
    requestHash: 'h',
    messageId,
    payload: encodePayload({ v: 1, kind: 'message', message: { from: BOX, to: [DOCTOR], subject: 'Ancien format', text: 'Corps', headers: { 'X-MSS-NIL': 'DEV935997' } } }),
    recipientsCount: 1,
    now: Date.now(),
  });
  expect(await worker.drain()).toBe(1);
  expect(headerBlock(receivedOnce(messageId).raw)).toMatch(/^X-MSS-NIL: DEV935997$/m);
  expect((await store.getOutbound(id))?.status).toBe('accepted');
});

test('refused at the API with a French message, nothing queued: over-size, FIN to a non-patient, XDM without a qualified INS', async () => {
  const before = await store.outboundCounts();
  const big = await send({ to: [DOCTOR], attachments: [{ filename: 'scanner.dcm', contentType: 'application/dicom', contentBase64: Buffer.alloc(11 * 1024 * 1024, 7).toString('base64') }] });
  expect(big.statusCode).toBe(413);
  expect(big.json).toEqual({
    error: { code: 'MESSAGE_TOO_LARGE', message: expect.stringMatching(/^Le message pèse 1[45],\d Mo : votre opérateur MSSanté accepte au plus 10 Mo par message\./), details: { reason: 'MSS_SIZE_OPERATOR', limitBytes: 10 * 1024 * 1024 } },
  });
  const fin = await send({ to: [DOCTOR], endOfExchange: true });
  expect(fin.statusCode).toBe(400);
  expect((fin.json.error as { code: string; message: string }).code).toBe('END_OF_EXCHANGE_NOT_PATIENT');
  expect((fin.json.error as { message: string }).message).toMatch(/patient/);
  const noIns = await send({ to: [DOCTOR], attachments: [{ filename: 'cr.xml', contentBase64: CDA.toString('base64'), xdm: true }], patient: { ...PATIENT, insQualified: false } });
  expect(noIns.statusCode).toBe(400);
  expect(noIns.json.error).toMatchObject({ code: 'XDM_PATIENT_REQUIRED', message: expect.stringContaining('INS qualifiée') });
  expect(await store.outboundCounts()).toEqual(before);
});

test('operator down during a batch: pending messages are "en attente", then every message is delivered exactly once', async () => {
  const N = 200;
  const ids: { id: string; messageId: string }[] = [];
  for (let i = 0; i < N; i++) {
    const r = await send({ to: [DOCTOR], subject: `Résultat ${i}` });
    expect(r.statusCode).toBe(202);
    ids.push(r.json as { id: string; messageId: string });
  }
  const delivered = () => ids.filter((m) => peer.received.has(m.messageId)).length;
  worker.start();
  const until = async (cond: () => boolean | Promise<boolean>, what: string, ms = 60_000) => {
    const end = Date.now() + ms;
    while (!(await cond())) {
      if (Date.now() > end) throw new Error(`timeout: ${what}`);
      await new Promise((r) => setTimeout(r, 5));
    }
  };
  await until(() => delivered() >= 10, '10 delivered');
  await peer.stop(); // the operator goes away mid-batch
  const atStop = delivered();
  expect(atStop).toBeLessThan(N);
  // the worker keeps trying and failing: the pending messages go back to the queue, and the user sees "en attente"
  const view = async (id: string) => (await app.inject({ method: 'GET', url: `/api/messages/${id}`, headers: { authorization } })).json() as { status: string; label: string; attempts: number; error?: { code: string; message: string } };
  await until(async () => (await view(ids[N - 1].id)).attempts >= 1 && (await view(ids[N - 1].id)).status === 'queued', 'a failed attempt');
  const pending = ids.filter((m) => !peer.received.has(m.messageId));
  let queued = 0;
  for (const m of pending) {
    const v = await view(m.id);
    expect(['queued', 'sending']).toContain(v.status);
    if (v.status === 'queued') {
      queued++;
      expect(v.label).toBe('en attente');
    }
  }
  expect(queued).toBeGreaterThan(0);
  const last = await view(ids[N - 1].id);
  expect(last).toMatchObject({ status: 'queued', label: 'en attente', error: { code: expect.any(String), message: expect.any(String) } });
  expect(delivered()).toBe(atStop); // nothing reaches a stopped operator

  await peer.start(); // back
  await until(async () => (await store.outboundCounts()).queued === undefined && (await store.outboundCounts()).sending === undefined, 'queue empty');
  for (const m of ids) expect(peer.received.get(m.messageId)).toBe(1); // each once, by Message-ID
  for (const m of ids) expect(await view(m.id)).toMatchObject({ status: 'accepted', label: 'remis à l\'opérateur' });
  await worker.stop();
});
