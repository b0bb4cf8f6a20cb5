// Runtime: Node (jest). The poller's own decisions, with a real SQLite store and the real DSN / MDN e-mails, over an
// in-memory INBOX that stands in for the IMAP session (ReceiptInbox). Why a stand-in here: a UIDVALIDITY change, a
// server failing on the second poll or a folder move refused cannot be provoked on demand on Dovecot; the real IMAP
// path (Postfix's DSN, MOVE into « Accusés MSSanté », APPEND of an MDN) is test/e2e-transport/receipts.e2e.ts.
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ReceiptInbox, ReceiptInboxOptions } from '../../../src/connector/receipts/imap-inbox';
import { createReceiptPoller, type ReceiptPollerOptions } from '../../../src/connector/receipts/poller';
import { openSqliteStore, type Store } from '../../../src/connector/store';
import type { TlsPolicy } from '../../../src/connector/transport/tls-policy';
import { TransportError } from '../../../src/connector/transport/errors';
import { makeTempDir, removeTempDirs } from '../../helpers/tmp';

const EML = join(__dirname, '..', '..', 'fixtures', 'eml');
const BOX = 'secretariat.cardio@hopital.mssante.fr';
const T0 = Date.UTC(2026, 2, 1, 9, 0, 0);

/** One mailbox as the stand-in holds it. */
interface FakeMessage {
  uid: number;
  source: Buffer;
  seen: boolean;
  folder: string;
  report: boolean;
}

function fakeServer() {
  const messages: FakeMessage[] = [];
  let uidValidity = 1000;
  let nextUid = 1;
  let failNext: TransportError | undefined;
  const opened: ReceiptInboxOptions[] = [];
  return {
    messages,
    opened,
    add(source: Buffer, report = true) {
      messages.push({ uid: nextUid++, source, seen: false, folder: 'INBOX', report });
    },
    rebuild() {
      uidValidity++;
      let uid = 1;
      for (const m of messages) m.uid = uid++;
      nextUid = uid;
    },
    failWith(e: TransportError) {
      failNext = e;
    },
    async open(opts: ReceiptInboxOptions): Promise<ReceiptInbox> {
      opened.push(opts);
      if (failNext) {
        const e = failNext;
        failNext = undefined;
        throw e;
      }
      const inbox = () => messages.filter((m) => m.folder === 'INBOX');
      return {
        uidValidity,
        uidNext: nextUid,
        async findReports({ afterUid }) {
          return inbox()
            .filter((m) => m.report && (afterUid !== undefined ? m.uid > afterUid : !m.seen))
            .map((m) => m.uid);
        },
        async fetchSource(uid) {
          return inbox().find((m) => m.uid === uid)?.source;
        },
        async moveTo(uid, folder) {
          const m = inbox().find((x) => x.uid === uid);
          if (m) m.folder = folder;
        },
        async flagSeen(uid) {
          const m = inbox().find((x) => x.uid === uid);
          if (m) m.seen = true;
        },
        async close() {},
      };
    },
  };
}

let store: Store;
let clock = T0;
beforeEach(() => {
  store = openSqliteStore(join(makeTempDir('mss-poller-'), 'mss-outlook.sqlite'));
  clock = T0;
});
afterEach(async () => {
  await store.close();
});
afterAll(removeTempDirs);

async function accepted(authorId = 'oid-1'): Promise<{ id: string; messageId: string }> {
  const id = randomUUID();
  const messageId = `<${id}@hopital.mssante.fr>`;
  await store.enqueueOutbound({ id, mailbox: BOX, authorId, idempotencyKey: id, requestHash: 'h', messageId, payload: '{}', recipientsCount: 1, now: clock });
  const jobs = await store.claimOutbound({ workerId: 'w', now: clock, leaseMs: 60_000, limit: 10 });
  for (const j of jobs) await store.completeOutbound(j.id, 'w', { status: 'accepted', response: '250 2.0.0 Ok', now: clock });
  return { id, messageId };
}

/** The real Direct MDN "processed", Original-Message-ID rewritten (and its own Message-ID made unique). */
const mdnFor = (messageId: string) =>
  Buffer.from(
    readFileSync(join(EML, 'nhind_MDNMessage_processed.eml'), 'latin1')
      .replace('<9501051053.aa04167@IETF.CNR I.Reston.VA.US>', messageId)
      .replace('message-id: 0c796d0e-4c76-43e8-be40-2cd5e30c1005', `message-id: <${randomUUID()}@x>`),
    'latin1',
  );
const exim = () => readFileSync(join(EML, 'mimekit_delivery-status2.eml'));

function make(server: ReturnType<typeof fakeServer>, over: Partial<ReceiptPollerOptions> = {}) {
  return createReceiptPoller({
    store,
    imap: { host: 'imap.operateur.test', tlsPolicy: {} as TlsPolicy },
    credentialsFor: (mailbox, authors) => (authors.includes('oid-1') ? { kind: 'psc', mailbox, tokens: { getAccessToken: async () => ({ value: 't', expiresAt: clock + 60_000 }) } } : undefined),
    openInbox: (o) => server.open(o),
    intervalMs: 60_000,
    now: () => clock,
    ...over,
  });
}

test('matched reports are moved, unmatched ones and other mail stay; the UID is kept; a new UIDVALIDITY starts again from unseen', async () => {
  const server = fakeServer();
  const m = await accepted();
  server.add(exim()); // not ours
  server.add(readFileSync(join(EML, 'nhind_MessageWithAttachment.eml')), false); // plain mail: never searched
  server.add(mdnFor(m.messageId));
  const p = make(server);
  expect(await p.pollOnce()).toEqual({ mailboxes: 1, skipped: 0, failed: 0, reports: 2, matched: 1, unmatched: 1, notReceipts: 0, changed: 1 });
  expect(await store.getOutbound(m.id)).toMatchObject({ status: 'delivered' });
  expect(server.messages.map((x) => [x.uid, x.folder, x.seen])).toEqual([
    [1, 'INBOX', false],
    [2, 'INBOX', false],
    [3, 'Accusés MSSanté', false],
  ]);
  expect(await store.getImapPosition(BOX)).toEqual({ uidValidity: 1000, lastUid: 3, readThroughAt: T0 });
  // nothing new: nothing read
  expect(await p.pollOnce()).toMatchObject({ reports: 0 });
  // the operator rebuilt the mailbox: UIDs restart, the unseen reports are read again (the unmatched one), once
  server.rebuild();
  expect(await p.pollOnce()).toMatchObject({ reports: 1, unmatched: 1 });
  expect(await store.getImapPosition(BOX)).toEqual({ uidValidity: 1001, lastUid: 3, readThroughAt: T0 });
  expect(await p.pollOnce()).toMatchObject({ reports: 0 });
  expect(server.opened[0]).toMatchObject({ host: 'imap.operateur.test', diagnose: false, credentials: { kind: 'psc', mailbox: BOX } });
});

test("disposal 'flag' sets \\Seen and leaves the report in INBOX; maxPerPoll leaves the rest for the next poll", async () => {
  const server = fakeServer();
  const a = await accepted();
  const b = await accepted();
  server.add(mdnFor(a.messageId));
  server.add(mdnFor(b.messageId));
  const p = make(server, { disposal: 'flag', maxPerPoll: 1 });
  expect(await p.pollOnce()).toMatchObject({ reports: 1, matched: 1 });
  expect(await store.getOutbound(b.id)).toMatchObject({ status: 'accepted' });
  // a poll that left reports behind has not read the mailbox through: no read-through time yet
  expect((await store.getImapPosition(BOX))?.readThroughAt).toBeUndefined();
  clock += 1_000;
  expect(await p.pollOnce()).toMatchObject({ reports: 1, matched: 1 });
  expect(await store.getOutbound(b.id)).toMatchObject({ status: 'delivered' });
  expect(await store.getImapPosition(BOX)).toEqual({ uidValidity: 1000, lastUid: 2, readThroughAt: T0 + 1_000 });
  expect(server.messages.map((x) => [x.folder, x.seen])).toEqual([
    ['INBOX', true],
    ['INBOX', true],
  ]);
});

test('a failing mailbox backs off (doubling), then is read again; a mailbox without a live session is skipped', async () => {
  const server = fakeServer();
  const m = await accepted();
  await accepted('oid-sans-session'); // same mailbox, another author: the live session of oid-1 opens it
  server.add(mdnFor(m.messageId));
  const lines: string[] = [];
  const log = (level: string) => (o: Record<string, unknown>) => void lines.push(JSON.stringify({ level, ...o }));
  const p = make(server, { logger: { debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error') } });
  server.failWith(new TransportError('CONNECTION_FAILED', { transient: true }));
  expect(await p.pollOnce()).toMatchObject({ mailboxes: 0, failed: 1 });
  clock += 59_000;
  expect(await p.pollOnce()).toMatchObject({ skipped: 1, failed: 0 }); // still in back-off (60 s)
  clock += 2_000;
  server.failWith(new TransportError('AUTH_TOKEN_REFUSED'));
  expect(await p.pollOnce()).toMatchObject({ failed: 1 });
  clock += 119_000;
  expect(await p.pollOnce()).toMatchObject({ skipped: 1 }); // second failure: 120 s
  clock += 2_000;
  expect(await p.pollOnce()).toMatchObject({ mailboxes: 1, matched: 1 });
  expect(p.totals()).toMatchObject({ failed: 2, matched: 1, skipped: 2 });
  const failures = lines.filter((l) => l.includes('receipts.mailbox_failed')).map((l) => JSON.parse(l) as Record<string, unknown>);
  expect(failures.map((f) => [f.code, f.failures, f.retryInMs, f.mailbox])).toEqual([
    ['CONNECTION_FAILED', 1, 60_000, '*@hopital.mssante.fr'],
    ['AUTH_TOKEN_REFUSED', 2, 120_000, '*@hopital.mssante.fr'],
  ]);
  expect(lines.join('\n')).not.toContain(BOX);

  // only authors without a session: skipped, never opened
  const other = fakeServer();
  await store.close();
  store = openSqliteStore(join(makeTempDir('mss-poller-'), 'mss-outlook.sqlite'));
  await accepted('oid-sans-session');
  expect(await make(other).pollOnce()).toMatchObject({ mailboxes: 0, skipped: 1, failed: 0 });
  expect(other.opened).toEqual([]);
});

test('start() polls at once and on the interval; stop() ends the loop cleanly', async () => {
  const server = fakeServer();
  clock = Date.now();
  const m = await accepted();
  const p = make(server, { intervalMs: 20, now: Date.now });
  p.start();
  server.add(mdnFor(m.messageId));
  for (let i = 0; i < 100 && (await store.getOutbound(m.id))?.status !== 'delivered'; i++) await new Promise((r) => setTimeout(r, 10));
  expect(await store.getOutbound(m.id)).toMatchObject({ status: 'delivered' });
  await p.stop();
  const polls = server.opened.length;
  await new Promise((r) => setTimeout(r, 60));
  expect(server.opened.length).toBe(polls);
});

test('pollSoon: a mailbox with no message waiting for a receipt (an interrupted sending) is read at once, with that author', async () => {
  const server = fakeServer();
  clock = Date.now();
  // queued only (the worker's reconciliation): listReceiptMailboxes does not name this mailbox
  const id = randomUUID();
  await store.enqueueOutbound({ id, mailbox: BOX, authorId: 'oid-1', idempotencyKey: id, requestHash: 'h', messageId: `<${id}@hopital.mssante.fr>`, payload: '{}', recipientsCount: 1, now: clock });
  const p = make(server, { intervalMs: 3_600_000, now: Date.now });
  p.start();
  for (let i = 0; i < 100 && server.opened.length === 0; i++) await new Promise((r) => setTimeout(r, 10));
  await new Promise((r) => setTimeout(r, 30));
  expect(server.opened).toHaveLength(0); // nothing to wait for: the first poll opened nothing
  const before = Date.now();
  p.pollSoon(BOX.toUpperCase(), 'oid-1');
  for (let i = 0; i < 100 && (await store.getImapPosition(BOX)) === undefined; i++) await new Promise((r) => setTimeout(r, 10));
  expect(server.opened).toHaveLength(1);
  expect(server.opened[0]).toMatchObject({ credentials: { kind: 'psc', mailbox: BOX.toLowerCase() } });
  expect((await store.getImapPosition(BOX))?.readThroughAt).toBeGreaterThanOrEqual(before);
  await p.stop();
});
