// Runtime: Node (jest). The connector's own outbound worker (outbound/connector-worker.ts, as server.ts builds it) when the
// author of a personal/organisational mailbox message has no Pro Santé Connect session: the message WAITS ("en
// attente", PSC_SESSION_REQUIRED, French message) without spending its attempts, and leaves as soon as the author signs
// in. Real things: SQLite store, SMTP submission over STARTTLS to smtp-server (npm) on 127.0.0.1:0 with a throw-away
// IGC-Santé PKI made by openssl, CRLs downloaded by the scheduler from a local HTTP server, the real PscClient against a
// local OpenID provider playing PSC (oidc-provider is ESM-only: test/transport/helpers/fake-psc.ts).
import { once } from 'node:events';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { SMTPServer, type SMTPServerAuthentication } from 'smtp-server';
import { statusView } from '../../src/connector/messages-routes';
import { createConnectorWorker, encodePayload, type OutboundWorker } from '../../src/connector/outbound';
import { PscClient, PSC_SESSION_REQUIRED_ERROR } from '../../src/connector/psc';
import { openSqliteStore, type Store } from '../../src/connector/store';
import { testConfig } from '../helpers/connector';
import { makeTempDir, removeTempDirs } from '../helpers/tmp';
import { startFakePsc, type FakePsc } from '../transport/helpers/fake-psc';
import { makePki, type TestPki } from '../transport/helpers/pki';

const MAILBOX = 'dr.martin@hopital.mssante.fr';
const REDIRECT = 'https://mss.hopital.test/psc/callback';

let pki: TestPki;
let op: FakePsc;
let smtp: SMTPServer;
let crlServer: Server;
let store: Store;
let worker: OutboundWorker | undefined;
let psc: PscClient;
const received: Array<{ user?: string; token?: string; raw: string }> = [];
let lastAuth: { user?: string; token?: string } = {};
let connections = 0;

async function eventually<T>(probe: () => Promise<T | undefined>, timeoutMs = 15_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > until) throw new Error("timeout");
    await new Promise((r) => setTimeout(r, 100));
  }
}

beforeAll(async () => {
  pki = makePki();
  op = await startFakePsc({ clientId: 'mss-connecteur', secret: 's' });
  // the operator: STARTTLS with the IGC-Santé test chain, XOAUTH2 accepting only the live PSC access tokens
  smtp = new SMTPServer({
    key: pki.serverKey,
    cert: pki.serverChain,
    authMethods: ['XOAUTH2'],
    logger: false,
    onConnect(_session, cb) {
      connections += 1;
      cb();
    },
    onAuth(auth: SMTPServerAuthentication, _session, cb) {
      const ok = typeof auth.accessToken === 'string' && auth.accessToken.startsWith('at-') && op.issued.includes(auth.accessToken);
      if (!ok) return cb(null, { data: { status: '401', schemes: 'bearer', scope: 'openid' } });
      lastAuth = { user: auth.username, token: auth.accessToken };
      return cb(null, { user: auth.username });
    },
    onData(stream, _session, cb) {
      let raw = '';
      stream.on('data', (c: Buffer) => (raw += c.toString()));
      stream.on('end', () => {
        received.push({ ...lastAuth, raw });
        cb();
      });
    },
  });
  smtp.on('error', () => undefined);
  smtp.listen(0, '127.0.0.1');
  await once(smtp.server, 'listening');
  // the IGC-Santé publication point
  const inter = pki.interCrl(new Date(Date.now() - 3_600_000), new Date(Date.now() + 7 * 86_400_000));
  crlServer = createServer((req, res) => {
    const body = req.url === '/root.crl' ? pki.rootCrl : req.url === '/inter.crl' ? inter : undefined;
    res.statusCode = body ? 200 : 404;
    res.end(body);
  });
  crlServer.listen(0, '127.0.0.1');
  await once(crlServer, 'listening');
});

afterAll(async () => {
  await worker?.stop();
  await store?.close();
  if (smtp.server.listening) smtp.close();
  crlServer.close();
  await op.close();
  removeTempDirs();
});

test('no PSC session: the message waits (en attente, PSC_SESSION_REQUIRED) without spending attempts, then leaves when the author signs in', async () => {
  const dir = makeTempDir('mss-psc-wait-');
  const anchorsPath = join(dir, 'igc-sante.pem');
  writeFileSync(anchorsPath, pki.anchors);
  const crlBase = `http://127.0.0.1:${(crlServer.address() as AddressInfo).port}`;
  const config = testConfig({
    outbound: {
      smtpHost: '127.0.0.1',
      smtpPort: (smtp.server.address() as AddressInfo).port,
      smtpServername: 'localhost',
      trustAnchorsPath: anchorsPath,
      crlUrls: [`${crlBase}/root.crl`, `${crlBase}/inter.crl`],
      maxAttempts: 2, // waiting 4+ claims must not exhaust these
      retryBaseSeconds: 1,
    },
    psc: { issuer: op.issuer, clientId: 'mss-connecteur', clientSecret: 's', redirectUri: REDIRECT, scope: 'openid scope_all', acrValues: 'eidas1', ticketTtlSeconds: 120, allowUserQuery: false, waitRecheckSeconds: 1 },
  });
  store = openSqliteStore(config.store.sqlitePath);
  psc = await PscClient.create({ issuer: op.issuer, clientId: 'mss-connecteur', clientSecret: 's', redirectUri: REDIRECT, logger: false });
  worker = await createConnectorWorker(config, store, psc);
  expect(worker).toBeDefined();

  const id = '6b1f1e0e-1d2c-4c55-9a55-0e4f2b7f0a01';
  await store.enqueueOutbound({
    id,
    mailbox: MAILBOX,
    authorId: 'oid-alice',
    idempotencyKey: 'k1',
    requestHash: 'h1',
    messageId: `<${id}@hopital.mssante.fr>`,
    payload: encodePayload({ v: 1, kind: 'message', message: { from: MAILBOX, to: ['dr.durand@hopital.mssante.fr'], subject: 'Compte rendu', text: 'Bonjour' } }),
    recipientsCount: 1,
    now: Date.now(),
  });
  worker?.start(); // the CRL schedule downloads the two CRLs, the worker polls every second

  // waiting: claimed again and again (every psc.waitRecheckSeconds), never failed, never sent
  const waiting = await eventually(async () => {
    const r = await store.getOutbound(id);
    return r && r.attempts >= 4 && r.status === 'queued' ? r : undefined;
  });
  expect(waiting.status).toBe('queued');
  expect(statusView(waiting)).toMatchObject({ status: 'queued', label: 'en attente', error: { code: 'PSC_SESSION_REQUIRED', message: PSC_SESSION_REQUIRED_ERROR.message } });
  expect(PSC_SESSION_REQUIRED_ERROR.message).toMatch(/Se connecter avec Pro Santé Connect/);
  expect(received).toEqual([]);
  expect(connections).toBe(0); // the session is checked before connecting: waiting costs the operator nothing
  expect(await store.listTraces({ mailbox: MAILBOX })).toEqual([]); // nothing reached the operator: no trace

  // the author signs in (what /psc/start?ticket= → /psc/callback does, keyed by the Entra oid)
  const { authorizationUrl } = psc.beginLogin('oid-alice');
  const { code, state } = op.authorize(authorizationUrl);
  await psc.completeLogin({ code, state });

  const sent = await eventually(async () => {
    const r = await store.getOutbound(id);
    return r?.status === 'accepted' ? r : undefined;
  });
  expect(sent.response).toMatch(/^250 /);
  expect(received).toHaveLength(1);
  expect(received[0].user).toBe(MAILBOX);
  expect(received[0].token).toBe((await psc.getAccessToken('oid-alice')).value);
  expect(received[0].raw).toContain(`Message-ID: <${id}@hopital.mssante.fr>`);
  expect(await store.listTraces({ mailbox: MAILBOX })).toEqual([expect.objectContaining({ messageId: `<${id}@hopital.mssante.fr>`, replyCode: 250, outcome: 'ok' })]);
  // CONF.28: no PSC token in the data folder (SQLite file and its WAL, the kept CRLs)
  const files = readdirSync(config.dataDir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile());
  expect(files.map((f) => f.name)).toEqual(expect.arrayContaining([expect.stringMatching(/\.crl$/)]));
  const bytes = files.map((f) => readFileSync(join(f.parentPath, f.name)).toString('latin1')).join('\n');
  for (const secret of op.issued) expect(bytes).not.toContain(secret);
});

test('a real failure after waiting still gets its whole retry budget: waiting claims are not attempts', async () => {
  expect(worker).toBeDefined();
  const id = '6b1f1e0e-1d2c-4c55-9a55-0e4f2b7f0a02';
  await store.enqueueOutbound({
    id,
    mailbox: MAILBOX,
    authorId: 'oid-bob',
    idempotencyKey: 'k2',
    requestHash: 'h2',
    messageId: `<${id}@hopital.mssante.fr>`,
    payload: encodePayload({ v: 1, kind: 'message', message: { from: MAILBOX, to: ['dr.durand@hopital.mssante.fr'], subject: 'Résultat', text: 'Bonjour' } }),
    recipientsCount: 1,
    now: Date.now(),
  });
  worker?.notify();
  const waited = await eventually(async () => {
    const r = await store.getOutbound(id);
    return r && r.attempts >= 3 && r.status === 'queued' ? r : undefined;
  });
  expect(waited).toMatchObject({ status: 'queued', lastError: { code: 'PSC_SESSION_REQUIRED' } });
  // the operator goes down, then bob signs in: CONNECTION_FAILED (transient) twice, and only then EXPIRED
  await new Promise((r) => smtp.server.close(r));
  const { authorizationUrl } = psc.beginLogin('oid-bob');
  const { code, state } = op.authorize(authorizationUrl);
  await psc.completeLogin({ code, state });
  const failed = await eventually(async () => {
    const r = await store.getOutbound(id);
    return r?.status === 'failed' ? r : undefined;
  });
  // had the waiting claims counted, the first real try (attempts ≥ 4 > maxAttempts 2) would have expired at once
  expect(failed.lastError).toMatchObject({ code: 'EXPIRED', message: expect.stringContaining('après 2 tentatives') });
  expect(failed.lastError?.message).toContain('injoignable');
  expect(failed.attempts).toBeGreaterThanOrEqual(waited.attempts + 2);
  const traces = (await store.listTraces({ mailbox: MAILBOX })).filter((tr) => tr.messageId === `<${id}@hopital.mssante.fr>`);
  expect(traces.map((tr) => tr.outcome).sort()).toEqual(['CONNECTION_FAILED', 'EXPIRED']); // two real tries, two traces
});
