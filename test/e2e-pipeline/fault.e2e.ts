// Runtime: Node (jest). Fault tests of the durable outbound queue with real worker PROCESSES (the compiled
// build/src/connector/outbound/worker-main.js) relaying to a local SMTP peer over STARTTLS with the IGC-Santé-like
// TLS policy: SIGKILL in the middle of a 1,000-message batch, then restart — on SQLite, on PostgreSQL, and with two
// instances sharing PostgreSQL (one killed, the other carries on). The mailbox is APPLICATIVE (certificate): its
// receipts cannot be read (no IMAP binding after mutual TLS, docs/transport.md), so the worker cannot reconcile an
// interrupted sending with the operator's DSN and sends it again (personal and organisational mailboxes reconcile:
// test/e2e-transport/exactly-once.e2e.ts finds them exactly once). Every message must reach the peer; the only
// duplicates allowed are the messages in the window RFC 1047 describes (worker.ts): DATA received by the peer but the
// outcome not committed when the process died. That set is measured exactly right after the kill (Message-IDs the
// peer has, whose row is not `accepted`): every duplicate must belong to it, none may be sent more than twice, and
// they carry the same Message-ID. The figures are printed ([pipeline] lines) for the report.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { encodePayload } from '../../src/connector/outbound';
import type { Store } from '../../src/connector/store';
import { postgresFactory, sqliteFactory, type StoreFactory, TEST_POSTGRES_URL } from '../connector/store-factories';
import { REPO_ROOT } from '../helpers/connector';
import { makeTempDir, removeTempDirs } from '../helpers/tmp';
import { makePki, startPeer, writePkiFiles, type Peer } from './peer';

const WORKER = join(REPO_ROOT, 'build', 'src', 'connector', 'outbound', 'worker-main.js');
const MAILBOX = 'app.labo@labo-exemple.mssante.fr';
const BATCH = 1000;

let pki: ReturnType<typeof makePki>;
let files: ReturnType<typeof writePkiFiles>;
let dir: string;
const children = new Set<ChildProcess>();
const unexpectedExits: string[] = [];

beforeAll(() => {
  if (!existsSync(WORKER)) throw new Error(`${WORKER} absent : npm run build:node`);
  pki = makePki();
  dir = makeTempDir('mss-pipeline-');
  files = writePkiFiles(pki, dir);
});
afterAll(() => {
  for (const c of children) c.kill('SIGKILL');
  removeTempDirs();
});

async function enqueueBatch(store: Store, n: number): Promise<Map<string, string>> {
  const byMessageId = new Map<string, string>();
  for (let i = 0; i < n; i++) {
    const id = randomUUID();
    byMessageId.set(`<${id}@labo-exemple.mssante.fr>`, id);
    await store.enqueueOutbound({
      id,
      mailbox: MAILBOX,
      authorId: 'oid-app',
      idempotencyKey: `k-${i}`,
      requestHash: 'h',
      messageId: `<${id}@labo-exemple.mssante.fr>`,
      // what POST /api/messages queues (payload v2: the MIME build input; the worker builds it with this Message-ID)
      payload: encodePayload({
        v: 2,
        kind: 'mss',
        tsWorkstation: '2026-03-01T10:00:00.000+01:00',
        date: new Date().toISOString(),
        build: { from: { address: MAILBOX }, to: [{ address: 'dr.durand@hopital-exemple.mssante.fr' }], subject: `Résultat ${i}`, text: 'Corps', productReference: 'DEV000000', readReceipt: true, deliveryReceipt: true },
      }),
      recipientsCount: 1,
      now: Date.now(),
    });
  }
  return byMessageId;
}

function spawnWorker(storeCfg: unknown, peer: Peer, workerId: string): Promise<ChildProcess> {
  const cfgFile = join(dir, `${workerId}.json`);
  writeFileSync(
    cfgFile,
    JSON.stringify({
      store: storeCfg,
      smtp: { host: '127.0.0.1', port: peer.port, servername: 'localhost' },
      trustAnchorsFile: files.anchors,
      crlFiles: files.crls,
      mailboxes: { [MAILBOX]: { pfxFile: files.p12, passphraseFile: files.p12Pass } },
      workerId,
      concurrency: 8,
      leaseMs: 4000,
      pollMs: 100,
      retry: { baseMs: 200, maxMs: 1000, maxAttempts: 50 },
    }),
  );
  const child = spawn(process.execPath, [WORKER, cfgFile], { stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(child);
  let err = '';
  child.on('exit', (code, signal) => {
    children.delete(child);
    // a worker that dies on its own (not our SIGKILL) is a failure to explain, not a silent stall
    if (signal !== 'SIGKILL') unexpectedExits.push(`${workerId}: code ${code} ${err.slice(-500)}`);
  });
  child.stderr?.on('data', (c: Buffer) => (err += c.toString()));
  return new Promise((resolve, reject) => {
    child.stdout?.on('data', (c: Buffer) => {
      if (c.toString().includes('prêt')) resolve(child);
    });
    child.on('exit', (code) => reject(new Error(`worker exited ${code}: ${err}`)));
  });
}

async function waitFor(cond: () => Promise<boolean> | boolean, timeoutMs: number, what: string): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (await cond()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timeout: ${what}`);
}

async function kill(child: ChildProcess): Promise<void> {
  const exited = once(child, 'exit');
  child.kill('SIGKILL');
  await exited;
}

interface Outcome {
  distinct: number;
  duplicates: number;
  sendingAtKill: number;
  /** Message-IDs the peer had at kill time whose outcome was not committed: the RFC 1047 window. */
  ambiguous: number;
}

/** Right after the kill: the messages the peer has received whose row is not `accepted` (not yet, or never, recorded). */
async function ambiguousAtKill(store: Store, peer: Peer, byMessageId: Map<string, string>): Promise<Set<string>> {
  const atPeer = [...peer.received.keys()];
  const states = await Promise.all(atPeer.map(async (m) => [m, (await store.getOutbound(byMessageId.get(m) ?? ''))?.status] as const));
  return new Set(states.filter(([, status]) => status !== 'accepted').map(([m]) => m));
}

async function check(store: Store, peer: Peer, sendingAtKill: number, ambiguous: Set<string>, instances: number): Promise<Outcome> {
  try {
    await waitFor(async () => (await store.outboundCounts()).accepted === BATCH, 180_000, 'all accepted');
  } catch (e) {
    throw new Error(`${(e as Error).message}; counts ${JSON.stringify(await store.outboundCounts())}; worker exits: ${unexpectedExits.join(' | ') || 'none'}`);
  }
  const counts = await store.outboundCounts();
  expect(counts).toEqual({ accepted: BATCH });
  const duplicates = [...peer.received.values()].filter((n) => n > 1).reduce((a, n) => a + n - 1, 0);
  const outcome = { distinct: peer.received.size, duplicates, sendingAtKill, ambiguous: ambiguous.size };
  // every message reached the operator; re-submissions only within the window, at most once each
  expect(peer.received.size).toBe(BATCH);
  expect(duplicates).toBeLessThanOrEqual(sendingAtKill);
  const duplicated = [...peer.received].filter(([, n]) => n > 1);
  for (const [messageId, n] of duplicated) {
    expect(n).toBe(2);
    expect(ambiguous.has(messageId)).toBe(true); // a duplicate that is not in the window would be a queue bug
  }
  // one instance: nothing else could record those messages, so each message of the window was sent again, once
  // (with two, the set also holds the live instance's messages in flight, which it records itself)
  if (instances === 1) expect(duplicates).toBe(ambiguous.size);
  else expect(duplicates).toBeLessThanOrEqual(ambiguous.size);
  const traces = await store.listTraces({ mailbox: MAILBOX, action: 'envoi', limit: 5000 });
  expect(traces.filter((t) => t.outcome === 'ok').length).toBe(BATCH);
  expect(traces.every((t) => !/Résultat|Corps|dr\.durand/.test(JSON.stringify(t)))).toBe(true);
  process.stdout.write(`[pipeline] ${JSON.stringify({ store: store.type, instances, ...outcome })}\n`);
  return outcome;
}

async function crashAndRecover(factory: StoreFactory, storeCfg: unknown, instances: number): Promise<void> {
  const peer = await startPeer(pki);
  const store = await factory.open();
  try {
    const byMessageId = await enqueueBatch(store, BATCH);
    const workers = await Promise.all(Array.from({ length: instances }, (_, i) => spawnWorker(storeCfg, peer, `w${i}-a`)));
    await waitFor(() => peer.total() >= 300, 120_000, '300 delivered');
    await kill(workers[0]); // the first instance dies mid-batch; with two, the other carries on
    const ambiguous = await ambiguousAtKill(store, peer, byMessageId);
    const sendingAtKill = (await store.outboundCounts()).sending ?? 0;
    expect(peer.total()).toBeLessThan(BATCH);
    await spawnWorker(storeCfg, peer, 'w0-b'); // restart
    await check(store, peer, sendingAtKill, ambiguous, instances);
  } finally {
    for (const c of [...children]) await kill(c);
    await peer.stop();
    await factory.dispose();
  }
}

test('SQLite: SIGKILL mid-batch, restart: 1,000 messages delivered, none lost', async () => {
  const factory = sqliteFactory();
  await crashAndRecover(factory, { type: 'sqlite', sqlitePath: factory.sqlitePath }, 1);
});

test('PostgreSQL: SIGKILL mid-batch, restart', async () => {
  const factory = postgresFactory();
  await crashAndRecover(factory, { type: 'postgres', url: TEST_POSTGRES_URL, schema: factory.schema }, 1);
});

test('PostgreSQL, two instances sharing the queue: one SIGKILLed mid-batch, the other carries on, then a restart', async () => {
  const factory = postgresFactory();
  await crashAndRecover(factory, { type: 'postgres', url: TEST_POSTGRES_URL, schema: factory.schema }, 2);
});
