// Runtime: Node (benchmark, run by `npm run bench` through bench/run.mjs, or `node bench/pipeline.mjs` after
// `npm run build:node`). The send pipeline, each figure next to a reference measured in the same run, one JSON line per
// figure: {"name","value","unit","goal","reference","ratio","pass",...}
// (a) pipeline.relay.throughput: messages/s relayed by the REAL outbound worker (build/src/connector/outbound: claim
//     from a SQLite queue, MIME built per message by mime/build-message.ts, SMTP over STARTTLS with the IGC-Santé TLS
//     policy and a client certificate, outcome + ANS trace committed per message) to a local smtp-server peer.
//     Reference: a bare nodemailer send loop (pooled transport, same concurrency, same TLS options and client
//     certificate, same peer, same message text), no queue, no trace. Goal: ratio >= 0.7. Rounds alternate
//     reference / worker; ratio = median of the ratios of back-to-back pairs (value, reference: medians).
// (b) pipeline.api.accept.p99: latency p99 of POST /api/messages over real HTTP on loopback (Fastify listening on
//     127.0.0.1, Entra token checked against a local key set, evaluateSend, MIME built, row + idempotency key
//     committed to SQLite), 8 clients in parallel. Goal <= 50 ms. Reference: p99 of a bare Fastify route on the same
//     loopback answering 202 to the same JSON body (the floor of HTTP + JSON parsing).
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';

const root = path.resolve(import.meta.dirname, '..');
const require = createRequire(import.meta.url);
const b = (p) => require(path.join(root, 'build/src', p));
const { createOutboundWorker, createSmtpRelay, encodePayload } = b('connector/outbound/index.js');
const { openSqliteStore } = b('connector/store/index.js');
const { CrlStore, createTlsPolicy } = b('connector/transport/index.js');
const { buildApp } = b('connector/app.js');
const { loadConfig } = b('connector/config.js');
const { createEntraVerifier } = b('connector/auth/index.js');
const { loadSampleDirectory } = b('connector/directory/sample-directory.js');
const { bundledDirectoryPath } = b('connector/package-root.js');
const core = b('core/index.js');
const nodemailer = require('nodemailer');
const { SMTPServer } = require('smtp-server');
const Fastify = require('fastify');
const ts = require('typescript');
const jose = await import('jose');

const print = (o) => console.log(JSON.stringify(o));
const nowMs = () => Number(process.hrtime.bigint()) / 1e6;
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const pct = (xs, p) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.ceil((p / 100) * xs.length) - 1)];
const work = mkdtempSync(path.join(tmpdir(), 'mss-bench-pipeline-'));

// The throw-away IGC-Santé-like PKI of the tests (test/transport/helpers/pki.ts, openssl CLI), transpiled here.
const pkiJs = path.join(work, 'pki.cjs');
writeFileSync(pkiJs, ts.transpileModule(readFileSync(path.join(root, 'test/transport/helpers/pki.ts'), 'utf8'), { compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022 } }).outputText);
const pki = require(pkiJs).makePki();

const MAILBOX = 'app.labo@labo-exemple.mssante.fr';
const TO = 'dr.durand@hopital-exemple.mssante.fr';
const TEXT = 'Bonjour,\n\nVeuillez trouver les résultats du bilan demandé.\n'.repeat(12);
const N = Number(process.env.BENCH_PIPELINE_N ?? 1500);
// BENCH_PIPELINE_PART=worker runs only the worker rounds (for profiling: node --cpu-prof bench/pipeline.mjs)
const PART = process.env.BENCH_PIPELINE_PART ?? 'all';
const CONCURRENCY = 8;

// ---- the peer: smtp-server over STARTTLS, announcing DSN, counting DATA by Message-ID ----
const received = new Map();
const peer = new SMTPServer({
  key: pki.serverKey,
  cert: pki.serverChain,
  authOptional: true,
  logger: false,
  hideDSN: false,
  size: 30 * 1024 * 1024,
  onData(stream, _session, cb) {
    const chunks = [];
    stream.on('data', (c) => chunks.push(c));
    stream.on('end', () => {
      const id = /^Message-ID:\s*(<[^>]+>)/im.exec(Buffer.concat(chunks).toString('latin1').split('\r\n\r\n')[0])?.[1] ?? '?';
      received.set(id, (received.get(id) ?? 0) + 1);
      cb();
    });
  },
});
peer.on('error', () => undefined);
await new Promise((r) => peer.listen(0, '127.0.0.1', r));
const port = peer.server.address().port;

const crls = await CrlStore.create({ anchors: pki.anchors });
await crls.add(pki.rootCrl);
await crls.add(pki.interCrl(new Date(Date.now() - 3_600_000), new Date(Date.now() + 86_400_000)));
const tlsPolicy = createTlsPolicy({ trustAnchors: pki.anchors, revocation: crls });
const credentials = { kind: 'certificate', mailbox: MAILBOX, pfx: pki.clientP12, passphrase: pki.clientP12Pass };

// ---- (a) reference: bare nodemailer, pooled, CONCURRENCY loops ----
async function reference(round) {
  const t = nodemailer.createTransport({
    pool: true,
    maxConnections: CONCURRENCY,
    maxMessages: 100,
    host: '127.0.0.1',
    port,
    secure: false,
    requireTLS: true,
    tls: tlsPolicy.connectionOptions({ servername: 'localhost', pfx: pki.clientP12, passphrase: pki.clientP12Pass }),
    logger: false,
  });
  let next = 0;
  const t0 = nowMs();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      for (let i = next++; i < N; i = next++) {
        await t.sendMail({ from: MAILBOX, to: TO, subject: `Résultat ${i}`, text: TEXT, messageId: `<ref-${round}-${i}@labo-exemple.mssante.fr>`, headers: { 'X-MSS-NIL': 'DEV000000' } });
      }
    }),
  );
  const dt = nowMs() - t0;
  t.close();
  return (N / dt) * 1000;
}

// ---- (a) ours: the real worker over a SQLite queue with traces ----
async function ours(round) {
  const store = openSqliteStore(path.join(work, `queue-${round}.sqlite`));
  const t = Date.now();
  for (let i = 0; i < N; i++) {
    const id = randomUUID();
    await store.enqueueOutbound({
      id,
      mailbox: MAILBOX,
      authorId: 'oid-app',
      idempotencyKey: `k-${i}`,
      requestHash: 'h',
      messageId: `<${id}@labo-exemple.mssante.fr>`,
      payload: encodePayload({ v: 2, kind: 'mss', tsWorkstation: '2026-03-01T10:00:00.000+01:00', date: new Date().toISOString(), build: { from: { address: MAILBOX }, to: [{ address: TO }], subject: `Résultat ${i}`, text: TEXT, productReference: 'DEV000000', readReceipt: true, deliveryReceipt: true } }),
      recipientsCount: 1,
      now: t,
    });
  }
  const relay = createSmtpRelay({ host: '127.0.0.1', port, servername: 'localhost', tlsPolicy, maxConnections: CONCURRENCY, credentialsFor: () => credentials });
  const worker = createOutboundWorker({ store, relay, concurrency: CONCURRENCY, pollMs: 5, leaseMs: 300_000 });
  const t0 = nowMs();
  const attempts = await worker.drain();
  const dt = nowMs() - t0;
  const counts = await store.outboundCounts();
  const traces = (await store.listTraces({ mailbox: MAILBOX, action: 'envoi', limit: N + 10 })).filter((x) => x.outcome === 'ok').length;
  relay.close();
  await store.close();
  if (attempts !== N || counts.accepted !== N || traces !== N) throw new Error(`worker: ${attempts} essais, ${JSON.stringify(counts)}, ${traces} traces`);
  return (N / dt) * 1000;
}

if (PART === 'worker') {
  for (let r = 0; r < 3; r++) print({ name: 'pipeline.relay.worker-only', value: Math.round(await ours(`p${r}`)), unit: 'messages/s' });
  process.exit(0);
}
await reference('warm');
await ours('warm');
// Rounds alternate reference / worker; each pair is measured back to back, so the ratio of a pair sees the same
// machine load (other processes come and go): the figure is the median of the pair ratios.
const ROUNDS = Number(process.env.BENCH_PIPELINE_ROUNDS ?? 5);
const refs = [];
const mine = [];
const ratios = [];
for (let r = 0; r < ROUNDS; r++) {
  const a = await reference(r);
  const w = await ours(r);
  refs.push(a);
  mine.push(w);
  ratios.push(w / a);
}
const duplicates = [...received.values()].filter((n) => n > 1).length;
const ratio = median(ratios);
print({
  name: 'pipeline.relay.throughput',
  value: Math.round(median(mine)),
  unit: 'messages/s',
  goal: 'ratio >= 0.7',
  reference: Math.round(median(refs)),
  ratio: Number(ratio.toFixed(3)),
  pass: ratio >= 0.7,
  messages: N,
  concurrency: CONCURRENCY,
  rounds: { worker: mine.map(Math.round), nodemailer: refs.map(Math.round), ratios: ratios.map((x) => Number(x.toFixed(2))) },
  duplicates,
});

// ---- (b) API acceptance latency over real HTTP ----
const TENANT = '72f988bf-86f1-41af-91ab-2d7cd011db47';
const AUDIENCE = 'api://mss.exemple.fr/bench';
const BOX = 'secretariat.cardio@medecin.mssante.fr';
const pair = await jose.generateKeyPair('RS256');
const jwks = { keys: [{ ...(await jose.exportJWK(pair.publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' }] };
const token = await new jose.SignJWT({ tid: TENANT, oid: 'oid-alice', preferred_username: 'alice@hopital.fr' })
  .setProtectedHeader({ alg: 'RS256', kid: 'k1' })
  .setIssuer(`https://login.microsoftonline.com/${TENANT}/v2.0`)
  .setAudience(AUDIENCE)
  .setIssuedAt()
  .setExpirationTime('1h')
  .sign(pair.privateKey);
const base = loadConfig({ env: { MSS_DATA_DIR: path.join(work, 'data') }, cwd: work });
const config = {
  ...base,
  senders: [{ user: 'alice@hopital.fr', mailboxes: [BOX] }],
  entra: { ...(base.entra ?? {}), tenantId: TENANT, audience: AUDIENCE },
  outbound: { ...base.outbound, productReference: 'DEV935997' },
  harness: { ...base.harness, enabled: false },
};
const lb = core.parseListeBlanche(readFileSync(path.join(root, 'test/fixtures/listeblanche/listeblanchemssante_2025-02-28.xml'), 'utf8'));
const apiStore = openSqliteStore(path.join(work, 'api.sqlite'));
const app = buildApp({
  config,
  store: apiStore,
  trustSpace: core.TrustSpace.fromListeBlanche(lb),
  directory: loadSampleDirectory(bundledDirectoryPath()),
  logger: false,
  verifyEntra: createEntraVerifier({ tenantId: TENANT, audience: AUDIENCE, jwks }),
});
await app.listen({ host: '127.0.0.1', port: 0 });
const bare = Fastify({ logger: false, bodyLimit: 36 * 1024 * 1024 });
bare.post('/api/messages', async (_req, reply) => reply.code(202).send({ id: randomUUID(), status: 'queued' }));
await bare.listen({ host: '127.0.0.1', port: 0 });

const offset = () => {
  const d = new Date();
  const off = -d.getTimezoneOffset();
  const local = new Date(d.getTime() + off * 60_000).toISOString().slice(0, 19);
  const s = off >= 0 ? '+' : '-';
  return `${local}${s}${String(Math.floor(Math.abs(off) / 60)).padStart(2, '0')}:${String(Math.abs(off) % 60).padStart(2, '0')}`;
};
async function latencies(url, count) {
  const out = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      for (let i = next++; i < count; i = next++) {
        const body = JSON.stringify({ from: BOX, to: ['dr.durand@medecin.mssante.fr'], subject: `Résultat ${i}`, text: TEXT, workstationTime: offset() });
        const t0 = nowMs();
        const r = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}`, 'idempotency-key': randomUUID() }, body });
        await r.arrayBuffer();
        out.push(nowMs() - t0);
        if (r.status !== 202) throw new Error(`POST ${url}: ${r.status}`);
      }
    }),
  );
  return out;
}
const apiUrl = `http://127.0.0.1:${app.server.address().port}/api/messages`;
const bareUrl = `http://127.0.0.1:${bare.server.address().port}/api/messages`;
await latencies(apiUrl, 200);
await latencies(bareUrl, 200);
const apiLat = [];
const bareLat = [];
for (let r = 0; r < 2; r++) {
  apiLat.push(...(await latencies(apiUrl, 1000)));
  bareLat.push(...(await latencies(bareUrl, 1000)));
}
const p99 = pct(apiLat, 99);
const p99ref = pct(bareLat, 99);
print({
  name: 'pipeline.api.accept.p99',
  value: Number(p99.toFixed(2)),
  unit: 'ms',
  goal: '<= 50 ms',
  reference: Number(p99ref.toFixed(2)),
  ratio: Number((p99 / p99ref).toFixed(2)),
  pass: p99 <= 50,
  p50: Number(pct(apiLat, 50).toFixed(2)),
  requests: apiLat.length,
  clients: 8,
});

await app.close();
await bare.close();
await apiStore.close();
await new Promise((r) => peer.close(r));
rmSync(work, { recursive: true, force: true });
rmSync(pki.dir, { recursive: true, force: true });
