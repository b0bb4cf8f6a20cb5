// Runtime: Node (jest). ONE suite, run on SQLite and on the machine's PostgreSQL (describe.each over factories):
// migrations, the outbound queue (idempotency in the same transaction, unique Message-ID, claims under a lease,
// recovery of an expired lease, lost-lease refusals, no double claim between two instances), traces (filters,
// purge, written with the outcome in one transaction).
import { randomUUID } from 'node:crypto';
import { MIGRATIONS, PG_MIGRATIONS, type NewOutbound, type ReceiptInput, type Store, type TraceInput } from '../../src/connector/store';
import { removeTempDirs } from '../helpers/tmp';
import { postgresFactory, sqliteFactory, type StoreFactory } from './store-factories';

afterAll(removeTempDirs);

const T0 = Date.UTC(2026, 2, 1, 9, 0, 0);
const MAILBOX = 'secretariat.cardio@hopital.mssante.fr';

function msg(over: Partial<NewOutbound> = {}): NewOutbound {
  const id = randomUUID();
  return {
    id,
    mailbox: MAILBOX,
    authorId: 'oid-1',
    idempotencyKey: randomUUID(),
    requestHash: 'h1',
    messageId: `<${id}@hopital.mssante.fr>`,
    payload: '{"subject":"(contenu)"}',
    recipientsCount: 1,
    now: T0,
    ...over,
  };
}

const trace = (over: Partial<TraceInput> = {}): TraceInput => ({
  tsUtc: T0,
  tsWorkstation: '2026-03-01T10:00:00.000+01:00',
  actor: 'oid-1',
  mailbox: MAILBOX,
  action: 'envoi',
  request: 'EHLO STARTTLS AUTH MAIL FROM RCPT TO ×1 DATA',
  replyCode: 250,
  replyText: '250 2.0.0 Ok: queued',
  messageId: '<x@y>',
  outcome: 'ok',
  ...over,
});

test('the PostgreSQL migrations follow the SQLite ones (same ids, same descriptions)', () => {
  expect(PG_MIGRATIONS.map((m) => [m.id, m.description])).toEqual(MIGRATIONS.map((m) => [m.id, m.description]));
});

describe.each([['sqlite', sqliteFactory], ['postgres', postgresFactory]] as const)('%s store', (_name, make) => {
  let factory: StoreFactory;
  let store: Store;
  beforeEach(async () => {
    factory = make();
    store = await factory.open();
  });
  afterEach(async () => {
    await factory.dispose();
  });

  test('opens at the latest schema; reopening applies nothing twice', async () => {
    expect(store.schemaVersion()).toBe(MIGRATIONS.length);
    const again = await factory.open();
    expect(again.schemaVersion()).toBe(MIGRATIONS.length);
    await again.setSetting('k', 'v');
    expect(await store.getSetting('k')).toBe('v');
  });

  test('audit rows work as before', async () => {
    await store.appendAudit({ actor: 'api', action: 'classify', outcome: 'ok', details: { count: 2 } });
    const [row] = await store.recentAudit(5);
    expect(row).toMatchObject({ actor: 'api', action: 'classify', outcome: 'ok', details: { count: 2 } });
  });

  test('enqueue is idempotent per (mailbox, key): the second call writes nothing and returns the first record', async () => {
    const first = msg();
    const a = await store.enqueueOutbound(first);
    expect(a).toMatchObject({ created: true, record: { id: first.id, status: 'queued', attempts: 0, messageId: first.messageId } });
    const b = await store.enqueueOutbound({ ...msg({ idempotencyKey: first.idempotencyKey, requestHash: 'h2' }) });
    expect(b.created).toBe(false);
    expect(b.record).toMatchObject({ id: first.id, requestHash: 'h1' });
    // the same key from another mailbox is another message
    const c = await store.enqueueOutbound(msg({ idempotencyKey: first.idempotencyKey, mailbox: 'autre@hopital.mssante.fr' }));
    expect(c.created).toBe(true);
    expect(await store.outboundCounts()).toEqual({ queued: 2 });
    expect(await store.getOutbound(first.id)).toMatchObject({ id: first.id, status: 'queued' });
    expect(await store.getOutbound(randomUUID())).toBeUndefined();
  });

  test('a Message-ID is unique: a second row with it is refused', async () => {
    const m = msg();
    await store.enqueueOutbound(m);
    await expect(store.enqueueOutbound(msg({ messageId: m.messageId }))).rejects.toMatchObject({ name: 'StoreError', code: 'STORE_DUPLICATE_MESSAGE_ID' });
    expect(await store.outboundCounts()).toEqual({ queued: 1 });
  });

  test('claim → accepted: lease, attempts, the trace written in the same transaction, then nothing left to claim', async () => {
    const m = msg();
    await store.enqueueOutbound(m);
    const [job] = await store.claimOutbound({ workerId: 'w1', now: T0, leaseMs: 60_000, limit: 10 });
    expect(job).toMatchObject({ id: m.id, status: 'sending', attempts: 1, claimedBy: 'w1', leaseUntil: T0 + 60_000, recovered: false, payload: m.payload });
    expect(await store.claimOutbound({ workerId: 'w2', now: T0 + 1, leaseMs: 60_000, limit: 10 })).toEqual([]);
    expect(await store.completeOutbound(m.id, 'w1', { status: 'accepted', response: '250 2.0.0 Ok', now: T0 + 5 }, trace({ messageId: m.messageId }))).toBe(true);
    expect(await store.getOutbound(m.id)).toMatchObject({ status: 'accepted', acceptedAt: T0 + 5, response: '250 2.0.0 Ok' });
    expect(await store.listTraces({ mailbox: MAILBOX })).toEqual([expect.objectContaining({ messageId: m.messageId, replyCode: 250, action: 'envoi' })]);
    expect(await store.claimOutbound({ workerId: 'w2', now: T0 + 10_000_000, leaseMs: 60_000, limit: 10 })).toEqual([]);
  });

  test('an expired lease comes back (recovered), and the old worker can no longer complete it', async () => {
    const m = msg();
    await store.enqueueOutbound(m);
    await store.claimOutbound({ workerId: 'w1', now: T0, leaseMs: 1_000, limit: 1 });
    expect(await store.claimOutbound({ workerId: 'w2', now: T0 + 999, leaseMs: 1_000, limit: 1 })).toEqual([]);
    const [again] = await store.claimOutbound({ workerId: 'w2', now: T0 + 1_001, leaseMs: 1_000, limit: 1 });
    expect(again).toMatchObject({ id: m.id, attempts: 2, claimedBy: 'w2', recovered: true });
    expect(await store.completeOutbound(m.id, 'w1', { status: 'accepted', response: '250', now: T0 + 1_002 }, trace())).toBe(false);
    expect(await store.listTraces({})).toEqual([]);
    expect(await store.completeOutbound(m.id, 'w2', { status: 'accepted', response: '250', now: T0 + 1_003 })).toBe(true);
  });

  test('outcomes recorded at the same time (one group commit on SQLite): each gets its own answer, a stale one changes nothing', async () => {
    const ms = [msg(), msg(), msg()];
    for (const m of ms) await store.enqueueOutbound(m);
    await store.claimOutbound({ workerId: 'w1', now: T0, leaseMs: 60_000, limit: 10 });
    const answers = await Promise.all([
      store.completeOutbound(ms[0].id, 'w1', { status: 'accepted', response: '250 a', now: T0 + 5 }, trace({ messageId: ms[0].messageId })),
      store.completeOutbound(ms[1].id, 'w-other', { status: 'accepted', response: '250 b', now: T0 + 5 }, trace({ messageId: ms[1].messageId })),
      store.completeOutbound(ms[2].id, 'w1', { status: 'queued', nextAttemptAt: T0 + 60_000, error: { code: 'SMTP_TEMPORARY', message: 'Plus tard.' }, now: T0 + 5 }),
    ]);
    expect(answers).toEqual([true, false, true]);
    expect((await store.getOutbound(ms[0].id))?.status).toBe('accepted');
    expect((await store.getOutbound(ms[1].id))?.status).toBe('sending');
    expect((await store.getOutbound(ms[2].id))?.status).toBe('queued');
    expect((await store.listTraces({ mailbox: MAILBOX })).map((t) => t.messageId)).toEqual([ms[0].messageId]);
  });

  test('waiting messages counted by the code of their stored error (never-tried and other statuses left out)', async () => {
    const ms = [msg(), msg(), msg(), msg()];
    for (const m of ms) await store.enqueueOutbound(m);
    await store.claimOutbound({ workerId: 'w1', now: T0, leaseMs: 60_000, limit: 3 });
    const later = (code: string) => ({ status: 'queued' as const, nextAttemptAt: T0 + 60_000, error: { code, message: 'x' }, now: T0 + 1 });
    await store.completeOutbound(ms[0].id, 'w1', later('RECONCILING'));
    await store.completeOutbound(ms[1].id, 'w1', later('RECONCILING'));
    await store.completeOutbound(ms[2].id, 'w1', { status: 'failed', error: { code: 'SMTP_PERMANENT', message: 'non' }, now: T0 + 1 });
    expect(await store.outboundWaitingCounts()).toEqual({ RECONCILING: 2 });
  });

  test('an outcome recorded just before close() is committed, not dropped', async () => {
    const m = msg();
    await store.enqueueOutbound(m);
    await store.claimOutbound({ workerId: 'w1', now: T0, leaseMs: 60_000, limit: 1 });
    const done = store.completeOutbound(m.id, 'w1', { status: 'accepted', response: '250', now: T0 + 5 });
    const other = await factory.open();
    await store.close();
    expect(await done).toBe(true);
    expect((await other.getOutbound(m.id))?.status).toBe('accepted');
  });

  test('a temporary failure goes back to queued until nextAttemptAt; a permanent one ends as failed with its reply', async () => {
    const a = msg();
    const b = msg();
    await store.enqueueOutbound(a);
    await store.enqueueOutbound({ ...b, now: T0 + 1 });
    await store.claimOutbound({ workerId: 'w1', now: T0 + 1, leaseMs: 60_000, limit: 10 });
    const tempErr = { code: 'CONNECTION_FAILED', message: 'Le serveur de l\'opérateur est injoignable.' };
    expect(await store.completeOutbound(a.id, 'w1', { status: 'queued', nextAttemptAt: T0 + 30_000, error: tempErr, now: T0 + 2 })).toBe(true);
    const permErr = { code: 'RECIPIENT_REFUSED', message: 'Refusé', response: '550 5.1.1 <*@x.fr> inconnu', responseCode: 550, command: 'RCPT TO' };
    expect(await store.completeOutbound(b.id, 'w1', { status: 'failed', error: permErr, now: T0 + 2 })).toBe(true);
    expect(await store.claimOutbound({ workerId: 'w1', now: T0 + 29_999, leaseMs: 60_000, limit: 10 })).toEqual([]);
    expect(await store.claimOutbound({ workerId: 'w1', now: T0 + 30_000, leaseMs: 60_000, limit: 10 })).toEqual([expect.objectContaining({ id: a.id, attempts: 2, lastError: tempErr })]);
    expect(await store.getOutbound(b.id)).toMatchObject({ status: 'failed', lastError: permErr });
  });

  test('two instances claiming at the same time never get the same row', async () => {
    const other = await factory.open();
    const ids = new Set<string>();
    for (let i = 0; i < 120; i++) {
      const m = msg();
      ids.add(m.id);
      await store.enqueueOutbound(m);
    }
    const seen: string[] = [];
    const loop = async (s: Store, worker: string) => {
      for (;;) {
        const jobs = await s.claimOutbound({ workerId: worker, now: T0 + 1, leaseMs: 600_000, limit: 7 });
        if (jobs.length === 0) return;
        seen.push(...jobs.map((j) => j.id));
      }
    };
    await Promise.all([loop(store, 'a1'), loop(other, 'b1'), loop(store, 'a2'), loop(other, 'b2')]);
    expect(seen.length).toBe(120);
    expect(new Set(seen)).toEqual(ids);
  });

  test('traces: filters by mailbox, action and dates (newest first), purge before a date', async () => {
    await store.appendTrace(trace({ tsUtc: T0 }));
    await store.appendTrace(trace({ tsUtc: T0 + 1000, action: 'suppression', request: 'UID STORE \\Deleted; EXPUNGE' }));
    await store.appendTrace(trace({ tsUtc: T0 + 2000, mailbox: 'autre@hopital.mssante.fr' }));
    expect((await store.listTraces({ mailbox: MAILBOX })).map((t) => t.tsUtc)).toEqual([T0 + 1000, T0]);
    expect((await store.listTraces({ action: 'suppression' })).map((t) => t.action)).toEqual(['suppression']);
    expect((await store.listTraces({ from: T0 + 500, to: T0 + 2000 })).map((t) => t.tsUtc)).toEqual([T0 + 1000]);
    const [first] = await store.listTraces({ mailbox: MAILBOX, action: 'envoi' });
    expect(first).toEqual({ id: expect.any(Number), ...trace({ tsUtc: T0 }) });
    expect(await store.purgeTraces(T0 + 1500)).toBe(2);
    expect((await store.listTraces({})).map((t) => t.tsUtc)).toEqual([T0 + 2000]);
  });

  // ---- receipts (issue 7 part 5; the real DSN/MDN e-mails are in test/connector/receipts/match-receipt.test.ts)

  /** A message taken through the queue to `accepted` (SMTP 250), as the worker leaves it. */
  async function accepted(over: Partial<NewOutbound> = {}, at = T0): Promise<NewOutbound> {
    const m = msg({ now: at, ...over });
    await store.enqueueOutbound(m);
    const jobs = await store.claimOutbound({ workerId: 'w', now: at, leaseMs: 60_000, limit: 1000 });
    for (const j of jobs) await store.completeOutbound(j.id, 'w', { status: 'accepted', response: '250 2.0.0 Ok', now: at + 1 });
    return m;
  }
  const line = (over: Partial<ReceiptInput> = {}): ReceiptInput => ({
    recipient: 'dr.x@medecin.mssante.fr',
    type: 'dsn',
    action: 'delivered',
    status: '2.0.0',
    state: 'delivered',
    explanation: 'Message remis au serveur de l\'opérateur du destinataire.',
    receiptKey: '<r1@op.mssante.fr>',
    receivedAt: T0 + 100,
    ...over,
  });

  test('receipts: found by Message-ID or by ENVID, only in the sending mailbox', async () => {
    const m = await accepted();
    expect(await store.findOutboundForReceipt({ mailbox: MAILBOX, messageId: m.messageId })).toMatchObject({ id: m.id, status: 'accepted' });
    expect(await store.findOutboundForReceipt({ mailbox: MAILBOX.toUpperCase(), messageId: m.messageId })).toMatchObject({ id: m.id });
    // ENVID = the queue id, or the Message-ID without its brackets (mime/build-message.ts)
    expect(await store.findOutboundForReceipt({ mailbox: MAILBOX, envelopeId: m.id })).toMatchObject({ id: m.id });
    expect(await store.findOutboundForReceipt({ mailbox: MAILBOX, envelopeId: m.messageId.slice(1, -1) })).toMatchObject({ id: m.id });
    expect(await store.findOutboundForReceipt({ mailbox: MAILBOX, messageId: '<autre@x.fr>', envelopeId: m.id })).toMatchObject({ id: m.id });
    expect(await store.findOutboundForReceipt({ mailbox: 'autre@hopital.mssante.fr', messageId: m.messageId })).toBeUndefined();
    expect(await store.findOutboundForReceipt({ mailbox: MAILBOX, messageId: '<inconnu@x.fr>' })).toBeUndefined();
    expect(await store.findOutboundForReceipt({ mailbox: MAILBOX })).toBeUndefined();
  });

  test('receipts: delivered when every recipient has a delivery, read on an MDN displayed; the same report twice adds nothing', async () => {
    const m = await accepted({ recipientsCount: 2 });
    expect(await store.recordReceipts(m.id, [line({ state: 'delayed', action: 'delayed', status: '4.4.7', receiptKey: 'k0', receivedAt: T0 + 50 })], T0 + 50)).toEqual({ inserted: 1, status: 'accepted', changed: false });
    expect(await store.recordReceipts(m.id, [line()], T0 + 100)).toEqual({ inserted: 1, status: 'accepted', changed: false });
    expect(await store.recordReceipts(m.id, [line()], T0 + 101)).toEqual({ inserted: 0, status: 'accepted', changed: false });
    const second = line({ recipient: 'secretariat@clinique.mssante.fr', action: 'relayed', receiptKey: 'k2', receivedAt: T0 + 200 });
    expect(await store.recordReceipts(m.id, [second], T0 + 200)).toEqual({ inserted: 1, status: 'delivered', changed: true });
    expect(await store.getOutbound(m.id)).toMatchObject({ status: 'delivered', updatedAt: T0 + 200 });
    const mdn = line({ type: 'mdn', action: 'displayed', state: 'read', receiptKey: 'k3', receivedAt: T0 + 300, explanation: 'Le message a été ouvert par le destinataire.' });
    expect(await store.recordReceipts(m.id, [mdn], T0 + 300)).toEqual({ inserted: 1, status: 'read', changed: true });
    // a late delivery report does not take a read message back
    expect(await store.recordReceipts(m.id, [line({ receiptKey: 'k4', receivedAt: T0 + 400 })], T0 + 400)).toMatchObject({ status: 'read', changed: false });
    const rows = await store.listReceipts(m.id);
    expect(rows.map((r) => [r.recipient, r.type, r.state])).toEqual([
      ['dr.x@medecin.mssante.fr', 'dsn', 'delayed'],
      ['dr.x@medecin.mssante.fr', 'dsn', 'delivered'],
      ['secretariat@clinique.mssante.fr', 'dsn', 'delivered'],
      ['dr.x@medecin.mssante.fr', 'mdn', 'read'],
      ['dr.x@medecin.mssante.fr', 'dsn', 'delivered'],
    ]);
    expect(rows[0]).toEqual({ ...line({ state: 'delayed', action: 'delayed', status: '4.4.7', receiptKey: 'k0', receivedAt: T0 + 50 }), id: expect.any(Number), outboundId: m.id, mailbox: MAILBOX });
  });

  test('receipts: a DSN failure fails the message with its French explanation and the masked reply', async () => {
    const m = await accepted({ recipientsCount: 2 });
    const failure = line({ action: 'failed', status: '5.1.1', state: 'failed', diagnostic: 'smtp; 550 5.1.1 <*@medecin.mssante.fr> User unknown', explanation: 'Message non remis (erreur définitive : adresse inconnue).' });
    expect(await store.recordReceipts(m.id, [failure], T0 + 100)).toEqual({ inserted: 1, status: 'failed', changed: true });
    expect((await store.getOutbound(m.id))?.lastError).toEqual({
      code: 'DSN_FAILED',
      message: 'Non remis à 1 destinataire sur 2. Message non remis (erreur définitive : adresse inconnue).',
      response: 'smtp; 550 5.1.1 <*@medecin.mssante.fr> User unknown',
    });
  });

  test('receipts: a message still queued keeps its status (the worker owns it); the rows are kept', async () => {
    const m = msg();
    await store.enqueueOutbound(m);
    expect(await store.recordReceipts(m.id, [line()], T0 + 100)).toEqual({ inserted: 1, status: 'queued', changed: false });
    await expect(store.recordReceipts(randomUUID(), [line()], T0)).rejects.toThrow(/unknown outbound/);
  });

  test('receipts: recent receipts of every mailbox, newest first, limited', async () => {
    const a = await accepted();
    const b = await accepted({ mailbox: 'autre@hopital.mssante.fr' });
    await store.recordReceipts(a.id, [line({ receivedAt: T0 + 10, receiptKey: 'a' })], T0 + 10);
    await store.recordReceipts(b.id, [line({ receivedAt: T0 + 30, receiptKey: 'b' })], T0 + 30);
    await store.recordReceipts(a.id, [line({ type: 'mdn', action: 'displayed', state: 'read', receivedAt: T0 + 20, receiptKey: 'c' })], T0 + 20);
    expect((await store.listRecentReceipts(10)).map((r) => [r.mailbox, r.receivedAt])).toEqual([
      ['autre@hopital.mssante.fr', T0 + 30],
      [MAILBOX, T0 + 20],
      [MAILBOX, T0 + 10],
    ]);
    expect(await store.listRecentReceipts(1)).toHaveLength(1);
  });

  test('receipts: the IMAP position per mailbox, and the mailboxes still waiting for a receipt', async () => {
    expect(await store.getImapPosition(MAILBOX)).toBeUndefined();
    await store.setImapPosition(MAILBOX, { uidValidity: 4_000_000_000, lastUid: 12 }, T0);
    await store.setImapPosition(MAILBOX.toUpperCase(), { uidValidity: 4_000_000_000, lastUid: 15 }, T0 + 1);
    expect(await store.getImapPosition(MAILBOX)).toEqual({ uidValidity: 4_000_000_000, lastUid: 15 });
    // the read-through time is stored with a complete poll and kept by later positions stored without it
    await store.setImapPosition(MAILBOX, { uidValidity: 4_000_000_000, lastUid: 16, readThroughAt: T0 + 2 }, T0 + 3);
    await store.setImapPosition(MAILBOX, { uidValidity: 4_000_000_000, lastUid: 17 }, T0 + 4);
    expect(await store.getImapPosition(MAILBOX)).toEqual({ uidValidity: 4_000_000_000, lastUid: 17, readThroughAt: T0 + 2 });
    await accepted({ authorId: 'oid-1' }, T0);
    await accepted({ authorId: 'oid-2' }, T0 + 5_000);
    await accepted({ authorId: 'oid-3', mailbox: 'autre@hopital.mssante.fr' }, T0 - 5_000);
    await store.enqueueOutbound(msg({ authorId: 'oid-4' }));
    expect(await store.listReceiptMailboxes(T0)).toEqual([
      { mailbox: MAILBOX, authorId: 'oid-1' },
      { mailbox: MAILBOX, authorId: 'oid-2' },
    ]);
  });
});
