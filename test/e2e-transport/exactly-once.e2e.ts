// Runtime: Node (jest, e2e). "Nothing lost, nothing twice" with the real pieces: the compiled connector
// (node build/src/connector/server.js, what `npm start` runs) relays a 1,000-message batch of a PERSONAL mailbox to the
// operator stand-in (Postfix submission, STARTTLS, XOAUTH2 with the author's Pro Santé Connect session; Postfix
// delivers to Dovecot over LMTP and writes a success DSN, ENVID = queue id, into the sender's mailbox). The connector is
// frozen (SIGSTOP: the operator takes what was sent, its 250s unread) then SIGKILLed in the middle of the batch,
// restarted, and the author signs in again (PSC tokens live in memory only). Messages whose 250 was lost with the
// process are NOT sent again blindly: each waits for the operator's DSN, which the connector's receipt poller reads
// over IMAP (outbound/worker.ts, reconcile). The recipient's Dovecot maildir is the peer: every Message-ID of the
// batch must be there exactly once. On SQLite, on PostgreSQL, and with two instances sharing PostgreSQL (one killed,
// the other carries on, then a restart).
//
// Negative control: MSS_E2E_RECONCILE_SECONDS=0 (outbound.reconcileSeconds 0, an interrupted message sent again at
// once, as before the reconciliation) makes these tests fail with the duplicates of RFC 1047's window (seen: 1 per
// kill on SQLite and on PostgreSQL), which is how we know they can fail.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { closeSync, existsSync, openSync, readdirSync, readFileSync, readSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { Client } from 'pg';
import { DEV_CERT_DIR, DEV_CERT_FILE } from '../../src/connector/dev-cert';
import { encodePayload } from '../../src/connector/outbound/payload';
import { openPostgresStore, openSqliteStore, type Store } from '../../src/connector/store';
import { dataDir, policyFor, REDIRECT_URI, standIn, walletToCallback, type StandIn } from './helpers';

const REPO_ROOT = join(__dirname, '..', '..');
const SERVER_JS = join(REPO_ROOT, 'build', 'src', 'connector', 'server.js');
const POSTGRES = process.env.MSS_TEST_POSTGRES_URL || 'postgres://postgres@127.0.0.1:5432/test';
const BATCH = 1000;
const AUTHOR = 'oid-lot-expediteur';

let s: StandIn;
let sender: string;
let recipient: string;
const children = new Set<ChildProcess>();

beforeAll(() => {
  if (!existsSync(SERVER_JS)) throw new Error(`${SERVER_JS} absent : npm run build:node`);
  s = standIn();
  // mailboxes of their own (.ci/operator-stand-in.sh): 3,000 messages and DSNs stay out of the other tests' mailboxes
  sender = `lot.expediteur@${s.domain}`;
  recipient = `lot.destinataire@${s.domain}`;
});
afterAll(() => {
  for (const c of children) c.kill('SIGKILL');
});

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

async function waitFor(cond: () => Promise<boolean> | boolean, timeoutMs: number, what: () => string): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (await cond()) return;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`timeout: ${what()}`);
}

/** The peer: Message-IDs of the batch in the recipient's Dovecot maildir (new/ and cur/), counted per delivery. */
function maildirCounter(ids: ReadonlySet<string>) {
  const seen = new Map<string, string | null>(); // file → Message-ID (read once; maildir files never change)
  const base = join(s.dir, 'mail', recipient);
  const head = Buffer.alloc(8192);
  return (): Map<string, number> => {
    for (const sub of ['new', 'cur']) {
      const dir = join(base, sub);
      if (!existsSync(dir)) continue;
      for (const f of readdirSync(dir)) {
        // a file moved from new/ to cur/ gets a ":2,…" suffix: same delivery, keyed by its base name
        const key = f.split(':')[0];
        if (seen.has(key)) continue;
        let fd: number;
        try {
          fd = openSync(join(dir, f), 'r');
        } catch {
          continue; // moved to cur/ meanwhile: seen there
        }
        const n = readSync(fd, head, 0, head.length, 0);
        closeSync(fd);
        const id = /^Message-ID:\s*(<[^>]+>)/im.exec(head.toString('latin1', 0, n).split('\r\n\r\n')[0].split('\n\n')[0])?.[1] ?? null;
        seen.set(key, id);
      }
    }
    const counts = new Map<string, number>();
    for (const id of seen.values()) if (id && ids.has(id)) counts.set(id, (counts.get(id) ?? 0) + 1);
    return counts;
  };
}

const total = (m: Map<string, number>) => [...m.values()].reduce((a, b) => a + b, 0);

/** GET over HTTPS to the connector (its development certificate as the only CA). */
function get(url: string, ca: string): Promise<{ status: number; location?: string; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { ca, method: 'GET' }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, ...(res.headers.location ? { location: res.headers.location } : {}), body }));
    });
    req.on('error', reject);
    req.end();
  });
}

interface Instance {
  readonly child: ChildProcess;
  readonly base: string;
  readonly ca: string;
  out(): string;
}

/** Starts the compiled connector with `configFile`; resolves on its ready line. */
async function startConnector(configFile: string, dir: string, name: string): Promise<Instance> {
  const port = await freePort();
  const child = spawn(process.execPath, [SERVER_JS], {
    cwd: dir,
    env: { PATH: process.env.PATH, MSS_CONFIG: configFile, MSS_PORT: String(port), MSS_PSC_CLIENT_SECRET: 'connecteur-secret-test', MSS_LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(child);
  let out = '';
  child.stdout?.on('data', (c: Buffer) => (out += c.toString('utf8')));
  child.stderr?.on('data', (c: Buffer) => (out += c.toString('utf8')));
  child.on('exit', () => children.delete(child));
  await waitFor(() => out.includes('prêt sur') || child.exitCode !== null, 30_000, () => `${name} ready: ${out.slice(-2000)}`);
  if (child.exitCode !== null) throw new Error(`${name} exited ${child.exitCode}: ${out.slice(-2000)}`);
  const ca = readFileSync(join(dir, 'data', DEV_CERT_DIR, DEV_CERT_FILE), 'utf8');
  return { child, base: `https://localhost:${port}`, ca, out: () => out };
}

/**
 * The author signs in with Pro Santé Connect on that instance: /psc/start (development form ?user=, the e2e plays
 * the add-in's dialog), the stand-in's wallet, then /psc/callback on the connector.
 */
async function signIn(c: Instance): Promise<void> {
  const start = await get(`${c.base}/psc/start?user=${encodeURIComponent(AUTHOR)}&login_hint=${encodeURIComponent(sender)}`, c.ca);
  if (start.status !== 302 || !start.location) throw new Error(`/psc/start: ${start.status} ${start.body}`);
  const url = await walletToCallback(start.location);
  const callback = await get(`${c.base}/psc/callback${new URL(url).search}`, c.ca);
  if (callback.status !== 200) throw new Error(`/psc/callback: ${callback.status} ${callback.body}`);
}

async function kill(c: Instance): Promise<void> {
  if (c.child.exitCode !== null) return;
  const exited = once(c.child, 'exit');
  c.child.kill('SIGKILL');
  await exited;
}

/**
 * The crash of the test: the connector is frozen (SIGSTOP, a VM paused, a process stuck), the operator meanwhile takes
 * every message whose final "." was already written and answers 250 into a socket nobody reads, then the connector is
 * SIGKILLed. Those messages are exactly RFC 1047's ambiguous ones: at the operator, not recorded as sent.
 */
async function freezeThenKill(c: Instance): Promise<void> {
  c.child.kill('SIGSTOP');
  await new Promise((r) => setTimeout(r, 2_000));
  await kill(c);
}

/** Queues the batch as POST /api/messages does (payload v2: the MIME build input, DSN requested). */
async function enqueueBatch(store: Store): Promise<Set<string>> {
  const ids = new Set<string>();
  const run = randomBytes(3).toString('hex');
  for (let i = 0; i < BATCH; i++) {
    const id = randomUUID();
    const messageId = `<${id}@${s.domain}>`;
    ids.add(messageId);
    await store.enqueueOutbound({
      id,
      mailbox: sender,
      authorId: AUTHOR,
      idempotencyKey: `${run}-${i}`,
      requestHash: 'h',
      messageId,
      payload: encodePayload({
        v: 2,
        kind: 'mss',
        tsWorkstation: '2026-03-01T10:00:00.000+01:00',
        date: new Date().toISOString(),
        build: { from: { address: sender }, to: [{ address: recipient }], subject: `Résultat ${i}`, text: 'Corps', productReference: 'DEV000000', readReceipt: false },
      }),
      recipientsCount: 1,
      now: Date.now(),
    });
  }
  return ids;
}

interface Scenario {
  readonly storeConfig: Record<string, unknown>;
  openStore(): Promise<Store>;
  dispose(): Promise<void>;
}

function sqliteScenario(dir: string): Scenario {
  const path = join(dir, 'mss-outlook.sqlite');
  const opened: Store[] = [];
  return {
    storeConfig: { type: 'sqlite', sqlitePath: path },
    async openStore() {
      const st = openSqliteStore(path);
      opened.push(st);
      return st;
    },
    async dispose() {
      for (const st of opened) await st.close();
    },
  };
}

async function postgresScenario(): Promise<Scenario> {
  // a database of its own (the connector's PostgreSQL store uses the public schema of store.postgresUrl)
  const db = `mss_exactly_once_${process.pid}_${randomBytes(3).toString('hex')}`;
  const admin = new Client({ connectionString: POSTGRES });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${db}`);
  await admin.end();
  const url = new URL(POSTGRES);
  url.pathname = `/${db}`;
  const opened: Store[] = [];
  return {
    storeConfig: { type: 'postgres', postgresUrl: url.toString() },
    async openStore() {
      const st = await openPostgresStore({ url: url.toString() });
      opened.push(st);
      return st;
    },
    async dispose() {
      for (const st of opened) await st.close();
      const c = new Client({ connectionString: POSTGRES });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${db} WITH (FORCE)`);
      await c.end();
    },
  };
}

async function crashAndRecover(kind: 'sqlite' | 'postgres', instances: 1 | 2): Promise<void> {
  const dirs = Array.from({ length: instances }, () => dataDir());
  const scenario = kind === 'sqlite' ? sqliteScenario(dirs[0]) : await postgresScenario();
  const running: Instance[] = [];
  try {
    const configs = [];
    for (const [i, dir] of dirs.entries()) {
      await policyFor(s, join(dir, 'data')); // the stand-in's CRLs in <dataDir>/crl, as the CRL schedule keeps them
      const file = join(dir, 'mss-outlook.json');
      writeFileSync(
        file,
        JSON.stringify({
          dataDir: join(dir, 'data'),
          server: { host: '127.0.0.1' },
          store: scenario.storeConfig,
          outbound: {
            smtpHost: s.host,
            smtpPort: s.smtpPort,
            smtpServername: s.servername,
            trustAnchorsPath: process.env.MSS_STANDIN_TRUST_ANCHORS,
            productReference: 'DEV000000',
            concurrency: 8,
            leaseSeconds: 15,
            reconcileSeconds: Number(process.env.MSS_E2E_RECONCILE_SECONDS ?? 10),
            retryBaseSeconds: 1,
            retryMaxSeconds: 5,
            maxAttempts: 50,
          },
          receipts: { imapPort: s.imapPort, imapServername: s.servername, pollSeconds: 10 },
          psc: { issuer: s.pscIssuer, clientId: 'mss-connecteur', redirectUri: REDIRECT_URI, scope: 'openid', acrValues: '', allowUserQuery: true, waitRecheckSeconds: 1 },
        }),
      );
      configs.push(file);
      running[i] = await startConnector(file, dir, `instance ${i}`);
      await signIn(running[i]);
    }
    const store = await scenario.openStore();
    const ids = await enqueueBatch(store);
    const delivered = maildirCounter(ids);
    // the kill lands mid-batch: 300 messages taken by the operator (read from the queue, cheaper than the maildir)
    const taken = async () => {
      const c = await store.outboundCounts();
      return (c.accepted ?? 0) + (c.delivered ?? 0);
    };
    await waitFor(async () => (await taken()) >= 300, 240_000, () => `300 taken by the operator; ${running[0].out().slice(-1500)}`);
    await freezeThenKill(running[0]); // the first instance dies mid-batch; with two, the other carries on
    const atKill = await store.outboundCounts();
    const before = delivered();
    expect((atKill.accepted ?? 0) + (atKill.delivered ?? 0)).toBeLessThan(BATCH);
    running[0] = await startConnector(configs[0], dirs[0], 'instance 0 (restart)');
    await signIn(running[0]);

    const pending = async () => {
      const c = await store.outboundCounts();
      return (c.queued ?? 0) + (c.sending ?? 0) + (c.submitted ?? 0);
    };
    await waitFor(async () => (await pending()) === 0 && total(delivered()) >= BATCH, 300_000, () => `batch done: peer ${total(delivered())}, store ${JSON.stringify(atKill)}; ${running[0].out().slice(-1500)}`);
    // Postfix may still hold a copy sent twice: give its queue time to empty before counting
    await new Promise((r) => setTimeout(r, 3_000));
    const counts = delivered();
    const duplicates = [...counts.values()].reduce((a, n) => a + n - 1, 0);
    const traces = await store.listTraces({ mailbox: sender, action: 'envoi', limit: 5000 });
    const reconciled = traces.filter((t) => t.outcome === 'ok' && /^Déjà remis à l'opérateur/.test(t.replyText ?? '')).length;
    process.stdout.write(`[exactly-once] ${JSON.stringify({ store: kind, instances, sendingAtKill: atKill.sending ?? 0, takenAtKill: (atKill.accepted ?? 0) + (atKill.delivered ?? 0), deliveredAtKill: total(before), reconciled, duplicates, distinct: counts.size })}\n`);
    expect(counts.size).toBe(BATCH); // nothing lost
    expect(duplicates).toBe(0); // nothing twice
    expect(traces.filter((t) => t.outcome === 'ok').length).toBe(BATCH); // one successful "envoi" trace per message
    expect(traces.every((t) => !/Résultat|Corps|lot\.destinataire/.test(JSON.stringify(t)))).toBe(true);
    const final = await store.outboundCounts();
    expect((final.accepted ?? 0) + (final.delivered ?? 0)).toBe(BATCH); // the poller turns them delivered as DSNs come
  } finally {
    for (const c of running) if (c) await kill(c);
    await scenario.dispose();
  }
}

test('SQLite: SIGKILL mid-batch, restart: every message at the peer exactly once', async () => {
  await crashAndRecover('sqlite', 1);
}, 600_000);

test('PostgreSQL: SIGKILL mid-batch, restart: every message at the peer exactly once', async () => {
  await crashAndRecover('postgres', 1);
}, 600_000);

test('PostgreSQL, two instances: one SIGKILLed mid-batch, the other carries on, then a restart: exactly once', async () => {
  await crashAndRecover('postgres', 2);
}, 600_000);
