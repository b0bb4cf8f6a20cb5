// Runtime: Node (jest). ONE suite, run on SQLite and on the machine's PostgreSQL (describe.each over factories):
// migrations, the outbound queue (idempotency in the same transaction, unique Message-ID, claims under a lease,
// recovery of an expired lease, lost-lease refusals, no double claim between two instances), traces (filters,
// purge, written with the outcome in one transaction).
import { randomUUID } from 'node:crypto';
import { MIGRATIONS, PG_MIGRATIONS, type NewOutbound, type Store, type TraceInput } from '../../src/connector/store';
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
});
